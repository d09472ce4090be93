"""Running one conformance case against the kernel, on a store.

:func:`run_case` builds the case's register (on a fresh store from the
store factory given, the memory store by default), loads its
organisations, records, calendars and plugins, runs its setup requests,
then its steps, and compares each step with its expectations.  Every
mismatch of a case is collected into one :class:`CaseFailure` (an
``AssertionError``), which says which case, which step and which field.
"""

from __future__ import annotations

__all__ = [
    "CITY",
    "CaseFailure",
    "StoreFactory",
    "load_plugin",
    "municipal_plugin",
    "plugin_hooks",
    "plugin_name",
    "run_case",
]

import builtins
import importlib
import importlib.metadata
import inspect
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Final

import attrs

import xueji
from xueji._access import Principal, PrincipalRole
from xueji._check import CheckReport, ComplianceReport
from xueji._decisions import Decision, Obligation, Reason
from xueji._disclosure import ExportResult
from xueji._enrollment import Admission
from xueji._errors import PluginError, XuejiError
from xueji._inspection import InspectionDraw
from xueji._orgs import CITY_CODE
from xueji._procedures import Procedure, Record
from xueji._rules import PluginInfo, Rules
from xueji._service import History, Register, WorkList
from xueji._storage import MemoryStore, Store
from xueji.conformance.cases import (
    OBLIGATION_REF,
    PROCEDURE_REF,
    AuditExpect,
    Case,
    CertificateExpect,
    DrawExpect,
    Expect,
    ExportStep,
    HistoryExpect,
    JobStep,
    LoadStep,
    ObligationExpect,
    ProcedureExpect,
    ReadStep,
    RequestStep,
    Step,
    StudentExpect,
    WorkExpect,
    dumps_data,
)

StoreFactory = Callable[[], Store]
"""Gives a fresh, empty store for one case."""

CITY: Final = Principal(PrincipalRole.CITY, CITY_CODE, "conformance")
"""The principal that loads a case's reference data and records."""

ENTRY_POINT_GROUP: Final = "xueji"
BEIJING: Final = timezone(timedelta(hours=8))
_NOBODY: Final = "G000000000000000000"  # a 学籍号 no register holds


class CaseFailure(AssertionError):
    """A case whose kernel answers differ from its expectations."""


# ------------------------------------------------------------------ plugins


def municipal_plugin() -> object:
    """The built-in municipal rules (the lowest layer)."""
    from xueji import _municipal

    return _municipal


def load_plugin(spec: str) -> object:
    """A plugin named by ``spec``: ``module:object`` (a module, an object,
    or a class to instantiate without arguments), ``module`` alone, or the
    name of an installed plugin (entry point group ``xueji``).

    Raises:
        PluginError: nothing by that name, or it declares no
            ``XUEJI_PLUGIN``.
    """
    module_name, sep, attribute = spec.partition(":")
    points = {
        p.name: p for p in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    }
    if not sep and spec in points:
        found: object = points[spec].load()
    else:
        try:
            found = importlib.import_module(module_name)
        except ImportError as error:
            known = ", ".join(sorted(points)) or "none"
            raise PluginError(
                f"no installed plugin named {spec!r} (installed: {known}) and no "
                f"module {module_name!r} to import ({error}); name an installed "
                "plugin or give module:object"
            ) from None
        for part in filter(None, attribute.split(".")):
            if not hasattr(found, part):
                raise PluginError(
                    f"plugin {spec!r}: module {module_name!r} has no {part!r}"
                )
            found = getattr(found, part)
    if inspect.isclass(found):
        found = found()
    if not isinstance(getattr(found, "XUEJI_PLUGIN", None), PluginInfo):
        raise PluginError(
            f"plugin {spec!r} declares no XUEJI_PLUGIN = PluginInfo(...); see "
            "docs/plugins.md"
        )
    return found


def plugin_info(plugin: object) -> PluginInfo:
    info = getattr(plugin, "XUEJI_PLUGIN", None)
    if not isinstance(info, PluginInfo):
        raise PluginError(f"{plugin!r} declares no XUEJI_PLUGIN")
    return info


def plugin_name(plugin: object) -> str:
    return plugin_info(plugin).name


def plugin_hooks(plugin: object) -> list[str]:
    """The delegation points a plugin answers (its ``xueji_*`` hooks)."""
    return sorted(
        name
        for name in dir(plugin)
        if name.startswith("xueji_") and callable(getattr(plugin, name))
    )


# ------------------------------------------------------------------ running


@attrs.define
class _Clock:
    """The time records are stamped with: 09:00 Beijing time on the date of
    the step being run (a request is entered on its own date), or the
    case's fixed clock."""

    fixed: datetime | None
    day: date = date(2025, 9, 1)

    def __call__(self) -> datetime:
        if self.fixed is not None:
            return self.fixed
        return datetime.combine(self.day, time(9, 0), tzinfo=BEIJING)


@attrs.define
class _Run:
    """What a case run has seen so far."""

    case: Case
    register: Register
    clock: _Clock
    opened: dict[str, list[str]] = attrs.Factory(dict)
    decisions: dict[str, Decision] = attrs.Factory(dict)
    problems: list[str] = attrs.Factory(list)


def _rules(case: Case, plugins: Sequence[object]) -> Rules:
    loaded = [load_plugin(spec) for spec in case.given.plugins]
    return Rules([municipal_plugin(), *loaded, *plugins])


def _register(case: Case, rules: Rules, store: Store, clock: _Clock) -> Register:
    given = case.given
    base = Register(store, rules=rules, clock=clock)
    book = base.calendars
    if given.holidays:
        book = book.with_holiday_schedules(given.holidays)
    if given.calendars:
        book = book.with_calendars(given.calendars)
    for district, days in given.closures:
        book = book.with_closures(district, days)
    return Register(store, rules=rules, calendars=book, clock=clock)


def run_case(
    case: Case,
    *,
    plugins: Sequence[object] = (),
    store: StoreFactory | None = None,
) -> None:
    """Run ``case`` with ``plugins`` loaded above the municipal rules, on a
    fresh store from ``store`` (the memory store by default).

    Raises:
        CaseFailure: the kernel's answers differ from the expectations; the
            message lists every difference.
    """
    made = (store or MemoryStore)()
    try:
        rules = _rules(case, plugins)
        clock = _Clock(case.given.clock)
        run = _Run(case, _register(case, rules, made, clock), clock)
        _prepare(run)
        for index, (step, expect) in enumerate(
            zip(case.when, case.then, strict=True), start=1
        ):
            _step(run, index, step, expect)
    finally:
        dispose = getattr(made, "dispose", None)
        if callable(dispose):
            dispose()
    if run.problems:
        articles = "、".join(str(a) for a in case.articles)
        raise CaseFailure(
            f"case {case.id} ({case.location}): {case.title}\n"
            f"  articles: {articles}\n" + "\n".join(run.problems)
        )


def _prepare(run: _Run) -> None:
    given = run.case.given
    if given.organisations:
        run.register.load_organisations(given.organisations, CITY)
    if given.records:
        with run.register.store.unit_of_work() as uow:
            for number, spec in enumerate(given.records, start=1):
                uow.add_record(
                    Record(
                        id=f"given-{number}",
                        kind=spec.kind,
                        district=spec.district,
                        on=spec.on,
                        data=dumps_data(spec.data),
                        student=spec.student,
                        school=spec.school,
                        until=spec.until,
                        recorded_at=run.clock(),
                    )
                )
            uow.commit()
    for number, step in enumerate(given.requests, start=1):
        label = f"setup step {number} (line {step.line})"
        try:
            result = _perform(run, step, setup=True)
        except XuejiError as error:
            raise CaseFailure(
                f"case {run.case.id} ({run.case.location}): {label} raised "
                f"{type(error).__name__}: {error}"
            ) from error
        if isinstance(result, Decision) and result.outcome.value not in (
            "accepted",
            "pending",
        ):
            raise CaseFailure(
                f"case {run.case.id} ({run.case.location}): {label} was "
                f"{result.outcome.value}, not accepted: {_reasons(result.reasons)}"
            )


def _resolve(run: _Run, request: Any, line: int) -> Any:
    changes: dict[str, str] = {}
    for field in attrs.fields(type(request)):
        value = getattr(request, field.name)
        if isinstance(value, str) and value.startswith(PROCEDURE_REF):
            ref = value[len(PROCEDURE_REF) :]
            opened = run.opened.get(ref)
            if not opened:
                raise CaseFailure(
                    f"case {run.case.id} ({run.case.location}), line {line}: "
                    f"{value} names no procedure: request {ref!r} opened none "
                    "(or has not run yet)"
                )
            changes[field.name] = opened[0]
        elif isinstance(value, str) and value.startswith(OBLIGATION_REF):
            changes[field.name] = _obligation_id(run, value, line)
    return attrs.evolve(request, **changes) if changes else request


def _obligation_id(run: _Run, ref: str, line: int) -> str:
    kind, _sep, student = ref[len(OBLIGATION_REF) :].partition(":")
    with run.register.store.unit_of_work() as uow:
        found = [
            o
            for o in uow.obligations(student=student or None, open_only=True)
            if o.obligation.kind.value == kind
        ]
    if not found:
        raise CaseFailure(
            f"case {run.case.id} ({run.case.location}), line {line}: {ref} names "
            "no open obligation"
        )
    return max(found, key=lambda o: o.obligation.arises).id


def _with_documents(run: _Run, request: Admission) -> Admission:
    """A setup admission carries the documents the rules in force require
    (the case's given state is "admitted", whatever the district asks)."""
    with run.register.store.unit_of_work() as uow:
        school = uow.get_school(request.school)
    if school is None:
        return request
    stage = school.system.stage_of(request.grade)
    local = request.student.hukou.beijing or any(
        t.holds_on(request.on) for t in request.student.treated_as_local
    )
    needed = [
        document
        for _source, answer in run.register.rules.combined(
            "xueji_admission_documents",
            district=school.district,
            on=request.on,
            stage=stage.value,
            local=local,
        )
        for document in answer
    ]
    documents = tuple(dict.fromkeys((*request.documents, *needed)))
    return attrs.evolve(request, documents=documents)


def _procedure_ids(run: _Run) -> set[str]:
    with run.register.store.unit_of_work() as uow:
        return {p.id for p in uow.procedures()}


def _step_day(step: Step) -> date | None:
    if isinstance(step, RequestStep):
        on = getattr(step.request, "on", None)
        return on if isinstance(on, date) else None
    if isinstance(step, JobStep):
        return step.on
    if isinstance(step, ReadStep):
        return step.as_of
    if isinstance(step, ExportStep):
        return step.export.on
    return None


def _perform(run: _Run, step: Step, *, setup: bool = False) -> object:
    register = run.register
    day = _step_day(step)
    if day is not None:
        run.clock.day = day
    if isinstance(step, RequestStep):
        request = _resolve(run, step.request, step.line)
        if setup and isinstance(request, Admission):
            request = _with_documents(run, request)
        before = _procedure_ids(run)
        decision = register.submit(request, step.principal)
        opened = sorted(_procedure_ids(run) - before)
        request_id = getattr(request, "id", None)
        if isinstance(request_id, str):
            run.opened.setdefault(request_id, []).extend(opened)
            run.decisions.setdefault(request_id, decision)
        return decision
    if isinstance(step, ReadStep):
        return _read(register, step)
    if isinstance(step, JobStep):
        return _job(register, step)
    if isinstance(step, LoadStep):
        return register.load_organisations(step.organisations, step.principal)
    if isinstance(step, ExportStep):
        return register.export(step.export, step.principal)
    raise step.error


def _job(register: Register, step: JobStep) -> list[Any]:
    if step.job == "close-registration-window":
        assert step.school_year is not None
        return list(
            register.close_registration_window(
                step.school_year, step.on, step.principal
            )
        )
    if step.job == "mark-missed-term-registration":
        # school_year, stage and term are checked when the case is read.
        assert step.school_year is not None
        assert step.stage is not None
        assert step.term is not None
        term = register.calendars.term(step.school_year, step.stage, step.term)
        return list(
            register.mark_missed_term_registration(term, step.on, step.principal)
        )
    if step.job == "end-suspensions":
        return list(register.end_suspensions(step.on, step.principal))
    return list(register.end_deferrals(step.on, step.principal))


def _read(register: Register, step: ReadStep) -> object:
    if step.read == "history":
        return register.history(step.student or "", step.principal)
    if step.read == "work":
        assert step.as_of is not None  # checked when the case was read
        return register.work(
            step.organisation or step.principal.organisation,
            step.as_of,
            step.principal,
        )
    if step.read in ("term-check", "compliance"):
        assert step.organisation is not None
        assert step.as_of is not None
        run = register.term_check if step.read == "term-check" else register.compliance
        return run(step.organisation, step.as_of, step.principal)
    if step.read == "inspection":
        assert step.as_of is not None
        assert step.seed is not None
        assert step.schools is not None
        assert step.per_school is not None
        return register.draw_inspection(
            on=step.as_of,
            seed=step.seed,
            inspectors=step.inspectors,
            schools=step.schools,
            inspectors_per_school=step.per_school,
            principal=step.principal,
            scope=step.organisation or CITY_CODE,
        )
    return register.audit_trail(
        step.principal, student=step.student, organisation=step.organisation
    )


def _label(step: Step) -> str:
    if isinstance(step, RequestStep):
        on = getattr(step.request, "on", None)
        rid = getattr(step.request, "id", "?")
        return f"{step.kind} {rid} on {on} by {step.principal}"
    if isinstance(step, ReadStep):
        return f"read {step.read} by {step.principal}"
    if isinstance(step, JobStep):
        return f"job {step.job} on {step.on} by {step.principal}"
    if isinstance(step, LoadStep):
        return f"load organisations by {step.principal}"
    if isinstance(step, ExportStep):
        return f"export {step.export.id} on {step.export.on} by {step.principal}"
    return "a malformed request"


def _step(run: _Run, index: int, step: Step, expect: Expect | None) -> None:
    problems: list[str] = []
    result: object = None
    error: Exception | None = None
    try:
        result = _perform(run, step)
    except CaseFailure:
        raise
    except Exception as raised:  # an expected error, or a fault to report
        error = raised
    if expect is not None:
        _check(run, step, expect, result, error, problems)
    elif error is not None:
        problems.append(f"raised {type(error).__name__}: {error}")
    if problems:
        run.problems.append(f"  step {index} (line {step.line}, {_label(step)}):")
        run.problems += [f"    {p}" for p in problems]


# ------------------------------------------------------------------ checks


def _check(
    run: _Run,
    step: Step,
    expect: Expect,
    result: object,
    error: Exception | None,
    problems: list[str],
) -> None:
    if expect.error is not None:
        _check_error(run, step, expect, error, problems)
    elif error is not None:
        problems.append(f"raised {type(error).__name__}: {error}")
        return
    if isinstance(result, ExportResult):
        _check_decision(run, expect, result.decision, problems)
        if expect.rows is not None and [list(r) for r in result.rows] != [
            list(r) for r in expect.rows
        ]:
            problems.append(f"rows: expected {expect.rows}, got {result.rows}")
    if isinstance(result, Decision):
        _check_decision(run, expect, result, problems)
    elif isinstance(step, JobStep) and isinstance(result, list):
        _check_job(run, expect, result, problems)
    if isinstance(result, History) and expect.history is not None:
        _check_history(expect.history, result, problems)
    if isinstance(result, WorkList) and expect.work is not None:
        _check_work(expect.work, result, problems)
    if isinstance(result, CheckReport):
        _check_findings(expect, result, problems)
    if isinstance(result, ComplianceReport):
        _check_compliance(expect, result, problems)
    if isinstance(result, InspectionDraw) and expect.draw is not None:
        _check_draw(run, expect.draw, result, problems)
    _check_register(run, step, expect, result, problems)


def _check_findings(expect: Expect, report: CheckReport, problems: list[str]) -> None:
    shown = [f"{f.code} {f.article} ({f.organisation})" for f in report.findings]
    for want in expect.findings:
        if not any(
            f.code == want.code
            and (want.article is None or f.article == want.article)
            and (want.organisation is None or f.organisation == want.organisation)
            and (want.due is None or f.due == want.due)
            for f in report.findings
        ):
            problems.append(
                f"finding {want.code} {want.article or ''} not found; findings {shown}"
            )
    for code in expect.absent_findings:
        if any(f.code == code for f in report.findings):
            problems.append(f"finding {code} must not be found; findings {shown}")


def _check_compliance(
    expect: Expect, report: ComplianceReport, problems: list[str]
) -> None:
    for want in expect.compliance:
        items = [
            i
            for i in report.items
            if i.organisation == want.organisation and i.article == want.article
        ]
        if not items:
            problems.append(
                f"compliance: no item {want.article} for {want.organisation}"
            )
        elif items[0].assessment.value != want.assessment:
            problems.append(
                f"compliance {want.article} for {want.organisation}: expected "
                f"{want.assessment}, got {items[0].assessment.value}"
            )


def _check_draw(
    run: _Run, want: DrawExpect, draw: InspectionDraw, problems: list[str]
) -> None:
    pairs: list[tuple[str, object, object]] = [
        ("schools", want.schools, len(draw.assignments)),
        ("population", want.population, len(draw.population)),
        (
            "inspectors_per_school",
            want.inspectors_per_school,
            draw.inspectors_per_school,
        ),
    ]
    for name, expected, actual in pairs:
        if expected is not None and expected != actual:
            problems.append(f"draw {name}: expected {expected}, got {actual}")
    if want.verified is not None:
        verified = run.register.verify_inspection(draw.id)
        if verified != want.verified:
            problems.append(f"draw verified: expected {want.verified}, got {verified}")


def _error_class_matches(error: BaseException, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(error).__mro__)


def _check_error(
    run: _Run,
    step: Step,
    expect: Expect,
    error: Exception | None,
    problems: list[str],
) -> None:
    wanted = expect.error
    assert wanted is not None
    known = hasattr(xueji, wanted.type) or hasattr(builtins, wanted.type)
    if not known:
        problems.append(f"error type {wanted.type!r} is neither xueji's nor builtin")
    if error is None:
        problems.append(f"expected {wanted.type}, but nothing was raised")
        return
    if not _error_class_matches(error, wanted.type):
        problems.append(f"expected {wanted.type}, got {type(error).__name__}: {error}")
    if wanted.message not in str(error):
        problems.append(
            f"the message should contain {wanted.message!r}; it is: {error}"
        )
    if expect.hidden and isinstance(step, ReadStep):
        other = attrs.evolve(step, student=_NOBODY)
        try:
            _read(run.register, other)
        except Exception as missing:
            if type(missing) is not type(error) or str(missing) != str(error):
                problems.append(
                    "the denial differs from the answer for a student who does "
                    f"not exist: {type(error).__name__}: {error} ≠ "
                    f"{type(missing).__name__}: {missing}"
                )
        else:
            problems.append("a read of a student who does not exist succeeded")


def _reasons(reasons: Iterable[Reason]) -> str:
    shown = [f"{r.code} {r.article} ({r.severity.value})" for r in reasons]
    return "[" + "; ".join(shown) + "]" if shown else "none"


def _reason_matches(reason: Reason, want: Any) -> bool:
    return (
        reason.code == want.code
        and (want.article is None or reason.article == want.article)
        and (want.severity is None or reason.severity is want.severity)
        and (want.source is None or reason.source.name == want.source)
        and (want.text is None or want.text in reason.text)
    )


def _check_decision(
    run: _Run, expect: Expect, decision: Decision, problems: list[str]
) -> None:
    if expect.outcome is not None and decision.outcome is not expect.outcome:
        problems.append(
            f"outcome: expected {expect.outcome.value}, got "
            f"{decision.outcome.value}; reasons {_reasons(decision.reasons)}"
        )
    if expect.student is not None and decision.student != expect.student:
        problems.append(f"student: expected {expect.student}, got {decision.student}")
    for want in expect.reasons:
        if not any(_reason_matches(r, want) for r in decision.reasons):
            problems.append(
                f"reason {want.code} {want.article or ''} not given; reasons "
                f"{_reasons(decision.reasons)}"
            )
    if expect.exact_reasons:
        extra = [
            r
            for r in decision.reasons
            if not any(_reason_matches(r, w) for w in expect.reasons)
        ]
        if extra:
            problems.append(f"reasons beyond those expected: {_reasons(extra)}")
    for code in expect.absent_reasons:
        if any(r.code == code for r in decision.reasons):
            problems.append(f"reason {code} must not be given; it was")
    for word in expect.hidden_texts:
        for reason in decision.reasons:
            if word in reason.text:
                problems.append(f"reason {reason.code} reveals {word!r}: {reason.text}")
    if expect.obligations is not None:
        _check_obligations(expect.obligations, decision.obligations, problems)
    _check_included(expect.obligations_include, decision.obligations, problems)
    if expect.events is not None:
        kinds = _event_kinds(run, decision.events)
        if kinds != [k.value for k in expect.events]:
            problems.append(
                f"events: expected {[k.value for k in expect.events]}, got {kinds}"
            )
    for rule in expect.trace:
        if not any(
            t.rule == rule.rule
            and (rule.article is None or t.article == rule.article)
            and (rule.source is None or t.source.name == rule.source)
            and (rule.result is None or rule.result in t.result)
            for t in decision.trace
        ):
            shown = [f"{t.rule}={t.result} ({t.source.name})" for t in decision.trace]
            problems.append(f"trace has no {rule.rule} as expected; trace {shown}")
    for part in expect.next_steps:
        if not any(part in s for s in decision.next_steps):
            problems.append(
                f"next steps do not mention {part!r}: {list(decision.next_steps)}"
            )
    if expect.same_as is not None:
        earlier = run.decisions.get(expect.same_as)
        if earlier is None:
            problems.append(f"same_as: no earlier decision of request {expect.same_as}")
        elif earlier != decision:
            problems.append(
                f"the decision differs from that of request {expect.same_as}"
            )


def _event_kinds(run: _Run, ids: Iterable[str]) -> list[str]:
    with run.register.store.unit_of_work() as uow:
        by_id = {e.id: e.kind.value for e in uow.events_since(None, None)}
    return [by_id.get(i, f"<missing {i}>") for i in ids]


def _obligation_text(o: Obligation) -> str:
    return (
        f"{o.kind.value} by {o.role.value}:{o.organisation} arises {o.arises} "
        f"due {o.due} {o.article}"
    )


def _obligation_problem(
    want: ObligationExpect, got: Obligation, is_open: bool | None = None
) -> str | None:
    pairs: list[tuple[str, object, object]] = [
        ("kind", want.kind, got.kind),
        ("due", want.due, got.due),
        ("arises", want.arises, got.arises),
        ("article", want.article, got.article),
        ("role", want.role, got.role),
        ("organisation", want.organisation, got.organisation),
        ("student", want.student, got.student),
        ("source", want.source, got.source.name),
    ]
    wrong = [
        f"{name} {_shown(expected)} ≠ {_shown(actual)}"
        for name, expected, actual in pairs
        if expected is not None and expected != actual
    ]
    if want.no_due and got.due is not None:
        wrong.append(f"due: expected none, got {got.due}")
    if want.text is not None and want.text not in got.text:
        wrong.append(f"text {got.text!r} lacks {want.text!r}")
    if want.open is not None and is_open is not None and want.open != is_open:
        wrong.append(f"open {is_open}, expected {want.open}")
    return ", ".join(wrong) or None


def _shown(value: object) -> str:
    return str(getattr(value, "value", value))


def _check_obligations(
    wanted: Sequence[ObligationExpect],
    got: Sequence[Obligation],
    problems: list[str],
    opens: Sequence[bool] | None = None,
) -> list[int]:
    """Each expected obligation matches a distinct one given (order does not
    matter: the regulation orders no duties); returns, per expectation, the
    index of the obligation it matched."""
    if len(wanted) != len(got):
        problems.append(
            f"obligations: expected {len(wanted)}, got {len(got)}: "
            + ("; ".join(_obligation_text(o) for o in got) or "none")
        )
        return []
    free = list(range(len(got)))
    matched: list[int] = []
    for number, want in enumerate(wanted, 1):

        def fits(i: int, want: ObligationExpect = want) -> bool:
            state = None if opens is None else opens[i]
            return _obligation_problem(want, got[i], state) is None

        index = next((i for i in free if fits(i)), None)
        if index is None:
            states = [None] * len(got) if opens is None else list(opens)
            closest = [
                f"{_obligation_text(got[i])} "
                f"({_obligation_problem(want, got[i], states[i])})"
                for i in free
                if got[i].kind is want.kind
            ]
            problems.append(
                f"obligation {number} ({want.kind.value}) not given; of that kind: "
                + ("; ".join(closest) or "none")
            )
            return []
        free.remove(index)
        matched.append(index)
    return matched


def _check_included(
    wanted: Sequence[ObligationExpect], got: Sequence[Obligation], problems: list[str]
) -> None:
    """Each expected obligation is among those given (others may be too)."""
    for want in wanted:
        if not any(_obligation_problem(want, o) is None for o in got):
            problems.append(
                f"no obligation {want.kind.value} as expected among: "
                + ("; ".join(_obligation_text(o) for o in got) or "none")
            )


def _check_job(
    run: _Run, expect: Expect, result: list[Any], problems: list[str]
) -> None:
    decisions = [r for r in result if isinstance(r, Decision)]
    students = [r if isinstance(r, str) else r.student for r in result]
    if expect.changed is not None and list(expect.changed) != students:
        problems.append(f"changed: expected {list(expect.changed)}, got {students}")
    got = [o for d in decisions for o in d.obligations]
    if expect.obligations is not None:
        _check_obligations(expect.obligations, got, problems)
    _check_included(expect.obligations_include, got, problems)


def _check_history(want: HistoryExpect, got: History, problems: list[str]) -> None:
    if want.number is not None and got.student.number != want.number:
        problems.append(f"history of {got.student.number}, expected {want.number}")
    if want.enrollments is not None and len(got.enrollments) != want.enrollments:
        problems.append(
            f"history shows {len(got.enrollments)} stints, expected {want.enrollments}"
        )
    if want.events is not None:
        kinds = [e.kind.value for e in got.events]
        if kinds != [k.value for k in want.events]:
            problems.append(
                f"history events: expected {[k.value for k in want.events]}, "
                f"got {kinds}"
            )


def _check_work(want: WorkExpect, got: WorkList, problems: list[str]) -> None:
    if want.steps is not None:
        names = [s.name for _p, s in got.steps]
        if names != list(want.steps):
            problems.append(
                f"work-list steps: expected {list(want.steps)}, got {names}"
            )
    if want.obligations is not None:
        _check_obligations(
            want.obligations, [o.obligation for o in got.obligations], problems
        )
    if want.overdue is not None:
        dues = [o.obligation.due for o in got.overdue()]
        if dues != list(want.overdue):
            problems.append(f"overdue: expected {list(want.overdue)}, got {dues}")


def _check_register(
    run: _Run, step: Step, expect: Expect, result: object, problems: list[str]
) -> None:
    with run.register.store.unit_of_work() as uow:
        for number, want in expect.students.items():
            student = uow.get_student(number)
            if student is None:
                problems.append(f"student {number}: not in the register")
                continue
            enrollments = sorted(
                uow.enrollments_of(student.number), key=lambda e: e.first_day
            )
            numbers = (*student.aliases, student.number)
            events = sorted(
                (e for n in dict.fromkeys(numbers) for e in uow.events_of(n)),
                key=lambda e: (e.recorded_at, e.on),
            )
            _check_student(number, want, student, enrollments, events, problems)
            _check_student_store(number, want, student, uow, problems)
        for key in expect.absent:
            if uow.get_student(key) is not None or uow.student_by_id_number(key):
                problems.append(f"{key}: should not be in the register; it is")
        if expect.procedures is not None:
            count = len(uow.procedures())
            if count != expect.procedures:
                problems.append(
                    f"procedures in the register: expected {expect.procedures}, "
                    f"got {count}"
                )
        if expect.procedure is not None:
            procedure = _procedure_for(run, uow, step, expect.procedure, problems)
            if procedure is not None:
                _check_procedure(expect.procedure, procedure, uow, problems)
        for audit in expect.audit:
            _check_audit(audit, uow, problems)


def _check_student(
    number: str,
    want: StudentExpect,
    student: xueji.Student,
    enrollments: list[xueji.Enrollment],
    events: list[xueji.StatusChange],
    problems: list[str],
) -> None:
    pairs: list[tuple[str, object, object]] = [
        ("number", want.number, student.number),
        ("aliases", _opt(want.aliases), list(student.aliases)),
        ("birth_date", want.birth_date, student.birth_date),
        ("id_number", want.id_number, student.id_number),
        ("status", _opt(want.status), [e.status for e in enrollments]),
        ("grades", _opt(want.grades), [e.grade for e in enrollments]),
        ("school_years", _opt(want.school_years), [e.school_year for e in enrollments]),
        (
            "status_until",
            _opt(want.status_until),
            [e.status_until for e in enrollments],
        ),
        ("last_days", _opt(want.last_days), [e.last_day for e in enrollments]),
        ("events", _opt(want.events), [e.kind for e in events]),
        ("schools", _opt(want.schools), [e.school for e in enrollments]),
    ]
    for name, expected, actual in pairs:
        if expected is not None and expected != actual:
            problems.append(
                f"student {number} {name}: expected {_listing(expected)}, got "
                f"{_listing(actual)}"
            )
    if want.last_events is not None:
        tail = [e.kind for e in events][-len(want.last_events) :]
        if tail != list(want.last_events):
            problems.append(
                f"student {number} latest events: expected "
                f"{_listing(list(want.last_events))}, got "
                f"{_listing([e.kind for e in events])}"
            )


def _check_student_store(
    number: str,
    want: StudentExpect,
    student: xueji.Student,
    uow: xueji.UnitOfWork,
    problems: list[str],
) -> None:
    """What the store keeps of a student besides stints and events."""
    archive = uow.get_archive(student.number)
    if want.archive is not None and want.archive != (archive is not None):
        held = archive is not None
        problems.append(
            f"student {number} archive: expected {want.archive}, got {held}"
        )
    if want.archive_at is not None:
        at = None if archive is None else archive.school
        if at != want.archive_at:
            problems.append(
                f"student {number} archive at {at}, expected {want.archive_at}"
            )
    if want.marks is not None:
        _check_marks(number, want.marks, xueji.marks_of(uow, student.number), problems)
    stored = uow.obligations(student=student.number)
    if want.obligations is not None:
        found: list[str] = []
        _check_obligations(
            want.obligations,
            [o.obligation for o in stored],
            found,
            [o.open for o in stored],
        )
        problems += [f"student {number} stored {p}" for p in found]
    for wanted in want.obligations_include:
        if not any(
            _obligation_problem(wanted, o.obligation, o.open) is None for o in stored
        ):
            listing = "; ".join(
                f"{_obligation_text(o.obligation)} open {o.open}" for o in stored
            )
            problems.append(
                f"student {number}: no stored obligation {wanted.kind.value} as "
                f"expected among: {listing}"
            )
    if want.certificates is not None:
        _check_certificates(
            number,
            want.certificates,
            xueji.certificates_of(uow, student.number),
            problems,
        )
    for kind, count in (want.records or {}).items():
        kept = len(uow.records(kind, student=student.number))
        if kept != count:
            problems.append(
                f"student {number} {kind} records: {kept}, expected {count}"
            )


def _check_marks(
    number: str, wanted: dict[date, Any], marks: dict[date, Any], problems: list[str]
) -> None:
    if marks != wanted:
        shown = {str(d): m.value for d, m in marks.items()}
        expected = {str(d): m.value for d, m in wanted.items()}
        problems.append(f"student {number} marks: expected {expected}, got {shown}")


def _check_certificates(
    number: str,
    wanted: Sequence[CertificateExpect],
    held: Sequence[xueji.Certificate],
    problems: list[str],
) -> None:
    shown = [f"{c.kind.value} {c.number} {c.school} seal {c.sealed_by}" for c in held]
    if len(held) != len(wanted):
        problems.append(
            f"student {number} certificates: expected {len(wanted)}, got {shown}"
        )
        return
    for want, certificate in zip(wanted, held, strict=True):
        if (
            certificate.kind.value != want.kind
            or want.number not in (None, certificate.number)
            or want.school not in (None, certificate.school)
            or want.sealed_by not in (None, certificate.sealed_by)
            or (want.unsealed and certificate.sealed_by is not None)
        ):
            problems.append(
                f"student {number} certificate: expected {want}, got {shown}"
            )


def _opt(value: Sequence[Any] | None) -> list[Any] | None:
    return None if value is None else list(value)


def _listing(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return _shown(value)


def _procedure_for(
    run: _Run,
    uow: xueji.UnitOfWork,
    step: Step,
    want: ProcedureExpect,
    problems: list[str],
) -> Procedure | None:
    if want.of is not None:
        ids = run.opened.get(want.of, [])
        if not ids:
            problems.append(f"procedure: request {want.of} opened none")
            return None
        return uow.get_procedure(ids[0])
    if isinstance(step, RequestStep):
        request_id = getattr(step.request, "id", "")
        ids = run.opened.get(request_id, [])
        if ids:
            return uow.get_procedure(ids[0])
        for name in ("procedure", "review"):
            value = getattr(step.request, name, None)
            if isinstance(value, str):
                ref = value.removeprefix(PROCEDURE_REF)
                opened = run.opened.get(ref, [value])
                return uow.get_procedure(opened[0])
    problems.append("procedure: this step opened or acted on none")
    return None


def _check_procedure(
    want: ProcedureExpect,
    got: Procedure,
    uow: xueji.UnitOfWork,
    problems: list[str],
) -> None:
    pairs: list[tuple[str, object, object]] = [
        ("kind", want.kind, got.kind),
        ("state", want.state, got.state),
        ("steps", _opt(want.steps), [s.state for s in got.steps]),
        ("due", want.due, got.due),
        ("step_due", _opt(want.step_due), [s.due for s in got.steps]),
        ("students", want.students, len(got.students) or (1 if got.student else 0)),
        ("names", _opt(want.names), [s.name for s in got.steps]),
        (
            "organisations",
            _opt(want.organisations),
            [s.organisation for s in got.steps],
        ),
        ("current", want.current, None if got.current is None else got.current.name),
    ]
    for name, expected, actual in pairs:
        if expected is not None and expected != actual:
            problems.append(
                f"procedure {name}: expected {_listing(expected)}, got "
                f"{_listing(actual)}"
            )
    for number in want.open_for or ():
        holder = uow.open_procedure_of(number)
        if holder is None or holder.id != got.id:
            problems.append(f"procedure does not hold {number} open")


def _check_audit(want: AuditExpect, uow: xueji.UnitOfWork, problems: list[str]) -> None:
    records = uow.audit(student=want.student, organisation=want.organisation)
    whose = want.organisation or want.student
    shown = [f"{'allowed' if a.allowed else 'denied'} {a.action!r}" for a in records]
    if len(records) != len(want.records):
        problems.append(
            f"audit of {whose}: expected {len(want.records)} records, got "
            f"{len(records)}: {shown}"
        )
        return
    for number, (wanted, record) in enumerate(
        zip(want.records, records, strict=True), 1
    ):
        if (
            wanted.allowed != record.allowed
            or (wanted.action is not None and wanted.action not in record.action)
            or (wanted.principal is not None and wanted.principal != record.principal)
        ):
            problems.append(
                f"audit of {whose}, record {number}: got {shown[number - 1]}"
            )
