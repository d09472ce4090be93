"""Generate the 2025-2026 example of 朝阳区 and 西城区: organisations, a roster
of fictitious students, the school year's request stream (every chapter of
the regulation), the attendance marks, the dated jobs, and the illustrative
enrollment plans.

Run it from anywhere::

    .venv/bin/python examples/beijing-2025-2026/generate.py

It is deterministic (a fixed seed): running it again writes the same files,
here and in ``adapters/xueji_cli/demo_data/`` (the copy ``xueji demo`` ships
with; a test checks the two are equal).

Everything about the students is invented.  Names are a surname, 某 and a
cyclic character (王某甲), the way Chinese documents anonymise people.  ID
numbers use county codes no county has (110199 and xx0199 — unassigned in
GB/T 2260), so no number here can be a real person's; their check
characters are computed with :func:`xueji.id_check_char`, so they are valid
in format.

The register starts empty in the summer of 2025: the roster holds the new
students of grades 一、七年级 and 高一 (the admission result) and, entered
the same way, the pupils of the other grades the stories below need (their
学籍 history before 2025 is outside the example).  西城区 (110102) is the
second district, for transfers between districts; 东城 and 海淀 are left
out because their reference plugins are installed with xueji and would
change the answers.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from xueji import StudentNumber, id_check_char, load_districts

HERE = Path(__file__).resolve().parent
PACKAGE_COPY = HERE.parents[1] / "adapters" / "xueji_cli" / "demo_data"
FILES = (
    "orgs.toml",
    "roster.csv",
    "requests.yaml",
    "jobs.yaml",
    "plans.toml",
    "attendance.csv",
)

CHAOYANG = "110105"  # 朝阳区 (GB/T 2260)
XICHENG = "110102"  # 西城区
DISTRICT = CHAOYANG
CITY = "110000"
SCHOOL_YEAR = "2025-2026"
COMPULSORY_ADMITTED = date(2025, 7, 18)  # 义务教育入学结果确认（示例）
SENIOR_ADMITTED = date(2025, 7, 25)  # 高中录取结果（示例）
REGISTRAR = "学籍管理员"

SCHOOLS = [
    # code, name, type, district, townships served
    (
        "S110105001",
        "北京市朝阳区第一示例小学",
        "小学",
        CHAOYANG,
        ["110105001", "110105002", "110105003"],
    ),
    (
        "S110105002",
        "北京市朝阳区第二示例小学",
        "小学",
        CHAOYANG,
        ["110105026", "110105200", "110105201"],
    ),
    ("S110105003", "北京市朝阳区示例初级中学", "初级中学", CHAOYANG, []),
    (
        "S110105004",
        "北京市朝阳区示例九年一贯制学校",
        "九年一贯制学校",
        CHAOYANG,
        ["110105016", "110105017"],
    ),
    ("S110105005", "北京市朝阳区示例高级中学", "高级中学", CHAOYANG, []),
    ("S110105006", "北京市朝阳区示例完全中学", "完全中学", CHAOYANG, []),
    ("S110105007", "北京市朝阳区示例特殊教育学校", "特殊教育学校", CHAOYANG, []),
    ("S110105008", "北京市朝阳区示例专门学校", "专门学校", CHAOYANG, []),
    (
        "S110102001",
        "北京市西城区示例小学",
        "小学",
        XICHENG,
        ["110102003", "110102013"],
    ),
    ("S110102002", "北京市西城区示例初级中学", "初级中学", XICHENG, []),
    ("S110102003", "北京市西城区示例高级中学", "高级中学", XICHENG, []),
]
SCHOOL_DISTRICT = {code: district for code, _n, _t, district, _s in SCHOOLS}
# Real street offices and townships; the codes are illustrative.
TOWNSHIPS = [
    ("110105001", "建外街道办事处", CHAOYANG),
    ("110105002", "朝外街道办事处", CHAOYANG),
    ("110105003", "呼家楼街道办事处", CHAOYANG),
    ("110105004", "三里屯街道办事处", CHAOYANG),
    ("110105011", "酒仙桥街道办事处", CHAOYANG),
    ("110105016", "双井街道办事处", CHAOYANG),
    ("110105017", "劲松街道办事处", CHAOYANG),
    ("110105026", "望京街道办事处", CHAOYANG),
    ("110105200", "来广营乡人民政府", CHAOYANG),
    ("110105201", "崔各庄乡人民政府", CHAOYANG),
    ("110102001", "西长安街街道办事处", XICHENG),
    ("110102003", "新街口街道办事处", XICHENG),
    ("110102007", "月坛街道办事处", XICHENG),
    ("110102009", "展览路街道办事处", XICHENG),
    ("110102010", "德胜街道办事处", XICHENG),
    ("110102013", "什刹海街道办事处", XICHENG),
]
HRSS = [
    ("HRSS110105", "北京市朝阳区人力资源和社会保障局", CHAOYANG),
    ("HRSS110102", "北京市西城区人力资源和社会保障局", XICHENG),
]

# (school, grade, how many): the new students, then the other grades.
INTAKE = [
    ("S110105001", 1, 60),
    ("S110105002", 1, 50),
    ("S110105004", 1, 30),
    ("S110105004", 7, 30),
    ("S110105003", 7, 50),
    ("S110105006", 7, 30),
    ("S110105006", 10, 30),
    ("S110105005", 10, 40),
    ("S110105007", 1, 2),
    ("S110105007", 7, 2),
    ("S110102001", 1, 20),
    ("S110102002", 7, 12),
    ("S110102003", 10, 12),
    # pupils already at school
    ("S110105001", 3, 12),
    ("S110105001", 5, 8),
    ("S110105002", 2, 10),
    ("S110105002", 4, 10),
    ("S110105003", 8, 16),
    ("S110105003", 9, 20),
    ("S110105004", 4, 8),
    ("S110105004", 9, 8),
    ("S110105005", 11, 14),
    ("S110105005", 12, 16),
    ("S110105006", 11, 10),
    ("S110102001", 4, 6),
    ("S110102003", 11, 6),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
)
CYCLIC = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
OTHER_PROVINCES = [
    ("130199", "河北省"),
    ("410199", "河南省"),
    ("370199", "山东省"),
    ("340199", "安徽省"),
]
BEIJING_BORN = "110199"  # an unassigned county code of 北京市
LOCAL_DOCUMENTS = ["户口簿"]
NONLOCAL_DOCUMENTS = ["户口簿", "在京工作证明", "在京实际住所居住证明", "北京市居住证"]
HOSPITAL_A = "首都医科大学附属北京朝阳医院"


@dataclass
class Pupil:
    row: int
    name: str
    sex: str
    born: date
    school: str
    grade: int
    id_number: str | None
    beijing: bool
    hukou_township: str | None = None
    province: str | None = None
    residence_township: str | None = None
    documents: list[str] = field(default_factory=list)
    treated: tuple[str, str, str] | None = None  # basis, document, valid_to
    roster_reference: str | None = None
    disabled: bool = False
    dual: bool = False
    number: str = ""

    @property
    def on(self) -> date:
        return SENIOR_ADMITTED if self.grade >= 10 else COMPULSORY_ADMITTED

    @property
    def district(self) -> str:
        return SCHOOL_DISTRICT[self.school]


class Ids:
    """Fictitious, valid-format ID numbers, never the same twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.used_last = ""

    def make(self, region: str, born: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(1, 1000)
            if (sequence % 2 == 1) != (sex == "男"):
                sequence = sequence + 1 if sequence < 999 else sequence - 1
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                self.used_last = number
                return number


def birth_range(grade: int) -> tuple[date, date]:
    """Born in the year (1 September - 31 August) that fits the grade in
    2025-2026 (第十条's cut-off for 一年级 is 2019-08-31)."""
    entry_year = 2019 - (grade - 1)
    return date(entry_year - 1, 9, 1), date(entry_year, 8, 31)


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def make_pupils(rng: random.Random, ids: Ids) -> list[Pupil]:
    names = [s + "某" + c for s in SURNAMES for c in CYCLIC]
    rng.shuffle(names)
    pupils: list[Pupil] = []
    for school, grade, count in INTAKE:
        district = SCHOOL_DISTRICT[school]
        townships = [code for code, _name, d in TOWNSHIPS if d == district]
        for _ in range(count):
            sex = rng.choice("男女")
            born = random_day(rng, *birth_range(grade))
            row = len(pupils) + 2
            roll = rng.random()
            if roll < 0.8 or grade not in (1, 7, 10):
                pupil = Pupil(
                    row,
                    names.pop(),
                    sex,
                    born,
                    school,
                    grade,
                    ids.make(BEIJING_BORN, born, sex),
                    True,
                    hukou_township=rng.choice(townships),
                    documents=list(LOCAL_DOCUMENTS),
                )
                pupil.residence_township = pupil.hukou_township
            else:
                region, province = rng.choice(OTHER_PROVINCES)
                pupil = Pupil(
                    row,
                    names.pop(),
                    sex,
                    born,
                    school,
                    grade,
                    ids.make(region, born, sex),
                    False,
                    province=province,
                    residence_township=rng.choice(townships),
                    documents=list(
                        LOCAL_DOCUMENTS if grade >= 10 else NONLOCAL_DOCUMENTS
                    ),
                )
            if grade >= 10:
                pupil.roster_reference = f"2025-{district}-GZ-{row:04d}"
            if school == "S110105007":
                pupil.disabled = True
                pupil.beijing = True
                pupil.province = None
                pupil.hukou_township = pupil.residence_township
                pupil.documents = list(LOCAL_DOCUMENTS)
                pupil.id_number = ids.make(BEIJING_BORN, born, sex)
            pupils.append(pupil)
    return pupils


class Pool:
    """Hands out pupils for the stories, each at most once."""

    def __init__(self, pupils: list[Pupil]) -> None:
        self.pupils = pupils
        self.taken: set[int] = set()

    def take(self, school: str, grade: int, *, beijing: bool = True) -> Pupil:
        for pupil in self.pupils:
            if (
                id(pupil) not in self.taken
                and pupil.school == school
                and pupil.grade == grade
                and pupil.beijing is beijing
                and pupil.id_number
                and not pupil.disabled
                and pupil.treated is None
            ):
                self.taken.add(id(pupil))
                return pupil
        raise LookupError(f"no pupil left at {school} grade {grade}")


def shape(pupils: list[Pupil], ids: Ids) -> tuple[dict[str, Pupil], Pool]:
    """Give rows the special cases the demo exercises; returns them by role."""
    cases: dict[str, Pupil] = {}
    pool = Pool(pupils)

    # 视同本市户籍 (第十五条): non-Beijing hukou with a parent's 工作居住证, and
    # a postdoctoral researcher's child.
    nonlocal_g1 = [
        p for p in pupils if not p.beijing and p.grade == 1 and p.district == DISTRICT
    ]
    for pupil, treated in zip(
        nonlocal_g1[:3],
        [
            ("6", "北京市工作居住证（示例编号 GZJZ-2025-000101）", "2027-12-31"),
            ("6", "北京市工作居住证（示例编号 GZJZ-2025-000102）", "2026-06-30"),
            ("2", "博士后研究人员在站证明（示例编号 BSH-2025-0031）", ""),
        ],
        strict=True,
    ):
        pupil.treated = treated
        pupil.documents = list(LOCAL_DOCUMENTS)
    # A non-Beijing pupil without the 北京市居住证: incomplete (第十三条).
    cases["missing-document"] = nonlocal_g1[3]
    nonlocal_g1[3].documents = [d for d in NONLOCAL_DOCUMENTS if d != "北京市居住证"]
    pool.taken.add(id(nonlocal_g1[3]))
    # A senior without the 考试院 roster entry: incomplete (第十四条).
    cases["no-roster-entry"] = pool.take("S110105005", 10)
    cases["no-roster-entry"].roster_reference = None

    # Rows without an ID document: L numbers (第十七条第二款).
    for role, school, grade in [
        ("no-id-primary", "S110105002", 1),
        ("no-id-junior", "S110105003", 7),
        ("no-id-senior", "S110105006", 10),
    ]:
        pupil = pool.take(school, grade)
        pupil.id_number = None
        cases[role] = pupil

    # The special-education dual status (第十二条第二款): the special school's
    # row, and a later row at the nearby primary school.
    special = next(p for p in pupils if p.school == "S110105007" and p.grade == 1)
    cases["dual"] = special
    twin = Pupil(
        len(pupils) + 2,
        special.name,
        special.sex,
        special.born,
        "S110105001",
        1,
        special.id_number,
        True,
        hukou_township=special.hukou_township,
        residence_township=special.residence_township,
        documents=list(LOCAL_DOCUMENTS),
        disabled=True,
        dual=True,
    )
    pupils.append(twin)
    cases["dual-twin"] = twin

    # Chapter 3: registration.
    for role, school, grade in [
        ("delayed-on-time", "S110105001", 1),
        ("late-within-window", "S110105001", 1),
        ("deferral-accepted", "S110105001", 1),
        ("deferral-hospital", "S110105001", 1),
        ("already-enrolled", "S110105001", 1),
        ("deferral-late", "S110105002", 1),
        ("delayed-late-compulsory", "S110105002", 1),
        ("never-registers-compulsory", "S110105003", 7),
        ("id-correction", "S110105003", 7),
        ("delayed-late-senior", "S110105005", 10),
        ("never-registers-senior", "S110105005", 10),
        ("justified-senior", "S110105006", 10),
        # Chapter 4: attendance.
        ("truant-week", "S110105002", 2),
        ("truant-days", "S110105004", 7),
        ("late-thrice", "S110105001", 3),
        ("sick", "S110105001", 5),
        ("on-leave", "S110105003", 7),
        ("missed-term-registration", "S110105002", 4),
        # Chapter 5: transfers.
        ("transfer-in-district", "S110105001", 3),
        ("transfer-cross-district", "S110105002", 4),
        ("transfer-rejected", "S110105001", 5),
        ("transfer-senior", "S110105005", 11),
        ("transfer-senior-below", "S110105005", 11),
        ("transfer-out", "S110105003", 8),
        ("transfer-starting-grade", "S110105001", 1),
        ("transfer-sanctioned", "S110105003", 8),
        ("specialized", "S110105003", 8),
        # Chapter 6: suspension.
        ("suspended-extended", "S110105004", 4),
        ("suspension-lapsed", "S110105003", 8),
        # Chapter 7: withdrawal.
        ("withdrawal-adult", "S110105003", 9),
        ("withdrawal-senior", "S110105006", 11),
        ("withdrawal-guardian-only", "S110105005", 11),
        # Chapter 8: graduation.
        ("lost-certificate", "S110105003", 9),
        ("completion", "S110105003", 9),
        ("hand-over", "S110105003", 9),
        ("promoted", "S110105001", 3),
        ("retained", "S110105002", 2),
    ]:
        cases[role] = pool.take(school, grade)

    # 年满十八周岁 in 初三 (第三十六条第一款): born 2007-10-15, 18 on 2025-10-15.
    adult = cases["withdrawal-adult"]
    adult.born = date(2007, 10, 15)
    adult.id_number = ids.make(BEIJING_BORN, adult.born, adult.sex)
    adult.hukou_township = adult.residence_township = "110105004"
    return cases, pool


def assign_numbers(pupils: list[Pupil]) -> None:
    """The 学籍号 the register will give, admitting the rows in file order
    into a fresh register: G + ID number, else L + region + birth date +
    serial per (region, birth date)."""
    serials: dict[str, int] = {}
    seen: dict[str, str] = {}
    for pupil in pupils:
        if pupil.id_number is not None:
            pupil.number = seen.setdefault(pupil.id_number, "G" + pupil.id_number)
            continue
        key = f"{pupil.district}{pupil.born:%Y%m%d}"
        serials[key] = serials.get(key, 0) + 1
        pupil.number = StudentNumber.temporary(
            pupil.district, pupil.born, serials[key]
        ).value


# ---------------------------------------------------------------- writing


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def orgs_toml() -> str:
    lines = [
        "# 朝阳区 and 西城区 2025-2026 example: organisations for `xueji load orgs`.",
        "# District codes are GB/T 2260; school names and codes are illustrative;",
        "# the street offices and townships are real, their codes illustrative.",
        "# Generated by generate.py: edit that, not this file.",
        "",
        "beijing_districts = true  # the 16 districts and 燕山, 经开区",
        "",
    ]
    for code, name, kind, district, served in SCHOOLS:
        lines += [
            "[[school]]",
            f"code = {toml_value(code)}",
            f"name = {toml_value(name)}",
            f"district = {toml_value(district)}",
            f"region_code = {toml_value(district)}",
            f"type = {toml_value(kind)}",
            'system = "6-3"',
        ]
        if served:
            lines.append(f"townships = {toml_value(served)}")
        lines.append("")
    for code, name, district in TOWNSHIPS:
        lines += [
            "[[township]]",
            f"code = {toml_value(code)}",
            f"name = {toml_value(name)}",
            f"district = {toml_value(district)}",
            "",
        ]
    for code, name, district in HRSS:
        lines += [
            "[[hrss_office]]",
            f"code = {toml_value(code)}",
            f"name = {toml_value(name)}",
            f"district = {toml_value(district)}",
            "",
        ]
    return "\n".join(lines)


ROSTER_HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "证件类型",
    "证件号码",
    "户籍(本市/非本市)",
    "户籍区",
    "户籍街道",
    "户籍省份",
    "居住区",
    "居住街道",
    "学校代码",
    "年级",
    "学年",
    "录取日期",
    "录取名册编号",
    "入学材料",
    "视同本市户籍依据",
    "视同本市户籍证明",
    "证明有效期至",
    "残疾",
    "特殊教育双学籍",
    "监护人",
    "监护人关系",
]


def roster_csv(rng: random.Random, pupils: list[Pupil]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROSTER_HEADER)
    for p in pupils:
        treated = p.treated or ("", "", "")
        relation = rng.choice(["父亲", "母亲"])
        writer.writerow(
            [
                p.name,
                p.sex,
                p.born.isoformat(),
                "居民身份证" if p.id_number else "无",
                p.id_number or "",
                "本市" if p.beijing else "非本市",
                p.district if p.beijing else "",
                p.hukou_township or "",
                p.province or "",
                p.district,
                p.residence_township or "",
                p.school,
                p.grade,
                SCHOOL_YEAR,
                p.on.isoformat(),
                p.roster_reference or "",
                "；".join(p.documents),
                *treated,
                "是" if p.disabled else "",
                "是" if p.dual else "",
                p.name[0] + "某某",
                relation,
            ]
        )
    return "\ufeff" + buffer.getvalue()


def flow(value: Any) -> str:
    """A YAML flow scalar or mapping (strings as JSON strings)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def entry(
    comment: str | None, kind: str, principal: str, request: dict[str, Any]
) -> str:
    lines = [f"# {comment}"] if comment else []
    lines += [f"- kind: {kind}", f"  principal: {principal}"]
    nested = {k: v for k, v in request.items() if isinstance(v, dict)}
    flat = {k: v for k, v in request.items() if k not in nested}
    if not nested:
        lines.append(f"  request: {flow(flat)}")
    else:
        lines.append("  request:")
        lines += [f"    {k}: {flow(v)}" for k, v in flat.items()]
        lines += [f"    {k}: {flow(v)}" for k, v in nested.items()]
    return "\n".join(lines)


def particulars(p: Pupil) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.born,
        "hukou": {
            "beijing": True,
            "district": p.district,
            "township": p.hukou_township,
        },
    }
    if p.id_number:
        data["id_number"] = p.id_number
    else:
        data["document"] = "无"
    data["residence_district"] = p.district
    data["residence_township"] = p.residence_township
    return data


def school_registrar(school: str) -> str:
    return f"school:{school}:{REGISTRAR}"


def district_registrar(district: str = DISTRICT) -> str:
    return f"district:{district}:{REGISTRAR}"


def township_registrar(code: str) -> str:
    return f"township:{code}:{REGISTRAR}"


CITY_REGISTRAR = f"city:{CITY}:{REGISTRAR}"


def township(pupil: Pupil) -> str:
    """The registrar of the township of the pupil's hukou (第十一条)."""
    assert pupil.hukou_township is not None
    return township_registrar(pupil.hukou_township)


def medical(issued: date, finding: str, *, recovered: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "hospital": HOSPITAL_A,
        "grade": "三级甲等",
        "issued_on": issued,
        "finding": finding,
    }
    if recovered:
        record["recovered"] = True
    return record


GUARDIAN = {"kind": "guardian", "name": "监护人"}
GUARDIAN_AND_STUDENT = {"kind": "guardian+student", "name": "学生及监护人"}
STUDENT = {"kind": "student", "name": "本人"}


@dataclass
class Stream:
    """The year's requests, each with its date; written in date order (the
    order of generation within a day), which is the order `xueji demo` and
    `xueji submit` decide them in."""

    items: list[tuple[date, int, str]] = field(default_factory=list)
    sections: dict[int, str] = field(default_factory=dict)

    def add(
        self,
        comment: str | None,
        kind: str,
        principal: str,
        request: dict[str, Any],
    ) -> None:
        on = request["on"]
        assert isinstance(on, date)
        self.items.append(
            (on, len(self.items), entry(comment, kind, principal, request))
        )

    def step(
        self,
        comment: str | None,
        request_id: str,
        on: date,
        opened_by: str,
        principal: str,
        action: str = "approve",
        text: str = "",
    ) -> None:
        request: dict[str, Any] = {
            "id": request_id,
            "on": on,
            "procedure": f"request:{opened_by}",
            "action": action,
        }
        if text:
            request["comment"] = text
        self.add(comment, "step", principal, request)

    def done(
        self,
        comment: str | None,
        request_id: str,
        on: date,
        obligation: str,
        principal: str,
        *,
        failed: bool = False,
        note: str = "",
    ) -> None:
        request: dict[str, Any] = {"id": request_id, "on": on, "obligation": obligation}
        if failed:
            request["outcome"] = "failed"
        if note:
            request["note"] = note
        self.add(comment, "obligation-fulfilment", principal, request)

    def text(self) -> str:
        out = [
            "# 朝阳区 and 西城区 2025-2026: the school year's request stream, in date",
            "# order, for `xueji demo` (which runs it with the dated jobs of",
            "# jobs.yaml between the days).  References: `request:ID` names the",
            "# procedure request ID opened; `request:ID/KIND` and",
            "# `student:NUMBER/KIND` name a duty (docs/cli.md).  Everything here is",
            "# fictitious.  Generated by generate.py: edit that, not this file.",
        ]
        day = None
        for on, _index, text in sorted(self.items, key=lambda item: item[:2]):
            if on != day:
                out += ["", f"# ---- {on}"]
                day = on
            out.append(text)
        return "\n".join(out) + "\n"


def requests_yaml(ids: Ids, pupils: list[Pupil], cases: dict[str, Pupil]) -> str:
    s = Stream()
    district = district_registrar()
    xicheng = district_registrar(XICHENG)

    # --- 第四十二条: registrars at every level ---------------------------
    codes = [CITY, *(d.code for d in load_districts())]
    codes += [code for code, *_rest in SCHOOLS if code != "S110105008"]
    for n, code in enumerate(codes, start=1):
        s.add(
            "第四十二条第二款: the city appoints a registrar at every level (the "
            "专门学校 has none yet: a finding of the term check)"
            if n == 1
            else None,
            "registrar-appointment",
            CITY_REGISTRAR,
            {
                "id": f"rga-{n:03d}",
                "on": date(2025, 7, 1),
                "organisation": code,
                "name": f"学籍管理员{n:03d}（示例）",
                "first_day": date(2025, 7, 1),
            },
        )

    # --- admissions outside the roster --------------------------------
    born = date(2015, 5, 1)
    s.add(
        "第五十二条: dated before 2021-06-01, outside this edition (refused)",
        "admission",
        school_registrar("S110105001"),
        {
            "id": "adm-edition-2021",
            "on": date(2021, 5, 31),
            "school": "S110105001",
            "grade": 1,
            "school_year": "2021-2022",
            "student": {
                "name": "邹某甲",
                "sex": "男",
                "birth_date": born,
                "id_number": ids.make(BEIJING_BORN, born, "男"),
                "hukou": {"beijing": True, "district": DISTRICT},
            },
            "documents": ["户口簿"],
        },
    )
    born = date(2019, 9, 1)
    s.add(
        "第十条: born 2019-09-01, one day after the cut-off 2019-08-31 (refused)",
        "admission",
        school_registrar("S110105001"),
        {
            "id": "adm-under-age",
            "on": date(2025, 8, 15),
            "school": "S110105001",
            "grade": 1,
            "school_year": SCHOOL_YEAR,
            "student": {
                "name": "邹某乙",
                "sex": "女",
                "birth_date": born,
                "id_number": ids.make(BEIJING_BORN, born, "女"),
                "hukou": {
                    "beijing": True,
                    "district": DISTRICT,
                    "township": "110105001",
                },
            },
            "documents": ["户口簿"],
        },
    )
    taken = cases["already-enrolled"]
    s.add(
        "第十七条第二款: this ID number already holds an active 学籍 (refused)",
        "admission",
        school_registrar("S110105004"),
        {
            "id": "adm-already-enrolled",
            "on": date(2025, 8, 15),
            "school": "S110105004",
            "grade": 1,
            "school_year": SCHOOL_YEAR,
            "student": particulars(taken),
            "documents": ["户口簿"],
        },
    )
    born = date(2019, 3, 14)
    s.add(
        "第九条: the grade-1 plan is full (refused; plans.toml, illustrative)",
        "admission",
        school_registrar("S110105002"),
        {
            "id": "adm-over-plan",
            "on": date(2025, 8, 15),
            "school": "S110105002",
            "grade": 1,
            "school_year": SCHOOL_YEAR,
            "student": {
                "name": "邹某丙",
                "sex": "男",
                "birth_date": born,
                "id_number": ids.make(BEIJING_BORN, born, "男"),
                "hukou": {
                    "beijing": True,
                    "district": DISTRICT,
                    "township": "110105026",
                },
            },
            "documents": ["户口簿"],
        },
    )
    twin = cases["no-id-primary"]
    s.add(
        "一人一号: no ID number, same name, sex and birth date as a student on the "
        "roster — a review opens (pending)",
        "admission",
        school_registrar("S110105001"),
        {
            "id": "adm-possible-duplicate",
            "on": date(2025, 8, 18),
            "school": "S110105001",
            "grade": 1,
            "school_year": SCHOOL_YEAR,
            "student": {
                "name": twin.name,
                "sex": twin.sex,
                "birth_date": twin.born,
                "document": "无",
                "hukou": {
                    "beijing": True,
                    "district": DISTRICT,
                    "township": "110105002",
                },
            },
            "documents": ["户口簿"],
        },
    )
    s.add(
        "the district finds a different child: the admission proceeds "
        "(review: request:ID names the review that admission opened)",
        "duplicate-resolution",
        district,
        {
            "id": "dup-resolution-1",
            "on": date(2025, 8, 20),
            "review": "request:adm-possible-duplicate",
            "same_person": False,
            "comment": "经核查为同名、同性别、同日出生的两名儿童，户籍不同",
        },
    )
    duplicate_number = StudentNumber.temporary(DISTRICT, twin.born, 2).value

    corrected = cases["id-correction"]
    assert corrected.id_number is not None
    new_id = ids.make(corrected.id_number[:6], corrected.born, corrected.sex)
    s.add(
        "第十七条第二款: correcting an ID number never changes the 学籍号",
        "id-correction",
        school_registrar(corrected.school),
        {
            "id": "idc-1",
            "on": date(2025, 8, 25),
            "student": corrected.number,
            "id_number": new_id,
            "reason": "录取信息中身份证号码第15至17位录入错误，按户口簿更正",
        },
    )
    temporary = cases["no-id-junior"]
    national = StudentNumber.national_j(DISTRICT, temporary.born, 1).value
    s.add(
        "第十七条第二款: a national J number; the L number stays an alias",
        "national-number",
        district,
        {
            "id": "nat-1",
            "on": date(2025, 8, 28),
            "student": temporary.number,
            "number": national,
        },
    )
    temporary.number = national

    # --- 第二十六条: the 中考 cut-off a senior transfer is measured against
    s.add(
        "第二十六条第一款: 西城区 records its senior school's 2024 cut-off",
        "admission-cutoff",
        xicheng,
        {
            "id": "cut-2024",
            "on": date(2025, 7, 30),
            "school": "S110102003",
            "year": 2024,
            "score": "545",
        },
    )

    # --- registration (第十六条) and archives (第十七条第一款) ---------
    special = {
        "delayed-on-time",
        "late-within-window",
        "deferral-accepted",
        "deferral-hospital",
        "deferral-late",
        "delayed-late-compulsory",
        "never-registers-compulsory",
        "delayed-late-senior",
        "justified-senior",
        "never-registers-senior",
        "missing-document",
        "no-roster-entry",
        "dual",
        "dual-twin",
    }
    held = {id(cases[c]) for c in special}
    on_time = [p for p in pupils if id(p) not in held]
    registered: dict[str, tuple[Pupil, str]] = {}  # registration id -> pupil
    for n, p in enumerate(on_time, start=1):
        request_id = f"reg-{n:04d}"
        registered[request_id] = (p, p.school)
        s.add(
            "第十六条第一款: new students register on the term's first day"
            if n == 1
            else None,
            "registration",
            school_registrar(p.school),
            {"id": request_id, "on": date(2025, 9, 1), "student": p.number},
        )
    reviewed = Pupil(0, twin.name, twin.sex, twin.born, "S110105001", 1, None, True)
    reviewed.number = duplicate_number
    registered["reg-reviewed"] = (reviewed, "S110105001")
    s.add(
        "the student admitted after the duplicate review",
        "registration",
        school_registrar("S110105001"),
        {"id": "reg-reviewed", "on": date(2025, 9, 1), "student": duplicate_number},
    )
    for n, p in enumerate([cases["dual"], cases["dual-twin"]], start=1):
        registered[f"reg-dual-{n}"] = (p, p.school)
        s.add(
            "第十二条第二款: the dual-status pupil registers at both schools, "
            "each school for its own admission"
            if n == 1
            else None,
            "registration",
            school_registrar(p.school),
            {
                "id": f"reg-dual-{n}",
                "on": date(2025, 9, 1),
                "student": p.number,
                "school": p.school,
            },
        )

    # 第三条: each school reports its new 学籍; the district approves (核办),
    # the city files (备案).
    schools = sorted({p.school for p in pupils})
    for code in schools:
        s.add(
            "第三条: the school reports its new 学籍 to the district (one batch)"
            if code == schools[0]
            else None,
            "new-records",
            school_registrar(code),
            {
                "id": f"nr-{code}",
                "on": date(2025, 9, 2),
                "school": code,
                "school_year": SCHOOL_YEAR,
            },
        )
    for code in schools:
        s.step(
            "第三条: 区教委核办" if code == schools[0] else None,
            f"nr-ok-{code}",
            date(2025, 9, 5),
            f"nr-{code}",
            district_registrar(SCHOOL_DISTRICT[code]),
        )
    for code in schools:
        s.step(
            "第三条: 报市教委备案" if code == schools[0] else None,
            f"nr-file-{code}",
            date(2025, 9, 9),
            f"nr-{code}",
            CITY_REGISTRAR,
        )

    p = cases["late-within-window"]
    registered["reg-late-in-window"] = (p, p.school)
    s.add(
        "late, within the 5 working days: a delayed registration (warning)",
        "registration",
        school_registrar(p.school),
        {"id": "reg-late-in-window", "on": date(2025, 9, 3), "student": p.number},
    )
    p = cases["delayed-on-time"]
    s.add(
        "延期注册 within 5 working days of the term (by 2025-09-08): accepted",
        "delayed-registration",
        school_registrar(p.school),
        {
            "id": "del-on-time",
            "on": date(2025, 9, 5),
            "student": p.number,
            "until": date(2025, 9, 12),
            "reason": "住院治疗",
            "materials": ["出院小结"],
        },
    )
    registered["reg-after-delay"] = (p, p.school)
    s.add(
        None,
        "registration",
        school_registrar(p.school),
        {"id": "reg-after-delay", "on": date(2025, 9, 11), "student": p.number},
    )
    p = cases["delayed-late-compulsory"]
    s.add(
        "第十六条: 延期注册 on 2025-09-09 is too late; the school urges",
        "delayed-registration",
        school_registrar(p.school),
        {
            "id": "del-late-compulsory",
            "on": date(2025, 9, 9),
            "student": p.number,
            "until": date(2025, 9, 19),
            "reason": "随父母在外地",
            "materials": ["情况说明"],
        },
    )
    s.done(
        "第十六条第二款: the school urged the family; the pupil comes",
        "urge-done-1",
        date(2025, 9, 10),
        f"student:{p.number}/urge-enrollment",
        school_registrar(p.school),
        note="电话督促，家长承诺9月15日送学生入学",
    )
    registered["reg-after-urging"] = (p, p.school)
    s.add(
        None,
        "registration",
        school_registrar(p.school),
        {"id": "reg-after-urging", "on": date(2025, 9, 15), "student": p.number},
    )
    p = cases["deferral-late"]
    s.done(
        "第十六条第二款: urging fails — the township must order the guardians",
        "urge-failed-1",
        date(2025, 9, 10),
        f"student:{p.number}/urge-enrollment",
        school_registrar(p.school),
        failed=True,
        note="多次电话联系未果",
    )
    assert p.hukou_township is not None
    s.done(
        "the township orders the guardians to send the child (第十六条第二款)",
        "order-done-1",
        date(2025, 9, 18),
        f"student:{p.number}/order-enrollment",
        township(p),
        note="已书面责令监护人送学生入学",
    )
    registered["reg-after-order"] = (p, p.school)
    s.add(
        None,
        "registration",
        school_registrar(p.school),
        {"id": "reg-after-order", "on": date(2025, 9, 22), "student": p.number},
    )
    p = cases["deferral-hospital"]
    s.done(
        None,
        "urge-done-2",
        date(2025, 9, 10),
        f"student:{p.number}/urge-enrollment",
        school_registrar(p.school),
        note="家访督促",
    )
    registered["reg-after-urging-2"] = (p, p.school)
    s.add(
        None,
        "registration",
        school_registrar(p.school),
        {"id": "reg-after-urging-2", "on": date(2025, 9, 12), "student": p.number},
    )
    p = cases["delayed-late-senior"]
    s.add(
        "第十六条第三款: a senior too late, no 正当事由 — forfeited",
        "delayed-registration",
        school_registrar(p.school),
        {
            "id": "del-late-senior",
            "on": date(2025, 9, 9),
            "student": p.number,
            "until": date(2025, 9, 19),
            "reason": "外出旅行未归",
            "materials": ["情况说明"],
        },
    )
    p = cases["justified-senior"]
    s.add(
        "第十六条第三款: too late, but with 不可抗力 — taken",
        "delayed-registration",
        school_registrar(p.school),
        {
            "id": "del-justified-senior",
            "on": date(2025, 9, 9),
            "student": p.number,
            "until": date(2025, 9, 19),
            "reason": "返京途中遇洪涝灾害，交通中断",
            "materials": ["交通中断证明"],
            "justification": "暴雨洪涝灾害致铁路、公路中断（不可抗力）",
        },
    )
    registered["reg-justified-senior"] = (p, p.school)
    s.add(
        None,
        "registration",
        school_registrar(p.school),
        {"id": "reg-justified-senior", "on": date(2025, 9, 15), "student": p.number},
    )

    # 第十七条第一款: the archives, built within 10 working days — all but
    # three at the 完全中学, which stay overdue (a finding of the check).
    unbuilt = [p for p in pupils if p.school == "S110105006" and p.grade == 7][:3]
    first = True
    for request_id, (p, school) in registered.items():
        if any(p is u for u in unbuilt):
            continue
        day = date(2025, 9, 12)
        registered_on = {
            "reg-after-urging": date(2025, 9, 15),
            "reg-justified-senior": date(2025, 9, 15),
            "reg-after-order": date(2025, 9, 22),
        }.get(request_id)
        if registered_on is not None:
            day = registered_on
        kinds = ["build-archive"] + (["build-personal-file"] if p.grade >= 10 else [])
        for kind in kinds:
            s.done(
                "第十七条第一款: each school reports its archives built (done)"
                if first
                else None,
                f"arc-{request_id}-{kind}",
                day,
                f"request:{request_id}/{kind}",
                school_registrar(school),
            )
            first = False

    # --- deferral (第十一条) ---------------------------------------------
    hospital_a = {
        "hospital": HOSPITAL_A,
        "grade": "三级甲等",
        "issued_on": date(2025, 8, 20),
        "finding": "（示例）需继续治疗一学年",
    }
    p = cases["deferral-accepted"]
    s.add(
        "第十一条: 缓学 in time, a 三级甲等 hospital's record: accepted",
        "deferral",
        township(p),
        {
            "id": "def-accepted",
            "on": date(2025, 9, 4),
            "student": p.number,
            "filed_with": p.hukou_township,
            "medical_record": hospital_a,
        },
    )
    p = cases["deferral-hospital"]
    s.add(
        "第十一条: the record is from a hospital graded 二级乙等 — refused",
        "deferral",
        township(p),
        {
            "id": "def-hospital-grade",
            "on": date(2025, 9, 5),
            "student": p.number,
            "filed_with": p.hukou_township,
            "medical_record": {
                "hospital": "示例社区医院（虚构）",
                "grade": "二级乙等",
                "issued_on": date(2025, 8, 28),
            },
        },
    )
    p = cases["deferral-late"]
    s.add(
        "第十一条: filed 2025-09-16, after the 10 working days — refused",
        "deferral",
        township(p),
        {
            "id": "def-late",
            "on": date(2025, 9, 16),
            "student": p.number,
            "filed_with": p.hukou_township,
            "medical_record": hospital_a,
        },
    )

    chapter_4(s, cases)
    inbound = chapter_5(s, cases, ids)
    chapter_6(s, cases)
    chapter_7(s, cases)
    chapter_8(s, pupils, cases)
    chapter_9(s)
    term_2(s, cases, registered, inbound)
    return s.text()


# ---------------------------------------------------------------- 第四章


def contact(
    s: Stream, request_id: str, p: Pupil, on: date, outcome: str, channel: str = "电话"
) -> None:
    s.add(
        None,
        "guardian-contact",
        school_registrar(p.school),
        {
            "id": request_id,
            "on": on,
            "student": p.number,
            "contacted_by": "班主任（示例）",
            "contacted_on": on,
            "channel": channel,
            "outcome": outcome,
        },
    )


def chapter_4(s: Stream, cases: dict[str, Pupil]) -> None:
    """考勤: the marks are in attendance.csv (entered each day by the demo);
    here the school's contacts with the guardians and a leave."""
    p = cases["truant-week"]
    for n, day in enumerate(
        [date(2025, 10, 20), date(2025, 10, 22), date(2025, 10, 24)], start=1
    ):
        contact(
            s,
            f"gc-week-{n}",
            p,
            day,
            "已告知家长学生旷课，了解情况并配合教育（示例）",
        )
    s.done(
        "第二十条第二款: a week of continuous truancy — the school informs the "
        "township the next working day",
        "twn-informed-1",
        date(2025, 10, 27),
        f"student:{p.number}/inform-township",
        school_registrar(p.school),
        note="书面告知街道办事处",
    )
    p = cases["truant-days"]
    contact(s, "gc-days-1", p, date(2025, 10, 14), "家长称学生身体不适未请假（示例）")
    contact(s, "gc-days-2", p, date(2025, 11, 5), "家长已知情，承诺督促到校（示例）")
    p = cases["late-thrice"]
    contact(
        s,
        "gc-late-1",
        p,
        date(2025, 10, 17),
        "经常迟到：与家长面谈，商定按时到校（示例）",
        channel="面谈",
    )
    p = cases["on-leave"]
    s.add(
        "第二十条第一款: a leave is marked 事假, and is not 休学",
        "leave",
        school_registrar(p.school),
        {
            "id": "leave-1",
            "on": date(2025, 11, 7),
            "student": p.number,
            "first": date(2025, 11, 10),
            "last": date(2025, 11, 12),
            "kind": "事假",
            "reason": "随家长回原籍处理家事（示例）",
        },
    )


def attendance_csv(cases: dict[str, Pupil]) -> str:
    """The schools' attendance marks of term 1 (第十九条), one row per mark;
    the demo enters each day's marks on that day."""
    rows: list[tuple[str, str, date, str, str]] = []

    def mark(p: Pupil, day: date, what: str, note: str = "") -> None:
        rows.append((p.school, p.number, day, what, note))

    p = cases["truant-week"]
    for day in range(20, 25):
        mark(p, date(2025, 10, day), "旷课", "未到校，未请假")
    p = cases["truant-days"]
    mark(p, date(2025, 10, 14), "旷课")
    mark(p, date(2025, 11, 5), "旷课")
    p = cases["late-thrice"]
    for day in (13, 15, 17):
        mark(p, date(2025, 10, day), "迟到")
    p = cases["sick"]
    mark(p, date(2025, 10, 16), "病假", "发热")
    mark(p, date(2025, 10, 17), "病假", "发热")
    p = cases["transfer-in-district"]
    mark(p, date(2025, 10, 21), "早退", "家长接走")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["学校代码", "学籍号", "日期", "考勤", "备注"])
    for school, number, day, what, note in sorted(rows, key=lambda r: (r[2], r[0])):
        writer.writerow([school, number, day.isoformat(), what, note])
    return "\ufeff" + buffer.getvalue()


# ---------------------------------------------------------------- 第五章


def chapter_5(s: Stream, cases: dict[str, Pupil], ids: Ids) -> str:
    """转学: every kind, and the refusals of 第三十条 and 第三十四条."""
    # Within 朝阳区 (第二十二条第（二）项, 第二十三条): both schools, the district.
    p = cases["transfer-in-district"]
    s.add(
        "第二十三条: a compulsory transfer within the district, filed in the "
        "window of 第二十九条 (2026-01-17..23)",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-in-district",
            "on": date(2026, 1, 19),
            "student": p.number,
            "to_school": "S110105002",
            "reason": "居住地变更",
            "documents": ["实际居住地变更证明"],
            "new_township": "110105026",
        },
    )
    for day, principal in [
        (20, school_registrar(p.school)),
        (21, school_registrar("S110105002")),
        (22, district_registrar()),
    ]:
        s.step(
            None,
            f"tr-in-district-{day}",
            date(2026, 1, day),
            "tr-in-district",
            principal,
        )
    s.done(
        "第二十九条 籍随人走: the old school hands the archive over",
        "tr-archive-1",
        date(2026, 1, 23),
        "request:tr-in-district-22/transfer-archive",
        school_registrar(p.school),
        note="学籍档案已转交北京市朝阳区第二示例小学",
    )
    p.school = "S110105002"

    # Across districts (第二十三条第一款): both schools, both districts, the city.
    p = cases["transfer-cross-district"]
    s.add(
        "第二十三条: 户籍迁移 to 西城区 — both schools, both districts, the city",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-cross",
            "on": date(2026, 1, 19),
            "student": p.number,
            "to_school": "S110102001",
            "reason": "户籍迁移",
            "documents": ["户籍迁移证明"],
            "new_township": "110102003",
        },
    )
    s.add(
        "第二十三条第二款: the receiving school places the pupil in the original grade",
        "transfer-placement",
        school_registrar("S110102001"),
        {
            "id": "tr-cross-placement",
            "on": date(2026, 1, 21),
            "procedure": "request:tr-cross",
            "grade": p.grade,
        },
    )
    for day, principal in [
        (20, school_registrar(p.school)),
        (21, school_registrar("S110102001")),
        (22, district_registrar(XICHENG)),
        (23, district_registrar()),
        (26, CITY_REGISTRAR),
    ]:
        s.step(None, f"tr-cross-{day}", date(2026, 1, day), "tr-cross", principal)
    s.done(
        None,
        "tr-archive-2",
        date(2026, 1, 27),
        "request:tr-cross-26/transfer-archive",
        school_registrar(p.school),
    )
    p.school = "S110102001"

    # Rejected by the sending district: rolled back.
    p = cases["transfer-rejected"]
    s.add(
        "a cross-district transfer the sending district rejects: rolled back",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-rejected",
            "on": date(2026, 1, 19),
            "student": p.number,
            "to_school": "S110102001",
            "reason": "居住地变更",
            "documents": ["实际居住地变更证明"],
            "new_township": "110102013",
        },
    )
    for day, principal in [
        (20, school_registrar(p.school)),
        (21, school_registrar("S110102001")),
        (22, district_registrar(XICHENG)),
    ]:
        s.step(None, f"tr-rejected-{day}", date(2026, 1, day), "tr-rejected", principal)
    s.step(
        "转出区教委 rejects: the pupil stays, 在籍 again",
        "tr-rejected-23",
        date(2026, 1, 23),
        "tr-rejected",
        district_registrar(),
        action="reject",
        text="居住证明与实际居住情况不符（示例）",
    )

    # A senior transfer (第二十六条第一款): serious illness, evidence, 中考 score.
    p = cases["transfer-senior"]
    s.add(
        "第二十六条第一款: the evidence of a serious illness, recorded first",
        "hardship-evidence",
        school_registrar(p.school),
        {
            "id": "hs-1",
            "on": date(2026, 1, 12),
            "student": p.number,
            "kind": "严重疾病",
            "description": "需在住所附近医院长期治疗（示例）",
            "medical_record": medical(date(2026, 1, 9), "（示例）需长期门诊治疗"),
        },
    )
    s.add(
        None,
        "zhongkao-score",
        school_registrar(p.school),
        {
            "id": "zk-1",
            "on": date(2026, 1, 12),
            "student": p.number,
            "year": 2024,
            "score": "561",
        },
    )
    s.add(
        "第二十六条第一款: to the district of the new residence, score 561 ≥ "
        "cut-off 545; the senior window of 第二十九条 is 2026-01-24..30",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-senior",
            "on": date(2026, 1, 26),
            "student": p.number,
            "to_school": "S110102003",
            "reason": "严重疾病",
            "new_district": XICHENG,
            "applicant": GUARDIAN_AND_STUDENT,
        },
    )
    for day, principal in [
        (date(2026, 1, 27), school_registrar(p.school)),
        (date(2026, 1, 28), school_registrar("S110102003")),
        (date(2026, 1, 29), district_registrar(XICHENG)),
        (date(2026, 1, 30), district_registrar()),
        (date(2026, 2, 2), CITY_REGISTRAR),
    ]:
        s.step(None, f"tr-senior-{day:%m%d}", day, "tr-senior", principal)
    s.done(
        None,
        "tr-archive-3",
        date(2026, 2, 3),
        "request:tr-senior-0202/transfer-archive",
        school_registrar(p.school),
    )
    p.school = "S110102003"

    p = cases["transfer-senior-below"]
    s.add(
        None,
        "hardship-evidence",
        school_registrar(p.school),
        {
            "id": "hs-2",
            "on": date(2026, 1, 12),
            "student": p.number,
            "kind": "家庭重大变故",
            "description": "父母离异，随母亲迁居西城区（示例）",
            "documents": ["离婚证明（示例）", "居住证明（示例）"],
        },
    )
    s.add(
        None,
        "zhongkao-score",
        school_registrar(p.school),
        {
            "id": "zk-2",
            "on": date(2026, 1, 12),
            "student": p.number,
            "year": 2024,
            "score": "530.5",
        },
    )
    s.add(
        "第二十六条第一款: score 530.5 below the cut-off 545 (refused)",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-senior-below",
            "on": date(2026, 1, 26),
            "student": p.number,
            "to_school": "S110102003",
            "reason": "家庭重大变故",
            "new_district": XICHENG,
            "applicant": GUARDIAN_AND_STUDENT,
        },
    )

    # Out of Beijing (第二十七条): the school and the district.
    p = cases["transfer-out"]
    s.add(
        "第二十七条: to another province — the pupil and the guardian apply",
        "transfer-out",
        school_registrar(p.school),
        {
            "id": "tr-out",
            "on": date(2026, 1, 19),
            "student": p.number,
            "destination": "河北省保定市示例中学（虚构）",
        },
    )
    s.step(None, "tr-out-20", date(2026, 1, 20), "tr-out", school_registrar(p.school))
    s.step(None, "tr-out-21", date(2026, 1, 21), "tr-out", district_registrar())
    s.done(
        "第二十七条: the school provides the archive's materials",
        "tr-out-materials",
        date(2026, 1, 22),
        "request:tr-out-21/provide-archive-materials",
        school_registrar(p.school),
    )

    # From another province (第二十四条): a Beijing pupil comes home.
    born = date(2016, 4, 9)
    s.add(
        "第二十四条: a Beijing-hukou pupil comes back from another province",
        "transfer-in",
        school_registrar("S110105004"),
        {
            "id": "tr-inbound",
            "on": date(2026, 1, 19),
            "to_school": "S110105004",
            "grade": 4,
            "reason": "本市户籍在外省市就读",
            "origin": "河北省廊坊市示例小学（虚构）",
            "documents": ["户口簿"],
            "student": {
                "name": "邹某丁",
                "sex": "女",
                "birth_date": born,
                "id_number": ids.make(BEIJING_BORN, born, "女"),
                "hukou": {
                    "beijing": True,
                    "district": DISTRICT,
                    "township": "110105016",
                },
                "residence_district": DISTRICT,
                "residence_township": "110105016",
            },
        },
    )
    s.step(
        None,
        "tr-inbound-20",
        date(2026, 1, 20),
        "tr-inbound",
        school_registrar("S110105004"),
    )
    s.step(None, "tr-inbound-21", date(2026, 1, 21), "tr-inbound", district_registrar())
    inbound = "G" + ids.used_last

    # Refusals.
    p = cases["transfer-starting-grade"]
    s.add(
        "第三十条第（一）项: 一年级 in its first term — refused",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-starting-grade",
            "on": date(2025, 11, 17),
            "student": p.number,
            "to_school": "S110105002",
            "reason": "居住地变更",
            "documents": ["实际居住地变更证明"],
            "new_township": "110105026",
        },
    )
    p = cases["transfer-sanctioned"]
    s.add(
        "第三十条第（三）项: a 处分 with its period",
        "sanction",
        school_registrar(p.school),
        {
            "id": "sanction-1",
            "on": date(2025, 11, 3),
            "student": p.number,
            "kind": "记过",
            "first": date(2025, 11, 3),
            "last": date(2026, 5, 2),
            "reason": "多次违反校规校纪（示例）",
        },
    )
    s.add(
        "第三十条第（三）项: a transfer during the sanction — refused",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-sanctioned",
            "on": date(2025, 12, 1),
            "student": p.number,
            "to_school": "S110105006",
            "reason": "居住地变更",
            "documents": ["实际居住地变更证明"],
            "new_township": "110105011",
        },
    )
    p = cases["suspended-extended"]
    s.add(
        "第三十四条: no transfer during 休学 — refused",
        "transfer",
        school_registrar(p.school),
        {
            "id": "tr-suspended",
            "on": date(2025, 12, 1),
            "student": p.number,
            "to_school": "S110105002",
            "reason": "居住地变更",
            "documents": ["实际居住地变更证明"],
            "new_township": "110105200",
        },
    )

    # 专门学校 (第三十一条): the 学籍 stays with the original school.
    p = cases["specialized"]
    s.add(
        "第三十一条第一款: the school applies; the district files; the 学籍 stays",
        "specialized-placement",
        school_registrar(p.school),
        {
            "id": "sp-1",
            "on": date(2025, 11, 10),
            "student": p.number,
            "specialized_school": "S110105008",
            "ground": "有严重不良行为",
            "documents": ["学校申请书（示例）", "家长意见（示例）"],
        },
    )
    s.step(None, "sp-1-file", date(2025, 11, 12), "sp-1", district_registrar())
    s.add(
        "第三十一条第二款: back at the original school on the pupil's application",
        "specialized-return",
        school_registrar(p.school),
        {
            "id": "sp-return",
            "on": date(2026, 4, 13),
            "student": p.number,
            "documents": ["专门学校评价意见（示例）"],
        },
    )
    s.step(None, "sp-return-file", date(2026, 4, 15), "sp-return", district_registrar())
    return inbound


# ---------------------------------------------------------------- 第六章


def chapter_6(s: Stream, cases: dict[str, Pupil]) -> None:
    """休学、复学: a suspension extended and ended by 复学; one that lapses."""
    p = cases["suspended-extended"]
    s.add(
        "第三十二条第（一）项: ill, rest prescribed for more than a third of the "
        "term; a 三级甲等 hospital's record (第三十三条)",
        "suspension",
        school_registrar(p.school),
        {
            "id": "susp-1",
            "on": date(2025, 10, 10),
            "student": p.number,
            "ground": "illness",
            "cause": "病",
            "first_day": date(2025, 10, 13),
            "last_day": date(2026, 1, 23),
            "rest_first": date(2025, 10, 13),
            "rest_last": date(2026, 1, 23),
            "medical_record": medical(
                date(2025, 10, 9), "（示例）需停课治疗休养一学期"
            ),
        },
    )
    s.add(
        "第三十四条: extended from the day after the period ends",
        "suspension-extension",
        school_registrar(p.school),
        {
            "id": "susp-1-ext",
            "on": date(2026, 1, 20),
            "student": p.number,
            "first_day": date(2026, 1, 24),
            "last_day": date(2026, 4, 30),
            "medical_record": medical(date(2026, 1, 16), "（示例）需继续治疗"),
        },
    )
    s.add(
        "第三十五条第一、三款: 复学 with the hospital's record of recovery; the "
        "school places the pupil by academic level",
        "resumption",
        school_registrar(p.school),
        {
            "id": "resume-1",
            "on": date(2026, 4, 27),
            "student": p.number,
            "grade": p.grade,
            "placement_evidence": "学校学业水平评估：可随原年级学习（示例）",
            "medical_record": medical(
                date(2026, 4, 24), "（示例）已治愈，可正常学习", recovered=True
            ),
        },
    )
    p = cases["suspension-lapsed"]
    s.add(
        "第三十二条第（三）项: 因事, to 2026-03-31 — never extended, no 复学",
        "suspension",
        school_registrar(p.school),
        {
            "id": "susp-2",
            "on": date(2025, 11, 14),
            "student": p.number,
            "ground": "other",
            "cause": "事",
            "first_day": date(2025, 11, 17),
            "last_day": date(2026, 3, 31),
            "materials": ["家长书面申请", "情况说明（示例）"],
            "reason": "随父母赴外地照料患病亲属（示例）",
        },
    )
    contact(
        s,
        "gc-lapse-1",
        p,
        date(2026, 4, 2),
        "休学期满未复学：已告知家长按旷课处理，督促复学（示例）",
    )
    s.add(
        "第三十五条第二款: urging failed — the township must order the guardians",
        "return-urging-failed",
        school_registrar(p.school),
        {
            "id": "urge-return-failed",
            "on": date(2026, 4, 8),
            "student": p.number,
            "note": "三次电话、一次家访均未果",
        },
    )
    contact(s, "gc-lapse-2", p, date(2026, 4, 10), "家长表示下周送学生复学（示例）")
    s.add(
        "the pupil comes back: the flag and the duties to urge and order end",
        "resumption",
        school_registrar(p.school),
        {
            "id": "resume-2",
            "on": date(2026, 4, 20),
            "student": p.number,
            "grade": p.grade,
            "placement_evidence": "学校学业水平测试：随原年级学习（示例）",
        },
    )


# ---------------------------------------------------------------- 第七章


def chapter_7(s: Stream, cases: dict[str, Pupil]) -> None:
    """退学: compulsory at 18 (township review), senior on joint application,
    and one with the guardian alone (incomplete)."""
    p = cases["withdrawal-adult"]
    s.add(
        "第三十六条第一款: 初三, 18 since 2025-10-15 and found unsuitable — the "
        "township reviews, the district files, the school gives notice",
        "withdrawal",
        school_registrar(p.school),
        {
            "id": "wd-adult",
            "on": date(2025, 11, 20),
            "student": p.number,
            "ground": "adult-unsuitable",
            "unsuitable": "学校认定：已年满十八周岁，经多次教育仍不宜在校继续学习"
            "（示例）",
        },
    )
    assert p.hukou_township is not None
    s.step(None, "wd-adult-1", date(2025, 11, 21), "wd-adult", township(p))
    s.step(None, "wd-adult-2", date(2025, 11, 24), "wd-adult", district_registrar())
    s.step(
        None, "wd-adult-3", date(2025, 11, 25), "wd-adult", school_registrar(p.school)
    )
    s.add(
        "第三十九条第四款: the 肄业 certificate",
        "incompletion",
        school_registrar(p.school),
        {
            "id": "inc-adult",
            "on": date(2025, 11, 25),
            "student": p.number,
            "school": p.school,
        },
    )
    s.done(
        "第四十一条第三款: the materials and archive handed over on leaving",
        "wd-adult-handover",
        date(2025, 11, 25),
        "request:wd-adult-3/hand-over",
        school_registrar(p.school),
    )

    p = cases["withdrawal-senior"]
    s.add(
        "第三十六条第二款第（四）项: the student and the guardian apply; the "
        "district files, the school gives notice",
        "withdrawal",
        school_registrar(p.school),
        {
            "id": "wd-senior",
            "on": date(2025, 12, 8),
            "student": p.number,
            "ground": "application",
            "applicant": GUARDIAN_AND_STUDENT,
            "form_filled_by": "student",
        },
    )
    s.step(None, "wd-senior-1", date(2025, 12, 9), "wd-senior", district_registrar())
    s.step(
        None, "wd-senior-2", date(2025, 12, 10), "wd-senior", school_registrar(p.school)
    )
    s.done(
        None,
        "wd-senior-handover",
        date(2025, 12, 10),
        "request:wd-senior-2/hand-over",
        school_registrar(p.school),
    )
    s.add(
        "第四十条第一款: a senior 肄业 certificate carries the district's seal",
        "incompletion",
        school_registrar(p.school),
        {
            "id": "inc-senior",
            "on": date(2025, 12, 11),
            "student": p.number,
            "school": p.school,
        },
    )
    s.step(
        None, "inc-senior-seal", date(2025, 12, 12), "inc-senior", district_registrar()
    )

    p = cases["withdrawal-guardian-only"]
    s.add(
        "第三十六条第二款第（四）项: the guardian alone applies — incomplete",
        "withdrawal",
        school_registrar(p.school),
        {
            "id": "wd-guardian-only",
            "on": date(2025, 12, 8),
            "student": p.number,
            "ground": "application",
            "applicant": GUARDIAN,
            "form_filled_by": "school",
        },
    )


# ---------------------------------------------------------------- 第八章


def chapter_8(s: Stream, pupils: list[Pupil], cases: dict[str, Pupil]) -> None:
    """毕业、结业: the 高三 and 初三 rosters, a 结业, grade changes, a lost
    certificate and its 学历证明, the hand-over of 第四十一条."""
    gone = {
        id(cases[c])
        for c in (
            "withdrawal-adult",
            "completion",
        )
    }
    senior = [p for p in pupils if p.school == "S110105005" and p.grade == 12]
    s.add(
        "第三十九条第一款: the 高三 roster — the district confirms, the city files, "
        "the district seals (第四十条第一款)",
        "graduation-roster",
        school_registrar("S110105005"),
        {
            "id": "grad-senior",
            "on": date(2026, 6, 8),
            "school": "S110105005",
            "school_year": SCHOOL_YEAR,
            "stage": "高中",
            "graduates": [{"student": p.number} for p in senior],
        },
    )
    s.step(None, "grad-senior-1", date(2026, 6, 9), "grad-senior", district_registrar())
    s.step(None, "grad-senior-2", date(2026, 6, 10), "grad-senior", CITY_REGISTRAR)
    s.step(
        None, "grad-senior-3", date(2026, 6, 11), "grad-senior", district_registrar()
    )

    p = cases["completion"]
    s.add(
        "第三十九条第二款: 结业 — studies complete, requirements not met, no retention",
        "completion",
        school_registrar(p.school),
        {
            "id": "completion-1",
            "on": date(2026, 7, 6),
            "student": p.number,
            "school_year": SCHOOL_YEAR,
            "unmet": "数学、物理学业水平考试不合格（示例）",
            "cannot_repeat": "本人及家长不申请留级，学校认定不符合留级条件（示例）",
        },
    )
    lost = cases["lost-certificate"]
    leaver = cases["hand-over"]
    junior = [lost, leaver] + [
        p
        for p in pupils
        if p.school == "S110105003"
        and p.grade == 9
        and id(p) not in gone
        and p is not lost
        and p is not leaver
    ]
    for code, graduates in [
        ("S110105003", junior),
        (
            "S110105004",
            [p for p in pupils if p.school == "S110105004" and p.grade == 9],
        ),
    ]:
        s.add(
            "第三十九条第一款: the 初三 rosters, filed with the district"
            if code == "S110105003"
            else None,
            "graduation-roster",
            school_registrar(code),
            {
                "id": f"grad-{code}",
                "on": date(2026, 7, 6),
                "school": code,
                "school_year": SCHOOL_YEAR,
                "stage": "初中",
                "graduates": [{"student": p.number} for p in graduates],
            },
        )
        s.step(
            None,
            f"grad-{code}-file",
            date(2026, 7, 7),
            f"grad-{code}",
            district_registrar(),
        )
    for p, change, grade, basis in [
        (cases["promoted"], "skip", 5, "学业优秀，经学校考核同意跳级（示例）"),
        (
            cases["retained"],
            "retention",
            2,
            "因病缺课较多，家长申请、学校同意留级（示例）",
        ),
    ]:
        s.add(
            "第三十八条: 跳级 and 留级, the school's decision on its evidence"
            if change == "skip"
            else None,
            "grade-change",
            school_registrar(p.school),
            {
                "id": f"gc-{change}",
                "on": date(2026, 7, 7),
                "student": p.number,
                "change": change,
                "grade": grade,
                "school_year": SCHOOL_YEAR,
                "basis": basis,
            },
        )
    s.add(
        "第四十一条第一款: a 初中 graduate not going on — materials to the HRSS office",
        "hand-over",
        school_registrar(leaver.school),
        {
            "id": "handover-1",
            "on": date(2026, 7, 8),
            "school": leaver.school,
            "school_year": SCHOOL_YEAR,
            "stage": "初中",
            "students": [leaver.number],
        },
    )
    s.done(
        None,
        "handover-1-done",
        date(2026, 7, 10),
        "request:handover-1/hand-over",
        school_registrar(leaver.school),
        note="已移交北京市朝阳区人力资源和社会保障局",
    )
    certificate = "110105-2026-CB-000001"
    s.add(
        "第四十条第三款: a lost certificate is never reissued (refused)",
        "certificate-replacement",
        school_registrar(lost.school),
        {
            "id": "cert-replace",
            "on": date(2026, 7, 9),
            "student": lost.number,
            "certificate": certificate,
        },
    )
    s.add(
        "第四十条第三款: a 学历证明 instead — the school verifies, the district issues",
        "attestation",
        school_registrar(lost.school),
        {
            "id": "attest-1",
            "on": date(2026, 7, 9),
            "student": lost.number,
            "certificate": certificate,
            "applicant": STUDENT,
        },
    )
    s.step(
        None,
        "attest-1-verify",
        date(2026, 7, 10),
        "attest-1",
        school_registrar(lost.school),
    )
    s.step(None, "attest-1-issue", date(2026, 7, 13), "attest-1", district_registrar())


# ---------------------------------------------------------------- 第九章


def chapter_9(s: Stream) -> None:
    """第四十四条: the district's written approval (the export itself, and an
    attempt without one, are jobs: see jobs.yaml)."""
    s.add(
        "第四十四条: 非经学籍主管部门书面批准，学籍信息一律不得向外提供",
        "disclosure-approval",
        district_registrar(),
        {
            "id": "approval-1",
            "on": date(2026, 5, 6),
            "approving_body": "北京市朝阳区教育委员会",
            "document_number": "朝教学籍批〔2026〕3号（示例）",
            "recipient": "北京市朝阳区疾病预防控制中心",
            "purpose": "学生健康体检名单核对（示例）",
            "fields": ["number", "name", "sex", "grade"],
            "expires": date(2026, 6, 30),
            "district": DISTRICT,
            "schools": ["S110105001"],
        },
    )


# ---------------------------------------------------------------- term 2


def term_2(
    s: Stream,
    cases: dict[str, Pupil],
    registered: dict[str, tuple[Pupil, str]],
    inbound: str,
) -> None:
    """第二十一条: every pupil in school registers in term 2's first week
    (the window ends 2026-03-09); one does not."""
    away = {
        id(cases[c])
        for c in (
            "withdrawal-adult",
            "withdrawal-senior",
            "transfer-out",
            "suspended-extended",
            "suspension-lapsed",
            "specialized",
            "missed-term-registration",
            "dual-twin",
        )
    }
    first = True
    seen: set[str] = set()
    for p, _school in registered.values():
        if id(p) in away or p.number in seen:
            continue
        seen.add(p.number)
        s.add(
            "第二十一条: 每学期开学后5个工作日内报到注册" if first else None,
            "term-registration",
            school_registrar(p.school),
            {
                "id": f"treg-{len(seen):04d}",
                "on": date(2026, 3, 2),
                "student": p.number,
            },
        )
        first = False
    s.add(
        "the pupil who came back from another province registers too",
        "term-registration",
        school_registrar("S110105004"),
        {"id": "treg-inbound", "on": date(2026, 3, 2), "student": inbound},
    )
    p = cases["missed-term-registration"]
    s.add(
        "第二十一条: late — the job of 2026-03-10 marked the days before as 旷课",
        "term-registration",
        school_registrar(p.school),
        {"id": "treg-late", "on": date(2026, 3, 11), "student": p.number},
    )
    contact(
        s, "gc-missed-1", p, date(2026, 3, 11), "未按期报到注册：已告知家长（示例）"
    )
    s.done(
        "第二十条第二款: the township informed of the week of truancy",
        "twn-informed-2",
        date(2026, 3, 11),
        f"student:{p.number}/inform-township",
        school_registrar(p.school),
    )


def jobs_yaml() -> str:
    return "\n".join(
        [
            "# The dated jobs `xueji demo` runs between the requests: each day's",
            "# attendance marks first, then the day's requests, then its jobs.",
            "# Generated by generate.py.",
            "- job: attendance  # 第十九条: each day's marks, entered that day",
            "  file: attendance.csv",
            "- job: close-registration  # 第十六条第二、三款: window closed 09-08",
            "  school_year: 2025-2026",
            "  on: 2025-09-09",
            "- job: term-registration  # 第二十一条: term 2's window closed 03-09",
            "  school_year: 2025-2026",
            "  term: 2",
            "  on: 2026-03-10",
            "- job: end-suspensions  # 第三十五条第二款: after the day's marks",
            "  on: 2026-04-01",
            "- job: end-suspensions",
            "  on: 2026-04-09",
            "- job: export  # 第四十四条: under the district's written approval",
            "  on: 2026-05-12",
            "  principal: school:S110105001:学籍管理员",
            "  school: S110105001",
            "  recipient: 北京市朝阳区疾病预防控制中心",
            "  fields: [number, name, sex, grade]",
            "  approval: 朝教学籍批〔2026〕3号（示例）",
            "- job: export  # 第四十四条: no approval — refused and recorded",
            "  on: 2026-05-13",
            "  principal: school:S110105002:学籍管理员",
            "  school: S110105002",
            "  recipient: 某教育培训机构（示例）",
            "  fields: [number, name, guardian-phone]",
            "- job: inspection-draw  # 第四十五条 双随机、一公开",
            "  on: 2026-06-01",
            "  scope: '110105'",
            "  seed: 2026-06-01 朝阳区学籍管理双随机检查（示例）",
            "  inspectors: [检查员甲, 检查员乙, 检查员丙, 检查员丁, 检查员戊]",
            "  schools: 2",
            "  inspectors_per_school: 2",
            "- job: check  # 第四十三条: the city's check at the end of term 2",
            "  on: 2026-07-15",
            "  scope: '110000'",
            "- job: end-deferrals  # 第十一条第二款: 缓学 ends with the year",
            "  on: 2026-09-01",
            "",
        ]
    )


def plans_toml(plans: dict[tuple[str, int], int]) -> str:
    lines = [
        "# Illustrative enrollment plans (招生计划, 第九条) for the demo's plugin.",
        "# Invented numbers: the roster's intake, some room to spare, and one",
        "# full plan (朝阳区第二示例小学 grade 1) so that one admission is refused.",
        "",
    ]
    for (school, grade), count in sorted(plans.items()):
        spare = 0 if (school, grade) == ("S110105002", 1) else 5
        lines += [
            "[[plan]]",
            f'school = "{school}"',
            f'school_year = "{SCHOOL_YEAR}"',
            f"grade = {grade}",
            f"plan = {count + spare}",
            "",
        ]
    return "\n".join(lines)


def admitted_counts(
    pupils: list[Pupil], cases: dict[str, Pupil]
) -> dict[tuple[str, int], int]:
    """How many roster rows each school and grade admits (the incomplete
    rows admit nobody)."""
    incomplete = {id(cases["missing-document"]), id(cases["no-roster-entry"])}
    counts: dict[tuple[str, int], int] = {}
    for pupil in pupils:
        if id(pupil) not in incomplete:
            counts[(pupil.school, pupil.grade)] = (
                counts.get((pupil.school, pupil.grade), 0) + 1
            )
    return counts


def main() -> None:
    rng = random.Random(20250901)
    ids = Ids(rng)
    pupils = make_pupils(rng, ids)
    cases, _pool = shape(pupils, ids)
    assign_numbers(pupils)
    births = [p.born for p in pupils if p.id_number is None]
    assert len(set(births)) == len(births), "two rows without ID share a birth date"
    texts: dict[str, str] = {
        "orgs.toml": orgs_toml(),
        "roster.csv": roster_csv(rng, pupils),
        "attendance.csv": attendance_csv(cases),
    }
    texts["requests.yaml"] = requests_yaml(ids, pupils, cases)
    texts["jobs.yaml"] = jobs_yaml()
    texts["plans.toml"] = plans_toml(admitted_counts(pupils, cases))
    PACKAGE_COPY.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (HERE / name).write_text(texts[name], encoding="utf-8", newline="")
        shutil.copyfile(HERE / name, PACKAGE_COPY / name)
    print(
        f"{len(pupils)} roster rows; wrote {', '.join(FILES)} here and in "
        f"{PACKAGE_COPY}"
    )


if __name__ == "__main__":
    main()
