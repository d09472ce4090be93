"""Assembling and arbitrating the rules that plugins supply (DESIGN.md §3).

The kernel calls each plugin's hook implementation itself and decides which
answer governs: a district plugin, for its own district on the date in
question, replaces the municipal default; nothing replaces a mandatory rule;
a value outside a point's bounds is a :class:`~xueji.PluginError` naming the
plugin, the hook and the value.  Every answer comes back with its
:class:`~xueji.Source`, so a decision's trace names who supplied each value.
"""

from __future__ import annotations

__all__ = ["Answer", "PluginInfo", "Rules"]

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Generic, TypeVar

import attrs
import pluggy

from xueji import hookspecs
from xueji._decisions import MUNICIPAL, Source
from xueji._errors import PluginError

log = logging.getLogger(__name__)

T = TypeVar("T")

MUNICIPAL_LAYER = "municipal"
DISTRICT_LAYER = "district"


@attrs.frozen
class PluginInfo:
    """What a plugin declares about itself (as ``XUEJI_PLUGIN`` on the plugin
    module or object)."""

    name: str
    version: str
    layer: str
    districts: tuple[str, ...] = ()
    legal_basis: str = ""
    document_number: str = ""
    valid_from: date = date(2021, 6, 1)
    valid_to: date | None = None
    illustrative: bool = False

    @property
    def source(self) -> Source:
        return Source(self.name, self.version, self.layer)

    def governs(self, district: str | None, day: date) -> bool:
        if self.layer == MUNICIPAL_LAYER:
            return True
        if district is None or district not in self.districts:
            return False
        return self.valid_from <= day and (
            self.valid_to is None or day <= self.valid_to
        )


@attrs.frozen
class Answer(Generic[T]):
    value: T
    source: Source
    considered: tuple[tuple[Source, str], ...] = ()


def _info_of(plugin: object) -> PluginInfo:
    info = getattr(plugin, "XUEJI_PLUGIN", None)
    if not isinstance(info, PluginInfo):
        name = getattr(plugin, "__name__", type(plugin).__name__)
        raise PluginError(
            f"plugin {name} declares no XUEJI_PLUGIN = PluginInfo(...): a xueji "
            "plugin must say who it is, which districts it governs and its legal "
            "basis (see docs/plugins.md)"
        )
    return info


class Rules:
    """The plugins in force, and the arbitration between them."""

    def __init__(self, plugins: Iterable[object] = ()) -> None:
        self._pm = pluggy.PluginManager("xueji")
        self._pm.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}
        for plugin in plugins:
            self.register(plugin)

    @classmethod
    def municipal(cls) -> Rules:
        """The built-in municipal rules alone."""
        from xueji import _municipal

        return cls([_municipal])

    def register(self, plugin: object) -> None:
        info = _info_of(plugin)
        if info.name in self._infos:
            raise PluginError(f"plugin {info.name} is registered twice")
        try:
            self._pm.register(plugin, name=info.name)
        except (ValueError, pluggy.PluginValidationError) as error:
            raise PluginError(f"plugin {info.name} does not load: {error}") from None
        self._infos[info.name] = info

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        return tuple(self._infos.values())

    def _answers(
        self, hook: str, kwargs: dict[str, Any]
    ) -> list[tuple[PluginInfo, Any]]:
        caller = getattr(self._pm.hook, hook)
        answers = []
        for impl in caller.get_hookimpls():
            info = self._infos[impl.plugin_name]
            args = {k: kwargs[k] for k in impl.argnames}
            try:
                value = impl.function(**args)
            except Exception as error:
                raise PluginError(
                    f"plugin {info.name} {info.version} failed in hook {hook}: "
                    f"{type(error).__name__}: {error}"
                ) from error
            answers.append((info, value))
        return answers

    def answer(
        self,
        hook: str,
        *,
        district: str | None,
        on: date,
        default: T,
        check: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> Answer[T]:
        """The governing answer for ``hook``: the district layer's, else the
        municipal layer's, else ``default`` (the kernel's own fallback)."""
        answers = [
            (info, value)
            for info, value in self._answers(hook, {"district": district, **kwargs})
            if value is not None and info.governs(district, on)
        ]
        for info, value in answers:
            problem = check(value) if check is not None else None
            if problem is not None:
                shown = value.isoformat() if isinstance(value, date) else repr(value)
                raise PluginError(
                    f"plugin {info.name} {info.version}, hook {hook}: value "
                    f"{shown} is out of bounds: {problem}"
                )
        considered = tuple((info.source, repr(value)) for info, value in answers)
        for layer in (DISTRICT_LAYER, MUNICIPAL_LAYER):
            chosen = [(i, v) for i, v in answers if i.layer == layer]
            if len(chosen) > 1:
                names = ", ".join(i.name for i, _ in chosen)
                raise PluginError(
                    f"plugins {names} all answer hook {hook} for district "
                    f"{district} on {on}: one layer may give one answer; remove "
                    "one plugin or make their validity dates not overlap"
                )
            if chosen:
                info, value = chosen[0]
                return Answer(value, info.source, considered)
        return Answer(default, MUNICIPAL, considered)

    def combined(
        self, hook: str, *, district: str | None, on: date, **kwargs: Any
    ) -> list[tuple[Source, Any]]:
        """Every governing answer, for hooks whose answers combine (union)."""
        return [
            (info.source, value)
            for info, value in self._answers(hook, {"district": district, **kwargs})
            if value is not None and info.governs(district, on)
        ]

    def collect(self, hook: str) -> list[tuple[PluginInfo, Any]]:
        """Every plugin's answer to an argument-less hook."""
        return [(i, v) for i, v in self._answers(hook, {}) if v is not None]
