"""The workflow engine: multi-level procedures (DESIGN.md §2 "Procedures").

Most of the regulation's changes pass through several hands — school,
district, township or street office, city (第三、四条).  A procedure is a
sequence of steps; each step has an owner (role and organisation), a side
where two schools or districts take part, and a due date in working days.
Steps are approved (核办), filed (备案), rejected, or returned for more
documents; the applicant may withdraw.  Rejection or withdrawal rolls back
every provisional change the procedure made, through the roll-back of the
procedure's kind.  A student has at most one open procedure.

The chapter modules register their procedure kinds with
:func:`register_kind`; the first user is the new-学籍 procedure of 第三条
(:class:`NewRecordsFiling`).
"""

from __future__ import annotations

__all__ = [
    "Action",
    "NewRecordsFiling",
    "ProcedureKind",
    "StepAction",
    "StepSpec",
    "decide_new_records",
    "decide_step",
    "open_procedure",
    "register_kind",
]

import enum
import json
from collections.abc import Callable, Iterable
from datetime import date

import attrs

from xueji._access import Applicant, ApplicantKind, PrincipalRole
from xueji._context import Context, new_id
from xueji._decisions import Decision, ObligationKind, Role
from xueji._errors import InvalidInputError
from xueji._orgs import CITY_CODE
from xueji._procedures import Procedure, ProcedureState, Side, Step, StepState
from xueji._register import ChangeKind
from xueji._storage import OpenProcedureError

_ROLE_OF = {
    Role.CITY: PrincipalRole.CITY,
    Role.DISTRICT: PrincipalRole.DISTRICT,
    Role.SCHOOL: PrincipalRole.SCHOOL,
    Role.TOWNSHIP: PrincipalRole.TOWNSHIP,
}

Hook = Callable[[Context, Procedure], None]

_SCHOOL = Applicant(ApplicantKind.SCHOOL, "学校")


def _nothing(ctx: Context, procedure: Procedure) -> None:
    del ctx, procedure


@attrs.frozen
class ProcedureKind:
    """What a kind of procedure does when a step is approved, when it
    completes, and how it is rolled back."""

    name: str  # the Chinese name, for messages
    on_step: Callable[[Context, Procedure, Step], None] = lambda c, p, s: None
    on_complete: Hook = _nothing
    on_rollback: Hook = _nothing


KINDS: dict[str, ProcedureKind] = {}


def register_kind(kind: str, spec: ProcedureKind) -> None:
    KINDS[kind] = spec


def kind_name(kind: str) -> str:
    spec = KINDS.get(kind)
    return spec.name if spec else kind


@attrs.frozen
class StepSpec:
    """A step to be: who owns it, under which article."""

    name: str
    role: Role
    organisation: str
    article: str
    side: Side = Side.NONE
    filing: bool = False


class Action(enum.Enum):
    APPROVE = "approve"  # 核办 (or 备案 on a filing step)
    REJECT = "reject"
    RETURN = "return"  # returned for more documents
    RESUBMIT = "resubmit"  # the documents asked for are supplied
    WITHDRAW = "withdraw"  # the applicant withdraws


@attrs.frozen
class StepAction:
    """Acting on the current step of a procedure."""

    id: str
    on: date
    procedure: str
    action: Action
    comment: str = ""
    documents: tuple[str, ...] = ()
    idempotency_key: str | None = None


def open_procedure(
    ctx: Context,
    *,
    kind: str,
    district: str,
    article: str,
    steps: Iterable[StepSpec],
    student: str | None = None,
    students: tuple[str, ...] = (),
    payload: str = "{}",
    applicant: Applicant | None = None,
    limit_days: int = 10,
) -> Procedure | None:
    """Open a procedure, or refuse (naming the open one) when a student
    already has one.  Every step is due by the procedure's due date."""
    for number in (student, *students):
        if number is None:
            continue
        holder = ctx.uow.open_procedure_of(number)
        if holder is not None:
            _refuse_open(ctx, holder)
            return None
    due = ctx.calendars.working_days.add_working_days(ctx.on, limit_days)
    procedure = Procedure(
        id=new_id("proc"),
        kind=kind,
        district=district,
        filed_on=ctx.on,
        due=due,
        article=article,
        steps=tuple(
            Step(
                name=s.name,
                role=s.role,
                organisation=s.organisation,
                article=s.article,
                due=due,
                side=s.side,
                filing=s.filing,
            )
            for s in steps
        ),
        student=student,
        students=students,
        payload=payload,
        applicant=None if applicant is None else applicant.name,
        entered_by=str(ctx.principal),
    )
    try:
        ctx.uow.add_procedure(procedure)
    except OpenProcedureError as error:
        holder = ctx.uow.get_procedure(error.procedure)
        if holder is None:
            raise
        _refuse_open(ctx, holder)
        return None
    _step_duty(ctx, procedure, procedure.steps[0])
    ctx.pending = True
    ctx.next_steps.append(
        f"{procedure.id}：待{procedure.steps[0].name}（{procedure.steps[0].organisation}），"
        f"办理时限至 {due}"
    )
    return procedure


def _refuse_open(ctx: Context, holder: Procedure) -> None:
    ctx.refuse(
        "open-procedure",
        f"该学生已有未办结的{kind_name(holder.kind)}（{holder.id}，{holder.filed_on}"
        "提出）；办结或撤回后方可再行申请",
        holder.article,
    )


def _step_duty(ctx: Context, procedure: Procedure, step: Step) -> None:
    ctx.oblige(
        ObligationKind.ACT_ON_STEP,
        f"{kind_name(procedure.kind)}（{procedure.id}）：{step.name}",
        role=step.role,
        organisation=step.organisation,
        arises=ctx.on,
        due=step.due,
        article=step.article,
        student=procedure.student,
        district=procedure.district,
        procedure=procedure.id,
    )


def _close_duties(ctx: Context, procedure: Procedure, outcome: str) -> None:
    for item in ctx.uow.obligations(open_only=True):
        if (
            item.procedure == procedure.id
            and item.obligation.kind is ObligationKind.ACT_ON_STEP
        ):
            ctx.close(item, outcome)


def role_of(role: Role) -> PrincipalRole | None:
    """The principal role that acts for an obligation's or step's role."""
    return _ROLE_OF.get(role)


def _owns(ctx: Context, step: Step) -> bool:
    p = ctx.principal
    return _ROLE_OF.get(step.role) is p.role and p.organisation == step.organisation


def _filer(ctx: Context, procedure: Procedure) -> bool:
    """The organisation that entered the procedure (for the applicant)."""
    p = ctx.principal
    entered = (procedure.entered_by or "").split(":")
    return (
        len(entered) == 3
        and entered[0] == p.role.value
        and entered[1] == (p.organisation)
    )


def decide_step(ctx: Context, request: StepAction) -> Decision:
    """Approve, file, reject, return, resubmit or withdraw (第三条 and the
    chains of 第二十三、二十六、三十一、三十七、三十九条)."""
    from xueji._service import deny

    procedure = ctx.uow.get_procedure(request.procedure)
    if procedure is None:
        raise InvalidInputError(
            f"no procedure {request.procedure!r}; list open ones with `xueji work`"
        )
    if not procedure.state.open:
        raise InvalidInputError(
            f"procedure {procedure.id} is already {procedure.state.value}; nothing "
            "to act on"
        )
    step = procedure.current
    assert step is not None  # an open procedure has a current step
    if request.action in (Action.WITHDRAW, Action.RESUBMIT):
        if not _filer(ctx, procedure):
            deny(ctx, f"{request.action.value} {procedure.id}", procedure.student)
    elif not _owns(ctx, step):
        deny(ctx, f"act on step “{step.name}” of {procedure.id}", procedure.student)
    if request.action is Action.RESUBMIT and step.state is not StepState.RETURNED:
        raise InvalidInputError(
            f"step “{step.name}” of {procedure.id} was not returned for documents"
        )
    if request.action in (Action.APPROVE, Action.REJECT, Action.RETURN) and (
        step.state is StepState.RETURNED
    ):
        raise InvalidInputError(
            f"step “{step.name}” of {procedure.id} waits for the documents it "
            "asked for; the applicant resubmits first"
        )

    acted = attrs.evolve(
        step,
        actor=str(ctx.principal),
        acted_at=ctx.now,
        acted_on=ctx.on,
        comment=request.comment or None,
    )
    if request.action is Action.APPROVE:
        _approve(ctx, procedure, step, acted)
    elif request.action is Action.RETURN:
        _replace(ctx, procedure, step, attrs.evolve(acted, state=StepState.RETURNED))
        ctx.pending = True
        ctx.next_steps.append(
            f"{procedure.id}：补交材料后重新提交（{request.comment}）"
        )
    elif request.action is Action.RESUBMIT:
        _replace(ctx, procedure, step, attrs.evolve(step, state=StepState.WAITING))
        ctx.pending = True
    else:
        _close(ctx, procedure, step, acted, request.action)
    # A procedure may learn its student on completion (a transfer from
    # outside Beijing creates the person): read it again.
    final = ctx.uow.get_procedure(procedure.id) or procedure
    return ctx.decide(f"step-{request.action.value}", final.student)


def _replace(ctx: Context, procedure: Procedure, old: Step, new: Step) -> Procedure:
    steps = tuple(new if s is old else s for s in procedure.steps)
    updated = attrs.evolve(procedure, steps=steps, version=procedure.version + 1)
    ctx.uow.update_procedure(updated)
    return updated


def _approve(ctx: Context, procedure: Procedure, step: Step, acted: Step) -> None:
    state = StepState.FILED if step.filing else StepState.APPROVED
    done = attrs.evolve(acted, state=state)
    updated = _replace(ctx, procedure, step, done)
    _close_duties(ctx, procedure, state.value)
    spec = KINDS.get(procedure.kind, ProcedureKind(procedure.kind))
    spec.on_step(ctx, updated, done)
    following = updated.current
    if following is not None:
        _step_duty(ctx, updated, following)
        ctx.pending = True
        ctx.next_steps.append(
            f"{procedure.id}：待{following.name}（{following.organisation}）"
        )
        return
    closed = attrs.evolve(
        updated,
        state=ProcedureState.APPROVED,
        closed_on=ctx.on,
        version=updated.version + 1,
    )
    ctx.uow.update_procedure(closed)
    spec.on_complete(ctx, closed)


def _close(
    ctx: Context, procedure: Procedure, step: Step, acted: Step, action: Action
) -> None:
    if action is Action.REJECT:
        updated = _replace(
            ctx, procedure, step, attrs.evolve(acted, state=StepState.REJECTED)
        )
        state = ProcedureState.REJECTED
    else:
        updated = procedure
        state = ProcedureState.WITHDRAWN
    closed = attrs.evolve(
        updated, state=state, closed_on=ctx.on, version=updated.version + 1
    )
    ctx.uow.update_procedure(closed)
    _close_duties(ctx, procedure, state.value)
    KINDS.get(procedure.kind, ProcedureKind(procedure.kind)).on_rollback(ctx, closed)
    ctx.inform(
        state.value,
        f"{kind_name(procedure.kind)}（{procedure.id}）已"
        + ("驳回" if state is ProcedureState.REJECTED else "撤回")
        + "，已撤销其临时变更；可重新申请",
        procedure.article,
    )


# ------------------------------------------------------------ 第三条


@attrs.frozen
class NewRecordsFiling:
    """第三条: the school reports its new 学籍 to the district, which
    approves (核办); the district then files them with the city (备案).
    With no ``students`` named, every admitted student of the school year
    not yet approved is in the batch."""

    id: str
    on: date
    school: str
    school_year: str
    students: tuple[str, ...] = ()
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


def _approved(ctx: Context, number: str) -> bool:
    return any(
        e.kind is ChangeKind.APPROVED and dict(e.data).get("procedure") == "new-records"
        for e in ctx.uow.events_of(number)
    )


def decide_new_records(ctx: Context, request: NewRecordsFiling) -> Decision:
    """第三条: 学籍建立…由区教委核办，报市教委备案."""
    from xueji._enrollment import school_of
    from xueji._service import require_scope

    school = school_of(ctx, request.school)
    require_scope(ctx, school)
    enrollments = [
        e
        for e in ctx.uow.enrollments_at(school.code)
        if e.school_year == request.school_year and e.status.active
    ]
    known = {e.student for e in enrollments}
    unknown = [n for n in request.students if n not in known]
    if unknown:
        raise InvalidInputError(
            f"{len(unknown)} student(s) of the batch have no {request.school_year} "
            f"admission at {school.code}; remove them or admit them first"
        )
    students = tuple(
        sorted(
            n
            for n in (request.students or tuple(known))
            if not _approved(ctx, n) and ctx.uow.open_procedure_of(n) is None
        )
    )
    ctx.check("new-records-batch", "第三条", len(students))
    if not students:
        ctx.refuse(
            "nothing-to-file",
            "没有待区教委核办的新生学籍（均已核办或在其他程序中）",
            "第三条",
        )
        return ctx.decide("new-records", None)
    open_procedure(
        ctx,
        kind="new-records",
        district=school.district,
        article="第三条",
        steps=(
            StepSpec("区教委核办新生学籍", Role.DISTRICT, school.district, "第三条"),
            StepSpec("报市教委备案", Role.CITY, CITY_CODE, "第三条", filing=True),
        ),
        students=students,
        payload=json.dumps({"school": school.code, "school_year": request.school_year}),
        applicant=request.applicant,
    )
    return ctx.decide("new-records", None)


def _new_records_complete(ctx: Context, procedure: Procedure) -> None:
    """The student's state changes only when the whole chain has acted: a
    rejection at any step, the last included, leaves nothing to undo."""
    for step in procedure.steps:
        kind = ChangeKind.FILED if step.filing else ChangeKind.APPROVED
        text = "新生学籍报市教委备案" if step.filing else "区教委核办新生学籍"
        for number in procedure.students:
            student = ctx.uow.get_student(number)
            ctx.record(
                kind,
                text,
                student=number,
                district=student.district if student else procedure.district,
                article="第三条",
                on=step.acted_on,
                actor=step.actor,
                recorded_at=step.acted_at,
                data={"procedure": "new-records", "id": procedure.id},
            )


register_kind(
    "new-records",
    ProcedureKind(name="新生学籍核办", on_complete=_new_records_complete),
)
register_kind("duplicate-review", ProcedureKind(name="疑似重复学籍核查"))


def _register() -> None:
    from xueji._registry import register_request

    register_request("step", StepAction, decide_step)
    register_request("new-records", NewRecordsFiling, decide_new_records)


_register()
