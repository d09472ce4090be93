"""What a rule sees while one request is decided.

A :class:`Context` holds the unit of work, the rules in force, the calendar,
the principal and the request's date, and collects the reasons, obligations,
events and trace that become the :class:`~xueji.Decision`.  Chapter modules
write their handlers against it: guard, compute, persist, return.
"""

from __future__ import annotations

__all__ = ["Context", "new_id"]

import uuid
from datetime import date, datetime
from typing import Any

import attrs

from xueji._access import Principal
from xueji._calendar import CalendarBook
from xueji._decisions import (
    MUNICIPAL,
    Decision,
    Obligation,
    ObligationKind,
    Outcome,
    Reason,
    Role,
    Severity,
    Source,
    TraceStep,
)
from xueji._procedures import StoredObligation
from xueji._register import ChangeKind, StatusChange
from xueji._rules import Answer, Rules
from xueji._status import Status
from xueji._storage import UnitOfWork


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@attrs.define
class Context:
    uow: UnitOfWork
    rules: Rules
    calendars: CalendarBook
    principal: Principal
    request_id: str
    on: date
    now: datetime
    reasons: list[Reason] = attrs.Factory(list)
    obligations: list[Obligation] = attrs.Factory(list)
    events: list[StatusChange] = attrs.Factory(list)
    trace: list[TraceStep] = attrs.Factory(list)
    next_steps: list[str] = attrs.Factory(list)
    pending: bool = False

    # reasons
    def refuse(
        self, code: str, text: str, article: str, source: Source = MUNICIPAL
    ) -> None:
        self.reasons.append(Reason(code, text, article, Severity.REFUSAL, source))

    def missing(
        self, code: str, text: str, article: str, source: Source = MUNICIPAL
    ) -> None:
        self.reasons.append(Reason(code, text, article, Severity.MISSING, source))

    def warn(
        self, code: str, text: str, article: str, source: Source = MUNICIPAL
    ) -> None:
        self.reasons.append(Reason(code, text, article, Severity.WARNING, source))

    def inform(
        self, code: str, text: str, article: str, source: Source = MUNICIPAL
    ) -> None:
        self.reasons.append(Reason(code, text, article, Severity.INFO, source))

    def check(
        self, rule: str, article: str, result: object, source: Source = MUNICIPAL
    ) -> None:
        self.trace.append(TraceStep(rule, article, str(result), source))

    def consider(self, rule: str, article: str, answer: Answer[Any]) -> None:
        """Trace every answer a delegation point received — the one chosen,
        those replaced or combined, and plugins that had no rule — each under
        the plugin and version that gave it (DESIGN.md §3)."""
        for considered in answer.considered:
            self.trace.append(
                TraceStep(
                    rule,
                    article,
                    f"{considered.value} [{considered.verdict}]",
                    considered.source,
                )
            )

    @property
    def refused(self) -> bool:
        return any(r.severity is Severity.REFUSAL for r in self.reasons)

    @property
    def incomplete(self) -> bool:
        return any(r.severity is Severity.MISSING for r in self.reasons)

    @property
    def blocked(self) -> bool:
        """Refused or incomplete: nothing may be written but the decision."""
        return self.refused or self.incomplete

    # writes
    def oblige(
        self,
        kind: ObligationKind,
        text: str,
        *,
        role: Role,
        organisation: str,
        arises: date,
        due: date | None,
        article: str,
        student: str | None,
        district: str,
        procedure: str | None = None,
        source: Source = MUNICIPAL,
    ) -> Obligation:
        obligation = Obligation(
            kind, text, role, organisation, arises, due, article, student, source
        )
        self.obligations.append(obligation)
        self.uow.add_obligation(
            StoredObligation(
                id=new_id("obl"),
                obligation=obligation,
                district=district,
                decision=self.request_id,
                procedure=procedure,
            )
        )
        return obligation

    def close(
        self, item: StoredObligation, outcome: str, *, on: date | None = None
    ) -> StoredObligation:
        """Close an open obligation as carried out by this request's
        principal (the record stays; nothing is deleted)."""
        closed = attrs.evolve(
            item,
            fulfilled_on=on or self.on,
            fulfilled_by=str(self.principal),
            outcome=outcome,
            version=item.version + 1,
        )
        self.uow.update_obligation(closed)
        return closed

    def record(
        self,
        kind: ChangeKind,
        summary: str,
        *,
        student: str,
        district: str,
        article: str,
        on: date | None = None,
        enrollment: str | None = None,
        source_status: Status | None = None,
        target_status: Status | None = None,
        data: dict[str, str] | None = None,
        actor: str | None = None,
        recorded_at: datetime | None = None,
    ) -> StatusChange:
        """Append a 学籍变动 event.  ``actor`` and ``recorded_at`` default to
        this request's principal and time; a procedure completing writes each
        step's event under the step's own actor and time."""
        event = StatusChange(
            id=new_id("evt"),
            student=student,
            district=district,
            on=on or self.on,
            kind=kind,
            article=article,
            actor=actor or str(self.principal),
            summary=summary,
            recorded_at=recorded_at or self.now,
            enrollment=enrollment,
            source_status=source_status,
            target_status=target_status,
            request_id=self.request_id,
            data=tuple(sorted((data or {}).items())),
        )
        self.uow.append_event(event)
        self.events.append(event)
        return event

    def decide(self, kind: str, student: str | None) -> Decision:
        if self.refused:
            outcome = Outcome.REFUSED
        elif self.incomplete:
            outcome = Outcome.INCOMPLETE
        elif self.pending:
            outcome = Outcome.PENDING
        else:
            outcome = Outcome.ACCEPTED
        return Decision(
            request_id=self.request_id,
            kind=kind,
            outcome=outcome,
            decided_on=self.on,
            student=student,
            reasons=tuple(self.reasons),
            obligations=tuple(self.obligations),
            events=tuple(e.id for e in self.events),
            trace=tuple(self.trace),
            next_steps=tuple(self.next_steps),
        )
