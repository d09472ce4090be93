"""The SQL schema is Alembic's from the first table (DESIGN.md §5).

On each backend: an empty database upgraded to head has exactly the tables
the model (``xueji_sqlalchemy._schema``) describes; a store refuses to open
a database whose schema is missing or at another revision, and says which
command to run; the database itself keeps the rules the schema states.

PostgreSQL and MariaDB run when XUEJI_TEST_POSTGRESQL and XUEJI_TEST_MYSQL
name a server; each test gets a scratch database of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from xueji import AuditRecord, ChangeKind, Record, StatusChange, StorageError
from xueji_sqlalchemy import (
    SqlStore,
    _store,
    head_revision,
    init_register,
    upgrade_register,
)
from xueji_sqlalchemy._schema import metadata
from xueji_sqlalchemy.testing import scratch_database

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]
VARIABLES = {"postgresql": "XUEJI_TEST_POSTGRESQL", "mariadb": "XUEJI_TEST_MYSQL"}
APPEND_ONLY = ["events", "records", "audit"]


@pytest.fixture(params=BACKENDS)
def empty_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database on one backend."""
    backend: str = request.param
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("migrations") / "xueji.db"
        path.touch()  # an empty file is an empty SQLite database
        yield f"sqlite:///{path}"
        return
    variable = VARIABLES[backend]
    server = os.environ.get(variable)
    if not server:
        pytest.skip(f"set {variable} to a server URL to run these tests")
    with scratch_database(server) as url:
        yield url


def alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_store.MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_an_empty_database_upgraded_to_head_has_exactly_the_modelled_schema(
    empty_url: str,
) -> None:
    revision = upgrade_register(empty_url)

    store = init_register(empty_url)
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            differences = compare_metadata(context, metadata)
            current = context.get_current_revision()
    finally:
        store.dispose()

    assert revision == head_revision() == "0001"
    assert current == revision
    assert differences == []


def test_the_migrations_go_down_to_nothing_and_up_again(empty_url: str) -> None:
    init_register(empty_url).dispose()
    store = SqlStore(empty_url)
    try:
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        with store.engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        store.dispose()

    assert left == set()
    assert upgrade_register(empty_url) == head_revision()


def test_a_store_refuses_a_database_without_a_register(empty_url: str) -> None:
    with pytest.raises(StorageError, match=r"run `xueji init --db .+`"):
        SqlStore(empty_url)


def test_a_store_refuses_a_schema_at_another_revision(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_register(empty_url).dispose()
    monkeypatch.setattr(_store, "head_revision", lambda: "0002")

    with pytest.raises(StorageError, match=r"needs '0002'; run `xueji upgrade --db "):
        SqlStore(empty_url)


def test_a_store_refuses_a_schema_from_a_newer_xueji(empty_url: str) -> None:
    init_register(empty_url).dispose()
    engine = sa.create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()

    with pytest.raises(StorageError, match="newer xueji"):
        SqlStore(empty_url)


def test_init_on_an_up_to_date_register_changes_nothing(empty_url: str) -> None:
    first = init_register(empty_url)
    with first.unit_of_work() as uow:
        uow.next_serial("kept")
        uow.commit()
    first.dispose()

    again = init_register(empty_url)
    with again.unit_of_work() as uow:
        value = uow.next_serial("kept")
    again.dispose()

    assert value == 2


def test_the_database_refuses_a_second_open_procedure_row_for_a_student(
    empty_url: str,
) -> None:
    store = init_register(empty_url)
    table = metadata.tables["open_procedures"]
    row = {"student": "G1", "procedure_id": "p1", "district": "110108"}
    try:
        with store.engine.begin() as connection:
            connection.execute(table.insert(), row)
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
            connection.execute(table.insert(), {**row, "procedure_id": "p2"})
    finally:
        store.dispose()


def test_the_database_refuses_a_second_student_with_one_id_number(
    empty_url: str,
) -> None:
    store = init_register(empty_url)
    table = metadata.tables["students"]
    row = {
        "number": "G1",
        "district": "110108",
        "id_number": "P1",
        "name": "李雷",
        "sex": "男",
        "birth_date": date(2016, 3, 1),
        "version": 1,
        "data": "{}",
    }
    try:
        with store.engine.begin() as connection:
            connection.execute(table.insert(), row)
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
            connection.execute(table.insert(), {**row, "number": "G2"})
    finally:
        store.dispose()


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize(
    "statement", ["UPDATE {} SET district = 'x'", "DELETE FROM {}"]
)
def test_the_append_only_tables_refuse_updates_and_deletes(
    empty_url: str, table: str, statement: str
) -> None:
    if empty_url.startswith("mysql"):
        pytest.skip(
            "MariaDB/MySQL has no append-only trigger (creating one needs SUPER "
            "where binary logging is on); the adapter has no update or delete "
            "path, and docs/storage.md says to grant no UPDATE or DELETE"
        )
    store = init_register(empty_url)
    try:
        with store.unit_of_work() as uow:
            uow.append_event(
                StatusChange(
                    id="v1",
                    student="G1",
                    district="110108",
                    on=date(2025, 9, 1),
                    kind=ChangeKind.REGISTERED,
                    article="第十六条",
                    actor="school:S1:王老师",
                    summary="按时注册",
                    recorded_at=datetime(2025, 9, 1, tzinfo=UTC),
                )
            )
            uow.add_record(Record("c1", "absence", "110108", date(2025, 9, 1), "{}"))
            uow.append_audit(
                AuditRecord(
                    "a1",
                    datetime(2025, 9, 1, tzinfo=UTC),
                    "school:S1:王老师",
                    "S1",
                    "submit",
                    allowed=True,
                )
            )
            uow.commit()
        with (
            pytest.raises(sa.exc.DatabaseError, match="append-only"),
            store.engine.begin() as connection,
        ):
            connection.execute(sa.text(statement.format(table)))
    finally:
        store.dispose()
