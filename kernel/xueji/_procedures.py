"""Records of multi-level procedures (DESIGN.md §2 "Procedures").

A procedure is a sequence of steps; each step has an owner level and
organisation, a side where two schools or districts take part, the actor who
acted, the time, a comment and a due date.  The workflow engine that moves
them lives in :mod:`xueji._workflow`; these are the stored values.
"""

from __future__ import annotations

__all__ = [
    "AuditRecord",
    "Procedure",
    "ProcedureState",
    "Record",
    "Side",
    "Step",
    "StepState",
    "StoredObligation",
]

import enum
from datetime import date, datetime

import attrs

from xueji._decisions import Obligation, Role


class ProcedureState(enum.Enum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        return self is ProcedureState.OPEN


class StepState(enum.Enum):
    WAITING = "waiting"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # returned for more documents
    FILED = "filed"  # a filing (备案) recorded


class Side(enum.Enum):
    NONE = "none"
    SENDING = "sending"
    RECEIVING = "receiving"


@attrs.frozen
class Step:
    name: str
    role: Role
    organisation: str
    article: str
    due: date | None
    side: Side = Side.NONE
    state: StepState = StepState.WAITING
    filing: bool = False  # a filing step (备案) rather than an approval (核办)
    actor: str | None = None
    acted_at: datetime | None = None
    acted_on: date | None = None
    comment: str | None = None


@attrs.frozen
class Procedure:
    """One open or closed procedure.  ``payload`` is the request that opened
    it, serialised; ``provisional`` lists the ids of records the procedure
    created provisionally, rolled back on rejection or withdrawal."""

    id: str
    kind: str
    district: str
    filed_on: date
    due: date | None
    steps: tuple[Step, ...]
    article: str
    student: str | None = None
    students: tuple[str, ...] = ()  # a batch procedure's students
    state: ProcedureState = ProcedureState.OPEN
    payload: str = "{}"
    applicant: str | None = None
    entered_by: str | None = None
    closed_on: date | None = None
    version: int = 1

    @property
    def current(self) -> Step | None:
        for step in self.steps:
            if step.state in (StepState.WAITING, StepState.RETURNED):
                return step
        return None


@attrs.frozen
class StoredObligation:
    """An obligation as a work-list item."""

    id: str
    obligation: Obligation
    district: str
    decision: str | None = None
    procedure: str | None = None
    fulfilled_on: date | None = None
    fulfilled_by: str | None = None
    outcome: str | None = None
    version: int = 1

    @property
    def open(self) -> bool:
        return self.fulfilled_on is None


@attrs.frozen
class AuditRecord:
    """Every write and every denied attempt (who, what, when, for whom)."""

    id: str
    at: datetime
    principal: str
    organisation: str
    action: str
    allowed: bool
    student: str | None = None
    target: str | None = None
    on_behalf_of: str | None = None
    detail: str = ""


@attrs.frozen
class Record:
    """A dated fact the chapters keep: an attendance mark, a sanction, a
    中考 score, a guardian contact, a certificate, a disclosure approval….

    ``kind`` names the fact; ``data`` is the typed value serialised with the
    one converter.  Records are append-only: a correction is a new record
    whose ``supersedes`` names the one it replaces."""

    id: str
    kind: str
    district: str
    on: date
    data: str
    student: str | None = None
    school: str | None = None
    until: date | None = None
    supersedes: str | None = None
    recorded_at: datetime | None = None
