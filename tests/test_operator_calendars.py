"""Calendar data an operator supplies is kept in the register (docs/calendars.md).

The 2026-2027 calendar below is an operator's file for the test, not a
published one: term 1 from Tuesday 2026-09-01.  5 working days after it:
09-02, 03, 04, 07, 08 → 2026-09-08.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import CITY, PRIMARY
from xueji import (
    AccessDeniedError,
    CalendarStage,
    MemoryStore,
    Register,
    UnknownCalendarError,
    load_school_calendars,
)
from xueji_cli.main import app

CALENDAR = """\
[[calendar]]
school_year = "2026-2027"
stage = "compulsory"

[[calendar.terms]]
term = 1
start = 2026-09-01
end = 2027-01-22
vacation_start = 2027-01-23
vacation_end = 2027-02-28

[[calendar.terms]]
term = 2
start = 2027-03-01
end = 2027-07-06
vacation_start = 2027-07-07
vacation_end = 2027-08-31
"""


@pytest.fixture
def calendar_file(tmp_path: Path) -> Path:
    path = tmp_path / "2026-2027.toml"
    path.write_text(CALENDAR, encoding="utf-8")
    return path


def test_an_added_calendar_is_used_and_kept_in_the_register(
    calendar_file: Path,
) -> None:
    store = MemoryStore()
    register = Register(store)
    with pytest.raises(UnknownCalendarError, match="2026-2027"):
        register.calendars.term("2026-2027", CalendarStage.COMPULSORY, 1)

    register.add_school_calendars(load_school_calendars(calendar_file), CITY)
    later = Register(store)

    term = later.calendars.term("2026-2027", CalendarStage.COMPULSORY, 1)
    assert later.calendars.days_after_term_start(term, 5) == date(2026, 9, 8)


def test_a_school_cannot_supply_a_calendar(calendar_file: Path) -> None:
    register = Register(MemoryStore())

    with pytest.raises(AccessDeniedError):
        register.add_school_calendars(load_school_calendars(calendar_file), PRIMARY)


def test_the_cli_adds_a_calendar(calendar_file: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", db]).exit_code == 0

    result = runner.invoke(app, ["calendar", "add", str(calendar_file), "--db", db])

    assert result.exit_code == 0, result.output
    assert "2026-2027" in result.output
