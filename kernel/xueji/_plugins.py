"""Finding what is installed: rule plugins, storage adapters and
notification channels, each under its own entry-point group (DESIGN.md §3).

- ``xueji``: rule plugins (a district's 实施细则, a city rule).  Every one
  installed is consulted per request, for the districts and dates it declares
  (:meth:`xueji.Rules.from_entry_points`).
- ``xueji.storage``: storage adapters, each a factory ``(url) -> Store``.
- ``xueji.channels``: notification channels, each an object with ``name`` and
  ``send(notice)`` (or a factory of one, called without arguments).

Storage adapters and channels are *chosen* by the deployment's configuration
(the operator names one adapter and the channels to use); they are never
consulted per request.  A plugin package may ship channels through the
``xueji_notification_channels`` hook too; they join the same catalogue.

What does not load is reported by name, never skipped in silence.
"""

from __future__ import annotations

__all__ = [
    "CHANNEL_GROUP",
    "PLUGIN_GROUP",
    "STORAGE_GROUP",
    "Notice",
    "NotificationChannel",
    "choose_channels",
    "installed_plugins",
    "memory_store",
    "notification_channels",
    "open_storage",
    "storage_adapters",
]

import logging
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from xueji._decisions import Obligation
from xueji._errors import PluginError
from xueji._rules import LoadProblem
from xueji._storage import MemoryStore, Store

if TYPE_CHECKING:
    from xueji._rules import Rules

log = logging.getLogger(__name__)

PLUGIN_GROUP = "xueji"
STORAGE_GROUP = "xueji.storage"
CHANNEL_GROUP = "xueji.channels"


def _label(entry: metadata.EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    owner = f" from {dist.name} {dist.version}" if dist is not None else ""
    return f"entry point {entry.name} = {entry.value}{owner}"


def _entries(group: str) -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=group), key=lambda e: e.name)


def installed_plugins(
    group: str = PLUGIN_GROUP,
) -> tuple[list[object], list[LoadProblem], dict[int, str]]:
    """Import every plugin under ``group``.

    Returns:
        The plugins that imported; a problem for each that did not (its
        districts are unknown, so it blocks every district); and, by
        ``id(plugin)``, the entry point each came from.
    """
    plugins: list[object] = []
    problems: list[LoadProblem] = []
    origins: dict[int, str] = {}
    for entry in _entries(group):
        try:
            plugin = entry.load()
        except Exception as error:
            problems.append(
                LoadProblem(
                    _label(entry),
                    f"does not import: {type(error).__name__}: {error}. Until it "
                    "does, xueji cannot tell which districts it governs and "
                    "decides no request; reinstall or uninstall the package",
                )
            )
            continue
        origins.setdefault(id(plugin), _label(entry))
        plugins.append(plugin)
    return plugins, problems, origins


# ---------------------------------------------------------------- storage


StorageFactory = Callable[[str], Store]


def memory_store(url: str) -> Store:
    """The ``memory`` storage adapter: a fresh :class:`~xueji.MemoryStore`
    (``url`` is not used; the register lives as long as the process)."""
    del url
    return MemoryStore()


def storage_adapters() -> dict[str, str]:
    """The installed storage adapters, by name: what each entry point
    names."""
    return {e.name: e.value for e in _entries(STORAGE_GROUP)}


def open_storage(name: str, url: str) -> Store:
    """The store the adapter called ``name`` opens at ``url``.

    Raises:
        PluginError: no adapter of that name is installed, or it fails.
    """
    found = [e for e in _entries(STORAGE_GROUP) if e.name == name]
    if not found:
        known = ", ".join(storage_adapters()) or "none"
        raise PluginError(
            f"no storage adapter {name!r} is installed (installed: {known}); "
            "install its package or choose another in the configuration"
        )
    try:
        factory: StorageFactory = found[0].load()
        store = factory(url)
    except Exception as error:
        raise PluginError(
            f"storage adapter {_label(found[0])} fails: {type(error).__name__}: {error}"
        ) from error
    if not callable(getattr(store, "unit_of_work", None)):
        raise PluginError(
            f"storage adapter {_label(found[0])} returned {store!r}, which has "
            "no unit_of_work(): it does not implement xueji.Store"
        )
    return store


# ---------------------------------------------------------------- channels


@attrs.frozen
class Notice:
    """What a notification channel delivers: one obligation, to the
    organisation it names (e.g. 第二十条: 及时通知其父母; 第三十七条: 退学
    通知书送交本人)."""

    obligation: Obligation
    district: str
    request_id: str | None = None


@runtime_checkable
class NotificationChannel(Protocol):
    """A way of delivering notices (SMS, a district's messaging platform, a
    letter queue).  The operator chooses which channels a deployment uses."""

    @property
    def name(self) -> str: ...

    def send(self, notice: Notice) -> None: ...


def notification_channels(
    rules: Rules | None = None,
) -> tuple[dict[str, NotificationChannel], list[LoadProblem]]:
    """Every channel installed under ``xueji.channels``, and every channel
    the plugins of ``rules`` supply through ``xueji_notification_channels``,
    by name; with a problem for each that does not load or whose name is
    taken."""
    found: dict[str, NotificationChannel] = {}
    problems: list[LoadProblem] = []

    def add(channel: Any, origin: str) -> None:
        if not isinstance(channel, NotificationChannel):
            problems.append(
                LoadProblem(origin, f"{channel!r} has no name and send(notice)")
            )
        elif channel.name in found:
            problems.append(
                LoadProblem(
                    origin,
                    f"channel name {channel.name!r} is taken by another channel; "
                    "uninstall one",
                )
            )
        else:
            found[channel.name] = channel

    for entry in _entries(CHANNEL_GROUP):
        try:
            loaded = entry.load()
            channel = loaded() if isinstance(loaded, type) else loaded
        except Exception as error:
            problems.append(
                LoadProblem(
                    _label(entry),
                    f"does not load: {type(error).__name__}: {error}",
                )
            )
            continue
        add(channel, _label(entry))
    if rules is not None:
        for info, channels in rules.collect("xueji_notification_channels"):
            for channel in channels:
                add(channel, info.label)
    for problem in problems:
        log.warning("channel problem: %s", problem)
    return found, problems


def choose_channels(
    names: Iterable[str], available: dict[str, NotificationChannel]
) -> list[NotificationChannel]:
    """The channels the configuration names, in its order.

    Raises:
        PluginError: a name no installed channel has.
    """
    wanted: Sequence[str] = list(names)
    missing = [n for n in wanted if n not in available]
    if missing:
        raise PluginError(
            f"notification channel(s) {', '.join(missing)} are not installed "
            f"(installed: {', '.join(sorted(available)) or 'none'}); install the "
            "package that ships them or change the configuration"
        )
    return [available[n] for n in wanted]
