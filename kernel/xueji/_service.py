"""The service layer: one unit of work per request.

:class:`Register` is what an embedding program, the CLI and the conformance
suite call.  ``submit`` checks the idempotency key, opens a unit of work,
checks the principal's scope, runs the handler of the request's kind, saves
the decision and the audit record, and commits — all or nothing.  A denied
attempt is audited in a unit of work of its own, so the denial is kept while
nothing of the request is.
"""

from __future__ import annotations

__all__ = ["History", "Register", "WorkList", "deny", "require_scope"]

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs

from xueji._access import Principal, PrincipalRole
from xueji._asof import AsOf, stints_on
from xueji._calendar import (
    CalendarBook,
    HolidaySchedule,
    SchoolCalendar,
    Term,
    WorkingDays,
)
from xueji._check import (
    CHECK,
    CheckRecord,
    CheckReport,
    ComplianceReport,
    Scope,
    ScopeKind,
    compliance_of,
    last_check,
    resolve_scope,
    survey,
)
from xueji._context import Context, new_id
from xueji._decisions import Decision
from xueji._disclosure import (
    DEFAULT_LIST_FIELDS,
    Export,
    ExportField,
    ExportResult,
    Table,
    class_list,
    run_export,
)
from xueji._enrollment import (
    DuplicateResolution,
    consequences,
    entry_term,
)
from xueji._errors import (
    AccessDeniedError,
    ConflictError,
    InvalidInputError,
    UnknownStudentError,
)
from xueji._inspection import INSPECTION, InspectionDraw, draw, verify_draw
from xueji._masking import FullRead, StudentView, full_read_basis, masked_view
from xueji._operator import (
    add_holiday_schedule,
    add_school_calendars,
    stored_calendar_data,
)
from xueji._orgs import CITY_CODE, School, load_districts
from xueji._oversight import Registrar, registrars_of
from xueji._procedures import (
    AuditRecord,
    Procedure,
    ProcedureState,
    Record,
    Step,
    StepState,
    StoredObligation,
)
from xueji._register import (
    Archive,
    ChangeKind,
    Enrollment,
    StatusChange,
    Student,
)
from xueji._rules import Rules
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition
from xueji._storage import Organisation, Store, UnitOfWork

log = logging.getLogger(__name__)

R = TypeVar("R")

import xueji._chapters  # noqa: E402, F401  (registers every request kind)
from xueji._registry import HANDLERS  # noqa: E402


class _Denied(Exception):
    def __init__(self, action: str, student: str | None) -> None:
        self.action = action
        self.student = student


def deny(ctx: Context, action: str, student: str | None) -> None:
    """Abort the request as outside the principal's scope; audited."""
    del ctx
    raise _Denied(action, student)


def require_scope(ctx: Context, school: School) -> None:
    """第四、四十二条: a school's registrar acts for that school; a district's
    for its schools; the city everywhere; an auditor writes nothing."""
    p = ctx.principal
    ok = (
        p.role is PrincipalRole.CITY
        or (p.role is PrincipalRole.DISTRICT and p.organisation == school.district)
        or (p.role is PrincipalRole.SCHOOL and p.organisation == school.code)
    )
    if not ok:
        deny(ctx, f"act for school {school.code}", None)


def renumber(ctx: Context, student: Student, number: str) -> None:
    """Replace a temporary L number; every record follows, the L number
    stays an alias (第十七条第二款)."""
    updated = attrs.evolve(
        student,
        number=number,
        aliases=(*student.aliases, student.number),
        version=student.version + 1,
    )
    ctx.uow.renumber_student(student.number, updated)
    for enrollment in ctx.uow.enrollments_of(student.number):
        ctx.uow.update_enrollment(
            attrs.evolve(enrollment, student=number, version=enrollment.version + 1)
        )
    archive = ctx.uow.get_archive(student.number)
    if archive is not None:
        ctx.uow.put_archive(attrs.evolve(archive, student=number))
    ctx.record(
        ChangeKind.NATIONAL_NUMBER,
        f"全国学籍号替换临时学籍号，原号保留为别名（{student.number}）",
        student=number,
        district=student.district,
        article="第十七条第二款",
        data={"alias": student.number},
    )


def close_review(
    ctx: Context, procedure: Procedure, request: DuplicateResolution
) -> None:
    steps = tuple(
        attrs.evolve(
            s,
            state=StepState.APPROVED,
            actor=str(ctx.principal),
            acted_at=ctx.now,
            acted_on=ctx.on,
            comment=("同一人" if request.same_person else "非同一人")
            + (f"：{request.comment}" if request.comment else ""),
        )
        if s.state is StepState.WAITING
        else s
        for s in procedure.steps
    )
    ctx.uow.update_procedure(
        attrs.evolve(
            procedure,
            steps=steps,
            state=ProcedureState.APPROVED,
            closed_on=ctx.on,
            version=procedure.version + 1,
        )
    )
    for item in ctx.uow.obligations(open_only=True):
        if item.procedure == procedure.id:
            ctx.close(item, "resolved")


@attrs.frozen
class WorkList:
    """What waits on one organisation as of a date."""

    organisation: str
    as_of: date
    steps: tuple[tuple[Procedure, Step], ...]
    obligations: tuple[StoredObligation, ...]

    def overdue(self) -> list[StoredObligation]:
        return [
            o
            for o in self.obligations
            if o.obligation.due is not None and o.obligation.due < self.as_of
        ]


@attrs.frozen
class History:
    """A student's history with citations: stints, events, decisions."""

    student: Student
    enrollments: tuple[Enrollment, ...]
    events: tuple[StatusChange, ...]
    archive: Archive | None
    # Set when the reader acts on the student (a procedure step or duty of
    # its own organisation): it may be shown full values (第四十四条).
    full_read: FullRead | None = None


def digest(request: object) -> str:
    return hashlib.sha256(dumps(request).encode("utf-8")).hexdigest()


class Register:
    """A register of students under the regulation, on a store.

    Args:
        store: where the register lives (``MemoryStore`` or the SQLAlchemy
            adapter's ``SqlStore``).
        rules: the plugins in force.  By default the built-in municipal
            rules alone: a library call does not change its answers because
            a package was installed.  A deployment that runs the installed
            district plugins passes ``Rules.from_entry_points()[0]`` (the
            command line does); see docs/plugins.md, "Loading".
        calendars: the calendar book; by default the statutory schedule and
            every school calendar the plugins supply.
        clock: the time stamped on records (UTC); tests pass a fixed one.
    """

    def __init__(
        self,
        store: Store,
        *,
        rules: Rules | None = None,
        calendars: CalendarBook | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.rules = rules or Rules.municipal()
        # Calendar data an operator kept in the register (xueji calendar add)
        # is added to whatever book the register starts from.
        self.calendars = stored_calendar_data(
            store, calendars or self._calendars_from(self.rules)
        )
        self._clock = clock or (lambda: datetime.now(UTC))

    @staticmethod
    def _calendars_from(rules: Rules) -> CalendarBook:
        """The statutory schedule, every plugin's school calendars, and the
        closure days each district's plugins declare for those years."""
        calendars = []
        for _info, answer in rules.collect("xueji_school_calendars"):
            calendars.extend(answer)
        book = CalendarBook(WorkingDays(), calendars)
        years = sorted({c.school_year for c in calendars})
        for district in load_districts():
            days: set[date] = set()
            for year in years:
                first = date(int(year[:4]), 9, 1)
                if rules.blocked(district.code, first):
                    continue  # its requests raise PluginError naming the plugin
                for _source, answer in rules.combined(
                    "xueji_closure_days",
                    district=district.code,
                    on=first,
                    school_year=year,
                ):
                    days.update(answer)
            if days:
                book = book.with_closures(district.code, days)
        return book

    # -------------------------------------------------------------- writes

    def add_school_calendars(
        self, calendars: list[SchoolCalendar], principal: Principal
    ) -> None:
        """Keep school calendars (校历) in the register, e.g. a school year
        not yet in the published data; later requests use them."""
        add_school_calendars(self.store, calendars, principal)
        self.calendars = self.calendars.with_calendars(calendars)

    def add_holiday_schedule(
        self, schedule: HolidaySchedule, principal: Principal
    ) -> None:
        """Keep a year's State Council holiday schedule in the register."""
        add_holiday_schedule(self.store, schedule, principal)
        self.calendars = self.calendars.with_holiday_schedules([schedule])

    def submit(self, request: Any, principal: Principal) -> Decision:
        """Decide one request and persist the outcome atomically."""
        handler = HANDLERS.get(type(request))
        if handler is None:
            raise InvalidInputError(
                f"{type(request).__name__} is not a request xueji knows"
            )
        key: str | None = getattr(request, "idempotency_key", None)
        request_digest = digest(request)
        if key is not None:
            with self.store.unit_of_work() as uow:
                known = uow.recall(key)
            if known is not None:
                if known[0] != request_digest:
                    from xueji._errors import DuplicateRequestError

                    raise DuplicateRequestError(
                        f"idempotency key {key!r} was used for a different "
                        "request; use a new key for a new request"
                    )
                return known[1]
        now = self._clock()
        try:
            with self.store.unit_of_work() as uow:
                # The twin under the same key may have committed since the
                # look-up above: look again inside the deciding unit of work.
                twin = uow.recall(key) if key is not None else None
                if twin is not None and twin[0] == request_digest:
                    return twin[1]
                ctx = Context(
                    uow=uow,
                    rules=self.rules,
                    calendars=self.calendars,
                    principal=principal,
                    request_id=getattr(request, "id", None) or new_id("req"),
                    on=request.on,
                    now=now,
                )
                decision = handler(ctx, request)
                if key is not None and uow.recall(key) is not None:
                    raise ConflictError(
                        f"a request under idempotency key {key!r} was decided "
                        "while this one was; retry it to read that decision"
                    )
                uow.save_decision(decision, key=key, digest=request_digest)
                self._audit(
                    uow,
                    principal,
                    f"submit {decision.kind}: {decision.outcome.value}",
                    allowed=True,
                    student=decision.student,
                    target=decision.request_id,
                    now=now,
                )
                uow.commit()
        except _Denied as denied:
            self._record_denial(principal, denied, now)
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not "
                f"{denied.action}: outside its scope (第四、四十二条)"
            ) from None
        log.info(
            "decided %s %s: %s",
            decision.kind,
            decision.request_id,
            decision.outcome.value,
        )
        return decision

    def submit_batch(
        self,
        requests: Iterable[Any],
        principal: Principal,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> list[Decision]:
        """Decide many requests in one unit of work: all are persisted, or —
        when any raises (bad input, a missing calendar, a denied scope) —
        none is.  Refusals are decisions and do not stop the batch."""
        now = self._clock()
        decisions: list[Decision] = []
        try:
            with self.store.unit_of_work() as uow:
                for request in requests:
                    handler = HANDLERS.get(type(request))
                    if handler is None:
                        raise InvalidInputError(
                            f"{type(request).__name__} is not a request xueji knows"
                        )
                    ctx = Context(
                        uow=uow,
                        rules=self.rules,
                        calendars=self.calendars,
                        principal=principal,
                        request_id=getattr(request, "id", None) or new_id("req"),
                        on=request.on,
                        now=now,
                    )
                    decision = handler(ctx, request)
                    key = getattr(request, "idempotency_key", None)
                    uow.save_decision(
                        decision,
                        key=key,
                        digest=digest(request) if key is not None else None,
                    )
                    decisions.append(decision)
                    if progress is not None:
                        progress(len(decisions))
                self._audit(
                    uow,
                    principal,
                    f"submit batch of {len(decisions)}",
                    allowed=True,
                    now=now,
                )
                uow.commit()
        except _Denied as denied:
            self._record_denial(principal, denied, now)
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not "
                f"{denied.action}: outside its scope (第四、四十二条)"
            ) from None
        return decisions

    def _audit(
        self,
        uow: UnitOfWork,
        principal: Principal,
        action: str,
        *,
        allowed: bool,
        now: datetime,
        student: str | None = None,
        target: str | None = None,
        detail: str = "",
    ) -> None:
        uow.append_audit(
            AuditRecord(
                id=new_id("aud"),
                at=now,
                principal=str(principal),
                organisation=principal.organisation,
                action=action,
                allowed=allowed,
                student=student,
                target=target,
                detail=detail,
            )
        )

    def _record_denial(
        self, principal: Principal, denied: _Denied, now: datetime
    ) -> None:
        with self.store.unit_of_work() as uow:
            self._audit(
                uow,
                principal,
                f"denied: {denied.action}",
                allowed=False,
                student=denied.student,
                now=now,
            )
            uow.commit()

    def load_organisations(
        self, organisations: Iterable[Organisation], principal: Principal
    ) -> int:
        """Load reference data (schools, districts, townships, offices).
        The city or a district (for its own organisations) may do it."""
        items = list(organisations)
        now = self._clock()
        allowed = principal.role is PrincipalRole.CITY or (
            principal.role is PrincipalRole.DISTRICT
            and all(
                getattr(o, "district", o.code) == principal.organisation for o in items
            )
        )
        if not allowed:
            self._record_denial(principal, _Denied("load organisations", None), now)
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not load "
                "these organisations: the city loads all, a district its own"
            )
        with self.store.unit_of_work() as uow:
            for org in items:
                uow.put_organisation(org)
            self._audit(
                uow,
                principal,
                f"load {len(items)} organisations",
                allowed=True,
                now=now,
            )
            uow.commit()
        return len(items)

    # -------------------------------------------------------------- jobs

    def _require_job_scope(self, principal: Principal, action: str) -> None:
        """Jobs write: the city, a district or a school runs them for its own
        schools; an auditor or a township never does."""
        if principal.role in (PrincipalRole.AUDITOR, PrincipalRole.TOWNSHIP):
            self._record_denial(principal, _Denied(action, None), self._clock())
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not {action}: "
                "jobs are run by the city, a district or a school (第四条)"
            )

    @staticmethod
    def _schools_in_scope(uow: UnitOfWork, principal: Principal) -> list[School]:
        return [
            s
            for s in uow.schools()
            if principal.role is PrincipalRole.CITY
            or (
                principal.role is PrincipalRole.DISTRICT
                and s.district == principal.organisation
            )
            or (
                principal.role is PrincipalRole.SCHOOL
                and s.code == principal.organisation
            )
        ]

    def close_registration_window(
        self, school_year: str, on: date, principal: Principal
    ) -> list[Decision]:
        """第十六条第二、三款, run once the 延期注册 window has closed: every
        admitted student who neither registered nor had a delayed
        registration gets the consequences of the stage.  Running it twice
        changes nothing."""
        decisions = []
        self._require_job_scope(principal, "close the registration window")
        with self.store.unit_of_work() as uow:
            schools = self._schools_in_scope(uow, principal)
            waiting = [
                e
                for s in schools
                for e in uow.enrollments_at(s.code)
                if e.status is Status.ADMITTED and e.school_year == school_year
            ]
            now = self._clock()
            for enrollment in waiting:
                school = next(s for s in schools if s.code == enrollment.school)
                stage = self.rules.school_system(school, on).value.stage_of(
                    enrollment.grade
                )
                term = entry_term(self.calendars, enrollment, stage)
                window = self.calendars.days_after_term_start(term, 5)
                if on <= window:
                    continue
                student = uow.get_student(enrollment.student)
                assert student is not None
                if any(
                    e.kind is ChangeKind.DELAYED_REGISTRATION
                    for e in uow.events_of(student.number)
                ):
                    continue
                ctx = Context(
                    uow=uow,
                    rules=self.rules,
                    calendars=self.calendars,
                    principal=principal,
                    request_id=new_id("job"),
                    on=on,
                    now=now,
                )
                consequences(ctx, student, enrollment, school, stage, window)
                if ctx.obligations or ctx.events:
                    decision = ctx.decide("registration-window", student.number)
                    uow.save_decision(decision, key=None, digest=None)
                    decisions.append(decision)
            self._audit(
                uow,
                principal,
                f"close registration window {school_year}: {len(decisions)} changed",
                allowed=True,
                now=now,
            )
            uow.commit()
        return decisions

    def mark_missed_term_registration(
        self, term: Term, on: date, principal: Principal
    ) -> list[Decision]:
        """第二十一条, run once the term's registration window (开学后5个工作日)
        has closed: every student in school who neither registered nor asked
        for leave is marked 旷课 for the school days until registration
        (:func:`xueji._attendance.missed_term_registration`).  Running it
        twice changes nothing."""
        from xueji._attendance import missed_term_registration

        self._require_job_scope(principal, "mark missed term registrations")
        return missed_term_registration(
            self.store,
            self.rules,
            self.calendars,
            term,
            on,
            principal,
            now=self._clock(),
        )

    def end_deferrals(self, on: date, principal: Principal) -> list[str]:
        """第十一条第二款: a deferral does not renew itself.  Every 缓学 whose
        period ended before ``on`` returns to 待入学 for the next school year;
        running it twice changes nothing."""
        ended = []
        now = self._clock()
        self._require_job_scope(principal, "end deferrals")
        with self.store.unit_of_work() as uow:
            for school in self._schools_in_scope(uow, principal):
                for enrollment in uow.enrollments_at(school.code):
                    if enrollment.status is not Status.DEFERRED:
                        continue
                    if enrollment.status_until is None or enrollment.status_until >= on:
                        continue
                    check_transition(Status.DEFERRED, Status.ADMITTED)
                    first = int(enrollment.school_year[:4]) + 1
                    uow.update_enrollment(
                        attrs.evolve(
                            enrollment,
                            status=Status.ADMITTED,
                            school_year=f"{first}-{first + 1}",
                            status_until=None,
                            version=enrollment.version + 1,
                        )
                    )
                    ctx = Context(
                        uow,
                        self.rules,
                        self.calendars,
                        principal,
                        new_id("job"),
                        on,
                        now,
                    )
                    ctx.record(
                        ChangeKind.DEFERRAL_ENDED,
                        "缓学期满；仍不能就学的，应当重新提出申请",
                        student=enrollment.student,
                        district=enrollment.district,
                        article="第十一条第二款",
                        enrollment=enrollment.id,
                        source_status=Status.DEFERRED,
                        target_status=Status.ADMITTED,
                    )
                    ended.append(enrollment.student)
            uow.commit()
        return ended

    def end_suspensions(self, on: date, principal: Principal) -> list[Decision]:
        """第三十五条第二款, run after each school day's attendance: every 休学
        whose period ended before ``on`` with neither extension nor return
        goes back to 在籍, flagged as not returned, and each following school
        day without a mark is 旷课 (:func:`xueji._suspension.lapse_suspensions`).
        Running it twice changes nothing."""
        from xueji._suspension import lapse_suspensions

        self._require_job_scope(principal, "end suspensions")
        now = self._clock()
        with self.store.unit_of_work() as uow:
            decisions = lapse_suspensions(
                uow, self.rules, self.calendars, principal, on, now
            )
            self._audit(
                uow,
                principal,
                f"end suspensions on {on}: {len(decisions)} changed",
                allowed=True,
                now=now,
            )
            uow.commit()
        return decisions

    # -------------------------------------------------------------- reads

    def history(self, number: str, principal: Principal) -> History:
        """A student's whole history, if the principal's scope covers it."""
        now = self._clock()
        with self.store.unit_of_work() as uow:
            student = uow.get_student(number)
            enrollments = uow.enrollments_of(student.number) if student else []
            if student is None or not self._may_read(uow, principal, enrollments):
                # Deny without telling whether the student exists.
                self._audit(
                    uow, principal, "denied: read history", allowed=False, now=now
                )
                uow.commit()
                raise UnknownStudentError(
                    "no student with that 学籍号 within your scope; check the "
                    "number or ask the student's school or district"
                )
            enrollments, period = self._visible(principal, enrollments)
            history = History(
                student=student,
                enrollments=tuple(enrollments),
                events=tuple(
                    sorted(
                        (
                            e
                            for n in (*student.aliases, student.number)
                            for e in uow.events_of(n)
                            if period is None or period[0] <= e.on <= period[1]
                        ),
                        key=lambda e: (e.recorded_at, e.on),
                    )
                ),
                # A school that keeps read-only access to its own period
                # does not see the archive, which moved with the student
                # (第二十九条 籍随人走).
                archive=None if period is not None else uow.get_archive(student.number),
                full_read=(full_read := full_read_basis(uow, principal, student)),
            )
            self._audit(
                uow,
                principal,
                "full read" if full_read else "read history",
                allowed=True,
                student=student.number,
                now=now,
                target=full_read.subject if full_read else None,
                detail=f"{full_read.basis}（{full_read.article}）" if full_read else "",
            )
            uow.commit()
        return history

    @staticmethod
    def _visible(
        principal: Principal, enrollments: list[Enrollment]
    ) -> tuple[list[Enrollment], tuple[date, date] | None]:
        """A school keeps read-only access to its own period of a student who
        left (its stints there, and the events dated within them)."""
        if principal.role is not PrincipalRole.SCHOOL:
            return enrollments, None
        own = [e for e in enrollments if e.school == principal.organisation]
        if any(e.last_day is None for e in own):
            return enrollments, None
        first = min(e.first_day for e in own)
        last = max(e.last_day for e in own if e.last_day is not None)
        return own, (first, last)

    @staticmethod
    def _may_read(
        uow: UnitOfWork, principal: Principal, enrollments: list[Enrollment]
    ) -> bool:
        if principal.role is PrincipalRole.CITY:
            return True
        for enrollment in enrollments:
            if (
                principal.role in (PrincipalRole.DISTRICT, PrincipalRole.AUDITOR)
                and enrollment.district == principal.organisation
            ):
                return True
            if (
                principal.role is PrincipalRole.SCHOOL
                and enrollment.school == principal.organisation
            ):
                return True
            if principal.role is PrincipalRole.TOWNSHIP:
                township = uow.get_township(principal.organisation)
                if township is not None and township.district == enrollment.district:
                    return True
        return False

    def work(self, organisation: str, as_of: date, principal: Principal) -> WorkList:
        """What waits on an organisation as of a date: procedure steps to act
        on, and obligations open, due, or overdue (第四、四十二条)."""
        self._require_org_scope(principal, organisation, "read the work list of")
        with self.store.unit_of_work() as uow:
            steps = [
                (p, step)
                for p in uow.procedures(open_only=True)
                if (step := p.current) is not None and step.organisation == organisation
            ]
            obligations = [
                o
                for o in uow.obligations(organisation=organisation, open_only=True)
                if o.obligation.arises <= as_of
            ]
        return WorkList(
            organisation=organisation,
            as_of=as_of,
            steps=tuple(steps),
            obligations=tuple(obligations),
        )

    def audit_trail(
        self,
        principal: Principal,
        *,
        student: str | None = None,
        organisation: str | None = None,
    ) -> list[AuditRecord]:
        """The audit records of a student or an organisation, for the city,
        an auditor or district of its own organisations, or the
        organisation itself."""
        if organisation is not None:
            self._require_org_scope(principal, organisation, "read the audit of")
        if student is not None:
            self.history(student, principal)  # scope check, audited
        with self.store.unit_of_work() as uow:
            records = uow.audit(student=student, organisation=organisation)
        return records

    def _require_org_scope(
        self, principal: Principal, organisation: str, action: str
    ) -> None:
        with self.store.unit_of_work() as uow:
            district = None
            school = uow.get_school(organisation)
            township = uow.get_township(organisation)
            if school is not None:
                district = school.district
            elif township is not None:
                district = township.district
            else:
                district = organisation
        ok = (
            principal.role is PrincipalRole.CITY
            or principal.organisation == organisation
            or (
                principal.role in (PrincipalRole.DISTRICT, PrincipalRole.AUDITOR)
                and principal.organisation == district
            )
        )
        if not ok:
            self._record_denial(
                principal, _Denied(f"{action} {organisation}", None), self._clock()
            )
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not {action} "
                f"{organisation}: outside its scope (第四、四十二条)"
            )

    def decisions_of(self, number: str) -> list[Decision]:
        """Every decision about a student, under its 学籍号 and aliases."""
        with self.store.unit_of_work() as uow:
            student = uow.get_student(number)
            numbers = (*student.aliases, student.number) if student else (number,)
            return [d for n in numbers for d in uow.decisions_of(n)]

    # ------------------------------------------ Chapter 9: 第四十二至四十七条

    def student_view(self, number: str, principal: Principal) -> StudentView:
        """A student as ``principal`` may be shown it (第四十四条).

        Masked, unless the principal acts on the student — owns the current
        step of its open procedure, or has an open duty for it — in which
        case the view is full and the read is audited as a ``full read``.
        Outside the principal's scope this raises UnknownStudentError, the
        same as for a number that does not exist (see :meth:`history`)."""
        return masked_view(self.history(number, principal), principal)

    def class_list(
        self,
        school: str,
        on: date,
        principal: Principal,
        *,
        grade: int | None = None,
        fields: tuple[ExportField, ...] = DEFAULT_LIST_FIELDS,
    ) -> Table:
        """The students of a school on a date, always masked (第四十四条).
        The school, its district (registrar or auditor) and the city may
        read it; the read is audited."""
        self._require_org_scope(principal, school, "read the class list of")
        now = self._clock()
        with self.store.unit_of_work() as uow:
            table = class_list(uow, school, on, grade=grade, fields=fields)
            self._audit(
                uow,
                principal,
                "read class list",
                allowed=True,
                target=school,
                now=now,
                detail=f"{len(table.rows)} rows",
            )
            uow.commit()
        return table

    def export(self, request: Export, principal: Principal) -> ExportResult:
        """第四十四条: a class list for an outside party, under a recorded
        written approval.  Refused without one that covers the date, the
        recipient, the school and the fields — the attempt is recorded and
        audited; allowed, the rows are limited to the fields asked for,
        masked unless the approval names a field in full, and the export is
        recorded with its approval.  Write the file with
        :func:`xueji.write_csv`."""
        self._require_org_scope(principal, request.school, "export the students of")
        now = self._clock()
        with self.store.unit_of_work() as uow:
            ctx = Context(
                uow, self.rules, self.calendars, principal, request.id, request.on, now
            )
            result = run_export(ctx, request)
            uow.save_decision(result.decision, key=None, digest=None)
            reasons = "; ".join(
                f"{r.code} ({r.article})" for r in result.decision.refusals
            )
            self._audit(
                uow,
                principal,
                "denied: export (第四十四条)" if result.refused else "export",
                allowed=not result.refused,
                target=request.approval,
                now=now,
                detail=reasons or f"{len(result.rows)} rows to {request.recipient}",
            )
            uow.commit()
        log.info("export %s: %s", request.id, result.decision.outcome.value)
        return result

    def registrars(self, organisation: str, on: date) -> list[Registrar]:
        """The registrars of an organisation on a date (第四十二条第二款):
        whom its obligations and procedure steps are addressed to."""
        with self.store.unit_of_work() as uow:
            return registrars_of(uow, organisation, on)

    def _check_report(
        self, uow: UnitOfWork, scope: Scope, as_of: date, principal: Principal
    ) -> CheckReport:
        last = last_check(uow, scope)
        found = survey(uow, self.calendars, self.rules, scope, as_of, last)
        if scope.kind is ScopeKind.CITY:
            districts = tuple(d.code for d in uow.districts())
        else:
            districts = (scope.code,) if scope.kind is ScopeKind.DISTRICT else ()
        return CheckReport(
            scope=scope.code,
            scope_kind=scope.kind,
            as_of=as_of,
            run_at=self._clock(),
            principal=str(principal),
            since=last.run_at if last is not None else None,
            schools=tuple(s.code for s in scope.schools),
            districts=districts,
            stints=found.stints,
            changes=found.changes,
            findings=found.findings,
        )

    def term_check(
        self, scope_org: str, as_of: date, principal: Principal
    ) -> CheckReport:
        """第四十三条: the term check of a school, a district or the city
        (``110000``) as of a date.  The changes listed are those recorded
        since the scope's last recorded check; the check is recorded (a
        record of kind ``term-check``) unless an auditor runs it.  Print
        ``report.text()``, ``report.csv()`` or ``unstructure(report)``."""
        self._require_org_scope(principal, scope_org, "run the term check of")
        with self.store.unit_of_work() as uow:
            scope = resolve_scope(uow, scope_org)
            report = self._check_report(uow, scope, as_of, principal)
            if principal.role is not PrincipalRole.AUDITOR:
                kept = CheckRecord(
                    scope=report.scope,
                    as_of=as_of,
                    run_at=report.run_at,
                    principal=report.principal,
                    since=report.since,
                    stints=report.stints,
                    changes=len(report.changes),
                    findings=tuple(report.counts().items()),
                )
                record = Record(
                    id=new_id("check"),
                    kind=CHECK,
                    district=scope.district or CITY_CODE,
                    on=as_of,
                    data=dumps(kept),
                    school=scope.code if scope.kind is ScopeKind.SCHOOL else None,
                    recorded_at=report.run_at,
                )
                uow.add_record(record)
                report = attrs.evolve(report, record=record.id)
            self._audit(
                uow,
                principal,
                "term check",
                allowed=True,
                target=scope_org,
                now=report.run_at,
                detail=f"as of {as_of}: {len(report.findings)} findings",
            )
            uow.commit()
        log.info(
            "term check of %s as of %s: %d finding(s)",
            scope_org,
            as_of,
            len(report.findings),
        )
        return report

    def compliance(
        self, scope_org: str, as_of: date, principal: Principal
    ) -> ComplianceReport:
        """第四十六、四十七条: the findings of a check of ``scope_org`` as of
        ``as_of``, by item of 第四十七条 for each school and by duty for each
        district.  Runs the check's rules without recording a check."""
        self._require_org_scope(principal, scope_org, "read the compliance of")
        with self.store.unit_of_work() as uow:
            scope = resolve_scope(uow, scope_org)
            report = self._check_report(uow, scope, as_of, principal)
            self._audit(
                uow,
                principal,
                "compliance report",
                allowed=True,
                target=scope_org,
                now=report.run_at,
            )
            uow.commit()
        return compliance_of(report)

    def draw_inspection(
        self,
        *,
        on: date,
        seed: str,
        inspectors: Iterable[str],
        schools: int,
        inspectors_per_school: int,
        principal: Principal,
        scope: str = CITY_CODE,
    ) -> InspectionDraw:
        """第四十五条 双随机、一公开: draw schools of ``scope`` (a district, or
        the city) and inspectors for each, from the published ``seed``; the
        inputs and result are recorded.  The city draws."""
        now = self._clock()
        if principal.role is not PrincipalRole.CITY:
            self._record_denial(principal, _Denied("draw an inspection", None), now)
            raise AccessDeniedError(
                f"{principal.role.value} {principal.organisation} may not draw an "
                "inspection: 市教委采取“双随机、一公开”检查 (第四十五条)"
            )
        with self.store.unit_of_work() as uow:
            drawn_from = resolve_scope(uow, scope)
            if drawn_from.kind is ScopeKind.SCHOOL:
                raise InvalidInputError(
                    f"{scope} is a school; draw from a district or the city (110000)"
                )
            population = drawn_from.schools
            result = draw(
                draw_id=new_id("draw"),
                on=on,
                scope=scope,
                seed=seed,
                schools=(s.code for s in population),
                inspectors=inspectors,
                schools_drawn=schools,
                inspectors_per_school=inspectors_per_school,
                drawn_by=str(principal),
            )
            uow.add_record(
                Record(
                    id=result.id,
                    kind=INSPECTION,
                    district=scope,
                    on=on,
                    data=dumps(result),
                    recorded_at=now,
                )
            )
            self._audit(
                uow,
                principal,
                "inspection draw",
                allowed=True,
                target=result.id,
                now=now,
            )
            uow.commit()
        return result

    def inspection_draws(self) -> list[InspectionDraw]:
        """Every recorded draw, oldest first: public (第四十五条 一公开)."""
        with self.store.unit_of_work() as uow:
            records = uow.records(INSPECTION)
        return [loads(r.data, InspectionDraw, source=r.id) for r in records]

    def verify_inspection(self, draw_id: str) -> bool:
        """Run a recorded draw again on its published inputs; True when the
        result is the published one."""
        for published in self.inspection_draws():
            if published.id == draw_id:
                return verify_draw(published)
        raise InvalidInputError(f"no inspection draw {draw_id!r} is recorded")

    # ------------------------------------------------------------ as of a day

    def as_of(self, number: str, day: date, principal: Principal) -> AsOf:
        """The student's stints active on ``day``, each with the school,
        grade and status of that day, worked out from the stints and the
        学籍变动 log (:mod:`xueji._asof`).  The scope is :meth:`history`'s:
        outside it this raises UnknownStudentError, as for a number that
        does not exist; a school that keeps read-only access to its period
        of a student who left sees its own stints only.  The read is
        audited."""
        now = self._clock()
        with self.store.unit_of_work() as uow:
            student = uow.get_student(number)
            enrollments = uow.enrollments_of(student.number) if student else []
            if student is None or not self._may_read(uow, principal, enrollments):
                self._audit(
                    uow, principal, "denied: read as of", allowed=False, now=now
                )
                uow.commit()
                raise UnknownStudentError(
                    "no student with that 学籍号 within your scope; check the "
                    "number or ask the student's school or district"
                )
            enrollments, _period = self._visible(principal, enrollments)
            events = [
                e for n in (*student.aliases, student.number) for e in uow.events_of(n)
            ]
            answer = stints_on(student.number, enrollments, events, day)
            self._audit(
                uow,
                principal,
                "read as of",
                allowed=True,
                student=student.number,
                now=now,
                detail=f"as of {day}",
            )
            uow.commit()
        return answer


def run(function: Callable[[UnitOfWork], R], store: Store) -> R:
    with store.unit_of_work() as uow:
        return function(uow)
