"""Chapter 4, 考勤: ``xueji attendance load FILE`` (marks from a CSV file,
第十九条, with the duties they raise under 第二十条) and ``xueji attendance
duties`` (the open duties to inform the guardians, to contact them about
frequent lateness, and to inform the township of a week of truancy)."""

__all__ = ["attendance_app"]

from datetime import date
from pathlib import Path
from typing import Annotated

import attrs
import typer

from xueji import (
    AttendanceMarks,
    Decision,
    ObligationKind,
    load_attendance_csv,
)
from xueji_cli._common import (
    AsOption,
    DbOption,
    JsonOption,
    handled,
    in_scope,
    org_names,
    parse_date,
    principal_of,
    url_of,
)
from xueji_cli._render import Output, decision_data, mask_number, obligation_data
from xueji_cli._store import build_register
from xueji_cli._stream import REGISTRAR

attendance_app = typer.Typer(
    help="Chapter 4 考勤: load attendance marks, list the duties they raise.",
    no_args_is_help=True,
)

DUTIES = (
    ObligationKind.INFORM_GUARDIAN,
    ObligationKind.CONTACT_GUARDIAN,
    ObligationKind.INFORM_TOWNSHIP,
)
"""The duties of 第二十条: inform the guardians of 旷课, contact them about
经常迟到、早退, inform the township of a week of continuous truancy."""


def dated(batch: AttendanceMarks, on: date | None) -> AttendanceMarks:
    """The batch dated ``on``, or — without ``--on`` — its last marked day
    (a date from the file, never today's)."""
    return attrs.evolve(batch, on=on or batch.last)


@attendance_app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8 or GB18030) with columns 学校代码, 学籍号, 日期, "
            "考勤 and optionally 备注."
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day the marks are entered (default: each school's last "
            "marked day in the file).",
        ),
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Load attendance marks (第十九条), one batch per school, and show the
    duties they raise (第二十条).  Every row is checked first; a bad row is
    reported with its row number and nothing is written."""
    out = Output(json_output=json_output)
    decisions: list[Decision] = []
    with handled(out):
        register = build_register(url_of(db))
        day = parse_date(on, "--on") if on else None
        batches = [dated(b, day) for b in load_attendance_csv(file, on=day or date.max)]
        names = org_names(register)
        for batch in batches:
            principal = principal_of(as_, f"school:{batch.school}:{REGISTRAR}")
            decision = register.submit(batch, principal)
            decisions.append(decision)
            out.decision(
                decision,
                label=f"{names.get(batch.school, batch.school)} "
                f"{batch.first}..{batch.last} ({len(batch.entries)} 条)",
                org_names=names,
            )
    marks = sum(len(b.entries) for b in batches)
    duties = [o for d in decisions for o in d.obligations]
    out.line()
    out.line(
        f"考勤 attendance {file.name}: {marks} 条记录 marks, {len(batches)} 所学校, "
        f"{len(duties)} 项义务 duties raised"
    )
    out.emit(
        {
            "file": str(file),
            "marks": marks,
            "batches": [
                {
                    "id": b.id,
                    "school": b.school,
                    "first": b.first.isoformat(),
                    "last": b.last.isoformat(),
                    "on": b.on.isoformat(),
                    "entries": len(b.entries),
                }
                for b in batches
            ],
            "decisions": [decision_data(d) for d in decisions],
        }
    )


@attendance_app.command("duties")
def duties(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation's duties.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only duties arisen by this date; flags overdue."),
    ] = None,
    include_done: Annotated[
        bool, typer.Option("--all", help="Include fulfilled duties.")
    ] = False,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """The attendance duties of 第二十条: inform the guardians (旷课), contact
    them (经常迟到、早退), inform the township (连续旷课一周)."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        day = parse_date(as_of, "--as-of") if as_of else None
        with register.store.unit_of_work() as uow:
            items = uow.obligations(organisation=org, open_only=not include_done)
        names = org_names(register)
    items = [
        i
        for i in items
        if i.obligation.kind in DUTIES
        and in_scope(i, principal)
        and (day is None or i.obligation.arises <= day)
    ]
    overdue = {
        i.id
        for i in items
        if day is not None and i.open and i.obligation.due and i.obligation.due < day
    }
    out.table(
        f"考勤义务 attendance duties ({len(items)}"
        + (f", 逾期 overdue {len(overdue)} as of {day}" if day else "")
        + ")",
        ["义务 id", "到期 due", "义务", "承办", "学生", "条款", ""],
        [
            (
                i.id,
                i.obligation.due or "—",
                i.obligation.text,
                names.get(i.obligation.organisation, i.obligation.organisation),
                mask_number(i.obligation.student),
                i.obligation.article,
                "逾期" if i.id in overdue else ("已办" if not i.open else ""),
            )
            for i in items
        ],
    )
    out.emit(
        {
            "as_of": day.isoformat() if day else None,
            "obligations": [obligation_data(i, names) for i in items],
            "overdue": sorted(overdue),
        }
    )
