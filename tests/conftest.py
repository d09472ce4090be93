"""Shared fixtures: a small register of 朝阳区 on the memory store.

ID numbers here are fictitious; their check characters were worked out by
hand with the MOD 11-2 weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
"""

from __future__ import annotations

# typeguard checks the whole kernel in the test run (STYLE.md §7).  The hook
# must be installed before anything imports xueji, and pytest loads this file
# before its plugins' pytest_configure, so it is installed here.
from typeguard import install_import_hook

# xueji.hookspecs is left out: its functions are specifications with no body,
# and instrumenting them would push their docstrings out of place.
install_import_hook(["xueji", "xueji_sqlalchemy"], ignore_packages=["xueji.hookspecs"])

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from xueji import (
    Admission,
    District,
    DocumentKind,
    Guardian,
    Hukou,
    MemoryStore,
    Principal,
    PrincipalRole,
    Register,
    School,
    SchoolType,
    Sex,
    StudentParticulars,
    Township,
)

CHAOYANG = "110105"
JIANWAI = "110105001"  # 建外街道 (code illustrative)
HAIDIAN = "110108"

CITY = Principal(PrincipalRole.CITY, "110000", "市学籍办")
DISTRICT = Principal(PrincipalRole.DISTRICT, CHAOYANG, "区学籍员")
PRIMARY = Principal(PrincipalRole.SCHOOL, "P01", "王老师")
PRIMARY_2 = Principal(PrincipalRole.SCHOOL, "P02", "李老师")
SENIOR = Principal(PrincipalRole.SCHOOL, "H01", "赵老师")
SPECIAL = Principal(PrincipalRole.SCHOOL, "T01", "孙老师")

ORGANISATIONS = [
    District(CHAOYANG, "朝阳区", CHAOYANG),
    District(HAIDIAN, "海淀区", HAIDIAN),
    Township(JIANWAI, "建外街道", CHAOYANG),
    Township("110105002", "朝外街道", CHAOYANG),
    School("P01", "朝阳第一小学", CHAOYANG, CHAOYANG, SchoolType.PRIMARY),
    School("P02", "朝阳第二小学", CHAOYANG, CHAOYANG, SchoolType.PRIMARY),
    School("H01", "朝阳高级中学", CHAOYANG, CHAOYANG, SchoolType.SENIOR),
    School("T01", "朝阳特殊教育学校", CHAOYANG, CHAOYANG, SchoolType.SPECIAL_EDUCATION),
    School("Q01", "海淀第一小学", HAIDIAN, HAIDIAN, SchoolType.PRIMARY),
]

BEIJING = Hukou(beijing=True, district=CHAOYANG, township=JIANWAI)


def fixed_clock() -> datetime:
    return datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def register() -> Register:
    reg = Register(MemoryStore(), clock=fixed_clock)
    reg.load_organisations(ORGANISATIONS, CITY)
    return reg


def child(
    name: str = "测试甲",
    birth: date = date(2019, 3, 1),
    id_number: str | None = "11010520190301001X",
    *,
    sex: Sex = Sex.MALE,
    hukou: Hukou = BEIJING,
    **kwargs: object,
) -> StudentParticulars:
    return StudentParticulars(
        name=name,
        sex=sex,
        birth_date=birth,
        hukou=hukou,
        document=DocumentKind.RESIDENT_ID if id_number else DocumentKind.NONE,
        id_number=id_number,
        guardians=(Guardian("测试家长", "父亲", "13800000000"),),
        **kwargs,  # type: ignore[arg-type]
    )


def admission(
    particulars: StudentParticulars,
    *,
    school: str = "P01",
    grade: int = 1,
    on: date = date(2025, 7, 10),
    request_id: str = "adm-1",
    **kwargs: object,
) -> Admission:
    return Admission(
        id=request_id,
        on=on,
        school=school,
        grade=grade,
        school_year="2025-2026",
        student=particulars,
        documents=("户口簿",),
        **kwargs,  # type: ignore[arg-type]
    )


Admit = Callable[..., str]


@pytest.fixture
def admitted(register: Register) -> Admit:
    """Admit a child and return the 学籍号."""

    def admit(
        particulars: StudentParticulars | None = None,
        principal: Principal = PRIMARY,
        **kwargs: object,
    ) -> str:
        decision = register.submit(
            admission(particulars or child(), **kwargs), principal
        )
        assert decision.accepted, decision.reasons
        assert decision.student is not None
        return decision.student

    return admit
