"""The hooks, their defaults, their bounds and the arbitration between
layers (DESIGN.md §3).  Each test plugin is a small class."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from tests.conftest import (
    CHAOYANG,
    CITY,
    JIANWAI,
    ORGANISATIONS,
    PRIMARY,
    admission,
    child,
    fixed_clock,
)
from xueji import (
    Applicant,
    ApplicantKind,
    DeferralApplication,
    HospitalGrade,
    MedicalRecord,
    MemoryStore,
    Outcome,
    PluginError,
    PluginInfo,
    Register,
    Registration,
    Rules,
)
from xueji import _municipal as municipal
from xueji.hookspecs import hookimpl

GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "测试家长")


def district_info(name: str = "test-district", **kwargs: object) -> PluginInfo:
    fields: dict[str, object] = {
        "name": name,
        "version": "1.0",
        "layer": "district",
        "districts": (CHAOYANG,),
        "legal_basis": "测试实施细则",
        **kwargs,
    }
    return PluginInfo(**fields)  # type: ignore[arg-type]


def make_register(*plugins: object) -> Register:
    register = Register(
        MemoryStore(), rules=Rules([municipal, *plugins]), clock=fixed_clock
    )
    register.load_organisations(ORGANISATIONS, CITY)
    return register


def admit(register: Register, **kwargs: object) -> str:
    decision = register.submit(admission(child(), **kwargs), PRIMARY)
    assert decision.accepted, decision.reasons
    assert decision.student is not None
    return decision.student


class EarlierCutoff:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date:
        return date(2019, 2, 28)


def test_a_district_cutoff_replaces_the_municipal_one() -> None:
    register = make_register(EarlierCutoff())

    decision = register.submit(admission(child()), PRIMARY)

    assert decision.outcome is Outcome.REFUSED
    refusal = decision.refusals[0]
    assert (refusal.code, refusal.article, refusal.source.name) == (
        "under-age",
        "第十条",
        "test-district",
    )


class LaterCutoff:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date:
        return date(2019, 12, 31)


def test_a_cutoff_later_than_the_municipal_one_is_out_of_bounds() -> None:
    register = make_register(LaterCutoff())

    with pytest.raises(PluginError, match=r"test-district.*xueji_entry_age_cutoff"):
        register.submit(admission(child()), PRIMARY)


def test_a_plugin_outside_its_validity_does_not_answer() -> None:
    class Later(EarlierCutoff):
        XUEJI_PLUGIN = district_info(valid_from=date(2026, 3, 1))

    register = make_register(Later())

    decision = register.submit(admission(child()), PRIMARY)

    assert decision.accepted


def test_two_district_plugins_on_one_point_and_date_are_an_error() -> None:
    class Other(EarlierCutoff):
        XUEJI_PLUGIN = district_info("other-district")

    # Found when the rules load, from the points both declare (DESIGN.md §3).
    with pytest.raises(PluginError, match="one layer may give one answer"):
        make_register(EarlierCutoff(), Other())


def test_a_plugin_without_a_declaration_does_not_load() -> None:
    class Anonymous:
        @hookimpl
        def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date:
            return date(2019, 2, 28)

    with pytest.raises(PluginError, match="XUEJI_PLUGIN"):
        Rules([Anonymous()])


class Plan:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_enrollment_plan(self, school: str, school_year: str, grade: int) -> int:
        return 1


def test_an_admission_beyond_the_plan_is_refused() -> None:
    register = make_register(Plan())
    admit(register)

    second = register.submit(
        admission(
            child("测试乙", date(2019, 4, 15), "110105201904150081"), request_id="adm-2"
        ),
        PRIMARY,
    )

    assert second.outcome is Outcome.REFUSED
    assert [(r.code, r.article) for r in second.refusals] == [
        ("over-plan", "第九条第一款")
    ]


class Registry:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_hospital_grade(self, hospital: str) -> HospitalGrade | None:
        return HospitalGrade.TWO_B if hospital == "某区医院" else None


def test_the_registry_grade_wins_over_the_grade_on_the_record() -> None:
    # A hospital registry is not district-bound (district=None): only a
    # municipal-layer registry answers; a district registry does not govern.
    class MunicipalRegistry(Registry):
        XUEJI_PLUGIN = attrs.evolve(district_info(), layer="municipal", name="reg")

    register = Register(
        MemoryStore(), rules=Rules([municipal, MunicipalRegistry()]), clock=fixed_clock
    )
    register.load_organisations(ORGANISATIONS, CITY)
    number = admit(register)
    record = MedicalRecord("某区医院", HospitalGrade.TWO_A, date(2025, 8, 1))

    decision = register.submit(
        DeferralApplication(
            "def-1", date(2025, 9, 10), number, JIANWAI, record, GUARDIAN
        ),
        PRIMARY,
    )

    assert [(r.code, r.article) for r in decision.refusals] == [
        ("hospital-grade", "第十一条第一款")
    ]


class Deadline:
    XUEJI_PLUGIN = district_info()

    def __init__(self, day: date) -> None:
        self.day = day

    @hookimpl
    def xueji_registration_deadline(
        self, district: str, stage: str, term_start: date
    ) -> date:
        return self.day


def test_a_district_registration_day_is_used() -> None:
    register = make_register(Deadline(date(2025, 9, 3)))
    number = admit(register)

    decision = register.submit(Registration("reg-1", date(2025, 9, 3), number), PRIMARY)

    assert decision.accepted
    assert [r.code for r in decision.warnings] == []


def test_a_registration_day_after_the_window_is_out_of_bounds() -> None:
    register = make_register(Deadline(date(2025, 9, 9)))
    number = admit(register)

    with pytest.raises(PluginError, match="2025-09-09 is out of bounds"):
        register.submit(Registration("reg-1", date(2025, 9, 3), number), PRIMARY)


class DeferralEnd:
    XUEJI_PLUGIN = district_info()

    def __init__(self, day: date) -> None:
        self.day = day

    @hookimpl
    def xueji_deferral_end(self, district: str, school_year: str) -> date:
        return self.day


def deferral(number: str) -> DeferralApplication:
    record = MedicalRecord("朝阳医院", HospitalGrade.THREE_A, date(2025, 8, 1))
    return DeferralApplication(
        "def-1", date(2025, 9, 10), number, JIANWAI, record, GUARDIAN
    )


def test_a_district_may_shorten_the_deferral() -> None:
    register = make_register(DeferralEnd(date(2026, 1, 31)))
    number = admit(register)

    register.submit(deferral(number), PRIMARY)

    enrollment = register.history(number, CITY).enrollments[0]
    assert enrollment.status_until == date(2026, 1, 31)


def test_a_deferral_beyond_the_school_year_is_out_of_bounds() -> None:
    register = make_register(DeferralEnd(date(2026, 9, 30)))
    number = admit(register)

    with pytest.raises(PluginError, match="at most one school year"):
        register.submit(deferral(number), PRIMARY)


class Documents:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_admission_documents(
        self, district: str, stage: str, local: bool
    ) -> list[str]:
        return ["预防接种证明"]


def test_district_documents_add_to_the_municipal_ones() -> None:
    register = make_register(Documents())

    decision = register.submit(admission(child()), PRIMARY)

    assert decision.outcome is Outcome.INCOMPLETE
    assert [
        (r.text, r.source.name)
        for r in decision.reasons
        if r.code == "missing-document"
    ] == [("缺少入学材料：预防接种证明", "test-district")]


class Closures:
    XUEJI_PLUGIN = district_info()

    @hookimpl
    def xueji_closure_days(self, district: str, school_year: str) -> list[date]:
        return [date(2025, 11, 4)] if school_year == "2025-2026" else []


def test_closure_days_are_not_school_days_in_that_district() -> None:
    register = make_register(Closures())

    closed = register.calendars.is_school_day(
        date(2025, 11, 4),
        stage=register.calendars.calendars[0].stage,
        district=CHAOYANG,
    )
    elsewhere = register.calendars.is_school_day(
        date(2025, 11, 4),
        stage=register.calendars.calendars[0].stage,
        district="110108",
    )

    assert (closed, elsewhere) == (False, True)


class ExtraCalendar:
    XUEJI_PLUGIN = attrs.evolve(district_info(), layer="municipal", name="cal")

    @hookimpl
    def xueji_school_calendars(self) -> list[object]:
        return []


def test_plugins_supply_school_calendars() -> None:
    register = make_register()

    years = sorted({c.school_year for c in register.calendars.calendars})

    assert years == ["2024-2025", "2025-2026"]
    assert Rules([municipal, ExtraCalendar()]).collect("xueji_school_calendars")


def test_the_trace_names_every_answer_and_who_gave_it() -> None:
    register = make_register(EarlierCutoff())

    decision = register.submit(admission(child()), PRIMARY)

    assert [
        (t.source.name, t.result)
        for t in decision.trace
        if t.rule == "entry-age-cutoff"
    ] == [
        ("xueji-municipal", "2019-08-31 [replaced]"),
        ("test-district", "2019-02-28 [chosen]"),
    ]
