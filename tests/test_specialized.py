"""专门学校 (第三十一条): the 学籍 stays with the original school.

An 初二 (八年级) pupil born 2012-06-06 is admitted to 朝阳第一中学 (J01) and
registered on 2025-09-01.  She reaches 18 on her birthday, 2030-06-06
(DESIGN.md §4: 年满N周岁 is reached on the N-th birthday).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import CHAOYANG, CITY, DISTRICT, admission, child
from xueji import (
    AccessDeniedError,
    Action,
    Applicant,
    ApplicantKind,
    ChangeKind,
    Decision,
    InvalidInputError,
    ObligationKind,
    Outcome,
    Principal,
    PrincipalRole,
    Register,
    Registration,
    ReleaseNotice,
    School,
    SchoolType,
    Severity,
    SpecializedGround,
    SpecializedPlacement,
    SpecializedReturn,
    Status,
    StepAction,
    TransferApplication,
    TransferReason,
    WithdrawalApplication,
    WithdrawalGround,
)

JUNIOR = Principal(PrincipalRole.SCHOOL, "J01", "周老师")
OTHER_JUNIOR = Principal(PrincipalRole.SCHOOL, "J02", "吴老师")
GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "测试家长")
PLACED_ON = date(2025, 11, 3)


@pytest.fixture
def pupil(register: Register) -> str:
    register.load_organisations(
        [
            School("J01", "朝阳第一中学", CHAOYANG, CHAOYANG, SchoolType.JUNIOR),
            School("J02", "朝阳第二中学", CHAOYANG, CHAOYANG, SchoolType.JUNIOR),
            School("Z01", "朝阳专门学校", CHAOYANG, CHAOYANG, SchoolType.SPECIALIZED),
        ],
        CITY,
    )
    admitted = register.submit(
        admission(
            child("测试壬", date(2012, 6, 6), "110105201206060046"),
            school="J01",
            grade=8,
        ),
        JUNIOR,
    )
    assert admitted.student is not None
    register.submit(Registration("reg-1", date(2025, 9, 1), admitted.student), JUNIOR)
    return admitted.student


def place(
    register: Register,
    number: str,
    applicant: Applicant = GUARDIAN,
    principal: Principal = JUNIOR,
) -> Decision:
    return register.submit(
        SpecializedPlacement(
            "sp-1",
            PLACED_ON,
            number,
            "Z01",
            SpecializedGround.SERIOUS_MISBEHAVIOUR,
            applicant,
        ),
        principal,
    )


def file(register: Register, decision: Decision, on: date, action: Action) -> Decision:
    procedure = decision.next_steps[0].split("：")[0]
    return register.submit(StepAction(f"act-{on}", on, procedure, action), DISTRICT)


def placed(register: Register, number: str) -> None:
    decision = place(register, number)
    assert decision.outcome is Outcome.PENDING, decision.reasons
    file(register, decision, date(2025, 11, 4), Action.APPROVE)


def test_a_placed_pupil_keeps_her_school_of_record_and_number(
    register: Register, pupil: str
) -> None:
    decision = place(register, pupil)
    with register.store.unit_of_work() as uow:
        procedure = uow.open_procedure_of(pupil)
    assert procedure is not None
    assert [(s.name, s.organisation, s.filing) for s in procedure.steps] == [
        ("报区教委备案", CHAOYANG, True)
    ]

    done = file(register, decision, date(2025, 11, 4), Action.APPROVE)

    assert done.outcome is Outcome.ACCEPTED
    history = register.history(pupil, CITY)
    assert history.student.number == pupil
    assert [(e.school, e.status, e.last_day) for e in history.enrollments] == [
        ("J01", Status.SPECIALIZED_SCHOOL, None)
    ]
    kinds = [e.kind for e in history.events]
    assert ChangeKind.SPECIALIZED_SCHOOL in kinds
    assert not {ChangeKind.TRANSFER_FILED, ChangeKind.TRANSFERRED_OUT} & set(kinds)
    assert history.archive is not None
    assert history.archive.school == "J01"


def test_nothing_changes_before_the_district_files_the_placement(
    register: Register, pupil: str
) -> None:
    decision = place(register, pupil)

    file(register, decision, date(2025, 11, 4), Action.REJECT)

    assert [e.status for e in register.history(pupil, CITY).enrollments] == [
        Status.ENROLLED
    ]


def test_the_pupil_alone_cannot_apply_for_a_placement(
    register: Register, pupil: str
) -> None:
    decision = place(register, pupil, Applicant(ApplicantKind.STUDENT, "测试壬"))

    assert decision.outcome is Outcome.INCOMPLETE
    assert [(r.code, r.article) for r in decision.reasons] == [
        ("applicant", "第三十一条第一款")
    ]


def test_another_school_cannot_place_the_pupil(register: Register, pupil: str) -> None:
    with pytest.raises(AccessDeniedError):
        place(register, pupil, principal=OTHER_JUNIOR)


def test_a_placement_needs_a_specialized_school(register: Register, pupil: str) -> None:
    with pytest.raises(InvalidInputError, match="not a 专门学校"):
        register.submit(
            SpecializedPlacement(
                "sp-1",
                PLACED_ON,
                pupil,
                "J02",
                SpecializedGround.SERIOUS_MISBEHAVIOUR,
                GUARDIAN,
            ),
            JUNIOR,
        )


def test_a_pupil_in_a_specialized_school_is_not_withdrawn(
    register: Register, pupil: str
) -> None:
    placed(register, pupil)

    decision = register.submit(
        WithdrawalApplication(
            "wd-1",
            date(2025, 12, 1),
            pupil,
            WithdrawalGround.ADULT_UNSUITABLE,
            unsuitable="不宜在校继续学习",
        ),
        JUNIOR,
    )

    assert decision.outcome is Outcome.REFUSED
    assert ("specialized-school", "第三十一条第二款") in [
        (r.code, r.article) for r in decision.reasons
    ]


def test_a_pupil_in_a_specialized_school_returns_before_transferring(
    register: Register, pupil: str
) -> None:
    placed(register, pupil)

    decision = register.submit(
        TransferApplication(
            "tr-1",
            date(2026, 1, 19),
            pupil,
            "J02",
            TransferReason.SPECIAL,
            GUARDIAN,
            special_reason="家庭搬迁",
        ),
        JUNIOR,
    )

    assert decision.outcome is Outcome.REFUSED
    assert [
        (r.code, r.article) for r in decision.reasons if r.severity is Severity.REFUSAL
    ] == [("specialized-school", "第三十一条第二款")]


def test_the_pupil_applies_to_return_and_the_district_files_it(
    register: Register, pupil: str
) -> None:
    placed(register, pupil)

    by_school = register.submit(
        SpecializedReturn(
            "rt-1", date(2026, 3, 2), pupil, Applicant(ApplicantKind.SCHOOL, "学校")
        ),
        JUNIOR,
    )
    own = register.submit(SpecializedReturn("rt-2", date(2026, 3, 2), pupil), JUNIOR)
    done = file(register, own, date(2026, 3, 3), Action.APPROVE)

    assert by_school.outcome is Outcome.INCOMPLETE
    assert own.outcome is Outcome.PENDING
    assert done.outcome is Outcome.ACCEPTED
    history = register.history(pupil, CITY)
    assert [e.status for e in history.enrollments] == [Status.ENROLLED]
    assert history.events[-1].kind is ChangeKind.SPECIALIZED_RETURN


def test_a_minor_released_from_custody_is_helped_back_to_school(
    register: Register, pupil: str
) -> None:
    decision = register.submit(
        ReleaseNotice("rl-1", date(2030, 6, 10), pupil, date(2030, 6, 5)), DISTRICT
    )

    # Released the day before her 18th birthday (2030-06-06): still a minor.
    assert decision.outcome is Outcome.ACCEPTED
    assert [
        (o.kind, o.role.value, o.organisation, o.article) for o in decision.obligations
    ] == [
        (ObligationKind.HELP_BACK_TO_SCHOOL, "district", CHAOYANG, "第三十一条第三款"),
        (ObligationKind.HELP_BACK_TO_SCHOOL, "school", "J01", "第三十一条第三款"),
    ]


def test_a_student_released_on_the_18th_birthday_is_no_longer_a_minor(
    register: Register, pupil: str
) -> None:
    decision = register.submit(
        ReleaseNotice("rl-1", date(2030, 6, 10), pupil, date(2030, 6, 6)), DISTRICT
    )

    assert decision.outcome is Outcome.REFUSED
    assert decision.obligations == ()
