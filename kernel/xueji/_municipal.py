"""The municipal defaults, as a plugin on the same hooks a district uses.

Each answer here is the regulation's own default, or the kernel's documented
reading where the text delegates without giving one (docs/readings.md).
"""

from __future__ import annotations

from datetime import date
from importlib import resources

from xueji._calendar import SchoolCalendar, load_school_calendars
from xueji._medical import HospitalGrade
from xueji._rules import MUNICIPAL_LAYER, PluginInfo
from xueji.hookspecs import hookimpl

XUEJI_PLUGIN = PluginInfo(
    name="xueji-municipal",
    version="0.1.0",
    layer=MUNICIPAL_LAYER,
    legal_basis="北京市中小学校学生学籍管理办法",
    document_number="京教基二〔2021〕1号",
)


def _first_year(school_year: str) -> int:
    return int(school_year[:4])


@hookimpl
def xueji_entry_age_cutoff(district: str, school_year: str) -> date | None:
    # 第十条: 年满六周岁.  Beijing's admission rules read it as six by
    # 31 August of the year school starts (DESIGN.md §3).
    del district
    return date(_first_year(school_year) - 6, 8, 31)


@hookimpl
def xueji_school_calendars() -> list[SchoolCalendar] | None:
    # The published Beijing calendars (校历) shipped with the kernel.
    data = resources.files("xueji") / "data" / "beijing-school-calendars.toml"
    with resources.as_file(data) as path:
        return load_school_calendars(path)


@hookimpl
def xueji_registration_deadline(
    district: str, stage: str, term_start: date
) -> date | None:
    # 第十六条第一款 "按照规定时间": without a district's rule, the term's
    # first day (docs/readings.md).
    del district, stage
    return term_start


@hookimpl
def xueji_deferral_end(district: str, school_year: str) -> date | None:
    # 第十一条第二款: 一般为一学年 — to the end of that school year.
    del district
    return date(_first_year(school_year) + 1, 8, 31)


@hookimpl
def xueji_admission_documents(
    district: str, stage: str, local: bool
) -> list[str] | None:
    # 第十条第二款、第十三条: 按照市和区教委当年的入学规定.  The municipal
    # baseline names the documents every admission rests on; a district adds
    # the year's own list.
    del district
    documents = ["户口簿"]
    if not local and stage != "高中":
        documents += ["在京工作证明", "在京实际住所居住证明", "北京市居住证"]
    return documents


@hookimpl
def xueji_hospital_grade(hospital: str) -> HospitalGrade | None:
    # No municipal registry ships with the kernel: the grade stated on the
    # record is taken, with a warning (docs/limitations.md).
    del hospital
    return None
