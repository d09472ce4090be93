"""The storage contract (xueji.conformance.storage) on every store xueji
ships: the reference MemoryStore, and the SQL adapter on SQLite, PostgreSQL
and MariaDB.

The server backends run when their variable holds a server URL, e.g.::

    XUEJI_TEST_POSTGRESQL=postgresql+psycopg://postgres@127.0.0.1:5432/test
    XUEJI_TEST_MYSQL=mysql+pymysql://root@127.0.0.1:3306/test

Each run works in a database of its own, created on the server and dropped
at the end (``xueji_sqlalchemy.testing.scratch_database``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from xueji import MemoryStore
from xueji.conformance.storage import StorageContract
from xueji_sqlalchemy import SqlStore, init_register
from xueji_sqlalchemy.testing import scratch_database


def server_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to a server URL to run these tests")
    return url


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("register") / "xueji.db"
    url = f"sqlite:///{path}"
    init_register(url).dispose()
    return url


@pytest.fixture(scope="module")
def postgresql_url() -> Iterator[str]:
    with scratch_database(server_url("XUEJI_TEST_POSTGRESQL")) as url:
        init_register(url).dispose()
        yield url


@pytest.fixture(scope="module")
def mariadb_url() -> Iterator[str]:
    with scratch_database(server_url("XUEJI_TEST_MYSQL")) as url:
        init_register(url).dispose()
        yield url


def sql_store(url: str) -> Iterator[SqlStore]:
    store = SqlStore(url)
    yield store
    store.dispose()


class TestMemoryStore(StorageContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()


class TestSqliteStore(StorageContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlStore]:
        yield from sql_store(sqlite_url)


@pytest.mark.postgresql
class TestPostgresqlStore(StorageContract):
    @pytest.fixture
    def store(self, postgresql_url: str) -> Iterator[SqlStore]:
        yield from sql_store(postgresql_url)


@pytest.mark.mariadb
class TestMariadbStore(StorageContract):
    @pytest.fixture
    def store(self, mariadb_url: str) -> Iterator[SqlStore]:
        yield from sql_store(mariadb_url)
