"""Illustrative district plugins the built-in cases load (``given.plugins``).

They are no district's real rules: each states one point of 朝阳区
(``110105``, the home district of the built-in register) so that a case can
show how the kernel combines a district's answer with the municipal rules
(第五十条: 区教委…制定或完善学籍管理实施细则), or refuses an answer out of
bounds.  Each is named in a case as ``xueji.conformance.fixtures:NAME``.

The last one, :data:`SAMPLE_DISTRICT`, is a well-behaved district plugin
that answers several delegation points at once; the project's own tests run
the delegation level against it until the reference district plugins exist.
"""

from __future__ import annotations

__all__ = [
    "ANOTHER_PLAN",
    "CERTIFICATE_NUMBERS",
    "EARLIER_CUTOFF",
    "EXTRA_DOCUMENT",
    "FIVE_DAY_LIMIT",
    "HOSPITAL_REGISTRY",
    "LATENESS_OF_TWO",
    "LATER_DEADLINE",
    "LATE_DEADLINE",
    "NO_SKIPS",
    "NO_TRAVEL",
    "PLAN_OF_ONE",
    "SAMPLE_DISTRICT",
    "SHORTER_DEFERRAL",
    "WINDOW_BINDING",
]

from datetime import date

from xueji import HospitalGrade, PluginInfo
from xueji.hookspecs import hookimpl

CHAOYANG = "110105"


def _info(name: str, *districts: str, layer: str = "district") -> PluginInfo:
    return PluginInfo(
        name=name,
        version="1.0",
        layer=layer,
        districts=(districts or (CHAOYANG,)) if layer == "district" else (),
        legal_basis="示例实施细则（conformance fixture，非真实文件）",
        document_number="示例〔2025〕1号",
        illustrative=True,
    )


class _PlanOfOne:
    """第九条: 朝阳第一小学 may admit one pupil to 一年级 in 2025-2026."""

    XUEJI_PLUGIN = _info("fixture-plan")

    @hookimpl
    def xueji_enrollment_plan(
        self, school: str, school_year: str, grade: int
    ) -> int | None:
        if (school, school_year, grade) == ("P01", "2025-2026", 1):
            return 1
        return None


class _AnotherPlan:
    """A second district plugin answering the same point: a load conflict."""

    XUEJI_PLUGIN = _info("fixture-plan-bis")

    @hookimpl
    def xueji_enrollment_plan(
        self, school: str, school_year: str, grade: int
    ) -> int | None:
        del school, school_year, grade
        return 40


class _EarlierCutoff:
    """第十条: a district cut-off earlier than the municipal 31 August."""

    XUEJI_PLUGIN = _info("fixture-cutoff")

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date | None:
        del district
        return date(int(school_year[:4]) - 6, 2, 28)


class _LaterDeadline:
    """第十六条第一款 按照规定时间: regular registration until the third day."""

    XUEJI_PLUGIN = _info("fixture-deadline")

    @hookimpl
    def xueji_registration_deadline(
        self, district: str, stage: str, term_start: date
    ) -> date | None:
        del district, stage
        return date(term_start.year, term_start.month, term_start.day + 2)


class _LateDeadline:
    """Out of bounds: a regular deadline after the 延期注册 window."""

    XUEJI_PLUGIN = _info("fixture-deadline-late")

    @hookimpl
    def xueji_registration_deadline(
        self, district: str, stage: str, term_start: date
    ) -> date | None:
        del district, stage
        return date(term_start.year, term_start.month, 20)


class _ShorterDeferral:
    """第十一条第二款 一般为一学年: this district grants one term at a time."""

    XUEJI_PLUGIN = _info("fixture-deferral")

    @hookimpl
    def xueji_deferral_end(self, district: str, school_year: str) -> date | None:
        del district
        return date(int(school_year[:4]) + 1, 2, 28)


class _ExtraDocument:
    """第十三条 当年的招生规定: the district also asks for a 入学登记表."""

    XUEJI_PLUGIN = _info("fixture-documents")

    @hookimpl
    def xueji_admission_documents(
        self, district: str, stage: str, local: bool
    ) -> list[str] | None:
        del district, stage, local
        return ["入学登记表"]


class _HospitalRegistry:
    """A registry of hospitals and their grades (a municipal-layer point: the
    二级甲等 threshold is municipal, and so is the registry)."""

    XUEJI_PLUGIN = _info("fixture-hospitals", layer="municipal")

    @hookimpl
    def xueji_hospital_grade(self, hospital: str) -> HospitalGrade | None:
        return {
            "朝阳医院": HospitalGrade.THREE_A,
            "某社区卫生服务中心": HospitalGrade.ONE_A,
        }.get(hospital)


class _LatenessOfTwo:
    """第二十条第一款 经常: this district counts two lates in a term (stricter)."""

    XUEJI_PLUGIN = _info("fixture-lateness")

    @hookimpl
    def xueji_frequent_lateness_threshold(self, district: str) -> int | None:
        del district
        return 2


class _WindowBinding:
    """第二十九条 一般: this district refuses transfers filed outside the window."""

    XUEJI_PLUGIN = _info("fixture-window")

    @hookimpl
    def xueji_transfer_window_binding(self, district: str) -> bool | None:
        del district
        return True


class _FiveDayLimit:
    """第二十九条 一般不超过10个工作日: this district allows five."""

    XUEJI_PLUGIN = _info("fixture-limit")

    @hookimpl
    def xueji_transfer_processing_limit(self, district: str) -> int | None:
        del district
        return 5


class _NoTravel:
    """第三十二条第（三）项 其他原因: this district does not admit travel."""

    XUEJI_PLUGIN = _info("fixture-no-travel")

    @hookimpl
    def xueji_suspension_other_reason(self, district: str, reason: str) -> str | None:
        del district
        return "旅游不属于需要休学的其他原因" if "旅游" in reason else None


class _NoSkips:
    """第三十八条 有关规定: this district does not allow skips."""

    XUEJI_PLUGIN = _info("fixture-no-skips")

    @hookimpl
    def xueji_academic_rule(
        self, district: str, stage: str, decision: str, from_grade: int, to_grade: int
    ) -> str | None:
        del district, stage, from_grade, to_grade
        return "本区义务教育阶段不实行跳级" if decision == "skip" else None


class _CertificateNumbers:
    """第四十条第二款: the district's numbering of compulsory certificates."""

    XUEJI_PLUGIN = _info("fixture-certificates")

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
        del district, school
        return f"朝{stage}{kind}{year}-{serial:04d}"


class _SampleDistrict:
    """A well-behaved district plugin of several points at once (for the
    delegation level): a stricter cut-off, one more document, and closure
    days."""

    XUEJI_PLUGIN = _info("fixture-sample-district")

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date | None:
        del district
        return date(int(school_year[:4]) - 6, 8, 15)

    @hookimpl
    def xueji_admission_documents(
        self, district: str, stage: str, local: bool
    ) -> list[str] | None:
        del district, stage, local
        return ["入学登记表"]

    @hookimpl
    def xueji_closure_days(self, district: str, school_year: str) -> list[date] | None:
        del district
        if school_year == "2025-2026":
            return [date(2025, 11, 14)]
        return None


PLAN_OF_ONE = _PlanOfOne()
ANOTHER_PLAN = _AnotherPlan()
EARLIER_CUTOFF = _EarlierCutoff()
LATER_DEADLINE = _LaterDeadline()
LATE_DEADLINE = _LateDeadline()
SHORTER_DEFERRAL = _ShorterDeferral()
EXTRA_DOCUMENT = _ExtraDocument()
HOSPITAL_REGISTRY = _HospitalRegistry()
LATENESS_OF_TWO = _LatenessOfTwo()
WINDOW_BINDING = _WindowBinding()
NO_TRAVEL = _NoTravel()
NO_SKIPS = _NoSkips()
CERTIFICATE_NUMBERS = _CertificateNumbers()
FIVE_DAY_LIMIT = _FiveDayLimit()
SAMPLE_DISTRICT = _SampleDistrict()
