"""An index for the term check's changes since the last check.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

A district's term check (第四十三条) lists the 学籍变动 of the district
recorded since its last check: ``events_since(district, since)``, that is
``WHERE district = ? AND recorded_at > ? ORDER BY seq``.  Revision 0001
indexes ``events`` by (district, seq) and by recorded_at alone, so the
query read every event the district ever recorded, years of them, to keep
one term's.  This index reads the term's only.  It is district-first, like
every index of a table that is sharded by district (docs/scaling.md).

Purely additive: no row is touched, and 0001's indexes stay (the city's
check still reads by ``recorded_at``, a student's history by
(student, seq)).  ``xueji_sqlalchemy._schema`` declares the same index.
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_events_district_recorded_at", "events", ["district", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_events_district_recorded_at", table_name="events")
