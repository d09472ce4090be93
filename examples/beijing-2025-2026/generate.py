"""Generate the 朝阳区 2025-2026 example: organisations, a roster of
fictitious new students, the school year's request stream, the jobs, and the
illustrative enrollment plans.

Run it from anywhere::

    .venv/bin/python examples/beijing-2025-2026/generate.py

It is deterministic (a fixed seed): running it again writes the same files,
here and in ``adapters/xueji_cli/demo_data/`` (the copy ``xueji demo`` ships
with; a test checks the two are equal).

Everything about the students is invented.  Names are a surname, 某 and a
cyclic character (王某甲), the way Chinese documents anonymise people.  ID
numbers use county codes no county has (110199 and xx0199 — unassigned in
GB/T 2260), so no number here can be a real person's; their check
characters are computed with :func:`xueji._identity.id_check_char`, so they
are valid in format.
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

from xueji._identity import StudentNumber, id_check_char

HERE = Path(__file__).resolve().parent
PACKAGE_COPY = HERE.parents[1] / "adapters" / "xueji_cli" / "demo_data"
FILES = ("orgs.toml", "roster.csv", "requests.yaml", "jobs.yaml", "plans.toml")

DISTRICT = "110105"  # 朝阳区 (GB/T 2260)
SCHOOL_YEAR = "2025-2026"
COMPULSORY_ADMITTED = date(2025, 7, 18)  # 义务教育入学结果确认（示例）
SENIOR_ADMITTED = date(2025, 7, 25)  # 高中录取结果（示例）
REGISTRAR = "学籍管理员"

SCHOOLS = [
    # code, name, type, townships served
    (
        "S110105001",
        "北京市朝阳区第一示例小学",
        "小学",
        ["110105001", "110105002", "110105003"],
    ),
    (
        "S110105002",
        "北京市朝阳区第二示例小学",
        "小学",
        ["110105026", "110105200", "110105201"],
    ),
    ("S110105003", "北京市朝阳区示例初级中学", "初级中学", []),
    (
        "S110105004",
        "北京市朝阳区示例九年一贯制学校",
        "九年一贯制学校",
        ["110105016", "110105017"],
    ),
    ("S110105005", "北京市朝阳区示例高级中学", "高级中学", []),
    ("S110105006", "北京市朝阳区示例完全中学", "完全中学", []),
    ("S110105007", "北京市朝阳区示例特殊教育学校", "特殊教育学校", []),
    ("S110105008", "北京市朝阳区示例专门学校", "专门学校", []),
]
# Real street offices and townships of 朝阳区; the codes are illustrative.
TOWNSHIPS = [
    ("110105001", "建外街道办事处"),
    ("110105002", "朝外街道办事处"),
    ("110105003", "呼家楼街道办事处"),
    ("110105004", "三里屯街道办事处"),
    ("110105011", "酒仙桥街道办事处"),
    ("110105016", "双井街道办事处"),
    ("110105017", "劲松街道办事处"),
    ("110105026", "望京街道办事处"),
    ("110105200", "来广营乡人民政府"),
    ("110105201", "崔各庄乡人民政府"),
]
HRSS = ("HRSS110105", "北京市朝阳区人力资源和社会保障局")

# (school, grade, how many)
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


class Ids:
    """Fictitious, valid-format ID numbers, never the same twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, born: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(1, 1000)
            if (sequence % 2 == 1) != (sex == "男"):
                sequence = sequence + 1 if sequence < 999 else sequence - 1
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number


def birth_range(grade: int) -> tuple[date, date]:
    entry_year = {1: 2019, 7: 2013, 10: 2010}[grade]
    return date(entry_year - 1, 9, 1), date(entry_year, 8, 31)


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def make_pupils(rng: random.Random, ids: Ids) -> list[Pupil]:
    names = [s + "某" + c for s in SURNAMES for c in CYCLIC]
    rng.shuffle(names)
    townships = [code for code, _ in TOWNSHIPS]
    pupils: list[Pupil] = []
    for school, grade, count in INTAKE:
        for _ in range(count):
            sex = rng.choice("男女")
            born = random_day(rng, *birth_range(grade))
            row = len(pupils) + 2
            roll = rng.random()
            if roll < 0.8:
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
                pupil.roster_reference = f"2025-{DISTRICT}-GZ-{row:04d}"
            if school == "S110105007":
                pupil.disabled = True
                pupil.beijing = True
                pupil.province = None
                pupil.hukou_township = pupil.residence_township
                pupil.documents = list(LOCAL_DOCUMENTS)
                pupil.id_number = ids.make(BEIJING_BORN, born, sex)
            pupils.append(pupil)
    return pupils


def by(
    pupils: list[Pupil], school: str, grade: int, *, beijing: bool = True
) -> list[Pupil]:
    return [
        p
        for p in pupils
        if p.school == school
        and p.grade == grade
        and p.beijing is beijing
        and p.id_number
        and not p.disabled
        and p.treated is None
    ]


def shape(pupils: list[Pupil]) -> dict[str, Pupil]:
    """Give a few rows the special cases the demo exercises; returns them
    by role."""
    cases: dict[str, Pupil] = {}

    # 视同本市户籍 (第十五条): non-Beijing hukou with a parent's 工作居住证, and
    # a postdoctoral researcher's child.
    nonlocal_g1 = [p for p in pupils if not p.beijing and p.grade == 1]
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
    # A senior without the 考试院 roster entry: incomplete (第十四条).
    cases["no-roster-entry"] = by(pupils, "S110105005", 10)[0]
    cases["no-roster-entry"].roster_reference = None

    # Rows without an ID document: L numbers (第十七条第二款).
    for role, pupil in zip(
        ["no-id-primary", "no-id-junior", "no-id-senior"],
        [
            by(pupils, "S110105002", 1)[0],
            by(pupils, "S110105003", 7)[0],
            by(pupils, "S110105006", 10)[0],
        ],
        strict=True,
    ):
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

    # Registration cases.
    first = by(pupils, "S110105001", 1)
    second = by(pupils, "S110105002", 1)
    cases["delayed-on-time"] = first[0]
    cases["late-within-window"] = first[1]
    cases["deferral-accepted"] = first[2]
    cases["deferral-hospital"] = first[3]
    cases["deferral-late"] = second[1]
    cases["delayed-late-compulsory"] = second[2]
    cases["never-registers-compulsory"] = by(pupils, "S110105003", 7)[1]
    cases["delayed-late-senior"] = by(pupils, "S110105005", 10)[1]
    cases["justified-senior"] = by(pupils, "S110105006", 10)[1]
    cases["never-registers-senior"] = by(pupils, "S110105005", 10)[2]
    cases["id-correction"] = by(pupils, "S110105003", 7)[2]
    cases["already-enrolled"] = first[4]
    return cases


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
        key = f"{DISTRICT}{pupil.born:%Y%m%d}"
        serials[key] = serials.get(key, 0) + 1
        pupil.number = StudentNumber.temporary(DISTRICT, pupil.born, serials[key]).value


# ---------------------------------------------------------------- writing


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def orgs_toml() -> str:
    lines = [
        "# 朝阳区 2025-2026 example: organisations for `xueji load orgs`.",
        "# District codes are GB/T 2260; school names and codes are illustrative;",
        "# the street offices and townships are real, their codes illustrative.",
        "# Generated by generate.py: edit that, not this file.",
        "",
        "beijing_districts = true  # the 16 districts and 燕山, 经开区",
        "",
    ]
    for code, name, kind, served in SCHOOLS:
        lines += [
            "[[school]]",
            f"code = {toml_value(code)}",
            f"name = {toml_value(name)}",
            f"district = {toml_value(DISTRICT)}",
            f"region_code = {toml_value(DISTRICT)}",
            f"type = {toml_value(kind)}",
            'system = "6-3"',
        ]
        if served:
            lines.append(f"townships = {toml_value(served)}")
        lines.append("")
    for code, name in TOWNSHIPS:
        lines += [
            "[[township]]",
            f"code = {toml_value(code)}",
            f"name = {toml_value(name)}",
            f"district = {toml_value(DISTRICT)}",
            "",
        ]
    lines += [
        "[[hrss_office]]",
        f"code = {toml_value(HRSS[0])}",
        f"name = {toml_value(HRSS[1])}",
        f"district = {toml_value(DISTRICT)}",
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
                DISTRICT if p.beijing else "",
                p.hukou_township or "",
                p.province or "",
                DISTRICT,
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
    if isinstance(value, list):
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
        "hukou": {"beijing": True, "district": DISTRICT, "township": p.hukou_township},
    }
    if p.id_number:
        data["id_number"] = p.id_number
    else:
        data["document"] = "无"
    data["residence_district"] = DISTRICT
    data["residence_township"] = p.residence_township
    return data


def school_registrar(school: str) -> str:
    return f"school:{school}:{REGISTRAR}"


def township(pupil: Pupil) -> str:
    """The registrar of the township of the pupil's hukou (第十一条)."""
    return f"township:{pupil.hukou_township}:{REGISTRAR}"


def requests_yaml(ids: Ids, pupils: list[Pupil], cases: dict[str, Pupil]) -> str:
    out = [
        "# 朝阳区 2025-2026: the school year's request stream for `xueji submit`",
        "# (and `xueji demo`, which runs it in date order).  Everything here is",
        "# fictitious.  Generated by generate.py: edit that, not this file.",
        "",
    ]
    district = f"district:{DISTRICT}:{REGISTRAR}"

    # --- admissions outside the roster --------------------------------
    born = date(2015, 5, 1)
    out.append(
        entry(
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
    )
    born = date(2019, 9, 1)
    out.append(
        entry(
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
    )
    taken = cases["already-enrolled"]
    out.append(
        entry(
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
    )
    born = date(2019, 3, 14)
    out.append(
        entry(
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
    )
    twin = cases["no-id-primary"]
    out.append(
        entry(
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
    )
    out.append(
        entry(
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
    )
    duplicate_number = StudentNumber.temporary(DISTRICT, twin.born, 2).value

    corrected = cases["id-correction"]
    assert corrected.id_number is not None
    new_id = ids.make(corrected.id_number[:6], corrected.born, corrected.sex)
    out.append(
        entry(
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
    )
    temporary = cases["no-id-junior"]
    national = StudentNumber.national_j(DISTRICT, temporary.born, 1).value
    out.append(
        entry(
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
    )
    temporary.number = national

    # --- registration -------------------------------------------------
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
    out.append("")
    out.append("# 第十六条第一款: new students register on the term's first day")
    for n, p in enumerate(on_time, start=1):
        out.append(
            entry(
                None,
                "registration",
                school_registrar(p.school),
                {"id": f"reg-{n:04d}", "on": date(2025, 9, 1), "student": p.number},
            )
        )
    out.append(
        entry(
            "the student admitted after the duplicate review",
            "registration",
            school_registrar("S110105001"),
            {"id": "reg-reviewed", "on": date(2025, 9, 1), "student": duplicate_number},
        )
    )
    for n, p in enumerate([cases["dual"], cases["dual-twin"]], start=1):
        out.append(
            entry(
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
        )
    p = cases["late-within-window"]
    out.append(
        entry(
            "late, within the 5 working days: a delayed registration (warning)",
            "registration",
            school_registrar(p.school),
            {"id": "reg-late-in-window", "on": date(2025, 9, 3), "student": p.number},
        )
    )
    p = cases["delayed-on-time"]
    out.append(
        entry(
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
    )
    out.append(
        entry(
            None,
            "registration",
            school_registrar(p.school),
            {"id": "reg-after-delay", "on": date(2025, 9, 11), "student": p.number},
        )
    )
    p = cases["delayed-late-compulsory"]
    out.append(
        entry(
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
    )
    p = cases["delayed-late-senior"]
    out.append(
        entry(
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
    )
    p = cases["justified-senior"]
    out.append(
        entry(
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
    )
    out.append(
        entry(
            None,
            "registration",
            school_registrar(p.school),
            {
                "id": "reg-justified-senior",
                "on": date(2025, 9, 15),
                "student": p.number,
            },
        )
    )

    # --- deferral -----------------------------------------------------
    hospital_a = {
        "hospital": "首都医科大学附属北京朝阳医院",
        "grade": "三级甲等",
        "issued_on": date(2025, 8, 20),
        "finding": "（示例）需继续治疗一学年",
    }
    p = cases["deferral-accepted"]
    out.append(
        entry(
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
    )
    p = cases["deferral-hospital"]
    out.append(
        entry(
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
    )
    p = cases["deferral-late"]
    out.append(
        entry(
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
    )
    return "\n".join(out) + "\n"


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


def jobs_yaml() -> str:
    return "\n".join(
        [
            "# The dated jobs `xueji demo` runs between the requests (after every",
            "# request of the same day).  Generated by generate.py.",
            "- job: close-registration  # 第十六条第二、三款: window closed 09-08",
            "  school_year: 2025-2026",
            "  on: 2025-09-09",
            "- job: end-deferrals  # 第十一条第二款: 缓学 ends with the year",
            "  on: 2026-09-01",
            "",
        ]
    )


def plans_toml(plans: dict[tuple[str, int], int]) -> str:
    lines = [
        "# Illustrative enrollment plans (招生计划, 第九条) for the demo's plugin.",
        "# Invented numbers: the roster's intake, some room to spare, and one",
        "# full plan (第二示例小学 grade 1) so that one admission is refused.",
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


def main() -> None:
    rng = random.Random(20250901)
    ids = Ids(rng)
    pupils = make_pupils(rng, ids)
    cases = shape(pupils)
    assign_numbers(pupils)
    births = [p.born for p in pupils if p.id_number is None]
    assert len(set(births)) == len(births), "two rows without ID share a birth date"
    texts = {
        "orgs.toml": orgs_toml(),
        "roster.csv": roster_csv(rng, pupils),
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
