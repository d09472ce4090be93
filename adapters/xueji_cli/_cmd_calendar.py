"""``xueji calendar add FILE`` and ``xueji calendar add-holidays FILE``:
calendar data an operator supplies (a school year's 校历 not yet in the
published data, or a year's State Council holiday schedule), kept in the
register so every later command uses it (docs/calendars.md)."""

from __future__ import annotations

__all__ = ["calendar_app"]

from pathlib import Path
from typing import Annotated

import typer

from xueji import load_holiday_schedule, load_school_calendars
from xueji_cli._common import (
    AsOption,
    DbOption,
    JsonOption,
    handled,
    principal_of,
    url_of,
)
from xueji_cli._render import Output
from xueji_cli._store import build_register

calendar_app = typer.Typer(
    help="Supply calendar data: school calendars and holiday schedules.",
    no_args_is_help=True,
)

FileArgument = Annotated[
    Path, typer.Argument(help="A TOML file in the format docs/calendars.md shows.")
]


@calendar_app.command("add")
def add(
    file: FileArgument,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add school calendars (校历) to the register (the city or a district)."""
    out = Output(json_output=json_output)
    with handled(out):
        calendars = load_school_calendars(file)
        register = build_register(url_of(db))
        register.add_school_calendars(calendars, principal_of(as_))
    for calendar in calendars:
        out.line(
            f"校历 added: {calendar.school_year} {calendar.stage.value} — "
            + ", ".join(f"第{t.number}学期 {t.start}–{t.end}" for t in calendar.terms)
        )
    out.emit(
        {
            "added": [
                {"school_year": c.school_year, "stage": c.stage.value}
                for c in calendars
            ]
        }
    )


@calendar_app.command("add-holidays")
def add_holidays(
    file: FileArgument,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add a year's State Council holiday schedule to the register."""
    out = Output(json_output=json_output)
    with handled(out):
        schedule = load_holiday_schedule(file)
        register = build_register(url_of(db))
        register.add_holiday_schedule(schedule, principal_of(as_))
    out.line(
        f"节假日安排 added: {schedule.year} — {len(schedule.holidays)} 天放假, "
        f"{len(schedule.makeup_workdays)} 天调休上班 ({schedule.source})"
    )
    out.emit(
        {
            "year": schedule.year,
            "holidays": len(schedule.holidays),
            "makeup_workdays": len(schedule.makeup_workdays),
        }
    )
