"""The ``xueji_*`` hooks: where a district's 实施细则 (第五十条) plugs in.

Every hook is a delegation point of the regulation's own wording (DESIGN.md
§3).  Each hook is called *per plugin* by the kernel, which arbitrates: a
district plugin's answer for its own district replaces the municipal
default; an answer of ``None`` means "no rule of mine here"; two plugins of
the same layer answering the same point for the same district on overlapping
dates is a load error.  The kernel never relies on pluggy's call order.
Answers outside a point's bounds raise :class:`~xueji.PluginError` naming the
plugin, the hook and the value.

The reference for each hook — signature, when it is called, what to return,
how answers combine, article — is ``docs/plugins.md``; a test checks that
every hook here has a section there and a test.
"""

from __future__ import annotations

from datetime import date

import pluggy

from xueji._calendar import SchoolCalendar
from xueji._medical import HospitalGrade

hookspec = pluggy.HookspecMarker("xueji")
hookimpl = pluggy.HookimplMarker("xueji")


@hookspec
def xueji_entry_age_cutoff(district: str, school_year: str) -> date | None:
    """The latest birth date of a child admitted to grade 1 in
    ``school_year`` (第十条: 年满六周岁; 第十条第二款: 当年的入学规定).

    Called when a grade-1 admission is decided.  Municipal default: 31 August
    six years before the school year begins (born on or before 2019-08-31 for
    2025-2026).  Bound: a district may move the cut-off no later than the
    municipal one (a child younger than six is never of compulsory age).
    Since 0.1.0."""


@hookspec
def xueji_school_calendars() -> list[SchoolCalendar] | None:
    """School calendars (校历) a plugin supplies, per school year and stage.

    Called once when a register assembles its calendar book.  The municipal
    plugin answers the published Beijing calendars; two calendars for the
    same school year and stage are a load error (an amended calendar is
    supplied through ``CalendarBook.with_calendars``).  School days count
    for 第二十、二十一、三十二条.  Since 0.1.0."""


@hookspec
def xueji_closure_days(district: str, school_year: str) -> list[date] | None:
    """Days the district's schools are closed (red alerts, extreme weather):
    not school days.  Called when a register assembles its calendar book.
    Answers of the municipal and district layers are combined (union).
    School days count for 第二十、二十一、三十二条.  Since 0.1.0."""


@hookspec
def xueji_hospital_grade(hospital: str) -> HospitalGrade | None:
    """The grade of a hospital named on a medical record (第十一、三十三、
    三十四、三十五条 require 二级甲等及以上).  ``None`` when the hospital is not
    in the plugin's registry; the kernel then takes the grade stated on the
    record, with a warning.  The threshold itself is municipal and cannot be
    changed.  Since 0.1.0."""


@hookspec
def xueji_enrollment_plan(school: str, school_year: str, grade: int) -> int | None:
    """The enrollment plan (招生计划) of a school: how many new students it
    may admit to ``grade`` in ``school_year`` (第三、九条).  ``None``: no plan
    recorded, so no quota is enforced (the decision carries a warning).
    Since 0.1.0."""


@hookspec
def xueji_registration_deadline(
    district: str, stage: str, term_start: date
) -> date | None:
    """The last day of the regular registration of new students, 第十六条
    第一款 "按照规定时间".  Municipal default: the term's first day.  Bound:
    no later than the last day of the delayed-registration window (开学后5个
    工作日).  Since 0.1.0."""


@hookspec
def xueji_deferral_end(district: str, school_year: str) -> date | None:
    """The last day of a 缓学 granted for ``school_year`` (第十一条第二款:
    一般为一学年).  Municipal default: 31 August at the end of that school
    year.  Bound: within that school year (one school year per application
    at most).  Since 0.1.0."""


@hookspec
def xueji_admission_documents(
    district: str, stage: str, local: bool
) -> list[str] | None:
    """The documents an admission requires (第十三条: 按照市和区教委当年的招生
    规定; 第十条第二款).  ``local`` is true for Beijing hukou and 视同本市户籍
    children.  Answers of the municipal and district layers are combined:
    a district may ask for more, never for less.  Since 0.1.0."""
