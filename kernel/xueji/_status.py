"""The status lifecycle of an enrollment: a typed state machine.

Each transition names its guard and its article.  The chapter modules decide
*whether* a transition may happen; this module says which transitions exist
at all, so that no code path can move a student along an edge the regulation
does not have.
"""

from __future__ import annotations

__all__ = ["TERMINAL", "Status", "Transition", "check_transition", "transitions"]

import enum

import attrs

from xueji._errors import InvalidInputError


class Status(enum.Enum):
    """States of one enrollment (stint)."""

    ADMITTED = "待入学"  # admitted, not yet registered (第十六条)
    DEFERRED = "缓学"  # 第十一条
    ENROLLED = "在籍"
    SUSPENDED = "休学"  # 第三十二至三十四条
    SPECIALIZED_SCHOOL = "专门学校"  # 第三十一条: 学籍 kept at the original school
    PENDING_TRANSFER = "转学中"
    PENDING_WITHDRAWAL = "退学中"
    TRANSFERRED = "转出"  # left the school by transfer (ends the stint)
    LEFT_BEIJING = "转出本市"  # 第二十七条
    WITHDRAWN = "退学"  # 第三十六、三十七条; receives a 肄业 certificate
    GRADUATED = "毕业"  # 第三十九条第一款
    COMPLETED = "结业"  # 第三十九条第二款
    FORFEITED = "放弃入学资格"  # 第十六条第三款

    @property
    def active(self) -> bool:
        """Holds an active 学籍 (one person may hold one, 第十二条 aside)."""
        return self not in TERMINAL

    @property
    def counted_for_attendance(self) -> bool:
        """Attendance counters skip 休学, 缓学, 专门学校 and the ends."""
        return self in {Status.ENROLLED, Status.PENDING_TRANSFER, Status.ADMITTED}


TERMINAL = frozenset(
    {
        Status.TRANSFERRED,
        Status.LEFT_BEIJING,
        Status.WITHDRAWN,
        Status.GRADUATED,
        Status.COMPLETED,
        Status.FORFEITED,
    }
)


@attrs.frozen
class Transition:
    source: Status
    target: Status
    guard: str
    article: str


_S = Status
_TRANSITIONS = (
    Transition(_S.ADMITTED, _S.ENROLLED, "registered on time or late", "第十六条"),
    Transition(_S.ADMITTED, _S.DEFERRED, "deferral accepted", "第十一条"),
    Transition(
        _S.ADMITTED, _S.FORFEITED, "senior admission forfeited", "第十六条第三款"
    ),
    Transition(_S.DEFERRED, _S.ADMITTED, "deferral period ended", "第十一条第二款"),
    Transition(
        _S.DEFERRED, _S.DEFERRED, "deferral applied for again", "第十一条第二款"
    ),
    Transition(_S.ENROLLED, _S.SUSPENDED, "suspension approved", "第三十三条"),
    Transition(_S.SUSPENDED, _S.SUSPENDED, "suspension extended", "第三十四条"),
    Transition(
        _S.SUSPENDED, _S.ENROLLED, "resumed, or lapsed unreturned", "第三十五条"
    ),
    Transition(_S.ENROLLED, _S.SPECIALIZED_SCHOOL, "placed in 专门学校", "第三十一条"),
    Transition(_S.SPECIALIZED_SCHOOL, _S.ENROLLED, "returned", "第三十一条第二款"),
    Transition(_S.ENROLLED, _S.PENDING_TRANSFER, "transfer filed", "第二十三条"),
    Transition(_S.PENDING_TRANSFER, _S.ENROLLED, "transfer rejected", "第二十三条"),
    Transition(_S.PENDING_TRANSFER, _S.TRANSFERRED, "transfer approved", "第二十三条"),
    Transition(_S.PENDING_TRANSFER, _S.LEFT_BEIJING, "transfer out", "第二十七条"),
    Transition(
        _S.SUSPENDED,
        _S.PENDING_TRANSFER,
        "transfer filed after the suspension period ended",
        "第三十四条",
    ),
    Transition(
        _S.PENDING_TRANSFER,
        _S.SUSPENDED,
        "transfer rejected or withdrawn: the lapsed suspension restored",
        "第三十四条",
    ),
    Transition(_S.ENROLLED, _S.PENDING_WITHDRAWAL, "withdrawal filed", "第三十七条"),
    Transition(_S.SUSPENDED, _S.PENDING_WITHDRAWAL, "withdrawal filed", "第三十七条"),
    Transition(
        _S.SPECIALIZED_SCHOOL, _S.PENDING_WITHDRAWAL, "withdrawal filed", "第三十七条"
    ),
    Transition(_S.PENDING_WITHDRAWAL, _S.ENROLLED, "withdrawal rejected", "第三十七条"),
    Transition(
        _S.PENDING_WITHDRAWAL, _S.SUSPENDED, "withdrawal rejected", "第三十七条"
    ),
    Transition(
        _S.PENDING_WITHDRAWAL,
        _S.SPECIALIZED_SCHOOL,
        "withdrawal rejected",
        "第三十七条",
    ),
    Transition(_S.PENDING_WITHDRAWAL, _S.WITHDRAWN, "withdrawal filed", "第三十七条"),
    Transition(_S.ENROLLED, _S.WITHDRAWN, "withdrawal filed", "第三十七条"),
    Transition(_S.ENROLLED, _S.GRADUATED, "graduation roster filed", "第三十九条"),
    Transition(_S.SPECIALIZED_SCHOOL, _S.GRADUATED, "graduation", "第三十九条第三款"),
    Transition(_S.ENROLLED, _S.COMPLETED, "completion", "第三十九条第二款"),
    Transition(_S.SPECIALIZED_SCHOOL, _S.COMPLETED, "completion", "第三十九条第三款"),
)
_INDEX = {(t.source, t.target): t for t in _TRANSITIONS}


def transitions() -> tuple[Transition, ...]:
    """Every transition the regulation allows."""
    return _TRANSITIONS


def check_transition(source: Status, target: Status) -> Transition:
    """The transition from ``source`` to ``target``, or an error when the
    regulation has no such change."""
    try:
        return _INDEX[(source, target)]
    except KeyError:
        raise InvalidInputError(
            f"no status change from {source.value} to {target.value} exists in "
            "the regulation; check the request's kind and the student's status"
        ) from None
