"""Assembling and arbitrating the rules that plugins supply (DESIGN.md §3).

A plugin is a module or object with ``xueji_*`` hook implementations and an
``XUEJI_PLUGIN = PluginInfo(...)`` declaration.  :class:`Rules` admits each
plugin only after checking it — its declaration, its hook signatures, the
layer each point allows, the bounds of every point it answers with a value
that does not depend on a date, and its overlap with other plugins of its
layer — and then calls each plugin's implementation itself: the kernel
arbitrates and never relies on pluggy's call order.

Precedence, lowest first: the kernel's own fallback; the built-in municipal
plugin (``xueji._municipal``, the regulation's defaults); other municipal-layer
plugins (rules the 市教委 sets, e.g. under 第四十九条); a district plugin for
its own district.  Points that *combine* (:attr:`Combine.UNION`) take every
governing answer instead: a plugin adds documents, refusal grounds or
closure days, it never removes one.  No hook turns a refusal into an
acceptance.

A plugin that does not load is reported by name (:class:`LoadProblem`), and
the districts it would govern are *blocked* on its validity dates: a request
there raises :class:`~xueji.PluginError` naming it instead of being decided
silently on the municipal defaults.  Every answer comes back with its
:class:`~xueji.Source` and every answer considered, so a decision's trace can
name who supplied each value.
"""

from __future__ import annotations

__all__ = [
    "DISTRICT_LAYER",
    "LAYERS",
    "MUNICIPAL_LAYER",
    "TIMELY_DUTIES",
    "Answer",
    "Combine",
    "Considered",
    "Description",
    "DistrictRules",
    "LoadProblem",
    "PluginInfo",
    "PluginRow",
    "Point",
    "PointRow",
    "Rules",
    "SchoolSystemExperiment",
    "define_point",
    "point",
    "timely_due",
]

import enum
import functools
import inspect
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import pluggy

from xueji._calendar import WorkingDays
from xueji._decisions import MUNICIPAL, Source
from xueji._errors import PluginError
from xueji._medical import HospitalGrade
from xueji._orgs import School, SchoolSystem, load_districts

if TYPE_CHECKING:
    from attrs import Attribute

log = logging.getLogger(__name__)

T = TypeVar("T")

MUNICIPAL_LAYER = "municipal"
DISTRICT_LAYER = "district"
LAYERS = (MUNICIPAL_LAYER, DISTRICT_LAYER)

_EDITION = date(2021, 6, 1)


# ---------------------------------------------------------------- declarations


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _non_empty(_: object, attribute: Attribute[str], value: str) -> None:
    if not value.strip():
        raise PluginError(
            f"PluginInfo.{attribute.name} is empty: a plugin must say its "
            f"{attribute.name} (see docs/plugins.md)"
        )


def _layer(_: object, attribute: Attribute[str], value: str) -> None:
    if value not in LAYERS:
        raise PluginError(
            f"PluginInfo.{attribute.name} {value!r} is not a layer: use "
            f"{MUNICIPAL_LAYER!r} (rules of the 市教委) or {DISTRICT_LAYER!r} "
            "(a district's 实施细则, 第五十条)"
        )


def _valid_to(instance: Any, attribute: Attribute[date | None], value: Any) -> None:
    if value is not None and value < instance.valid_from:
        raise PluginError(
            f"{attribute.name} {value} is before valid_from {instance.valid_from}: "
            "a validity ends on or after the day it begins"
        )


@attrs.frozen
class PluginInfo:
    """What a plugin declares about itself, as ``XUEJI_PLUGIN`` on the plugin
    module or object.

    Args:
        name: the plugin's name, e.g. ``"xueji-dongcheng"``.
        version: its version; ``name`` and ``version`` name it in every trace.
        layer: ``"district"`` (a district's 实施细则, 第五十条) or
            ``"municipal"`` (rules of the 市教委, e.g. under 第四十九条).
        districts: the district codes a district plugin governs (ignored for
            the municipal layer, which governs every district).
        legal_basis: the title of the document the rules come from.
        document_number: its number (文号), e.g. ``"东教发〔2025〕3号"``.
        valid_from: the first day the rules are in force.
        valid_to: the last day, or ``None`` while they are in force.
        illustrative: true for example plugins that are not any district's
            actual rules.
        points: the hooks the plugin supplies.  Empty: the hooks it
            implements.  When given, it must name exactly those hooks.
    """

    name: str = attrs.field(validator=_non_empty)
    version: str = attrs.field(validator=_non_empty)
    layer: str = attrs.field(validator=_layer)
    districts: tuple[str, ...] = attrs.field(default=(), converter=_names)
    legal_basis: str = ""
    document_number: str = ""
    valid_from: date = _EDITION
    valid_to: date | None = attrs.field(default=None, validator=_valid_to)
    illustrative: bool = False
    points: tuple[str, ...] = attrs.field(default=(), converter=_names)

    @property
    def source(self) -> Source:
        return Source(self.name, self.version, self.layer)

    @property
    def label(self) -> str:
        """``name version``: how messages and the pluggy registry name it."""
        return f"{self.name} {self.version}"

    def valid_on(self, day: date) -> bool:
        ends = self.valid_to is None or day <= self.valid_to
        return self.valid_from <= day and ends

    def governs(self, district: str | None, day: date) -> bool:
        """True when the plugin's rules apply to ``district`` on ``day``.  A
        municipal-layer plugin governs every district (and questions asked
        without one); a district plugin only its own."""
        if not self.valid_on(day):
            return False
        if self.layer == MUNICIPAL_LAYER:
            return True
        return district is not None and district in self.districts

    def overlap(self, other: PluginInfo) -> tuple[date, date | None] | None:
        """The days both plugins are valid, or ``None``."""
        first = max(self.valid_from, other.valid_from)
        ends = [d for d in (self.valid_to, other.valid_to) if d is not None]
        last = min(ends) if ends else None
        if last is not None and last < first:
            return None
        return first, last


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return _names(value)


@attrs.frozen
class SchoolSystemExperiment:
    """A 学制改革实验 (第八条): named schools run a school system other than
    6-3, with the 市教委's consent.

    Args:
        schools: the codes of the schools in the experiment.
        system: their school system, e.g. ``SchoolSystem(5, 4)`` (五四制).
        consent: the reference of the 市教委's consent (第八条: 经市教委同意),
            e.g. its document number.  Required: a declaration without it is
            refused when the plugin loads.
        valid_from: the first day of the experiment (default: the plugin's).
        valid_to: the last day, or ``None``.
    """

    schools: tuple[str, ...] = attrs.field(converter=_codes)
    system: SchoolSystem
    consent: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def effective(self) -> SchoolSystem:
        """The school system the experiment gives its schools, carrying the
        consent reference."""
        return attrs.evolve(self.system, consent=self.consent)


# ---------------------------------------------------------------- points


class Combine(enum.Enum):
    """How the answers of several plugins to one point combine."""

    REPLACE = "replace"
    """One answer governs: a district's for its own district, else a
    municipal plugin's, else the built-in default."""
    UNION = "union"
    """Every governing answer counts: a plugin adds, it never removes."""
    COLLECT = "collect"
    """Asked once, without a district or date (calendars, channels)."""


Bound = Callable[[Any, Mapping[str, Any]], str | None]
"""A point's bound: the value and the call's arguments → ``None`` when the
value is within bounds, else what is wrong."""

Samples = Callable[[str], Iterable[Mapping[str, Any]]]
"""Representative arguments (besides ``district``) with which a point is
asked at load, per district."""


@attrs.frozen
class Point:
    """What the kernel knows about a delegation point beyond its hookspec:
    how answers combine, which layers may answer, the bounds, and how to ask
    it at load.  A point with ``samples`` has its bounds checked when a
    plugin loads; every point's bounds are checked whenever it answers."""

    hook: str
    combine: Combine = Combine.REPLACE
    layers: frozenset[str] = frozenset(LAYERS)
    bound: Bound | None = None
    samples: Samples | None = None


_POINTS: dict[str, Point] = {}


def define_point(spec: Point) -> Point:
    """Declare (or redeclare) what the kernel knows about a hook."""
    _POINTS[spec.hook] = spec
    return spec


def point(hook: str) -> Point:
    """The kernel's knowledge of ``hook``; a hook not declared here is a
    :attr:`Combine.REPLACE` point open to both layers, bounded only by the
    ``check`` its caller passes."""
    return _POINTS.get(hook) or Point(hook)


def _show(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple) and all(isinstance(v, date) for v in value):
        return "[" + ", ".join(v.isoformat() for v in value) + "]"
    return repr(value)


def _instance(kind: type, what: str) -> Bound:
    def bound(value: Any, args: Mapping[str, Any]) -> str | None:
        del args
        return None if isinstance(value, kind) else f"not {what}"

    return bound


def _list_of(kind: type, what: str) -> Bound:
    def bound(value: Any, args: Mapping[str, Any]) -> str | None:
        del args
        ok = isinstance(value, list | tuple) and all(isinstance(v, kind) for v in value)
        return None if ok else f"not a list of {what}"

    return bound


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    return None if _whole(value) and value >= 0 else "not a count (0 or more)"


def _cutoff(value: Any, args: Mapping[str, Any]) -> str | None:
    if not isinstance(value, date):
        return "not a date"
    municipal = date(int(str(args["school_year"])[:4]) - 6, 8, 31)
    if value > municipal:
        return (
            f"later than the municipal cut-off {municipal}: a child younger than "
            "six is never admitted (第十条: 年满六周岁)"
        )
    return None


def _words(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    ok = isinstance(value, list | tuple) and all(
        isinstance(v, str) and v.strip() for v in value
    )
    return None if ok else "not a list of non-empty texts"


def _not_before(argument: str) -> Bound:
    def bound(value: Any, args: Mapping[str, Any]) -> str | None:
        if not isinstance(value, date):
            return "not a date"
        start = args.get(argument)
        if isinstance(start, date) and value < start:
            return f"before {argument} {start}"
        return None

    return bound


TIMELY_DUTIES = (
    "inform-guardian",
    "contact-guardian",
    "urge-enrollment",
    "urge-return",
    "update-records",
)
"""The duties the regulation qualifies with 及时 (第二十、三十五、四十三条),
by the name ``xueji_timely_days`` is asked with."""


def _timely(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    if not _whole(value):
        return "not a whole number of working days"
    if value < 0:
        return "negative"
    if value > 1:
        return (
            "later than the next working day: 及时 is read as by the next "
            "working day, and a district may make it sooner (0 = the same "
            "day), never later (DESIGN.md §4)"
        )
    return None


def _repeated(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    if not _whole(value):
        return "not a whole number of contacts"
    if value < 2:
        return (
            "fewer than two: 多次 is at least two, and a district may require "
            "more contacts before a withdrawal, never fewer (DESIGN.md §4)"
        )
    return None


def _experiments(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    if not isinstance(value, list | tuple):
        return "not a list of SchoolSystemExperiment"
    for item in value:
        if not isinstance(item, SchoolSystemExperiment):
            return f"{item!r} is not a SchoolSystemExperiment"
        schools = ", ".join(item.schools) or "no school"
        if not item.consent.strip():
            return (
                f"the {item.system.label} experiment for {schools} has no "
                "市教委 consent recorded (第八条: 经市教委同意); set consent= to "
                "the consent document's reference"
            )
        if not item.schools:
            return f"the {item.system.label} experiment names no school"
        if (
            item.system.primary_years + item.system.junior_years != 9
            or min(item.system.primary_years, item.system.junior_years) < 1
        ):
            return (
                f"school system {item.system.label} for {schools} does not "
                "divide the nine compulsory years (第六条: 九年义务教育)"
            )
        if (
            item.valid_from is not None
            and item.valid_to is not None
            and item.valid_to < item.valid_from
        ):
            return f"the experiment for {schools} ends before it begins"
    return None


def _channels(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    if not isinstance(value, list | tuple):
        return "not a list of notification channels"
    for item in value:
        if not isinstance(getattr(item, "name", None), str) or not callable(
            getattr(item, "send", None)
        ):
            return f"{item!r} has no name and send(notice)"
    return None


def _just_district(district: str) -> Iterable[Mapping[str, Any]]:
    del district
    return ({},)


def _each_duty(district: str) -> Iterable[Mapping[str, Any]]:
    del district
    return ({"duty": duty} for duty in TIMELY_DUTIES)


def _between(low: int, high: int | None, what: str, why: str) -> Bound:
    def bound(value: Any, args: Mapping[str, Any]) -> str | None:
        del args
        if not _whole(value):
            return f"not a whole number of {what}"
        if value < low or (high is not None and value > high):
            shown = f"{low} to {high}" if high is not None else f"at least {low}"
            return f"outside {shown} {what}: {why}"
        return None

    return bound


def _text(value: Any, args: Mapping[str, Any]) -> str | None:
    del args
    return None if isinstance(value, str) and value.strip() else "not a non-empty text"


_CITY = frozenset({MUNICIPAL_LAYER})

for _spec in (
    # Chapter 3 (入学与注册) and the calendars.
    Point("xueji_entry_age_cutoff", bound=_cutoff),
    Point("xueji_school_calendars", Combine.COLLECT),
    Point("xueji_closure_days", Combine.UNION, bound=_list_of(date, "dates")),
    Point(
        "xueji_hospital_grade",
        layers=_CITY,
        bound=_instance(HospitalGrade, "a HospitalGrade"),
    ),
    Point("xueji_enrollment_plan", bound=_count),
    Point("xueji_registration_deadline", bound=_instance(date, "a date")),
    Point("xueji_deferral_end", bound=_instance(date, "a date")),
    Point("xueji_admission_documents", Combine.UNION, bound=_words),
    Point("xueji_personal_file_items", Combine.UNION, bound=_words),
    # Chapters 4-5 (考勤, 转学).
    Point(
        "xueji_frequent_lateness_threshold",
        bound=_between(
            1,
            3,
            "lates or early leavings",
            "经常 is read as three times or more in a term, and a district may "
            "only lower the threshold (DESIGN.md §4)",
        ),
        samples=_just_district,
    ),
    Point("xueji_transfer_special_reasons", bound=_words, samples=_just_district),
    Point("xueji_transfer_documents", Combine.UNION, bound=_words),
    Point(
        "xueji_transfer_window_binding",
        bound=_instance(bool, "True or False"),
        samples=_just_district,
    ),
    Point(
        "xueji_transfer_processing_limit",
        bound=_between(
            1,
            10,
            "working days",
            "第二十九条 转学手续办理一般不超过10个工作日 — a district may shorten "
            "the limit, never lengthen it",
        ),
        samples=_just_district,
    ),
    Point("xueji_transfer_refusal_grounds", Combine.UNION, bound=_words),
    Point("xueji_training_selection_documents", Combine.UNION, bound=_words),
    Point(
        "xueji_transfer_barring_sanctions",
        Combine.UNION,
        layers=_CITY,
        bound=_words,
    ),
    # Chapters 6-8 (休学, 退学, 毕业).
    Point("xueji_suspension_other_reason", Combine.UNION, bound=_text),
    Point("xueji_academic_rule", Combine.UNION, bound=_text),
    Point("xueji_certificate_number", bound=_text),
    Point("xueji_hand_over_date", bound=_instance(date, "a date")),
    # The readings a district may make stricter (DESIGN.md §4).
    Point("xueji_timely_days", bound=_timely, samples=_each_duty),
    Point("xueji_repeated_contacts", bound=_repeated, samples=_just_district),
    # 第八条, and what the operator chooses.
    Point(
        "xueji_school_systems",
        Combine.UNION,
        bound=_experiments,
        samples=_just_district,
    ),
    Point("xueji_notification_channels", Combine.COLLECT, bound=_channels),
):
    define_point(_spec)


# ---------------------------------------------------------------- answers


@attrs.frozen
class Considered:
    """One plugin's answer to a point, and what became of it: ``chosen``,
    ``replaced`` (a higher layer answered), ``combined`` (a union point),
    ``no rule`` (the plugin answered ``None``) or ``kernel default``."""

    source: Source
    value: str
    verdict: str

    def __str__(self) -> str:
        return f"{self.source}: {self.value} [{self.verdict}]"


@attrs.frozen
class Answer(Generic[T]):
    """The governing answer to a point, who supplied it, and every answer
    considered on the way."""

    value: T
    source: Source
    considered: tuple[Considered, ...] = ()

    def explain(self) -> str:
        """Every answer considered, for a decision's trace."""
        return "; ".join(str(c) for c in self.considered)


@attrs.frozen
class LoadProblem:
    """A plugin that did not load, and why.

    ``districts`` are the districts it would have governed (``None``: every
    district, when the plugin is municipal or could not say); requests for
    them on ``valid_from`` … ``valid_to`` raise :class:`~xueji.PluginError`
    naming the plugin.
    """

    plugin: str
    message: str
    hook: str | None = None
    districts: tuple[str, ...] | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def blocks(self, district: str | None, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        return self.districts is None or district in self.districts

    def __str__(self) -> str:
        return f"{self.plugin}: {self.message}"


@attrs.frozen
class PluginRow:
    """One plugin as ``xueji plugins`` lists it.  ``districts`` is empty for
    a municipal-layer plugin (every district); ``status`` is ``loaded`` or
    ``broken``, with ``problems`` saying why."""

    plugin: str
    version: str
    layer: str
    districts: tuple[str, ...]
    legal_basis: str
    document_number: str
    valid_from: date | None
    valid_to: date | None
    points: tuple[str, ...]
    illustrative: bool
    builtin: bool
    status: str
    problems: tuple[str, ...] = ()


@attrs.frozen
class PointRow:
    """One delegation point: how it combines, who may answer it, its
    article, and the loaded plugins that answer it."""

    hook: str
    combine: str
    layers: tuple[str, ...]
    articles: str
    summary: str
    suppliers: tuple[str, ...]


@attrs.frozen
class Description:
    """What :meth:`Rules.describe` returns: the plugins (loaded and broken),
    the delegation points, and the load problems."""

    plugins: tuple[PluginRow, ...]
    points: tuple[PointRow, ...]
    problems: tuple[LoadProblem, ...]


@attrs.frozen
class _Entry:
    plugin: object
    info: PluginInfo
    builtin: bool
    hooks: frozenset[str]

    @property
    def rank(self) -> int:
        if self.builtin:
            return 0
        return 1 if self.info.layer == MUNICIPAL_LAYER else 2

    def scope(self) -> tuple[str, ...] | None:
        return None if self.info.layer == MUNICIPAL_LAYER else self.info.districts


def _object_name(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__name__", None) or type(plugin).__qualname__


def _builtin() -> ModuleType:
    from xueji import _municipal

    return _municipal


def _hookspecs() -> ModuleType:
    from xueji import hookspecs

    return hookspecs


@functools.cache
def _known_districts() -> frozenset[str]:
    return frozenset(d.code for d in load_districts())


_ARTICLES = re.compile(r"第[一二三四五六七八九十]+(?:、[一二三四五六七八九十]+)*条")


def _first_article(doc: str) -> str:
    found = _ARTICLES.findall(doc)
    return found[0] if found else ""


# ---------------------------------------------------------------- the rules


class Rules:
    """The plugins in force, and the arbitration between them.

    ``Rules(plugins)`` is strict: a plugin that does not load raises
    :class:`~xueji.PluginError` listing every problem.  :meth:`load` and
    :meth:`from_entry_points` are tolerant: they return the rules together
    with the problems, and block the broken plugins' districts.
    """

    def __init__(self, plugins: Iterable[object] = ()) -> None:
        self._pm = pluggy.PluginManager("xueji")
        self._pm.add_hookspecs(_hookspecs())
        self._entries: dict[str, _Entry] = {}
        self._problems: list[LoadProblem] = []
        self._broken: dict[str, PluginInfo | None] = {}
        problems = self._admit([(p, None) for p in plugins])
        if problems:
            raise PluginError(_summary(problems))

    # ------------------------------------------------------------ building

    @classmethod
    def municipal(cls) -> Rules:
        """The built-in municipal rules alone."""
        return cls([_builtin()])

    @classmethod
    def load(
        cls,
        plugins: Iterable[object],
        *,
        problems: Iterable[LoadProblem] = (),
        origins: Mapping[int, str] | None = None,
    ) -> tuple[Rules, list[LoadProblem]]:
        """Admit every plugin that loads; report the others.

        Args:
            plugins: plugin modules or objects.
            problems: problems found before (e.g. an entry point that did not
                import); they are kept and block what they name.
            origins: how to name a plugin that declares nothing, by
                ``id(plugin)`` (e.g. its entry point).

        Returns:
            The rules, and every load problem (also :attr:`problems`).
        """
        rules = cls()
        names = origins or {}
        found = list(problems)
        for problem in found:
            rules._record(problem, None)
        found += rules._admit([(p, names.get(id(p))) for p in plugins])
        return rules, found

    @classmethod
    def from_entry_points(
        cls, group: str = "xueji", *, extra: Iterable[object] = ()
    ) -> tuple[Rules, list[LoadProblem]]:
        """The built-in municipal rules, every plugin installed under the
        entry-point ``group``, and ``extra`` plugins, tolerantly.

        A plugin that does not import, declares nothing valid, has a hook
        with a wrong signature, answers outside a bound at load or overlaps
        another plugin of its layer is reported, not admitted, and its
        districts are blocked (a request there raises
        :class:`~xueji.PluginError` naming it); the others load.
        """
        from xueji._plugins import installed_plugins

        plugins, problems, origins = installed_plugins(group)
        builtin = _builtin()
        everything = [builtin] + [p for p in [*plugins, *extra] if p is not builtin]
        unique = list({id(p): p for p in everything}.values())
        return cls.load(unique, problems=problems, origins=origins)

    def register(self, plugin: object) -> None:
        """Admit one more plugin, strictly.

        Raises:
            PluginError: the plugin does not load (every problem named).
        """
        kept = (list(self._problems), dict(self._broken))
        problems = self._admit([(plugin, None)])
        if problems:
            self._problems, self._broken = kept
            raise PluginError(_summary(problems))

    def _admit(self, candidates: list[tuple[object, str | None]]) -> list[LoadProblem]:
        problems: list[LoadProblem] = []
        fresh: list[_Entry] = []
        seen: set[int] = {id(e.plugin) for e in self._entries.values()}
        for plugin, origin in candidates:
            if id(plugin) in seen:
                continue  # the same object twice is one plugin
            seen.add(id(plugin))
            entry, found = self._inspect(plugin, origin)
            problems += found
            if entry is not None:
                fresh.append(entry)
        conflicts = self._conflicts(fresh)
        problems += conflicts
        broken = {p.plugin for p in conflicts}
        for entry in fresh:
            if entry.info.label in broken:
                self._pm.unregister(entry.plugin)
                self._broken[entry.info.label] = entry.info
            else:
                self._entries[entry.info.label] = entry
        for problem in problems:
            self._problems.append(problem)
            log.info("plugin problem: %s", problem)
        return problems

    def _record(self, problem: LoadProblem, info: PluginInfo | None) -> None:
        self._problems.append(problem)
        self._broken.setdefault(problem.plugin, info)

    def _inspect(
        self, plugin: object, origin: str | None
    ) -> tuple[_Entry | None, list[LoadProblem]]:
        """Check one plugin and register it; on any problem, leave nothing
        registered."""
        info = getattr(plugin, "XUEJI_PLUGIN", None)
        if not isinstance(info, PluginInfo):
            label = origin or _object_name(plugin)
            self._broken.setdefault(label, None)
            return None, [
                LoadProblem(
                    label,
                    "declares no XUEJI_PLUGIN = PluginInfo(...): a xueji plugin "
                    "must say who it is, which districts it governs and its legal "
                    "basis (see docs/plugins.md); until it does, no district it "
                    "might govern is decided",
                )
            ]
        builtin = plugin is _builtin()
        scope: dict[str, Any] = {
            "districts": None if info.layer == MUNICIPAL_LAYER else info.districts,
            "valid_from": info.valid_from,
            "valid_to": info.valid_to,
        }

        def problem(message: str, hook: str | None = None) -> LoadProblem:
            return LoadProblem(info.label, message, hook, **scope)

        found = self._check_info(info, plugin, problem)
        if found:
            self._broken[info.label] = info
            return None, found
        try:
            self._pm.register(plugin, name=info.label)
        except (ValueError, pluggy.PluginValidationError) as error:
            self._broken[info.label] = info
            return None, [problem(f"has a hook that does not match its spec: {error}")]
        hooks = frozenset(c.name for c in self._pm.get_hookcallers(plugin) or [])
        found = self._check_hooks(info, hooks, builtin, problem)
        if not found:
            found = self._check_bounds_at_load(plugin, info, hooks, problem)
        if found:
            self._pm.unregister(plugin)
            self._broken[info.label] = info
            return None, found
        return _Entry(plugin, info, builtin, hooks), []

    def _check_info(
        self,
        info: PluginInfo,
        plugin: object,
        problem: Callable[..., LoadProblem],
    ) -> list[LoadProblem]:
        found: list[LoadProblem] = []
        if info.label in self._entries:
            found.append(
                problem(
                    "is registered twice (two plugins declare this name and "
                    "version); give each its own"
                )
            )
        if info.layer == DISTRICT_LAYER:
            if not info.districts:
                found.append(problem("is a district plugin that names no district"))
            unknown = sorted(set(info.districts) - _known_districts())
            if unknown:
                found.append(
                    problem(
                        f"names district(s) {', '.join(unknown)} that do not exist: "
                        "use the GB/T 2260 code of a Beijing district (110101 …), "
                        "or yanshan / jingkai"
                    )
                )
            if not info.legal_basis.strip():
                found.append(
                    problem(
                        "states no legal basis: a district plugin names the "
                        "实施细则 it implements (第五十条)"
                    )
                )
        return found

    def _check_hooks(
        self,
        info: PluginInfo,
        hooks: frozenset[str],
        builtin: bool,
        problem: Callable[..., LoadProblem],
    ) -> list[LoadProblem]:
        found: list[LoadProblem] = []
        specs = {
            name
            for name, _ in inspect.getmembers(_hookspecs(), inspect.isfunction)
            if name.startswith("xueji_")
        }
        for hook in sorted(hooks - specs):
            found.append(
                problem(
                    f"implements {hook}, which is not a xueji hook (misspelt? "
                    "docs/plugins.md lists the hooks)",
                    hook,
                )
            )
        if not hooks:
            found.append(
                problem(
                    "implements no hook: decorate the rules with xueji.plugin.hookimpl"
                )
            )
        if info.points and set(info.points) != hooks:
            missing = sorted(set(info.points) - hooks)
            extra = sorted(hooks - set(info.points))
            found.append(
                problem(
                    "declares points it does not match: "
                    + "; ".join(
                        part
                        for part in (
                            f"declared but not implemented: {', '.join(missing)}"
                            if missing
                            else "",
                            f"implemented but not declared: {', '.join(extra)}"
                            if extra
                            else "",
                        )
                        if part
                    )
                )
            )
        if not builtin:
            for hook in sorted(hooks & specs):
                allowed = point(hook).layers
                if info.layer not in allowed:
                    found.append(
                        problem(
                            f"is a {info.layer} plugin, and hook {hook} is answered "
                            f"only by the {' or '.join(sorted(allowed))} layer"
                            + (
                                " (第四十九条: 由市教委另行规定)"
                                if hook == "xueji_transfer_barring_sanctions"
                                else ""
                            ),
                            hook,
                        )
                    )
        return found

    def _check_bounds_at_load(
        self,
        plugin: object,
        info: PluginInfo,
        hooks: frozenset[str],
        problem: Callable[..., LoadProblem],
    ) -> list[LoadProblem]:
        """Ask every point that has representative arguments, in every
        district the plugin governs, and check the answers' bounds."""
        districts = (
            info.districts
            if info.layer == DISTRICT_LAYER
            else tuple(sorted(_known_districts()))
        )
        found: list[LoadProblem] = []
        for hook in sorted(hooks):
            spec = point(hook)
            if spec.samples is None or spec.bound is None:
                continue
            trouble = self._first_out_of_bounds(plugin, info, spec, districts)
            if trouble is not None:
                found.append(problem(trouble, hook))
        return found

    def _first_out_of_bounds(
        self,
        plugin: object,
        info: PluginInfo,
        spec: Point,
        districts: tuple[str, ...],
    ) -> str | None:
        assert spec.samples is not None
        assert spec.bound is not None
        impls = [
            i
            for i in getattr(self._pm.hook, spec.hook).get_hookimpls()
            if i.plugin is plugin
        ]
        for impl, district in itertools.product(impls, districts):
            for sample in spec.samples(district):
                args = {"district": district, **sample}
                try:
                    value = impl.function(**{k: args[k] for k in impl.argnames})
                except Exception as error:
                    return (
                        f"failed in hook {spec.hook} with {args}: "
                        f"{type(error).__name__}: {error}"
                    )
                if value is None:
                    continue
                trouble = spec.bound(value, args)
                if trouble is not None:
                    return (
                        f"hook {spec.hook}: value {_show(value)} is out of "
                        f"bounds: {trouble}"
                    )
        del info
        return None

    def _conflicts(self, fresh: list[_Entry]) -> list[LoadProblem]:
        """Two plugins of one layer answering one :attr:`Combine.REPLACE`
        point for one district on overlapping dates; and one school in two
        school-system experiments at once."""
        found: list[LoadProblem] = []
        known = list(self._entries.values())
        pairs = [
            *itertools.combinations(fresh, 2),
            *itertools.product(fresh, known),
        ]
        for a, b in pairs:
            if a.builtin or b.builtin or a.info.layer != b.info.layer:
                continue
            period = a.info.overlap(b.info)
            if period is None:
                continue
            if a.info.layer == MUNICIPAL_LAYER:
                districts: tuple[str, ...] = ("every district",)
            else:
                districts = tuple(d for d in a.info.districts if d in b.info.districts)
            shared = sorted(
                h for h in a.hooks & b.hooks if point(h).combine is Combine.REPLACE
            )
            if not districts or not shared:
                continue
            until = period[1].isoformat() if period[1] else "open-ended"
            text = (
                f"plugins {a.info.label} and {b.info.label} of the {a.info.layer} "
                f"layer both answer {', '.join(shared)} for {', '.join(districts)} "
                f"from {period[0]} to {until}: one layer may give one answer; "
                "remove one plugin or make their validity dates not overlap"
            )
            for entry in (a, b) if b in fresh else (a,):
                found.append(
                    LoadProblem(
                        entry.info.label,
                        text,
                        shared[0],
                        entry.scope(),
                        entry.info.valid_from,
                        entry.info.valid_to,
                    )
                )
        found += self._school_conflicts(fresh, known)
        return found

    def _school_conflicts(
        self, fresh: list[_Entry], known: list[_Entry]
    ) -> list[LoadProblem]:
        declared: list[tuple[_Entry, SchoolSystemExperiment]] = []
        for entry in [*fresh, *known]:
            if "xueji_school_systems" not in entry.hooks:
                continue
            for district in entry.info.districts or ():
                for value in self._call(entry, "xueji_school_systems", district):
                    declared += [(entry, e) for e in value]
        found: list[LoadProblem] = []
        for (ea, a), (eb, b) in itertools.combinations(declared, 2):
            if ea not in fresh and eb not in fresh:
                continue
            shared = sorted(set(a.schools) & set(b.schools))
            if not shared or not _periods_meet(ea.info, a, eb.info, b):
                continue
            text = (
                f"school(s) {', '.join(shared)} are in two school-system "
                f"experiments at once ({ea.info.label}: {a.system.label}; "
                f"{eb.info.label}: {b.system.label}): a school has one 学制 "
                "(第八条)"
            )
            for entry in {id(x): x for x in (ea, eb) if x in fresh}.values():
                found.append(
                    LoadProblem(
                        entry.info.label,
                        text,
                        "xueji_school_systems",
                        entry.scope(),
                        entry.info.valid_from,
                        entry.info.valid_to,
                    )
                )
        return found

    def _call(self, entry: _Entry, hook: str, district: str) -> list[Any]:
        """``entry``'s answers to a district-only hook; an answer that fails
        or is not a list is left to the checks at request time."""
        values = []
        for impl in getattr(self._pm.hook, hook).get_hookimpls():
            if impl.plugin is not entry.plugin:
                continue
            args = {"district": district}
            try:
                value = impl.function(**{k: args[k] for k in impl.argnames})
            except Exception:  # reported when the point is asked
                continue
            if isinstance(value, list | tuple):
                values.append(value)
        return values

    # ------------------------------------------------------------ reading

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """The plugins in force (loaded)."""
        return tuple(e.info for e in self._entries.values())

    @property
    def problems(self) -> tuple[LoadProblem, ...]:
        """Every load problem, in the order found."""
        return tuple(self._problems)

    def blocked(self, district: str | None, on: date) -> tuple[LoadProblem, ...]:
        """The load problems that block ``district`` on ``on``."""
        return tuple(p for p in self._problems if p.blocks(district, on))

    def _refuse_blocked(self, hook: str, district: str | None, on: date) -> None:
        blocking = self.blocked(district, on)
        if not blocking:
            return
        names = ", ".join(dict.fromkeys(p.plugin for p in blocking))
        reasons = "; ".join(str(p) for p in blocking)
        raise PluginError(
            f"no rules for district {district} on {on} (asked {hook}): plugin "
            f"{names} did not load — {reasons}. xueji does not decide a "
            "district's requests on the municipal defaults while its plugin is "
            "broken; fix or uninstall the plugin (`xueji plugins` lists the "
            "problems)"
        )

    def _governing(
        self, hook: str, district: str | None, on: date, kwargs: Mapping[str, Any]
    ) -> list[tuple[_Entry, Any]]:
        caller = getattr(self._pm.hook, hook)
        answers = []
        for impl in caller.get_hookimpls():
            entry = self._entries.get(impl.plugin_name)
            if entry is None:
                continue
            if not entry.builtin and not entry.info.governs(district, on):
                continue
            args = {k: kwargs[k] for k in impl.argnames}
            try:
                value = impl.function(**args)
            except Exception as error:
                raise PluginError(
                    f"plugin {entry.info.label} failed in hook {hook}: "
                    f"{type(error).__name__}: {error}"
                ) from error
            answers.append((entry, value))
        answers.sort(key=lambda a: a[0].rank)
        return answers

    def _check(
        self,
        hook: str,
        answers: list[tuple[_Entry, Any]],
        kwargs: Mapping[str, Any],
        check: Callable[[Any], str | None] | None,
    ) -> None:
        bound = point(hook).bound
        for entry, value in answers:
            if value is None:
                continue
            problem = bound(value, kwargs) if bound is not None else None
            if problem is None and check is not None:
                problem = check(value)
            if problem is not None:
                raise PluginError(
                    f"plugin {entry.info.label}, hook {hook}: value {_show(value)} "
                    f"is out of bounds: {problem}"
                )

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
        """The governing answer for ``hook`` in ``district`` under the rules
        in force ``on``: a district plugin's, else a municipal plugin's,
        else the built-in municipal plugin's, else ``default`` (the kernel's
        own fallback).

        Pass the *filing* date of the procedure as ``on``: the rules in force
        when a request was filed govern the whole procedure, including steps
        taken after a new rule comes into force.

        Raises:
            PluginError: ``district`` is blocked by a plugin that did not
                load; an answer is out of the point's bounds or fails
                ``check``; two plugins of one layer answer.
        """
        self._refuse_blocked(hook, district, on)
        args = {"district": district, **kwargs}
        answers = self._governing(hook, district, on, args)
        self._check(hook, answers, args, check)

        given = [(e, v) for e, v in answers if v is not None]
        top = max((e.rank for e, _ in given), default=None)
        chosen = [(e, v) for e, v in given if e.rank == top]
        if len(chosen) > 1:
            names = ", ".join(e.info.label for e, _ in chosen)
            raise PluginError(
                f"plugins {names} all answer hook {hook} for district {district} "
                f"on {on}: one layer may give one answer; remove one plugin or "
                "make their validity dates not overlap"
            )
        considered = [
            Considered(
                e.info.source,
                _show(v),
                "no rule"
                if v is None
                else ("chosen" if chosen and e is chosen[0][0] else "replaced"),
            )
            for e, v in answers
        ]
        if chosen:
            entry, value = chosen[0]
            return Answer(value, entry.info.source, tuple(considered))
        considered.append(Considered(MUNICIPAL, _show(default), "kernel default"))
        return Answer(default, MUNICIPAL, tuple(considered))

    def combined(
        self, hook: str, *, district: str | None, on: date, **kwargs: Any
    ) -> list[tuple[Source, Any]]:
        """Every governing answer, lowest layer first, for points whose
        answers combine (a district adds, never removes).

        Raises:
            PluginError: as for :meth:`answer`.
        """
        self._refuse_blocked(hook, district, on)
        args = {"district": district, **kwargs}
        answers = self._governing(hook, district, on, args)
        self._check(hook, answers, args, None)
        return [(e.info.source, v) for e, v in answers if v is not None]

    def combined_answer(
        self, hook: str, *, district: str | None, on: date, **kwargs: Any
    ) -> Answer[list[Any]]:
        """The union of every governing answer to a list-valued point, with
        every answer considered (each ``combined`` or ``no rule``).  The
        source is the highest layer that added something."""
        self._refuse_blocked(hook, district, on)
        args = {"district": district, **kwargs}
        answers = self._governing(hook, district, on, args)
        self._check(hook, answers, args, None)
        union: list[Any] = []
        for _, value in answers:
            for item in value or ():
                if item not in union:
                    union.append(item)
        given = [e for e, v in answers if v]
        source = given[-1].info.source if given else MUNICIPAL
        considered = tuple(
            Considered(e.info.source, _show(v), "no rule" if v is None else "combined")
            for e, v in answers
        )
        return Answer(union, source, considered)

    def collect(self, hook: str) -> list[tuple[PluginInfo, Any]]:
        """Every loaded plugin's answer to an argument-less hook."""
        caller = getattr(self._pm.hook, hook)
        found = []
        for impl in caller.get_hookimpls():
            entry = self._entries[impl.plugin_name]
            try:
                value = impl.function()
            except Exception as error:
                raise PluginError(
                    f"plugin {entry.info.label} failed in hook {hook}: "
                    f"{type(error).__name__}: {error}"
                ) from error
            if value is not None:
                found.append((entry, value))
        found.sort(key=lambda a: a[0].rank)
        return [(e.info, v) for e, v in found]

    def across(
        self,
        hook: str,
        *,
        districts: Iterable[str],
        on: date,
        default: T,
        check: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> tuple[Answer[T], ...]:
        """One answer per district, for a procedure that crosses districts:
        e.g. the shorter of the two districts' transfer limits is
        ``min(rules.across(..., districts=(a, b)), key=lambda x: x.value)``
        (DESIGN.md §3)."""
        return tuple(
            self.answer(hook, district=d, on=on, default=default, check=check, **kwargs)
            for d in districts
        )

    def for_district(self, district: str, *, on: date) -> DistrictRules:
        """The rules of one district as in force ``on`` (a procedure's
        filing date): each step of a cross-district procedure asks the rules
        of the district that owns it."""
        return DistrictRules(self, district, on)

    def school_system(self, school: School, on: date) -> Answer[SchoolSystem]:
        """The school system of ``school`` on ``on``: a 第八条 experiment a
        plugin governing the school's district declares for it, else the
        system the register records (``School.system``, 6-3 by default).

        Raises:
            PluginError: the district is blocked; two experiments name the
                school on that day; an experiment has no 市教委 consent.
        """
        hook = "xueji_school_systems"
        self._refuse_blocked(hook, school.district, on)
        args = {"district": school.district}
        answers = self._governing(hook, school.district, on, args)
        self._check(hook, answers, args, None)
        matching = [
            (entry, experiment)
            for entry, value in answers
            for experiment in value or ()
            if school.code in experiment.schools and experiment.in_force(on)
        ]
        if len(matching) > 1:
            names = ", ".join(e.info.label for e, _ in matching)
            raise PluginError(
                f"school {school.code} is in {len(matching)} school-system "
                f"experiments on {on} ({names}): a school has one 学制 (第八条)"
            )
        considered = [
            Considered(
                e.info.source,
                _show(v),
                "chosen" if matching and e is matching[0][0] else "no rule",
            )
            for e, v in answers
        ]
        if matching:
            entry, experiment = matching[0]
            return Answer(experiment.effective(), entry.info.source, tuple(considered))
        considered.append(Considered(MUNICIPAL, school.system.label, "kernel default"))
        return Answer(school.system, MUNICIPAL, tuple(considered))

    # ------------------------------------------------------------ readings

    def timely_days(self, district: str, duty: str, on: date) -> Answer[int]:
        """及时 for ``duty`` in ``district``: the working days after the day
        the duty arises (0: that day).  Municipal: 1 (DESIGN.md §4).  Pass
        the result to :func:`timely_due`."""
        return self.answer(
            "xueji_timely_days", district=district, on=on, default=1, duty=duty
        )

    def repeated_contacts(self, district: str, on: date) -> Answer[int]:
        """多次联系 (第三十六条第二款第（二）项) in ``district``: the least
        number of contacts.  Municipal: 2 (DESIGN.md §4)."""
        return self.answer(
            "xueji_repeated_contacts", district=district, on=on, default=2
        )

    def transfer_barring_sanctions(self, on: date) -> Answer[list[Any]]:
        """The kinds of 处分 that bar a transfer while in force (第三十条
        第（三）项), as the city's rules define them (第四十九条)."""
        return self.combined_answer(
            "xueji_transfer_barring_sanctions", district=None, on=on
        )

    # ------------------------------------------------------------ describing

    def describe(self) -> Description:
        """What ``xueji plugins`` shows: one row per plugin (loaded or
        broken), one per delegation point, and the load problems."""
        rows = [
            PluginRow(
                plugin=e.info.name,
                version=e.info.version,
                layer=e.info.layer,
                districts=() if e.info.layer == MUNICIPAL_LAYER else e.info.districts,
                legal_basis=e.info.legal_basis,
                document_number=e.info.document_number,
                valid_from=e.info.valid_from,
                valid_to=e.info.valid_to,
                points=tuple(sorted(e.hooks)),
                illustrative=e.info.illustrative,
                builtin=e.builtin,
                status="loaded",
            )
            for e in self._entries.values()
        ]
        for label, info in self._broken.items():
            messages = tuple(p.message for p in self._problems if p.plugin == label)
            rows.append(
                PluginRow(
                    plugin=info.name if info else label,
                    version=info.version if info else "",
                    layer=info.layer if info else "",
                    districts=info.districts if info else (),
                    legal_basis=info.legal_basis if info else "",
                    document_number=info.document_number if info else "",
                    valid_from=info.valid_from if info else None,
                    valid_to=info.valid_to if info else None,
                    points=info.points if info else (),
                    illustrative=info.illustrative if info else False,
                    builtin=False,
                    status="broken",
                    problems=messages,
                )
            )
        return Description(tuple(rows), self._point_rows(), tuple(self._problems))

    def _point_rows(self) -> tuple[PointRow, ...]:
        rows = []
        for name, function in inspect.getmembers(_hookspecs(), inspect.isfunction):
            if not name.startswith("xueji_"):
                continue
            doc = inspect.getdoc(function) or ""
            spec = point(name)
            rows.append(
                PointRow(
                    hook=name,
                    combine=spec.combine.value,
                    layers=tuple(sorted(spec.layers)),
                    articles=_first_article(doc),
                    summary=doc.split("\n\n")[0].replace("\n", " "),
                    suppliers=tuple(
                        e.info.label for e in self._entries.values() if name in e.hooks
                    ),
                )
            )
        return tuple(rows)


class DistrictRules:
    """The rules of one district as in force on one date (a procedure's
    filing date).  Made by :meth:`Rules.for_district`."""

    def __init__(self, rules: Rules, district: str, on: date) -> None:
        self.rules = rules
        self.district = district
        self.on = on

    def answer(
        self,
        hook: str,
        *,
        default: T,
        check: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> Answer[T]:
        return self.rules.answer(
            hook,
            district=self.district,
            on=self.on,
            default=default,
            check=check,
            **kwargs,
        )

    def combined(self, hook: str, **kwargs: Any) -> list[tuple[Source, Any]]:
        return self.rules.combined(hook, district=self.district, on=self.on, **kwargs)

    def combined_answer(self, hook: str, **kwargs: Any) -> Answer[list[Any]]:
        return self.rules.combined_answer(
            hook, district=self.district, on=self.on, **kwargs
        )

    def school_system(self, school: School) -> Answer[SchoolSystem]:
        return self.rules.school_system(school, self.on)


def timely_due(working_days: WorkingDays, arises: date, days: int) -> date:
    """The last day of a duty qualified by 及时 that arises on ``arises``:
    the ``days``-th working day after it, or — for 0 — that day itself when
    it is a working day, else the next working day."""
    if days == 0:
        return working_days.next_working_day(arises)
    return working_days.add_working_days(arises, days)


def _periods_meet(
    ia: PluginInfo, a: SchoolSystemExperiment, ib: PluginInfo, b: SchoolSystemExperiment
) -> bool:
    first = max(
        a.valid_from or ia.valid_from,
        b.valid_from or ib.valid_from,
    )
    ends = [d for d in (a.valid_to, ia.valid_to, b.valid_to, ib.valid_to) if d]
    return not ends or first <= min(ends)


def _summary(problems: list[LoadProblem]) -> str:
    """One line per distinct message: a conflict is one problem per plugin,
    with one text that already names both."""
    messages: dict[str, list[str]] = {}
    for problem in problems:
        messages.setdefault(problem.message, []).append(problem.plugin)
    lines = [
        message
        if all(name in message for name in names)
        else f"plugin {', '.join(names)}: {message}"
        for message, names in messages.items()
    ]
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} plugin problems:\n" + "\n".join(f"  - {x}" for x in lines)
