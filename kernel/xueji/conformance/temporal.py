"""The temporal level's sweeps: properties that must hold on every date.

- Deadlines counted from an event never fall on a non-working day: for every
  date of a school year, ``add_working_days(d, n)`` (n in 1, 5, 10) is a
  working day after ``d``, and ``next_working_day(d)`` too.
- "开学后N个工作日内" (第十一、十六、十七、二十一条) ends on a working day after
  the term's first day, for every term of every published calendar and N up
  to 10.
- Every school day is a working day inside a term.
- On every date (or every week) of a school year, every delegation point has
  exactly one governing answer — a district's, else a municipal one, else
  the kernel's default — for every district of the kernel's data.

Each sweep returns the problems it found (an empty list when all is well),
so a runner can show all of them at once.  The expected values of the
literal cases (``cases/temporal``) are worked out by hand; these sweeps check
properties, which is all a sweep can check without recomputing the answer.
"""

from __future__ import annotations

__all__ = [
    "SAMPLES",
    "delegation_sweep",
    "school_day_sweep",
    "school_years",
    "term_window_sweep",
    "working_day_sweep",
]

import inspect
import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from xueji import hookspecs
from xueji._calendar import CalendarBook, CalendarStage, school_year_of
from xueji._errors import PluginError, UnknownCalendarError
from xueji._orgs import Stage, load_districts
from xueji._rules import DISTRICT_LAYER, Combine, Rules, point

_DAY: Final = timedelta(days=1)


def school_years(book: CalendarBook) -> list[str]:
    """The school years the book has a calendar for (every stage)."""
    by_stage: dict[CalendarStage, set[str]] = {}
    for calendar in book.calendars:
        by_stage.setdefault(calendar.stage, set()).add(calendar.school_year)
    years = set.intersection(*by_stage.values()) if by_stage else set()
    return sorted(years)


def _days(school_year: str, step: int = 1) -> Iterator[date]:
    day = date(int(school_year[:4]), 9, 1)
    last = date(int(school_year[5:]), 8, 31)
    while day <= last:
        yield day
        day += timedelta(days=step)


def working_day_sweep(
    book: CalendarBook, school_year: str, counts: Sequence[int] = (1, 5, 10)
) -> list[str]:
    """Every deadline counted in working days from a date of the school year
    is a working day after it."""
    wd = book.working_days
    problems = []
    for day in _days(school_year):
        for n in counts:
            due = wd.add_working_days(day, n)
            if not wd.is_working_day(due):
                problems.append(f"{day} + {n} working days = {due}, not a working day")
            elif due <= day:
                problems.append(f"{day} + {n} working days = {due}, not after {day}")
            elif wd.working_days_between(day + _DAY, due) != n:
                problems.append(
                    f"{day} + {n} working days = {due}, but {day + _DAY}..{due} "
                    f"holds {wd.working_days_between(day + _DAY, due)}"
                )
        following = wd.next_working_day(day)
        if not wd.is_working_day(following):
            problems.append(f"next working day of {day} is {following}, not one")
    return problems


def term_window_sweep(
    book: CalendarBook, school_year: str, counts: Sequence[int] = range(1, 11)
) -> list[str]:
    """开学后N个工作日 ends on a working day after the term's first day."""
    problems = []
    for stage in CalendarStage:
        for term in book.calendar(school_year, stage).terms:
            previous = term.start
            for n in counts:
                end = book.days_after_term_start(term, n)
                if not book.working_days.is_working_day(end):
                    problems.append(
                        f"{school_year} {stage.value} term {term.number}: "
                        f"{n} working days after {term.start} = {end}, not a "
                        "working day"
                    )
                if end <= previous:
                    problems.append(
                        f"{school_year} {stage.value} term {term.number}: "
                        f"window {n} ends {end}, not after {previous}"
                    )
                previous = end
    return problems


def school_day_sweep(book: CalendarBook, school_year: str) -> list[str]:
    """Every school day is a working day inside a term; make-up days inside a
    term are school days."""
    problems = []
    wd = book.working_days
    for stage in CalendarStage:
        for day in _days(school_year):
            school = book.is_school_day(day, stage)
            term = book.term_on(day, stage)
            should = term is not None and wd.is_working_day(day)
            if school != should:
                problems.append(
                    f"{day} ({stage.value}): is_school_day {school}, but in term "
                    f"{term is not None} and working {wd.is_working_day(day)}"
                )
    return problems


# ------------------------------------------------------------------ delegation


SAMPLES: Final[Mapping[str, tuple[Any, ...]]] = {
    "stage": tuple(s.value for s in Stage),
    "local": (True, False),
    "hospital": ("北京儿童医院",),
    "school": ("P01",),
    "grade": (1, 7, 10),
    "duty": ("inform-guardian",),
    "kind": ("毕业",),
    "decision": ("promotion", "retention", "skip"),
    "from_grade": (3,),
    "to_grade": (4,),
    "year": (2026,),
    "serial": (1,),
    "reason": ("其他原因",),
    "student": ("G11010520190301001X",),
    "from_school": ("P01", None),
    "to_school": ("P02",),
}
"""Sample arguments by parameter name, for points that declare none.  The
parameters named after the date (``school_year``, ``term_start``, ``on``,
``day``) are taken from the date swept; ``district`` from the district.  A
hook with a parameter named nowhere here is reported: add a sample."""


def _date_args(name: str, day: date) -> tuple[Any, ...] | None:
    if name == "school_year":
        return (school_year_of(day),)
    if name in ("term_start", "on", "day", "filed_on"):
        return (day,)
    return None


def _hooks() -> list[tuple[str, list[str]]]:
    found = []
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("xueji_"):
            found.append((name, list(inspect.signature(function).parameters)))
    return sorted(found)


def _arguments(
    hook: str, params: list[str], district: str, day: date
) -> list[dict[str, Any]] | str:
    spec = point(hook)
    if spec.samples is not None:
        return [
            {k: v for k, v in s.items() if k != "district"}
            for s in spec.samples(district)
        ]
    choices: list[tuple[str, tuple[Any, ...]]] = []
    for name in params:
        if name == "district":
            continue
        values = _date_args(name, day) or SAMPLES.get(name)
        if values is None:
            return (
                f"hook {hook}: no sample value for parameter {name!r}; add one "
                "to SAMPLES in xueji/conformance/temporal.py"
            )
        choices.append((name, values))
    names = [n for n, _ in choices]
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(v for _, v in choices))
    ]


def delegation_sweep(rules: Rules, school_year: str, *, step: int = 7) -> list[str]:
    """On every ``step``-th day of the school year, for every district of the
    kernel's data, every delegation point that takes one answer has exactly
    one governing answer: the district layer's when a district plugin
    governs and answers, else a municipal one, else the kernel's default.
    Points that combine (a union) are asked too, and must not fail."""
    problems: list[str] = []
    sentinel = object()
    districts = [d.code for d in load_districts()]
    for hook, params in _hooks():
        spec = point(hook)
        if spec.combine is Combine.COLLECT or (
            not params and spec.combine is not Combine.UNION
        ):
            continue
        for day in _days(school_year, step):
            for district in districts:
                arguments = _arguments(hook, params, district, day)
                if isinstance(arguments, str):
                    return [arguments]
                for kwargs in arguments:
                    problem = _one_answer(
                        rules, hook, spec.combine, district, day, kwargs, sentinel
                    )
                    if problem is not None:
                        problems.append(problem)
    return problems


def _one_answer(
    rules: Rules,
    hook: str,
    combine: Combine,
    district: str,
    day: date,
    kwargs: dict[str, Any],
    sentinel: object,
) -> str | None:
    where = f"{hook} for {district} on {day} {kwargs}"
    try:
        if combine is Combine.UNION:
            rules.combined(hook, district=district, on=day, **kwargs)
            return None
        answer = rules.answer(
            hook, district=district, on=day, default=sentinel, **kwargs
        )
    except UnknownCalendarError:
        return None  # a point that needs a calendar the book lacks: not this sweep
    except PluginError as error:
        return f"{where}: {error}"
    chosen = [c for c in answer.considered if c.verdict == "chosen"]
    governing = [
        i
        for i in rules.plugins
        if i.layer == DISTRICT_LAYER and i.governs(district, day)
    ]
    if answer.value is sentinel:
        if chosen:
            return f"{where}: the kernel default was used although {chosen} was chosen"
        return None
    if len(chosen) != 1:
        return f"{where}: {len(chosen)} answers chosen ({answer.explain()})"
    district_said = [
        c
        for c in answer.considered
        if c.source.layer == DISTRICT_LAYER and c.verdict in ("chosen", "replaced")
    ]
    if district_said and answer.source.layer != DISTRICT_LAYER:
        return f"{where}: a district answered but {answer.source} governs"
    if answer.source.layer == DISTRICT_LAYER and not any(
        i.name == answer.source.name for i in governing
    ):
        return f"{where}: {answer.source} answered outside its districts or dates"
    return None
