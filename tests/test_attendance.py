"""Chapter 4, 考勤 (第十九至二十一条), with dates worked out by hand from the
published 2025-2026 compulsory calendar (term 1 2025-09-01..2026-01-23, term
2 2026-03-02..2026-07-07) and the State Council schedule (chinese_calendar):

- 2025-09-28 (Sunday) is a make-up working day before the National Day
  holiday, so the working day after Friday 2025-09-26 is 2025-09-28.
- Term 2 starts Monday 2026-03-02; 5 working days after it end 2026-03-09
  (03-03, 04, 05, 06, 09).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    DISTRICT,
    ORGANISATIONS,
    PRIMARY,
    PRIMARY_2,
    Admit,
    child,
    fixed_clock,
)
from xueji import (
    AccessDeniedError,
    AttendanceEntry,
    AttendanceMarks,
    CalendarStage,
    ContactChannel,
    GuardianContactEntry,
    InvalidInputError,
    LeaveRequest,
    Mark,
    MemoryStore,
    ObligationKind,
    Outcome,
    PluginError,
    PluginInfo,
    Register,
    Registration,
    RosterError,
    Rules,
    Status,
    TermRegistration,
    load_attendance_csv,
    marks_of,
)
from xueji import _municipal as municipal
from xueji.hookspecs import hookimpl

SECOND = ("测试乙", date(2019, 4, 15), "110105201904150081")


def enroll(register: Register, admitted: Admit, *args: object, **kwargs: object) -> str:
    number = admitted(child(*args), **kwargs)  # type: ignore[arg-type]
    decision = register.submit(
        Registration(f"reg-{number}", date(2025, 9, 1), number), PRIMARY
    )
    assert decision.accepted, decision.reasons
    return number


@pytest.fixture
def pupil(register: Register, admitted: Admit) -> str:
    return enroll(register, admitted)


def mark(
    register: Register,
    number: str,
    marks: dict[date, Mark],
    *,
    on: date | None = None,
    school: str = "P01",
    principal: object = PRIMARY,
    request_id: str = "att-1",
) -> object:
    days = sorted(marks)
    return register.submit(
        AttendanceMarks(
            request_id,
            on or days[-1],
            school,
            days[0],
            days[-1],
            tuple(AttendanceEntry(number, d, m) for d, m in marks.items()),
        ),
        principal,  # type: ignore[arg-type]
    )


def duties(register: Register, number: str) -> list[tuple[ObligationKind, date, date]]:
    with register.store.unit_of_work() as uow:
        return [
            (o.obligation.kind, o.obligation.arises, o.obligation.due)  # type: ignore[misc]
            for o in uow.obligations(student=number)
            if o.obligation.kind
            in (
                ObligationKind.INFORM_GUARDIAN,
                ObligationKind.CONTACT_GUARDIAN,
                ObligationKind.INFORM_TOWNSHIP,
            )
        ]


def current_marks(register: Register, number: str) -> dict[date, Mark]:
    with register.store.unit_of_work() as uow:
        return marks_of(uow, number)


WEEK = [date(2026, 3, d) for d in (2, 3, 4, 5, 6)]  # Monday to Friday


# ------------------------------------------------------------ 第十九、二十条


def test_a_day_with_no_mark_is_not_truancy(register: Register, pupil: str) -> None:
    decision = mark(register, pupil, {date(2025, 9, 26): Mark.PRESENT})

    assert decision.outcome is Outcome.ACCEPTED  # type: ignore[attr-defined]
    assert current_marks(register, pupil) == {}
    assert duties(register, pupil) == []


def test_truancy_on_friday_2025_09_26_is_told_to_the_guardians_by_sunday_09_28(
    register: Register, pupil: str
) -> None:
    decision = mark(register, pupil, {date(2025, 9, 26): Mark.TRUANT})

    # 及时 = by the next working day; Sunday 2025-09-28 is a make-up day.
    assert [(o.kind, o.arises, o.due, o.article) for o in decision.obligations] == [  # type: ignore[attr-defined]
        (
            ObligationKind.INFORM_GUARDIAN,
            date(2025, 9, 26),
            date(2025, 9, 28),
            "第二十条第一款",
        )
    ]


def test_three_lates_in_a_term_oblige_the_school_to_contact_the_guardians(
    register: Register, pupil: str
) -> None:
    mark(
        register,
        pupil,
        {date(2025, 10, 13): Mark.LATE, date(2025, 10, 14): Mark.LEFT_EARLY},
    )
    assert duties(register, pupil) == []

    decision = mark(register, pupil, {date(2025, 10, 20): Mark.LATE}, request_id="a2")

    # The third (Monday 2025-10-20) makes it 经常; due Tuesday 2025-10-21.
    assert [(o.kind, o.arises, o.due) for o in decision.obligations] == [  # type: ignore[attr-defined]
        (ObligationKind.CONTACT_GUARDIAN, date(2025, 10, 20), date(2025, 10, 21))
    ]


def test_two_lates_in_a_term_oblige_nothing(register: Register, pupil: str) -> None:
    mark(
        register, pupil, {date(2025, 10, 13): Mark.LATE, date(2025, 10, 14): Mark.LATE}
    )

    assert duties(register, pupil) == []


def test_lates_of_another_term_do_not_count(register: Register, pupil: str) -> None:
    mark(register, pupil, {date(2026, 1, 21): Mark.LATE, date(2026, 1, 22): Mark.LATE})

    mark(register, pupil, {date(2026, 3, 3): Mark.LATE}, request_id="a2")

    assert duties(register, pupil) == []


def test_a_week_of_truancy_obliges_informing_the_township_due_2026_03_09(
    register: Register, pupil: str
) -> None:
    decision = mark(register, pupil, dict.fromkeys(WEEK, Mark.TRUANT))

    township = [
        o
        for o in decision.obligations  # type: ignore[attr-defined]
        if o.kind is ObligationKind.INFORM_TOWNSHIP
    ]
    # Five consecutive school days Monday..Friday: arises on the fifth
    # (Friday 2026-03-06), due the next working day (Monday 2026-03-09).
    assert [(o.arises, o.due, o.article, o.organisation) for o in township] == [
        (date(2026, 3, 6), date(2026, 3, 9), "第二十条第二款", "P01")
    ]
    assert "建外街道" in township[0].text


def test_a_week_entered_day_by_day_gives_one_township_duty(
    register: Register, pupil: str
) -> None:
    for index, day in enumerate([*WEEK, date(2026, 3, 9)]):
        mark(register, pupil, {day: Mark.TRUANT}, request_id=f"a{index}")

    township = [
        d for d in duties(register, pupil) if d[0] is ObligationKind.INFORM_TOWNSHIP
    ]
    assert township == [
        (ObligationKind.INFORM_TOWNSHIP, date(2026, 3, 6), date(2026, 3, 9))
    ]


def test_four_days_of_truancy_around_a_day_of_leave_are_not_a_week(
    register: Register, pupil: str
) -> None:
    register.submit(
        LeaveRequest(
            "lv-1",
            date(2026, 3, 4),
            pupil,
            date(2026, 3, 4),
            date(2026, 3, 4),
            Mark.SICK_LEAVE,
            "发烧",
        ),
        PRIMARY,
    )

    mark(register, pupil, dict.fromkeys(WEEK, Mark.TRUANT))

    assert current_marks(register, pupil)[date(2026, 3, 4)] is Mark.SICK_LEAVE
    assert ObligationKind.INFORM_TOWNSHIP not in [d[0] for d in duties(register, pupil)]


def test_a_senior_student_has_no_township_duty(
    register: Register, admitted: Admit
) -> None:
    from tests.conftest import SENIOR

    number = admitted(
        child("测试丙", date(2010, 4, 4), "110105201004040039"),
        principal=SENIOR,
        school="H01",
        grade=10,
        roster_reference="KSY-2025-0002",
    )
    register.submit(Registration("reg-s", date(2025, 9, 1), number), SENIOR)

    mark(
        register,
        number,
        dict.fromkeys(WEEK, Mark.TRUANT),
        school="H01",
        principal=SENIOR,
    )

    assert ObligationKind.INFORM_TOWNSHIP not in [
        d[0] for d in duties(register, number)
    ]


def test_approved_leave_makes_the_days_leave_and_never_suspension(
    register: Register, pupil: str
) -> None:
    decision = register.submit(
        LeaveRequest(
            "lv-1",
            date(2025, 10, 9),
            pupil,
            date(2025, 10, 9),
            date(2025, 10, 13),
            Mark.PERSONAL_LEAVE,
            "家中有事",
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED
    # School days: Thu 10-09, Fri 10-10, Sat 10-11 (make-up day), Mon 10-13.
    assert current_marks(register, pupil) == {
        date(2025, 10, 9): Mark.PERSONAL_LEAVE,
        date(2025, 10, 10): Mark.PERSONAL_LEAVE,
        date(2025, 10, 11): Mark.PERSONAL_LEAVE,
        date(2025, 10, 13): Mark.PERSONAL_LEAVE,
    }
    assert [e.status for e in register.history(pupil, CITY).enrollments] == [
        Status.ENROLLED
    ]
    marked = mark(register, pupil, {date(2025, 10, 10): Mark.TRUANT}, request_id="a2")
    assert "on-leave" in [r.code for r in marked.reasons]  # type: ignore[attr-defined]
    assert duties(register, pupil) == []


def test_a_leave_kind_must_be_sick_or_personal() -> None:
    with pytest.raises(InvalidInputError, match="病假 or 事假"):
        LeaveRequest(
            "lv-1",
            date(2025, 10, 9),
            "G11010520190301001X",
            date(2025, 10, 9),
            date(2025, 10, 9),
            Mark.TRUANT,
            "—",
        )


def test_a_correction_supersedes_the_mark_and_withdraws_the_duty(
    register: Register, pupil: str
) -> None:
    mark(register, pupil, {date(2025, 9, 26): Mark.TRUANT})

    mark(
        register,
        pupil,
        {date(2025, 9, 26): Mark.SICK_LEAVE},
        on=date(2025, 9, 29),
        request_id="a2",
    )

    assert current_marks(register, pupil) == {date(2025, 9, 26): Mark.SICK_LEAVE}
    with register.store.unit_of_work() as uow:
        kept = uow.records("attendance", student=pupil)
        open_duties = uow.obligations(student=pupil, open_only=True)
    assert len(kept) == 2  # nothing deleted
    (first,) = [r for r in kept if r.supersedes is None]
    (correction,) = [r for r in kept if r.supersedes is not None]
    assert correction.supersedes == first.id
    assert [
        o for o in open_duties if o.obligation.kind is ObligationKind.INFORM_GUARDIAN
    ] == []


def test_a_guardian_contact_is_logged_and_fulfils_the_duty(
    register: Register, pupil: str
) -> None:
    mark(register, pupil, {date(2025, 9, 26): Mark.TRUANT})

    decision = register.submit(
        GuardianContactEntry(
            "gc-1",
            date(2025, 9, 28),
            pupil,
            "王老师",
            date(2025, 9, 28),
            ContactChannel.PHONE,
            "家长称孩子在家，已同意送校",
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED
    with register.store.unit_of_work() as uow:
        (item,) = [
            o
            for o in uow.obligations(student=pupil)
            if o.obligation.kind is ObligationKind.INFORM_GUARDIAN
        ]
        from xueji import guardian_contacts

        log = guardian_contacts(uow, pupil)
    assert (item.fulfilled_on, item.fulfilled_by) == (date(2025, 9, 28), "王老师")
    assert [(c.contacted_by, c.channel, c.contacted_on) for c in log] == [
        ("王老师", ContactChannel.PHONE, date(2025, 9, 28))
    ]


def test_a_contact_that_did_not_reach_the_guardian_fulfils_nothing(
    register: Register, pupil: str
) -> None:
    mark(register, pupil, {date(2025, 9, 26): Mark.TRUANT})

    decision = register.submit(
        GuardianContactEntry(
            "gc-1",
            date(2025, 9, 28),
            pupil,
            "王老师",
            date(2025, 9, 28),
            ContactChannel.PHONE,
            "无人接听",
            reached=False,
        ),
        PRIMARY,
    )

    assert "not-reached" in [r.code for r in decision.reasons]
    with register.store.unit_of_work() as uow:
        still_open = uow.obligations(student=pupil, open_only=True)
    assert [o.obligation.kind for o in still_open].count(
        ObligationKind.INFORM_GUARDIAN
    ) == 1


def test_a_suspended_student_is_not_counted(register: Register, pupil: str) -> None:
    with register.store.unit_of_work() as uow:
        (stint,) = uow.enrollments_of(pupil)
        uow.update_enrollment(
            attrs.evolve(
                stint,
                status=Status.SUSPENDED,
                status_until=date(2026, 3, 1),
                version=stint.version + 1,
            )
        )
        uow.commit()

    decision = mark(register, pupil, {date(2025, 10, 20): Mark.TRUANT})

    assert [r.code for r in decision.warnings] == ["not-counted"]  # type: ignore[attr-defined]
    assert current_marks(register, pupil) == {}
    assert duties(register, pupil) == []


def test_a_mark_on_a_weekend_is_an_error_and_writes_nothing(
    register: Register, pupil: str
) -> None:
    with pytest.raises(InvalidInputError, match="not a school day"):
        mark(
            register,
            pupil,
            {date(2025, 10, 17): Mark.TRUANT, date(2025, 10, 18): Mark.TRUANT},
        )

    assert current_marks(register, pupil) == {}


def test_another_schools_registrar_cannot_mark(register: Register, pupil: str) -> None:
    with pytest.raises(AccessDeniedError):
        mark(register, pupil, {date(2025, 9, 26): Mark.TRUANT}, principal=PRIMARY_2)

    assert current_marks(register, pupil) == {}


# ------------------------------------------------------------ 第二十一条


def test_a_missed_term_registration_marks_the_term_truant_once(
    register: Register, admitted: Admit
) -> None:
    absent = enroll(register, admitted)
    present = enroll(register, admitted, *SECOND, request_id="adm-2")
    register.submit(TermRegistration("tr-1", date(2026, 3, 3), present), PRIMARY)
    term = register.calendars.term("2025-2026", CalendarStage.COMPULSORY, 2)

    first = register.mark_missed_term_registration(term, date(2026, 3, 10), DISTRICT)
    again = register.mark_missed_term_registration(term, date(2026, 3, 10), DISTRICT)

    # The window ends 2026-03-09; school days 03-02..06 and 03-09 are 旷课.
    assert [d.student for d in first] == [absent]
    assert again == []
    assert current_marks(register, absent) == dict.fromkeys(
        [*WEEK, date(2026, 3, 9)], Mark.TRUANT
    )
    assert current_marks(register, present) == {}
    with register.store.unit_of_work() as uow:
        kept = uow.records("attendance", student=absent)
    assert len(kept) == 6
    assert "第二十一条" in kept[0].data
    # Duties arise on the day the marks are written (2026-03-10), due 03-11.
    assert sorted(duties(register, absent), key=lambda d: d[0].value) == [
        (ObligationKind.INFORM_GUARDIAN, date(2026, 3, 10), date(2026, 3, 11)),
        (ObligationKind.INFORM_TOWNSHIP, date(2026, 3, 10), date(2026, 3, 11)),
    ]


def test_the_job_does_nothing_before_the_window_closes(
    register: Register, pupil: str
) -> None:
    term = register.calendars.term("2025-2026", CalendarStage.COMPULSORY, 2)

    assert register.mark_missed_term_registration(term, date(2026, 3, 9), CITY) == []


def test_leave_over_the_window_excuses_the_registration(
    register: Register, pupil: str
) -> None:
    register.submit(
        LeaveRequest(
            "lv-1",
            date(2026, 3, 2),
            pupil,
            date(2026, 3, 2),
            date(2026, 3, 13),
            Mark.SICK_LEAVE,
            "住院",
        ),
        PRIMARY,
    )
    term = register.calendars.term("2025-2026", CalendarStage.COMPULSORY, 2)

    assert register.mark_missed_term_registration(term, date(2026, 3, 10), CITY) == []


def test_a_late_term_registration_is_taken_with_a_warning(
    register: Register, pupil: str
) -> None:
    decision = register.submit(
        TermRegistration("tr-1", date(2026, 3, 10), pupil), PRIMARY
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert [(r.code, r.article) for r in decision.warnings] == [("late", "第二十一条")]


def test_registering_twice_for_a_term_is_refused(
    register: Register, pupil: str
) -> None:
    register.submit(TermRegistration("tr-1", date(2026, 3, 2), pupil), PRIMARY)

    decision = register.submit(
        TermRegistration("tr-2", date(2026, 3, 3), pupil), PRIMARY
    )

    assert decision.outcome is Outcome.REFUSED


# ------------------------------------------------------------ CSV


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_attendance_loads_from_a_csv_file(
    register: Register, pupil: str, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "attendance.csv"
    path.write_bytes(
        (
            "学校代码,学籍号,日期,考勤,备注\n"
            f"P01,{pupil},2025-09-26,旷课,\n"
            f"P01,{pupil},2025-09-29,迟到,早读\n"
        ).encode(encoding)
    )

    (batch,) = load_attendance_csv(path, on=date(2025, 9, 29))
    decision = register.submit(batch, PRIMARY)
    repeat = register.submit(
        load_attendance_csv(path, on=date(2025, 9, 29))[0], PRIMARY
    )

    assert (batch.first, batch.last) == (date(2025, 9, 26), date(2025, 9, 29))
    assert decision.outcome is Outcome.ACCEPTED
    assert repeat == decision  # same content, same idempotency key
    assert current_marks(register, pupil) == {
        date(2025, 9, 26): Mark.TRUANT,
        date(2025, 9, 29): Mark.LATE,
    }


def test_a_csv_with_bad_rows_names_every_row(tmp_path: Path) -> None:
    path = tmp_path / "attendance.csv"
    path.write_text(
        "school,student,date,mark\n"
        "P01,G11010520190301001X,2025-09-26,absent\n"
        "P01,G11010520190301001X,26/09/2025,旷课\n",
        encoding="utf-8",
    )

    with pytest.raises(RosterError) as caught:
        load_attendance_csv(path, on=date(2025, 9, 29))

    assert [p.row for p in caught.value.problems] == [2, 3]


# ------------------------------------------------------------ the hook


class StricterLateness:
    XUEJI_PLUGIN = PluginInfo(
        name="test-lateness",
        version="1.0",
        layer="district",
        districts=(CHAOYANG,),
        legal_basis="测试实施细则",
    )

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @hookimpl
    def xueji_frequent_lateness_threshold(self, district: str) -> int:
        return self.threshold


def district_register(plugin: object) -> Register:
    register = Register(
        MemoryStore(), rules=Rules([municipal, plugin]), clock=fixed_clock
    )
    register.load_organisations(ORGANISATIONS, CITY)
    return register


def test_a_district_may_lower_the_xueji_frequent_lateness_threshold() -> None:
    register = district_register(StricterLateness(2))
    from tests.conftest import admission

    number = register.submit(admission(child()), PRIMARY).student
    assert number is not None
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)

    decision = mark(
        register, number, {date(2025, 10, 13): Mark.LATE, date(2025, 10, 14): Mark.LATE}
    )

    assert [(o.kind, o.arises) for o in decision.obligations] == [  # type: ignore[attr-defined]
        (ObligationKind.CONTACT_GUARDIAN, date(2025, 10, 14))
    ]
    assert decision.obligations[0].source.name == "test-lateness"  # type: ignore[attr-defined]


def test_a_district_may_not_raise_the_lateness_threshold() -> None:
    # A constant answer is checked when the rules load (DESIGN.md §3), before
    # any request: the message names the plugin, the hook and the value.
    with pytest.raises(
        PluginError, match=r"test-lateness.*xueji_frequent_lateness_threshold.*4"
    ):
        district_register(StricterLateness(4))
