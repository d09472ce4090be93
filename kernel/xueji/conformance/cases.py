"""Conformance cases: YAML data citing the articles they exercise.

A case says *given* a register, calendars and plugins, *when* requests
arrive (each on its own date, from a principal), *then* this outcome, these
reasons, these obligations with these dates — or this error.  The format is
documented in ``docs/conformance.md``; this module reads it, checks it, and
structures it with xueji's one converter (:func:`xueji.structure`) into typed
requests and expectations.  Every problem in a case file is an
:class:`~xueji.InvalidInputError` naming the file, the line and the field.

Files:

- ``registers.yaml`` (any number, anywhere under a case directory): named
  registers (``registers:``) and templates (``templates:``) that cases share;
- every other ``*.yaml`` file: a list of cases, or a mapping with ``cases:``
  and optionally ``level:``, ``register:`` (defaults for its cases) and
  ``templates:`` (templates of this file only).

References inside a case, all written as strings or keys starting with ``$``:

- ``{$use: NAME, …}`` — a template, deep-merged with the keys beside it;
- ``$NAME`` — a row value of a table (a case with ``rows:``);
- ``$procedure:REQUEST-ID`` — the id of the procedure that the request with
  that id opened (procedure ids are made when the request is decided);
- ``$obligation:KIND`` or ``$obligation:KIND:学籍号`` — the id of the latest
  open obligation of that kind (of that student) when the step runs.

No other text may start with ``$``.
"""

from __future__ import annotations

__all__ = [
    "CASE_LEVELS",
    "LEVELS",
    "AuditExpect",
    "AuditRecordExpect",
    "BrokenRequest",
    "Case",
    "CertificateExpect",
    "ComplianceExpect",
    "DrawExpect",
    "ErrorExpect",
    "Expect",
    "ExportStep",
    "FindingExpect",
    "Given",
    "HistoryExpect",
    "JobStep",
    "Library",
    "LoadStep",
    "ObligationExpect",
    "ProcedureExpect",
    "ReadStep",
    "ReasonExpect",
    "RecordSpec",
    "RequestStep",
    "Step",
    "StudentExpect",
    "TraceExpect",
    "WorkExpect",
    "builtin_cases_dir",
    "load_case_file",
    "load_cases",
    "load_library",
    "rebase",
]

import json
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from xueji._access import Principal
from xueji._articles import Citation, parse_citation
from xueji._attendance import Mark
from xueji._calendar import CalendarStage, HolidaySchedule, SchoolCalendar, Term
from xueji._decisions import ObligationKind, Outcome, Role, Severity
from xueji._disclosure import Export
from xueji._errors import InvalidInputError
from xueji._orgs import District, HrssOffice, School, Township
from xueji._procedures import ProcedureState, StepState
from xueji._register import ChangeKind
from xueji._requests import parse_request_document
from xueji._serialize import structure
from xueji._status import Status
from xueji._storage import Organisation
from xueji.conformance._located import (
    LocatedDict,
    LocatedList,
    Where,
    line_of,
    plain,
    read_located,
)

T = TypeVar("T")

LEVELS: Final = ("kernel", "delegation", "temporal", "storage", "access")
"""The levels of the suite, in the order they run."""

CASE_LEVELS: Final = ("kernel", "temporal", "access")
"""The levels whose cases are YAML files (delegation reruns the kernel
cases; storage is the contract of :mod:`xueji.conformance.storage`)."""

REGISTERS_FILE: Final = "registers.yaml"
PROCEDURE_REF: Final = "$procedure:"
OBLIGATION_REF: Final = "$obligation:"
USE: Final = "$use"

_ORGANISATION_KINDS: Final[Mapping[str, type]] = {
    "district": District,
    "school": School,
    "township": Township,
    "hrss": HrssOffice,
}
_CASE_KEYS: Final = frozenset(
    {
        "id",
        "title",
        "articles",
        "level",
        "delegable",
        "known_failure",
        "given",
        "when",
        "then",
        "note",
    }
)
_TABLE_KEYS: Final = _CASE_KEYS | {"rows"}
_GIVEN_KEYS: Final = frozenset(
    {
        "register",
        "home",
        "organisations",
        "requests",
        "records",
        "calendars",
        "plugins",
        "clock",
    }
)
_ROW_VARIABLE: Final = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_IDENT: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


# ------------------------------------------------------------------ values


@attrs.frozen
class ErrorExpect:
    """The request raises: an instance of the class named ``type`` (a class
    of xueji's error hierarchy or a builtin), whose message contains
    ``message``."""

    type: str
    message: str = ""


@attrs.frozen
class ReasonExpect:
    """A reason the decision must carry (written ``code 第N条`` in short)."""

    code: str
    article: str | None = None
    severity: Severity | None = None
    source: str | None = None  # the name of the plugin (or "xueji") that said it
    text: str | None = None  # a part of the reason's text


@attrs.frozen
class ObligationExpect:
    """An obligation, compared field by field on the fields given."""

    kind: ObligationKind
    due: date | None = None
    no_due: bool = False  # the obligation has no due date
    arises: date | None = None
    article: str | None = None
    role: Role | None = None
    organisation: str | None = None
    student: str | None = None
    source: str | None = None
    open: bool | None = None  # still open (stored obligations only)
    text: str | None = None  # a part of the obligation's text


@attrs.frozen
class TraceExpect:
    """A rule the decision's trace must show."""

    rule: str
    article: str | None = None
    source: str | None = None
    result: str | None = None  # a part of the result


@attrs.frozen
class CertificateExpect:
    """A certificate on record (第三十九、四十条)."""

    kind: str  # 毕业, 结业 or 肄业
    number: str | None = None
    school: str | None = None
    sealed_by: str | None = None
    unsealed: bool = False  # no district seal (a compulsory certificate)


@attrs.frozen
class StudentExpect:
    """The register's record of one student after the step."""

    number: str | None = None  # the current 学籍号 (after any renumbering)
    aliases: tuple[str, ...] | None = None
    birth_date: date | None = None
    id_number: str | None = None
    status: tuple[Status, ...] | None = None  # one per stint, in order
    grades: tuple[int, ...] | None = None
    school_years: tuple[str, ...] | None = None
    status_until: tuple[date | None, ...] | None = None
    last_days: tuple[date | None, ...] | None = None
    events: tuple[ChangeKind, ...] | None = None  # every event, in order
    last_events: tuple[ChangeKind, ...] | None = None  # the latest ones
    archive: bool | None = None
    archive_at: str | None = None  # the school keeping the archive
    schools: tuple[str, ...] | None = None  # the school of each stint
    marks: dict[date, Mark] | None = None  # current attendance marks, all
    obligations: tuple[ObligationExpect, ...] | None = None  # all stored
    obligations_include: tuple[ObligationExpect, ...] = ()  # each among them
    records: dict[str, int] | None = None  # how many records of each kind
    certificates: tuple[CertificateExpect, ...] | None = None  # all, in order


@attrs.frozen
class ProcedureExpect:
    """A procedure: by default the one this step opened or acted on;
    ``of`` names the request id that opened another."""

    of: str | None = None
    kind: str | None = None
    state: ProcedureState | None = None
    steps: tuple[StepState, ...] | None = None
    due: date | None = None
    step_due: tuple[date | None, ...] | None = None
    students: int | None = None
    open_for: tuple[str, ...] | None = None  # students it holds open
    names: tuple[str, ...] | None = None  # the steps' names
    organisations: tuple[str, ...] | None = None  # the steps' owners
    current: str | None = None  # the name of the step waiting


@attrs.frozen
class AuditRecordExpect:
    allowed: bool
    action: str | None = None  # a part of the action
    principal: str | None = None


@attrs.frozen
class AuditExpect:
    """The audit records of an organisation or a student, all of them, in
    order (compared on the fields given)."""

    organisation: str | None = None
    student: str | None = None
    records: tuple[AuditRecordExpect, ...] = ()


@attrs.frozen
class HistoryExpect:
    """A history read (``read: history``)."""

    number: str | None = None
    enrollments: int | None = None
    events: tuple[ChangeKind, ...] | None = None


@attrs.frozen
class FindingExpect:
    """A finding of the term check (第四十三条), compared on the fields given."""

    code: str
    article: str | None = None
    organisation: str | None = None
    due: date | None = None


@attrs.frozen
class ComplianceExpect:
    """An item of the compliance report (第四十六、四十七条)."""

    organisation: str
    article: str
    assessment: str  # found, not-found or manual


@attrs.frozen
class DrawExpect:
    """A 双随机 draw (第四十五条)."""

    schools: int | None = None  # schools drawn
    population: int | None = None
    inspectors_per_school: int | None = None
    verified: bool | None = None  # drawn again from its inputs, the same


@attrs.frozen
class WorkExpect:
    """A work-list read (``read: work``)."""

    steps: tuple[str, ...] | None = None  # the names of the steps waiting
    obligations: tuple[ObligationExpect, ...] | None = None
    overdue: tuple[date, ...] | None = None  # due dates of the overdue ones


@attrs.frozen
class Expect:
    """What one step must give.  Only the fields written are checked."""

    outcome: Outcome | None = None
    student: str | None = None
    reasons: tuple[ReasonExpect, ...] = ()
    exact_reasons: bool = False  # no reasons beyond those listed
    absent_reasons: tuple[str, ...] = ()  # codes that must not appear
    hidden_texts: tuple[str, ...] = ()  # words no reason may contain
    obligations: tuple[ObligationExpect, ...] | None = None  # all of them
    obligations_include: tuple[ObligationExpect, ...] = ()  # each among them
    events: tuple[ChangeKind, ...] | None = None  # the step's events, in order
    trace: tuple[TraceExpect, ...] = ()
    next_steps: tuple[str, ...] = ()  # parts of the next steps named
    error: ErrorExpect | None = None
    hidden: bool = False  # the error is the one a missing student gives
    students: dict[str, StudentExpect] = attrs.Factory(dict)
    absent: tuple[str, ...] = ()  # 学籍号 or ID numbers not in the register
    procedure: ProcedureExpect | None = None
    procedures: int | None = None  # procedures in the register
    audit: tuple[AuditExpect, ...] = ()
    history: HistoryExpect | None = None
    work: WorkExpect | None = None
    changed: tuple[str, ...] | None = None  # a job's students, in order
    same_as: str | None = None  # the decision equals that of this request id
    findings: tuple[FindingExpect, ...] = ()  # each among the check's findings
    absent_findings: tuple[str, ...] = ()  # finding codes that must not appear
    compliance: tuple[ComplianceExpect, ...] = ()
    draw: DrawExpect | None = None
    rows: tuple[tuple[str, ...], ...] | None = None  # an export's rows


@attrs.frozen
class RecordSpec:
    """A dated fact given to the register (an attendance mark, a sanction, …)
    stored through the port as a :class:`~xueji.Record`."""

    kind: str
    district: str
    on: date
    data: dict[str, Any] = attrs.Factory(dict)
    student: str | None = None
    school: str | None = None
    until: date | None = None


@attrs.frozen
class _TermSpec:
    term: int
    start: date
    end: date
    vacation_start: date
    vacation_end: date


@attrs.frozen
class _SchoolCalendarSpec:
    school_year: str
    stage: CalendarStage
    terms: tuple[_TermSpec, ...]


@attrs.frozen
class _CalendarsSpec:
    holidays: tuple[HolidaySchedule, ...] = ()
    school: tuple[_SchoolCalendarSpec, ...] = ()
    closures: dict[str, tuple[date, ...]] = attrs.Factory(dict)


@attrs.frozen
class RequestStep:
    """A request of a request document (kind, principal, request)."""

    kind: str
    principal: Principal
    request: Any
    line: int


@attrs.frozen
class BrokenRequest:
    """A request entry that does not parse; its case expects the error."""

    error: InvalidInputError = attrs.field(eq=False)
    line: int


@attrs.frozen
class ReadStep:
    """A read: ``history`` (of ``student``), ``work`` (of ``organisation``
    as of ``as_of``) or ``audit`` (of ``organisation`` and/or ``student``)."""

    read: str
    principal: Principal
    line: int
    student: str | None = None
    organisation: str | None = None
    as_of: date | None = None
    seed: str | None = None
    inspectors: tuple[str, ...] = ()
    schools: int | None = None
    per_school: int | None = None


@attrs.frozen
class JobStep:
    """A job: ``close-registration-window`` (for ``school_year``) or
    ``end-deferrals``, run on ``on``."""

    job: str
    principal: Principal
    on: date
    line: int
    school_year: str | None = None
    stage: CalendarStage | None = None
    term: int | None = None


@attrs.frozen
class ExportStep:
    """An export of a school's data to a party outside the register
    (``export:`` with the fields of :class:`~xueji.Export`, 第四十四条)."""

    principal: Principal
    export: Export
    line: int


@attrs.frozen
class LoadStep:
    """Loading reference data (``load: organisations``)."""

    principal: Principal
    organisations: tuple[Organisation, ...]
    line: int


Step = RequestStep | BrokenRequest | ReadStep | JobStep | LoadStep | ExportStep

READS: Final = ("history", "work", "audit", "term-check", "compliance", "inspection")
JOBS: Final = (
    "close-registration-window",
    "end-deferrals",
    "mark-missed-term-registration",
    "end-suspensions",
)


@attrs.frozen
class Given:
    """The register, calendars and plugins a case starts from."""

    register: str | None = None
    home: str | None = None  # the case's home district (for delegation)
    organisations: tuple[Organisation, ...] = ()
    requests: tuple[Step, ...] = ()
    records: tuple[RecordSpec, ...] = ()
    holidays: tuple[HolidaySchedule, ...] = ()
    calendars: tuple[SchoolCalendar, ...] = ()
    closures: tuple[tuple[str, tuple[date, ...]], ...] = ()
    plugins: tuple[str, ...] = ()
    clock: datetime | None = None  # None: 09:00 Beijing time on each step's date


@attrs.frozen
class Case:
    """One conformance case."""

    id: str
    title: str
    level: str
    articles: tuple[Citation, ...]
    given: Given
    when: tuple[Step, ...]
    then: tuple[Expect | None, ...]
    source: str
    line: int
    delegable: bool | tuple[str, ...] = False
    known_failure: str | None = None  # a shortcoming of the kernel, with why
    raw: Any = attrs.field(default=None, eq=False, repr=False)
    library: Library | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}"

    def delegable_for(self, hooks: Iterable[str]) -> list[str]:
        """The delegation points among ``hooks`` this case's expectations
        depend on (every one of them when ``delegable: true``)."""
        supplied = sorted(set(hooks))
        if self.delegable is True:
            return supplied
        if self.delegable is False:
            return []
        return [h for h in supplied if h in self.delegable]


@attrs.frozen
class RegisterSpec:
    """A named register: organisations and the requests that fill it."""

    name: str
    home: str | None
    organisations: Any  # located list
    requests: Any  # located list
    source: str


@attrs.frozen
class Library:
    """The named registers and templates the cases of a run share."""

    registers: dict[str, RegisterSpec] = attrs.Factory(dict)
    templates: dict[str, Any] = attrs.Factory(dict)
    template_sources: dict[str, str] = attrs.Factory(dict)


# ------------------------------------------------------------------ helpers


def _structure(value: Any, cls: type[T], where: Where) -> T:
    """``value`` structured as ``cls`` by the one converter; on failure, the
    error names the innermost field that does not fit, with its line."""
    try:
        return structure(plain(value), cls, source=str(where))
    except InvalidInputError as error:
        at, part, tp = _locate(value, cls, where)
        text = str(error)
        if at != where and tp is None:
            text = "unknown field; check the spelling against docs/conformance.md"
        elif at != where:
            try:
                structure(plain(part), tp, source=str(at))
            except InvalidInputError as inner:
                text = str(inner)
            except Exception as inner:
                text = f"{type(inner).__name__}: {inner}"
        if text.startswith(str(at)):
            raise InvalidInputError(text) from None
        raise at.error(text) from None


def _fails(value: Any, tp: Any) -> bool:
    try:
        structure(plain(value), tp)
    except Exception:
        return True
    return False


def _unoptional(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (types.UnionType, typing.Union) and len(args) == 1:
        return args[0]
    return tp


def _children(value: Any, tp: Any, where: Where) -> Iterator[tuple[Any, Any, Where]]:
    """The parts of ``value`` with their types and places."""
    tp = _unoptional(tp)
    origin = typing.get_origin(tp)
    if isinstance(value, LocatedDict) and attrs.has(tp):
        fields = attrs.fields_dict(attrs.resolve_types(tp))
        for key, item in value.items():
            if key in fields:
                yield item, fields[key].type, where.key(value, key)
    elif isinstance(value, LocatedList) and origin in (tuple, list, frozenset, set):
        item_type = typing.get_args(tp)[0]
        for index, item in enumerate(value):
            yield item, item_type, where.index(value, index)
    elif isinstance(value, LocatedDict) and origin is dict:
        item_type = typing.get_args(tp)[1]
        for key, item in value.items():
            yield item, item_type, where.key(value, key)


def _locate(value: Any, tp: Any, where: Where) -> tuple[Where, Any, Any]:
    """The innermost part of ``value`` that does not fit ``tp``: its place,
    the part, and its type (``None`` for a field the type does not have)."""
    bare = _unoptional(tp)
    if isinstance(value, LocatedDict) and attrs.has(bare):
        fields = attrs.fields_dict(attrs.resolve_types(bare))
        for key in value:
            if key not in fields:
                return where.key(value, key), value[key], None
    for item, item_type, at in _children(value, tp, where):
        if _fails(item, item_type):
            return _locate(item, item_type, at)
    return where, value, tp


def _mapping(value: Any, where: Where, what: str) -> LocatedDict:
    if not isinstance(value, LocatedDict):
        raise where.error(f"expected {what} (a mapping), got {_shown(value)}")
    return value


def _listed(value: Any, where: Where, what: str) -> LocatedList:
    if not isinstance(value, LocatedList):
        raise where.error(f"expected {what} (a list), got {_shown(value)}")
    return value


def _text(value: Any, where: Where, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise where.error(f"expected {what} (a text), got {_shown(value)}")
    text = str(value).strip()
    if not text:
        raise where.error(f"{what} must not be empty")
    return text


def _shown(value: Any) -> str:
    if isinstance(value, LocatedDict):
        return "a mapping"
    if isinstance(value, LocatedList):
        return "a list"
    return repr(value)


def _check_keys(value: LocatedDict, allowed: Iterable[str], where: Where) -> None:
    allowed = sorted(allowed)
    for key in value:
        if key not in allowed:
            raise where.key(value, key).error(
                f"unknown field; the fields here are: {', '.join(allowed)}"
            )


def _copy(value: Any) -> Any:
    if isinstance(value, LocatedDict):
        copied = LocatedDict(value.line)
        for key, item in value.items():
            copied[key] = _copy(item)
        copied.lines = dict(value.lines)
        return copied
    if isinstance(value, LocatedList):
        listed = LocatedList(value.line)
        listed.extend(_copy(item) for item in value)
        listed.lines = list(value.lines)
        return listed
    return value


def _merge(base: Any, override: Any, line: int) -> Any:
    """``override`` deep-merged over ``base`` (mappings merge, anything else
    replaces); keys that come from ``base`` report ``line``."""
    if not (isinstance(base, LocatedDict) and isinstance(override, LocatedDict)):
        return _copy(override)
    merged = LocatedDict(override.line or line)
    for key, item in base.items():
        merged[key] = _copy(item)
        merged.lines[key] = line
    for key, item in override.items():
        merged[key] = _merge(merged[key], item, line) if key in merged else item
        merged.lines[key] = override.line_of(key)
    return merged


def _expand_templates(
    value: Any, templates: Mapping[str, Any], where: Where, seen: tuple[str, ...] = ()
) -> Any:
    """Replace every ``{$use: NAME, …}`` by the template merged with the
    keys beside it."""
    if isinstance(value, LocatedList):
        listed = LocatedList(value.line)
        for index, item in enumerate(value):
            listed.append(
                _expand_templates(item, templates, where.index(value, index), seen)
            )
        listed.lines = list(value.lines)
        return listed
    if not isinstance(value, LocatedDict):
        return value
    expanded = LocatedDict(value.line)
    for key, item in value.items():
        if key == USE:
            continue
        expanded[key] = _expand_templates(item, templates, where.key(value, key), seen)
        expanded.lines[key] = value.line_of(key)
    if USE not in value:
        return expanded
    use = where.key(value, USE)
    name = _text(value[USE], use, "a template name")
    if name not in templates:
        known = ", ".join(sorted(templates)) or "none"
        raise use.error(f"no template named {name!r} (templates: {known})")
    if name in seen:
        raise use.error(f"template {name!r} uses itself ({' → '.join(seen)})")
    template = _expand_templates(templates[name], templates, use, (*seen, name))
    if not isinstance(template, LocatedDict):
        if expanded:
            raise use.error(
                f"template {name!r} is not a mapping, so nothing can be merged "
                f"into it (remove {', '.join(sorted(expanded))})"
            )
        return _copy(template)
    return _merge(template, expanded, value.line_of(USE))


def _substitute(value: Any, row: Mapping[str, Any], where: Where) -> Any:
    """Put a table row's values in place of ``$NAME`` strings."""
    if isinstance(value, LocatedList):
        listed = LocatedList(value.line)
        listed.extend(
            _substitute(item, row, where.index(value, i))
            for i, item in enumerate(value)
        )
        listed.lines = list(value.lines)
        return listed
    if isinstance(value, LocatedDict):
        mapping = LocatedDict(value.line)
        for key, item in value.items():
            mapping[key] = _substitute(item, row, where.key(value, key))
        mapping.lines = dict(value.lines)
        return mapping
    if isinstance(value, str) and (found := _ROW_VARIABLE.match(value)):
        name = found[1]
        if name not in row:
            raise where.error(
                f"${name} is not a column of the table's rows "
                f"(columns: {', '.join(sorted(row))})"
            )
        return _copy(row[name])
    return value


def _check_references(value: Any, where: Where) -> Any:
    """Every ``$`` string left must be a procedure reference."""
    if isinstance(value, LocatedList):
        for index, item in enumerate(value):
            value[index] = _check_references(item, where.index(value, index))
        return value
    if isinstance(value, LocatedDict):
        for key in list(value):
            value[key] = _check_references(value[key], where.key(value, key))
        return value
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    if value.startswith(PROCEDURE_REF) and _IDENT.match(value[len(PROCEDURE_REF) :]):
        return value
    if value.startswith(OBLIGATION_REF) and all(
        _IDENT.match(part) for part in value[len(OBLIGATION_REF) :].split(":", 1)
    ):
        return value
    raise where.error(
        f"{value!r} is not a reference xueji knows: write $procedure:REQUEST-ID "
        "for the procedure a request opened, $obligation:KIND[:学籍号] for the "
        "latest open obligation of a kind, or a table's $COLUMN inside a table"
    )


# ------------------------------------------------------------------ library


def builtin_cases_dir() -> Path:
    """The directory of the cases shipped with xueji."""
    return Path(str(resources.files("xueji.conformance") / "cases"))


def _register_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob(REGISTERS_FILE))


def load_library(directories: Iterable[Path]) -> Library:
    """The registers and templates of every ``registers.yaml`` under the
    directories.  A name defined twice is an error naming both files."""
    library = Library()
    for directory in directories:
        for path in _register_files(directory):
            _read_registers(path, library)
    return library


def _read_registers(path: Path, library: Library) -> None:
    data = read_located(path)
    where = Where(str(path), line_of(data, 1))
    if data is None:
        return
    data = _mapping(data, where, "registers: and templates:")
    _check_keys(data, ("registers", "templates"), where)
    templates = data.get("templates", LocatedDict())
    templates = _mapping(templates, where.key(data, "templates"), "templates")
    for name, template in templates.items():
        at = where.key(templates, name)
        if name in library.templates:
            raise at.error(
                f"template {name!r} is defined again (first in "
                f"{library.template_sources[name]})"
            )
        library.templates[name] = template
        library.template_sources[name] = f"{path}:{at.line}"
    registers = data.get("registers", LocatedDict())
    registers = _mapping(registers, where.key(data, "registers"), "registers")
    for name, spec in registers.items():
        at = where.key(registers, name)
        if name in library.registers:
            raise at.error(
                f"register {name!r} is defined again (first in "
                f"{library.registers[name].source})"
            )
        spec = _mapping(spec, at, "a register")
        _check_keys(spec, ("home", "organisations", "requests"), at)
        home = spec.get("home")
        library.registers[name] = RegisterSpec(
            name=name,
            home=None if home is None else _text(home, at.key(spec, "home"), "home"),
            organisations=spec.get("organisations", LocatedList(spec.line)),
            requests=spec.get("requests", LocatedList(spec.line)),
            source=f"{path}:{at.line}",
        )


# ------------------------------------------------------------------ cases


def _case_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*.yaml")
        if p.name != REGISTERS_FILE and not p.name.startswith(".")
    )


def load_cases(
    directories: Iterable[Path] | None = None,
    *,
    builtin: bool = True,
) -> list[Case]:
    """Every case under the built-in case directory (unless ``builtin`` is
    false) and ``directories``.  Case ids are unique across them.

    Raises:
        InvalidInputError: a malformed case file or register, naming the
            file, the line and the field.
    """
    roots = [builtin_cases_dir()] if builtin else []
    roots += [Path(d) for d in directories or ()]
    library = load_library(roots)
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for root in roots:
        if not root.is_dir():
            raise InvalidInputError(f"{root}: no such case directory")
        for path in _case_files(root):
            for case in load_case_file(path, library, root=root):
                if case.id in seen:
                    raise InvalidInputError(
                        f"{case.location}: case id {case.id!r} is used again "
                        f"(first at {seen[case.id]}); case ids are unique"
                    )
                seen[case.id] = case.location
                cases.append(case)
    return cases


def _level_of(path: Path, root: Path | None) -> str | None:
    if root is None:
        return None
    try:
        first = path.relative_to(root).parts[0]
    except (ValueError, IndexError):
        return None
    return first if first in CASE_LEVELS else None


def load_case_file(
    path: Path, library: Library, *, root: Path | None = None
) -> list[Case]:
    """The cases of one file (tables expanded)."""
    data = read_located(path)
    where = Where(str(path), line_of(data, 1))
    if data is None:
        return []
    defaults: dict[str, Any] = {}
    templates = dict(library.templates)
    if isinstance(data, LocatedDict):
        _check_keys(data, ("cases", "level", "register", "templates"), where)
        for key in ("level", "register"):
            if key in data:
                defaults[key] = _text(data[key], where.key(data, key), key)
        own = data.get("templates", LocatedDict())
        own = _mapping(own, where.key(data, "templates"), "templates")
        templates.update(own)
        entries = _listed(data.get("cases"), where.key(data, "cases"), "cases")
    else:
        entries = _listed(data, where, "a list of cases")
    level = defaults.get("level") or _level_of(path, root) or "kernel"
    cases: list[Case] = []
    for index, entry in enumerate(entries):
        at = Where(str(path), entries.line_of(index), f"[{index}]")
        entry = _mapping(entry, at, "a case")
        entry = _expand_templates(entry, templates, at)
        for raw, row_at in _expand_table(entry, at):
            cases.append(_parse_case(raw, row_at, library, level, defaults))
    return cases


def _expand_table(entry: LocatedDict, where: Where) -> list[tuple[LocatedDict, Where]]:
    """A case, or one case per row of a table (a case with ``rows:``)."""
    if "rows" not in entry:
        return [(entry, where)]
    _check_keys(entry, _TABLE_KEYS, where)
    rows = _listed(entry["rows"], where.key(entry, "rows"), "rows")
    base_id = _text(entry.get("id"), where.key(entry, "id"), "the table's id")
    expanded: list[tuple[LocatedDict, Where]] = []
    for index, row in enumerate(rows):
        row_at = where.key(entry, "rows").index(rows, index)
        row = _mapping(row, row_at, "a row (column: value, …)")
        if not row:
            raise row_at.error("a row needs at least one value")
        label = ",".join(f"{k}={plain(v)}" for k, v in row.items())
        raw = LocatedDict(row_at.line)
        for key, value in entry.items():
            if key == "rows":
                continue
            raw[key] = _substitute(value, row, where.key(entry, key))
            raw.lines[key] = entry.line_of(key)
        raw["id"] = f"{base_id}[{label}]"
        expanded.append((raw, Where(where.source, row_at.line, row_at.path)))
    return expanded


def _parse_case(
    raw: LocatedDict,
    where: Where,
    library: Library,
    level: str,
    defaults: Mapping[str, Any],
) -> Case:
    _check_keys(raw, _CASE_KEYS, where)
    for required in ("id", "articles", "when", "then"):
        if required not in raw:
            raise where.error(f"a case needs `{required}`")
    case_id = _text(raw["id"], where.key(raw, "id"), "the case id")
    if not _IDENT.match(case_id.split("[", 1)[0]):
        raise where.key(raw, "id").error(
            f"case id {case_id!r}: use letters, digits, '-', '_' and '.'"
        )
    where = Where(where.source, where.line, f"case {case_id}")
    raw = _check_references(raw, where)
    if "register" in defaults:
        # Keep the file's default register in the case itself, so that the
        # case can be read again on its own (rebase).
        given = raw.setdefault("given", LocatedDict(raw.line))
        if isinstance(given, LocatedDict) and "register" not in given:
            given["register"] = defaults["register"]
            given.lines["register"] = given.line
    level = _text(raw.get("level", level), where.key(raw, "level"), "level")
    if level not in CASE_LEVELS:
        raise where.key(raw, "level").error(
            f"level {level!r} has no YAML cases; use one of {', '.join(CASE_LEVELS)}"
        )
    articles = _articles(raw["articles"], where.key(raw, "articles"))
    delegable = _delegable(raw.get("delegable", False), where.key(raw, "delegable"))
    given = _given(raw.get("given", LocatedDict(raw.line)), where, library, defaults)
    when_at = where.key(raw, "when")
    when_raw = _listed(raw["when"], when_at, "the steps (a list)")
    if not when_raw:
        raise when_at.error("a case needs at least one step")
    then = _then(raw["then"], where.key(raw, "then"), len(when_raw))
    steps = tuple(
        _step(item, when_at.index(when_raw, i), then[i] is not None and _errs(then[i]))
        for i, item in enumerate(when_raw)
    )
    keys = _then_keys(raw["then"], len(when_raw))
    for index, (step, expect) in enumerate(zip(steps, then, strict=True)):
        _check_applicable(step, keys[index], expect, when_at.index(when_raw, index))
    title = raw.get("title", case_id)
    known = raw.get("known_failure")
    return Case(
        id=case_id,
        title=_text(title, where.key(raw, "title"), "title"),
        level=level,
        articles=articles,
        given=given,
        when=steps,
        then=then,
        source=where.source,
        line=where.line,
        delegable=delegable,
        known_failure=None
        if known is None
        else _text(known, where.key(raw, "known_failure"), "why it fails"),
        raw=raw,
        library=library,
    )


def _errs(expect: Expect | None) -> bool:
    return expect is not None and expect.error is not None


def _articles(value: Any, where: Where) -> tuple[Citation, ...]:
    items = _listed(value, where, "the articles the case exercises")
    if not items:
        raise where.error("a case cites at least one article")
    citations = []
    for index, item in enumerate(items):
        at = where.index(items, index)
        try:
            citations.append(parse_citation(_text(item, at, "a citation")))
        except InvalidInputError as error:
            raise at.error(str(error)) from None
    return tuple(citations)


def _delegable(value: Any, where: Where) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    items = _listed(value, where, "true, false, or a list of hook names")
    hooks = tuple(
        _text(h, where.index(items, i), "a hook") for i, h in enumerate(items)
    )
    for index, hook in enumerate(hooks):
        if not hook.startswith("xueji_"):
            raise where.index(items, index).error(
                f"{hook!r} is not a hook name (hooks are named xueji_…)"
            )
    return hooks


# ------------------------------------------------------------------ given


def _given(
    value: Any, where: Where, library: Library, defaults: Mapping[str, Any]
) -> Given:
    at = where.key(value, "given") if isinstance(value, LocatedDict) else where
    given = _mapping(value, at, "given")
    _check_keys(given, _GIVEN_KEYS, at)
    organisations: list[Organisation] = []
    requests: list[Step] = []
    home: str | None = None
    name = given.get("register", defaults.get("register"))
    if name is not None:
        name = _text(name, at.key(given, "register"), "a register name")
        spec = library.registers.get(name)
        if spec is None:
            known = ", ".join(sorted(library.registers)) or "none"
            raise at.key(given, "register").error(
                f"no register named {name!r} (registers: {known})"
            )
        source, _sep, line = spec.source.rpartition(":")
        spec_at = Where(source, int(line), f"register {name}")
        orgs = _expand_templates(spec.organisations, library.templates, spec_at)
        organisations += _organisations(orgs, spec_at.key(None, "organisations"))
        reqs = _expand_templates(spec.requests, library.templates, spec_at)
        requests += _setup(reqs, spec_at.key(None, "requests"))
        home = spec.home
    if "home" in given:
        home = _text(given["home"], at.key(given, "home"), "home")
    if "organisations" in given:
        organisations += _organisations(
            given["organisations"], at.key(given, "organisations")
        )
    if "requests" in given:
        requests += _setup(given["requests"], at.key(given, "requests"))
    records = tuple(
        _structure(
            item, RecordSpec, at.key(given, "records").index(given["records"], i)
        )
        for i, item in enumerate(
            _listed(
                given.get("records", LocatedList()), at.key(given, "records"), "records"
            )
        )
    )
    calendars = _calendars(given.get("calendars"), at.key(given, "calendars"))
    plugins_at = at.key(given, "plugins")
    plugins = _listed(given.get("plugins", LocatedList()), plugins_at, "plugins")
    clock: datetime | None = None
    if "clock" in given:
        clock = _structure(given["clock"], datetime, at.key(given, "clock"))
        if clock.tzinfo is None:
            raise at.key(given, "clock").error(
                "the clock is a UTC-aware timestamp, e.g. 2025-09-01T08:00:00+00:00"
            )
    return Given(
        register=name,
        home=home,
        organisations=tuple(organisations),
        requests=tuple(requests),
        records=records,
        holidays=calendars.holidays,
        calendars=tuple(_school_calendar(c, at) for c in calendars.school),
        closures=tuple(sorted(calendars.closures.items())),
        plugins=tuple(
            _text(p, plugins_at.index(plugins, i), "a plugin (NAME or module:object)")
            for i, p in enumerate(plugins)
        ),
        clock=clock,
    )


def _organisations(value: Any, where: Where) -> list[Organisation]:
    items = _listed(value, where, "organisations")
    found: list[Organisation] = []
    for index, item in enumerate(items):
        at = where.index(items, index)
        item = _mapping(item, at, "an organisation")
        kind = _text(item.get("kind"), at.key(item, "kind"), "the organisation's kind")
        cls = _ORGANISATION_KINDS.get(kind)
        if cls is None:
            raise at.key(item, "kind").error(
                f"kind {kind!r} is unknown; use one of {', '.join(_ORGANISATION_KINDS)}"
            )
        fields = LocatedDict(item.line)
        for key, field in item.items():
            if key != "kind":
                fields[key] = field
                fields.lines[key] = item.line_of(key)
        found.append(_structure(fields, cls, at))
    return found


def _setup(value: Any, where: Where) -> list[Step]:
    """The setup steps; a list inside the list (a template of several
    requests) is spliced in."""
    items = _listed(value, where, "requests")
    steps: list[Step] = []
    for index, item in enumerate(items):
        at = where.index(items, index)
        if isinstance(item, LocatedList):
            steps += _setup(item, at)
        else:
            steps.append(_step(item, at, False))
    return steps


def _calendars(value: Any, where: Where) -> _CalendarsSpec:
    if value is None:
        return _CalendarsSpec()
    mapping = _mapping(value, where, "calendars: holidays, school, closures")
    return _structure(mapping, _CalendarsSpec, where)


def _school_calendar(spec: _SchoolCalendarSpec, where: Where) -> SchoolCalendar:
    try:
        terms = tuple(
            Term(
                spec.school_year,
                spec.stage,
                t.term,
                t.start,
                t.end,
                t.vacation_start,
                t.vacation_end,
            )
            for t in spec.terms
        )
        return SchoolCalendar(spec.school_year, spec.stage, terms)
    except InvalidInputError as error:
        raise where.key(None, "calendars.school").error(str(error)) from None


# ------------------------------------------------------------------ steps


@attrs.frozen
class _ReadSpec:
    read: str
    principal: str
    student: str | None = None
    organisation: str | None = None
    as_of: date | None = None
    seed: str | None = None
    inspectors: tuple[str, ...] = ()
    schools: int | None = None
    per_school: int | None = None


@attrs.frozen
class _JobSpec:
    job: str
    principal: str
    on: date
    school_year: str | None = None
    stage: CalendarStage | None = None
    term: int | None = None


def _principal(text: str, where: Where) -> Principal:
    try:
        return Principal.parse(text)
    except InvalidInputError as error:
        raise where.error(str(error)) from None


def _step(value: Any, where: Where, may_break: bool) -> Step:
    item = _mapping(value, where, "a step (a request, read, job or load)")
    if "read" in item:
        spec = _structure(item, _ReadSpec, where)
        if spec.read not in READS:
            raise where.key(item, "read").error(
                f"read {spec.read!r} is unknown; use one of {', '.join(READS)}"
            )
        dated = ("work", "term-check", "compliance", "inspection")
        if spec.read in dated and spec.as_of is None:
            raise where.error(
                f"a {spec.read} read needs as_of (the date it is read on)"
            )
        if spec.read in ("term-check", "compliance") and spec.organisation is None:
            raise where.error(f"a {spec.read} read needs organisation (its scope)")
        if spec.read == "inspection" and (
            spec.seed is None or spec.schools is None or spec.per_school is None
        ):
            raise where.error("an inspection draw needs seed, schools and per_school")
        return ReadStep(
            read=spec.read,
            principal=_principal(spec.principal, where.key(item, "principal")),
            line=where.line,
            student=spec.student,
            organisation=spec.organisation,
            as_of=spec.as_of,
            seed=spec.seed,
            inspectors=spec.inspectors,
            schools=spec.schools,
            per_school=spec.per_school,
        )
    if "job" in item:
        job = _structure(item, _JobSpec, where)
        if job.job not in JOBS:
            raise where.key(item, "job").error(
                f"job {job.job!r} is unknown; use one of {', '.join(JOBS)}"
            )
        if job.job == "close-registration-window" and job.school_year is None:
            raise where.error("close-registration-window needs school_year")
        if job.job == "mark-missed-term-registration" and (
            job.school_year is None or job.stage is None or job.term is None
        ):
            raise where.error(
                "mark-missed-term-registration needs school_year, stage and term"
            )
        return JobStep(
            job=job.job,
            principal=_principal(job.principal, where.key(item, "principal")),
            on=job.on,
            line=where.line,
            school_year=job.school_year,
            stage=job.stage,
            term=job.term,
        )
    if "export" in item:
        _check_keys(item, ("export", "principal"), where)
        principal = _text(item.get("principal"), where.key(item, "principal"), "who")
        return ExportStep(
            principal=_principal(principal, where.key(item, "principal")),
            export=_structure(item["export"], Export, where.key(item, "export")),
            line=where.line,
        )
    if "load" in item:
        _check_keys(item, ("load", "principal", "organisations"), where)
        if item["load"] != "organisations":
            raise where.key(item, "load").error("only `load: organisations` exists")
        principal = _text(item.get("principal"), where.key(item, "principal"), "who")
        return LoadStep(
            principal=_principal(principal, where.key(item, "principal")),
            organisations=tuple(
                _organisations(
                    item.get("organisations"), where.key(item, "organisations")
                )
            ),
            line=where.line,
        )
    try:
        (entry,) = parse_request_document(
            plain(item), source=f"{where.source}, {where.path}", lines=[where.line]
        )
    except InvalidInputError as error:
        if may_break:
            return BrokenRequest(error, where.line)
        raise
    return RequestStep(entry.kind, entry.principal, entry.request, where.line)


# ------------------------------------------------------------------ then


def _then(value: Any, where: Where, steps: int) -> tuple[Expect | None, ...]:
    if isinstance(value, LocatedList):
        if len(value) != steps:
            raise where.error(
                f"{len(value)} expectations for {steps} steps: give one per step "
                "(null for a step not checked), or a mapping for the last step"
            )
        return tuple(
            None if item is None else _expect(item, where.index(value, i))
            for i, item in enumerate(value)
        )
    return (*([None] * (steps - 1)), _expect(value, where))


def _short_reason(value: Any, where: Where) -> Any:
    """``code 第N条`` → ``{code: …, article: …}``."""
    if isinstance(value, str):
        code, _sep, article = value.partition(" ")
        mapping = LocatedDict(where.line)
        mapping["code"] = code
        if article.strip():
            mapping["article"] = article.strip()
        return mapping
    return value


def _expect(value: Any, where: Where) -> Expect:
    mapping = _mapping(value, where, "the expectations")
    fields = {a.name for a in attrs.fields(Expect)} | {"status"}
    _check_keys(mapping, fields, where)
    data = LocatedDict(mapping.line)
    for key, item in mapping.items():
        data[key] = item
        data.lines[key] = mapping.line_of(key)
    if "reasons" in data:
        at = where.key(mapping, "reasons")
        reasons = _listed(data["reasons"], at, "reasons")
        data["reasons"] = [
            _short_reason(r, at.index(reasons, i)) for i, r in enumerate(reasons)
        ]
    if "status" in data:
        at = where.key(mapping, "status")
        status = _mapping(data.pop("status"), at, "status: {学籍号: [status, …]}")
        students = data.setdefault("students", LocatedDict(at.line))
        students = _mapping(students, where.key(mapping, "students"), "students")
        for number, states in status.items():
            entry = students.setdefault(number, LocatedDict(at.line))
            _mapping(entry, at.key(status, number), "a student")["status"] = states
        data["students"] = students
    expect = _structure(data, Expect, where)
    for reason, item in zip(
        expect.reasons, data.get("reasons", ()), strict=False
    ):  # validate the articles written
        if reason.article is not None:
            _cited(reason.article, where.key(mapping, "reasons"), item)
    for obligation in expect.obligations or ():
        if obligation.article is not None:
            _cited(obligation.article, where.key(mapping, "obligations"), None)
    if expect.hidden and expect.error is None:
        raise where.key(mapping, "hidden").error(
            "`hidden` says the error must look like a missing student's; give "
            "the `error` too"
        )
    return expect


def _cited(text: str, where: Where, item: Any) -> None:
    at = Where(where.source, line_of(item, where.line), where.path)
    try:
        parse_citation(text)
    except InvalidInputError as error:
        raise at.error(str(error)) from None


_DECISION_FIELDS: Final = (
    "outcome",
    "student",
    "reasons",
    "exact_reasons",
    "absent_reasons",
    "hidden_texts",
    "events",
    "trace",
    "next_steps",
    "same_as",
)


def _then_keys(value: Any, steps: int) -> list[set[str] | None]:
    """The fields written in each step's expectations."""

    def keys(item: Any) -> set[str] | None:
        if not isinstance(item, Mapping):
            return None
        return {"students" if k == "status" else str(k) for k in item}

    if isinstance(value, LocatedList):
        return [keys(item) for item in value]
    return [*([None] * (steps - 1)), keys(value)]


def _check_applicable(
    step: Step, keys: set[str] | None, expect: Expect | None, where: Where
) -> None:
    if isinstance(step, BrokenRequest) and (expect is None or expect.error is None):
        raise where.error(str(step.error))
    if keys is None:
        return
    allowed: set[str] = {"error", "students", "absent", "procedures", "audit"}
    if isinstance(step, RequestStep | BrokenRequest):
        allowed |= {
            *_DECISION_FIELDS,
            "obligations",
            "obligations_include",
            "procedure",
        }
    elif isinstance(step, JobStep):
        allowed |= {"obligations", "obligations_include", "changed"}
    elif isinstance(step, ExportStep):
        allowed |= {*_DECISION_FIELDS, "rows"}
    elif isinstance(step, ReadStep):
        allowed |= {
            "hidden",
            "history",
            "work",
            "findings",
            "absent_findings",
            "compliance",
            "draw",
        }
    for name in sorted(keys - allowed):
        kind = type(step).__name__.removesuffix("Step").lower()
        raise where.error(f"`{name}` cannot be checked on a {kind} step")


# ------------------------------------------------------------------ rebase

_REBASED_KEYS: Final = frozenset(
    {
        "district",
        "residence_district",
        "new_district",
        "filed_with",
        "organisation",
        "home",
        "sealed_by",
    }
)
_REBASED_LISTS: Final = frozenset({"organisations"})
_PREFIXED_KEYS: Final = frozenset({"number", "certificate"})


def _rebase_value(value: Any, swap: Mapping[str, str], parent_kind: str | None) -> Any:
    if isinstance(value, LocatedList):
        listed = LocatedList(value.line)
        listed.extend(_rebase_value(v, swap, None) for v in value)
        listed.lines = list(value.lines)
        return listed
    if not isinstance(value, LocatedDict):
        return value
    kind = value.get("kind") if isinstance(value.get("kind"), str) else None
    mapping = LocatedDict(value.line)
    for key, item in value.items():
        if key in _REBASED_KEYS or (key == "code" and kind == "district"):
            mapping[key] = _swap(item, swap)
        elif key in _REBASED_LISTS and isinstance(item, LocatedList):
            listed = LocatedList(item.line)
            listed.extend(
                _swap(v, swap)
                if not isinstance(v, LocatedDict)
                else _rebase_value(v, swap, None)
                for v in item
            )
            listed.lines = list(item.lines)
            mapping[key] = listed
        elif key in _PREFIXED_KEYS and isinstance(item, str):
            # A certificate number of the municipal scheme begins with the
            # issuing district's code: 110105-2026-CB-000001.
            head, dash, rest = item.partition("-")
            mapping[key] = (
                f"{swap[head]}{dash}{rest}" if dash and head in swap else item
            )
        elif key == "principal" and isinstance(item, str):
            role, sep, rest = item.partition(":")
            org, sep2, name = rest.partition(":")
            mapping[key] = f"{role}{sep}{_swap(org, swap)}{sep2}{name}"
        elif key == "closures" and isinstance(item, LocatedDict):
            closures = LocatedDict(item.line)
            for district, days in item.items():
                closures[str(_swap(district, swap))] = days
            mapping[key] = closures
        else:
            mapping[key] = _rebase_value(item, swap, kind)
        mapping.lines[key] = value.line_of(key)
    return mapping


def _swap(value: Any, swap: Mapping[str, str]) -> Any:
    key = (
        str(value)
        if isinstance(value, str | int) and not isinstance(value, bool)
        else None
    )
    return swap.get(key, value) if key is not None else value


def rebase(case: Case, district: str) -> Case:
    """The same case in another home district: district codes in fields named
    ``district``, ``residence_district``, ``new_district``, ``filed_with``,
    ``organisation``, ``home`` and ``sealed_by``, in ``organisations`` lists,
    in district organisations' ``code``, in principals, and at the head of
    certificate numbers (``number``, ``certificate``: ``110105-2026-…``) are
    swapped with ``district`` (both ways, so a register that already has
    that district keeps two).  Region codes, ID numbers and 学籍号 are left
    as they are."""
    home = case.given.home
    if home is None or home == district or case.raw is None or case.library is None:
        return case
    swap = {home: district, district: home}
    raw = _rebase_value(case.raw, swap, None)
    library = Library(
        registers={
            name: attrs.evolve(
                spec,
                home=swap.get(spec.home, spec.home) if spec.home else spec.home,
                organisations=_rebase_value(spec.organisations, swap, None),
                requests=_rebase_value(spec.requests, swap, None),
            )
            for name, spec in case.library.registers.items()
        },
        templates={
            name: _rebase_value(t, swap, None)
            for name, t in case.library.templates.items()
        },
        template_sources=case.library.template_sources,
    )
    where = Where(case.source, case.line, "")
    return attrs.evolve(
        _parse_case(raw, where, library, case.level, {}),
        id=case.id,
    )


def dumps_data(value: Mapping[str, Any]) -> str:
    """A record's data as the port stores it (JSON, keys sorted)."""
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True)


def procedure_reference(value: object) -> str | None:
    """The request id a ``$procedure:ID`` string names, else ``None``."""
    if isinstance(value, str) and value.startswith(PROCEDURE_REF):
        return value[len(PROCEDURE_REF) :]
    return None


def requests_of(steps: Sequence[Step]) -> list[RequestStep]:
    return [s for s in steps if isinstance(s, RequestStep)]
