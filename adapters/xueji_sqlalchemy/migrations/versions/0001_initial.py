"""The first schema of a xueji register: every table.

Revision ID: 0001
Revises:
Create Date: 2025-12-03

Written by hand and frozen: later changes go in new revisions.  The types
and names here must equal ``xueji_sqlalchemy._schema`` (checked by
``tests/test_sql_migrations.py``).  On PostgreSQL and SQLite, triggers make
``events`` (the 学籍变动 log), ``records`` and ``audit`` append-only for every
client, not only for this adapter.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

KEY = 191
CODE = 64
APPEND_ONLY = ("events", "records", "audit")


def mysql_options() -> dict[str, Any]:
    """utf8mb4 with a binary collation that does not pad: identifiers
    compare by code point and "G1 " is not "G1".  MariaDB and MySQL 8 name
    it differently; older servers only have the padding ``utf8mb4_bin``."""
    dialect = op.get_bind().dialect
    if dialect.name not in ("mysql", "mariadb"):
        return {}
    if getattr(dialect, "is_mariadb", False):
        collation = "utf8mb4_nopad_bin"
    elif (dialect.server_version_info or (0,)) >= (8, 0):
        collation = "utf8mb4_0900_bin"
    else:
        collation = "utf8mb4_bin"
    return {
        "mysql_engine": "InnoDB",
        "mysql_charset": "utf8mb4",
        "mysql_collate": collation,
    }


def key(length: int = KEY) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(
        sa.String(length, collation="C"), "postgresql"
    )


def json_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def timestamp() -> sa.types.TypeEngine[Any]:
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def district() -> sa.Column[str]:
    return sa.Column("district", key(CODE), nullable=False)


def data() -> sa.Column[str]:
    return sa.Column("data", json_text(), nullable=False)


def upgrade() -> None:
    options = mysql_options()
    op.create_table(
        "organisations",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("code", key(CODE), primary_key=True),
        district(),
        data(),
        **options,
    )
    op.create_index(
        "ix_organisations_kind_district",
        "organisations",
        ["kind", "district", "code"],
    )

    op.create_table(
        "students",
        seq(),
        sa.Column("number", key(), nullable=False),
        district(),
        sa.Column("id_number", key(), nullable=True),
        sa.Column("name", key(), nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        data(),
        sa.UniqueConstraint("number", name="uq_students_number"),
        sa.UniqueConstraint("id_number", name="uq_students_id_number"),
        **options,
    )
    op.create_index(
        "ix_students_particulars", "students", ["name", "birth_date", "sex"]
    )
    op.create_index("ix_students_district", "students", ["district"])

    op.create_table(
        "aliases",
        sa.Column("alias", key(), primary_key=True),
        sa.Column("student", key(), nullable=False),
        district(),
        **options,
    )
    op.create_index("ix_aliases_student", "aliases", ["student"])

    op.create_table(
        "counters",
        sa.Column("name", key(), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        district(),
        **options,
    )

    op.create_table(
        "enrollments",
        sa.Column("id", key(), primary_key=True),
        sa.Column("student", key(), nullable=False),
        sa.Column("school", key(), nullable=False),
        district(),
        sa.Column("school_year", sa.String(32), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        data(),
        **options,
    )
    op.create_index(
        "ix_enrollments_student", "enrollments", ["student", "first_day", "id"]
    )
    op.create_index("ix_enrollments_school", "enrollments", ["school", "id"])
    op.create_index(
        "ix_enrollments_admissions",
        "enrollments",
        ["school", "school_year", "grade"],
    )

    op.create_table(
        "events",
        seq(),
        sa.Column("id", key(), nullable=False),
        sa.Column("student", key(), nullable=False),
        district(),
        sa.Column("recorded_at", timestamp(), nullable=False),
        data(),
        **options,
    )
    op.create_index("ix_events_student", "events", ["student", "seq"])
    op.create_index("ix_events_district", "events", ["district", "seq"])
    op.create_index("ix_events_recorded_at", "events", ["recorded_at"])

    op.create_table(
        "archives",
        sa.Column("student", key(), primary_key=True),
        sa.Column("school", key(), nullable=False),
        district(),
        data(),
        **options,
    )

    op.create_table(
        "obligations",
        sa.Column("id", key(), primary_key=True),
        sa.Column("organisation", key(), nullable=False),
        sa.Column("student", key(), nullable=True),
        district(),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        data(),
        **options,
    )
    op.create_index("ix_obligations_organisation", "obligations", ["organisation"])
    op.create_index("ix_obligations_student", "obligations", ["student"])
    op.create_index("ix_obligations_district", "obligations", ["district", "is_open"])
    op.create_index("ix_obligations_due", "obligations", ["due", "id"])

    op.create_table(
        "procedures",
        sa.Column("id", key(), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        district(),
        sa.Column("student", key(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        data(),
        **options,
    )
    op.create_index("ix_procedures_district", "procedures", ["district", "state"])
    op.create_index("ix_procedures_state", "procedures", ["state"])
    op.create_index("ix_procedures_filed_on", "procedures", ["filed_on", "id"])

    op.create_table(
        "open_procedures",
        sa.Column("student", key(), primary_key=True),
        sa.Column("procedure_id", key(), nullable=False),
        district(),
        **options,
    )
    op.create_index(
        "ix_open_procedures_procedure_id", "open_procedures", ["procedure_id"]
    )

    op.create_table(
        "decisions",
        seq(),
        sa.Column("request_id", key(), nullable=False),
        sa.Column("student", key(), nullable=True),
        district(),
        data(),
        **options,
    )
    op.create_index("ix_decisions_student", "decisions", ["student", "seq"])

    op.create_table(
        "idempotency",
        sa.Column("idempotency_key", key(), primary_key=True),
        sa.Column("digest", sa.Text(), nullable=False),
        district(),
        data(),
        **options,
    )

    op.create_table(
        "records",
        seq(),
        sa.Column("id", key(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        district(),
        sa.Column("student", key(), nullable=True),
        sa.Column("school", key(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=False),
        data(),
        **options,
    )
    op.create_index("ix_records_kind_on", "records", ["kind", "on_date", "id"])
    op.create_index("ix_records_kind_student", "records", ["kind", "student"])
    op.create_index("ix_records_kind_school", "records", ["kind", "school"])
    op.create_index("ix_records_kind_district", "records", ["kind", "district"])

    op.create_table(
        "audit",
        seq(),
        sa.Column("id", key(), nullable=False),
        sa.Column("student", key(), nullable=True),
        sa.Column("organisation", key(), nullable=False),
        district(),
        data(),
        **options,
    )
    op.create_index("ix_audit_student", "audit", ["student", "seq"])
    op.create_index("ix_audit_organisation", "audit", ["organisation", "seq"])

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgresql_append_only()
    elif dialect == "sqlite":
        _sqlite_append_only()


def _postgresql_append_only() -> None:
    op.execute(
        """
        CREATE FUNCTION xueji_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION
                'table % is append-only: record a correction as a new row',
                TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION xueji_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION xueji_append_only()"
        )


def _sqlite_append_only() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} "
                f"ON {table} BEGIN SELECT RAISE(ABORT, 'table {table} is "
                "append-only: record a correction as a new row'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION xueji_append_only()")
    elif dialect == "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    for table in (
        "audit",
        "records",
        "idempotency",
        "decisions",
        "open_procedures",
        "procedures",
        "obligations",
        "archives",
        "events",
        "enrollments",
        "counters",
        "aliases",
        "students",
        "organisations",
    ):
        op.drop_table(table)
