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

from xueji import (
    Admission,
    Applicant,
    ApplicantKind,
    AttendanceEntry,
    AttendanceMarks,
    AuditRecord,
    ChangeKind,
    District,
    DocumentKind,
    Guardian,
    Hukou,
    Mark,
    NationalNumberAssignment,
    Principal,
    PrincipalRole,
    Record,
    Register,
    Registration,
    School,
    SchoolType,
    Sex,
    StatusChange,
    StorageError,
    StudentParticulars,
    Township,
    TransferApplication,
    TransferReason,
)
from xueji_sqlalchemy import (
    SqlStore,
    _store,
    head_revision,
    init_register,
    upgrade_register,
)
from xueji_sqlalchemy._engine import Database
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


def upgrade_to(url: str, revision: str) -> None:
    """Run the migrations up to ``revision``, as an older xueji would."""
    engine = Database.parse(url).engine()
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def downgrade_to(url: str, revision: str) -> None:
    engine = Database.parse(url).engine()
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the register, sorted."""
    engine = Database.parse(url).engine()
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(sa.select(table))),
                    key=repr,
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def indexes(url: str, table: str) -> set[str]:
    engine = Database.parse(url).engine()
    try:
        with engine.connect() as connection:
            found = sa.inspect(connection).get_indexes(table)
    finally:
        engine.dispose()
    return {str(index["name"]) for index in found}


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

    assert revision == head_revision() == "0002"
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


def test_a_store_refuses_a_schema_of_the_previous_release(empty_url: str) -> None:
    upgrade_to(empty_url, "0001")

    with pytest.raises(
        StorageError,
        match=r"has schema revision '0001', this xueji needs '0002'; "
        r"run `xueji upgrade --db ",
    ):
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


# ----------------------------------------------------- upgrading a register

CHAOYANG = "110105"
CITY = Principal(PrincipalRole.CITY, "110000", "市学籍办")
DISTRICT = Principal(PrincipalRole.DISTRICT, CHAOYANG, "区学籍员")
SCHOOL = Principal(PrincipalRole.SCHOOL, "P01", "王老师")


def pupil(birth: date, id_number: str | None) -> StudentParticulars:
    return StudentParticulars(
        name="测试甲" if id_number else "测试乙",
        sex=Sex.MALE,
        birth_date=birth,
        hukou=Hukou(beijing=True, district=CHAOYANG, township="110105001"),
        document=DocumentKind.RESIDENT_ID if id_number else DocumentKind.NONE,
        id_number=id_number,
        guardians=(Guardian("测试家长", "父亲", "13800000000"),),
    )


def fill(url: str) -> None:
    """Write a register with a row in every table, through the kernel: a
    pupil admitted, registered, marked late and applying to transfer under
    an idempotency key; a pupil without an ID number admitted under an L
    number that a national number then replaces."""
    store = SqlStore(url)
    register = Register(store, clock=lambda: datetime(2025, 9, 1, 8, tzinfo=UTC))
    register.load_organisations(
        [
            District(CHAOYANG, "朝阳区", CHAOYANG),
            Township("110105001", "建外街道", CHAOYANG),
            Township("110105002", "朝外街道", CHAOYANG),
            School(
                "P01",
                "朝阳第一小学",
                CHAOYANG,
                CHAOYANG,
                SchoolType.PRIMARY,
                townships=("110105001",),
            ),
            School("P02", "朝阳第二小学", CHAOYANG, CHAOYANG, SchoolType.PRIMARY),
        ],
        CITY,
    )
    admitted = register.submit(
        Admission(
            "adm-1",
            date(2025, 7, 10),
            "P01",
            3,
            "2025-2026",
            pupil(date(2017, 5, 5), "110105201705050010"),
            documents=("户口簿",),
        ),
        SCHOOL,
    )
    number = admitted.student
    assert number is not None
    register.submit(Registration("reg-1", date(2025, 9, 1), number), SCHOOL)
    register.submit(
        AttendanceMarks(
            "att-1",
            date(2025, 10, 20),
            "P01",
            date(2025, 10, 20),
            date(2025, 10, 20),
            (AttendanceEntry(number, date(2025, 10, 20), Mark.LATE),),
        ),
        SCHOOL,
    )
    register.submit(
        TransferApplication(
            "tr-1",
            date(2025, 11, 13),
            number,
            "P02",
            TransferReason.RESIDENCE_CHANGE,
            applicant=Applicant(ApplicantKind.GUARDIAN, "测试家长", "转-001"),
            documents=("实际居住地变更证明",),
            new_township="110105002",
            idempotency_key="k-1",
        ),
        SCHOOL,
    )
    temporary = register.submit(
        Admission(
            "adm-2",
            date(2025, 7, 10),
            "P01",
            1,
            "2025-2026",
            pupil(date(2019, 3, 1), None),
            documents=("户口簿",),
        ),
        SCHOOL,
    ).student
    assert temporary is not None
    register.submit(
        NationalNumberAssignment(
            "nat-1", date(2025, 10, 9), temporary, "J11010520190301001X"
        ),
        DISTRICT,
    )
    store.dispose()


def test_an_upgrade_from_0001_keeps_every_row(empty_url: str) -> None:
    init_register(empty_url).dispose()
    fill(empty_url)
    written = rows(empty_url)
    downgrade_to(empty_url, "0001")  # the register as the previous release left it
    at_0001 = rows(empty_url)

    revision = upgrade_register(empty_url)

    assert revision == "0002"
    assert {name: len(kept) for name, kept in written.items()} == {
        "aliases": 1,
        "archives": 1,
        "audit": 7,  # the organisations loaded, six requests
        "counters": 1,
        "decisions": 6,
        "enrollments": 2,
        "events": 7,  # 4 of the first pupil, 3 of the second
        "idempotency": 1,
        "obligations": 2,  # build the archive, act on the transfer
        "open_procedures": 1,
        "organisations": 5,
        "procedures": 1,
        "records": 1,
        "students": 2,
    }
    assert at_0001 == written
    assert rows(empty_url) == written
    store = SqlStore(empty_url)  # at head: it opens, and the register reads
    history = Register(store).history("L110105201903010001", CITY)
    store.dispose()
    assert history.student.number == "J11010520190301001X"


def test_0002_adds_the_index_of_a_districts_changes_since_its_last_check(
    empty_url: str,
) -> None:
    upgrade_to(empty_url, "0001")
    before = indexes(empty_url, "events")

    upgrade_register(empty_url)

    added = indexes(empty_url, "events") - before
    assert "ix_events_district_recorded_at" not in before
    assert added == {"ix_events_district_recorded_at"}
