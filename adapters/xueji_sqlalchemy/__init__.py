"""xueji's SQL storage adapter: the register on SQLite, PostgreSQL or
MariaDB/MySQL, through SQLAlchemy Core, with the schema managed by Alembic
(DESIGN.md §5; docs/storage.md).

>>> from xueji import Register
>>> store = init_register("sqlite:///register.db")  # doctest: +SKIP
>>> register = Register(store)  # doctest: +SKIP

``xueji_sqlalchemy.testing.scratch_database`` gives tests a database of their
own on a server.
"""

from xueji_sqlalchemy._engine import display_url
from xueji_sqlalchemy._store import (
    SqlStore,
    SqlUnitOfWork,
    default_url,
    head_revision,
    init_register,
    upgrade_register,
)

__all__ = [
    "SqlStore",
    "SqlUnitOfWork",
    "default_url",
    "display_url",
    "head_revision",
    "init_register",
    "upgrade_register",
]
