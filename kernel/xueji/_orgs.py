"""Organisations, stages, grades and school systems (第二至八条).

The city, the districts and the education units without a region code of
their own (燕山, 经开区), schools, townships and street offices, and
human-resources and social-security offices.  Obligations are addressed to a
real organisation by its code.
"""

from __future__ import annotations

__all__ = [
    "CITY_CODE",
    "District",
    "Grade",
    "HrssOffice",
    "OrgKind",
    "School",
    "SchoolSystem",
    "SchoolType",
    "Stage",
    "Township",
    "grade_label",
    "load_districts",
]

import enum
import re
import tomllib
from importlib import resources
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._calendar import CalendarStage
from xueji._errors import InvalidInputError

CITY_CODE = "110000"
"""The municipal education commission (市教委)."""


class OrgKind(enum.Enum):
    CITY = "city"
    DISTRICT = "district"
    SCHOOL = "school"
    TOWNSHIP = "township"
    HRSS = "hrss"


class Stage(enum.Enum):
    """学段."""

    PRIMARY = "小学"
    JUNIOR = "初中"
    SENIOR = "高中"

    @property
    def compulsory(self) -> bool:
        """义务教育 covers 小学 and 初中 (第六条)."""
        return self is not Stage.SENIOR

    @property
    def calendar_stage(self) -> CalendarStage:
        return CalendarStage.COMPULSORY if self.compulsory else CalendarStage.SENIOR


Grade = int
"""Grades are numbered 1..12: 一至六年级 1-6, 七至九年级 7-9, 高一至高三 10-12
(第六、七条)."""

_GRADE_LABELS = {
    **{g: f"{'一二三四五六七八九'[g - 1]}年级" for g in range(1, 10)},
    10: "高一年级",
    11: "高二年级",
    12: "高三年级",
}


def grade_label(grade: Grade) -> str:
    """The regulation's name of a grade, e.g. ``grade_label(10) == "高一年级"``."""
    try:
        return _GRADE_LABELS[grade]
    except KeyError:
        raise InvalidInputError(
            f"grade {grade} does not exist: grades are 1-9 (一至九年级) and "
            "10-12 (高一至高三, 第六、七条)"
        ) from None


@attrs.frozen
class SchoolSystem:
    """学制: years of primary and of junior secondary (第六条: 原则上 6-3;
    第八条 lets the 市教委 consent to experiments such as 5-4)."""

    primary_years: int = 6
    junior_years: int = 3
    consent: str | None = None  # 市教委 consent reference for an experiment

    @property
    def label(self) -> str:
        return f"{self.primary_years}-{self.junior_years}"

    def stage_of(self, grade: Grade) -> Stage:
        if grade <= self.primary_years:
            return Stage.PRIMARY
        if grade <= 9:
            return Stage.JUNIOR
        return Stage.SENIOR

    def starting_grades(self) -> frozenset[Grade]:
        """起始年级: the first grade of each stage."""
        return frozenset({1, self.primary_years + 1, 10})

    def graduating_grades(self) -> frozenset[Grade]:
        """毕业年级: the last grade of each stage."""
        return frozenset({self.primary_years, 9, 12})


SIX_THREE = SchoolSystem()


class SchoolType(enum.Enum):
    PRIMARY = "小学"
    JUNIOR = "初级中学"
    NINE_YEAR = "九年一贯制学校"
    SENIOR = "高级中学"
    COMPLETE = "完全中学"
    TWELVE_YEAR = "十二年一贯制学校"
    SPECIAL_EDUCATION = "特殊教育学校"
    SPECIALIZED = "专门学校"

    def stages(self) -> frozenset[Stage]:
        return _TYPE_STAGES[self]


_ALL = frozenset(Stage)
_TYPE_STAGES = {
    SchoolType.PRIMARY: frozenset({Stage.PRIMARY}),
    SchoolType.JUNIOR: frozenset({Stage.JUNIOR}),
    SchoolType.NINE_YEAR: frozenset({Stage.PRIMARY, Stage.JUNIOR}),
    SchoolType.SENIOR: frozenset({Stage.SENIOR}),
    SchoolType.COMPLETE: frozenset({Stage.JUNIOR, Stage.SENIOR}),
    SchoolType.TWELVE_YEAR: _ALL,
    SchoolType.SPECIAL_EDUCATION: _ALL,
    SchoolType.SPECIALIZED: frozenset({Stage.JUNIOR, Stage.SENIOR}),
}

_CODE = re.compile(r"^[0-9A-Za-z_-]{2,32}$")
_REGION = re.compile(r"^11\d{4}$")


def _check_code(_: object, attribute: Attribute[str], value: str) -> None:
    if not _CODE.match(value):
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not a valid code: use 2-32 letters, "
            "digits, '-' or '_'"
        )


def _check_region(_: object, attribute: Attribute[str], value: str) -> None:
    if not _REGION.match(value):
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not a Beijing region code (11xxxx, "
            "GB/T 2260); schools of 燕山 and 经开区 carry the code of the "
            "district where they stand"
        )


@attrs.frozen
class District:
    """A district-level education unit (区教委, 第四条).  ``region_code`` is
    ``None`` for 燕山 and 经开区, whose schools carry the code of where they
    stand."""

    code: str = attrs.field(validator=_check_code)
    name: str
    region_code: str | None = None
    office: str | None = None


@attrs.frozen
class School:
    """A school (第二条: 小学, 初中, 普通高中, 特殊教育学校, 专门教育学校)."""

    code: str = attrs.field(validator=_check_code)
    name: str
    district: str
    region_code: str = attrs.field(validator=_check_region)
    type: SchoolType
    system: SchoolSystem = SIX_THREE
    townships: tuple[str, ...] = ()  # 服务范围: townships it serves

    @property
    def stages(self) -> frozenset[Stage]:
        return self.type.stages()

    @property
    def special_education(self) -> bool:
        return self.type is SchoolType.SPECIAL_EDUCATION

    @property
    def specialized(self) -> bool:
        return self.type is SchoolType.SPECIALIZED

    def offers(self, grade: Grade) -> bool:
        return self.system.stage_of(grade) in self.stages


@attrs.frozen
class Township:
    """A township government or street office (乡镇人民政府、街道办事处)."""

    code: str = attrs.field(validator=_check_code)
    name: str
    district: str


@attrs.frozen
class HrssOffice:
    """A human-resources and social-security office (第四十一条)."""

    code: str = attrs.field(validator=_check_code)
    name: str
    district: str


def load_districts() -> tuple[District, ...]:
    """The 16 districts and the two education units without a code of their
    own, from the shipped data file."""
    text = (resources.files("xueji") / "data" / "beijing-districts.toml").read_text(
        encoding="utf-8"
    )
    data = tomllib.loads(text)
    districts = [
        District(code=d["code"], name=d["name"], region_code=d["code"])
        for d in data["district"]
    ]
    units = {"燕山地区": "yanshan", "北京经济技术开发区": "jingkai"}
    districts += [
        District(code=units[u["name"]], name=u["name"], office=u["office"])
        for u in data["education_unit"]
    ]
    return tuple(districts)
