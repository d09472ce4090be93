"""Alembic's environment for a xueji register.

Run programmatically by :func:`xueji_sqlalchemy.init_register` and
:func:`xueji_sqlalchemy.upgrade_register`, which pass an open connection in
``config.attributes["connection"]``.  Without one (a developer running the
``alembic`` command with a configuration naming this directory), the URL is
the configuration's ``sqlalchemy.url``, else
:func:`~xueji_sqlalchemy.default_url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from xueji_sqlalchemy._engine import Database
from xueji_sqlalchemy._schema import metadata
from xueji_sqlalchemy._store import default_url


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url") or default_url(),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _migrate(given)
        return
    url = context.config.get_main_option("sqlalchemy.url") or default_url()
    engine = Database.parse(url).engine()
    try:
        with engine.connect() as connection:
            _migrate(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    _offline()
else:
    _online()
