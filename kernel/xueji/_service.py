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
from xueji._calendar import CalendarBook, WorkingDays
from xueji._context import Context, new_id
from xueji._decisions import Decision
from xueji._enrollment import (
    DuplicateResolution,
    consequences,
    entry_term,
)
from xueji._errors import AccessDeniedError, InvalidInputError, UnknownStudentError
from xueji._orgs import School, load_districts
from xueji._procedures import (
    AuditRecord,
    Procedure,
    ProcedureState,
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
from xueji._serialize import dumps
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
            ctx.uow.update_obligation(
                attrs.evolve(
                    item,
                    fulfilled_on=ctx.on,
                    fulfilled_by=str(ctx.principal),
                    outcome="resolved",
                    version=item.version + 1,
                )
            )


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


def digest(request: object) -> str:
    return hashlib.sha256(dumps(request).encode("utf-8")).hexdigest()


class Register:
    """A register of students under the regulation, on a store.

    Args:
        store: where the register lives (``MemoryStore`` or the SQLAlchemy
            adapter's ``SqlStore``).
        rules: the plugins in force; the municipal rules by default.
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
        self.calendars = calendars or self._calendars_from(self.rules)
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

    def close_registration_window(
        self, school_year: str, on: date, principal: Principal
    ) -> list[Decision]:
        """第十六条第二、三款, run once the 延期注册 window has closed: every
        admitted student who neither registered nor had a delayed
        registration gets the consequences of the stage.  Running it twice
        changes nothing."""
        decisions = []
        with self.store.unit_of_work() as uow:
            schools = [
                s
                for s in uow.schools()
                if principal.role is PrincipalRole.CITY
                or s.district == principal.organisation
                or s.code == principal.organisation
            ]
            waiting = [
                e
                for s in schools
                for e in uow.enrollments_at(s.code)
                if e.status is Status.ADMITTED and e.school_year == school_year
            ]
            now = self._clock()
            for enrollment in waiting:
                school = next(s for s in schools if s.code == enrollment.school)
                stage = school.system.stage_of(enrollment.grade)
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

    def end_deferrals(self, on: date, principal: Principal) -> list[str]:
        """第十一条第二款: a deferral does not renew itself.  Every 缓学 whose
        period ended before ``on`` returns to 待入学 for the next school year;
        running it twice changes nothing."""
        ended = []
        now = self._clock()
        with self.store.unit_of_work() as uow:
            for school in uow.schools():
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
                archive=uow.get_archive(student.number),
            )
            self._audit(
                uow,
                principal,
                "read history",
                allowed=True,
                student=student.number,
                now=now,
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
        with self.store.unit_of_work() as uow:
            return uow.decisions_of(number)


def run(function: Callable[[UnitOfWork], R], store: Store) -> R:
    with store.unit_of_work() as uow:
        return function(uow)
