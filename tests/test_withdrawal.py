"""Chapter 7, 退学 (第三十六、三十七条), with dates worked out by hand.

Ages (DESIGN.md §4): born 2007-10-20, 年满十八周岁 on 2025-10-20; born
2005-11-12, the 20th birthday is 2025-11-12 and 超过二十周岁 from 2025-11-13.

Senior term 1 of 2025-2026 starts Monday 2025-09-01.  Its school days:
09-01..09-19 are 15 (three weeks); 09-22 is the 16th.  Runs of 15:
09-23..10-17 (09-23, 24, 25, 26, Sun 28 make-up, 29, 30, 10-09, 10,
Sat 11 make-up, 13..17) and 10-21..11-10 (10-21..24, 27..31, 11-03..07,
11-10).

A suspension ending Sunday 2026-03-01 has its expected return day on the
first school day after it, Monday 2026-03-02; one calendar month has passed
on the corresponding day, 2026-04-02 (a ground, not moved to a working day).
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from tests.conftest import CHAOYANG, CITY, DISTRICT, SENIOR, admission, child
from tests.test_suspension import (
    EXTRA,
    GUARDIAN,
    JUNIOR,
    SENIOR_PUPIL,
    TOWNSHIP,
    codes,
    enroll,
    enroll_senior,
    illness,
    stint,
)
from xueji import (
    AccessDeniedError,
    Action,
    Admission,
    Applicant,
    ApplicantKind,
    AttendanceEntry,
    AttendanceMarks,
    CalendarStage,
    ChangeKind,
    ContactChannel,
    Decision,
    DocumentKind,
    DuplicateResolution,
    GradeChange,
    GradeChangeKind,
    GuardianContactEntry,
    Mark,
    ObligationKind,
    Outcome,
    ProcedureState,
    Register,
    Registration,
    Status,
    StepAction,
    WithdrawalApplication,
    WithdrawalGround,
    parse_citation,
)

ADULT = ("测试成年", date(2007, 10, 20), "110105200710200058")
OLDER = ("测试留级", date(2005, 11, 12), "110105200511120071")
BOTH = Applicant(ApplicantKind.GUARDIAN_AND_STUDENT, "测试家长、测试高一", "退-001")
UNSUITABLE = "经学校认定，不宜在校继续学习"


@pytest.fixture
def register(register: Register) -> Register:
    register.load_organisations(EXTRA, CITY)
    return register


def withdraw(
    number: str,
    on: date,
    ground: WithdrawalGround,
    applicant: Applicant = BOTH,
    request_id: str = "wd-1",
    **kwargs: object,
) -> WithdrawalApplication:
    return WithdrawalApplication(
        request_id,
        on,
        number,
        ground,
        applicant,
        **kwargs,  # type: ignore[arg-type]
    )


def procedure_of(decision: Decision) -> str:
    return decision.next_steps[0].split("：")[0]


def act(
    register: Register, procedure: str, principal: object, on: date, n: int
) -> Decision:
    return register.submit(
        StepAction(f"act-{n}", on, procedure, Action.APPROVE, comment="同意"),
        principal,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------ 义务教育


def test_a_compulsory_pupil_of_17_may_not_withdraw(register: Register) -> None:
    number = enroll(register, ADULT)

    decision = register.submit(
        withdraw(
            number,
            date(2025, 10, 19),
            WithdrawalGround.ADULT_UNSUITABLE,
            Applicant(ApplicantKind.SCHOOL, "学校"),
            unsuitable=UNSUITABLE,
        ),
        JUNIOR,
    )

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("under-18", "第三十六条第一款")]
    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]


def test_a_compulsory_pupil_withdraws_at_18_through_township_district_and_notice(
    register: Register,
) -> None:
    number = enroll(register, ADULT)

    opened = register.submit(
        withdraw(
            number,
            date(2025, 10, 20),
            WithdrawalGround.ADULT_UNSUITABLE,
            Applicant(ApplicantKind.SCHOOL, "学校"),
            unsuitable=UNSUITABLE,
        ),
        JUNIOR,
    )

    assert opened.outcome is Outcome.PENDING, opened.reasons
    assert stint(register, number).status is Status.PENDING_WITHDRAWAL  # type: ignore[attr-defined]
    procedure = procedure_of(opened)
    assert "乡镇人民政府或街道办事处复核" in opened.next_steps[0]
    with pytest.raises(AccessDeniedError):
        act(register, procedure, JUNIOR, date(2025, 10, 21), 1)
    assert act(register, procedure, TOWNSHIP, date(2025, 10, 21), 2).outcome is (
        Outcome.PENDING
    )
    assert act(register, procedure, DISTRICT, date(2025, 10, 22), 3).outcome is (
        Outcome.PENDING
    )
    done = act(register, procedure, JUNIOR, date(2025, 10, 23), 4)

    assert done.outcome is Outcome.ACCEPTED
    enrollment = stint(register, number)
    assert (enrollment.status, enrollment.last_day) == (  # type: ignore[attr-defined]
        Status.WITHDRAWN,
        date(2025, 10, 23),
    )
    duties = [(o.kind, o.due, o.article) for o in done.obligations]
    assert (
        ObligationKind.ISSUE_CERTIFICATE,
        date(2025, 10, 23),
        "第三十九条第四款",
    ) in (duties)
    assert (ObligationKind.HAND_OVER, date(2025, 10, 23), "第四十一条第三款") in duties
    hand_over = next(o for o in done.obligations if o.kind is ObligationKind.HAND_OVER)
    assert "朝阳区人力资源和社会保障局" in hand_over.text
    assert register.history(number, CITY).events[-1].kind is ChangeKind.WITHDRAWN


def test_a_compulsory_withdrawal_needs_the_schools_finding(
    register: Register,
) -> None:
    number = enroll(register, ADULT)

    decision = register.submit(
        withdraw(
            number,
            date(2025, 10, 20),
            WithdrawalGround.ADULT_UNSUITABLE,
            Applicant(ApplicantKind.SCHOOL, "学校"),
        ),
        JUNIOR,
    )

    assert codes(decision) == [("unsuitable-finding", "第三十六条第一款")]


def test_a_compulsory_pupil_cannot_withdraw_on_a_senior_ground(
    register: Register,
) -> None:
    number = enroll(register, ADULT)

    decision = register.submit(
        withdraw(number, date(2025, 10, 20), WithdrawalGround.APPLICATION), JUNIOR
    )

    assert ("compulsory-ground", "第三十六条第一款") in codes(decision)


def test_a_pupil_in_a_specialized_school_under_18_may_not_withdraw(
    register: Register,
) -> None:
    number = enroll(register, ADULT)
    with register.store.unit_of_work() as uow:
        # Arranged directly: the 专门学校 procedure (第三十一条) is Chapter 5's.
        enrollment = uow.enrollments_of(number)[0]
        uow.update_enrollment(
            attrs.evolve(
                enrollment,
                status=Status.SPECIALIZED_SCHOOL,
                version=enrollment.version + 1,
            )
        )
        uow.commit()

    decision = register.submit(
        withdraw(
            number,
            date(2025, 10, 19),
            WithdrawalGround.ADULT_UNSUITABLE,
            Applicant(ApplicantKind.SCHOOL, "学校"),
            unsuitable=UNSUITABLE,
        ),
        JUNIOR,
    )

    assert codes(decision) == [
        ("under-18", "第三十六条第一款"),
        ("specialized-school", "第三十一条第二款"),
    ]


# ------------------------------------------------------------ 高中 (四)


def test_the_guardian_alone_is_incomplete_naming_the_student(
    register: Register,
) -> None:
    number = enroll_senior(register)

    decision = register.submit(
        withdraw(number, date(2025, 10, 15), WithdrawalGround.APPLICATION, GUARDIAN),
        SENIOR,
    )

    assert decision.outcome is Outcome.INCOMPLETE
    assert codes(decision) == [("student-applicant", "第三十六条第二款第（四）项")]
    assert "学生本人" in decision.reasons[0].text
    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]


def withdraw_senior(register: Register, number: str) -> None:
    """Withdraw on the student's and guardian's application in 2025-10:
    district filing 10-16, notice 10-17."""
    opened = register.submit(
        withdraw(number, date(2025, 10, 15), WithdrawalGround.APPLICATION),
        SENIOR,
    )
    assert opened.outcome is Outcome.PENDING, opened.reasons
    procedure = procedure_of(opened)
    act(register, procedure, DISTRICT, date(2025, 10, 16), 1)
    done = act(register, procedure, SENIOR, date(2025, 10, 17), 2)
    assert done.outcome is Outcome.ACCEPTED


def test_a_student_withdrawn_and_admitted_again_keeps_the_number(
    register: Register,
) -> None:
    number = enroll_senior(register)
    withdraw_senior(register, number)

    again = register.submit(
        admission(
            child(*SENIOR_PUPIL),
            school="H01",
            grade=10,
            on=date(2026, 3, 2),
            request_id="adm-2",
            roster_reference="KSY-2025-0101",
        ),
        SENIOR,
    )
    register.submit(Registration("reg-2", date(2026, 3, 2), number), SENIOR)

    assert again.student == number
    assert ("same-number", "第十七条第二款") in [
        (r.code, r.article) for r in again.reasons
    ]
    stints = register.history(number, CITY).enrollments
    assert [(e.status, e.first_day, e.last_day) for e in stints] == [
        (Status.WITHDRAWN, date(2025, 9, 1), date(2025, 10, 17)),
        (Status.ENROLLED, date(2026, 3, 2), None),
    ]


def test_the_same_person_without_an_id_is_not_a_new_student(
    register: Register,
) -> None:
    number = enroll_senior(register)
    withdraw_senior(register, number)
    particulars = attrs.evolve(
        child(*SENIOR_PUPIL), id_number=None, document=DocumentKind.NONE
    )

    pending = register.submit(
        Admission(
            "adm-2",
            date(2026, 3, 2),
            "H01",
            10,
            "2025-2026",
            particulars,
            documents=("户口簿",),
            roster_reference="KSY-2025-0101",
        ),
        SENIOR,
    )
    review = pending.next_steps[0].split("（")[1].split("）")[0]
    found = register.submit(
        DuplicateResolution("dup-1", date(2026, 3, 3), review, same_person=True),
        DISTRICT,
    )

    assert pending.outcome is Outcome.PENDING
    assert [o.kind for o in pending.obligations] == [ObligationKind.REVIEW_DUPLICATE]
    assert found.outcome is Outcome.REFUSED
    assert codes(found) == [("same-person", "第十七条第二款")]
    assert len(register.history(number, CITY).enrollments) == 1


def test_a_rejected_withdrawal_restores_the_status(register: Register) -> None:
    number = enroll_senior(register)
    opened = register.submit(
        withdraw(number, date(2025, 10, 15), WithdrawalGround.APPLICATION), SENIOR
    )

    register.submit(
        StepAction(
            "act-1", date(2025, 10, 16), procedure_of(opened), Action.REJECT, "不同意"
        ),
        DISTRICT,
    )

    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]
    with register.store.unit_of_work() as uow:
        assert uow.open_procedure_of(number) is None
        closed = uow.procedures()[0]
    assert closed.state is ProcedureState.REJECTED


def test_a_second_withdrawal_while_one_is_open_is_refused_and_writes_nothing(
    register: Register,
) -> None:
    number = enroll_senior(register)
    register.submit(
        withdraw(number, date(2025, 10, 15), WithdrawalGround.APPLICATION), SENIOR
    )
    before = register.history(number, CITY)

    again = register.submit(
        withdraw(
            number, date(2025, 10, 16), WithdrawalGround.APPLICATION, request_id="wd-2"
        ),
        SENIOR,
    )

    assert ("status", "第三十七条") in codes(again)
    assert ("open-procedure", "第三十七条第二款") in codes(again)
    assert register.history(number, CITY).events == before.events


# ------------------------------------------------------------ 高中 (一)


def enroll_older(register: Register) -> str:
    """Admitted to 高二 for 2024-2025, retained twice (2025-01-15, 2025-07-10)."""
    decision = register.submit(
        Admission(
            "adm-o",
            date(2024, 7, 10),
            "H01",
            11,
            "2024-2025",
            child(*OLDER),
            documents=("户口簿",),
            roster_reference="KSY-2024-0007",
        ),
        SENIOR,
    )
    assert decision.student is not None, decision.reasons
    number = decision.student
    register.submit(Registration("reg-o", date(2024, 9, 1), number), SENIOR)
    return number


def retain(register: Register, number: str, on: date, year: str, n: int) -> None:
    decision = register.submit(
        GradeChange(
            f"gc-{n}",
            on,
            number,
            GradeChangeKind.RETENTION,
            11,
            year,
            "期末考试多科不合格",
        ),
        SENIOR,
    )
    assert decision.accepted, decision.reasons


def test_twice_retained_is_not_over_twenty_on_the_20th_birthday(
    register: Register,
) -> None:
    number = enroll_older(register)
    retain(register, number, date(2025, 1, 15), "2024-2025", 1)
    retain(register, number, date(2025, 7, 10), "2025-2026", 2)
    request = withdraw(
        number,
        date(2025, 11, 12),
        WithdrawalGround.RETAINED_OVER_TWENTY,
        Applicant(ApplicantKind.SCHOOL, "学校"),
        unsuitable=UNSUITABLE,
    )

    on_birthday = register.submit(request, SENIOR)
    day_after = register.submit(
        attrs.evolve(request, id="wd-2", on=date(2025, 11, 13)), SENIOR
    )

    assert codes(on_birthday) == [("not-over-20", "第三十六条第二款第（一）项")]
    assert day_after.outcome is Outcome.PENDING, day_after.reasons


def test_one_retention_is_not_many(register: Register) -> None:
    number = enroll_older(register)
    retain(register, number, date(2025, 7, 10), "2025-2026", 1)

    decision = register.submit(
        withdraw(
            number,
            date(2025, 11, 13),
            WithdrawalGround.RETAINED_OVER_TWENTY,
            Applicant(ApplicantKind.SCHOOL, "学校"),
            unsuitable=UNSUITABLE,
        ),
        SENIOR,
    )

    assert codes(decision) == [("not-retained-twice", "第三十六条第二款第（一）项")]


# ------------------------------------------------------------ 高中 (二)


def school_days(register: Register, first: date, last: date) -> list[date]:
    return register.calendars.school_days(first, last, CalendarStage.SENIOR, CHAOYANG)


def truant(register: Register, number: str, days: list[date], on: date) -> None:
    decision = register.submit(
        AttendanceMarks(
            f"marks-{days[0]}",
            on,
            "H01",
            days[0],
            days[-1],
            tuple(AttendanceEntry(number, d, Mark.TRUANT) for d in days),
        ),
        SENIOR,
    )
    assert decision.accepted, decision.reasons


def contact(register: Register, number: str, day: date, n: int) -> None:
    decision = register.submit(
        GuardianContactEntry(
            f"ct-{n}",
            day,
            number,
            "赵老师",
            day,
            ContactChannel.PHONE,
            "家长表示无法劝说学生到校",
        ),
        SENIOR,
    )
    assert decision.accepted, decision.reasons


def by_truancy(number: str, on: date) -> WithdrawalApplication:
    return withdraw(
        number, on, WithdrawalGround.TRUANCY, Applicant(ApplicantKind.SCHOOL, "学校")
    )


def test_fifteen_consecutive_days_are_not_over_fifteen(register: Register) -> None:
    number = enroll_senior(register)
    days = school_days(register, date(2025, 9, 1), date(2025, 9, 19))
    assert len(days) == 15
    truant(register, number, days, date(2025, 9, 19))
    contact(register, number, date(2025, 9, 10), 1)
    contact(register, number, date(2025, 9, 17), 2)

    decision = register.submit(by_truancy(number, date(2025, 9, 22)), SENIOR)

    assert codes(decision) == [("truancy-under-bound", "第三十六条第二款第（二）项")]


def test_sixteen_consecutive_days_with_two_contacts_are_a_ground(
    register: Register,
) -> None:
    number = enroll_senior(register)
    days = school_days(register, date(2025, 9, 1), date(2025, 9, 22))
    assert len(days) == 16
    truant(register, number, days, date(2025, 9, 22))
    contact(register, number, date(2025, 9, 10), 1)
    contact(register, number, date(2025, 9, 17), 2)

    decision = register.submit(by_truancy(number, date(2025, 9, 23)), SENIOR)

    assert decision.outcome is Outcome.PENDING, decision.reasons


def test_one_contact_with_the_guardians_is_not_many(register: Register) -> None:
    number = enroll_senior(register)
    truant(
        register,
        number,
        school_days(register, date(2025, 9, 1), date(2025, 9, 22)),
        date(2025, 9, 22),
    )
    contact(register, number, date(2025, 9, 10), 1)

    decision = register.submit(by_truancy(number, date(2025, 9, 23)), SENIOR)

    assert codes(decision) == [("contacts-under-bound", "第三十六条第二款第（二）项")]


def runs_of_fifteen(register: Register) -> list[list[date]]:
    runs = [
        school_days(register, date(2025, 9, 1), date(2025, 9, 19)),
        school_days(register, date(2025, 9, 23), date(2025, 10, 17)),
        school_days(register, date(2025, 10, 21), date(2025, 11, 10)),
    ]
    assert [len(r) for r in runs] == [15, 15, 15]
    return runs


def test_45_cumulative_days_are_a_ground_and_44_are_not(register: Register) -> None:
    number = enroll_senior(register)
    runs = runs_of_fifteen(register)
    truant(register, number, runs[0], date(2025, 9, 19))
    truant(register, number, runs[1], date(2025, 10, 17))
    truant(register, number, runs[2][:-1], date(2025, 11, 7))
    contact(register, number, date(2025, 9, 10), 1)
    contact(register, number, date(2025, 10, 10), 2)

    at_44 = register.submit(by_truancy(number, date(2025, 11, 10)), SENIOR)
    truant(register, number, runs[2][-1:], date(2025, 11, 10))
    at_45 = register.submit(
        attrs.evolve(by_truancy(number, date(2025, 11, 11)), id="wd-2"), SENIOR
    )

    assert codes(at_44) == [("truancy-under-bound", "第三十六条第二款第（二）项")]
    assert at_45.outcome is Outcome.PENDING, at_45.reasons


# ------------------------------------------------------------ 高中 (三)


def suspend_senior(register: Register) -> str:
    number = enroll_senior(register)
    decision = register.submit(illness(number), SENIOR)
    assert decision.accepted, decision.reasons
    return number


def by_lapse(number: str, on: date, request_id: str = "wd-1") -> WithdrawalApplication:
    return withdraw(
        number,
        on,
        WithdrawalGround.NOT_RETURNED,
        Applicant(ApplicantKind.SCHOOL, "学校"),
        request_id=request_id,
    )


def test_a_month_past_the_return_day_is_a_ground_on_the_corresponding_day(
    register: Register,
) -> None:
    number = suspend_senior(register)
    register.end_suspensions(date(2026, 3, 2), DISTRICT)

    early = register.submit(by_lapse(number, date(2026, 4, 1)), SENIOR)
    on_time = register.submit(by_lapse(number, date(2026, 4, 2), "wd-2"), SENIOR)

    assert codes(early) == [("not-yet", "第三十六条第二款第（三）项")]
    assert on_time.outcome is Outcome.PENDING, on_time.reasons


def test_still_away_after_the_schools_contact_is_a_ground(
    register: Register,
) -> None:
    number = suspend_senior(register)
    register.end_suspensions(date(2026, 3, 4), DISTRICT)
    contact(register, number, date(2026, 3, 5), 1)

    decision = register.submit(by_lapse(number, date(2026, 3, 6)), SENIOR)

    assert decision.outcome is Outcome.PENDING, decision.reasons


def test_a_student_still_on_suspension_has_not_lapsed(register: Register) -> None:
    number = suspend_senior(register)

    decision = register.submit(by_lapse(number, date(2026, 2, 27)), SENIOR)

    assert codes(decision) == [("not-lapsed", "第三十六条第二款第（三）项")]


def test_a_rejected_withdrawal_of_a_suspended_student_restores_the_suspension(
    register: Register,
) -> None:
    number = suspend_senior(register)
    opened = register.submit(
        withdraw(number, date(2025, 10, 15), WithdrawalGround.APPLICATION), SENIOR
    )
    assert stint(register, number).status is Status.PENDING_WITHDRAWAL  # type: ignore[attr-defined]

    register.submit(
        StepAction("act-1", date(2025, 10, 16), procedure_of(opened), Action.REJECT),
        DISTRICT,
    )

    assert stint(register, number).status is Status.SUSPENDED  # type: ignore[attr-defined]


# ------------------------------------------------------------ citations


def test_every_ground_cites_an_article_that_exists() -> None:
    cited = [g.article for g in WithdrawalGround]

    assert [str(parse_citation(c)) for c in cited] == cited
