"""Working days, school days and school calendars (工作日、教学日、校历).

Every deadline and every attendance fraction in the kernel is counted here, so
this module carries the readings of the text that concern time (DESIGN.md,
section "Time" and section 4; docs/readings.md; docs/calendars.md):

- A *working day* (工作日) follows the State Council's yearly holiday schedule
  (国务院办公厅关于部分节假日安排的通知): weekends off, statutory holidays off,
  调休 make-up working days on.  The data come from the ``chinese_calendar``
  package, or from an operator's schedule file, which wins for its year.
- A *school day* (教学日) is a working day inside a term of the school calendar
  of its school year and stage, minus the closure days a district records.
  Make-up working days inside a term are school days.
- A period after an event starts the next day (民法典第二百零一条):
  :meth:`WorkingDays.add_working_days` never counts its start.
- "开学后N个工作日内" (第十一、十六、十七、二十一条) ends on the N-th working
  day after the term's first calendar day as published, even when that day is
  a weekend: :meth:`CalendarBook.days_after_term_start`.
- A deadline counted in calendar days, months or years that ends on a
  non-working day moves to the next working day (民法典第二百零三条):
  :meth:`WorkingDays.next_working_day`.
- Months are calendar months; without a corresponding day, the month's last
  day (民法典第二百零二条): :func:`add_months`.
- A year or school year whose calendar is unknown is an error that names the
  year and says how to supply the data, never a guess.  It is raised only when
  an answer needs the missing data.
"""

from __future__ import annotations

__all__ = [
    "CalendarBook",
    "CalendarStage",
    "HolidaySchedule",
    "SchoolCalendar",
    "Term",
    "WorkingDays",
    "add_months",
    "load_holiday_schedule",
    "load_school_calendars",
    "school_year_of",
]

import bisect
import calendar as _stdlib_calendar
import enum
import functools
import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import chinese_calendar

from xueji._errors import InvalidInputError, UnknownCalendarError

_ONE_DAY = timedelta(days=1)
_SHIPPED_CALENDARS = "beijing-school-calendars.toml"
_SCHOOL_YEAR = re.compile(r"(\d{4})-(\d{4})")
_ADD_HOLIDAYS = "`xueji calendar add-holidays FILE`"
_ADD_CALENDAR = "`xueji calendar add FILE`"


class CalendarStage(enum.Enum):
    """The two stages of Beijing's published school calendars (校历)."""

    COMPULSORY = "compulsory"  # 义务教育阶段: 小学 and 初中
    SENIOR = "senior"  # 非义务教育阶段: 高中

    @property
    def label(self) -> str:
        """The stage's name as the published calendars write it."""
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    CalendarStage.COMPULSORY: "义务教育阶段",
    CalendarStage.SENIOR: "非义务教育阶段",
}


# --------------------------------------------------------------------------
# Plain date arithmetic


def school_year_of(d: date) -> str:
    """The school year (学年) containing ``d``: 1 September to 31 August.

    ``school_year_of(date(2025, 9, 1)) == "2025-2026"`` and
    ``school_year_of(date(2026, 8, 31)) == "2025-2026"``.
    """
    first = d.year if d.month >= 9 else d.year - 1
    return f"{first}-{first + 1}"


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` calendar months (negative moves back).

    Without a corresponding day in the target month, the month's last day
    (民法典第二百零二条): 2025-01-31 plus one month is 2025-02-28.

    Raises:
        InvalidInputError: the result would fall outside years 1..9999.
    """
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not MINYEAR <= year <= MAXYEAR:
        raise InvalidInputError(
            f"{d.isoformat()} plus {months} month(s) falls in year {year}, "
            f"outside the years a date can hold ({MINYEAR}..{MAXYEAR}). "
            "Check the number of months."
        )
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


def _next_school_year(school_year: str) -> str:
    first = int(school_year[:4]) + 1
    return f"{first}-{first + 1}"


# --------------------------------------------------------------------------
# Working days


@attrs.frozen
class HolidaySchedule:
    """One year of the State Council's holiday schedule, supplied by an operator.

    ``holidays`` are the days off the notice lists (weekends inside a holiday
    span may be listed or not; weekends are off either way);
    ``makeup_workdays`` are the 调休 Saturdays and Sundays worked instead.
    ``source`` names the notice, e.g.
    "国务院办公厅关于2027年部分节假日安排的通知".  Read one from a file with
    :func:`load_holiday_schedule`.

    Raises:
        InvalidInputError: a date outside ``year``, a date both a holiday and a
            make-up day, or a make-up day that is not a Saturday or Sunday.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str

    def __attrs_post_init__(self) -> None:
        problem = _schedule_problem(self.year, self.holidays, self.makeup_workdays)
        if problem is not None:
            field, text = problem
            raise InvalidInputError(
                f"holiday schedule {self.source!r}, field `{field}`: {text}"
            )


def _schedule_problem(
    year: int, holidays: frozenset[date], makeup: frozenset[date]
) -> tuple[str, str] | None:
    """The first broken rule of a year's schedule as (field, message)."""
    for field, days in (("holidays", holidays), ("makeup_workdays", makeup)):
        for day in sorted(days):
            if day.year != year:
                return field, (
                    f"{day.isoformat()} is not in {year}. A schedule covers one "
                    "calendar year; put that date in the file of its own year."
                )
    for day in sorted(holidays & makeup):
        return "makeup_workdays", (
            f"{day.isoformat()} is listed both as a holiday and as a make-up "
            "working day. Keep it in the one list the notice puts it in."
        )
    for day in sorted(makeup):
        if day.weekday() < 5:
            return "makeup_workdays", (
                f"{day.isoformat()} is a {day.strftime('%A')}; a make-up working "
                "day (调休上班) is always a Saturday or a Sunday. Check the date "
                "against the notice."
            )
    return None


@attrs.frozen
class _YearTable:
    """The working days of one calendar year, as sorted ordinals and a set."""

    ordinals: tuple[int, ...]
    members: frozenset[int]

    @classmethod
    def of(cls, days: Iterable[date]) -> _YearTable:
        ordinals = tuple(sorted(d.toordinal() for d in days))
        return cls(ordinals, frozenset(ordinals))


def _days_of_year(year: int) -> Iterator[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += _ONE_DAY


@functools.cache
def _library_year(year: int) -> _YearTable | None:
    """chinese_calendar's working days of ``year``; None when it has no data."""
    try:
        days = chinese_calendar.get_workdays(date(year, 1, 1), date(year, 12, 31))
    except NotImplementedError:
        return None
    return _YearTable.of(days)


def _schedule_year(schedule: HolidaySchedule) -> _YearTable:
    return _YearTable.of(
        day
        for day in _days_of_year(schedule.year)
        if day in schedule.makeup_workdays
        or (day.weekday() < 5 and day not in schedule.holidays)
    )


def load_holiday_schedule(path: Path) -> HolidaySchedule:
    """Read one year of the State Council's holiday schedule from a TOML file::

        year = 2027
        source = "国务院办公厅关于2027年部分节假日安排的通知"
        holidays = [2027-01-01, 2027-02-06, ...]
        makeup_workdays = [2027-02-20, ...]   # [] if the notice names none

    Raises:
        InvalidInputError: the file cannot be read, is not TOML, or breaks a
            rule (a date outside ``year``, a date in both lists, a make-up day
            that is not a Saturday or Sunday); the message names the file and
            the field.
    """
    data = _read_toml(path)
    where = str(path)

    _check_keys(data, ["year", "source", "holidays", "makeup_workdays"], where)
    year = _int_value(data["year"], where, "year")
    if not MINYEAR <= year <= MAXYEAR:
        raise _field_error(where, "year", f"{year} is not a calendar year.")
    source = _str_value(data["source"], where, "source")
    lists: dict[str, frozenset[date]] = {}
    for field in ("holidays", "makeup_workdays"):
        values = data[field]
        if not isinstance(values, list):
            raise _field_error(
                where,
                field,
                f"expected a list of dates, e.g. {field} = [{year}-01-01].",
            )
        lists[field] = frozenset(
            _date_value(value, where, f"{field}[{index}]")
            for index, value in enumerate(values)
        )
    if not lists["holidays"]:
        raise _field_error(
            where,
            "holidays",
            "the list is empty; every yearly notice lists at least 元旦. Copy the "
            "days off from the notice.",
        )
    problem = _schedule_problem(year, lists["holidays"], lists["makeup_workdays"])
    if problem is not None:
        raise _field_error(where, *problem)

    return HolidaySchedule(year, lists["holidays"], lists["makeup_workdays"], source)


def _library_years() -> str:
    years = sorted({d.year for d in chinese_calendar.holidays})
    return f"{years[0]}-{years[-1]}" if years else "no year"


class WorkingDays:
    """Working days (工作日) on the State Council's schedule.

    Weekends are off, statutory holidays are off, 调休 make-up days are on.
    The data come from the ``chinesecalendar`` package, which knows a fixed
    range of years; an operator's :class:`HolidaySchedule` for a year takes
    precedence over the package for that year.  Answers are cached per year.

    Raises:
        InvalidInputError: two schedules for the same year.
    """

    __slots__ = ("_schedules", "_tables")

    def __init__(self, schedules: Iterable[HolidaySchedule] = ()) -> None:
        by_year: dict[int, HolidaySchedule] = {}
        for schedule in schedules:
            if schedule.year in by_year:
                raise InvalidInputError(
                    f"two holiday schedules for {schedule.year}: "
                    f"{by_year[schedule.year].source!r} and {schedule.source!r}. "
                    "Pass one schedule per year, or use with_schedules() to "
                    "replace the one already loaded."
                )
            by_year[schedule.year] = schedule
        self._schedules: Mapping[int, HolidaySchedule] = MappingProxyType(by_year)
        self._tables: dict[int, _YearTable] = {}

    @property
    def schedules(self) -> tuple[HolidaySchedule, ...]:
        """The operator's schedules, by year."""
        return tuple(self._schedules[year] for year in sorted(self._schedules))

    def with_schedules(self, schedules: Iterable[HolidaySchedule]) -> WorkingDays:
        """A new instance with ``schedules`` added; each replaces any schedule
        already loaded for its year."""
        merged = dict(self._schedules)
        merged.update((s.year, s) for s in schedules)
        return WorkingDays(merged.values())

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day.

        Raises:
            UnknownCalendarError: no holiday schedule is known for ``d.year``.
        """
        return d.toordinal() in self._table(d.year).members

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``.

        The period starts the next day (民法典第二百零一条): ``start`` itself
        never counts, whether or not it is a working day.

        Raises:
            InvalidInputError: ``n`` is less than 1.
            UnknownCalendarError: the count reaches a year with no schedule.
        """
        if n < 1:
            raise InvalidInputError(
                f"add_working_days needs n >= 1, got {n}. A period of N working "
                "days after an event counts from the next day (民法典第二百零一条); "
                "to move a date off a non-working day use next_working_day()."
            )

        return self._nth_from(start.toordinal() + 1, n)

    def next_working_day(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it.

        This is how a deadline that ends on a non-working day moves
        (民法典第二百零三条).

        Raises:
            UnknownCalendarError: the search reaches a year with no schedule.
        """
        return self._nth_from(d.toordinal(), 1)

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie in ``first..last``, both included.

        An empty range (``last`` before ``first``) has none.

        Raises:
            UnknownCalendarError: a year of the range has no schedule.
        """
        count = 0
        for _ordinals, lo, hi in self._slices(first, last):
            count += hi - lo
        return count

    def working_days_in(self, first: date, last: date) -> list[date]:
        """The working days in ``first..last``, both included, in order.

        Raises:
            UnknownCalendarError: a year of the range has no schedule.
        """
        return list(self._iter_between(first, last))

    def _iter_between(self, first: date, last: date) -> Iterator[date]:
        """The working days in ``first..last``, reading a year's data only when
        the iteration reaches it."""
        for ordinals, lo, hi in self._slices(first, last):
            for ordinal in ordinals[lo:hi]:
                yield date.fromordinal(ordinal)

    def _slices(
        self, first: date, last: date
    ) -> Iterator[tuple[tuple[int, ...], int, int]]:
        """Per year of the range: the year's ordinals and the index slice."""
        if last < first:
            return
        first_ordinal, last_ordinal = first.toordinal(), last.toordinal()
        for year in range(first.year, last.year + 1):
            ordinals = self._table(year).ordinals
            lo = bisect.bisect_left(ordinals, first_ordinal)
            hi = bisect.bisect_right(ordinals, last_ordinal)
            yield ordinals, lo, hi

    def _nth_from(self, first_ordinal: int, n: int) -> date:
        """The ``n``-th working day on or after the day ``first_ordinal``."""
        if first_ordinal > date.max.toordinal():
            raise self._unknown_year(MAXYEAR + 1)
        year = date.fromordinal(first_ordinal).year
        ordinals = self._table(year).ordinals
        index = bisect.bisect_left(ordinals, first_ordinal)
        while n > len(ordinals) - index:
            n -= len(ordinals) - index
            year += 1
            ordinals = self._table(year).ordinals
            index = 0
        return date.fromordinal(ordinals[index + n - 1])

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is not None:
            return table

        schedule = self._schedules.get(year)
        if schedule is not None:
            table = _schedule_year(schedule)
        elif MINYEAR <= year <= MAXYEAR:
            table = _library_year(year)
        if table is None:
            raise self._unknown_year(year)

        self._tables[year] = table
        return table

    @staticmethod
    def _unknown_year(year: int) -> UnknownCalendarError:
        return UnknownCalendarError(
            f"no working-day data for {year}: neither an operator holiday "
            f"schedule for {year} is loaded nor does the installed chinesecalendar "
            f"package cover it (it covers {_library_years()}). Working days follow "
            f"the State Council's yearly notice (国务院办公厅关于{year}年部分节假日"
            "安排的通知) and are never guessed. Supply a holiday schedule file "
            f"with {_ADD_HOLIDAYS} (format: docs/calendars.md) or upgrade "
            "chinesecalendar."
        )


# --------------------------------------------------------------------------
# School calendars


@attrs.frozen
class Term:
    """One term (学期) of a school calendar, as published.

    ``start`` is the term's first calendar day (开学), ``end`` its last day of
    term work; the vacation that follows runs ``vacation_start..vacation_end``.

    Raises:
        InvalidInputError: the dates are not ordered
            ``start <= end < vacation_start <= vacation_end``, or ``number``
            is less than 1.
    """

    school_year: str
    stage: CalendarStage
    number: int
    start: date
    end: date
    vacation_start: date
    vacation_end: date

    def __attrs_post_init__(self) -> None:
        problem = _term_problem(
            self.number, self.start, self.end, self.vacation_start, self.vacation_end
        )
        if problem is not None:
            field, text = problem
            raise InvalidInputError(
                f"term {self.number} of {self.school_year} {self.stage.value}, "
                f"field `{field}`: {text}"
            )

    def contains(self, d: date) -> bool:
        """Whether ``d`` falls in the term: ``start <= d <= end``."""
        return self.start <= d <= self.end


def _term_problem(
    number: int, start: date, end: date, vacation_start: date, vacation_end: date
) -> tuple[str, str] | None:
    """The first broken rule of a term's dates as (field, message)."""
    if number < 1:
        return "term", f"term number {number} is below 1. Terms are numbered 1, 2, …"
    if end < start:
        return "end", (
            f"the term ends ({end.isoformat()}) before it starts "
            f"({start.isoformat()}). Check both dates against the published 校历."
        )
    if vacation_start <= end:
        return "vacation_start", (
            f"the vacation starts ({vacation_start.isoformat()}) on or before the "
            f"term's last day ({end.isoformat()}). The vacation starts after the "
            "term ends."
        )
    if vacation_end < vacation_start:
        return "vacation_end", (
            f"the vacation ends ({vacation_end.isoformat()}) before it starts "
            f"({vacation_start.isoformat()}). Check both dates."
        )
    return None


@attrs.frozen
class SchoolCalendar:
    """The school calendar (校历) of one school year for one stage.

    Raises:
        InvalidInputError: a malformed school year, no terms, terms not
            numbered 1..n in order, a term of another school year or stage,
            or a term starting before the previous vacation ends.
    """

    school_year: str
    stage: CalendarStage
    terms: tuple[Term, ...]

    def __attrs_post_init__(self) -> None:
        problem = _calendar_problem(self)
        if problem is not None:
            field, text = problem
            raise InvalidInputError(
                f"school calendar {self.school_year} {self.stage.value}, "
                f"field `{field}`: {text}"
            )

    @property
    def first_day(self) -> date:
        """The first day this calendar answers for: 1 September of the school
        year, or the first term's start if that is earlier."""
        return min(date(int(self.school_year[:4]), 9, 1), self.terms[0].start)

    @property
    def last_day(self) -> date:
        """The last day this calendar answers for: 31 August of the school
        year's second year, or the last vacation's end if that is later."""
        return max(date(int(self.school_year[5:]), 8, 31), self.terms[-1].vacation_end)


def _school_year_problem(school_year: str) -> str | None:
    match = _SCHOOL_YEAR.fullmatch(school_year)
    if match is None or int(match[2]) != int(match[1]) + 1:
        return (
            f"{school_year!r} is not a school year. Write it as two consecutive "
            'years, e.g. "2026-2027".'
        )
    return None


def _calendar_problem(calendar: SchoolCalendar) -> tuple[str, str] | None:
    """The first broken rule of a calendar as (field, message)."""
    text = _school_year_problem(calendar.school_year)
    if text is not None:
        return "school_year", text
    if not calendar.terms:
        return "terms", "the calendar has no term. List its terms, 1 and 2."
    for index, term in enumerate(calendar.terms):
        if term.number != index + 1:
            return "term", (
                f"term number {term.number} is in position {index + 1}. List the "
                "terms in order, numbered 1, 2, …"
            )
        if (term.school_year, term.stage) != (calendar.school_year, calendar.stage):
            return "terms", (
                f"term {term.number} belongs to {term.school_year} "
                f"{term.stage.value}, not to this calendar."
            )
        if index and term.start <= calendar.terms[index - 1].vacation_end:
            return "start", (
                f"term {term.number} starts ({term.start.isoformat()}) before the "
                "previous vacation ends "
                f"({calendar.terms[index - 1].vacation_end.isoformat()})."
            )
    return None


def load_school_calendars(path: Path) -> list[SchoolCalendar]:
    """Read school calendars from a TOML file in the format of the shipped
    ``beijing-school-calendars.toml``::

        [[calendar]]
        school_year = "2026-2027"
        stage = "compulsory"   # or "senior"
        terms = [
          { term = 1, start = 2026-09-01, end = 2027-01-22,
            vacation_start = 2027-01-23, vacation_end = 2027-02-28 },
          ...
        ]

    Raises:
        InvalidInputError: the file cannot be read, is not TOML, or breaks a
            rule; the message names the file, the calendar (``#1`` is the first
            ``[[calendar]]``), the term and the field.
    """
    return _parse_calendars(_read_toml(path), str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise InvalidInputError(
            f"{path}: cannot read the file ({error.strerror or error}). Check the "
            "path and the file's permissions."
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(
            f"{path}: not valid TOML ({error}). Fix the syntax; docs/calendars.md "
            "shows the format."
        ) from error


def _field_error(where: str, field: str, text: str) -> InvalidInputError:
    return InvalidInputError(f"{where}, field `{field}`: {text}")


def _check_keys(table: Mapping[str, Any], fields: Iterable[str], where: str) -> None:
    allowed = list(fields)
    for key in allowed:
        if key not in table:
            raise _field_error(
                where, key, "missing. Add it; docs/calendars.md shows the format."
            )
    for key in table:
        if key not in allowed:
            raise _field_error(
                where,
                key,
                f"unknown field. The fields are: {', '.join(allowed)}; check the "
                "spelling.",
            )


def _date_value(value: object, where: str, field: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise _field_error(
            where,
            field,
            f"{value!r} is not a date. Write a bare TOML date such as 2026-09-01, "
            "without quotes or a time of day.",
        )
    return value


def _int_value(value: object, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _field_error(
            where, field, f"{value!r} is not a whole number. Write it without quotes."
        )
    return value


def _str_value(value: object, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _field_error(
            where, field, f"{value!r} is not a text. Write it in double quotes."
        )
    return value


def _parse_calendars(data: Mapping[str, Any], source: str) -> list[SchoolCalendar]:
    _check_keys(data, ["calendar"], source)
    entries = data["calendar"]
    if not isinstance(entries, list) or not entries:
        raise _field_error(
            source, "calendar", "expected one or more [[calendar]] tables."
        )

    calendars: list[SchoolCalendar] = []
    seen: set[tuple[str, CalendarStage]] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"{source}: [[calendar]] #{index}"
        calendar = _parse_calendar(entry, where)
        key = (calendar.school_year, calendar.stage)
        if key in seen:
            raise _field_error(
                where,
                "school_year",
                f"a second calendar for {calendar.school_year} "
                f"{calendar.stage.value}. Keep one calendar per school year and "
                "stage.",
            )
        seen.add(key)
        calendars.append(calendar)
    return calendars


def _parse_calendar(entry: object, where: str) -> SchoolCalendar:
    if not isinstance(entry, dict):
        raise _field_error(where, "calendar", "expected a [[calendar]] table.")
    _check_keys(entry, ["school_year", "stage", "terms"], where)
    school_year = _str_value(entry["school_year"], where, "school_year")
    text = _school_year_problem(school_year)
    if text is not None:
        raise _field_error(where, "school_year", text)
    stage_value = entry["stage"]
    try:
        stage = CalendarStage(stage_value)
    except ValueError:
        raise _field_error(
            where,
            "stage",
            f'{stage_value!r} is not a stage. Write "compulsory" (义务教育阶段) '
            'or "senior" (非义务教育阶段).',
        ) from None
    raw_terms = entry["terms"]
    if not isinstance(raw_terms, list) or not raw_terms:
        raise _field_error(
            where, "terms", "expected a list of terms, e.g. terms = [{ term = 1, …}]."
        )

    terms: list[Term] = []
    for position, raw in enumerate(raw_terms, start=1):
        term_where = f"{where} ({school_year} {stage.value}), term #{position}"
        terms.append(_parse_term(raw, school_year, stage, term_where, terms))
    return SchoolCalendar(school_year, stage, tuple(terms))


def _parse_term(
    raw: object,
    school_year: str,
    stage: CalendarStage,
    where: str,
    previous: list[Term],
) -> Term:
    if not isinstance(raw, dict):
        raise _field_error(where, "terms", "expected an inline table { term = 1, … }.")
    _check_keys(raw, ["term", "start", "end", "vacation_start", "vacation_end"], where)
    number = _int_value(raw["term"], where, "term")
    start = _date_value(raw["start"], where, "start")
    end = _date_value(raw["end"], where, "end")
    vacation_start = _date_value(raw["vacation_start"], where, "vacation_start")
    vacation_end = _date_value(raw["vacation_end"], where, "vacation_end")

    if number != len(previous) + 1:
        raise _field_error(
            where,
            "term",
            f"term number {number} in position {len(previous) + 1}. List the "
            "terms in order, numbered 1, 2, …",
        )
    problem = _term_problem(number, start, end, vacation_start, vacation_end)
    if problem is not None:
        raise _field_error(where, *problem)
    if previous and start <= previous[-1].vacation_end:
        raise _field_error(
            where,
            "start",
            f"the term starts ({start.isoformat()}) before the previous vacation "
            f"ends ({previous[-1].vacation_end.isoformat()}).",
        )
    low, high = date(int(school_year[:4]), 8, 1), date(int(school_year[5:]), 8, 31)
    for field, day in (("start", start), ("vacation_end", vacation_end)):
        if not low <= day <= high:
            raise _field_error(
                where,
                field,
                f"{day.isoformat()} is outside school year {school_year} "
                f"({low.isoformat()}..{high.isoformat()}). Check the year.",
            )

    return Term(school_year, stage, number, start, end, vacation_start, vacation_end)


@functools.cache
def _shipped_calendars() -> tuple[SchoolCalendar, ...]:
    """The published Beijing calendars shipped with the package, parsed once."""
    resource = resources.files("xueji") / "data" / _SHIPPED_CALENDARS
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    return tuple(_parse_calendars(data, f"xueji/data/{_SHIPPED_CALENDARS}"))


@functools.cache
def _default_working_days() -> WorkingDays:
    """One shared instance, so its per-year cache serves every default book."""
    return WorkingDays()


# --------------------------------------------------------------------------
# The book


def _closure_days(district: str, days: Iterable[date]) -> frozenset[date]:
    if not district.strip():
        raise InvalidInputError(
            "a closure needs a district code, got an empty one. Pass the "
            'district\'s region code, e.g. "110108".'
        )
    result = frozenset(days)
    for day in result:
        if isinstance(day, datetime):
            raise InvalidInputError(
                f"closure day {day!r} for district {district} is a date with a "
                "time of day. Pass dates (datetime.date), not datetimes."
            )
    return result


class CalendarBook:
    """All the calendar knowledge a decision may need.

    The working days, the school calendars per (school year, stage), and the
    closure days per district code (days a district's schools are closed,
    e.g. for a red air-pollution alert).  A book is not changed in place: the
    ``with_*`` methods return a new one.

    Raises:
        InvalidInputError: two calendars for the same school year and stage,
            or terms of one stage that overlap across school years.
    """

    __slots__ = ("_by_key", "_by_stage", "_closures", "_working_days")

    def __init__(
        self,
        working_days: WorkingDays,
        calendars: Iterable[SchoolCalendar],
        closures: Mapping[str, frozenset[date]] | None = None,
    ) -> None:
        by_key: dict[tuple[str, CalendarStage], SchoolCalendar] = {}
        for calendar in calendars:
            key = (calendar.school_year, calendar.stage)
            if key in by_key:
                raise InvalidInputError(
                    f"two school calendars for {calendar.school_year} "
                    f"{calendar.stage.value}. Pass one, or use with_calendars() "
                    "to replace the one already in the book."
                )
            by_key[key] = calendar
        by_stage: dict[CalendarStage, tuple[SchoolCalendar, ...]] = {}
        for stage in CalendarStage:
            ordered = sorted(
                (c for c in by_key.values() if c.stage is stage),
                key=lambda c: c.school_year,
            )
            _check_no_overlap(ordered)
            by_stage[stage] = tuple(ordered)

        self._working_days = working_days
        self._by_key = MappingProxyType(by_key)
        self._by_stage = MappingProxyType(by_stage)
        self._closures = MappingProxyType(
            {d: _closure_days(d, days) for d, days in (closures or {}).items()}
        )

    @classmethod
    def default(cls) -> CalendarBook:
        """The State Council schedule from chinesecalendar and the published
        Beijing calendars shipped with xueji; no closures."""
        return cls(_default_working_days(), _shipped_calendars())

    @property
    def working_days(self) -> WorkingDays:
        """The working days the book counts with."""
        return self._working_days

    @property
    def calendars(self) -> tuple[SchoolCalendar, ...]:
        """Every school calendar in the book, by school year, then stage."""
        return tuple(sorted(self._by_key.values(), key=_calendar_order))

    @property
    def closures(self) -> Mapping[str, frozenset[date]]:
        """Closure days by district code."""
        return self._closures

    def with_calendars(self, calendars: Iterable[SchoolCalendar]) -> CalendarBook:
        """A new book with ``calendars`` added; each replaces the calendar of
        its (school year, stage) if the book has one."""
        merged = dict(self._by_key)
        merged.update(((c.school_year, c.stage), c) for c in calendars)
        return CalendarBook(self._working_days, merged.values(), self._closures)

    def with_holiday_schedules(
        self, schedules: Iterable[HolidaySchedule]
    ) -> CalendarBook:
        """A new book whose working days include ``schedules``; each replaces
        any schedule already loaded for its year."""
        working_days = self._working_days.with_schedules(schedules)
        return CalendarBook(working_days, self._by_key.values(), self._closures)

    def with_closures(self, district: str, days: Iterable[date]) -> CalendarBook:
        """A new book where ``days`` are also closure days of ``district``."""
        closures = dict(self._closures)
        closures[district] = closures.get(district, frozenset()) | _closure_days(
            district, days
        )
        return CalendarBook(self._working_days, self._by_key.values(), closures)

    def calendar(self, school_year: str, stage: CalendarStage) -> SchoolCalendar:
        """The calendar of ``school_year`` for ``stage``.

        Raises:
            UnknownCalendarError: the book has no such calendar.
        """
        calendar = self._by_key.get((school_year, stage))
        if calendar is None:
            raise self._unknown_calendar(school_year, stage)
        return calendar

    def term(self, school_year: str, stage: CalendarStage, number: int) -> Term:
        """Term ``number`` (1 or 2) of ``school_year`` for ``stage``.

        Raises:
            UnknownCalendarError: the book has no such calendar.
            InvalidInputError: the calendar has no term ``number``.
        """
        terms = self.calendar(school_year, stage).terms
        if not 1 <= number <= len(terms):
            raise InvalidInputError(
                f"the {school_year} {stage.value} calendar has terms 1..{len(terms)}, "
                f"not term {number}. Ask for one of those."
            )
        return terms[number - 1]

    def term_on(self, d: date, stage: CalendarStage) -> Term | None:
        """The term containing ``d``; None during a vacation.

        Raises:
            UnknownCalendarError: no calendar covers ``d``'s school year.
        """
        for term in self._calendar_on(d, stage).terms:
            if term.contains(d):
                return term
        return None

    def current_or_next_term(self, d: date, stage: CalendarStage) -> Term:
        """The term containing ``d``, or during a vacation the next one.

        Raises:
            UnknownCalendarError: no calendar covers ``d``, or the next term
                lies in a school year the book does not know.
        """
        calendar = self._calendar_on(d, stage)
        for term in calendar.terms:
            if d <= term.end:
                return term
        return self.term(_next_school_year(calendar.school_year), stage, 1)

    def is_school_day(
        self, d: date, stage: CalendarStage, district: str | None = None
    ) -> bool:
        """Whether ``d`` is a school day (教学日) for ``stage`` in ``district``.

        A working day inside a term, not a closure day of ``district`` (when
        one is given).  Make-up working days inside a term are school days.

        Raises:
            UnknownCalendarError: the school year or, inside a term, the
                year's working days are unknown.
        """
        if self.term_on(d, stage) is None:
            return False
        if district is not None and d in self._closures.get(district, ()):
            return False
        return self._working_days.is_working_day(d)

    def school_days(
        self,
        first: date,
        last: date,
        stage: CalendarStage,
        district: str | None = None,
    ) -> list[date]:
        """The school days in ``first..last``, both included, in order.

        Raises:
            UnknownCalendarError: a school year of the range, or the working
                days of a year with term days in the range, are unknown.
        """
        days: set[date] = set()
        cursor = first
        while cursor <= last:
            calendar = self._calendar_on(cursor, stage)
            for term in calendar.terms:
                lo, hi = max(term.start, first), min(term.end, last)
                if lo <= hi:
                    days.update(self._open_days(lo, hi, district))
            if calendar.last_day >= last:
                break
            cursor = calendar.last_day + _ONE_DAY
        return sorted(days)

    def term_school_days(self, term: Term, district: str | None = None) -> list[date]:
        """The school days of ``term`` in ``district``, in order.

        Raises:
            UnknownCalendarError: the working days of a year of the term are
                unknown.
        """
        return self._open_days(term.start, term.end, district)

    def next_school_day(
        self, d: date, stage: CalendarStage, district: str | None = None
    ) -> date:
        """The first school day strictly after ``d``, in a later term if need be.

        Raises:
            UnknownCalendarError: the search reaches a school year or a year of
                working days the book does not know.
        """
        cursor = d + _ONE_DAY
        while True:
            term = self.current_or_next_term(cursor, stage)
            days = self._iter_open_days(max(cursor, term.start), term.end, district)
            found = next(days, None)
            if found is not None:
                return found
            cursor = term.end + _ONE_DAY

    def days_after_term_start(self, term: Term, n: int) -> date:
        """The last day of "开学后N个工作日内": the ``n``-th working day after
        ``term.start``, the term's first calendar day as published, even when
        it is a weekend (DESIGN.md §4, 民法典第二百零一条).

        Raises:
            InvalidInputError: ``n`` is less than 1.
            UnknownCalendarError: the count reaches a year with no schedule.
        """
        return self._working_days.add_working_days(term.start, n)

    def _open_days(self, first: date, last: date, district: str | None) -> list[date]:
        """Working days in ``first..last`` that are not closures of ``district``."""
        return list(self._iter_open_days(first, last, district))

    def _iter_open_days(
        self, first: date, last: date, district: str | None
    ) -> Iterator[date]:
        closed = self._closures.get(district, frozenset()) if district else frozenset()
        days = self._working_days._iter_between(first, last)
        return (day for day in days if day not in closed) if closed else days

    def _calendar_on(self, d: date, stage: CalendarStage) -> SchoolCalendar:
        """The calendar that answers for ``d``: one with a term containing
        ``d``, else the one of ``d``'s school year, else any covering ``d``."""
        covering = [c for c in self._by_stage[stage] if c.first_day <= d <= c.last_day]
        for calendar in covering:
            if any(term.contains(d) for term in calendar.terms):
                return calendar
        school_year = school_year_of(d)
        for calendar in covering:
            if calendar.school_year == school_year:
                return calendar
        if covering:
            return covering[0]
        raise self._unknown_calendar(school_year, stage)

    def _unknown_calendar(
        self, school_year: str, stage: CalendarStage
    ) -> UnknownCalendarError:
        known = ", ".join(c.school_year for c in self._by_stage[stage]) or "none"
        return UnknownCalendarError(
            f"no {stage.value} ({stage.label}) school calendar (校历) for school "
            f"year {school_year} is loaded (known for this stage: {known}). "
            "School days and term dates are never guessed. Supply the calendar "
            f"with {_ADD_CALENDAR}, where FILE is a TOML file in the format of "
            "xueji/data/beijing-school-calendars.toml ([[calendar]] with "
            "school_year, stage and terms; see docs/calendars.md)."
        )


def _calendar_order(calendar: SchoolCalendar) -> tuple[str, str]:
    return calendar.school_year, calendar.stage.value


def _check_no_overlap(calendars: list[SchoolCalendar]) -> None:
    """Terms of one stage never overlap across school years."""
    terms = sorted((t for c in calendars for t in c.terms), key=lambda t: t.start)
    for earlier, later in itertools.pairwise(terms):
        if later.start <= earlier.end:
            raise InvalidInputError(
                f"term {later.number} of {later.school_year} {later.stage.value} "
                f"starts ({later.start.isoformat()}) before term {earlier.number} "
                f"of {earlier.school_year} ends ({earlier.end.isoformat()}). "
                "Correct one of the two calendars."
            )
