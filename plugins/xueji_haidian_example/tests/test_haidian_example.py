"""The illustrative 海淀区 plugin: a 五四制 experiment (第八条) and its own
numbering of compulsory certificates (第四十条第二款)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

import xueji_haidian_example as plugin
from xueji import (
    Admission,
    Applicant,
    ApplicantKind,
    District,
    DocumentKind,
    Guardian,
    Hukou,
    MemoryStore,
    PluginError,
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
from xueji.plugin import SchoolSystemExperiment, hookimpl

HAIDIAN = "110108"
CITY = Principal(PrincipalRole.CITY, "110000", "市学籍办")
SCHOOL = Principal(PrincipalRole.SCHOOL, "HD01", "吴老师")
ON = date(2026, 3, 2)
FIVE_FOUR = School(
    "S110108901", "海淀示例九年一贯制学校（一）", HAIDIAN, HAIDIAN, SchoolType.NINE_YEAR
)
ALSO_FIVE_FOUR = School(
    "S110108902", "海淀示例九年一贯制学校（二）", HAIDIAN, HAIDIAN, SchoolType.NINE_YEAR
)
SIX_THREE = School(
    "S110108903", "海淀示例九年一贯制学校（三）", HAIDIAN, HAIDIAN, SchoolType.NINE_YEAR
)


@pytest.fixture
def rules() -> Rules:
    rules = Rules.municipal()
    rules.register(plugin)
    return rules


def test_it_is_declared_illustrative_for_haidian() -> None:
    info = plugin.XUEJI_PLUGIN

    assert (info.districts, info.illustrative) == ((HAIDIAN,), True)
    assert "并非海淀区实际规定" in info.legal_basis


def test_it_is_installed_under_the_xueji_entry_point_group() -> None:
    rules, problems = Rules.from_entry_points()

    assert "xueji-haidian-example" in [p.name for p in rules.plugins]
    assert [p for p in problems if "haidian" in p.plugin] == []


@pytest.mark.parametrize("school", [FIVE_FOUR, ALSO_FIVE_FOUR])
def test_the_two_schools_run_five_four_with_the_consent(
    rules: Rules, school: School
) -> None:
    answer = rules.school_system(school, ON)

    assert (answer.value.label, answer.value.consent) == ("5-4", plugin.CONSENT)
    assert answer.source.name == "xueji-haidian-example"
    assert sorted(answer.value.graduating_grades()) == [5, 9, 12]
    assert sorted(answer.value.starting_grades()) == [1, 6, 10]


def test_another_school_keeps_six_three(rules: Rules) -> None:
    answer = rules.school_system(SIX_THREE, ON)

    assert answer.value.label == "6-3"
    assert sorted(answer.value.graduating_grades()) == [6, 9, 12]
    assert sorted(answer.value.starting_grades()) == [1, 7, 10]


def test_the_experiment_is_not_in_force_before_the_plugin(rules: Rules) -> None:
    assert rules.school_system(FIVE_FOUR, date(2025, 8, 31)).value.label == "6-3"


def test_without_the_consent_the_experiment_would_not_load() -> None:
    class Unconsented:
        XUEJI_PLUGIN = plugin.XUEJI_PLUGIN

        @hookimpl
        def xueji_school_systems(self, district: str) -> list[SchoolSystemExperiment]:
            experiments = plugin.xueji_school_systems(district) or []
            return [
                SchoolSystemExperiment(e.schools, e.system, consent="")
                for e in experiments
            ]

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
            return None

    rules = Rules.municipal()

    with pytest.raises(PluginError, match="no 市教委 consent recorded"):
        rules.register(Unconsented())


def number(rules: Rules, district: str | None, stage: str, kind: str) -> str:
    answer = rules.answer(
        "xueji_certificate_number",
        district=district,
        on=date(2026, 7, 1),
        default="municipal",
        school="S110108901",
        stage=stage,
        kind=kind,
        year=2026,
        serial=1,
    )
    return f"{answer.value} ({answer.source.name})"


def test_compulsory_certificates_carry_the_districts_numbers(rules: Rules) -> None:
    assert number(rules, HAIDIAN, "小学", "毕业") == (
        "HD2026XB00001 (xueji-haidian-example)"
    )
    assert number(rules, HAIDIAN, "初中", "结业") == (
        "HD2026CJ00001 (xueji-haidian-example)"
    )


def test_senior_certificates_keep_the_citys_numbers(rules: Rules) -> None:
    # 第四十条第二款: 普通高中阶段由市教委制定 — asked without a district.
    assert number(rules, None, "高中", "毕业").endswith("(xueji-municipal)")


# ---------------------------------------------------------------- transfers


def transfer_into(school: str, grade: int, on: date = date(2026, 3, 10)) -> list[str]:
    """A pupil of a 6-3 primary school in 海淀 moves, in ``grade``, to
    ``school``; the codes of 第三十条第（一）项 the decision gives."""
    rules = Rules.municipal()
    rules.register(plugin)
    reg = Register(
        MemoryStore(), rules=rules, clock=lambda: datetime(2025, 9, 1, tzinfo=UTC)
    )
    reg.load_organisations(
        [
            District(HAIDIAN, "海淀区", HAIDIAN),
            Township("110108001", "示例街道甲", HAIDIAN),
            Township("110108002", "示例街道乙", HAIDIAN),
            School(
                "HD01",
                "海淀示例小学",
                HAIDIAN,
                HAIDIAN,
                SchoolType.PRIMARY,
                townships=("110108001",),
            ),
            *(
                attrs.evolve(s, townships=("110108002",))
                for s in (FIVE_FOUR, ALSO_FIVE_FOUR, SIX_THREE)
            ),
        ],
        CITY,
    )
    pupil = StudentParticulars(
        name="示例乙",
        sex=Sex.MALE,
        birth_date=date(2020 - grade, 5, 6),
        hukou=Hukou(beijing=True, district=HAIDIAN),
        document=DocumentKind.NONE,
        id_number=None,
        guardians=(Guardian("示例家长", "父亲", "13800000000"),),
    )
    admitted = reg.submit(
        Admission(
            id="adm-hd-1",
            on=date(2025, 9, 1),
            school="HD01",
            grade=grade,
            school_year="2025-2026",
            student=pupil,
            documents=("户口簿",),
        ),
        SCHOOL,
    )
    assert admitted.student is not None
    reg.submit(Registration("reg-hd-1", date(2025, 9, 1), admitted.student), SCHOOL)
    decision = reg.submit(
        TransferApplication(
            "tr-hd-1",
            on,
            admitted.student,
            school,
            TransferReason.RESIDENCE_CHANGE,
            applicant=Applicant(ApplicantKind.GUARDIAN, "示例家长", "转-001"),
            documents=("实际居住地变更证明",),
            new_township="110108002",
        ),
        SCHOOL,
    )
    return sorted(
        r.code for r in decision.refusals if r.article == "第三十条第（一）项"
    )


@pytest.mark.parametrize("school", ["S110108901", "S110108902"])
def test_at_the_five_four_schools_fifth_grade_is_refused_sixth_is_not(
    school: str,
) -> None:
    assert transfer_into(school, 5) == ["graduating-grade"]
    assert transfer_into(school, 6) == []
    assert transfer_into(school, 6, on=date(2025, 11, 13)) == ["starting-grade"]


def test_at_a_six_three_school_it_is_the_other_way_round() -> None:
    assert transfer_into("S110108903", 5) == []
    assert transfer_into("S110108903", 6) == ["graduating-grade"]
