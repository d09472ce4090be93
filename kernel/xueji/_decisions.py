"""Decisions: what the kernel answers to a request.

A :class:`Decision` is data.  It carries the outcome, the reasons (each with a
stable code, its Chinese text, the article and who said it), the obligations
the decision creates with their due dates, the 学籍变动 events it records and
a trace of every rule evaluated.
"""

from __future__ import annotations

__all__ = [
    "MUNICIPAL",
    "Decision",
    "Obligation",
    "ObligationKind",
    "Outcome",
    "Reason",
    "Role",
    "Severity",
    "Source",
    "TraceStep",
]

import enum
from datetime import date

import attrs


class Outcome(enum.Enum):
    """How a request ended."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    PENDING = "pending"  # a procedure or a review is open; next steps named
    INCOMPLETE = "incomplete"  # documents or applicants missing, named


class Severity(enum.Enum):
    """A refusal ground, a missing document, or a warning (a 一般 rule not
    followed)."""

    REFUSAL = "refusal"
    MISSING = "missing"
    WARNING = "warning"
    INFO = "info"


@attrs.frozen
class Source:
    """Who said it: the municipal kernel, or a plugin with its version."""

    name: str
    version: str
    layer: str = "municipal"

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.layer})"


MUNICIPAL = Source("xueji", "0.1.0", "municipal")


@attrs.frozen
class Reason:
    """One reason of a decision, with the article that grounds it."""

    code: str
    text: str
    article: str
    severity: Severity = Severity.REFUSAL
    source: Source = MUNICIPAL


class Role(enum.Enum):
    """Who must act (第四、四十二条): the level of the organisation."""

    CITY = "city"
    DISTRICT = "district"
    SCHOOL = "school"
    TOWNSHIP = "township"
    HRSS = "hrss"
    GUARDIAN = "guardian"


class ObligationKind(enum.Enum):
    """The duties the regulation imposes, each named once."""

    BUILD_ARCHIVE = "build-archive"  # 第十七条第一款
    BUILD_PERSONAL_FILE = "build-personal-file"  # 第十七条第一款 (高中)
    URGE_ENROLLMENT = "urge-enrollment"  # 第十六条第二款
    ORDER_ENROLLMENT = "order-enrollment"  # 第十六条第二款
    REVIEW_DUPLICATE = "review-duplicate"  # 第十七条第二款 一人一号
    APPROVE_NEW_RECORDS = "approve-new-records"  # 第三条
    FILE_WITH_CITY = "file-with-city"  # 第三条
    INFORM_GUARDIAN = "inform-guardian"  # 第二十条第一款
    CONTACT_GUARDIAN = "contact-guardian"  # 第二十条第一款
    INFORM_TOWNSHIP = "inform-township"  # 第二十条第二款
    URGE_RETURN = "urge-return"  # 第三十五条第二款
    ORDER_RETURN = "order-return"  # 第三十五条第二款
    HAND_OVER = "hand-over"  # 第四十一条
    ISSUE_CERTIFICATE = "issue-certificate"  # 第三十九条第四款 (肄业)
    TRANSFER_ARCHIVE = "transfer-archive"  # 第二十九条 籍随人走
    PROVIDE_ARCHIVE_MATERIALS = "provide-archive-materials"  # 第二十七条
    HELP_BACK_TO_SCHOOL = "help-back-to-school"  # 第三十一条第三款
    ACT_ON_STEP = "act-on-step"  # a workflow step waiting on its owner


@attrs.frozen
class Obligation:
    """A duty created by a decision: what, by whom, due when, under which
    article.  ``arises`` is the day the duty comes into being."""

    kind: ObligationKind
    text: str
    role: Role
    organisation: str
    arises: date
    due: date | None
    article: str
    student: str | None = None
    source: Source = MUNICIPAL


@attrs.frozen
class TraceStep:
    """One rule evaluated, with its result and the value's source."""

    rule: str
    article: str
    result: str
    source: Source = MUNICIPAL


@attrs.frozen
class Decision:
    """The kernel's answer to one request."""

    request_id: str
    kind: str
    outcome: Outcome
    decided_on: date
    student: str | None = None
    reasons: tuple[Reason, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    events: tuple[str, ...] = ()  # ids of the StatusChange events recorded
    trace: tuple[TraceStep, ...] = ()
    next_steps: tuple[str, ...] = ()

    @property
    def refusals(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.severity is Severity.REFUSAL)

    @property
    def warnings(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.severity is Severity.WARNING)

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED
