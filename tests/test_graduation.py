"""Chapter 8, 毕业、结业、肄业 (第三十八至四十一条).

Certificate numbers follow the municipal scheme (第四十条第二款; docs/
plugins.md#xueji_certificate_number): ``{issuer}-{year}-{stage}{kind}-{serial}``
with issuer the district (compulsory) or 110000 (高中), e.g. the first 初中
graduate of 朝阳区 in 2026 holds ``110105-2026-CB-000001``.

Rosters are filed on Monday 2026-06-22; each step is acted on the next days.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    DISTRICT,
    ORGANISATIONS,
    SENIOR,
    SPECIAL,
    child,
    fixed_clock,
)
from tests.test_suspension import (
    EXTRA,
    JUNIOR,
    PUPIL,
    codes,
    enroll,
    enroll_senior,
    illness,
    stint,
)
from tests.test_withdrawal import (
    ADULT,
    UNSUITABLE,
    act,
    procedure_of,
    withdraw_senior,
)
from xueji import (
    AccessDeniedError,
    Admission,
    Applicant,
    ApplicantKind,
    ArchiveHandOver,
    AttestationApplication,
    CertificateKind,
    CertificateReplacement,
    ChangeKind,
    Completion,
    Decision,
    GradeChange,
    GradeChangeKind,
    Graduate,
    GraduationRoster,
    Incompletion,
    MemoryStore,
    ObligationKind,
    Outcome,
    PluginInfo,
    Principal,
    PrincipalRole,
    Register,
    Rules,
    Stage,
    Status,
    WithdrawalApplication,
    WithdrawalGround,
    attestations_of,
    certificates_of,
    parse_citation,
)
from xueji import _municipal as municipal
from xueji.hookspecs import hookimpl

SECOND = ("测试初三乙", date(2010, 3, 1), "11010520100301009X")
THIRD = ("测试初一", date(2010, 3, 2), "11010520100302001X")
TWELFTH = ("测试高三", date(2008, 8, 15), "110105200808150132")
HOLDER = Applicant(ApplicantKind.STUDENT, "测试初三", "证明-001")
FILED = date(2026, 6, 22)


@pytest.fixture
def register(register: Register) -> Register:
    register.load_organisations(EXTRA, CITY)
    return register


class Chaoyang:
    """An illustrative district plugin for the hooks of Chapter 8."""

    XUEJI_PLUGIN = PluginInfo(
        name="test-chaoyang",
        version="1.0",
        layer="district",
        districts=(CHAOYANG,),
        legal_basis="测试实施细则",
    )

    @hookimpl
    def xueji_certificate_number(
        self,
        district: str | None,
        school: str,
        stage: str,
        kind: str,
        year: int,
        serial: int,
    ) -> str | None:
        return f"朝{stage}{kind}{year}-{serial:04d}"

    @hookimpl
    def xueji_hand_over_date(
        self, district: str, stage: str, school_year: str
    ) -> date | None:
        return date(2026, 8, 31)

    @hookimpl
    def xueji_academic_rule(
        self, district: str, stage: str, decision: str, from_grade: int, to_grade: int
    ) -> str | None:
        return "本区义务教育阶段不实行跳级" if decision == "skip" else None


def chaoyang_register() -> Register:
    register = Register(
        MemoryStore(), rules=Rules([municipal, Chaoyang()]), clock=fixed_clock
    )
    register.load_organisations([*ORGANISATIONS, *EXTRA], CITY)
    return register


def roster(
    school: str, stage: Stage, *numbers: str, assessment: str | None = None
) -> GraduationRoster:
    return GraduationRoster(
        "ros-1",
        FILED,
        school,
        "2025-2026",
        stage,
        tuple(Graduate(n, assessment) for n in numbers),
    )


def graduate_junior(register: Register, *numbers: str) -> Decision:
    opened = register.submit(roster("J01", Stage.JUNIOR, *numbers), JUNIOR)
    assert opened.outcome is Outcome.PENDING, opened.reasons
    return act(register, procedure_of(opened), DISTRICT, date(2026, 6, 23), 1)


def certificates(register: Register, number: str) -> list[tuple[str, str, object]]:
    with register.store.unit_of_work() as uow:
        return [
            (c.kind.value, c.number, c.sealed_by) for c in certificates_of(uow, number)
        ]


# ------------------------------------------------------------ 第三十八条


def grade_change(
    number: str, change: GradeChangeKind, grade: int, basis: str = "期末成绩合格"
) -> GradeChange:
    return GradeChange(
        "gc-1", date(2026, 7, 10), number, change, grade, "2026-2027", basis
    )


def test_a_promotion_is_a_grade_event(register: Register) -> None:
    number = enroll(register, THIRD, grade=7)

    decision = register.submit(
        grade_change(number, GradeChangeKind.PROMOTION, 8), JUNIOR
    )

    assert decision.outcome is Outcome.ACCEPTED
    assert stint(register, number).grade == 8  # type: ignore[attr-defined]
    event = register.history(number, CITY).events[-1]
    assert (event.kind, event.article, dict(event.data)["change"]) == (
        ChangeKind.GRADE,
        "第三十八条",
        "promotion",
    )


def test_the_graduating_grade_is_not_promoted(register: Register) -> None:
    # 九年级 → 高一 at a 完全中学 is graduation and a new admission, not 升级.
    complete = Principal(PrincipalRole.SCHOOL, "C01", "周老师")
    number = enroll(register, PUPIL, school="C01", principal=complete)

    decision = register.submit(
        grade_change(number, GradeChangeKind.PROMOTION, 10), complete
    )

    assert codes(decision) == [("graduating-grade", "第三十九条")]


def test_a_retention_keeps_the_grade_and_a_promotion_moves_one(
    register: Register,
) -> None:
    number = enroll(register, THIRD, grade=7)

    wrong = register.submit(grade_change(number, GradeChangeKind.PROMOTION, 9), JUNIOR)
    retained = register.submit(
        attrs.evolve(grade_change(number, GradeChangeKind.RETENTION, 7), id="gc-2"),
        JUNIOR,
    )

    assert codes(wrong) == [("grade-arithmetic", "第三十八条")]
    assert retained.outcome is Outcome.ACCEPTED


def test_a_grade_change_states_its_basis(register: Register) -> None:
    number = enroll(register, THIRD, grade=7)

    decision = register.submit(
        grade_change(number, GradeChangeKind.PROMOTION, 8, basis=""), JUNIOR
    )

    assert codes(decision) == [("basis", "第三十八条")]


def test_a_district_may_refuse_skips_with_xueji_academic_rule() -> None:
    register = chaoyang_register()
    number = enroll(register, THIRD, grade=7)

    skip = register.submit(grade_change(number, GradeChangeKind.SKIP, 9), JUNIOR)

    assert codes(skip) == [("academic-rule", "第三十八条")]
    assert skip.reasons[0].source.name == "test-chaoyang"


# ------------------------------------------------------------ 毕业 (compulsory)


def test_a_junior_roster_filed_with_the_district_gives_certificates(
    register: Register,
) -> None:
    first = enroll(register, PUPIL)
    second = enroll(register, SECOND, request_id="adm-2")

    done = graduate_junior(register, first, second)

    assert done.outcome is Outcome.ACCEPTED
    for number in (first, second):
        enrollment = stint(register, number)
        assert (enrollment.status, enrollment.last_day) == (  # type: ignore[attr-defined]
            Status.GRADUATED,
            date(2026, 6, 23),
        )
    assert certificates(register, first) == [("毕业", "110105-2026-CB-000001", None)]
    assert certificates(register, second) == [("毕业", "110105-2026-CB-000002", None)]
    kinds = [e.kind for e in register.history(first, CITY).events][-2:]
    assert kinds == [ChangeKind.GRADUATED, ChangeKind.CERTIFICATE]


def test_a_district_numbers_its_certificates_with_xueji_certificate_number() -> None:
    register = chaoyang_register()
    number = enroll(register, PUPIL)

    graduate_junior(register, number)

    assert certificates(register, number) == [("毕业", "朝初中毕业2026-0001", None)]


def test_a_pupil_not_in_the_graduating_grade_is_refused(register: Register) -> None:
    number = enroll(register, THIRD, grade=7)

    decision = register.submit(roster("J01", Stage.JUNIOR, number), JUNIOR)

    assert codes(decision) == [("not-graduating-grade", "第三十九条第一款")]


def test_a_special_education_graduate_needs_the_schools_assessment(
    register: Register,
) -> None:
    number = enroll(
        register, PUPIL, school="T01", principal=SPECIAL, request_id="adm-t"
    )

    without = register.submit(roster("T01", Stage.JUNIOR, number), SPECIAL)
    assessed = register.submit(
        attrs.evolve(
            roster("T01", Stage.JUNIOR, number, assessment="学校认定毕业成绩合格"),
            id="ros-2",
        ),
        SPECIAL,
    )

    assert codes(without) == [("assessment", "第三十九条第一款")]
    assert assessed.outcome is Outcome.PENDING


def test_the_school_keeping_the_enrollment_certifies_a_specialized_school_pupil(
    register: Register,
) -> None:
    number = enroll(register, PUPIL)
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

    graduate_junior(register, number)

    assert stint(register, number).status is Status.GRADUATED  # type: ignore[attr-defined]
    graduated = [
        e
        for e in register.history(number, CITY).events
        if e.kind is ChangeKind.GRADUATED
    ]
    assert [e.article for e in graduated] == ["第三十九条第三款"]
    with register.store.unit_of_work() as uow:
        assert [c.school for c in certificates_of(uow, number)] == ["J01"]


def test_a_suspended_pupil_is_not_on_the_roster(register: Register) -> None:
    number = enroll(register, PUPIL)
    register.submit(illness(number), JUNIOR)

    decision = register.submit(roster("J01", Stage.JUNIOR, number), JUNIOR)

    assert codes(decision) == [("status", "第三十九条第一款")]


# ------------------------------------------------------------ 毕业 (高中)


def enroll_twelfth(register: Register) -> str:
    return enroll(
        register,
        TWELFTH,
        school="H01",
        grade=12,
        principal=SENIOR,
        request_id="adm-12",
        roster_reference="KSY-2023-0012",
    )


def test_a_senior_roster_is_confirmed_filed_with_the_city_and_sealed() -> None:
    # The district plugin's numbering is not asked for 高中: the city's
    # scheme applies (第四十条第二款).
    register = chaoyang_register()
    number = enroll_twelfth(register)
    opened = register.submit(roster("H01", Stage.SENIOR, number), SENIOR)
    procedure = procedure_of(opened)

    confirmed = act(register, procedure, DISTRICT, date(2026, 6, 23), 1)
    filed = act(register, procedure, CITY, date(2026, 6, 24), 2)
    sealed = act(register, procedure, DISTRICT, date(2026, 6, 25), 3)

    assert "区教委确认" in opened.next_steps[0]
    assert (confirmed.outcome, filed.outcome) == (Outcome.PENDING, Outcome.PENDING)
    assert "区教委验印" in filed.next_steps[0]
    assert sealed.outcome is Outcome.ACCEPTED
    assert certificates(register, number) == [
        ("毕业", "110000-2026-GB-000001", CHAOYANG)
    ]


# ------------------------------------------------------------ 结业


def completion(number: str, **kwargs: object) -> Completion:
    values: dict[str, object] = {
        "unmet": "综合素质评价未达毕业要求",
        "cannot_repeat": "已留级一次，不符合再次留级条件",
    }
    values.update(kwargs)
    return Completion("cmp-1", FILED, number, "2025-2026", **values)  # type: ignore[arg-type]


def test_a_junior_completion_gives_a_completion_certificate(
    register: Register,
) -> None:
    number = enroll(register, PUPIL)

    decision = register.submit(completion(number), JUNIOR)

    assert decision.outcome is Outcome.ACCEPTED, decision.reasons
    assert stint(register, number).status is Status.COMPLETED  # type: ignore[attr-defined]
    assert certificates(register, number) == [("结业", "110105-2026-CJ-000001", None)]


def test_a_completion_says_why_the_pupil_cannot_repeat(register: Register) -> None:
    number = enroll(register, PUPIL)

    decision = register.submit(completion(number, cannot_repeat=""), JUNIOR)

    assert codes(decision) == [("cannot-repeat", "第三十九条第二款")]
    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]


def test_a_senior_completion_certificate_waits_for_the_districts_seal(
    register: Register,
) -> None:
    number = enroll_twelfth(register)

    opened = register.submit(completion(number), SENIOR)
    assert stint(register, number).status is Status.ENROLLED  # type: ignore[attr-defined]
    sealed = act(register, procedure_of(opened), DISTRICT, date(2026, 6, 23), 1)

    assert sealed.outcome is Outcome.ACCEPTED
    assert stint(register, number).status is Status.COMPLETED  # type: ignore[attr-defined]
    assert certificates(register, number) == [
        ("结业", "110000-2026-GJ-000001", CHAOYANG)
    ]


# ------------------------------------------------------------ 肄业


def withdrawn_adult(register: Register) -> str:
    number = enroll(register, ADULT)
    opened = register.submit(
        WithdrawalApplication(
            "wd-1",
            date(2025, 10, 20),
            number,
            WithdrawalGround.ADULT_UNSUITABLE,
            Applicant(ApplicantKind.SCHOOL, "学校"),
            unsuitable=UNSUITABLE,
        ),
        JUNIOR,
    )
    from tests.test_suspension import TOWNSHIP

    procedure = procedure_of(opened)
    act(register, procedure, TOWNSHIP, date(2025, 10, 21), 11)
    act(register, procedure, DISTRICT, date(2025, 10, 22), 12)
    act(register, procedure, JUNIOR, date(2025, 10, 23), 13)
    return number


def test_a_withdrawn_pupil_receives_an_incompletion_certificate_once(
    register: Register,
) -> None:
    number = withdrawn_adult(register)

    issued = register.submit(
        Incompletion("inc-1", date(2025, 10, 23), number, "J01"), JUNIOR
    )
    again = register.submit(
        Incompletion("inc-2", date(2025, 10, 24), number, "J01"), JUNIOR
    )

    assert issued.outcome is Outcome.ACCEPTED
    assert certificates(register, number) == [("肄业", "110105-2026-CY-000001", None)]
    assert codes(again) == [("already-issued", "第三十九条第四款")]
    with register.store.unit_of_work() as uow:
        duty = [
            o.outcome
            for o in uow.obligations(student=number)
            if o.obligation.kind is ObligationKind.ISSUE_CERTIFICATE
        ]
    assert duty == ["已发给肄业证书"]


def test_no_incompletion_certificate_for_a_pupil_still_enrolled(
    register: Register,
) -> None:
    number = enroll(register, PUPIL)

    decision = register.submit(
        Incompletion("inc-1", date(2025, 10, 23), number, "J01"), JUNIOR
    )

    assert codes(decision) == [("not-withdrawn", "第三十九条第四款")]


def test_a_senior_incompletion_certificate_is_sealed_by_the_district(
    register: Register,
) -> None:
    number = enroll_senior(register)
    withdraw_senior(register, number)

    opened = register.submit(
        Incompletion("inc-1", date(2025, 10, 20), number, "H01"), SENIOR
    )
    sealed = act(register, procedure_of(opened), DISTRICT, date(2025, 10, 21), 31)

    assert opened.outcome is Outcome.PENDING
    assert sealed.outcome is Outcome.ACCEPTED
    assert certificates(register, number) == [
        ("肄业", "110000-2026-GY-000001", CHAOYANG)
    ]


# ------------------------------------------------------------ 第四十条第三款


def graduated(register: Register) -> tuple[str, str]:
    number = enroll(register, PUPIL)
    graduate_junior(register, number)
    return number, "110105-2026-CB-000001"


def test_a_lost_certificate_is_never_reissued(register: Register) -> None:
    number, certificate = graduated(register)

    decision = register.submit(
        CertificateReplacement("rep-1", date(2026, 9, 1), number, certificate), JUNIOR
    )

    assert codes(decision) == [("no-reissue", "第四十条第三款")]
    assert len(certificates(register, number)) == 1


def test_the_district_issues_an_attestation_after_the_schools_verification(
    register: Register,
) -> None:
    number, certificate = graduated(register)

    opened = register.submit(
        AttestationApplication("att-1", date(2026, 9, 1), number, certificate, HOLDER),
        JUNIOR,
    )
    procedure = procedure_of(opened)
    verified = act(register, procedure, JUNIOR, date(2026, 9, 2), 21)
    with pytest.raises(AccessDeniedError):
        act(register, procedure, JUNIOR, date(2026, 9, 3), 22)
    issued = act(register, procedure, DISTRICT, date(2026, 9, 3), 23)

    assert opened.outcome is Outcome.PENDING
    assert "原证书颁发学校核实" in opened.next_steps[0]
    assert verified.outcome is Outcome.PENDING
    assert issued.outcome is Outcome.ACCEPTED
    with register.store.unit_of_work() as uow:
        attestations = attestations_of(uow, number)
    assert [
        (a.number, a.certificate, a.certificate_kind, a.issued_by) for a in attestations
    ] == [
        (
            "110105-XLZM-2026-00001",
            certificate,
            CertificateKind.GRADUATION,
            "district:110105:区学籍员",
        )
    ]
    assert register.history(number, CITY).events[-1].kind is ChangeKind.ATTESTATION


def test_no_attestation_without_a_certificate_on_record(register: Register) -> None:
    number = enroll(register, PUPIL)

    decision = register.submit(
        AttestationApplication(
            "att-1", date(2026, 9, 1), number, "110105-2026-CB-000001", HOLDER
        ),
        JUNIOR,
    )

    assert codes(decision) == [("no-certificate", "第四十条第三款")]


# ------------------------------------------------------------ 第四十一条


def hand_over(number: str, stage: Stage = Stage.JUNIOR) -> ArchiveHandOver:
    school = "J01" if stage is Stage.JUNIOR else "H01"
    return ArchiveHandOver(
        "ho-1", date(2026, 7, 20), school, "2025-2026", stage, (number,)
    )


def test_a_junior_graduate_not_going_on_is_handed_over(register: Register) -> None:
    number = enroll(register, PUPIL)
    graduate_junior(register, number)

    decision = register.submit(hand_over(number), JUNIOR)

    assert decision.outcome is Outcome.ACCEPTED
    assert [(o.kind, o.due, o.article) for o in decision.obligations] == [
        (ObligationKind.HAND_OVER, None, "第四十一条第一款")
    ]
    assert "朝阳区人力资源和社会保障局" in decision.obligations[0].text
    assert [(r.code, r.article) for r in decision.warnings] == [
        ("no-hand-over-date", "第四十一条第一款")
    ]


def test_a_district_sets_the_hand_over_date_with_xueji_hand_over_date() -> None:
    register = chaoyang_register()
    number = enroll(register, PUPIL)
    graduate_junior(register, number)

    decision = register.submit(hand_over(number), JUNIOR)

    assert [o.due for o in decision.obligations] == [date(2026, 8, 31)]
    assert decision.obligations[0].source.name == "test-chaoyang"


def test_a_graduate_admitted_to_a_senior_school_is_not_handed_over(
    register: Register,
) -> None:
    number = enroll(register, PUPIL)
    graduate_junior(register, number)
    went_on = register.submit(
        Admission(
            "adm-h",
            date(2026, 7, 15),
            "H01",
            10,
            "2026-2027",
            child(*PUPIL),
            documents=("户口簿",),
            roster_reference="KSY-2026-0001",
        ),
        SENIOR,
    )
    assert went_on.student == number

    decision = register.submit(hand_over(number), JUNIOR)

    assert codes(decision) == [("went-on", "第四十一条第一款")]


def test_a_senior_graduate_not_going_on_hands_over_the_archive(
    register: Register,
) -> None:
    number = enroll_twelfth(register)
    opened = register.submit(roster("H01", Stage.SENIOR, number), SENIOR)
    procedure = procedure_of(opened)
    act(register, procedure, DISTRICT, date(2026, 6, 23), 1)
    act(register, procedure, CITY, date(2026, 6, 24), 2)
    act(register, procedure, DISTRICT, date(2026, 6, 25), 3)

    decision = register.submit(hand_over(number, Stage.SENIOR), SENIOR)

    assert [(o.kind, o.article) for o in decision.obligations] == [
        (ObligationKind.HAND_OVER, "第四十一条第二款")
    ]
    assert "学生档案" in decision.obligations[0].text


# ------------------------------------------------------------ citations


def test_every_certificate_kind_cites_an_article_that_exists() -> None:
    cited = [k.article for k in CertificateKind] + [
        "第三十八条",
        "第三十九条第三款",
        "第四十条第一款",
        "第四十条第二款",
        "第四十条第三款",
        "第四十一条第一款",
        "第四十一条第二款",
        "第四十一条第三款",
        "第三十七条第一款",
        "第三十七条第二款",
        "第三十一条第二款",
    ]

    assert [str(parse_citation(c)) for c in cited] == cited
