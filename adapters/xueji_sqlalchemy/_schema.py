"""The tables of a register on SQL (DESIGN.md §5), as SQLAlchemy Core.

Each record is stored whole as JSON text in ``data`` (written and read with
xueji's one converter, :func:`xueji.dumps`), next to the key columns the
storage port queries by.  The key columns are copies; ``data`` is the truth.

Rules every table follows:

- a ``district`` column, so the schema can be sharded by district later
  (Citus, TiDB).  Rows that belong to no one district (serial counters,
  idempotency keys of requests without a student) carry ``""``;
- identifiers compare and sort by code point, as Python's ``str`` does and as
  :class:`~xueji.MemoryStore` sorts: collation ``"C"`` on PostgreSQL,
  ``utf8mb4_nopad_bin`` on MariaDB (``utf8mb4_0900_bin`` on MySQL 8; no
  trailing-space padding either), SQLite's default ``BINARY``;
- indexed text columns are at most 191 characters, so that an index over one
  fits InnoDB's 767-byte key prefix in utf8mb4;
- append-only tables (``events``, ``records``, ``audit``) and tables read
  in insertion order (``students``, ``decisions``) carry an
  autoincrementing ``seq``.

This module is the model that ``alembic.autogenerate`` compares the migrated
schema with (``tests/test_sql_migrations.py``); the schema itself is created
only by the migrations in ``migrations/versions``.
"""

from __future__ import annotations

__all__ = [
    "KEY_LENGTH",
    "aliases",
    "archives",
    "audit",
    "counters",
    "decisions",
    "enrollments",
    "events",
    "idempotency",
    "metadata",
    "obligations",
    "open_procedures",
    "organisations",
    "procedures",
    "records",
    "students",
]

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

KEY_LENGTH = 191
"""The longest identifier a key column holds (191 × 4 bytes ≤ 767)."""

_CODE_LENGTH = 64

# The migration picks the binary, non-padding collation the server has
# (utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL 8).
_MYSQL: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}


def _key(length: int = KEY_LENGTH) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(
        sa.String(length, collation="C"), "postgresql"
    )


def _json() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _timestamp() -> sa.types.TypeEngine[Any]:
    # Microseconds everywhere; MySQL's DATETIME would drop them.
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _seq() -> sa.Column[int]:
    # SQLite autoincrements only an INTEGER PRIMARY KEY.
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _district() -> sa.Column[str]:
    return sa.Column("district", _key(_CODE_LENGTH), nullable=False)


def _data() -> sa.Column[str]:
    return sa.Column("data", _json(), nullable=False)


metadata = sa.MetaData()

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # District, School, …
    sa.Column("code", _key(_CODE_LENGTH), primary_key=True),
    _district(),
    _data(),
    sa.Index("ix_organisations_kind_district", "kind", "district", "code"),
    **_MYSQL,
)

students = sa.Table(
    "students",
    metadata,
    _seq(),
    sa.Column("number", _key(), nullable=False),  # 学籍号
    _district(),
    # Kept when an update clears the ID number, as MemoryStore keeps it.
    sa.Column("id_number", _key(), nullable=True),
    # The name's first 191 characters; the full name is compared in Python.
    sa.Column("name", _key(), nullable=False),
    sa.Column("sex", sa.String(8), nullable=False),
    sa.Column("birth_date", sa.Date(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    _data(),
    sa.UniqueConstraint("number", name="uq_students_number"),
    sa.UniqueConstraint("id_number", name="uq_students_id_number"),
    sa.Index("ix_students_particulars", "name", "birth_date", "sex"),
    sa.Index("ix_students_district", "district"),
    **_MYSQL,
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("alias", _key(), primary_key=True),  # an earlier L number
    sa.Column("student", _key(), nullable=False),
    _district(),
    sa.Index("ix_aliases_student", "student"),
    **_MYSQL,
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", _key(), primary_key=True),
    sa.Column("value", sa.BigInteger(), nullable=False),
    _district(),
    **_MYSQL,
)

enrollments = sa.Table(
    "enrollments",
    metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("student", _key(), nullable=False),
    sa.Column("school", _key(), nullable=False),
    _district(),
    sa.Column("school_year", sa.String(32), nullable=False),
    sa.Column("grade", sa.Integer(), nullable=False),
    sa.Column("first_day", sa.Date(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    _data(),
    sa.Index("ix_enrollments_student", "student", "first_day", "id"),
    sa.Index("ix_enrollments_school", "school", "id"),
    sa.Index("ix_enrollments_admissions", "school", "school_year", "grade"),
    **_MYSQL,
)

events = sa.Table(
    "events",
    metadata,
    _seq(),
    sa.Column("id", _key(), nullable=False),
    sa.Column("student", _key(), nullable=False),
    _district(),
    # UTC without a zone, so that every backend compares instants.
    sa.Column("recorded_at", _timestamp(), nullable=False),
    _data(),
    sa.Index("ix_events_student", "student", "seq"),
    sa.Index("ix_events_district", "district", "seq"),
    sa.Index("ix_events_recorded_at", "recorded_at"),
    # A district's changes since its last check (revision 0002).
    sa.Index("ix_events_district_recorded_at", "district", "recorded_at"),
    **_MYSQL,
)

archives = sa.Table(
    "archives",
    metadata,
    sa.Column("student", _key(), primary_key=True),
    sa.Column("school", _key(), nullable=False),
    _district(),
    _data(),
    **_MYSQL,
)

obligations = sa.Table(
    "obligations",
    metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("organisation", _key(), nullable=False),
    sa.Column("student", _key(), nullable=True),
    _district(),
    # The sort key: the due date, 9999-12-31 when there is none, as
    # MemoryStore sorts (date.max); the real value is in ``data``.
    sa.Column("due", sa.Date(), nullable=False),
    sa.Column("is_open", sa.Boolean(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    _data(),
    sa.Index("ix_obligations_organisation", "organisation"),
    sa.Index("ix_obligations_student", "student"),
    sa.Index("ix_obligations_district", "district", "is_open"),
    sa.Index("ix_obligations_due", "due", "id"),
    **_MYSQL,
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    _district(),
    sa.Column("student", _key(), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("filed_on", sa.Date(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    _data(),
    sa.Index("ix_procedures_district", "district", "state"),
    sa.Index("ix_procedures_state", "state"),
    sa.Index("ix_procedures_filed_on", "filed_on", "id"),
    **_MYSQL,
)

open_procedures = sa.Table(
    "open_procedures",
    metadata,
    # The primary key is the rule "at most one open procedure per student"
    # (DESIGN.md §2), enforced by the database itself.
    sa.Column("student", _key(), primary_key=True),
    sa.Column("procedure_id", _key(), nullable=False),
    _district(),
    sa.Index("ix_open_procedures_procedure_id", "procedure_id"),
    **_MYSQL,
)

decisions = sa.Table(
    "decisions",
    metadata,
    _seq(),
    sa.Column("request_id", _key(), nullable=False),
    sa.Column("student", _key(), nullable=True),
    _district(),
    _data(),
    sa.Index("ix_decisions_student", "student", "seq"),
    **_MYSQL,
)

idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("idempotency_key", _key(), primary_key=True),
    sa.Column("digest", sa.Text(), nullable=False),
    _district(),
    _data(),  # the decision
    **_MYSQL,
)

records = sa.Table(
    "records",
    metadata,
    _seq(),
    sa.Column("id", _key(), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    _district(),
    sa.Column("student", _key(), nullable=True),
    sa.Column("school", _key(), nullable=True),
    sa.Column("on_date", sa.Date(), nullable=False),  # Record.on
    _data(),
    sa.Index("ix_records_kind_on", "kind", "on_date", "id"),
    sa.Index("ix_records_kind_student", "kind", "student"),
    sa.Index("ix_records_kind_school", "kind", "school"),
    sa.Index("ix_records_kind_district", "kind", "district"),
    **_MYSQL,
)

audit = sa.Table(
    "audit",
    metadata,
    _seq(),
    sa.Column("id", _key(), nullable=False),
    sa.Column("student", _key(), nullable=True),
    sa.Column("organisation", _key(), nullable=False),
    _district(),
    _data(),
    sa.Index("ix_audit_student", "student", "seq"),
    sa.Index("ix_audit_organisation", "organisation", "seq"),
    **_MYSQL,
)
