"""Opening a register: the store behind a URL, and the rules in force.

The SQLAlchemy adapter (``xueji_sqlalchemy``) is the store of record.  A
``memory:`` URL (``memory://scratch``), or any URL when the adapter is not
installed, opens an in-process :class:`xueji.MemoryStore`, one per URL,
which lives as long as the process — enough for ``xueji demo`` and for tests
that run the CLI in process, not for a register kept across commands.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_URL",
    "build_register",
    "default_url",
    "init_store",
    "is_empty",
    "load_rules",
    "open_store",
    "upgrade_store",
]

import os
from typing import Any

from xueji import MemoryStore, Register, Rules, Store

DEFAULT_URL = "sqlite:///xueji.db"

_MEMORY: dict[str, MemoryStore] = {}


MEMORY_SCHEME = "memory:"


def _adapter(url: str | None = None) -> Any | None:
    """The SQLAlchemy adapter module, or None for a ``memory:`` URL or when
    it is not installed."""
    if url is not None and url.startswith(MEMORY_SCHEME):
        return None
    try:
        import xueji_sqlalchemy
    except ImportError:
        return None
    if not hasattr(xueji_sqlalchemy, "SqlStore"):
        return None
    return xueji_sqlalchemy


def default_url() -> str:
    """``$XUEJI_DB``, else ``sqlite:///xueji.db`` in the current directory."""
    adapter = _adapter()
    if adapter is not None and hasattr(adapter, "default_url"):
        return str(adapter.default_url())
    return os.environ.get("XUEJI_DB") or DEFAULT_URL


def open_store(url: str) -> Store:
    """The store of the register at ``url``."""
    adapter = _adapter(url)
    if adapter is None:
        return _MEMORY.setdefault(url, MemoryStore())
    store: Store = adapter.SqlStore(url)
    return store


def init_store(url: str) -> Store:
    """Create the register's schema at ``url`` (idempotent) and open it."""
    adapter = _adapter(url)
    if adapter is None:
        return open_store(url)
    store: Store = adapter.init_register(url)
    return store


def upgrade_store(url: str) -> str:
    """Bring the schema at ``url`` to the newest revision; returns it."""
    adapter = _adapter(url)
    if adapter is None:
        open_store(url)
        return "memory (no schema)"
    return str(adapter.upgrade_register(url))


def is_empty(store: Store) -> bool:
    """No organisation is loaded (a register without them has no students)."""
    with store.unit_of_work() as uow:
        return not (uow.districts() or uow.schools() or uow.townships())


def load_rules(extra: tuple[object, ...] = ()) -> Rules:
    """The municipal rules, every plugin installed under the ``xueji``
    entry-point group, and ``extra`` plugins
    (:meth:`xueji.Rules.from_entry_points`).  A plugin that does not load is
    reported in ``Rules.problems`` and blocks the districts it names; the
    others load."""
    rules, _problems = Rules.from_entry_points(extra=extra)
    return rules


def build_register(url: str, *, extra: tuple[object, ...] = ()) -> Register:
    """A :class:`xueji.Register` on the store at ``url`` with the installed
    rules."""
    return Register(open_store(url), rules=load_rules(extra))
