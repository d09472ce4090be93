"""Where the suite's stores come from.

The kernel never imports an adapter, so a store is reached through an
*opener*: a callable ``(url) -> Store`` that opens (creating if needed) a
register at a URL — the storage adapters installed under the entry-point
group ``xueji.storage``, or any ``module:object`` a vendor names.

- Without a URL the suite runs on :class:`~xueji.MemoryStore`, the reference.
- With a SQLite URL every case gets a fresh database file of its own in a
  scratch directory (the file the URL names is never touched), and so does
  the storage contract.
- With a server URL (PostgreSQL, MariaDB…) the storage contract runs against
  that database — give a scratch database: the contract writes test records
  into it, each under identifiers of its own — and the cases, which need an
  empty register each, run on the memory store unless the opener empties
  the database it opens (say so with ``fresh=True``).
"""

from __future__ import annotations

__all__ = ["Backend", "Opener", "backend", "hand_over", "load_opener", "take_back"]

import importlib
import itertools
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs

from xueji._errors import PluginError
from xueji._plugins import STORAGE_GROUP, open_storage, storage_adapters
from xueji._storage import MemoryStore, Store
from xueji.conformance.execute import StoreFactory

Opener = Callable[[str], Store]
"""Opens (creating if needed) the register at a URL."""


_HANDED: dict[str, Opener] = {}


def hand_over(opener: Opener) -> str:
    """Name an opener given as a callable, so that a run in this process can
    name it as ``--xueji-store`` (see :func:`xueji.conformance.run`)."""
    name = f"handed-{len(_HANDED) + 1}-{id(opener):x}"
    _HANDED[name] = opener
    return name


def take_back(name: str) -> None:
    _HANDED.pop(name, None)


def load_opener(spec: str) -> Opener:
    """The opener ``spec`` names: an installed storage adapter's name (entry
    point group ``xueji.storage``) or ``module:object``.

    Raises:
        PluginError: nothing by that name.
    """
    if spec in _HANDED:
        return _HANDED[spec]
    module_name, sep, attribute = spec.partition(":")
    if not sep:
        if spec not in storage_adapters():
            known = ", ".join(storage_adapters()) or "none"
            raise PluginError(
                f"no storage adapter {spec!r} is installed under {STORAGE_GROUP} "
                f"(installed: {known}); name one, or give module:object"
            )

        def adapter(url: str) -> Store:
            return open_storage(spec, url)

        return adapter
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as error:
        raise PluginError(f"store opener {spec!r}: cannot import: {error}") from None
    for part in attribute.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise PluginError(f"store opener {spec!r}: {module_name} has no {part}")
    if not callable(found):
        raise PluginError(f"store opener {spec!r} is not callable")

    def opener(url: str) -> Store:
        store = found(url)
        if not callable(getattr(store, "unit_of_work", None)):
            raise PluginError(
                f"store opener {spec!r} returned {store!r}, which has no "
                "unit_of_work(): it does not implement xueji.Store"
            )
        return store  # type: ignore[no-any-return]

    return opener


def _default_opener() -> Opener:
    adapters = {n: v for n, v in storage_adapters().items() if n != "memory"}
    if len(adapters) == 1:
        return load_opener(next(iter(adapters)))
    known = ", ".join(adapters) or "none"
    raise PluginError(
        f"a database URL needs a storage adapter; installed under "
        f"{STORAGE_GROUP}: {known}. Name one with --xueji-store NAME (or "
        "module:object, e.g. xueji_sqlalchemy:init_register)"
    )


@attrs.define
class Backend:
    """The stores of one run: a fresh one per case, and one for the storage
    contract."""

    url: str | None
    opener: Opener | None
    fresh: bool = False
    scratch: Path = attrs.Factory(lambda: Path(tempfile.mkdtemp(prefix="xueji-")))
    _count: itertools.count[int] = attrs.Factory(itertools.count)

    @property
    def name(self) -> str:
        if self.url is None:
            return "memory"
        return self.url.split("://", 1)[0] if "://" in self.url else self.url

    @property
    def sqlite(self) -> bool:
        return self.url is not None and self.url.startswith("sqlite")

    def _scratch_url(self) -> str:
        return f"sqlite:///{self.scratch / f'register-{next(self._count)}.db'}"

    @property
    def cases_on_memory(self) -> bool:
        """The cases run on the memory store although a URL was given."""
        return self.url is not None and not self.sqlite and not self.fresh

    def case_store(self) -> StoreFactory:
        """A factory of empty stores, one per case."""
        opener = self.opener
        if self.url is None or opener is None or self.cases_on_memory:
            return MemoryStore
        if self.sqlite:
            return lambda: opener(self._scratch_url())
        url = self.url
        return lambda: opener(url)

    def contract_store(self) -> Store:
        """The store the storage contract runs against."""
        if self.url is None or self.opener is None:
            return MemoryStore()
        if self.sqlite:
            return self.opener(self._scratch_url())
        return self.opener(self.url)

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def backend(
    url: str | None, store: str | Opener | None = None, *, fresh: bool = False
) -> Backend:
    """The backend for a database URL (``None`` or ``"memory"``: the memory
    store) and an opener (a name, ``module:object``, or a callable)."""
    if url in (None, "", "memory"):
        return Backend(None, None)
    assert url is not None
    if store is None:
        opener = _default_opener()
    elif isinstance(store, str):
        opener = load_opener(store)
    else:
        opener = store
    return Backend(url, opener, fresh)
