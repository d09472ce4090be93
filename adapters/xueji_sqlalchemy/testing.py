"""Scratch databases for tests of a register on a server.

>>> with scratch_database("postgresql://postgres@127.0.0.1/test") as url:
...     store = init_register(url)  # doctest: +SKIP

Each call creates a database of its own, ``xueji_test_<random>``, on the
server the URL points to (the URL's own database is only where the
connection goes to issue ``CREATE DATABASE``), and drops it on the way out,
so repeated and parallel test runs never share a schema.
"""

from __future__ import annotations

__all__ = ["scratch_database"]

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from xueji import StorageError
from xueji_sqlalchemy._engine import Database, storage_error


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``, yield its
    URL (with the password, for connecting), and drop it afterwards.

    Raises:
        StorageError: the URL is a SQLite one (use a temporary file), or the
            server cannot be reached or refuses to create a database.
    """
    server = Database.parse(server_url)
    backend = server.backend
    if backend not in ("postgresql", "mysql", "mariadb"):
        raise StorageError(
            f"scratch databases are for PostgreSQL and MariaDB/MySQL servers, "
            f"not {server.where}; for SQLite use a temporary file"
        )
    name = f"xueji_test_{uuid.uuid4().hex[:12]}"
    if backend == "postgresql":
        create = f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    else:
        create = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
        drop = f"DROP DATABASE IF EXISTS `{name}`"

    _administer(server, create, "creating a scratch database")
    try:
        yield server.renamed(name).connectable()
    finally:
        _administer(server, drop, "dropping a scratch database")


def _administer(server: Database, statement: str, doing: str) -> None:
    engine = server.engine()
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(statement)
    except sa.exc.DBAPIError as error:
        raise storage_error(error, server.where, doing) from error
    finally:
        engine.dispose()
