"""Medical records and hospital grades.

第十一、三十三、三十四、三十五条 require a record from a hospital graded
二级甲等 or above.  The threshold is municipal (mandatory); the registry of
hospitals and their grades is data a plugin supplies
(``xueji_hospital_grade``).
"""

from __future__ import annotations

__all__ = ["HospitalGrade", "MedicalRecord"]

import enum
from datetime import date

import attrs


class HospitalGrade(enum.Enum):
    """The national hospital grading (医院等级), from highest to lowest."""

    THREE_SPECIAL = "三级特等"
    THREE_A = "三级甲等"
    THREE_B = "三级乙等"
    THREE_C = "三级丙等"
    TWO_A = "二级甲等"
    TWO_B = "二级乙等"
    TWO_C = "二级丙等"
    ONE_A = "一级甲等"
    ONE_B = "一级乙等"
    ONE_C = "一级丙等"
    UNGRADED = "未定级"

    @property
    def rank(self) -> int:
        """Smaller is higher."""
        return list(HospitalGrade).index(self)

    def at_least(self, other: HospitalGrade) -> bool:
        return self.rank <= other.rank

    @property
    def meets_threshold(self) -> bool:
        """二级甲等及以上 (以上 includes the bound, DESIGN.md §4)."""
        return self.at_least(HospitalGrade.TWO_A)


@attrs.frozen
class MedicalRecord:
    """A hospital record (病历) or certificate presented with an application.

    ``grade`` is the grade as stated on or with the record; the kernel checks
    it against the hospital registry where the registry knows the hospital.
    """

    hospital: str
    grade: HospitalGrade
    issued_on: date
    finding: str = ""
    recovered: bool = False  # 认定治愈或认定可以正常学习 (第三十五条)
