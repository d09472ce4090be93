"""Working days, school days and school calendars (xueji._calendar).

Every expected date and count below was worked out by hand from the State
Council's yearly holiday notices and the published Beijing 校历
(xueji/data/beijing-school-calendars.toml); comments show the arithmetic.

The State Council schedules used here (国务院办公厅关于2025年、2026年部分
节假日安排的通知):

- 2025: 国庆节、中秋节 10-01..10-08 off; Sun 09-28 and Sat 10-11 worked.
- 2026: 元旦 01-01..01-03 off, Sun 01-04 worked; 春节 02-15..02-23 off,
  Sat 02-14 and Sat 02-28 worked; 清明节 04-04..04-06 off; 劳动节
  05-01..05-05 off, Sat 05-09 worked; 端午节 06-19..06-21 off; no other
  make-up day before September.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import attrs
import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xueji._calendar import (
    CalendarBook,
    CalendarStage,
    HolidaySchedule,
    SchoolCalendar,
    Term,
    WorkingDays,
    add_months,
    load_holiday_schedule,
    load_school_calendars,
    school_year_of,
)
from xueji._errors import InvalidInputError, UnknownCalendarError

COMPULSORY = CalendarStage.COMPULSORY
SENIOR = CalendarStage.SENIOR


@pytest.fixture(scope="module")
def book() -> CalendarBook:
    return CalendarBook.default()


@pytest.fixture(scope="module")
def working_days(book: CalendarBook) -> WorkingDays:
    return book.working_days


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# A schedule for 2027 written for these tests only: the State Council had not
# published its 2027 notice when they were written, so these are not its dates.
# 2027-01-01 is a Friday.
SCHEDULE_2027 = """\
year = 2027
source = "test fixture, not the State Council notice"
holidays = [2027-01-01, 2027-01-02, 2027-01-03]
makeup_workdays = [2027-01-09]
"""

# A school calendar for 2026-2027 written for these tests only (not published).
CALENDAR_2026_2027 = """\
[[calendar]]
school_year = "2026-2027"
stage = "compulsory"
terms = [
  { term = 1, start = 2026-09-01, end = 2027-01-22, vacation_start = 2027-01-23, vacation_end = 2027-02-28 },
  { term = 2, start = 2027-03-01, end = 2027-07-06, vacation_start = 2027-07-07, vacation_end = 2027-08-31 },
]
"""  # noqa: E501


# --------------------------------------------------------------------------
# Working days: counting a period


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Mon 2025-09-01: Tue 2, Wed 3, Thu 4, Fri 5 are 1..4, Mon 8 is 5.
        (date(2025, 9, 1), 5, date(2025, 9, 8)),
        # ... Tue 9..Fri 12 are 6..9, Mon 15 is 10.
        (date(2025, 9, 1), 10, date(2025, 9, 15)),
        # Mon 2026-03-02: the same pattern, no holiday in March.
        (date(2026, 3, 2), 5, date(2026, 3, 9)),
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        # Fri 2026-02-13: Sat 02-14 is worked (1); 02-15..02-23 are off;
        # Tue 24, Wed 25, Thu 26, Fri 27 are 2..5.
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        # Fri 2026-02-06: Mon 9..Fri 13 are 1..5, Sat 14 is 6, 24..27 are 7..10.
        (date(2026, 2, 6), 10, date(2026, 2, 27)),
        # Tue 2025-09-30: 10-01..10-08 are off; Thu 10-09 is 1, Fri 10-10 is 2,
        # Sat 10-11 (worked) is 3.
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
    ],
)
def test_a_period_of_working_days_starts_the_day_after_the_event(
    working_days: WorkingDays, start: date, n: int, expected: date
) -> None:
    result = working_days.add_working_days(start, n)

    assert result == expected


def test_the_start_day_never_counts_even_when_it_is_a_working_day(
    working_days: WorkingDays,
) -> None:
    assert working_days.add_working_days(date(2025, 9, 1), 1) == date(2025, 9, 2)


def test_a_period_starting_on_a_weekend_counts_from_the_next_working_day(
    working_days: WorkingDays,
) -> None:
    # Sat 2025-09-06 -> Mon 08 is the first working day after it.
    assert working_days.add_working_days(date(2025, 9, 6), 1) == date(2025, 9, 8)


@pytest.mark.parametrize("n", [0, -1])
def test_a_period_of_fewer_than_one_working_day_is_refused(
    working_days: WorkingDays, n: int
) -> None:
    with pytest.raises(InvalidInputError, match="n >= 1"):
        working_days.add_working_days(date(2025, 9, 1), n)


# --------------------------------------------------------------------------
# Working days: the State Council schedule


def test_national_day_2025_make_up_days_are_working_days(
    working_days: WorkingDays,
) -> None:
    assert working_days.is_working_day(date(2025, 9, 28))  # Sunday, worked
    assert working_days.is_working_day(date(2025, 10, 11))  # Saturday, worked


@pytest.mark.parametrize("day", range(1, 9))
def test_national_day_2025_holidays_are_not_working_days(
    working_days: WorkingDays, day: int
) -> None:
    assert not working_days.is_working_day(date(2025, 10, day))


def test_an_ordinary_weekend_is_not_a_working_day(working_days: WorkingDays) -> None:
    assert not working_days.is_working_day(date(2025, 9, 27))  # Saturday
    assert not working_days.is_working_day(date(2025, 10, 12))  # Sunday
    assert working_days.is_working_day(date(2025, 10, 9))  # Thursday


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 29), date(2025, 9, 29)),  # a Monday stays
        (date(2025, 10, 1), date(2025, 10, 9)),  # National Day moves to Thu 10-09
        (date(2025, 9, 27), date(2025, 9, 28)),  # Sat moves to the worked Sunday
        (date(2026, 2, 15), date(2026, 2, 24)),  # Spring Festival moves to Tue
        (date(2026, 5, 2), date(2026, 5, 6)),  # Labour Day moves to Wed 05-06
    ],
)
def test_a_deadline_on_a_non_working_day_moves_to_the_next_working_day(
    working_days: WorkingDays, day: date, expected: date
) -> None:
    assert working_days.next_working_day(day) == expected


def test_working_days_between_counts_both_ends(working_days: WorkingDays) -> None:
    # Mon 09-29, Tue 09-30; 10-01..10-08 off; Thu 10-09, Fri 10-10, Sat 10-11
    # (worked); Sun 10-12 off: 2 + 3 = 5.
    count = working_days.working_days_between(date(2025, 9, 29), date(2025, 10, 12))

    assert count == 5


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2025, 9, 2), date(2025, 9, 1)),
        (date(2025, 9, 10), date(2025, 9, 1)),
        (date(2026, 1, 5), date(2025, 12, 29)),
    ],
)
def test_an_empty_range_has_no_working_days(
    working_days: WorkingDays, first: date, last: date
) -> None:
    assert working_days.working_days_between(first, last) == 0
    assert working_days.working_days_in(first, last) == []


def test_working_days_between_spans_a_year_end(working_days: WorkingDays) -> None:
    # Mon 2025-12-29, Tue 30, Wed 31; 2026-01-01..03 off; Sun 01-04 worked;
    # Mon 01-05: 3 + 2 = 5.
    count = working_days.working_days_between(date(2025, 12, 29), date(2026, 1, 5))

    assert count == 5


# --------------------------------------------------------------------------
# Working days: a year without data, and the operator's schedules


def test_a_year_without_a_schedule_is_an_error_naming_the_year(
    working_days: WorkingDays,
) -> None:
    with pytest.raises(UnknownCalendarError) as caught:
        working_days.is_working_day(date(2027, 1, 4))

    message = str(caught.value)
    assert "2027" in message
    assert "xueji calendar add-holidays FILE" in message
    assert "upgrade chinesecalendar" in message


def test_a_count_that_stays_in_a_known_year_needs_no_later_data(
    working_days: WorkingDays,
) -> None:
    # Wed 2026-12-30 -> Thu 12-31 is the first working day after it.
    assert working_days.add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)


def test_a_count_that_reaches_a_year_without_a_schedule_is_an_error(
    working_days: WorkingDays,
) -> None:
    with pytest.raises(UnknownCalendarError, match="2027"):
        working_days.add_working_days(date(2026, 12, 30), 3)


def test_an_operator_schedule_answers_for_its_year(tmp_path: Path) -> None:
    schedule = load_holiday_schedule(write(tmp_path, "2027.toml", SCHEDULE_2027))

    days = WorkingDays([schedule])

    assert days.is_working_day(date(2027, 1, 4))  # Monday
    assert not days.is_working_day(date(2027, 1, 1))  # Friday, holiday
    assert days.is_working_day(date(2027, 1, 9))  # Saturday, make-up day
    assert not days.is_working_day(date(2027, 1, 10))  # Sunday
    # Wed 2026-12-30: Thu 12-31 is 1; 2027-01-01..03 off; Mon 01-04 is 2,
    # Tue 01-05 is 3.
    assert days.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_an_operator_schedule_takes_precedence_over_chinese_calendar() -> None:
    # A schedule for 2026 that leaves out the 05-09 make-up Saturday.
    schedule = HolidaySchedule(
        year=2026,
        holidays=frozenset({date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5)}),
        makeup_workdays=frozenset(),
        source="test fixture",
    )

    days = WorkingDays([schedule])

    assert not days.is_working_day(date(2026, 5, 9))
    assert days.is_working_day(date(2026, 2, 16))  # not in this schedule's list


def test_two_schedules_for_one_year_are_refused() -> None:
    first = HolidaySchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), "a")
    second = HolidaySchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), "b")

    with pytest.raises(InvalidInputError, match="two holiday schedules for 2027"):
        WorkingDays([first, second])


def test_with_schedules_replaces_the_schedule_of_the_same_year() -> None:
    first = HolidaySchedule(2027, frozenset({date(2027, 1, 4)}), frozenset(), "a")
    second = HolidaySchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), "b")

    days = WorkingDays([first]).with_schedules([second])

    assert days.is_working_day(date(2027, 1, 4))
    assert days.schedules == (second,)


def test_a_book_with_holiday_schedules_answers_for_the_new_year(
    book: CalendarBook, tmp_path: Path
) -> None:
    schedule = load_holiday_schedule(write(tmp_path, "2027.toml", SCHEDULE_2027))

    extended = book.with_holiday_schedules([schedule])

    assert extended.working_days.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (SCHEDULE_2027.replace("year = 2027\n", ""), "year"),
        (SCHEDULE_2027.replace("year = 2027", 'year = "2027"'), "year"),
        (SCHEDULE_2027.replace('source = "test fixture', 'sauce = "x'), "source"),
        (SCHEDULE_2027.replace("2027-01-02,", "2026-12-31,"), "holidays"),
        (SCHEDULE_2027.replace("2027-01-02,", '"2027-01-02",'), "holidays[1]"),
        (SCHEDULE_2027.replace("2027-01-02,", "2027-01-02T08:00:00,"), "holidays[1]"),
        (SCHEDULE_2027.replace("[2027-01-09]", "[2027-01-01]"), "makeup_workdays"),
        # 2027-01-08 is a Friday: never a make-up working day.
        (SCHEDULE_2027.replace("[2027-01-09]", "[2027-01-08]"), "makeup_workdays"),
        (SCHEDULE_2027.replace("makeup_workdays", "makeup_days"), "makeup_workdays"),
        (SCHEDULE_2027 + "extra = 1\n", "extra"),
        (
            SCHEDULE_2027.replace("[2027-01-01, 2027-01-02, 2027-01-03]", "[]"),
            "holidays",
        ),
    ],
)
def test_a_malformed_holiday_schedule_names_the_file_and_the_field(
    tmp_path: Path, text: str, field: str
) -> None:
    path = write(tmp_path, "bad-2027.toml", text)

    with pytest.raises(InvalidInputError) as caught:
        load_holiday_schedule(path)

    assert "bad-2027.toml" in str(caught.value)
    assert f"`{field}`" in str(caught.value)


def test_a_holiday_schedule_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", "year = = 2027\n")

    with pytest.raises(InvalidInputError, match=r"broken\.toml: not valid TOML"):
        load_holiday_schedule(path)


def test_a_missing_holiday_schedule_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_holiday_schedule(tmp_path / "absent.toml")


def test_a_schedule_built_in_code_is_checked_too() -> None:
    with pytest.raises(InvalidInputError, match="Saturday or a Sunday"):
        HolidaySchedule(
            2027, frozenset({date(2027, 1, 1)}), frozenset({date(2027, 1, 8)}), "x"
        )


# --------------------------------------------------------------------------
# School years, terms and school calendars


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 1), "2025-2026"),
        (date(2026, 1, 1), "2025-2026"),
        (date(2026, 8, 31), "2025-2026"),
        (date(2025, 8, 31), "2024-2025"),
    ],
)
def test_a_school_year_runs_from_september_to_august(day: date, expected: str) -> None:
    assert school_year_of(day) == expected


def test_the_shipped_calendars_are_in_the_default_book(book: CalendarBook) -> None:
    calendar = book.calendar("2025-2026", SENIOR)

    assert [t.number for t in calendar.terms] == [1, 2]
    assert calendar.terms[0].end == date(2026, 1, 30)
    assert calendar.terms[1].start == date(2026, 3, 2)
    assert len(book.calendars) == 4


def test_a_term_contains_its_first_and_last_day(book: CalendarBook) -> None:
    term = book.term("2025-2026", COMPULSORY, 1)

    assert term.contains(date(2025, 9, 1))
    assert term.contains(date(2026, 1, 23))
    assert not term.contains(date(2026, 1, 24))


@pytest.mark.parametrize(
    ("day", "stage", "number"),
    [
        (date(2025, 12, 1), COMPULSORY, 1),
        (date(2026, 1, 26), SENIOR, 1),  # senior term 1 runs to 01-30
        (date(2026, 7, 10), SENIOR, 2),  # senior term 2 runs to 07-14
        (date(2024, 9, 1), COMPULSORY, 1),  # 2024-2025 starts on a Sunday
    ],
)
def test_term_on_finds_the_term_containing_a_day(
    book: CalendarBook, day: date, stage: CalendarStage, number: int
) -> None:
    term = book.term_on(day, stage)

    assert term is not None
    assert term.number == number
    assert term.school_year == school_year_of(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 26),  # compulsory winter vacation 01-24..03-01
        date(2026, 3, 1),
        date(2026, 7, 10),  # compulsory summer vacation from 07-08
        date(2026, 8, 31),
    ],
)
def test_term_on_a_vacation_day_is_none(book: CalendarBook, day: date) -> None:
    assert book.term_on(day, COMPULSORY) is None


def test_term_on_a_day_of_an_unknown_school_year_is_an_error(
    book: CalendarBook,
) -> None:
    with pytest.raises(UnknownCalendarError) as caught:
        book.term_on(date(2026, 9, 1), COMPULSORY)

    assert "2026-2027" in str(caught.value)
    assert "compulsory" in str(caught.value)
    assert "xueji calendar add FILE" in str(caught.value)


def test_an_unknown_calendar_is_an_error_naming_the_year_and_stage(
    book: CalendarBook,
) -> None:
    with pytest.raises(UnknownCalendarError) as caught:
        book.calendar("2023-2024", SENIOR)

    assert "2023-2024" in str(caught.value)
    assert "senior" in str(caught.value)
    assert "beijing-school-calendars.toml" in str(caught.value)


def test_asking_for_a_third_term_is_refused(book: CalendarBook) -> None:
    with pytest.raises(InvalidInputError, match="not term 3"):
        book.term("2025-2026", COMPULSORY, 3)


@pytest.mark.parametrize(
    ("day", "stage", "school_year", "number"),
    [
        (date(2025, 11, 3), COMPULSORY, "2025-2026", 1),  # in term 1
        (date(2026, 2, 1), COMPULSORY, "2025-2026", 2),  # winter vacation
        (date(2026, 7, 10), SENIOR, "2025-2026", 2),  # still in senior term 2
        (date(2025, 7, 20), COMPULSORY, "2025-2026", 1),  # summer of 2024-2025
    ],
)
def test_current_or_next_term(
    book: CalendarBook,
    day: date,
    stage: CalendarStage,
    school_year: str,
    number: int,
) -> None:
    term = book.current_or_next_term(day, stage)

    assert (term.school_year, term.number) == (school_year, number)


def test_the_next_term_in_an_unknown_school_year_is_an_error(
    book: CalendarBook,
) -> None:
    with pytest.raises(UnknownCalendarError, match="2026-2027"):
        book.current_or_next_term(date(2026, 7, 20), COMPULSORY)


def test_with_calendars_adds_a_school_year(book: CalendarBook, tmp_path: Path) -> None:
    calendars = load_school_calendars(write(tmp_path, "c.toml", CALENDAR_2026_2027))

    extended = book.with_calendars(calendars)

    term = extended.term_on(date(2026, 9, 1), COMPULSORY)
    assert term is not None
    assert (term.school_year, term.number) == ("2026-2027", 1)
    # Tue 2026-07-07 is the last day of 2025-2026; Tue 2026-09-01 is the next.
    assert extended.next_school_day(date(2026, 7, 7), COMPULSORY) == date(2026, 9, 1)
    with pytest.raises(UnknownCalendarError):
        book.term_on(date(2026, 9, 1), COMPULSORY)  # the old book is unchanged


def test_with_calendars_replaces_the_calendar_of_the_same_year_and_stage(
    book: CalendarBook,
) -> None:
    old = book.calendar("2025-2026", COMPULSORY)
    longer = attrs.evolve(
        old.terms[1], end=date(2026, 7, 10), vacation_start=date(2026, 7, 11)
    )
    replacement = SchoolCalendar("2025-2026", COMPULSORY, (old.terms[0], longer))

    amended = book.with_calendars([replacement])

    assert amended.term_on(date(2026, 7, 9), COMPULSORY) == longer
    assert book.term_on(date(2026, 7, 9), COMPULSORY) is None


def test_two_calendars_for_one_year_and_stage_are_refused(book: CalendarBook) -> None:
    calendar = book.calendar("2025-2026", COMPULSORY)

    with pytest.raises(InvalidInputError, match="two school calendars"):
        CalendarBook(book.working_days, [calendar, calendar])


def test_terms_overlapping_across_school_years_are_refused(
    book: CalendarBook,
) -> None:
    overlapping = SchoolCalendar(
        "2026-2027",
        COMPULSORY,
        (
            Term(
                "2026-2027",
                COMPULSORY,
                1,
                date(2026, 7, 1),
                date(2027, 1, 22),
                date(2027, 1, 23),
                date(2027, 8, 31),
            ),
        ),
    )

    with pytest.raises(InvalidInputError, match="starts"):
        book.with_calendars([overlapping])


# --------------------------------------------------------------------------
# Loading school calendars


def test_a_calendar_file_in_the_shipped_format_loads(tmp_path: Path) -> None:
    calendars = load_school_calendars(write(tmp_path, "c.toml", CALENDAR_2026_2027))

    assert len(calendars) == 1
    assert calendars[0].school_year == "2026-2027"
    assert calendars[0].stage is COMPULSORY
    assert calendars[0].terms[1] == Term(
        "2026-2027",
        COMPULSORY,
        2,
        date(2027, 3, 1),
        date(2027, 7, 6),
        date(2027, 7, 7),
        date(2027, 8, 31),
    )


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (", end = 2027-01-22", "", "end"),  # missing field
        ("end = 2027-01-22", "end = 2026-08-22", "end"),  # end before start
        ('"compulsory"', '"primary"', "stage"),  # bad stage
        ('"2026-2027"', '"2026-2028"', "school_year"),
        ("{ term = 2", "{ term = 3", "term"),
        ("{ term = 1", '{ term = "1"', "term"),
        ("start = 2026-09-01", 'start = "2026-09-01"', "start"),
        (
            "vacation_start = 2027-01-23",
            "vacation_start = 2027-01-22",
            "vacation_start",
        ),
        ("vacation_end = 2027-02-28", "vacation_end = 2027-01-22", "vacation_end"),
        ("start = 2027-03-01", "start = 2027-02-01", "start"),  # inside vacation
        ("vacation_end = 2027-08-31", "vacation_end = 2028-08-31", "vacation_end"),
        ("terms = [", "term_list = [", "terms"),
        ("stage =", "stage = 1\nlevel =", "level"),
    ],
)
def test_a_malformed_calendar_names_the_file_the_calendar_and_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    assert old in CALENDAR_2026_2027
    path = write(tmp_path, "bad.toml", CALENDAR_2026_2027.replace(old, new, 1))

    with pytest.raises(InvalidInputError) as caught:
        load_school_calendars(path)

    message = str(caught.value)
    assert "bad.toml" in message
    assert "[[calendar]] #1" in message
    assert f"`{field}`" in message


def test_a_second_calendar_for_the_same_year_and_stage_in_a_file_is_refused(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "twice.toml", CALENDAR_2026_2027 * 2)

    with pytest.raises(InvalidInputError, match=r"\[\[calendar\]\] #2"):
        load_school_calendars(path)


def test_a_calendar_file_without_calendars_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.toml", "# nothing here\n")

    with pytest.raises(InvalidInputError, match=r"empty\.toml, field `calendar`"):
        load_school_calendars(path)


# --------------------------------------------------------------------------
# School days


@pytest.mark.parametrize(
    ("day", "stage", "expected"),
    [
        (date(2025, 9, 28), COMPULSORY, True),  # Sunday, make-up day in term 1
        (date(2025, 10, 11), COMPULSORY, True),  # Saturday, make-up day in term 1
        (date(2026, 1, 4), COMPULSORY, True),  # Sunday, make-up day in term 1
        (date(2025, 10, 3), COMPULSORY, False),  # National Day holiday
        (date(2025, 9, 27), COMPULSORY, False),  # an ordinary Saturday in term
        (date(2025, 9, 1), COMPULSORY, True),  # first day of term 1, a Monday
        (date(2026, 1, 26), COMPULSORY, False),  # compulsory winter vacation
        (date(2026, 1, 26), SENIOR, True),  # senior term 1 ends 01-30
        (date(2026, 2, 28), COMPULSORY, False),  # make-up Saturday in vacation
        (date(2026, 2, 28), SENIOR, False),  # make-up Saturday in vacation
        (date(2026, 7, 7), COMPULSORY, True),  # last day of term 2, a Tuesday
        (date(2026, 7, 8), COMPULSORY, False),  # summer vacation
        (date(2026, 7, 8), SENIOR, True),  # senior term 2 ends 07-14
    ],
)
def test_a_school_day_is_a_working_day_inside_a_term(
    book: CalendarBook, day: date, stage: CalendarStage, expected: bool
) -> None:
    assert book.is_school_day(day, stage) is expected


def test_school_days_of_compulsory_term_2_of_2025_2026(book: CalendarBook) -> None:
    term = book.term("2025-2026", COMPULSORY, 2)

    days = book.term_school_days(term)

    # Mon 2026-03-02 .. Tue 2026-07-07 is 30 + 30 + 31 + 30 + 7 = 128 days:
    # 18 weeks (to Sun 07-05) and Mon 07-06, Tue 07-07 -> 18 * 5 + 2 = 92
    # weekdays.  Weekday holidays: Mon 04-06 (清明, 04-04/05 are a weekend);
    # Fri 05-01, Mon 05-04, Tue 05-05 (劳动节, 05-02/03 are a weekend);
    # Fri 06-19 (端午, 06-20/21 are a weekend) -> 5.  Make-up days: Sat 05-09
    # -> 1.  92 - 5 + 1 = 88.
    assert len(days) == 88
    assert days[0] == date(2026, 3, 2)
    assert days[-1] == date(2026, 7, 7)
    assert date(2026, 5, 9) in days
    assert date(2026, 4, 6) not in days


def test_school_days_of_compulsory_term_1_of_2025_2026(book: CalendarBook) -> None:
    term = book.term("2025-2026", COMPULSORY, 1)

    days = book.term_school_days(term)

    # Mon 2025-09-01 .. Fri 2026-01-23 is 30 + 31 + 30 + 31 + 23 = 145 days:
    # 20 weeks and Mon 01-19..Fri 01-23 -> 100 + 5 = 105 weekdays.  Weekday
    # holidays: 10-01, 02, 03, 06, 07, 08 (10-04/05 are a weekend) and
    # 2026-01-01, 02 -> 8.  Make-up days: Sun 09-28, Sat 10-11, Sun 2026-01-04
    # -> 3.  105 - 8 + 3 = 100.
    assert len(days) == 100


def test_school_days_of_the_senior_terms_of_2025_2026(book: CalendarBook) -> None:
    first = book.term("2025-2026", SENIOR, 1)
    second = book.term("2025-2026", SENIOR, 2)

    # Term 1 is compulsory term 1 (100) plus Mon 01-26..Fri 01-30 (5) = 105.
    # Term 2 is compulsory term 2 (88) plus Wed 07-08, Thu 09, Fri 10, Mon 13,
    # Tue 14 (5) = 93.
    assert len(book.term_school_days(first)) == 105
    assert len(book.term_school_days(second)) == 93


def test_school_days_skip_the_vacation(book: CalendarBook) -> None:
    days = book.school_days(date(2026, 1, 22), date(2026, 3, 3), COMPULSORY)

    assert days == [
        date(2026, 1, 22),
        date(2026, 1, 23),
        date(2026, 3, 2),
        date(2026, 3, 3),
    ]


def test_school_days_across_two_school_years(book: CalendarBook) -> None:
    # 2024-2025 compulsory term 2 ends Sun 2025-07-06, so its last school day
    # is Fri 07-04; 2025-2026 term 1 starts Mon 2025-09-01.
    days = book.school_days(date(2025, 7, 3), date(2025, 9, 2), COMPULSORY)

    assert days == [
        date(2025, 7, 3),
        date(2025, 7, 4),
        date(2025, 9, 1),
        date(2025, 9, 2),
    ]


def test_school_days_reaching_an_unknown_school_year_is_an_error(
    book: CalendarBook,
) -> None:
    with pytest.raises(UnknownCalendarError, match="2026-2027"):
        book.school_days(date(2026, 7, 1), date(2026, 9, 30), COMPULSORY)


def test_a_vacation_day_of_a_year_without_holiday_data_is_not_a_school_day(
    book: CalendarBook, tmp_path: Path
) -> None:
    # The vacation answers without needing 2027's working days.
    calendars = load_school_calendars(write(tmp_path, "c.toml", CALENDAR_2026_2027))

    extended = book.with_calendars(calendars)

    assert not extended.is_school_day(date(2027, 2, 1), COMPULSORY)
    with pytest.raises(UnknownCalendarError, match="2027"):
        extended.is_school_day(date(2027, 3, 1), COMPULSORY)


def test_a_closure_day_is_not_a_school_day_in_its_district_only(
    book: CalendarBook,
) -> None:
    closed = book.with_closures("110108", [date(2025, 11, 3)])  # a Monday

    assert not closed.is_school_day(date(2025, 11, 3), COMPULSORY, "110108")
    assert closed.is_school_day(date(2025, 11, 3), COMPULSORY, "110105")
    assert closed.is_school_day(date(2025, 11, 3), COMPULSORY)
    assert book.is_school_day(date(2025, 11, 3), COMPULSORY, "110108")


def test_closure_days_are_left_out_of_the_term_count(book: CalendarBook) -> None:
    closed = book.with_closures("110108", [date(2025, 11, 3), date(2025, 11, 4)])
    closed = closed.with_closures("110108", [date(2025, 10, 4)])  # a holiday anyway
    term = closed.term("2025-2026", COMPULSORY, 1)

    assert len(closed.term_school_days(term, "110108")) == 100 - 2
    assert len(closed.term_school_days(term, "110105")) == 100
    assert closed.closures["110108"] == frozenset(
        {date(2025, 11, 3), date(2025, 11, 4), date(2025, 10, 4)}
    )


@pytest.mark.parametrize(
    ("day", "stage", "expected"),
    [
        (date(2026, 1, 23), COMPULSORY, date(2026, 3, 2)),  # across the vacation
        (date(2025, 9, 30), COMPULSORY, date(2025, 10, 9)),  # across National Day
        (date(2025, 10, 10), COMPULSORY, date(2025, 10, 11)),  # make-up Saturday
        (date(2025, 9, 26), COMPULSORY, date(2025, 9, 28)),  # make-up Sunday
        (date(2026, 1, 23), SENIOR, date(2026, 1, 26)),  # senior term goes on
        (date(2026, 2, 10), SENIOR, date(2026, 3, 2)),  # from inside a vacation
        (date(2025, 7, 4), COMPULSORY, date(2025, 9, 1)),  # into a new school year
    ],
)
def test_the_next_school_day_is_strictly_after_the_day(
    book: CalendarBook, day: date, stage: CalendarStage, expected: date
) -> None:
    assert book.next_school_day(day, stage) == expected


def test_the_next_school_day_skips_a_closure(book: CalendarBook) -> None:
    closed = book.with_closures("110108", [date(2025, 10, 9)])

    assert closed.next_school_day(date(2025, 9, 30), COMPULSORY, "110108") == date(
        2025, 10, 10
    )


def test_the_next_school_day_in_an_unknown_school_year_is_an_error(
    book: CalendarBook,
) -> None:
    with pytest.raises(UnknownCalendarError, match="2026-2027"):
        book.next_school_day(date(2026, 7, 7), COMPULSORY)


# --------------------------------------------------------------------------
# "开学后N个工作日内"


@pytest.mark.parametrize(
    ("school_year", "number", "n", "expected"),
    [
        ("2025-2026", 1, 5, date(2025, 9, 8)),
        ("2025-2026", 1, 10, date(2025, 9, 15)),
        ("2025-2026", 2, 5, date(2026, 3, 9)),
        ("2025-2026", 2, 10, date(2026, 3, 16)),
        # 2024-2025 term 1 starts on Sunday 2024-09-01, counted from as
        # published: Mon 09-02..Fri 09-06 are 1..5, Mon 09-09..Fri 09-13 are
        # 6..10 (the 2024 Mid-Autumn make-up Saturday is 09-14, after).
        ("2024-2025", 1, 5, date(2024, 9, 6)),
        ("2024-2025", 1, 10, date(2024, 9, 13)),
    ],
)
def test_n_working_days_after_term_start(
    book: CalendarBook, school_year: str, number: int, n: int, expected: date
) -> None:
    term = book.term(school_year, COMPULSORY, number)

    assert book.days_after_term_start(term, n) == expected


# --------------------------------------------------------------------------
# Calendar months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 2), 1, date(2026, 4, 2)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 8, 31), 0, date(2025, 8, 31)),
    ],
)
def test_add_months_uses_the_months_last_day_without_a_corresponding_day(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_add_months_beyond_the_last_representable_year_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="outside the years"):
        add_months(date(9999, 12, 1), 1)


# --------------------------------------------------------------------------
# Properties, checked against chinese_calendar as an independent oracle


def _oracle_working_days(after: date, through: date) -> int:
    """Working days in (after, through] by chinese_calendar, one day at a time."""
    days = (after + timedelta(days=i) for i in itertools.count(1))
    span = itertools.takewhile(lambda d: d <= through, days)
    return sum(1 for d in span if chinese_calendar.is_workday(d))


@settings(deadline=None)
@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_add_working_days_lands_on_the_nth_working_day(day: date, n: int) -> None:
    result = CalendarBook.default().working_days.add_working_days(day, n)

    assert result > day
    assert chinese_calendar.is_workday(result)
    assert _oracle_working_days(day, result) == n


@settings(deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 24)))
def test_next_working_day_is_the_first_working_day_from_the_day(day: date) -> None:
    result = CalendarBook.default().working_days.next_working_day(day)

    assert result >= day
    assert chinese_calendar.is_workday(result)
    assert _oracle_working_days(day - timedelta(days=1), result) == 1


# --------------------------------------------------------------------------
# The examples in docs/calendars.md


DOCS = Path(__file__).parent.parent / "docs" / "calendars.md"


def _toml_blocks() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


def test_the_documented_2026_schedule_agrees_with_chinese_calendar(
    tmp_path: Path,
) -> None:
    (text,) = [b for b in _toml_blocks() if b.startswith("year = 2026")]
    schedule = load_holiday_schedule(write(tmp_path, "2026.toml", text))

    days = WorkingDays([schedule])

    assert len(schedule.makeup_workdays) == 6
    for offset in range(365):
        day = date(2026, 1, 1) + timedelta(days=offset)
        assert days.is_working_day(day) is chinese_calendar.is_workday(day), day


def test_the_documented_calendar_is_the_shipped_one(
    book: CalendarBook, tmp_path: Path
) -> None:
    (text,) = [b for b in _toml_blocks() if b.startswith("[[calendar]]")]

    (calendar,) = load_school_calendars(write(tmp_path, "cal.toml", text))

    assert calendar == book.calendar("2025-2026", COMPULSORY)
