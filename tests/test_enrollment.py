"""Chapter 3, 入学与注册 (第九至十八条): the cases of the kernel-foundation
issue, with expected dates worked out by hand from the published 2025-2026
calendar (term 1 starts Monday 2025-09-01) and the State Council schedule.

5 working days after 2025-09-01: 09-02, 03, 04, 05, 08 → 2025-09-08.
10 working days: … 09-09, 10, 11, 12, 15 → 2025-09-15.
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
    PRIMARY,
    PRIMARY_2,
    SENIOR,
    SPECIAL,
    Admit,
    admission,
    child,
)
from xueji import (
    AccessDeniedError,
    Applicant,
    ApplicantKind,
    ChangeKind,
    DeferralApplication,
    DelayedRegistration,
    DuplicateResolution,
    HospitalGrade,
    Hukou,
    IdCorrection,
    InvalidIdNumberError,
    LocalBasis,
    MedicalRecord,
    NationalNumberAssignment,
    ObligationKind,
    Outcome,
    Register,
    Registration,
    Status,
    TreatedAsLocal,
)

GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "测试家长", "申-001")
TWO_A = MedicalRecord("朝阳医院", HospitalGrade.TWO_A, date(2025, 8, 20), "需治疗")
TWO_B = MedicalRecord("某区医院", HospitalGrade.TWO_B, date(2025, 8, 20), "需治疗")
SENIOR_ID = "110105200907010135"


def status_of(register: Register, number: str) -> list[Status]:
    history = register.history(number, CITY)
    return [e.status for e in history.enrollments]


def codes(decision: object) -> list[tuple[str, str]]:
    return [(r.code, r.article) for r in decision.reasons]  # type: ignore[attr-defined]


# ------------------------------------------------------------ edition, age


def test_a_request_dated_before_the_edition_is_refused(register: Register) -> None:
    decision = register.submit(admission(child(), on=date(2021, 5, 31)), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    assert ("edition", "第五十二条") in codes(decision)
    with register.store.unit_of_work() as uow:
        assert uow.student_by_id_number("11010520190301001X") is None


def test_a_child_born_on_31_august_is_six_for_2025_2026(admitted: Admit) -> None:
    number = admitted(child(birth=date(2019, 8, 31), id_number="110105201908310038"))

    assert number == "G110105201908310038"


def test_a_child_born_on_1_september_is_under_age(register: Register) -> None:
    particulars = child(birth=date(2019, 9, 1), id_number="110105201909010029")

    decision = register.submit(admission(particulars), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    assert ("under-age", "第十条") in codes(decision)


# ------------------------------------------------------------ identity


def test_a_lowercase_x_is_stored_as_capital_x(admitted: Admit) -> None:
    number = admitted(child(id_number="11010520190301001x"))

    assert number == "G11010520190301001X"


def test_an_invalid_id_number_is_an_error_and_writes_nothing(
    register: Register,
) -> None:
    with pytest.raises(InvalidIdNumberError):
        register.submit(admission(child(id_number="110105201903010010")), PRIMARY)

    with register.store.unit_of_work() as uow:
        assert (
            uow.students_by_particulars("测试甲", child().sex, date(2019, 3, 1)) == []
        )


def test_an_id_with_an_active_enrollment_is_refused_without_naming_the_school(
    register: Register, admitted: Admit
) -> None:
    admitted()

    decision = register.submit(
        admission(child(), school="P02", request_id="adm-2"), PRIMARY_2
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("already-enrolled", "第十七条第二款") in codes(decision)
    assert "转学" in decision.reasons[0].text
    assert "朝阳第一小学" not in decision.reasons[0].text
    assert "P01" not in decision.reasons[0].text


def test_a_likely_duplicate_without_id_opens_a_review(
    register: Register, admitted: Admit
) -> None:
    admitted(child(id_number=None))

    decision = register.submit(
        admission(child(id_number=None), school="P02", request_id="adm-2"), PRIMARY_2
    )

    assert decision.outcome is Outcome.PENDING
    assert [o.kind for o in decision.obligations] == [ObligationKind.REVIEW_DUPLICATE]
    assert decision.obligations[0].due == date(2025, 7, 17)  # 5 working days
    with register.store.unit_of_work() as uow:
        assert (
            len(uow.students_by_particulars("测试甲", child().sex, date(2019, 3, 1)))
            == 1
        )


def test_a_review_finding_a_different_person_admits_the_child(
    register: Register, admitted: Admit
) -> None:
    admitted(child(id_number=None))
    pending = register.submit(
        admission(child(id_number=None), school="P02", request_id="adm-2"), PRIMARY_2
    )
    review = pending.next_steps[0].split("（")[1].split("）")[0]

    decision = register.submit(
        DuplicateResolution("res-1", date(2025, 7, 14), review, same_person=False),
        DISTRICT,
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert decision.student is not None
    assert decision.student.startswith("L11010520190301")


def test_a_child_without_id_gets_an_l_number_and_keeps_history_under_g(
    register: Register, admitted: Admit
) -> None:
    temporary = admitted(child(id_number=None))
    assert temporary == "L110105201903010001"
    # J check: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 11010520190301001
    # give 112; 112 mod 11 = 2 → "X".

    decision = register.submit(
        NationalNumberAssignment(
            "nat-1", date(2025, 10, 9), temporary, "J11010520190301001X"
        ),
        DISTRICT,
    )

    assert decision.outcome is Outcome.ACCEPTED
    history = register.history(temporary, CITY)  # the L number is an alias
    assert history.student.number == "J11010520190301001X"
    assert temporary in history.student.aliases
    assert [e.kind for e in history.events][-1] is ChangeKind.NATIONAL_NUMBER
    assert ChangeKind.ADMITTED in [e.kind for e in history.events]


def test_a_g_number_is_never_replaced(register: Register, admitted: Admit) -> None:
    number = admitted()

    decision = register.submit(
        NationalNumberAssignment(
            "nat-1", date(2025, 10, 9), number, "J11010520190301001X"
        ),
        DISTRICT,
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("number-for-life", "第十七条第二款") in codes(decision)


def test_correcting_the_id_keeps_the_number_and_reevaluates_the_age(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(
        IdCorrection(
            "cor-1", date(2025, 9, 20), number, "110105201912310022", "录入错误"
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert ("under-age-after-correction", "第十条") in codes(decision)
    history = register.history(number, CITY)
    assert history.student.number == "G11010520190301001X"
    assert history.student.birth_date == date(2019, 12, 31)
    event = history.events[-1]
    assert event.kind is ChangeKind.ID_CORRECTED
    assert event.actor == "school:P01:王老师"
    assert "录入错误" in event.summary


# ------------------------------------------------------------ 第十二条


def test_a_special_education_pupil_holds_two_stints_under_one_number(
    register: Register, admitted: Admit
) -> None:
    particulars = child(disabled=True)
    number = admitted(particulars, principal=SPECIAL, school="T01")

    decision = register.submit(
        admission(particulars, request_id="adm-2", special_education_dual=True),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert decision.student == number
    assert status_of(register, number) == [Status.ADMITTED, Status.ADMITTED]


def test_the_same_pair_without_the_basis_is_a_duplicate(
    register: Register, admitted: Admit
) -> None:
    particulars = child(disabled=True)
    admitted(particulars, principal=SPECIAL, school="T01")

    decision = register.submit(admission(particulars, request_id="adm-2"), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    assert ("already-enrolled", "第十七条第二款") in codes(decision)


# ------------------------------------------------------------ registration


def test_registration_creates_the_archive_duty_due_2025_09_15(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)

    assert decision.outcome is Outcome.ACCEPTED
    assert [(o.kind, o.due, o.article) for o in decision.obligations] == [
        (ObligationKind.BUILD_ARCHIVE, date(2025, 9, 15), "第十七条第一款")
    ]
    assert status_of(register, number) == [Status.ENROLLED]


def test_delayed_registration_is_on_time_through_2025_09_08(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(
        DelayedRegistration(
            "del-1",
            date(2025, 9, 8),
            number,
            date(2025, 9, 22),
            "住院",
            ("医院证明",),
            GUARDIAN,
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED


def test_a_late_delayed_registration_obliges_the_school_to_urge(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(
        DelayedRegistration(
            "del-1",
            date(2025, 9, 9),
            number,
            date(2025, 9, 22),
            "外出",
            ("说明",),
            GUARDIAN,
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("late", "第十六条第一款") in codes(decision)
    assert [(o.kind, o.arises, o.due, o.article) for o in decision.obligations] == [
        (
            ObligationKind.URGE_ENROLLMENT,
            date(2025, 9, 9),
            date(2025, 9, 10),
            "第十六条第二款",
        )
    ]
    assert status_of(register, number) == [Status.ADMITTED]


def test_a_late_senior_student_forfeits_the_admission(
    register: Register, admitted: Admit
) -> None:
    particulars = child("测试乙", date(2009, 7, 1), SENIOR_ID)
    number = admitted(
        particulars,
        principal=SENIOR,
        school="H01",
        grade=10,
        roster_reference="KSY-2025-0001",
    )

    decision = register.submit(
        DelayedRegistration(
            "del-1",
            date(2025, 9, 9),
            number,
            date(2025, 9, 22),
            "外出",
            ("说明",),
            GUARDIAN,
        ),
        SENIOR,
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("forfeited", "第十六条第三款") in codes(decision)
    assert status_of(register, number) == [Status.FORFEITED]


def test_a_late_senior_student_with_force_majeure_keeps_the_admission(
    register: Register, admitted: Admit
) -> None:
    particulars = child("测试乙", date(2009, 7, 1), SENIOR_ID)
    number = admitted(
        particulars,
        principal=SENIOR,
        school="H01",
        grade=10,
        roster_reference="KSY-2025-0001",
    )

    decision = register.submit(
        DelayedRegistration(
            "del-1",
            date(2025, 9, 9),
            number,
            date(2025, 9, 22),
            "暴雨受灾",
            ("街道证明",),
            GUARDIAN,
            justification="特大暴雨，交通中断",
        ),
        SENIOR,
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert status_of(register, number) == [Status.ADMITTED]


def test_a_senior_admission_needs_the_roster_entry(register: Register) -> None:
    particulars = child("测试乙", date(2009, 7, 1), SENIOR_ID)

    decision = register.submit(admission(particulars, school="H01", grade=10), SENIOR)

    assert decision.outcome is Outcome.INCOMPLETE
    assert ("no-roster-entry", "第十四条") in codes(decision)


def test_a_senior_archive_and_personal_file_are_due_on_the_same_day(
    register: Register, admitted: Admit
) -> None:
    particulars = child("测试乙", date(2009, 7, 1), SENIOR_ID)
    number = admitted(
        particulars,
        principal=SENIOR,
        school="H01",
        grade=10,
        roster_reference="KSY-2025-0001",
    )

    decision = register.submit(Registration("reg-1", date(2025, 9, 1), number), SENIOR)

    assert [(o.kind, o.due) for o in decision.obligations] == [
        (ObligationKind.BUILD_ARCHIVE, date(2025, 9, 15)),
        (ObligationKind.BUILD_PERSONAL_FILE, date(2025, 9, 15)),
    ]


def test_term_two_windows_end_on_2026_03_09_and_2026_03_16(
    register: Register, admitted: Admit
) -> None:
    # Term 2 starts Monday 2026-03-02: 5 working days → 03-09; 10 → 03-16.
    number = admitted(on=date(2026, 2, 20))

    on_time = register.submit(
        DelayedRegistration(
            "del-1",
            date(2026, 3, 9),
            number,
            date(2026, 3, 13),
            "病",
            ("病历",),
            GUARDIAN,
        ),
        PRIMARY,
    )
    registered = register.submit(
        Registration("reg-1", date(2026, 3, 9), number), PRIMARY
    )

    assert on_time.outcome is Outcome.ACCEPTED
    assert registered.obligations[0].due == date(2026, 3, 16)


def test_closing_the_window_twice_writes_the_duty_once(
    register: Register, admitted: Admit
) -> None:
    admitted()

    first = register.close_registration_window("2025-2026", date(2025, 9, 9), DISTRICT)
    second = register.close_registration_window("2025-2026", date(2025, 9, 9), DISTRICT)

    assert [o.kind for d in first for o in d.obligations] == [
        ObligationKind.URGE_ENROLLMENT
    ]
    assert second == []


# ------------------------------------------------------------ 缓学


def deferral(
    number: str, on: date, record: MedicalRecord | None = TWO_A
) -> DeferralApplication:
    return DeferralApplication("def-1", on, number, JIANWAI, record, GUARDIAN)


def test_a_deferral_with_a_2a_record_within_the_window_is_accepted(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(deferral(number, date(2025, 9, 10)), PRIMARY)

    assert decision.outcome is Outcome.ACCEPTED
    history = register.history(number, CITY)
    assert history.enrollments[0].status is Status.DEFERRED
    assert history.enrollments[0].status_until == date(2026, 8, 31)


def test_a_deferral_with_a_2b_record_is_refused(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(deferral(number, date(2025, 9, 10), TWO_B), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    assert ("hospital-grade", "第十一条第一款") in codes(decision)


def test_a_deferral_after_2025_09_15_is_late(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    on_last_day = register.submit(deferral(number, date(2025, 9, 15)), PRIMARY)

    assert on_last_day.outcome is Outcome.ACCEPTED
    number_2 = admitted(
        child("测试丙", date(2018, 6, 1), "110105201806010034"), request_id="adm-2"
    )
    late = register.submit(
        attrs.evolve(deferral(number_2, date(2025, 9, 16)), id="def-2"), PRIMARY
    )
    assert late.outcome is Outcome.REFUSED
    assert ("late", "第十一条第一款") in codes(late)


def test_a_deferral_does_not_renew_itself(register: Register, admitted: Admit) -> None:
    number = admitted()
    register.submit(deferral(number, date(2025, 9, 10)), PRIMARY)

    before = register.end_deferrals(date(2026, 8, 31), DISTRICT)
    after = register.end_deferrals(date(2026, 9, 1), DISTRICT)
    again = register.end_deferrals(date(2026, 9, 1), DISTRICT)

    assert before == []
    assert after == [number]
    assert again == []
    enrollment = register.history(number, CITY).enrollments[0]
    assert (enrollment.status, enrollment.school_year) == (Status.ADMITTED, "2026-2027")


def test_a_deferral_filed_with_a_township_elsewhere_is_refused(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(
        attrs.evolve(deferral(number, date(2025, 9, 10)), filed_with="110105002"),
        PRIMARY,
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("wrong-authority", "第十一条第一款") in codes(decision)


# ------------------------------------------------------------ 第十五条


NON_LOCAL = Hukou(beijing=False, province="河北省")


def permit(valid_to: date) -> TreatedAsLocal:
    return TreatedAsLocal(
        LocalBasis.WORK_RESIDENCE_PERMIT, "北京市工作居住证 A-001", None, valid_to
    )


def test_a_valid_work_residence_permit_treats_the_child_as_local(
    register: Register, admitted: Admit
) -> None:
    particulars = child(
        hukou=NON_LOCAL,
        treated_as_local=(permit(date(2026, 12, 31)),),
        residence_district=CHAOYANG,
        residence_township=JIANWAI,
    )
    number = admitted(particulars)

    decision = register.submit(deferral(number, date(2025, 9, 10)), PRIMARY)

    assert decision.outcome is Outcome.ACCEPTED


def test_an_expired_work_residence_permit_does_not(
    register: Register, admitted: Admit
) -> None:
    particulars = child(
        hukou=NON_LOCAL,
        treated_as_local=(permit(date(2025, 9, 9)),),
        residence_district=CHAOYANG,
        residence_township=JIANWAI,
    )
    number = admitted(particulars)

    decision = register.submit(deferral(number, date(2025, 9, 10)), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    assert ("not-local", "第十一条第一款") in codes(decision)


def test_a_non_local_child_needs_the_years_documents(register: Register) -> None:
    particulars = child(hukou=NON_LOCAL)

    decision = register.submit(admission(particulars), PRIMARY)

    assert decision.outcome is Outcome.INCOMPLETE
    missing = sorted(r.text for r in decision.reasons if r.code == "missing-document")
    assert missing == [
        "缺少入学材料：北京市居住证",
        "缺少入学材料：在京实际住所居住证明",
        "缺少入学材料：在京工作证明",
    ]
    assert {r.article for r in decision.reasons if r.code == "missing-document"} == {
        "第十三条"
    }


# ------------------------------------------------------------ scope, idempotency


def test_a_school_cannot_admit_for_another_school(register: Register) -> None:
    with pytest.raises(AccessDeniedError):
        register.submit(admission(child()), PRIMARY_2)

    with register.store.unit_of_work() as uow:
        assert uow.student_by_id_number("11010520190301001X") is None
        denied = uow.audit(organisation="P02")
    assert [a.allowed for a in denied] == [False]


def test_the_same_key_twice_is_one_admission(register: Register) -> None:
    request = attrs.evolve(admission(child()), idempotency_key="k-1")

    first = register.submit(request, PRIMARY)
    second = register.submit(request, PRIMARY)

    assert first == second
    with register.store.unit_of_work() as uow:
        assert len(uow.enrollments_of("G11010520190301001X")) == 1


def test_a_district_may_read_its_students_and_another_may_not(
    register: Register, admitted: Admit
) -> None:
    from xueji import Principal, PrincipalRole, UnknownStudentError

    number = admitted()

    assert register.history(number, DISTRICT).student.number == number
    with pytest.raises(UnknownStudentError):
        register.history(number, Principal(PrincipalRole.DISTRICT, "110108", "x"))
    assert CHAOYANG == "110105"


def test_registering_after_the_first_day_within_the_window_is_a_delayed_one(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    decision = register.submit(Registration("reg-1", date(2025, 9, 3), number), PRIMARY)

    assert decision.outcome is Outcome.ACCEPTED
    assert [(r.code, r.article) for r in decision.warnings] == [
        ("late-within-window", "第十六条第一款")
    ]


def test_a_senior_registering_after_the_window_without_cause_is_refused(
    register: Register, admitted: Admit
) -> None:
    particulars = child("测试乙", date(2009, 7, 1), SENIOR_ID)
    number = admitted(
        particulars,
        principal=SENIOR,
        school="H01",
        grade=10,
        roster_reference="KSY-2025-0001",
    )

    decision = register.submit(Registration("reg-1", date(2025, 9, 9), number), SENIOR)

    assert decision.outcome is Outcome.REFUSED
    assert ("senior-late", "第十六条第三款") in codes(decision)
    assert status_of(register, number) == [Status.FORFEITED]


def test_a_birth_date_after_the_admission_date_is_bad_input(
    register: Register,
) -> None:
    particulars = child(birth=date(2030, 1, 1), id_number=None)

    with pytest.raises(ValueError, match="after the admission date"):
        register.submit(admission(particulars), PRIMARY)
