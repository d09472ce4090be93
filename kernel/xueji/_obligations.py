"""Carrying out an obligation, and what follows when it fails.

An obligation (建立学籍档案, 督促入学, 告知乡镇…) is closed by the
organisation it is addressed to, with an outcome: done, or failed.  Some
failures are the trigger of the next duty — urging a new compulsory student
that fails obliges the township or street office to order attendance
(第十六条第二款).  The record of who closed it and when is kept; nothing is
deleted.
"""

from __future__ import annotations

__all__ = ["FulfilmentOutcome", "ObligationFulfilment", "decide_fulfilment"]

import enum
from collections.abc import Callable
from datetime import date

import attrs

from xueji._context import Context
from xueji._decisions import Decision, ObligationKind, Role
from xueji._errors import InvalidInputError
from xueji._procedures import StoredObligation
from xueji._register import ChangeKind


class FulfilmentOutcome(enum.Enum):
    DONE = "done"  # carried out
    FAILED = "failed"  # carried out without effect (督促无效)


@attrs.frozen
class ObligationFulfilment:
    """The addressee reports an obligation carried out (or failed)."""

    id: str
    on: date
    obligation: str
    outcome: FulfilmentOutcome = FulfilmentOutcome.DONE
    note: str = ""
    idempotency_key: str | None = None


FollowUp = Callable[[Context, StoredObligation, FulfilmentOutcome], None]
FOLLOW_UPS: dict[ObligationKind, FollowUp] = {}
"""Obligation kind → what follows once it is closed."""


def _owner(ctx: Context, item: StoredObligation) -> bool:
    from xueji._workflow import role_of

    p = ctx.principal
    owner = item.obligation
    return role_of(owner.role) is p.role and p.organisation == owner.organisation


def decide_fulfilment(ctx: Context, request: ObligationFulfilment) -> Decision:
    """Close an obligation: only its addressee may (第四、四十二条)."""
    from xueji._service import deny

    item = ctx.uow.get_obligation(request.obligation)
    if item is None:
        raise InvalidInputError(
            f"no obligation {request.obligation!r}; list them with `xueji obligations`"
        )
    if not _owner(ctx, item):
        deny(ctx, f"close obligation {item.id}", item.obligation.student)
    if not item.open:
        raise InvalidInputError(
            f"obligation {item.id} was already closed on {item.fulfilled_on} "
            f"({item.outcome}); a correction is a new obligation, not a reopening"
        )
    if item.obligation.kind is ObligationKind.ACT_ON_STEP:
        raise InvalidInputError(
            f"obligation {item.id} waits on a procedure step: act on the step "
            "(approve, reject, return) and it closes itself"
        )
    if request.on < item.obligation.arises:
        raise InvalidInputError(
            f"obligation {item.id} arises on {item.obligation.arises}; it cannot be "
            f"carried out on {request.on}"
        )

    ctx.uow.update_obligation(
        attrs.evolve(
            item,
            fulfilled_on=request.on,
            fulfilled_by=str(ctx.principal),
            outcome=request.outcome.value
            + (f": {request.note}" if request.note else ""),
            version=item.version + 1,
        )
    )
    late = item.obligation.due is not None and request.on > item.obligation.due
    if late:
        ctx.warn(
            "late",
            f"逾期履行：应于 {item.obligation.due} 前完成",
            item.obligation.article,
        )
    follow_up = FOLLOW_UPS.get(item.obligation.kind)
    if follow_up is not None:
        follow_up(ctx, item, request.outcome)
    return ctx.decide("obligation-fulfilment", item.obligation.student)


def _archive_built(
    ctx: Context, item: StoredObligation, outcome: FulfilmentOutcome
) -> None:
    """第十七条第一款: the 学籍档案 is in place."""
    if outcome is not FulfilmentOutcome.DONE or item.obligation.student is None:
        return
    ctx.record(
        ChangeKind.ARCHIVE_CREATED,
        "建立学籍档案",
        student=item.obligation.student,
        district=item.district,
        article="第十七条第一款",
    )


def _urging_failed(
    ctx: Context, item: StoredObligation, outcome: FulfilmentOutcome
) -> None:
    """第十六条第二款: 督促无效的由学生户籍所在地或居住地的乡镇人民政府或街道
    办事处责令其父母或其他法定监护人送学生入学."""
    from xueji._enrollment import township_for

    if outcome is not FulfilmentOutcome.FAILED or item.obligation.student is None:
        return
    student = ctx.uow.get_student(item.obligation.student)
    township = township_for(ctx, student) if student is not None else None
    if township is None:
        ctx.warn(
            "no-township",
            "学生户籍所在地或居住地的乡镇人民政府或街道办事处未登记，无法送达责令送学"
            "的义务；请登记户籍或居住地街道",
            "第十六条第二款",
        )
        return
    # The text sets no deadline for the order (责令); none is invented.
    ctx.oblige(
        ObligationKind.ORDER_ENROLLMENT,
        "学校督促入学无效：责令其父母或其他法定监护人送学生入学",
        role=Role.TOWNSHIP,
        organisation=township,
        arises=ctx.on,
        due=None,
        article="第十六条第二款",
        student=item.obligation.student,
        district=item.district,
    )


FOLLOW_UPS[ObligationKind.BUILD_ARCHIVE] = _archive_built
FOLLOW_UPS[ObligationKind.URGE_ENROLLMENT] = _urging_failed


def _register() -> None:
    from xueji._registry import register_request

    register_request("obligation-fulfilment", ObligationFulfilment, decide_fulfilment)


_register()
