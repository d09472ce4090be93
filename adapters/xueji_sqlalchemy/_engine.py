"""Engines for the three backends, and driver errors turned into xueji's.

SQLite is the embedded default: a file in WAL mode, foreign keys on, and a
busy timeout so that a second writer waits instead of failing at once.
SQLAlchemy takes over BEGIN from the ``sqlite3`` module (whose legacy mode
begins transactions late and breaks savepoints), so that a unit of work is
one real transaction.  PostgreSQL goes through psycopg 3, MariaDB and MySQL
through PyMySQL in utf8mb4.
"""

from __future__ import annotations

__all__ = ["Database", "display_url", "storage_error"]

import logging
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url

from xueji import ConflictError, StorageError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000

_DRIVERS = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}

# SQLSTATEs and MySQL error numbers that mean "another writer got there
# first": retrying the request is the answer.
_PG_RETRY = {"40001", "40P01", "55P03"}
_MYSQL_RETRY = {1205, 1213}


@attrs.frozen
class Database:
    """A database URL as the adapter uses it: with the driver xueji uses
    for its backend (``postgresql://`` becomes ``postgresql+psycopg://``,
    ``mysql://`` ``mysql+pymysql://``)."""

    url: URL = attrs.field(repr=False)

    @classmethod
    def parse(cls, text: str) -> Database:
        try:
            url = make_url(text)
        except exc.ArgumentError:
            raise StorageError(
                f"{text!r} is not a database URL; use sqlite:///PATH, "
                "postgresql://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB"
            ) from None
        if url.drivername in _DRIVERS:
            url = url.set(drivername=_DRIVERS[url.drivername])
        return cls(url)

    @property
    def where(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        """``sqlite``, ``postgresql``, ``mysql`` or ``mariadb``."""
        return self.url.get_backend_name()

    @property
    def name(self) -> str | None:
        """The database name, or for SQLite the file's path."""
        return self.url.database

    def renamed(self, name: str) -> Database:
        """The database called ``name`` on the same server."""
        return Database(self.url.set(database=name))

    def connectable(self) -> str:
        """The URL with its password, to connect with."""
        return self.url.render_as_string(hide_password=False)

    def engine(self, *, echo: bool = False) -> Engine:
        """An engine; raises :class:`~xueji.StorageError` when the URL names
        no backend xueji can use or its driver is not installed."""
        url = self.url
        options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.backend in ("mysql", "mariadb") and "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
        if self.backend != "sqlite":
            options["pool_pre_ping"] = True
        try:
            engine = sa.create_engine(url, **options)
        except ImportError as error:
            extra = _EXTRAS.get(self.backend)
            hint = f"pip install 'xueji[{extra}]'" if extra else "install its driver"
            raise StorageError(
                f"the driver for {self.where} is not installed "
                f"({error.name or error}); {hint}"
            ) from None
        except exc.NoSuchModuleError:
            raise StorageError(
                f"xueji does not know the database {url.drivername!r} in "
                f"{self.where}; use SQLite, PostgreSQL, MariaDB or MySQL"
            ) from None
        except exc.ArgumentError as error:
            raise StorageError(
                f"cannot open {self.where}: {error}; use sqlite:///PATH, "
                "postgresql://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB"
            ) from None
        if self.backend == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        log.debug("engine for %s", self.where)
        return engine


def display_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return Database.parse(url).where


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # No implicit transactions from the driver: SQLAlchemy emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip()
    return text.splitlines()[0] if text else type(error).__name__


def storage_error(error: exc.DBAPIError, where: str, doing: str) -> StorageError:
    """The xueji error for a driver error raised while ``doing`` something
    on the database at ``where`` (a URL without password).

    The message never quotes the driver's text for a constraint violation:
    it would name the key, which may be an ID number."""
    orig = error.orig
    if isinstance(error, exc.IntegrityError):
        return ConflictError(
            f"another request wrote the same record while {doing} on {where}; "
            "retry the request"
        )
    if _retryable(error):
        return ConflictError(
            f"the database at {where} is busy with another request "
            f"({_first_line(orig)}) while {doing}; retry the request"
        )
    if "no such table" in str(orig):
        return StorageError(
            f"the database at {where} has no xueji schema or an old one "
            f"({_first_line(orig)}) while {doing}; run `xueji init --db {where}` "
            f"for a new register or `xueji upgrade --db {where}`"
        )
    if where.startswith("sqlite") and isinstance(error, exc.OperationalError):
        return StorageError(
            f"the SQLite register {where} failed while {doing} "
            f"({_first_line(orig)}); check that the file and its directory "
            "exist and are readable and writable, then retry"
        )
    if error.connection_invalidated or isinstance(
        error, exc.OperationalError | exc.InterfaceError
    ):
        return StorageError(
            f"the database at {where} failed while {doing} "
            f"({_first_line(orig)}); check that the server is running and "
            "reachable and that the URL is right, then retry"
        )
    if isinstance(error, exc.DataError):
        return StorageError(
            f"the database at {where} refused a value while {doing} "
            f"({_first_line(orig)}); identifiers are at most 191 characters"
        )
    return StorageError(
        f"the database at {where} refused a statement while {doing} "
        f"({_first_line(orig)}); if the schema is not at the current "
        f"revision, run `xueji upgrade --db {where}`"
    )


def _retryable(error: exc.DBAPIError) -> bool:
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_RETRY:
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_RETRY:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database is busy" in text
