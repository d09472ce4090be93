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


# ------------------------------------------------ Chapters 4–5 (考勤, 转学)


@hookimpl
def xueji_frequent_lateness_threshold(district: str) -> int | None:
    # 第二十条第一款 经常: three times or more within a term (DESIGN.md §4).
    del district
    return 3


@hookimpl
def xueji_transfer_special_reasons(district: str) -> list[str] | None:
    # 第二十二条第（三）项: the municipal text lists no reasons; the districts'
    # approval steps judge the reason stated.
    del district
    return None


@hookimpl
def xueji_transfer_documents(
    district: str, stage: str, reason: str
) -> list[str] | None:
    # 第二十三条第一款: 持户籍迁移、实际居住地变更等相关材料; 第二十四条 (参照).
    del district, stage
    return {
        "户籍迁移": ["户籍迁移证明"],
        "居住地变更": ["实际居住地变更证明"],
        "户籍由外省市迁入": ["户口簿"],
        "从境外到本市落户": ["户口簿"],
        "本市户籍在外省市就读": ["户口簿"],
        "本市户籍在境外就读": ["户口簿"],
    }.get(reason, [])


@hookimpl
def xueji_transfer_window_binding(district: str) -> bool | None:
    # 第二十九条: 一般应在寒、暑假放假前一周提出申请 — a warning.
    del district
    return False


@hookimpl
def xueji_transfer_processing_limit(district: str) -> int | None:
    # 第二十九条: 转学手续办理一般不超过10个工作日.
    del district
    return 10


@hookimpl
def xueji_transfer_refusal_grounds(
    district: str, student: str, grade: int, from_school: str | None, to_school: str
) -> list[str] | None:
    # 第三十条第（四）项 其他无正当理由的: no municipal ground beyond the text.
    del district, student, grade, from_school, to_school
    return None


@hookimpl
def xueji_training_selection_documents(district: str) -> list[str] | None:
    # 第二十八条: 根据有关规定经批准招收…的社会组织 — its approval, and the
    # selection itself.
    del district
    return ["批准招收专业训练的文件", "选调通知"]


# ------------------------------------------------ 第八、十七、四十九条; readings


@hookimpl
def xueji_transfer_barring_sanctions() -> list[str] | None:
    # 第三十条第（三）项 受处分期间不予转学; which measures are 处分 is the
    # city's rule (第四十九条).  The kernel's reading: the four 纪律处分 a
    # school may impose on a pupil; every one bars a transfer while in force.
    return ["警告", "严重警告", "记过", "留校察看"]


@hookimpl
def xueji_timely_days(district: str, duty: str) -> int | None:
    # 及时: by the next working day (DESIGN.md §4).
    del district, duty
    return 1


@hookimpl
def xueji_repeated_contacts(district: str) -> int | None:
    # 第三十六条第二款第（二）项 多次联系: at least two (DESIGN.md §4).
    del district
    return 2


# ------------------------------------------------ Chapters 6–8 (休学, 退学, 毕业)


@hookimpl
def xueji_suspension_other_reason(district: str, reason: str) -> str | None:
    # 第三十二条第（三）项 因其他原因，需要休学的: the municipal text lists no
    # reasons and refuses none; the school's consent (第三十三条) decides.
    del district, reason
    return None


@hookimpl
def xueji_academic_rule(
    district: str, stage: str, decision: str, from_grade: int, to_grade: int
) -> str | None:
    # 第三十八、三十九条: 按照教育行政部门关于学业成绩管理等有关规定执行; the
    # assessment rules are the city's to set separately (第四十九条) and ship
    # with no rule here: the school's decision is recorded as it stands.
    del district, stage, decision, from_grade, to_grade
    return None


@hookimpl
def xueji_certificate_number(
    district: str | None, school: str, stage: str, kind: str, year: int, serial: int
) -> str | None:
    # 第四十条第二款: the fallback for a district without its own scheme, and
    # the scheme for 高中 (docs/plugins.md#xueji_certificate_number).
    from xueji._graduation import certificate_number

    del school
    return certificate_number(district, stage, kind, year, serial)


@hookimpl
def xueji_hand_over_date(district: str, stage: str, school_year: str) -> date | None:
    # 第四十一条第一、二款 按规定时间: the text gives no time; a district sets it.
    del district, stage, school_year
    return None
