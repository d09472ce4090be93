"""xueji's storage port on SQLAlchemy Core (DESIGN.md §5).

A :class:`SqlStore` holds an engine; each :class:`SqlUnitOfWork` holds one
connection and one transaction, reused by every call: ``commit()`` commits,
leaving the ``with`` block without it rolls back.  The behaviour is the
reference's, :class:`xueji.MemoryStore`, call for call — the storage
contract (:mod:`xueji.conformance.storage`) runs against both.

What the database itself guarantees:

- one transaction per unit of work;
- optimistic concurrency: ``UPDATE … WHERE id = ? AND version = ?`` and a
  look at the row count, so a stale update is a :class:`~xueji.ConflictError`;
- at most one open procedure per student: the primary key of
  ``open_procedures`` (one row per student of an open procedure);
- one student per ID number: a unique key;
- the idempotency key is a primary key.

The schema is created and upgraded by the Alembic migrations shipped in
``migrations/`` (:func:`init_register`, :func:`upgrade_register`); opening a
store whose schema is not at the current revision is an error that says
which command to run.
"""

from __future__ import annotations

__all__ = [
    "SqlStore",
    "SqlUnitOfWork",
    "default_url",
    "head_revision",
    "init_register",
    "upgrade_register",
]

import functools
import json
import logging
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, NoReturn, ParamSpec, Protocol, Self, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import bindparam
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult, Engine

from xueji import (
    Archive,
    AuditRecord,
    ConflictError,
    Decision,
    District,
    DuplicateRequestError,
    Enrollment,
    HrssOffice,
    OpenProcedureError,
    Procedure,
    Record,
    School,
    Sex,
    StatusChange,
    StorageError,
    StoredObligation,
    Student,
    Township,
    dumps,
    structure,
)
from xueji_sqlalchemy import _schema as t
from xueji_sqlalchemy._engine import Database, storage_error

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory shipped in the package."""

DEFAULT_URL = "sqlite:///xueji.db"

Organisation = District | School | Township | HrssOffice

R = TypeVar("R")
P = ParamSpec("P")
T = TypeVar("T")


def default_url() -> str:
    """``$XUEJI_DB`` when set, else ``sqlite:///xueji.db`` (a file in the
    current directory)."""
    return os.environ.get("XUEJI_DB") or DEFAULT_URL


# ------------------------------------------------------------ schema revision


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    """The schema revision this version of the adapter needs."""
    head = _scripts().get_current_head()
    assert head is not None, "the shipped migrations have one head"
    return head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def _upgrade(engine: Engine, where: str) -> str:
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            revision = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.DBAPIError as error:
        raise storage_error(error, where, "upgrading the schema") from error
    except CommandError as error:
        raise StorageError(
            f"cannot upgrade the register at {where}: {error}; its schema "
            "revision is unknown to this xueji (was it written by a newer "
            "one?)"
        ) from None
    log.info("schema of %s is at revision %s", where, revision)
    return revision or head_revision()


def _require_file(database: Database) -> None:
    """Refuse to open (and so create) a SQLite file that is not there."""
    path = database.name
    if database.backend != "sqlite" or path in (None, "", ":memory:"):
        return
    if database.url.query.get("mode") == "memory" or path.startswith("file:"):
        return
    if not Path(path).exists():
        raise StorageError(
            f"there is no register at {path}; run "
            f"`xueji init --db {database.where}` to create one"
        )


def _require_head(engine: Engine, where: str) -> None:
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.DBAPIError as error:
        raise storage_error(error, where, "opening the register") from error
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise StorageError(
            f"the database at {where} holds no xueji register (no schema "
            f"revision); run `xueji init --db {where}` to create one"
        )
    try:
        _scripts().get_revision(current)
    except CommandError:
        raise StorageError(
            f"the register at {where} has schema revision {current!r}, which "
            f"this xueji does not know (it knows up to {head!r}); it was "
            "upgraded by a newer xueji: upgrade xueji"
        ) from None
    raise StorageError(
        f"the register at {where} has schema revision {current!r}, this xueji "
        f"needs {head!r}; run `xueji upgrade --db {where}`"
    )


# ----------------------------------------------------------------- the store


class SqlStore:
    """A register on SQLite, PostgreSQL or MariaDB/MySQL.

    Args:
        url: a SQLAlchemy database URL: ``sqlite:///PATH`` (the embedded
            default), ``postgresql://…`` (psycopg 3) or ``mysql://…``
            (PyMySQL); :func:`default_url` gives the configured one.
        echo: log every SQL statement (without its parameters) to the
            ``sqlalchemy.engine`` logger.

    Raises:
        StorageError: the database cannot be reached, or its schema is not
            at the revision this xueji needs — the message says whether to
            run ``xueji init`` or ``xueji upgrade``.  The store never creates
            or alters tables itself.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        database = Database.parse(url)
        _require_file(database)
        engine = database.engine(echo=echo)
        try:
            _require_head(engine, database.where)
        except BaseException:
            engine.dispose()
            raise
        self._setup(engine, database.where)

    @classmethod
    def _on(cls, engine: Engine, where: str) -> SqlStore:
        store = cls.__new__(cls)
        store._setup(engine, where)
        return store

    def _setup(self, engine: Engine, where: str) -> None:
        self._engine = engine
        self._where = where
        self._upserts = _Upserts(engine.dialect)
        self._returning = bool(engine.dialect.update_returning)

    @property
    def url(self) -> str:
        """The database URL, without its password."""
        return self._where

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for maintenance and tests, not for
        writing records behind the port's back)."""
        return self._engine

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStore({self._where!r})"


def init_register(url: str) -> SqlStore:
    """Create the register's schema by running the migrations to the head
    revision (nothing to do on an up-to-date database), and return a store
    on it.  For SQLite the file is created; its directory must exist."""
    database = Database.parse(url)
    engine = database.engine()
    try:
        _upgrade(engine, database.where)
    except BaseException:
        engine.dispose()
        raise
    return SqlStore._on(engine, database.where)


def upgrade_register(url: str) -> str:
    """Run the migrations to the head revision; return that revision."""
    database = Database.parse(url)
    _require_file(database)
    engine = database.engine()
    try:
        return _upgrade(engine, database.where)
    finally:
        engine.dispose()


class _Upserts:
    """``INSERT … ON CONFLICT/DUPLICATE KEY UPDATE`` per table, in the
    store's dialect, built once."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self._dialect = dialect.name
        self._built: dict[str, sa.Executable] = {}

    def __getitem__(self, table: sa.Table) -> sa.Executable:
        built = self._built.get(table.name)
        if built is None:
            built = self._built[table.name] = self._build(table)
        return built

    def _build(self, table: sa.Table) -> sa.Executable:
        keys = [c.name for c in table.primary_key]
        others = [c.name for c in table.columns if c.name not in keys]
        if self._dialect in ("mysql", "mariadb"):
            my = mysql.insert(table)
            return my.on_duplicate_key_update({n: my.inserted[n] for n in others})
        if self._dialect == "postgresql":
            pg = postgresql.insert(table)
            return pg.on_conflict_do_update(
                index_elements=keys, set_={n: pg.excluded[n] for n in others}
            )
        if self._dialect == "sqlite":
            lite = sqlite.insert(table)
            return lite.on_conflict_do_update(
                index_elements=keys, set_={n: lite.excluded[n] for n in others}
            )
        raise StorageError(
            f"xueji does not support the {self._dialect} database; use SQLite, "
            "PostgreSQL, MariaDB or MySQL"
        )


# ---------------------------------------------------------------- statements
#
# Built once, with bound parameters, so that a call costs one compiled-cache
# lookup and one round trip.  Parameters named ``w_*`` select the row an
# UPDATE changes; the other parameters of an UPDATE set the columns of the
# same name.

_org = t.organisations
_ORG = sa.select(_org.c.data).where(
    _org.c.kind == bindparam("kind"), _org.c.code == bindparam("code")
)
_ORGS = (
    sa.select(_org.c.data).where(_org.c.kind == bindparam("kind")).order_by(_org.c.code)
)
_ORGS_IN = _ORGS.where(_org.c.district == bindparam("district"))

_st = t.students
_al = t.aliases
# MemoryStore resolves an alias before the number itself.
_STUDENT = sa.select(_st.c.data).where(
    _st.c.number
    == sa.func.coalesce(
        sa.select(_al.c.student)
        .where(_al.c.alias == bindparam("number"))
        .scalar_subquery(),
        bindparam("number"),
    )
)
_STUDENT_BY_ID = sa.select(_st.c.data).where(_st.c.id_number == bindparam("id_number"))
_ID_HOLDER = sa.select(_st.c.number).where(_st.c.id_number == bindparam("id_number"))
_PARTICULARS = (
    sa.select(_st.c.data)
    .where(
        _st.c.name == bindparam("name"),
        _st.c.sex == bindparam("sex"),
        _st.c.birth_date == bindparam("birth_date"),
    )
    .order_by(_st.c.seq)
)
_TAKEN_ALIAS, _TAKEN_NUMBER, _TAKEN_ID = 1, 2, 3
_STUDENT_CLASHES = sa.union_all(
    sa.select(sa.literal_column("1"), _al.c.student).where(
        _al.c.alias == bindparam("number")
    ),
    sa.select(sa.literal_column("2"), _st.c.number).where(
        _st.c.number == bindparam("number")
    ),
    sa.select(sa.literal_column("3"), _st.c.number).where(
        _st.c.id_number == bindparam("id_number")
    ),
)
_STUDENT_VERSION = sa.select(_st.c.version).where(_st.c.number == bindparam("w_key"))
# A cleared ID number keeps its index entry, as MemoryStore keeps it: the
# number stays claimed by this student (one person, one 学籍号).
_STUDENT_UPDATE = (
    sa.update(_st)
    .where(_st.c.number == bindparam("w_key"), _st.c.version == bindparam("w_version"))
    .values(id_number=sa.func.coalesce(bindparam("new_id_number"), _st.c.id_number))
)

_STUDENT_INSERT = sa.insert(_st)
_STUDENT_EXISTS = sa.select(_st.c.version).where(_st.c.number == bindparam("number"))
_STUDENT_DELETE = sa.delete(_st).where(
    _st.c.number == bindparam("w_key"), _st.c.version == bindparam("w_version")
)

_co = t.counters
_BUMP = (
    sa.update(_co)
    .where(_co.c.name == bindparam("w_name"))
    .values(value=_co.c.value + 1)
)
_BUMP_RETURNING = _BUMP.returning(_co.c.value)
_COUNTER_INSERT = sa.insert(_co)
_COUNTER = sa.select(_co.c.value).where(_co.c.name == bindparam("w_name"))

_en = t.enrollments
_ENROLLMENT = sa.select(_en.c.data).where(_en.c.id == bindparam("w_key"))
_ENROLLMENT_VERSION = sa.select(_en.c.version).where(_en.c.id == bindparam("w_key"))
_ENROLLMENTS_OF = (
    sa.select(_en.c.data)
    .where(_en.c.student == bindparam("student"))
    .order_by(_en.c.first_day, _en.c.id)
)
_ENROLLMENTS_AT = (
    sa.select(_en.c.data).where(_en.c.school == bindparam("school")).order_by(_en.c.id)
)
_ADMISSIONS = sa.select(sa.func.count()).where(
    _en.c.school == bindparam("school"),
    _en.c.school_year == bindparam("school_year"),
    _en.c.grade == bindparam("grade"),
)
_ENROLLMENT_INSERT = sa.insert(_en)
_ENROLLMENT_UPDATE = sa.update(_en).where(
    _en.c.id == bindparam("w_key"), _en.c.version == bindparam("w_version")
)

_ev = t.events
_EVENT_INSERT = sa.insert(_ev)
_EVENTS_OF = (
    sa.select(_ev.c.data)
    .where(_ev.c.student == bindparam("student"))
    .order_by(_ev.c.seq)
)

_ar = t.archives
_ARCHIVE = sa.select(_ar.c.data).where(_ar.c.student == bindparam("student"))

_ob = t.obligations
_OBLIGATION = sa.select(_ob.c.data).where(_ob.c.id == bindparam("w_key"))
_OBLIGATION_VERSION = sa.select(_ob.c.version).where(_ob.c.id == bindparam("w_key"))
_OBLIGATION_UPDATE = sa.update(_ob).where(
    _ob.c.id == bindparam("w_key"), _ob.c.version == bindparam("w_version")
)

_pr = t.procedures
_op = t.open_procedures
_PROCEDURE = sa.select(_pr.c.data).where(_pr.c.id == bindparam("w_key"))
_PROCEDURE_VERSION = sa.select(_pr.c.version).where(_pr.c.id == bindparam("w_key"))
_PROCEDURE_INSERT = sa.insert(_pr)
_CLAIM = sa.insert(_op)
_PROCEDURE_UPDATE = sa.update(_pr).where(
    _pr.c.id == bindparam("w_key"), _pr.c.version == bindparam("w_version")
)
_HOLDERS = sa.select(_op.c.student, _op.c.procedure_id).where(
    _op.c.student.in_(bindparam("students", expanding=True))
)
# A locking read sees claims committed after this transaction began (MySQL's
# REPEATABLE READ would otherwise show its snapshot).
_HOLDERS_LOCKED = _HOLDERS.with_for_update(read=True)
_RELEASE = sa.delete(_op).where(
    _op.c.procedure_id == bindparam("procedure"),
    _op.c.student.in_(bindparam("students", expanding=True)),
)
_OPEN_PROCEDURE = (
    sa.select(_pr.c.data)
    .select_from(_op.join(_pr, _pr.c.id == _op.c.procedure_id))
    .where(_op.c.student == bindparam("student"))
)

# The district of a row that has none of its own: its student's, else its
# organisation's, else "" (a register-wide row).
_DISTRICT_OF = sa.func.coalesce(
    sa.select(_st.c.district)
    .where(_st.c.number == bindparam("d_student"))
    .scalar_subquery(),
    sa.select(sa.func.min(_org.c.district))
    .where(_org.c.code == bindparam("d_organisation"))
    .scalar_subquery(),
    "",
)

_de = t.decisions
_id = t.idempotency
_DECISION_INSERT = sa.insert(_de).values(district=_DISTRICT_OF)
_DECISIONS_OF = (
    sa.select(_de.c.data)
    .where(_de.c.student == bindparam("student"))
    .order_by(_de.c.seq)
)
_KNOWN = sa.select(_id.c.digest, _id.c.data).where(
    _id.c.idempotency_key == bindparam("w_key")
)
_REMEMBER = sa.insert(_id).values(district=_DISTRICT_OF)
_REMEMBER_AGAIN = sa.update(_id).where(_id.c.idempotency_key == bindparam("w_key"))

_re = t.records
_RECORD_INSERT = sa.insert(_re)

_au = t.audit
_AUDIT_INSERT = sa.insert(_au).values(district=_DISTRICT_OF)

# Bulk work: one statement per slice of at most _SLICE keys.
_SLICE = 2000
_STUDENTS_BY_IDS = sa.select(_st.c.id_number, _st.c.data).where(
    _st.c.id_number.in_(bindparam("ids", expanding=True))
)
_ENROLLMENTS_OF_MANY = (
    sa.select(_en.c.student, _en.c.data)
    .where(_en.c.student.in_(bindparam("students", expanding=True)))
    .order_by(_en.c.student, _en.c.first_day, _en.c.id)
)
_ADMISSIONS_BY_GRADE = (
    sa.select(_en.c.school, _en.c.grade, sa.func.count())
    .where(
        _en.c.school_year == bindparam("school_year"),
        _en.c.school.in_(bindparam("schools", expanding=True)),
    )
    .group_by(_en.c.school, _en.c.grade)
)
_KNOWN_MANY = sa.select(_id.c.idempotency_key, _id.c.digest).where(
    _id.c.idempotency_key.in_(bindparam("keys", expanding=True))
)
_TAKEN_MANY = sa.union_all(
    sa.select(_al.c.alias).where(_al.c.alias.in_(bindparam("numbers", expanding=True))),
    sa.select(_st.c.number).where(
        _st.c.number.in_(bindparam("numbers", expanding=True))
    ),
)
_ID_HOLDERS_MANY = sa.select(_st.c.id_number, _st.c.number).where(
    _st.c.id_number.in_(bindparam("ids", expanding=True))
)
_ENROLLMENTS_TAKEN = sa.select(_en.c.id).where(
    _en.c.id.in_(bindparam("ids", expanding=True))
)


# ------------------------------------------------------------------- helpers


class _Located(Protocol):
    _where: str


L = TypeVar("L", bound=_Located)


def _doing(
    what: str,
) -> Callable[[Callable[Concatenate[L, P], R]], Callable[Concatenate[L, P], R]]:
    """Turn a driver error raised by the method into a
    :class:`~xueji.StorageError` that says what was being done."""

    def wrap(method: Callable[Concatenate[L, P], R]) -> Callable[Concatenate[L, P], R]:
        @functools.wraps(method)
        def wrapper(self: L, /, *args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(self, *args, **kwargs)
            except sa.exc.DBAPIError as error:
                # A constraint's message names the key, which may be an ID
                # number: leave it out of the chain.
                cause = None if isinstance(error, sa.exc.IntegrityError) else error
                raise storage_error(error, self._where, what) from cause

        return wrapper

    return wrap


def _load(text: str, cls: type[T]) -> T:
    return structure(json.loads(text), cls, source=f"stored {cls.__name__}")


def _loads(rows: Sequence[Any], cls: type[T]) -> list[T]:
    return [_load(row[0], cls) for row in rows]


def _utc(moment: datetime) -> datetime:
    """A timestamp as naive UTC, the form the ``recorded_at`` column holds
    (a naive timestamp is taken as it is)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _refuse_update(old: int | None, new: int, what: str) -> NoReturn:
    """Refuse an update of a record whose stored version is ``old``, with
    MemoryStore's errors and messages."""
    if old is None:
        raise StorageError(f"{what} does not exist; add it before updating it")
    if new != old + 1:
        raise ConflictError(
            f"{what} was changed by another request (stored version {old}, "
            f"update based on {new - 1}); read it again and retry"
        )
    raise ConflictError(
        f"{what} was changed by another request while this one ran; read it "
        "again and retry"
    )


def _claimants(procedure: Procedure) -> list[str]:
    names = (procedure.student, *procedure.students)
    return [s for s in names if s is not None]


def _student_row(student: Student) -> dict[str, Any]:
    return {
        "number": student.number,
        "district": student.district,
        "id_number": student.id_number,
        "name": student.name[: t.KEY_LENGTH],
        "sex": student.sex.value,
        "birth_date": student.birth_date,
        "version": student.version,
        "data": dumps(student),
    }


def _enrollment_row(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "id": enrollment.id,
        "student": enrollment.student,
        "school": enrollment.school,
        "district": enrollment.district,
        "school_year": enrollment.school_year,
        "grade": enrollment.grade,
        "first_day": enrollment.first_day,
        "version": enrollment.version,
        "data": dumps(enrollment),
    }


def _obligation_row(item: StoredObligation) -> dict[str, Any]:
    return {
        "id": item.id,
        "organisation": item.obligation.organisation,
        "student": item.obligation.student,
        "district": item.district,
        "due": item.obligation.due or date.max,
        "is_open": item.open,
        "version": item.version,
        "data": dumps(item),
    }


def _procedure_row(procedure: Procedure) -> dict[str, Any]:
    return {
        "id": procedure.id,
        "kind": procedure.kind,
        "district": procedure.district,
        "student": procedure.student,
        "state": procedure.state.value,
        "filed_on": procedure.filed_on,
        "version": procedure.version,
        "data": dumps(procedure),
    }


def _slices(items: Collection[str]) -> Iterator[list[str]]:
    """The distinct ``items`` in slices small enough for one ``IN``."""
    distinct = list(dict.fromkeys(items))
    for start in range(0, len(distinct), _SLICE):
        yield distinct[start : start + _SLICE]


def _event_row(event: StatusChange) -> dict[str, Any]:
    return {
        "id": event.id,
        "student": event.student,
        "district": event.district,
        "recorded_at": _utc(event.recorded_at),
        "data": dumps(event),
    }


def _record_row(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "district": record.district,
        "student": record.student,
        "school": record.school,
        "on_date": record.on,
        "data": dumps(record),
    }


def _without_key(row: dict[str, Any], key: str) -> dict[str, Any]:
    values = {k: v for k, v in row.items() if k != key}
    values["w_key"] = row[key]
    return values


# ------------------------------------------------------------ unit of work


class SqlUnitOfWork:
    """One request's transaction on a :class:`SqlStore`.

    Use it in a ``with`` block: entering connects and begins, ``commit()``
    commits (and begins again, so the block may go on), leaving rolls back
    whatever was not committed and returns the connection to the pool.
    """

    def __init__(self, store: SqlStore) -> None:
        self._engine = store._engine
        self._where = store._where
        self._upserts = store._upserts
        self._returning = store._returning
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self._connection is not None:
            raise StorageError("this unit of work is already open")
        try:
            self._connection = self._engine.connect()
        except sa.exc.DBAPIError as error:
            raise storage_error(error, self._where, "connecting") from error
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.close()  # rolls back what was not committed
        except sa.exc.DBAPIError as error:
            if exc is None:
                raise storage_error(error, self._where, "rolling back") from error
            log.debug("rollback after a failed request also failed: %s", error)

    @property
    def _c(self) -> Connection:
        connection = self._connection
        if connection is None:
            raise StorageError(
                "this unit of work is not open: use it in a `with` block "
                "(with store.unit_of_work() as uow: …)"
            )
        return connection

    def _run(
        self,
        statement: sa.Executable,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> CursorResult[*tuple[Any, ...]]:
        return self._c.execute(statement, params)

    def _upsert(self, table: sa.Table, row: Mapping[str, Any]) -> None:
        self._run(self._upserts[table], row)

    def _update(
        self,
        update: sa.Update,
        version: sa.Select[int],
        row: dict[str, Any],
        key: str,
        what: str,
    ) -> None:
        params = _without_key(row, key)
        params["w_version"] = row["version"] - 1
        if self._run(update, params).rowcount == 1:
            return
        old = self._run(version, {"w_key": row[key]}).scalar()
        _refuse_update(old, row["version"], what)

    @_doing("committing")
    def commit(self) -> None:
        self._c.commit()

    # ---------------------------------------------------------- organisations

    @_doing("storing an organisation")
    def put_organisation(self, org: Organisation) -> None:
        district = org.code if isinstance(org, District) else org.district
        row = {
            "kind": type(org).__name__,
            "code": org.code,
            "district": district,
            "data": dumps(org),
        }
        self._upsert(t.organisations, row)

    def _organisation(self, cls: type[T], code: str) -> T | None:
        row = self._run(_ORG, {"kind": cls.__name__, "code": code}).first()
        return None if row is None else _load(row[0], cls)

    def _organisations(self, cls: type[T], district: str | None) -> list[T]:
        kind = cls.__name__
        if district is None:
            rows = self._run(_ORGS, {"kind": kind}).all()
        else:
            rows = self._run(_ORGS_IN, {"kind": kind, "district": district}).all()
        return _loads(rows, cls)

    @_doing("reading a district")
    def get_district(self, code: str) -> District | None:
        return self._organisation(District, code)

    @_doing("reading a school")
    def get_school(self, code: str) -> School | None:
        return self._organisation(School, code)

    @_doing("reading a township")
    def get_township(self, code: str) -> Township | None:
        return self._organisation(Township, code)

    @_doing("reading a human-resources office")
    def get_hrss_office(self, code: str) -> HrssOffice | None:
        return self._organisation(HrssOffice, code)

    @_doing("listing districts")
    def districts(self) -> list[District]:
        return self._organisations(District, None)

    @_doing("listing schools")
    def schools(self, district: str | None = None) -> list[School]:
        return self._organisations(School, district)

    @_doing("listing townships")
    def townships(self, district: str | None = None) -> list[Township]:
        return self._organisations(Township, district)

    @_doing("listing human-resources offices")
    def hrss_offices(self, district: str | None = None) -> list[HrssOffice]:
        return self._organisations(HrssOffice, district)

    # --------------------------------------------------------------- students

    @_doing("reading a student")
    def get_student(self, number: str) -> Student | None:
        """By 学籍号 or by an alias (an earlier L number)."""
        row = self._run(_STUDENT, {"number": number}).first()
        return None if row is None else _load(row[0], Student)

    @_doing("reading a student by ID number")
    def student_by_id_number(self, id_number: str) -> Student | None:
        row = self._run(_STUDENT_BY_ID, {"id_number": id_number}).first()
        return None if row is None else _load(row[0], Student)

    @_doing("looking students up by name, sex and birth date")
    def students_by_particulars(
        self, name: str, sex: Sex, birth_date: date
    ) -> list[Student]:
        params = {
            "name": name[: t.KEY_LENGTH],
            "sex": sex.value,
            "birth_date": birth_date,
        }
        found = _loads(self._run(_PARTICULARS, params).all(), Student)
        return [s for s in found if s.name == name]

    def _put_aliases(self, student: Student) -> None:
        for alias in student.aliases:
            row = {"alias": alias, "student": student.number}
            self._upsert(t.aliases, {**row, "district": student.district})

    def _refuse_id_holder(self) -> None:
        raise StorageError(
            "another student already holds this ID number (one person, one "
            "学籍号, 第十七条第二款)"
        )

    @_doing("adding a student")
    def add_student(self, student: Student) -> None:
        params = {"number": student.number, "id_number": student.id_number}
        clashes = self._run(_STUDENT_CLASHES, params).all()
        kinds: dict[int, str] = {int(row[0]): row[1] for row in clashes}
        if _TAKEN_ALIAS in kinds or _TAKEN_NUMBER in kinds:
            raise StorageError(f"学籍号 {student.number} already exists")
        if kinds.get(_TAKEN_ID, student.number) != student.number:
            self._refuse_id_holder()

        self._run(_STUDENT_INSERT, _student_row(student))
        self._put_aliases(student)

    @_doing("updating a student")
    def update_student(self, student: Student) -> None:
        if student.id_number is not None:
            params = {"id_number": student.id_number}
            holder = self._run(_ID_HOLDER, params).scalar()
            if holder is not None and holder != student.number:
                # MemoryStore checks the version first.
                old = self._run(_STUDENT_VERSION, {"w_key": student.number}).scalar()
                if old is None or student.version != old + 1:
                    _refuse_update(old, student.version, "the student")
                self._refuse_id_holder()

        row = _student_row(student)
        row["new_id_number"] = row.pop("id_number")
        self._update(_STUDENT_UPDATE, _STUDENT_VERSION, row, "number", "the student")
        self._put_aliases(student)

    @_doing("renumbering a student")
    def renumber_student(self, old_number: str, student: Student) -> None:
        """Move a student from a temporary L number to ``student.number``
        (第十七条第二款); the old number stays an alias."""
        params = {"w_key": old_number}
        old = self._run(_STUDENT_VERSION, params).scalar()
        if old is None or student.version != old + 1:
            _refuse_update(old, student.version, "the student")
        if old_number not in student.aliases:
            raise StorageError(
                "the renumbered student must keep its old number as an alias"
            )
        if self._run(_STUDENT_EXISTS, {"number": student.number}).first():
            raise StorageError(f"学籍号 {student.number} already exists")
        if student.id_number is not None:
            params = {"id_number": student.id_number}
            holder = self._run(_ID_HOLDER, params).scalar()
            if holder not in (None, old_number, student.number):
                self._refuse_id_holder()

        # Delete and insert rather than update the key: the student moves to
        # the end of the adding order, as in MemoryStore.
        deleted = self._run(_STUDENT_DELETE, {"w_key": old_number, "w_version": old})
        if deleted.rowcount != 1:
            _refuse_update(old, student.version, "the student")
        self._run(_STUDENT_INSERT, _student_row(student))
        self._put_aliases(student)

    @_doing("counting a serial number")
    def next_serial(self, key: str) -> int:
        """A counter per key (e.g. the L numbers of one region and birth
        date), starting at 1."""
        params = {"w_name": key}
        if self._returning:
            value = self._run(_BUMP_RETURNING, params).scalar()
            if value is not None:
                return int(value)
        elif self._run(_BUMP, params).rowcount == 1:
            return int(self._run(_COUNTER, params).scalar_one())
        # The first number of this key.  A request that creates the same
        # key at the same time makes this insert fail: a ConflictError.
        self._run(_COUNTER_INSERT, {"name": key, "value": 1, "district": ""})
        return 1

    # ------------------------------------------------------------ enrollments

    @_doing("reading a student's enrollments")
    def enrollments_of(self, student: str) -> list[Enrollment]:
        rows = self._run(_ENROLLMENTS_OF, {"student": student}).all()
        return _loads(rows, Enrollment)

    @_doing("reading an enrollment")
    def get_enrollment(self, enrollment_id: str) -> Enrollment | None:
        row = self._run(_ENROLLMENT, {"w_key": enrollment_id}).first()
        return None if row is None else _load(row[0], Enrollment)

    @_doing("adding an enrollment")
    def add_enrollment(self, enrollment: Enrollment) -> None:
        if self._run(_ENROLLMENT_VERSION, {"w_key": enrollment.id}).first():
            raise StorageError(f"enrollment {enrollment.id} already exists")

        self._run(_ENROLLMENT_INSERT, _enrollment_row(enrollment))

    @_doing("updating an enrollment")
    def update_enrollment(self, enrollment: Enrollment) -> None:
        row = _enrollment_row(enrollment)
        self._update(
            _ENROLLMENT_UPDATE, _ENROLLMENT_VERSION, row, "id", "the enrollment"
        )

    @_doing("listing a school's enrollments")
    def enrollments_at(self, school: str) -> list[Enrollment]:
        rows = self._run(_ENROLLMENTS_AT, {"school": school}).all()
        return _loads(rows, Enrollment)

    @_doing("counting admissions")
    def admissions_count(self, school: str, school_year: str, grade: int) -> int:
        params = {"school": school, "school_year": school_year, "grade": grade}
        return int(self._run(_ADMISSIONS, params).scalar_one())

    # ----------------------------------------------------------------- events

    @_doing("recording a 学籍变动 event")
    def append_event(self, event: StatusChange) -> None:
        self._run(_EVENT_INSERT, _event_row(event))

    @_doing("reading a student's events")
    def events_of(self, student: str) -> list[StatusChange]:
        rows = self._run(_EVENTS_OF, {"student": student}).all()
        return _loads(rows, StatusChange)

    @_doing("reading events")
    def events_since(
        self, district: str | None, since: datetime | None
    ) -> list[StatusChange]:
        query = sa.select(_ev.c.data).order_by(_ev.c.seq)
        if district is not None:
            query = query.where(_ev.c.district == district)
        if since is not None:
            query = query.where(_ev.c.recorded_at > _utc(since))
        return _loads(self._run(query).all(), StatusChange)

    # --------------------------------------------------------------- archives

    @_doing("storing an archive")
    def put_archive(self, archive: Archive) -> None:
        district = self._run(
            sa.select(_DISTRICT_OF),
            {"d_student": archive.student, "d_organisation": archive.school},
        ).scalar()
        row = {
            "student": archive.student,
            "school": archive.school,
            "district": district or "",
            "data": dumps(archive),
        }
        self._upsert(_ar, row)

    @_doing("reading an archive")
    def get_archive(self, student: str) -> Archive | None:
        row = self._run(_ARCHIVE, {"student": student}).first()
        return None if row is None else _load(row[0], Archive)

    # ------------------------------------------------------------ obligations

    @_doing("adding an obligation")
    def add_obligation(self, item: StoredObligation) -> None:
        # MemoryStore replaces an obligation added again under the same id.
        self._upsert(_ob, _obligation_row(item))

    @_doing("updating an obligation")
    def update_obligation(self, item: StoredObligation) -> None:
        row = _obligation_row(item)
        self._update(
            _OBLIGATION_UPDATE, _OBLIGATION_VERSION, row, "id", "the obligation"
        )

    @_doing("reading an obligation")
    def get_obligation(self, obligation_id: str) -> StoredObligation | None:
        row = self._run(_OBLIGATION, {"w_key": obligation_id}).first()
        return None if row is None else _load(row[0], StoredObligation)

    @_doing("listing obligations")
    def obligations(
        self,
        *,
        organisation: str | None = None,
        student: str | None = None,
        district: str | None = None,
        open_only: bool = False,
    ) -> list[StoredObligation]:
        query = sa.select(_ob.c.data).order_by(_ob.c.due, _ob.c.id)
        if organisation is not None:
            query = query.where(_ob.c.organisation == organisation)
        if student is not None:
            query = query.where(_ob.c.student == student)
        if district is not None:
            query = query.where(_ob.c.district == district)
        if open_only:
            query = query.where(_ob.c.is_open.is_(True))
        return _loads(self._run(query).all(), StoredObligation)

    # ------------------------------------------------------------- procedures

    def _holders(
        self, query: sa.Select[*tuple[Any, ...]], students: list[str]
    ) -> dict[str, str]:
        rows = self._run(query, {"students": students}).all()
        return {row[0]: row[1] for row in rows}

    def _claim(self, procedure: Procedure) -> None:
        """Enter the students of an open procedure in ``open_procedures``.

        The read first names the holder in the error; the primary key is
        what refuses a second claim when two requests race."""
        if not procedure.state.open:
            return
        students = _claimants(procedure)
        if not students:
            return
        held = self._holders(_HOLDERS, students)
        for student in students:
            holder = held.get(student)
            if holder is not None and holder != procedure.id:
                raise OpenProcedureError(student, holder)
        new = [s for s in dict.fromkeys(students) if s not in held]
        if not new:
            return

        rows = [
            {"student": s, "procedure_id": procedure.id, "district": procedure.district}
            for s in new
        ]
        try:
            with self._c.begin_nested():
                self._run(_CLAIM, rows)
        except sa.exc.IntegrityError:
            held = self._holders(_HOLDERS_LOCKED, new)
            for student in new:
                holder = held.get(student)
                if holder is not None and holder != procedure.id:
                    raise OpenProcedureError(student, holder) from None
            raise ConflictError(
                "another request opened a procedure for the same student at "
                "the same time; retry the request"
            ) from None

    def _release(self, procedure: Procedure) -> None:
        students = _claimants(procedure)
        if students:
            params = {"procedure": procedure.id, "students": students}
            self._run(_RELEASE, params)

    @_doing("adding a procedure")
    def add_procedure(self, procedure: Procedure) -> None:
        """Raises :class:`~xueji.OpenProcedureError` when the student (or
        any student of a batch) already has an open procedure."""
        if self._run(_PROCEDURE_VERSION, {"w_key": procedure.id}).first():
            raise StorageError(f"procedure {procedure.id} already exists")

        self._claim(procedure)
        self._run(_PROCEDURE_INSERT, _procedure_row(procedure))

    @_doing("updating a procedure")
    def update_procedure(self, procedure: Procedure) -> None:
        old = self._run(_PROCEDURE_VERSION, {"w_key": procedure.id}).scalar()
        if old is None or procedure.version != old + 1:
            _refuse_update(old, procedure.version, "the procedure")

        if procedure.state.open:
            self._claim(procedure)
        else:
            self._release(procedure)
        row = _procedure_row(procedure)
        self._update(_PROCEDURE_UPDATE, _PROCEDURE_VERSION, row, "id", "the procedure")

    @_doing("reading a procedure")
    def get_procedure(self, procedure_id: str) -> Procedure | None:
        row = self._run(_PROCEDURE, {"w_key": procedure_id}).first()
        return None if row is None else _load(row[0], Procedure)

    @_doing("reading a student's open procedure")
    def open_procedure_of(self, student: str) -> Procedure | None:
        row = self._run(_OPEN_PROCEDURE, {"student": student}).first()
        return None if row is None else _load(row[0], Procedure)

    @_doing("listing procedures")
    def procedures(
        self, *, district: str | None = None, open_only: bool = False
    ) -> list[Procedure]:
        query = sa.select(_pr.c.data).order_by(_pr.c.filed_on, _pr.c.id)
        if district is not None:
            query = query.where(_pr.c.district == district)
        if open_only:
            query = query.where(_pr.c.state == "open")
        return _loads(self._run(query).all(), Procedure)

    # ------------------------------------------------ decisions, idempotency

    @_doing("saving a decision")
    def save_decision(
        self, decision: Decision, *, key: str | None, digest: str | None
    ) -> None:
        """Store a decision; with an idempotency ``key``, remember it with
        the request's ``digest`` (same key, other digest: an error)."""
        data = dumps(decision)
        where: dict[str, str | None] = {
            "d_student": decision.student,
            "d_organisation": None,
        }
        if key is not None:
            known = self._run(_KNOWN, {"w_key": key}).first()
            if known is not None and known[0] != digest:
                raise DuplicateRequestError(
                    f"idempotency key {key!r} was used for a different request; "
                    "use a new key for a new request"
                )
            remembered = {"digest": digest or "", "data": data}
            if known is None:
                params = {**remembered, **where, "idempotency_key": key}
                self._run(_REMEMBER, params)
            else:
                self._run(_REMEMBER_AGAIN, {**remembered, "w_key": key})

        row = {"request_id": decision.request_id, "student": decision.student}
        self._run(_DECISION_INSERT, {**row, **where, "data": data})

    @_doing("recalling a decision")
    def recall(self, key: str) -> tuple[str, Decision] | None:
        known = self._run(_KNOWN, {"w_key": key}).first()
        if known is None:
            return None
        digest, data = known
        return digest, _load(data, Decision)

    @_doing("reading a student's decisions")
    def decisions_of(self, student: str) -> list[Decision]:
        rows = self._run(_DECISIONS_OF, {"student": student}).all()
        return _loads(rows, Decision)

    # ---------------------------------------------------------------- records

    @_doing("recording a dated record")
    def add_record(self, record: Record) -> None:
        self._run(_RECORD_INSERT, _record_row(record))

    @_doing("reading dated records")
    def records(
        self,
        kind: str,
        *,
        student: str | None = None,
        school: str | None = None,
        district: str | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> list[Record]:
        """Records of ``kind`` matching every filter given, ``on`` within
        ``first`` … ``last`` (inclusive), ordered by ``on`` then id."""
        query = (
            sa.select(_re.c.data)
            .where(_re.c.kind == kind)
            .order_by(_re.c.on_date, _re.c.id, _re.c.seq)
        )
        if student is not None:
            query = query.where(_re.c.student == student)
        if school is not None:
            query = query.where(_re.c.school == school)
        if district is not None:
            query = query.where(_re.c.district == district)
        if first is not None:
            query = query.where(_re.c.on_date >= first)
        if last is not None:
            query = query.where(_re.c.on_date <= last)
        return _loads(self._run(query).all(), Record)

    # ------------------------------------------------------------------ audit

    @_doing("recording an audit record")
    def append_audit(self, record: AuditRecord) -> None:
        row = {
            "id": record.id,
            "student": record.student,
            "organisation": record.organisation,
            "d_student": record.student,
            "d_organisation": record.organisation,
            "data": dumps(record),
        }
        self._run(_AUDIT_INSERT, row)

    @_doing("reading the audit trail")
    def audit(
        self, *, student: str | None = None, organisation: str | None = None
    ) -> list[AuditRecord]:
        query = sa.select(_au.c.data).order_by(_au.c.seq)
        if student is not None:
            query = query.where(_au.c.student == student)
        if organisation is not None:
            query = query.where(_au.c.organisation == organisation)
        return _loads(self._run(query).all(), AuditRecord)

    # ---------------------------------------------------------------- bulk
    #
    # Each method does what the one-item methods do for every item, in one
    # statement per slice of keys (reads) or one executemany (writes).

    @_doing("reading students by ID number")
    def students_by_id_numbers(self, id_numbers: Collection[str]) -> dict[str, Student]:
        found: dict[str, Student] = {}
        for ids in _slices(id_numbers):
            for id_number, data in self._run(_STUDENTS_BY_IDS, {"ids": ids}):
                found[id_number] = _load(data, Student)
        return found

    @_doing("reading the enrollments of students")
    def enrollments_of_students(
        self, students: Collection[str]
    ) -> dict[str, list[Enrollment]]:
        found: dict[str, list[Enrollment]] = {}
        for numbers in _slices(students):
            rows = self._run(_ENROLLMENTS_OF_MANY, {"students": numbers})
            for number, data in rows:
                found.setdefault(number, []).append(_load(data, Enrollment))
        return found

    @_doing("counting admissions")
    def admissions_counts(
        self, school_year: str, schools: Collection[str]
    ) -> dict[tuple[str, int], int]:
        counts: dict[tuple[str, int], int] = {}
        for codes in _slices(schools):
            params = {"school_year": school_year, "schools": codes}
            for school, grade, count in self._run(_ADMISSIONS_BY_GRADE, params):
                counts[(school, int(grade))] = int(count)
        return counts

    @_doing("recalling idempotency keys")
    def known_digests(self, keys: Collection[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for some in _slices(keys):
            for key, digest in self._run(_KNOWN_MANY, {"keys": some}):
                found[key] = digest
        return found

    @_doing("adding students")
    def add_students(self, students: Sequence[Student]) -> None:
        numbers = [s.number for s in students]
        ids = [s.id_number for s in students if s.id_number is not None]
        taken: set[str] = set()
        for some in _slices(numbers):
            taken.update(row[0] for row in self._run(_TAKEN_MANY, {"numbers": some}))
        holders: dict[str, str] = {}
        for some in _slices(ids):
            rows = self._run(_ID_HOLDERS_MANY, {"ids": some})
            holders.update((row[0], row[1]) for row in rows)
        for student in students:
            if student.number in taken:
                raise StorageError(f"学籍号 {student.number} already exists")
            taken.add(student.number)
            if student.id_number is not None:
                holder = holders.get(student.id_number, student.number)
                if holder != student.number:
                    self._refuse_id_holder()
                holders[student.id_number] = student.number

        if students:
            self._run(_STUDENT_INSERT, [_student_row(s) for s in students])
        aliases = [
            {"alias": alias, "student": s.number, "district": s.district}
            for s in students
            for alias in s.aliases
        ]
        if aliases:
            self._run(self._upserts[t.aliases], aliases)

    @_doing("adding enrollments")
    def add_enrollments(self, enrollments: Sequence[Enrollment]) -> None:
        ids = [e.id for e in enrollments]
        taken: set[str] = set()
        for some in _slices(ids):
            taken.update(row[0] for row in self._run(_ENROLLMENTS_TAKEN, {"ids": some}))
        for enrollment in enrollments:
            if enrollment.id in taken:
                raise StorageError(f"enrollment {enrollment.id} already exists")
            taken.add(enrollment.id)

        if enrollments:
            self._run(_ENROLLMENT_INSERT, [_enrollment_row(e) for e in enrollments])

    @_doing("recording 学籍变动 events")
    def append_events(self, events: Sequence[StatusChange]) -> None:
        if events:
            self._run(_EVENT_INSERT, [_event_row(e) for e in events])

    @_doing("adding obligations")
    def add_obligations(self, items: Sequence[StoredObligation]) -> None:
        # MemoryStore replaces an obligation added again under the same id;
        # the last of the same id in ``items`` wins, as it would one by one.
        rows = {item.id: _obligation_row(item) for item in items}
        if rows:
            self._run(self._upserts[_ob], list(rows.values()))

    @_doing("saving decisions")
    def save_decisions(
        self, items: Sequence[tuple[Decision, str | None, str | None]]
    ) -> None:
        keys = [key for _, key, _ in items if key is not None]
        known = self.known_digests(keys)
        remember: dict[str, dict[str, Any]] = {}
        again: dict[str, dict[str, Any]] = {}
        decisions: list[dict[str, Any]] = []
        for decision, key, digest in items:
            data = dumps(decision)
            where = {"d_student": decision.student, "d_organisation": None}
            if key is not None:
                if key in known and known[key] != digest:
                    raise DuplicateRequestError(
                        f"idempotency key {key!r} was used for a different "
                        "request; use a new key for a new request"
                    )
                remembered = {"digest": digest or "", "data": data}
                if key in known or key in remember:
                    target = remember if key in remember else again
                    if key in remember:
                        remember[key].update(remembered)
                    else:
                        target[key] = {**remembered, "w_key": key}
                else:
                    remember[key] = {**remembered, **where, "idempotency_key": key}
                known[key] = digest or ""
            row = {"request_id": decision.request_id, "student": decision.student}
            decisions.append({**row, **where, "data": data})

        if remember:
            self._run(_REMEMBER, list(remember.values()))
        if again:
            self._run(_REMEMBER_AGAIN, list(again.values()))
        if decisions:
            self._run(_DECISION_INSERT, decisions)

    @_doing("recording dated records")
    def add_records(self, records: Sequence[Record]) -> None:
        if records:
            self._run(_RECORD_INSERT, [_record_row(r) for r in records])
