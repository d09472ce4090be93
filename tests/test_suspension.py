"""Chapter 6, 休学、复学 (第三十二至三十五条), with dates worked out by hand
from the published 2025-2026 calendars and the State Council schedule.

School days of 2025-2026 (weekdays, minus holidays on weekdays, plus 调休
make-up days):

- compulsory term 1, Mon 2025-09-01..Fri 2026-01-23: 145 days = 20 weeks +
  5 days → 105 weekdays; minus 10-01, 02, 03, 06, 07, 08 and 01-01, 02 (8);
  plus Sun 09-28, Sat 10-11, Sun 01-04 (3) → 100.
- compulsory term 2, Mon 2026-03-02..Tue 2026-07-07: 128 days = 18 weeks +
  2 days → 92 weekdays; minus 04-06, 05-01, 05-04, 05-05, 06-19 (5); plus
  Sat 05-09 (1) → 88.
- senior term 1 runs to Fri 2026-01-30: 5 weekdays more → 105; senior term
  2 to Tue 2026-07-14: 5 more → 93.

Counting from 2025-09-01: September has 22 weekdays and the make-up Sunday
09-28 (23 school days); then 10-09, 10-10, Sat 10-11 (26), 10-13..17 (31),
10-20 (32), 10-21 (33), 10-22 (34), 10-23 (35), 10-24 (36).

So one third of the senior term 1 is exactly 35 school days (35/105), and of
the compulsory term 1 33⅓ days: 34/100 reaches it, 33/100 does not.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    DISTRICT,
    JIANWAI,
    SENIOR,
    admission,
    child,
    fixed_clock,
)
from xueji import (
    AccessDeniedError,
    Applicant,
    ApplicantKind,
    CalendarBook,
    CalendarStage,
    ChangeKind,
    ClassHours,
    Decision,
    HospitalGrade,
    HrssOffice,
    LeaveRequest,
    Mark,
    MedicalRecord,
    MemoryStore,
    ObligationKind,
    Outcome,
    PluginInfo,
    Principal,
    PrincipalRole,
    Register,
    Registration,
    Resumption,
    ReturnUrgingFailed,
    Rules,
    School,
    SchoolType,
    Severity,
    Status,
    SuspensionApplication,
    SuspensionCause,
    SuspensionExtension,
    SuspensionGround,
    marks_of,
    parse_citation,
)
from xueji import _municipal as municipal
from xueji.hookspecs import hookimpl

JUNIOR = Principal(PrincipalRole.SCHOOL, "J01", "钱老师")
TOWNSHIP = Principal(PrincipalRole.TOWNSHIP, JIANWAI, "街道干部")
HRSS = "110105-RS"
EXTRA = [
    School("J01", "朝阳第一中学", CHAOYANG, CHAOYANG, SchoolType.JUNIOR),
    School("C01", "朝阳完全中学", CHAOYANG, CHAOYANG, SchoolType.COMPLETE),
    HrssOffice(HRSS, "朝阳区人力资源和社会保障局", CHAOYANG),
]

GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "测试家长", "申-001")
TWO_A = MedicalRecord("朝阳医院", HospitalGrade.TWO_A, date(2025, 8, 25), "需停课治疗")
TWO_B = MedicalRecord("某区医院", HospitalGrade.TWO_B, date(2025, 8, 25), "需停课治疗")
RECOVERED = MedicalRecord(
    "朝阳医院", HospitalGrade.TWO_A, date(2026, 2, 20), "已治愈", recovered=True
)

PUPIL = ("测试初三", date(2010, 10, 15), "110105201010150031")
SENIOR_PUPIL = ("测试高一", date(2009, 11, 1), "110105200911010111")


@pytest.fixture
def register(register: Register) -> Register:
    register.load_organisations(EXTRA, CITY)
    return register


def enroll(
    register: Register,
    particulars: tuple[str, date, str],
    *,
    school: str = "J01",
    grade: int = 9,
    principal: Principal = JUNIOR,
    request_id: str = "adm-1",
    roster_reference: str | None = None,
) -> str:
    """Admit for 2025-2026 and register on 2025-09-01."""
    decision = register.submit(
        admission(
            child(*particulars),
            school=school,
            grade=grade,
            request_id=request_id,
            roster_reference=roster_reference,
        ),
        principal,
    )
    assert decision.student is not None, decision.reasons
    number = decision.student
    registered = register.submit(
        Registration(f"reg-{request_id}", date(2025, 9, 1), number), principal
    )
    assert registered.accepted, registered.reasons
    return number


def enroll_senior(register: Register, request_id: str = "adm-h") -> str:
    return enroll(
        register,
        SENIOR_PUPIL,
        school="H01",
        grade=10,
        principal=SENIOR,
        request_id=request_id,
        roster_reference="KSY-2025-0101",
    )


@pytest.fixture
def pupil(register: Register) -> str:
    """An 初三 pupil, enrolled at J01 on 2025-09-01."""
    return enroll(register, PUPIL)


def illness(
    number: str,
    first: date = date(2025, 9, 1),
    last: date = date(2026, 3, 1),
    *,
    rest_last: date = date(2025, 12, 31),
    on: date = date(2025, 9, 1),
    request_id: str = "sus-1",
    **kwargs: object,
) -> SuspensionApplication:
    values: dict[str, object] = {
        "medical_record": TWO_A,
        "rest_first": date(2025, 9, 1),
        "rest_last": rest_last,
        "applicant": GUARDIAN,
    }
    values.update(kwargs)
    return SuspensionApplication(
        request_id,
        on,
        number,
        SuspensionGround.ILLNESS,
        SuspensionCause.ILLNESS,
        first,
        last,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def suspended(register: Register, pupil: str) -> str:
    """The 初三 pupil on 休学 from 2025-09-01 to 2026-03-01."""
    decision = register.submit(illness(pupil), JUNIOR)
    assert decision.accepted, decision.reasons
    return pupil


def stint(register: Register, number: str) -> object:
    return register.history(number, CITY).enrollments[-1]


def codes(decision: Decision) -> list[tuple[str, str]]:
    """The refusals and missing items (warnings and notes left out)."""
    return [
        (r.code, r.article)
        for r in decision.reasons
        if r.severity in (Severity.REFUSAL, Severity.MISSING)
    ]


def notes(decision: Decision) -> list[tuple[str, str]]:
    return [(r.code, r.article) for r in decision.reasons]


def extension(
    number: str, first: date, last: date, on: date = date(2026, 2, 27)
) -> SuspensionExtension:
    return SuspensionExtension(
        "ext-1", on, number, first, last, medical_record=TWO_A, applicant=GUARDIAN
    )


# ------------------------------------------------------------ the calendar


def test_the_published_terms_have_the_hand_counted_school_days() -> None:
    book = CalendarBook.default()

    counts = [
        len(book.term_school_days(book.term("2025-2026", stage, number)))
        for stage in (CalendarStage.COMPULSORY, CalendarStage.SENIOR)
        for number in (1, 2)
    ]

    assert counts == [100, 88, 105, 93]


# ------------------------------------------------------------ 休学


def test_a_suspension_keeps_the_enrollment(register: Register, pupil: str) -> None:
    decision = register.submit(illness(pupil), JUNIOR)

    assert decision.outcome is Outcome.ACCEPTED
    enrollment = stint(register, pupil)
    assert enrollment.status is Status.SUSPENDED  # type: ignore[attr-defined]
    assert enrollment.status_until == date(2026, 3, 1)  # type: ignore[attr-defined]
    assert enrollment.last_day is None  # type: ignore[attr-defined]
    assert ("kept", "第三十四条") in notes(decision)
    event = register.history(pupil, CITY).events[-1]
    assert (event.kind, event.article) == (ChangeKind.SUSPENDED, "第三十二条第（一）项")


def test_an_illness_of_exactly_a_third_of_the_senior_term_is_enough(
    register: Register,
) -> None:
    # 2025-09-01..10-23: 35 of the 105 school days (以上 includes the bound).
    number = enroll_senior(register)

    decision = register.submit(illness(number, rest_last=date(2025, 10, 23)), SENIOR)

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons


def test_an_illness_just_under_a_third_of_the_senior_term_is_refused(
    register: Register,
) -> None:
    # 2025-09-01..10-22: 34/105 < 1/3.
    number = enroll_senior(register)

    decision = register.submit(illness(number, rest_last=date(2025, 10, 22)), SENIOR)

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("illness-under-third", "第三十二条第（一）项")]
    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]


def test_the_compulsory_third_is_34_of_100_school_days(
    register: Register, pupil: str
) -> None:
    refused = register.submit(illness(pupil, rest_last=date(2025, 10, 21)), JUNIOR)
    accepted = register.submit(
        illness(pupil, rest_last=date(2025, 10, 22), request_id="sus-2"), JUNIOR
    )

    assert refused.outcome is Outcome.REFUSED  # 33/100
    assert accepted.outcome is Outcome.ACCEPTED  # 34/100


def test_class_hours_the_school_supplies_are_exact(register: Register) -> None:
    number = enroll_senior(register)
    third = ClassHours(hours=200, term_hours=600)

    illness_third = register.submit(
        illness(number, class_hours=third, rest_first=None, rest_last=None), SENIOR
    )

    assert illness_third.outcome is Outcome.ACCEPTED  # 200/600 = 1/3, 以上


def test_a_continuous_leave_of_exactly_a_third_is_not_over_it(
    register: Register,
) -> None:
    # Sick leave 2025-09-01..10-23 is 35/105 = 1/3: 超过 excludes the bound.
    number = enroll_senior(register)
    register.submit(
        LeaveRequest(
            "lv-1",
            date(2025, 9, 1),
            number,
            date(2025, 9, 1),
            date(2025, 10, 23),
            Mark.SICK_LEAVE,
            "住院",
            GUARDIAN,
        ),
        SENIOR,
    )

    decision = register.submit(leave_suspension(number, date(2025, 10, 24)), SENIOR)

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("leave-not-over-third", "第三十二条第（二）项")]


def test_one_more_day_of_continuous_leave_is_over_a_third(
    register: Register,
) -> None:
    # 2025-09-01..10-24 is 36/105 > 1/3; applied for on Monday 10-27.
    number = enroll_senior(register)
    register.submit(
        LeaveRequest(
            "lv-1",
            date(2025, 9, 1),
            number,
            date(2025, 9, 1),
            date(2025, 10, 24),
            Mark.SICK_LEAVE,
            "住院",
            GUARDIAN,
        ),
        SENIOR,
    )

    decision = register.submit(leave_suspension(number, date(2025, 10, 27)), SENIOR)

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons


def test_class_hours_of_exactly_a_third_are_not_over_it(register: Register) -> None:
    number = enroll_senior(register)

    at_third = register.submit(
        attrs.evolve(
            leave_suspension(number, date(2025, 10, 27)),
            class_hours=ClassHours(200, 600),
        ),
        SENIOR,
    )
    over = register.submit(
        attrs.evolve(
            leave_suspension(number, date(2025, 10, 27)),
            id="sus-2",
            class_hours=ClassHours(201, 600),
        ),
        SENIOR,
    )

    assert at_third.outcome is Outcome.REFUSED
    assert over.outcome is Outcome.ACCEPTED


def leave_suspension(number: str, on: date) -> SuspensionApplication:
    return SuspensionApplication(
        "sus-1",
        on,
        number,
        SuspensionGround.LEAVE,
        SuspensionCause.ILLNESS,
        on,
        date(2026, 7, 14),
        medical_record=TWO_A,
        applicant=GUARDIAN,
    )


def test_a_record_from_a_2b_hospital_is_refused(register: Register, pupil: str) -> None:
    decision = register.submit(illness(pupil, medical_record=TWO_B), JUNIOR)

    assert decision.outcome is Outcome.REFUSED
    assert ("hospital-grade", "第三十三条") in codes(decision)


def test_a_personal_suspension_needs_materials_and_the_guardians_application(
    register: Register, pupil: str
) -> None:
    request = SuspensionApplication(
        "sus-1",
        date(2025, 9, 1),
        pupil,
        SuspensionGround.OTHER,
        SuspensionCause.PERSONAL,
        date(2025, 9, 1),
        date(2026, 1, 23),
        reason="随父母出国",
        applicant=Applicant(ApplicantKind.STUDENT, "测试初三"),
    )

    decision = register.submit(request, JUNIOR)

    assert decision.outcome is Outcome.INCOMPLETE
    assert sorted(codes(decision)) == [
        ("guardian-written", "第三十三条"),
        ("no-materials", "第三十三条"),
    ]
    assert stint(register, pupil).status is Status.ENROLLED  # type: ignore[attr-defined]


def test_a_suspension_starts_no_earlier_than_the_schools_consent(
    register: Register, pupil: str
) -> None:
    decision = register.submit(illness(pupil, on=date(2025, 9, 2)), JUNIOR)

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("backdated", "第三十三条")]


def test_a_suspension_of_more_than_a_year_is_refused(
    register: Register, pupil: str
) -> None:
    # From 2025-09-01 a year ends on 2026-08-31 (民法典第二百零一、二百零二条).
    refused = register.submit(illness(pupil, last=date(2026, 9, 1)), JUNIOR)
    accepted = register.submit(
        illness(pupil, last=date(2026, 8, 31), request_id="sus-2"), JUNIOR
    )

    assert codes(refused) == [("over-one-year", "第三十四条")]
    assert accepted.outcome is Outcome.ACCEPTED


def test_a_refusal_writes_nothing_but_the_decision(
    register: Register, pupil: str
) -> None:
    before = register.history(pupil, CITY)

    register.submit(illness(pupil, medical_record=TWO_B), JUNIOR)

    assert register.history(pupil, CITY).events == before.events
    assert register.history(pupil, CITY).enrollments == before.enrollments


def test_only_the_school_consents_to_a_suspension(
    register: Register, pupil: str
) -> None:
    with pytest.raises(AccessDeniedError):
        register.submit(illness(pupil), DISTRICT)


class NoTravel:
    XUEJI_PLUGIN = PluginInfo(
        name="test-suspension",
        version="1.0",
        layer="district",
        districts=(CHAOYANG,),
        legal_basis="测试实施细则",
    )

    @hookimpl
    def xueji_suspension_other_reason(self, district: str, reason: str) -> str | None:
        return "旅游不属于需要休学的其他原因" if "旅游" in reason else None


def test_a_district_may_refuse_an_other_reason_with_xueji_suspension_other_reason() -> (
    None
):
    register = Register(
        MemoryStore(), rules=Rules([municipal, NoTravel()]), clock=fixed_clock
    )
    from tests.conftest import ORGANISATIONS

    register.load_organisations([*ORGANISATIONS, *EXTRA], CITY)
    number = enroll(register, PUPIL)
    request = SuspensionApplication(
        "sus-1",
        date(2025, 9, 1),
        number,
        SuspensionGround.OTHER,
        SuspensionCause.PERSONAL,
        date(2025, 9, 1),
        date(2026, 1, 23),
        materials=("行程单",),
        reason="随父母出国旅游",
        applicant=GUARDIAN,
    )

    refused = register.submit(request, JUNIOR)
    accepted = register.submit(
        attrs.evolve(request, id="sus-2", reason="随父母出国工作"), JUNIOR
    )

    assert codes(refused) == [("other-reason", "第三十二条第（三）项")]
    assert refused.reasons[0].source.name == "test-suspension"
    assert accepted.outcome is Outcome.ACCEPTED


# ------------------------------------------------------------ 第三十四条


def test_an_extension_filed_before_the_period_ends_is_accepted(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        extension(suspended, date(2026, 3, 2), date(2026, 7, 7)), JUNIOR
    )

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons
    assert stint(register, suspended).status_until == date(2026, 7, 7)  # type: ignore[attr-defined]
    assert register.end_suspensions(date(2026, 3, 2), DISTRICT) == []


def test_an_extension_of_more_than_a_year_is_refused(
    register: Register, suspended: str
) -> None:
    # From 2026-03-02 a year ends on 2027-03-01.
    refused = register.submit(
        extension(suspended, date(2026, 3, 2), date(2027, 3, 2)), JUNIOR
    )
    one_year = register.submit(
        attrs.evolve(
            extension(suspended, date(2026, 3, 2), date(2027, 3, 1)), id="ext-2"
        ),
        JUNIOR,
    )

    assert codes(refused) == [("over-one-year", "第三十四条")]
    assert one_year.outcome is Outcome.ACCEPTED


def test_an_extension_starts_the_day_after_the_period_ends(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        extension(suspended, date(2026, 3, 3), date(2026, 7, 7)), JUNIOR
    )

    assert codes(decision) == [("extension-start", "第三十四条")]


def test_an_extension_after_the_period_has_ended_is_refused(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        extension(suspended, date(2026, 3, 2), date(2026, 7, 7), on=date(2026, 3, 2)),
        JUNIOR,
    )

    assert ("period-ended", "第三十四条") in codes(decision)


def test_an_illness_extension_needs_a_hospital_record(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        attrs.evolve(
            extension(suspended, date(2026, 3, 2), date(2026, 7, 7)),
            medical_record=None,
            materials=("说明",),
        ),
        JUNIOR,
    )

    assert codes(decision) == [("no-medical-record", "第三十四条")]


# ------------------------------------------------------------ 第三十五条


def test_a_lapsed_suspension_returns_the_pupil_to_enrolled_not_returned(
    register: Register, suspended: str
) -> None:
    decisions = register.end_suspensions(date(2026, 3, 2), DISTRICT)

    assert [d.student for d in decisions] == [suspended]
    enrollment = stint(register, suspended)
    assert enrollment.status is Status.ENROLLED  # type: ignore[attr-defined]
    assert enrollment.last_day is None  # type: ignore[attr-defined]  # not cancelled
    lapsed = register.history(suspended, CITY).events[-1]
    assert (lapsed.kind, lapsed.on, lapsed.article) == (
        ChangeKind.SUSPENSION_LAPSED,
        date(2026, 3, 2),
        "第三十五条第二款",
    )
    with register.store.unit_of_work() as uow:
        assert marks_of(uow, suspended) == {date(2026, 3, 2): Mark.TRUANT}
        articles = {r.data.count("第三十五条第二款") for r in uow.records("attendance")}
    assert articles == {1}
    urge = [
        (o.arises, o.due, o.article)
        for o in decisions[0].obligations
        if o.kind is ObligationKind.URGE_RETURN
    ]
    assert urge == [(date(2026, 3, 2), date(2026, 3, 3), "第三十五条第二款")]


def test_a_lapsed_suspension_informs_the_township_on_the_fifth_day(
    register: Register, suspended: str
) -> None:
    # 03-02, 03, 04, 05, 06: the fifth consecutive school day of 旷课 is
    # Friday 03-06; the duty is due the next working day, Monday 03-09.
    register.end_suspensions(date(2026, 3, 2), DISTRICT)
    on_thursday = register.end_suspensions(date(2026, 3, 5), DISTRICT)

    on_friday = register.end_suspensions(date(2026, 3, 6), DISTRICT)

    assert ObligationKind.INFORM_TOWNSHIP not in [
        o.kind for d in on_thursday for o in d.obligations
    ]
    township = [
        (o.arises, o.due, o.article, o.organisation)
        for d in on_friday
        for o in d.obligations
        if o.kind is ObligationKind.INFORM_TOWNSHIP
    ]
    assert township == [(date(2026, 3, 6), date(2026, 3, 9), "第二十条第二款", "J01")]
    with register.store.unit_of_work() as uow:
        assert sorted(marks_of(uow, suspended)) == [
            date(2026, 3, 2),
            date(2026, 3, 3),
            date(2026, 3, 4),
            date(2026, 3, 5),
            date(2026, 3, 6),
        ]
    assert stint(register, suspended).status is Status.ENROLLED  # type: ignore[attr-defined]


def test_the_lapse_job_run_twice_changes_nothing(
    register: Register, suspended: str
) -> None:
    first = register.end_suspensions(date(2026, 3, 6), DISTRICT)

    second = register.end_suspensions(date(2026, 3, 6), DISTRICT)

    assert len(first) == 1
    assert second == []
    assert any(r.code == "truancy-marked" for r in first[0].reasons)


def test_nothing_lapses_on_the_periods_last_day(
    register: Register, suspended: str
) -> None:
    assert register.end_suspensions(date(2026, 3, 1), DISTRICT) == []
    assert stint(register, suspended).status is Status.SUSPENDED  # type: ignore[attr-defined]


def test_failed_urging_obliges_the_township_to_order_the_return(
    register: Register, suspended: str
) -> None:
    register.end_suspensions(date(2026, 3, 2), DISTRICT)

    decision = register.submit(
        ReturnUrgingFailed("urg-1", date(2026, 3, 3), suspended, "家长拒绝"), JUNIOR
    )

    assert [
        (o.kind, o.role.value, o.organisation, o.article) for o in decision.obligations
    ] == [(ObligationKind.ORDER_RETURN, "township", JIANWAI, "第三十五条第二款")]
    work = register.work(JIANWAI, date(2026, 3, 3), TOWNSHIP)
    assert [o.obligation.kind for o in work.obligations] == [
        ObligationKind.ORDER_RETURN
    ]
    with register.store.unit_of_work() as uow:
        urged = [
            o
            for o in uow.obligations(student=suspended)
            if o.obligation.kind is ObligationKind.URGE_RETURN
        ]
    assert [o.outcome for o in urged] == ["督促无效"]


def test_urging_cannot_have_failed_for_a_pupil_still_suspended(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        ReturnUrgingFailed("urg-1", date(2026, 2, 27), suspended), JUNIOR
    )

    assert codes(decision) == [("not-lapsed", "第三十五条第二款")]


# ------------------------------------------------------------ 复学


def resumption(number: str, on: date, grade: int = 9, **kwargs: object) -> Resumption:
    values: dict[str, object] = {
        "medical_record": RECOVERED,
        "applicant": GUARDIAN,
    }
    values.update(kwargs)
    return Resumption(
        "res-1", on, number, grade, "复学测试：数学、语文达到九年级水平", **values
    )  # type: ignore[arg-type]


def test_resumption_after_illness_needs_a_recovery_record(
    register: Register, suspended: str
) -> None:
    without = register.submit(
        resumption(suspended, date(2026, 2, 27), medical_record=None), JUNIOR
    )
    not_recovered = register.submit(
        resumption(
            suspended,
            date(2026, 2, 27),
            medical_record=attrs.evolve(RECOVERED, recovered=False),
        ),
        JUNIOR,
    )

    assert codes(without) == [("no-medical-record", "第三十五条第一款")]
    assert codes(not_recovered) == [("not-recovered", "第三十五条第一款")]
    assert stint(register, suspended).status is Status.SUSPENDED  # type: ignore[attr-defined]


def test_the_school_places_the_returning_pupil_by_actual_level(
    register: Register, suspended: str
) -> None:
    decision = register.submit(
        resumption(suspended, date(2026, 2, 27), grade=8), JUNIOR
    )

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons
    enrollment = stint(register, suspended)
    assert (enrollment.status, enrollment.grade) == (Status.ENROLLED, 8)  # type: ignore[attr-defined]
    placed = register.history(suspended, CITY).events[-1]
    assert (placed.kind, placed.article, dict(placed.data)["change"]) == (
        ChangeKind.GRADE,
        "第三十五条第三款",
        "placement",
    )


def test_placement_needs_its_evidence(register: Register, suspended: str) -> None:
    request = attrs.evolve(
        resumption(suspended, date(2026, 2, 27)), placement_evidence=" "
    )

    decision = register.submit(request, JUNIOR)

    assert codes(decision) == [("placement-evidence", "第三十五条第三款")]


def test_a_late_return_ends_the_flag_and_the_truancy(
    register: Register, suspended: str
) -> None:
    register.end_suspensions(date(2026, 3, 3), DISTRICT)

    decision = register.submit(resumption(suspended, date(2026, 3, 4)), JUNIOR)

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons
    assert register.end_suspensions(date(2026, 3, 10), DISTRICT) == []
    with register.store.unit_of_work() as uow:
        assert sorted(marks_of(uow, suspended)) == [date(2026, 3, 2), date(2026, 3, 3)]
        urged = [
            o.outcome
            for o in uow.obligations(student=suspended)
            if o.obligation.kind is ObligationKind.URGE_RETURN
        ]
    assert urged == ["已复学"]


def test_resumption_of_a_pupil_who_is_not_suspended_is_refused(
    register: Register, pupil: str
) -> None:
    decision = register.submit(resumption(pupil, date(2025, 9, 2)), JUNIOR)

    assert codes(decision) == [("not-suspended", "第三十五条第一款")]


# ------------------------------------------------------------ citations


def test_every_article_this_chapter_cites_exists() -> None:
    cited = [g.article for g in SuspensionGround] + [
        "第三十三条",
        "第三十四条",
        "第三十五条第一款",
        "第三十五条第二款",
        "第三十五条第三款",
        "第二十条第二款",
    ]

    assert [str(parse_citation(c)) for c in cited] == cited


def test_a_return_day_after_the_summer_needs_next_years_calendar(
    register: Register,
) -> None:
    # A 休学 ending 2026-08-31 returns on the first school day of 2026-2027,
    # whose calendar is not published: the lapse job's look-up stops there.
    from xueji import CalendarStage, UnknownCalendarError

    with pytest.raises(UnknownCalendarError, match="2026-2027"):
        register.calendars.next_school_day(date(2026, 8, 31), CalendarStage.COMPULSORY)
