"""The register as of a day: where a student was, in which grade, with which
status (DESIGN.md §2, "Any question can be asked *as of* a date").

A stint is stored as it stands now (its school, its current grade and
status, its first and last day); the 学籍变动 log keeps how it got there.
The answer for a past day is worked out from both, without a second copy
of the register:

- the stints active on the day (``first_day <= day <= last_day``, an open
  stint having no last day): a transfer completed on day D ends the sending
  stint on D−1 and begins the receiving one on D, so on D−1 the student is
  at the sending school and on D at the receiving one;
- the status on the day: the target of the stint's last status change dated
  on or before the day (changes of one day in the order they were
  recorded); when every change is dated later, the status the first of
  them left; with no change at all, the stint's status as it stands;
- the grade on the day: the grade the stint's first grade change (第三十八条,
  a 复学 placement) dated after the day moved from; without one, the
  stint's grade as it stands.

:meth:`xueji.Register.as_of` reads the stints and events and checks the
principal's scope as :meth:`~xueji.Register.history` does.
"""

from __future__ import annotations

__all__ = ["AsOf", "StintOn", "stints_on"]

from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from xueji._orgs import Grade
from xueji._register import ChangeKind, Enrollment, StatusChange
from xueji._status import Status


@attrs.frozen
class StintOn:
    """One stint of a student as it stood on a day."""

    enrollment: str  # the stint's id
    school: str
    district: str
    grade: Grade
    status: Status
    first_day: date
    last_day: date | None  # as recorded now: None while the stint lasts


@attrs.frozen
class AsOf:
    """A student's stints active on ``day``, each with the school, grade and
    status of that day; none when the student held no stint then (before
    the first one began, or after the last one ended)."""

    student: str  # the 学籍号
    day: date
    stints: tuple[StintOn, ...]

    @property
    def schools(self) -> tuple[str, ...]:
        """The schools of the active stints, in the stints' order."""
        return tuple(s.school for s in self.stints)


def _by_day(events: Iterable[StatusChange]) -> list[StatusChange]:
    # Stable: changes of one day stay in the order they were recorded.
    return sorted(events, key=lambda e: (e.on, e.recorded_at))


def status_on(
    enrollment: Enrollment, events: Sequence[StatusChange], day: date
) -> Status:
    """The status of ``enrollment`` on ``day`` from its status changes in
    ``events`` (every event of the student; others are ignored)."""
    changes = _by_day(
        e
        for e in events
        if e.enrollment == enrollment.id and e.target_status is not None
    )
    before = [e for e in changes if e.on <= day]
    if before:
        status = before[-1].target_status
        assert status is not None
        return status
    if changes and changes[0].source_status is not None:
        return changes[0].source_status
    return enrollment.status


def grade_on(
    enrollment: Enrollment, events: Sequence[StatusChange], day: date
) -> Grade:
    """The grade of ``enrollment`` on ``day``: the one the first later
    grade change moved from, else the stint's grade as it stands."""
    for change in _by_day(events):
        if (
            change.kind is ChangeKind.GRADE
            and change.enrollment == enrollment.id
            and change.on > day
        ):
            moved_from = dict(change.data).get("from")
            if moved_from is not None and moved_from.isdigit():
                return int(moved_from)
    return enrollment.grade


def stints_on(
    number: str,
    enrollments: Sequence[Enrollment],
    events: Sequence[StatusChange],
    day: date,
) -> AsOf:
    """The student ``number``'s stints active on ``day``, from its stints and
    its events (under every number it had)."""
    return AsOf(
        student=number,
        day=day,
        stints=tuple(
            StintOn(
                enrollment=e.id,
                school=e.school,
                district=e.district,
                grade=grade_on(e, events, day),
                status=status_on(e, events, day),
                first_day=e.first_day,
                last_day=e.last_day,
            )
            for e in enrollments
            if e.active_on(day)
        ),
    )
