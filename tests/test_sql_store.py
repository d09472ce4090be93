"""What the SQL adapter does beyond the storage contract: URLs, messages
that say what to do, SQLite's settings, requests racing on real
connections, and the kernel's register running on it.

PostgreSQL and MariaDB run when XUEJI_TEST_POSTGRESQL and XUEJI_TEST_MYSQL
name a server; each module run works in scratch databases of its own.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import CITY, ORGANISATIONS, PRIMARY, admission, child, fixed_clock
from xueji import (
    ConflictError,
    DocumentKind,
    Hukou,
    MemoryStore,
    OpenProcedureError,
    Procedure,
    Register,
    Sex,
    StorageError,
    Student,
)
from xueji_sqlalchemy import (
    SqlStore,
    SqlUnitOfWork,
    default_url,
    display_url,
    init_register,
)
from xueji_sqlalchemy.testing import scratch_database

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]
VARIABLES = {"postgresql": "XUEJI_TEST_POSTGRESQL", "mariadb": "XUEJI_TEST_MYSQL"}
ID_NUMBER = "11010520190301001X"


@pytest.fixture(params=BACKENDS)
def url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of a register, initialised, on one backend."""
    backend: str = request.param
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("store") / "xueji.db"
        init_register(f"sqlite:///{path}").dispose()
        yield f"sqlite:///{path}"
        return
    variable = VARIABLES[backend]
    server = os.environ.get(variable)
    if not server:
        pytest.skip(f"set {variable} to a server URL to run these tests")
    with scratch_database(server) as scratch:
        init_register(scratch).dispose()
        yield scratch


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    opened = SqlStore(url)
    yield opened
    opened.dispose()


def a_student(number: str, id_number: str | None = None) -> Student:
    return Student(
        number=number,
        name="李雷",
        sex=Sex.MALE,
        birth_date=child().birth_date,
        document=DocumentKind.RESIDENT_ID if id_number else DocumentKind.NONE,
        id_number=id_number,
        hukou=Hukou(beijing=True),
        district="110105",
    )


def transfer(procedure_id: str, student: str) -> Procedure:
    return Procedure(
        id=procedure_id,
        kind="transfer",
        district="110105",
        filed_on=child().birth_date,
        due=None,
        steps=(),
        article="第二十三条",
        student=student,
    )


# ------------------------------------------------------------------- URLs


def test_the_default_url_is_xueji_db_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XUEJI_DB", raising=False)

    assert default_url() == "sqlite:///xueji.db"


def test_the_default_url_comes_from_xueji_db_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XUEJI_DB", "postgresql://xueji@db.example/register")

    assert default_url() == "postgresql://xueji@db.example/register"


def test_a_url_is_shown_without_its_password() -> None:
    shown = display_url("postgresql://xueji:s3cret@db.example:5432/register")

    assert shown == "postgresql+psycopg://xueji:***@db.example:5432/register"


def test_mysql_urls_use_pymysql() -> None:
    assert display_url("mysql://root@127.0.0.1/test").startswith("mysql+pymysql://")


def test_a_string_that_is_no_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="is not a database URL"):
        SqlStore("xueji.db")


def test_an_unknown_database_kind_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="does not know the database"):
        SqlStore("oracle2://scott@localhost/orcl")


@pytest.mark.parametrize(
    "unreachable",
    [
        "postgresql://xueji:s3cret@127.0.0.1:9/register",
        "mysql://xueji:s3cret@127.0.0.1:9/register",
    ],
)
def test_an_unreachable_server_is_named_without_the_password(unreachable: str) -> None:
    with pytest.raises(StorageError) as error:
        SqlStore(unreachable)

    message = str(error.value)
    assert "127.0.0.1:9" in message
    assert "check that the server is running" in message
    assert "s3cret" not in message


def test_opening_a_missing_sqlite_file_says_to_init_and_creates_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "missing.db"

    with pytest.raises(StorageError, match=r"run `xueji init --db sqlite:///"):
        SqlStore(f"sqlite:///{path}")

    assert not path.exists()


# ----------------------------------------------------------------- SQLite


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    store = init_register(f"sqlite:///{tmp_path / 'xueji.db'}")
    with store.engine.connect() as connection:
        settings = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    store.dispose()

    assert settings == ["wal", 1, 15000]


# ------------------------------------------------------- units of work


def test_a_unit_of_work_used_outside_a_with_block_says_so(store: SqlStore) -> None:
    uow: SqlUnitOfWork = store.unit_of_work()

    with pytest.raises(StorageError, match="use it in a `with` block"):
        uow.get_student("G1")


def test_a_refused_id_number_is_not_in_the_message(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.add_student(a_student("G1", ID_NUMBER))
        with pytest.raises(StorageError) as error:
            uow.add_student(a_student("G2", ID_NUMBER))

    assert ID_NUMBER not in str(error.value)


def test_echoed_sql_shows_no_id_number(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqlStore(url, echo=True)
    with (
        caplog.at_level(logging.INFO, logger="sqlalchemy.engine"),
        store.unit_of_work() as uow,
    ):
        uow.add_student(a_student("G1", ID_NUMBER))
        uow.student_by_id_number(ID_NUMBER)
    store.dispose()

    assert "INSERT INTO students" in caplog.text
    assert ID_NUMBER not in caplog.text


def test_a_second_procedure_racing_on_another_connection_is_refused(
    store: SqlStore,
) -> None:
    started = threading.Event()

    def late_request() -> BaseException | None:
        try:
            with store.unit_of_work() as uow:
                started.set()
                uow.add_procedure(transfer("p-late", "G1"))
                uow.commit()
        except ConflictError as error:
            return error
        return None

    with store.unit_of_work() as early, ThreadPoolExecutor(1) as pool:
        early.add_procedure(transfer("p-early", "G1"))
        late = pool.submit(late_request)
        started.wait(5)
        # The late request now waits for the early one's lock on the claim.
        threading.Event().wait(0.3)
        early.commit()
        refused = late.result(timeout=30)

    if store.engine.dialect.name == "sqlite":
        # SQLite locks the whole file: the late request's snapshot is stale.
        assert isinstance(refused, ConflictError)
    else:
        assert isinstance(refused, OpenProcedureError)
        assert (refused.student, refused.procedure) == ("G1", "p-early")
    with store.unit_of_work() as uow:
        holder = uow.open_procedure_of("G1")
    assert holder is not None
    assert holder.id == "p-early"


def test_serial_numbers_drawn_at_once_on_many_connections_are_distinct(
    store: SqlStore,
) -> None:
    with store.unit_of_work() as uow:
        uow.next_serial("110105-20190301")
        uow.commit()

    def draw(_: int) -> int:
        with store.unit_of_work() as uow:
            value = uow.next_serial("110105-20190301")
            uow.commit()
        return value

    with ThreadPoolExecutor(4) as pool:
        drawn = sorted(pool.map(draw, range(20)))

    assert drawn == list(range(2, 22))


def test_the_database_holds_one_district_per_row(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.add_student(a_student("G1"))
        uow.commit()
    with store.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        without = [
            name
            for name in tables
            if name != "alembic_version"
            and "district"
            not in {c["name"] for c in sa.inspect(connection).get_columns(name)}
        ]

    assert len(tables) == 15
    assert without == []


# --------------------------------------------------- the kernel on SQL


def test_the_register_decides_the_same_on_sql_as_in_memory(store: SqlStore) -> None:
    def admit(on: Register) -> tuple[object, ...]:
        on.load_organisations(ORGANISATIONS, CITY)
        decision = on.submit(admission(child()), PRIMARY)
        assert decision.student is not None
        history = on.history(decision.student, CITY)
        return (
            decision.outcome,
            decision.reasons,
            decision.obligations,
            history.student,
            [(e.school, e.status, e.first_day) for e in history.enrollments],
            [(e.kind, e.article, e.on) for e in history.events],
        )

    in_memory = admit(Register(MemoryStore(), clock=fixed_clock))
    on_sql = admit(Register(store, clock=fixed_clock))

    assert on_sql == in_memory
