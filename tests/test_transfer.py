"""Chapter 5, 转学 (第二十二至三十条), with dates worked out by hand from the
published 2025-2026 calendars and the State Council schedule:

- Compulsory term 1 runs 2025-09-01..2026-01-23 and the winter vacation
  starts 2026-01-24, so the filing window of 第二十九条 is the seven days
  2026-01-17..2026-01-23.  Term 2 starts 2026-03-02.
- 10 working days after Monday 2026-01-19: 01-20, 21, 22, 23, 26, 27, 28,
  29, 30, 02-02 → 2026-02-02; 5 working days → 2026-01-26.
- 10 working days after Thursday 2025-11-13: 11-14, 17, 18, 19, 20, 21, 24,
  25, 26, 27 → 2025-11-27.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    DISTRICT,
    HAIDIAN,
    JIANWAI,
    PRIMARY,
    PRIMARY_2,
    SENIOR,
    admission,
    child,
    fixed_clock,
)
from xueji import (
    AccessDeniedError,
    Action,
    Applicant,
    ApplicantKind,
    AttendanceEntry,
    AttendanceMarks,
    ChangeKind,
    CutoffEntry,
    Decision,
    Guardian,
    HardshipEvidenceEntry,
    HardshipKind,
    HospitalGrade,
    Hukou,
    InboundReason,
    InboundTransfer,
    Mark,
    MedicalRecord,
    ObligationKind,
    Outcome,
    PluginError,
    PluginInfo,
    Principal,
    PrincipalRole,
    Register,
    Registration,
    Rules,
    SanctionEntry,
    SanctionKind,
    School,
    SchoolType,
    Severity,
    Sex,
    Status,
    StepAction,
    StudentParticulars,
    Township,
    TrainingSelection,
    TransferApplication,
    TransferOutOfBeijing,
    TransferPlacement,
    TransferReason,
    ZhongkaoScoreEntry,
    marks_of,
)
from xueji import _municipal as municipal
from xueji.hookspecs import hookimpl

GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "测试家长", "转-001")
CHAOWAI = "110105002"
HAIDIAN_STREET = "110108001"

JUNIOR_1 = Principal(PrincipalRole.SCHOOL, "J01", "周老师")
JUNIOR_2 = Principal(PrincipalRole.SCHOOL, "J02", "吴老师")
SENIOR_2 = Principal(PrincipalRole.SCHOOL, "H02", "郑老师")
HAIDIAN_PRIMARY = Principal(PrincipalRole.SCHOOL, "Q01", "冯老师")
HAIDIAN_DISTRICT = Principal(PrincipalRole.DISTRICT, HAIDIAN, "海淀学籍员")

MORE_ORGANISATIONS = [
    # P01 serves 建外街道 (its 服务范围); reloading it replaces the fixture's.
    School(
        "P01",
        "朝阳第一小学",
        CHAOYANG,
        CHAOYANG,
        SchoolType.PRIMARY,
        townships=(JIANWAI,),
    ),
    School("J01", "朝阳第一中学", CHAOYANG, CHAOYANG, SchoolType.JUNIOR),
    School("J02", "朝阳第二中学", CHAOYANG, CHAOYANG, SchoolType.JUNIOR),
    School("H02", "朝阳第二高级中学", CHAOYANG, CHAOYANG, SchoolType.SENIOR),
    School("H11", "海淀高级中学", HAIDIAN, HAIDIAN, SchoolType.SENIOR),
    Township(HAIDIAN_STREET, "海淀街道", HAIDIAN),
]

GRADE_3 = ("测试丁", date(2017, 5, 5), "110105201705050010")
GRADE_7 = ("测试戊", date(2013, 3, 3), "110105201303030025")
GRADE_10 = ("测试己", date(2010, 4, 4), "110105201004040039")
GRADE_6 = ("测试庚", date(2014, 9, 9), "110105201409090077")


@pytest.fixture
def reg(register: Register) -> Register:
    register.load_organisations(MORE_ORGANISATIONS, CITY)
    return register


def enroll(
    register: Register,
    particulars: tuple[str, date, str] = GRADE_3,
    *,
    school: str = "P01",
    grade: int = 3,
    principal: Principal = PRIMARY,
    **kwargs: object,
) -> str:
    decision = register.submit(
        admission(
            child(*particulars),
            school=school,
            grade=grade,
            request_id=f"adm-{particulars[2]}",
            **kwargs,
        ),
        principal,
    )
    assert decision.accepted, decision.reasons
    assert decision.student is not None
    registered = register.submit(
        Registration(f"reg-{particulars[2]}", date(2025, 9, 1), decision.student),
        principal,
    )
    assert registered.accepted, registered.reasons
    return decision.student


def apply(
    register: Register,
    number: str,
    to: str = "P02",
    *,
    on: date = date(2025, 11, 13),
    reason: TransferReason = TransferReason.RESIDENCE_CHANGE,
    principal: Principal = PRIMARY,
    request_id: str = "tr-1",
    **kwargs: Any,
) -> Decision:
    fields: dict[str, Any] = {
        "applicant": GUARDIAN,
        "documents": ("实际居住地变更证明",),
        "new_township": CHAOWAI,
        **kwargs,
    }
    return register.submit(
        TransferApplication(request_id, on, number, to, reason, **fields), principal
    )


def procedure_id(decision: Decision) -> str:
    assert decision.outcome is Outcome.PENDING, decision.reasons
    return decision.next_steps[0].split("：")[0]


def act(
    register: Register,
    procedure: str,
    principal: Principal,
    on: date,
    action: Action = Action.APPROVE,
) -> Decision:
    return register.submit(
        StepAction(f"act-{principal.organisation}-{on}", on, procedure, action),
        principal,
    )


def codes(decision: Decision) -> list[tuple[str, str]]:
    """The reasons other than warnings (the filing window of 第二十九条 warns
    on most dates here)."""
    return [
        (r.code, r.article)
        for r in decision.reasons
        if r.severity is not Severity.WARNING
    ]


def texts(decision: Decision) -> list[str]:
    return [r.text for r in decision.reasons if r.severity is not Severity.WARNING]


def stored(register: Register, procedure: str) -> Any:
    with register.store.unit_of_work() as uow:
        return uow.get_procedure(procedure)


def set_status(register: Register, number: str, **changes: Any) -> None:
    with register.store.unit_of_work() as uow:
        (stint,) = uow.enrollments_of(number)
        uow.update_enrollment(attrs.evolve(stint, version=stint.version + 1, **changes))
        uow.commit()


def status_of(register: Register, number: str) -> list[Status]:
    return [e.status for e in register.history(number, CITY).enrollments]


# ------------------------------------------------------------ 第三十条（一）


@pytest.mark.parametrize(
    ("particulars", "grade", "school", "to", "principal", "extra", "reason"),
    [
        (None, 1, "P01", "P02", PRIMARY, {}, TransferReason.RESIDENCE_CHANGE),
        (GRADE_7, 7, "J01", "J02", JUNIOR_1, {}, TransferReason.SPECIAL),
        (
            GRADE_10,
            10,
            "H01",
            "H02",
            SENIOR,
            {"roster_reference": "KSY-2025-0003"},
            TransferReason.SERIOUS_ILLNESS,
        ),
    ],
    ids=["一年级", "七年级", "高一"],
)
def test_a_starting_grade_in_its_first_term_is_refused_transfer_in(
    reg: Register,
    particulars: tuple[str, date, str] | None,
    grade: int,
    school: str,
    to: str,
    principal: Principal,
    extra: dict[str, object],
    reason: TransferReason,
) -> None:
    number = enroll(
        reg,
        particulars or ("测试甲", date(2019, 3, 1), "11010520190301001X"),
        school=school,
        grade=grade,
        principal=principal,
        **extra,
    )

    decision = apply(
        reg,
        number,
        to,
        on=date(2025, 9, 10),
        reason=reason,
        principal=principal,
        special_reason="照顾老人",
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("starting-grade", "第三十条第（一）项") in codes(decision)
    with reg.store.unit_of_work() as uow:
        assert uow.procedures() == []
    assert status_of(reg, number) == [Status.ENROLLED]


def test_a_graduating_grade_is_refused_in_any_term(reg: Register) -> None:
    number = enroll(reg, GRADE_6, grade=6)

    decision = apply(reg, number, on=date(2026, 3, 10))

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("graduating-grade", "第三十条第（一）项")]


def test_a_grade_1_pupil_may_move_in_term_2(reg: Register) -> None:
    number = enroll(reg, ("测试甲", date(2019, 3, 1), "11010520190301001X"), grade=1)

    decision = apply(reg, number, on=date(2026, 3, 10))

    assert decision.outcome is Outcome.PENDING


# ---------------------------------------------------------- 第三十条（三）, 第三十四条


def test_a_student_under_a_sanction_is_refused(reg: Register) -> None:
    number = enroll(reg)
    reg.submit(
        SanctionEntry(
            "s-1",
            date(2025, 11, 10),
            number,
            SanctionKind.DEMERIT,
            date(2025, 11, 10),
            date(2026, 5, 9),
            "打架",
        ),
        PRIMARY,
    )

    decision = apply(reg, number, on=date(2026, 1, 9))

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("sanctioned", "第三十条第（三）项")]


def test_a_sanction_recorded_by_another_schools_registrar_is_denied(
    reg: Register,
) -> None:
    number = enroll(reg)

    with pytest.raises(AccessDeniedError):
        reg.submit(
            SanctionEntry(
                "s-1",
                date(2025, 11, 10),
                number,
                SanctionKind.WARNING,
                date(2025, 11, 10),
                date(2026, 5, 9),
                "—",
            ),
            PRIMARY_2,
        )

    with reg.store.unit_of_work() as uow:
        assert uow.records("sanction", student=number) == []
        denied = [a for a in uow.audit(organisation="P02") if not a.allowed]
    assert len(denied) == 1


def test_a_suspended_student_is_refused_until_the_period_ends(reg: Register) -> None:
    number = enroll(reg)
    set_status(reg, number, status=Status.SUSPENDED, status_until=date(2026, 3, 1))

    during = apply(reg, number, on=date(2026, 1, 9))
    after = apply(reg, number, on=date(2026, 3, 5), request_id="tr-2")

    assert during.outcome is Outcome.REFUSED
    assert codes(during) == [("suspended", "第三十四条")]
    assert after.outcome is Outcome.PENDING
    assert ("suspension-ended", "第三十四条") in codes(after)
    assert status_of(reg, number) == [Status.PENDING_TRANSFER]


def test_rejecting_a_transfer_after_a_lapsed_suspension_restores_it(
    reg: Register,
) -> None:
    number = enroll(reg)
    set_status(reg, number, status=Status.SUSPENDED, status_until=date(2026, 3, 1))
    procedure = procedure_id(apply(reg, number, on=date(2026, 3, 5)))

    act(reg, procedure, PRIMARY, date(2026, 3, 6), Action.REJECT)

    assert status_of(reg, number) == [Status.SUSPENDED]


# ------------------------------------------------------------ applicants, conditions


def test_a_school_cannot_force_a_transfer(reg: Register) -> None:
    number = enroll(reg)

    decision = apply(reg, number, applicant=Applicant(ApplicantKind.SCHOOL, "学校"))

    assert decision.outcome is Outcome.REFUSED
    assert ("forced-transfer", "第三十条第（二）项") in codes(decision)


def test_an_application_not_in_writing_is_incomplete(reg: Register) -> None:
    number = enroll(reg)

    decision = apply(
        reg, number, applicant=Applicant(ApplicantKind.GUARDIAN, "家长", written=False)
    )

    assert decision.outcome is Outcome.INCOMPLETE
    assert ("written", "第二十三条第一款") in codes(decision)


def test_a_new_residence_in_the_schools_service_area_is_refused(
    reg: Register,
) -> None:
    number = enroll(reg)

    decision = apply(reg, number, new_township=JIANWAI)

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("within-service-area", "第二十二条第（二）项")]


def test_a_hukou_move_needs_its_documents(reg: Register) -> None:
    number = enroll(reg)

    decision = apply(reg, number, reason=TransferReason.HUKOU_MOVE)

    assert decision.outcome is Outcome.INCOMPLETE
    assert texts(decision) == ["缺少转学材料：户籍迁移证明"]


# ------------------------------------------------------------ one open procedure


def test_a_second_application_while_the_first_is_open_is_refused_naming_it(
    reg: Register,
) -> None:
    number = enroll(reg)
    first = procedure_id(apply(reg, number))

    second = apply(reg, number, "Q01", request_id="tr-2", new_township=HAIDIAN_STREET)

    assert second.outcome is Outcome.REFUSED
    assert codes(second) == [("open-procedure", "第二十三条第一款")]
    assert first in second.reasons[0].text


def test_a_double_submit_with_one_key_is_one_procedure(reg: Register) -> None:
    number = enroll(reg)

    one = apply(reg, number, idempotency_key="k-1")
    two = apply(reg, number, idempotency_key="k-1")

    assert one == two
    with reg.store.unit_of_work() as uow:
        assert len(uow.procedures()) == 1


# ------------------------------------------------------------ the chains


def test_an_in_district_transfer_has_one_district_step(reg: Register) -> None:
    number = enroll(reg)

    procedure = stored(reg, procedure_id(apply(reg, number)))

    assert [(s.name, s.organisation) for s in procedure.steps] == [
        ("转出学校核办", "P01"),
        ("转入学校核办", "P02"),
        ("区教委核办", CHAOYANG),
    ]


def test_a_cross_district_transfer_waits_for_the_sending_district(
    reg: Register,
) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number, "Q01", new_township=HAIDIAN_STREET))
    act(reg, procedure, PRIMARY, date(2025, 11, 14))
    act(reg, procedure, HAIDIAN_PRIMARY, date(2025, 11, 17))
    act(reg, procedure, HAIDIAN_DISTRICT, date(2025, 11, 18))

    with pytest.raises(AccessDeniedError):
        act(reg, procedure, HAIDIAN_PRIMARY, date(2025, 11, 19))

    waiting = stored(reg, procedure)
    assert [(s.name, s.organisation) for s in waiting.steps] == [
        ("转出学校核办", "P01"),
        ("转入学校核办", "Q01"),
        ("转入区教委核办", HAIDIAN),
        ("转出区教委核办", CHAOYANG),
        ("报市教委备案", "110000"),
    ]
    assert waiting.current.name == "转出区教委核办"
    with reg.store.unit_of_work() as uow:
        denied = [a for a in uow.audit(organisation="Q01") if not a.allowed]
    assert len(denied) == 1
    assert procedure in denied[0].action
    assert act(reg, procedure, DISTRICT, date(2025, 11, 19)).outcome is Outcome.PENDING
    assert act(reg, procedure, CITY, date(2025, 11, 20)).outcome is Outcome.ACCEPTED
    assert [e.school for e in reg.history(number, CITY).enrollments] == ["P01", "Q01"]


def test_an_in_district_senior_transfer_is_still_filed_with_the_city(
    reg: Register,
) -> None:
    number = senior_with_score(reg, cutoff="560")

    decision = senior_apply(reg, number)

    assert decision.outcome is Outcome.PENDING
    assert [s.name for s in stored(reg, procedure_id(decision)).steps] == [
        "转出学校核办",
        "转入学校核办",
        "区教委核办",
        "报市教委备案",
    ]


# ------------------------------------------------------------ completion


def test_a_completed_transfer_moves_the_archive_and_keeps_the_past(
    reg: Register,
) -> None:
    number = enroll(reg)
    reg.submit(
        AttendanceMarks(
            "att-1",
            date(2025, 10, 20),
            "P01",
            date(2025, 10, 20),
            date(2025, 10, 20),
            (AttendanceEntry(number, date(2025, 10, 20), Mark.LATE),),
        ),
        PRIMARY,
    )
    procedure = procedure_id(apply(reg, number))
    act(reg, procedure, PRIMARY, date(2025, 11, 14))
    act(reg, procedure, PRIMARY_2, date(2025, 11, 17))

    done = act(reg, procedure, DISTRICT, date(2025, 11, 20))

    assert done.outcome is Outcome.ACCEPTED
    whole = reg.history(number, CITY)
    assert [
        (e.school, e.first_day, e.last_day, e.status) for e in whole.enrollments
    ] == [
        ("P01", date(2025, 9, 1), date(2025, 11, 19), Status.TRANSFERRED),
        ("P02", date(2025, 11, 20), None, Status.ENROLLED),
    ]
    assert whole.student.number == number  # the same 学籍号
    receiving = reg.history(number, PRIMARY_2)
    assert len(receiving.enrollments) == 2
    assert receiving.archive is not None
    assert receiving.archive.school == "P02"
    sending = reg.history(number, PRIMARY)
    assert [(e.first_day, e.last_day) for e in sending.enrollments] == [
        (date(2025, 9, 1), date(2025, 11, 19))
    ]
    assert all(date(2025, 9, 1) <= e.on <= date(2025, 11, 19) for e in sending.events)
    assert sending.archive is None
    with reg.store.unit_of_work() as uow:
        assert marks_of(uow, number) == {date(2025, 10, 20): Mark.LATE}
    assert [(o.kind, o.organisation) for o in done.obligations] == [
        (ObligationKind.TRANSFER_ARCHIVE, "P01")
    ]


def test_the_receiving_school_places_by_academic_level_only_on_evidence(
    reg: Register,
) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number))

    bare = reg.submit(
        TransferPlacement("pl-1", date(2025, 11, 14), procedure, 4), PRIMARY_2
    )
    placed = reg.submit(
        TransferPlacement("pl-2", date(2025, 11, 14), procedure, 4, ("学业水平测试",)),
        PRIMARY_2,
    )
    act(reg, procedure, PRIMARY, date(2025, 11, 14))
    act(reg, procedure, PRIMARY_2, date(2025, 11, 17))
    act(reg, procedure, DISTRICT, date(2025, 11, 20))

    assert bare.outcome is Outcome.INCOMPLETE
    assert ("no-evidence", "第二十三条第二款") in codes(bare)
    assert placed.outcome is Outcome.ACCEPTED
    assert [e.grade for e in reg.history(number, CITY).enrollments] == [3, 4]


def test_the_sending_school_cannot_place_the_student(reg: Register) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number))

    with pytest.raises(AccessDeniedError):
        reg.submit(TransferPlacement("pl-1", date(2025, 11, 14), procedure, 3), PRIMARY)


def test_without_a_placement_the_student_keeps_the_original_grade(
    reg: Register,
) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number))
    act(reg, procedure, PRIMARY, date(2025, 11, 14))
    act(reg, procedure, PRIMARY_2, date(2025, 11, 17))
    act(reg, procedure, DISTRICT, date(2025, 11, 20))

    assert [e.grade for e in reg.history(number, CITY).enrollments] == [3, 3]


def test_a_rejection_restores_the_status_and_allows_a_new_application(
    reg: Register,
) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number))
    act(reg, procedure, PRIMARY, date(2025, 11, 14))
    act(reg, procedure, PRIMARY_2, date(2025, 11, 17))
    assert status_of(reg, number) == [Status.PENDING_TRANSFER]

    act(reg, procedure, DISTRICT, date(2025, 11, 18), Action.REJECT)

    assert status_of(reg, number) == [Status.ENROLLED]
    kinds = [e.kind for e in reg.history(number, CITY).events]
    assert kinds[-2:] == [ChangeKind.TRANSFER_FILED, ChangeKind.TRANSFER_ROLLED_BACK]
    assert apply(reg, number, request_id="tr-2").outcome is Outcome.PENDING


def test_the_guardian_withdrawing_restores_the_status(reg: Register) -> None:
    number = enroll(reg)
    procedure = procedure_id(apply(reg, number))

    act(reg, procedure, PRIMARY, date(2025, 11, 14), Action.WITHDRAW)

    assert status_of(reg, number) == [Status.ENROLLED]


# ------------------------------------------------------------ 第二十九条


def test_filing_before_the_window_is_a_warning_not_a_refusal(reg: Register) -> None:
    number = enroll(reg)

    decision = apply(reg, number, on=date(2026, 1, 10))

    assert decision.outcome is Outcome.PENDING
    assert [(r.code, r.article) for r in decision.warnings] == [
        ("outside-window", "第二十九条")
    ]
    assert "2026-01-17至2026-01-23" in decision.warnings[0].text


def test_filing_in_the_window_is_due_in_10_working_days(reg: Register) -> None:
    number = enroll(reg)

    decision = apply(reg, number, on=date(2026, 1, 19))

    assert decision.warnings == ()
    procedure = stored(reg, procedure_id(decision))
    assert procedure.due == date(2026, 2, 2)
    assert {s.due for s in procedure.steps} == {date(2026, 2, 2)}


# ------------------------------------------------------------ 第二十六条


def senior_with_score(
    reg: Register, *, cutoff: str, score: str = "560", school: str = "H02"
) -> str:
    number = enroll(
        reg,
        GRADE_10,
        school="H01",
        grade=10,
        principal=SENIOR,
        roster_reference="KSY-2025-0003",
    )
    reg.submit(
        HardshipEvidenceEntry(
            "ev-1",
            date(2026, 3, 3),
            number,
            HardshipKind.SERIOUS_ILLNESS,
            "需长期就近治疗",
            medical_record=MedicalRecord(
                "朝阳医院", HospitalGrade.THREE_A, date(2026, 2, 20), "需长期治疗"
            ),
        ),
        SENIOR,
    )
    reg.submit(
        ZhongkaoScoreEntry("zk-1", date(2026, 3, 3), number, 2025, score), SENIOR
    )
    reg.submit(CutoffEntry("co-1", date(2026, 3, 3), school, 2025, cutoff), CITY)
    return number


def senior_apply(
    reg: Register,
    number: str,
    to: str = "H02",
    reason: TransferReason = TransferReason.SERIOUS_ILLNESS,
    **kwargs: Any,
) -> Decision:
    return apply(
        reg,
        number,
        to,
        on=date(2026, 3, 10),
        reason=reason,
        principal=SENIOR,
        documents=(),
        new_township=None,
        **kwargs,
    )


def test_a_senior_score_equal_to_the_cutoff_is_not_below_it(reg: Register) -> None:
    number = senior_with_score(reg, cutoff="560")

    assert senior_apply(reg, number).outcome is Outcome.PENDING


def test_a_senior_score_below_the_cutoff_is_refused(reg: Register) -> None:
    number = senior_with_score(reg, cutoff="560.5")

    decision = senior_apply(reg, number)

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("below-cutoff", "第二十六条第一款")]


def test_a_senior_transfer_for_a_move_of_residence_is_refused(reg: Register) -> None:
    number = senior_with_score(reg, cutoff="500")

    decision = senior_apply(reg, number, reason=TransferReason.RESIDENCE_CHANGE)

    assert decision.outcome is Outcome.REFUSED
    assert ("senior-no-transfer", "第二十六条第一款") in codes(decision)


def test_a_senior_transfer_to_a_district_not_of_hukou_or_residence_is_refused(
    reg: Register,
) -> None:
    number = senior_with_score(reg, cutoff="500", school="H11")

    elsewhere = senior_apply(reg, number, "H11")
    moved = senior_apply(reg, number, "H11", new_district=HAIDIAN, request_id="tr-2")

    assert ("senior-district", "第二十六条第一款") in codes(elsewhere)
    assert moved.outcome is Outcome.PENDING


def test_a_senior_transfer_without_evidence_is_incomplete(reg: Register) -> None:
    number = enroll(
        reg,
        GRADE_10,
        school="H01",
        grade=10,
        principal=SENIOR,
        roster_reference="KSY-2025-0003",
    )

    decision = senior_apply(reg, number)

    assert decision.outcome is Outcome.INCOMPLETE
    assert [c for c, _a in codes(decision)] == ["no-evidence", "no-zhongkao-score"]


def test_a_school_cannot_record_its_own_cutoff(reg: Register) -> None:
    with pytest.raises(AccessDeniedError):
        reg.submit(CutoffEntry("co-1", date(2026, 3, 3), "H02", 2025, "560"), SENIOR_2)


# ---------------------------------------------------------- 第二十四、二十五、二十七条


def inbound_child(residence: str = CHAOYANG) -> StudentParticulars:
    return StudentParticulars(
        name="测试辛",
        sex=Sex.MALE,
        birth_date=date(2016, 6, 6),
        hukou=Hukou(beijing=False, province="河北省"),
        id_number="130102201606060015",
        residence_district=residence,
        guardians=(Guardian("测试家长", "母亲"),),
    )


NON_LOCAL_DOCUMENTS = ("户口簿", "在京工作证明", "在京实际住所居住证明", "北京市居住证")


def test_a_non_local_pupil_from_another_province_joins_under_a_new_number(
    reg: Register,
) -> None:
    decision = reg.submit(
        InboundTransfer(
            "in-1",
            date(2026, 1, 19),
            "P02",
            4,
            InboundReason.NON_LOCAL,
            inbound_child(),
            "河北省石家庄市某小学",
            documents=NON_LOCAL_DOCUMENTS,
        ),
        PRIMARY_2,
    )
    procedure = procedure_id(decision)
    assert stored(reg, procedure).due == date(2026, 2, 2)  # from the receiving school
    act(reg, procedure, PRIMARY_2, date(2026, 1, 20))

    done = act(reg, procedure, DISTRICT, date(2026, 1, 21))

    assert done.outcome is Outcome.ACCEPTED
    history = reg.history("G130102201606060015", CITY)
    assert [
        (e.school, e.grade, e.first_day, e.status) for e in history.enrollments
    ] == [("P02", 4, date(2026, 1, 21), Status.ENROLLED)]
    assert history.archive is not None
    assert done.student == "G130102201606060015"
    assert stored(reg, procedure).student == "G130102201606060015"


def test_a_non_local_pupil_must_join_a_school_of_the_residence_district(
    reg: Register,
) -> None:
    decision = reg.submit(
        InboundTransfer(
            "in-1",
            date(2026, 1, 19),
            "P02",
            4,
            InboundReason.NON_LOCAL,
            inbound_child(HAIDIAN),
            "河北省石家庄市某小学",
            documents=NON_LOCAL_DOCUMENTS,
        ),
        PRIMARY_2,
    )

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("residence-district", "第二十五条第一款")]


def test_a_senior_student_from_abroad_needs_the_documents_of_article_26_3(
    reg: Register,
) -> None:
    particulars = attrs.evolve(
        inbound_child(),
        id_number="110105201005050052",
        birth_date=date(2010, 5, 5),
        hukou=Hukou(beijing=True, district=CHAOYANG, township=JIANWAI),
    )

    decision = reg.submit(
        InboundTransfer(
            "in-1",
            date(2026, 3, 10),
            "H02",
            11,
            InboundReason.BEIJING_HUKOU_ABROAD,
            particulars,
            "某国某高中",
            documents=("户口簿",),
        ),
        SENIOR_2,
    )

    assert decision.outcome is Outcome.INCOMPLETE
    assert [r.text for r in decision.reasons if r.code == "missing-document"] == [
        "缺少转学材料：境外原就读高中录取证明材料",
        "缺少转学材料：已修高中阶段学业情况相关材料",
    ]
    assert {a for _c, a in codes(decision)} == {"第二十六条第三款"}


def test_a_transfer_out_of_beijing_needs_the_student_and_the_guardian(
    reg: Register,
) -> None:
    number = enroll(reg)

    guardian_only = reg.submit(
        TransferOutOfBeijing(
            "out-1", date(2026, 1, 19), number, "河北省", applicant=GUARDIAN
        ),
        PRIMARY,
    )
    both = reg.submit(
        TransferOutOfBeijing("out-2", date(2026, 1, 19), number, "河北省"), PRIMARY
    )
    procedure = procedure_id(both)
    act(reg, procedure, PRIMARY, date(2026, 1, 20))
    done = act(reg, procedure, DISTRICT, date(2026, 1, 21))

    assert guardian_only.outcome is Outcome.INCOMPLETE
    assert ("student-and-guardian", "第二十七条") in codes(guardian_only)
    assert [(e.status, e.last_day) for e in reg.history(number, CITY).enrollments] == [
        (Status.LEFT_BEIJING, date(2026, 1, 20))
    ]
    assert [(o.kind, o.article) for o in done.obligations] == [
        (ObligationKind.PROVIDE_ARCHIVE_MATERIALS, "第二十七条")
    ]


# ------------------------------------------------------------ 第二十八条


def test_a_training_selection_is_recorded_by_the_district(reg: Register) -> None:
    number = enroll(reg)

    decision = reg.submit(
        TrainingSelection(
            "sel-1",
            date(2025, 12, 1),
            number,
            "北京市某体育运动学校",
            "京体〔2025〕1号",
            ("批准招收专业训练的文件", "选调通知"),
        ),
        DISTRICT,
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert ChangeKind.TRAINING_SELECTION in [
        e.kind for e in reg.history(number, CITY).events
    ]
    assert status_of(reg, number) == [Status.ENROLLED]


def test_a_school_cannot_record_a_training_selection(reg: Register) -> None:
    number = enroll(reg)

    with pytest.raises(AccessDeniedError):
        reg.submit(
            TrainingSelection("sel-1", date(2025, 12, 1), number, "某艺术团", "—"),
            PRIMARY,
        )


# ------------------------------------------------------------ hooks


def info(name: str, district: str = CHAOYANG) -> PluginInfo:
    return PluginInfo(
        name=name,
        version="1.0",
        layer="district",
        districts=(district,),
        legal_basis="测试实施细则",
    )


class WindowBinding:
    XUEJI_PLUGIN = info("test-window")

    @hookimpl
    def xueji_transfer_window_binding(self, district: str) -> bool:
        return True


class Limit:
    def __init__(self, days: int, district: str = HAIDIAN) -> None:
        self.XUEJI_PLUGIN = info(f"test-limit-{days}", district)
        self.days = days

    @hookimpl
    def xueji_transfer_processing_limit(self, district: str) -> int:
        return self.days


class SpecialReasons:
    XUEJI_PLUGIN = info("test-reasons")

    @hookimpl
    def xueji_transfer_special_reasons(self, district: str) -> list[str]:
        return ["父母工作调动"]


class MoreDocuments:
    XUEJI_PLUGIN = info("test-documents")

    @hookimpl
    def xueji_transfer_documents(
        self, district: str, stage: str, reason: str
    ) -> list[str]:
        return ["转学申请表"]


class OtherGrounds:
    XUEJI_PLUGIN = info("test-grounds")

    @hookimpl
    def xueji_transfer_refusal_grounds(
        self,
        district: str,
        student: str,
        grade: int,
        from_school: str | None,
        to_school: str,
    ) -> list[str]:
        return ["本学年已转学一次，无正当理由"]


class SelectionDocuments:
    XUEJI_PLUGIN = info("test-selection")

    @hookimpl
    def xueji_training_selection_documents(self, district: str) -> list[str]:
        return ["区体育局意见"]


def with_plugins(register: Register, *plugins: object) -> Register:
    other = Register(
        register.store, rules=Rules([municipal, *plugins]), clock=fixed_clock
    )
    other.load_organisations(MORE_ORGANISATIONS, CITY)
    return other


def test_a_district_may_make_the_xueji_transfer_window_binding(
    reg: Register,
) -> None:
    number = enroll(reg)
    strict = with_plugins(reg, WindowBinding())

    decision = apply(strict, number, on=date(2026, 1, 10))

    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == [("outside-window", "第二十九条")]
    assert decision.reasons[0].source.name == "test-window"


def test_the_shorter_xueji_transfer_processing_limit_of_two_districts_governs(
    reg: Register,
) -> None:
    number = enroll(reg)
    short = with_plugins(reg, Limit(5))

    decision = apply(
        short, number, "Q01", on=date(2026, 1, 19), new_township=HAIDIAN_STREET
    )

    assert stored(short, procedure_id(decision)).due == date(2026, 1, 26)


def test_a_processing_limit_beyond_10_working_days_is_a_plugin_error(
    reg: Register,
) -> None:
    # The bound is checked when the plugin loads, naming plugin and hook.
    with pytest.raises(PluginError, match=r"test-limit-11.*xueji_transfer_processing"):
        with_plugins(reg, Limit(11, CHAOYANG))


def test_a_districts_xueji_transfer_special_reasons_list_governs(
    reg: Register,
) -> None:
    number = enroll(reg)
    listed = with_plugins(reg, SpecialReasons())

    other = apply(
        listed, number, reason=TransferReason.SPECIAL, special_reason="想换学校"
    )
    accepted = apply(
        listed,
        number,
        reason=TransferReason.SPECIAL,
        special_reason="父母工作调动",
        request_id="tr-2",
    )

    assert codes(other) == [("special-reason", "第二十二条第（三）项")]
    assert other.reasons[0].source.name == "test-reasons"
    assert accepted.outcome is Outcome.PENDING


def test_a_district_may_ask_for_more_xueji_transfer_documents(reg: Register) -> None:
    number = enroll(reg)
    more = with_plugins(reg, MoreDocuments())

    decision = apply(more, number)

    assert decision.outcome is Outcome.INCOMPLETE
    assert texts(decision) == ["缺少转学材料：转学申请表"]


def test_xueji_transfer_refusal_grounds_add_refusals(reg: Register) -> None:
    number = enroll(reg)
    grounds = with_plugins(reg, OtherGrounds())

    decision = apply(grounds, number)

    assert codes(decision) == [("other-ground", "第三十条第（四）项")]
    assert decision.reasons[0].source.name == "test-grounds"


def test_xueji_training_selection_documents_combine(reg: Register) -> None:
    number = enroll(reg)
    more = with_plugins(reg, SelectionDocuments())

    decision = more.submit(
        TrainingSelection(
            "sel-1",
            date(2025, 12, 1),
            number,
            "某体校",
            "—",
            ("批准招收专业训练的文件", "选调通知"),
        ),
        DISTRICT,
    )

    assert decision.outcome is Outcome.INCOMPLETE
    assert [r.text for r in decision.reasons] == ["缺少材料：区体育局意见"]
