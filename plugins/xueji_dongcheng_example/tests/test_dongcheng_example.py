"""The illustrative 东城区 plugin: stricter transfer rules and one more
document (第十、二十三、二十九条)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

import xueji_dongcheng_example as plugin
from xueji import (
    Admission,
    Applicant,
    ApplicantKind,
    District,
    DocumentKind,
    Guardian,
    Hukou,
    MemoryStore,
    Outcome,
    Principal,
    PrincipalRole,
    Register,
    Registration,
    Rules,
    School,
    SchoolType,
    Sex,
    StudentParticulars,
    Township,
    TransferApplication,
    TransferReason,
)

DONGCHENG = "110101"
XICHENG = "110102"
ON = date(2025, 10, 9)
CITY = Principal(PrincipalRole.CITY, "110000", "市学籍办")
SCHOOL = Principal(PrincipalRole.SCHOOL, "DC01", "周老师")


@pytest.fixture
def rules() -> Rules:
    rules = Rules.municipal()
    rules.register(plugin)
    return rules


def test_it_is_declared_illustrative_for_dongcheng() -> None:
    info = plugin.XUEJI_PLUGIN

    assert (info.districts, info.layer, info.illustrative) == (
        (DONGCHENG,),
        "district",
        True,
    )
    assert "并非东城区实际规定" in info.legal_basis


def test_it_is_installed_under_the_xueji_entry_point_group() -> None:
    rules, problems = Rules.from_entry_points()

    assert "xueji-dongcheng-example" in [p.name for p in rules.plugins]
    assert [p for p in problems if "dongcheng" in p.plugin] == []


def test_the_processing_limit_is_seven_working_days_in_dongcheng(rules: Rules) -> None:
    here = rules.answer(
        "xueji_transfer_processing_limit", district=DONGCHENG, on=ON, default=10
    )
    there = rules.answer(
        "xueji_transfer_processing_limit", district=XICHENG, on=ON, default=10
    )
    shorter = min(
        rules.across(
            "xueji_transfer_processing_limit",
            districts=(XICHENG, DONGCHENG),
            on=ON,
            default=10,
        ),
        key=lambda a: a.value,
    )

    assert (here.value, here.source.name) == (7, "xueji-dongcheng-example")
    assert there.value == 10
    assert shorter.value == 7


def test_a_late_transfer_filing_is_a_refusal_in_dongcheng(rules: Rules) -> None:
    here = rules.answer(
        "xueji_transfer_window_binding", district=DONGCHENG, on=ON, default=False
    )
    there = rules.answer(
        "xueji_transfer_window_binding", district=XICHENG, on=ON, default=False
    )

    assert (here.value, there.value) == (True, False)


def test_a_transfer_needs_one_more_document(rules: Rules) -> None:
    documents = rules.combined_answer(
        "xueji_transfer_documents",
        district=DONGCHENG,
        on=ON,
        stage="小学",
        reason="居住地变更",
    )

    assert documents.value == ["实际居住地变更证明", plugin.TRANSFER_DOCUMENT]


def test_the_rules_are_not_in_force_before_2025_09_01(rules: Rules) -> None:
    answer = rules.answer(
        "xueji_transfer_processing_limit",
        district=DONGCHENG,
        on=date(2025, 8, 31),
        default=10,
    )

    assert (answer.value, answer.source.name) == (10, "xueji-municipal")


def admission(documents: tuple[str, ...], grade: int = 1) -> Admission:
    return Admission(
        id="adm-dc-1",
        on=date(2025, 9, 2),
        school="DC01",
        grade=grade,
        school_year="2025-2026",
        student=StudentParticulars(
            name="示例甲",
            sex=Sex.FEMALE,
            birth_date=date(2019 - grade + 1, 5, 6),
            hukou=Hukou(beijing=True, district=DONGCHENG),
            document=DocumentKind.NONE,
            id_number=None,
            guardians=(Guardian("示例家长", "母亲", "13800000000"),),
        ),
        documents=documents,
    )


def register(rules: Rules) -> Register:
    register = Register(
        MemoryStore(),
        rules=rules,
        clock=lambda: datetime(2025, 9, 2, 8, 0, tzinfo=UTC),
    )
    register.load_organisations(
        [
            District(DONGCHENG, "东城区", DONGCHENG),
            Township("110101001", "示例街道甲", DONGCHENG),
            Township("110101002", "示例街道乙", DONGCHENG),
            School(
                "DC01",
                "东城示例小学",
                DONGCHENG,
                DONGCHENG,
                SchoolType.PRIMARY,
                townships=("110101001",),
            ),
            School(
                "DC02",
                "东城示例第二小学",
                DONGCHENG,
                DONGCHENG,
                SchoolType.PRIMARY,
                townships=("110101002",),
            ),
        ],
        CITY,
    )
    return register


def test_a_primary_admission_needs_the_extra_document(rules: Rules) -> None:
    without = register(rules).submit(admission(("户口簿",)), SCHOOL)
    with_it = register(rules).submit(
        admission(("户口簿", plugin.ADMISSION_DOCUMENT)), SCHOOL
    )

    assert without.outcome is Outcome.INCOMPLETE
    missing = [r for r in without.reasons if r.code == "missing-document"]
    assert [(r.text, r.source.name) for r in missing] == [
        (f"缺少入学材料：{plugin.ADMISSION_DOCUMENT}", "xueji-dongcheng-example")
    ]
    assert with_it.accepted


# ---------------------------------------------------------------- transfers
# Compulsory term 1 of 2025-2026 ends 2026-01-23, so the filing window of
# 第二十九条 is 2026-01-17..2026-01-23.  Seven working days after Monday
# 2026-01-19: 01-20, 21, 22, 23, 26, 27, 28 → 2026-01-28.

FULL = ("实际居住地变更证明", plugin.TRANSFER_DOCUMENT)


def transfer(on: date, documents: tuple[str, ...] = FULL) -> tuple[Register, Any]:
    rules = Rules.municipal()
    rules.register(plugin)
    reg = register(rules)
    admitted = reg.submit(admission(("户口簿", plugin.ADMISSION_DOCUMENT), 3), SCHOOL)
    assert admitted.student is not None
    reg.submit(Registration("reg-dc-1", date(2025, 9, 2), admitted.student), SCHOOL)
    decision = reg.submit(
        TransferApplication(
            "tr-dc-1",
            on,
            admitted.student,
            "DC02",
            TransferReason.RESIDENCE_CHANGE,
            applicant=Applicant(ApplicantKind.GUARDIAN, "示例家长", "转-001"),
            documents=documents,
            new_township="110101002",
        ),
        SCHOOL,
    )
    return reg, decision


def test_a_transfer_filed_in_the_window_is_due_in_7_working_days() -> None:
    reg, decision = transfer(date(2026, 1, 19))

    assert decision.outcome is Outcome.PENDING, decision.reasons
    procedure = decision.next_steps[0].split("：")[0]
    with reg.store.unit_of_work() as uow:
        stored = uow.get_procedure(procedure)
    assert stored is not None
    assert stored.due == date(2026, 1, 28)
    limit = [t for t in decision.trace if t.rule == "processing-limit"]
    assert [(t.result, t.source.name) for t in limit] == [
        ("7", "xueji-dongcheng-example")
    ]


def test_a_transfer_filed_outside_the_window_is_refused() -> None:
    _, decision = transfer(date(2025, 11, 13))

    assert decision.outcome is Outcome.REFUSED
    assert [(r.code, r.article, r.source.name) for r in decision.refusals] == [
        ("outside-window", "第二十九条", "xueji-dongcheng-example")
    ]


def test_a_transfer_without_the_extra_document_is_incomplete() -> None:
    _, decision = transfer(date(2026, 1, 19), documents=("实际居住地变更证明",))

    assert decision.outcome is Outcome.INCOMPLETE
    assert [
        r.source.name for r in decision.reasons if r.code == "missing-document"
    ] == ["xueji-dongcheng-example"]
