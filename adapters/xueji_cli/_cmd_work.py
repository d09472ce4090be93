"""Acting on the register's work: ``xueji work`` (what waits on an
organisation), ``xueji approve|reject|return|resubmit|withdraw`` (a
procedure's current step, 第三条 and the chains of the chapters) and
``xueji done`` (a duty carried out, or failed)."""

__all__ = ["register"]

import uuid
from datetime import date
from typing import Annotated, Any

import typer

from xueji import (
    AccessDeniedError,
    Action,
    FulfilmentOutcome,
    ObligationFulfilment,
    Principal,
    Procedure,
    Step,
    StepAction,
    unstructure,
)
from xueji_cli._common import (
    AsOption,
    DbOption,
    JsonOption,
    handled,
    org_names,
    parse_date,
    principal_of,
    url_of,
)
from xueji_cli._render import (
    Output,
    decision_data,
    mask_number,
    obligation_data,
    procedure_label,
)
from xueji_cli._store import build_register
from xueji_cli._stream import References

OnOption = Annotated[
    str,
    typer.Option(
        "--on",
        help="The day it was done (YYYY-MM-DD); every action carries its date.",
    ),
]


# ---------------------------------------------------------------- work


def _step_data(
    procedure: Procedure, step: Step, names: dict[str, str]
) -> dict[str, Any]:
    return {
        "procedure": procedure.id,
        "kind": procedure.kind,
        "kind_name": procedure_label(procedure.kind),
        "step": step.name,
        "state": step.state.value,
        "role": step.role.value,
        "organisation": step.organisation,
        "organisation_name": names.get(step.organisation, step.organisation),
        "article": step.article,
        "filed_on": procedure.filed_on.isoformat(),
        "due": step.due.isoformat() if step.due else None,
        "student": procedure.student,
        "students": len(procedure.students),
        "entered_by": procedure.entered_by,
    }


def _who(procedure: Procedure) -> str:
    if procedure.student is not None:
        return mask_number(procedure.student)
    if procedure.students:
        return f"{len(procedure.students)} 名学生"
    return "—"


def work(
    org: Annotated[
        str | None,
        typer.Option("--org", help="The organisation (default: the principal's own)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Duties arisen by this date, and which are overdue on it "
            "(default: every open duty, none flagged).",
        ),
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """An organisation's work list: procedure steps waiting on it and its
    open duties, with the ids to act on (第四、四十二条)."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        organisation = org or principal.organisation
        day = parse_date(as_of, "--as-of") if as_of else None
        found = register.work(organisation, day or date.max, principal)
        names = org_names(register)
    overdue = {o.id for o in found.overdue()} if day is not None else set()
    out.heading(
        f"工作清单 work list: {names.get(organisation, organisation)} "
        f"({organisation})" + (f" as of {day}" if day else "")
    )
    out.table(
        f"待办步骤 steps to act on ({len(found.steps)})",
        ["程序 procedure", "种类", "步骤", "学生", "提出", "到期 due", ""],
        [
            (
                p.id,
                procedure_label(p.kind),
                s.name + ("（退回补件）" if s.state.value == "returned" else ""),
                _who(p),
                p.filed_on,
                s.due or "—",
                "逾期" if day is not None and s.due and s.due < day else "",
            )
            for p, s in found.steps
        ],
    )
    out.table(
        f"义务 duties ({len(found.obligations)}"
        + (f", 逾期 overdue {len(overdue)}" if day else "")
        + ")",
        ["义务 id", "到期 due", "义务", "学生", "条款", ""],
        [
            (
                i.id,
                i.obligation.due or "—",
                i.obligation.text,
                mask_number(i.obligation.student),
                i.obligation.article,
                "逾期" if i.id in overdue else "",
            )
            for i in found.obligations
        ],
    )
    if found.steps or found.obligations:
        out.line(
            "→ xueji approve|reject|return PROCEDURE --on DATE; "
            "xueji done OBLIGATION --on DATE",
            style="dim",
        )
    out.emit(
        {
            "organisation": organisation,
            "as_of": day.isoformat() if day else None,
            "steps": [_step_data(p, s, names) for p, s in found.steps],
            "obligations": [obligation_data(i, names) for i in found.obligations],
            "overdue": sorted(overdue),
        }
    )


# ---------------------------------------------------------------- steps


def _step_owner(
    procedure: Procedure | None,
    action: Action,
    principal: Principal,
    names: dict[str, str],
) -> str | None:
    """Who may act, when the principal may not: the owner of the current
    step (role and organisation), or the filer for withdraw and resubmit."""
    if procedure is None or not procedure.state.open:
        return None
    if action in (Action.WITHDRAW, Action.RESUBMIT):
        filer = (procedure.entered_by or "").split(":")
        if filer[:2] == [principal.role.value, principal.organisation]:
            return None
        return f"only its filer ({procedure.entered_by}) may {action.value} it"
    step = procedure.current
    if step is None:
        return None
    if (
        step.role.value == principal.role.value
        and step.organisation == principal.organisation
    ):
        return None
    name = names.get(step.organisation, step.organisation)
    return (
        f"the current step is owned by {step.role.value} {step.organisation} "
        f"({name}): act with --as {step.role.value}:{step.organisation}:NAME"
    )


def _act(
    action: Action,
    procedure: str,
    on: str,
    comment: str,
    documents: list[str],
    db: str | None,
    as_: str | None,
    json_output: bool,
) -> None:
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        procedure_id = References(register.store).procedure(procedure)
        with register.store.unit_of_work() as uow:
            before = uow.get_procedure(procedure_id)
        request = StepAction(
            id=f"cli-{action.value}-{uuid.uuid4().hex[:12]}",
            on=parse_date(on, "--on"),
            procedure=procedure_id,
            action=action,
            comment=comment,
            documents=tuple(documents),
        )
        try:
            decision = register.submit(request, principal)
        except AccessDeniedError as error:
            owner = _step_owner(before, action, principal, org_names(register))
            if owner is None:
                raise
            raise AccessDeniedError(f"{error}; {owner}") from None
        with register.store.unit_of_work() as uow:
            after = uow.get_procedure(procedure_id)
        names = org_names(register)
    out.decision(decision, label=procedure_id, org_names=names)
    if after is not None:
        current = after.current
        waiting = ""
        if current is not None and after.state.open:
            owner = names.get(current.organisation, current.organisation)
            waiting = f" — 待{current.name}（{owner}）"
        out.line(
            f"{procedure_label(after.kind)} {after.id}: {after.state.value}{waiting}",
            style="bold",
        )
    out.emit(
        {
            "decision": decision_data(decision),
            "procedure": None if after is None else unstructure(after),
        }
    )


ProcedureArgument = Annotated[
    str,
    typer.Argument(
        help="The procedure id (from `xueji work`), or request:ID for the "
        "procedure request ID opened."
    ),
]
CommentOption = Annotated[
    str, typer.Option("--comment", help="The comment recorded with the step.")
]
DocumentOption = Annotated[
    list[str],
    typer.Option(
        "--document",
        help="A document supplied (resubmit after a return); repeat for more.",
    ),
]


def _step_command(action: Action, doc: str) -> Any:
    def command(
        procedure: ProcedureArgument,
        on: OnOption,
        comment: CommentOption = "",
        document: DocumentOption = [],  # noqa: B006 - typer's list default
        db: DbOption = None,
        as_: AsOption = None,
        json_output: JsonOption = False,
    ) -> None:
        _act(action, procedure, on, comment, document, db, as_, json_output)

    command.__doc__ = doc
    command.__name__ = action.value
    return command


_STEP_DOCS = {
    Action.APPROVE: "Approve (核办) or file (备案) the current step of a procedure; "
    "the step's owner acts.",
    Action.REJECT: "Reject the current step: the procedure closes and everything "
    "it did is rolled back; the step's owner acts.",
    Action.RETURN: "Return the current step for more documents (--comment says "
    "which); the step's owner acts.",
    Action.RESUBMIT: "Resubmit a returned step with the documents asked for; the "
    "organisation that filed the procedure acts.",
    Action.WITHDRAW: "Withdraw the application: the procedure closes and is rolled "
    "back; the organisation that filed it acts.",
}


# ---------------------------------------------------------------- done


def done(
    obligation: Annotated[
        str,
        typer.Argument(
            help="The duty's id (from `xueji work` or `xueji obligations`), or "
            "request:ID/KIND, or student:NUMBER/KIND."
        ),
    ],
    on: OnOption,
    failed: Annotated[
        bool,
        typer.Option(
            "--failed",
            help="Carried out without effect (督促无效): what follows is "
            "created (e.g. the township's order to send the child, 第十六条).",
        ),
    ] = False,
    note: Annotated[str, typer.Option("--note", help="What was done.")] = "",
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Report a duty carried out (or failed); only its addressee may."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        obligation_id = References(register.store).obligation(obligation)
        request = ObligationFulfilment(
            id=f"cli-done-{uuid.uuid4().hex[:12]}",
            on=parse_date(on, "--on"),
            obligation=obligation_id,
            outcome=FulfilmentOutcome.FAILED if failed else FulfilmentOutcome.DONE,
            note=note,
        )
        decision = register.submit(request, principal)
        with register.store.unit_of_work() as uow:
            item = uow.get_obligation(obligation_id)
        names = org_names(register)
    out.decision(decision, label=obligation_id, org_names=names)
    if item is not None:
        out.line(
            f"{item.obligation.text} — {item.outcome} ({item.fulfilled_on})",
            style="bold",
        )
    out.emit(
        {
            "decision": decision_data(decision),
            "obligation": None if item is None else obligation_data(item, names),
        }
    )


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("work")(work)
    for action in Action:
        app.command(action.value)(_step_command(action, _STEP_DOCS[action]))
    app.command("done")(done)
