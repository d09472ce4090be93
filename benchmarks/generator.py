"""A Beijing-sized register of fictitious students, for benchmarks and tests.

Everything is deterministic from a seed, and streamed: schools are few
(about 1,800) and held in memory; students, roster rows, activity and
attendance marks are generators, one school and grade at a time, so that
two million students never sit in memory at once.

- **Organisations**: the 18 district-level units of
  ``xueji.load_districts()``; about 1,800 schools — 1,080 primary, 130 junior,
  210 nine-year, 200 complete and 120 senior schools, 20 twelve-year, 25
  special-education and 5 specialized (专门) schools — spread over the
  districts by their share of Beijing's pupils; about 330 townships and
  street offices.
- **Students**: about 2,000,000 across grades 1-12 (a cohort shape of
  recent years), each at a school that offers the grade.  ID numbers are
  valid in format — region code, birth date in the grade's cohort, sequence
  (odd for boys), MOD 11-2 check character computed — with region codes no
  county has (110199, 110198, 110197 for Beijing 户籍; xx0199 for other
  provinces; 830000 for Taiwan residents' permits), so none is a real
  person's.  Names are a surname, 某 and a cyclic character, the way Chinese
  documents anonymise people.  A few students carry a passport or no
  document (they get L numbers).
- **Intake**: the autumn's new students of the entry grades (一年级, 七年级,
  高一) as roster rows (CSV in UTF-8, UTF-8 with BOM or GB18030, or XLSX) or
  as :class:`xueji.Admission` requests; a few rows lack a document or the
  senior admission roster entry, so that the register decides them
  incomplete.
- **Activity** of school year 2025-2026: registration, absences on about 3%
  of school days (as :class:`xueji.AttendanceMarks` request documents or as
  the attendance records the chapter keeps), transfers, suspensions,
  withdrawals and graduation rosters, as request documents of the kinds in
  ``xueji.REQUEST_KINDS``.

Run ``python benchmarks/generator.py --help`` for the files it writes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import random
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from xueji import (
    Admission,
    Applicant,
    ApplicantKind,
    AttendanceEntry,
    AttendanceMark,
    AttendanceMarks,
    CalendarStage,
    DocumentKind,
    Graduate,
    GraduationRoster,
    Guardian,
    HospitalGrade,
    Hukou,
    Mark,
    MedicalRecord,
    PluginInfo,
    Record,
    Registration,
    School,
    SchoolType,
    Sex,
    Stage,
    StudentParticulars,
    SuspensionApplication,
    SuspensionCause,
    SuspensionGround,
    Township,
    TransferApplication,
    TransferReason,
    WithdrawalApplication,
    WithdrawalGround,
    dumps,
    load_districts,
    unstructure,
)
from xueji._identity import id_check_char
from xueji.hookspecs import hookimpl

SCHOOL_YEAR = "2025-2026"
COMPULSORY_ADMITTED = date(2025, 7, 18)
SENIOR_ADMITTED = date(2025, 7, 25)

# Schools of each type in the city (about 1,790 in all).
SCHOOL_TYPES: tuple[tuple[SchoolType, int], ...] = (
    (SchoolType.PRIMARY, 1080),
    (SchoolType.JUNIOR, 130),
    (SchoolType.NINE_YEAR, 210),
    (SchoolType.COMPLETE, 200),
    (SchoolType.SENIOR, 120),
    (SchoolType.TWELVE_YEAR, 20),
    (SchoolType.SPECIAL_EDUCATION, 25),
    (SchoolType.SPECIALIZED, 5),
)

# Each district-level unit's share of the city's pupils (per mille), and the
# region code its schools carry (燕山 stands in 房山区, 经开区 in 大兴区).
DISTRICT_SHARES: dict[str, tuple[int, str]] = {
    "110101": (50, "110101"),
    "110102": (70, "110102"),
    "110105": (140, "110105"),
    "110106": (80, "110106"),
    "110107": (30, "110107"),
    "110108": (140, "110108"),
    "110109": (15, "110109"),
    "110111": (55, "110111"),
    "110112": (80, "110112"),
    "110113": (60, "110113"),
    "110114": (90, "110114"),
    "110115": (75, "110115"),
    "110116": (20, "110116"),
    "110117": (20, "110117"),
    "110118": (25, "110118"),
    "110119": (15, "110119"),
    "yanshan": (5, "110111"),
    "jingkai": (15, "110115"),
}

# Pupils per grade (thousands): recent Beijing cohorts, scaled to the total.
GRADE_SHAPE: dict[int, int] = {
    1: 180, 2: 200, 3: 210, 4: 205, 5: 195, 6: 185,
    7: 150, 8: 150, 9: 150, 10: 115, 11: 115, 12: 115,
}  # fmt: skip
# The autumn's new students: entry grades only.
ENTRY_SHAPE: dict[int, int] = {1: 180, 7: 120, 10: 60}

BEIJING_REGIONS = ("110199", "110198", "110197")
OTHER_REGIONS = (
    ("130199", "河北省"),
    ("370199", "山东省"),
    ("410199", "河南省"),
    ("230199", "黑龙江省"),
    ("340199", "安徽省"),
    ("510199", "四川省"),
    ("420199", "湖北省"),
    ("140199", "山西省"),
)
TAIWAN_PERMIT = "830000"
# Sequence slots per region, birth date and sex: a population (the register,
# an intake) takes its own quarter, so two populations never share a number.
SLOTS = 125

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
)
CYCLIC = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"

CSV_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030"}

ROSTER_HEADER = (
    "姓名",
    "性别",
    "出生日期",
    "证件类型",
    "证件号码",
    "户籍",
    "户籍区",
    "户籍街道",
    "户籍省份",
    "居住区",
    "学校代码",
    "年级",
    "学年",
    "录取日期",
    "录取名册编号",
    "入学材料",
    "残疾",
    "监护人",
    "监护人关系",
    "监护人电话",
)


def _rng(seed: int, *parts: object) -> random.Random:
    """A random generator of its own for each part, so that any part can be
    made alone and comes out the same."""
    text = ":".join(str(p) for p in (seed, *parts))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8]))


def _stages(kind: SchoolType) -> tuple[int, ...]:
    """The grades a school of ``kind`` teaches (6-3 school system)."""
    primary, junior, senior = range(1, 7), range(7, 10), range(10, 13)
    return {
        SchoolType.PRIMARY: (*primary,),
        SchoolType.JUNIOR: (*junior,),
        SchoolType.NINE_YEAR: (*primary, *junior),
        SchoolType.COMPLETE: (*junior, *senior),
        SchoolType.SENIOR: (*senior,),
        SchoolType.TWELVE_YEAR: (*primary, *junior, *senior),
        SchoolType.SPECIAL_EDUCATION: (*primary, *junior, *senior),
        SchoolType.SPECIALIZED: (*junior, *senior),
    }[kind]


@dataclass(frozen=True)
class Pupil:
    """One generated student: where, which grade, who."""

    school: School
    grade: int
    particulars: StudentParticulars
    documents: tuple[str, ...]
    roster_reference: str | None
    hukou_township: str | None

    @property
    def number(self) -> str | None:
        """The 学籍号 the register will issue: G + a mainland ID number; None
        for the L numbers the register counts itself."""
        p = self.particulars
        if p.document is DocumentKind.RESIDENT_ID and p.id_number is not None:
            return "G" + p.id_number
        return None


class BeijingRegister:
    """The generator: organisations in memory, everything else streamed.

    Args:
        seed: every choice follows from it.
        students: how many students the whole register holds (grades 1-12).
    """

    def __init__(self, seed: int = 2026, *, students: int = 2_000_000) -> None:
        self.seed = seed
        self.students = students
        self.districts = load_districts()
        self.schools = self._make_schools()
        self.townships = self._make_townships()
        self._by_grade: dict[int, list[School]] = {}
        for school in self.schools:
            for grade in _stages(school.type):
                self._by_grade.setdefault(grade, []).append(school)
        self._weights = {
            s.code: 0.4 + _rng(seed, "size", s.code).random() * 1.2
            for s in self.schools
        }

    # -------------------------------------------------------- organisations

    def _make_schools(self) -> list[School]:
        shares = sum(share for share, _ in DISTRICT_SHARES.values())
        schools: list[School] = []
        for kind, count in SCHOOL_TYPES:
            placed = 0
            items = list(DISTRICT_SHARES.items())
            for index, (district, (share, region)) in enumerate(items):
                n = (
                    count - placed
                    if index == len(items) - 1
                    else round(count * share / shares)
                )
                placed += n
                for _ in range(n):
                    serial = sum(1 for s in schools if s.district == district) + 1
                    code = f"S{region}{'0' if district[0] == '1' else '9'}{serial:04d}"
                    if district == "jingkai":
                        code = f"S{region}8{serial:04d}"
                    name = self._district_name(district)
                    schools.append(
                        School(
                            code=code,
                            name=f"北京市{name}第{serial}示例{kind.value}",
                            district=district,
                            region_code=region,
                            type=kind,
                        )
                    )
        return sorted(schools, key=lambda s: s.code)

    def _district_name(self, code: str) -> str:
        return next(d.name for d in self.districts if d.code == code)

    def _make_townships(self) -> list[Township]:
        townships: list[Township] = []
        for district, (share, region) in DISTRICT_SHARES.items():
            count = max(3, share * 330 // 1000)
            base = 900 if district in ("yanshan", "jingkai") else 0
            base += 50 if district == "jingkai" else 0
            for n in range(1, count + 1):
                townships.append(
                    Township(
                        code=f"{region}{base + n:03d}",
                        name=f"{self._district_name(district)}示例街道{n}",
                        district=district,
                    )
                )
        return townships

    def organisations(self) -> list[Any]:
        """Districts, schools and townships, to load into a register."""
        return [*self.districts, *self.schools, *self.townships]

    def townships_of(self, district: str) -> list[Township]:
        return [t for t in self.townships if t.district == district]

    # ------------------------------------------------------------- students

    def _grade_sizes(self, total: int, shape: dict[int, int]) -> dict[int, int]:
        whole = sum(shape.values())
        sizes = {g: total * n // whole for g, n in shape.items()}
        for grade in sorted(shape)[: total - sum(sizes.values())]:
            sizes[grade] += 1  # the remainder, so that the total is exact
        return sizes

    def _school_sizes(self, grade: int, pupils: int) -> list[tuple[School, int]]:
        """Pupils of ``grade`` at each school teaching it; special-education
        and specialized schools take a few of every grade."""
        schools = self._by_grade[grade]
        # About 30 a grade at a special-education school, 17 at a specialized
        # one, in a city-sized cohort; fewer in a smaller one.
        small = {
            SchoolType.SPECIAL_EDUCATION: round(pupils / 6000),
            SchoolType.SPECIALIZED: round(pupils / 9000),
        }
        fixed = [(s, small[s.type]) for s in schools if s.type in small]
        rest = [s for s in schools if s.type not in small]
        left = max(0, pupils - sum(n for _, n in fixed))
        weight = sum(self._weights[s.code] for s in rest)
        sizes = [(s, int(left * self._weights[s.code] / weight)) for s in rest]
        short = left - sum(n for _, n in sizes)
        sizes = [(s, n + (1 if i < short else 0)) for i, (s, n) in enumerate(sizes)]
        return sorted([*fixed, *sizes], key=lambda x: x[0].code)

    def pupils(
        self,
        total: int | None = None,
        *,
        shape: dict[int, int] | None = None,
        population: int = 0,
        school_year: str = SCHOOL_YEAR,
    ) -> Iterator[Pupil]:
        """Students, school by school and grade by grade.

        Args:
            total: how many (default: the register's size).
            shape: pupils per grade, relative (default: every grade).
            population: 0 for the register, 1-3 for other populations (an
                intake made apart from it): their ID numbers never meet.
            school_year: the school year the grades are of.
        """
        shape = shape or GRADE_SHAPE
        sizes = self._grade_sizes(self.students if total is None else total, shape)
        first = int(school_year[:4])
        per_school: dict[str, dict[int, int]] = {}
        for grade in sorted(sizes):
            for school, count in self._school_sizes(grade, sizes[grade]):
                per_school.setdefault(school.code, {})[grade] = count
        # School by school, as a school's registrar exports its roster; the
        # ID numbers are counted per grade across the city.
        counters: dict[tuple[int, str, bool], int] = {}
        for school in self.schools:
            for grade, count in sorted(per_school.get(school.code, {}).items()):
                rng = _rng(self.seed, population, school.code, grade)
                for index in range(count):
                    yield self._pupil(
                        rng, school, grade, index, first, population, counters
                    )

    def _pupil(
        self,
        rng: random.Random,
        school: School,
        grade: int,
        index: int,
        first_year: int,
        population: int,
        counters: dict[tuple[int, str, bool], int],
    ) -> Pupil:
        male = rng.random() < 0.52
        sex = Sex.MALE if male else Sex.FEMALE
        roll = rng.random()
        local = roll < 0.72
        kind = DocumentKind.RESIDENT_ID
        if roll > 0.997:
            kind = DocumentKind.PASSPORT
        elif roll > 0.996:
            kind = DocumentKind.NONE
        elif roll > 0.995:
            kind = DocumentKind.HMT_RESIDENCE_PERMIT
        group = "bj" if local else "other"
        if kind is DocumentKind.HMT_RESIDENCE_PERMIT:
            group = "tw"
        key = (grade, group, male)
        k = counters.get(key, 0)
        counters[key] = k + 1
        # A cohort is born from 1 September to 31 August (the entry cut-off).
        cohort_start = date(first_year - 6 - grade, 9, 1)
        born = cohort_start + timedelta(days=k % 365)
        r = k // 365
        slot = population * SLOTS + r % SLOTS
        if group == "bj":
            region, province = BEIJING_REGIONS[r // SLOTS], None
        elif group == "tw":
            region, province = TAIWAN_PERMIT, "台湾"
        else:
            region, province = OTHER_REGIONS[(r // SLOTS) % len(OTHER_REGIONS)]
        id_number: str | None = None
        if kind in (DocumentKind.RESIDENT_ID, DocumentKind.HMT_RESIDENCE_PERMIT):
            first17 = f"{region}{born:%Y%m%d}{2 * slot + (1 if male else 0):03d}"
            id_number = first17 + id_check_char(first17)
        if kind is not DocumentKind.RESIDENT_ID:
            local = False
        # 户籍 is in a district with a region code: where the school stands.
        townships = self.townships_of(school.region_code)
        hukou_township = (
            rng.choice(townships).code if local and rng.random() < 0.5 else None
        )
        surname = SURNAMES[rng.randrange(len(SURNAMES))]
        name = f"{surname}某{CYCLIC[index % len(CYCLIC)]}"
        if rng.random() < 0.3:
            name += CYCLIC[(index // len(CYCLIC)) % len(CYCLIC)]
        guardian = Guardian(
            f"{surname}某某",
            "父亲" if rng.random() < 0.5 else "母亲",
            f"1380000{rng.randrange(10000):04d}",
        )
        particulars = StudentParticulars(
            name=name,
            sex=sex,
            birth_date=born,
            hukou=Hukou(
                beijing=local,
                district=school.region_code if local else None,
                township=hukou_township,
                province=None if local else province,
            ),
            document=kind,
            id_number=id_number,
            residence_district=school.region_code,
            guardians=(guardian,),
            disabled=school.type is SchoolType.SPECIAL_EDUCATION,
        )
        documents: tuple[str, ...] = ("户口簿",)
        if not local and grade < 10:
            documents += ("在京工作证明", "在京实际住所居住证明", "北京市居住证")
            if rng.random() < 0.03:
                documents = documents[:-1]  # incomplete: the register says so
        reference = None
        if grade >= 10 and rng.random() < 0.98:
            reference = f"BJEEA-{first_year}-{school.code}-{index:05d}"
        return Pupil(school, grade, particulars, documents, reference, hukou_township)

    def intake(self, total: int = 360_000, *, population: int = 1) -> Iterator[Pupil]:
        """The autumn's new students of the entry grades (一年级, 七年级, 高一)."""
        return self.pupils(total, shape=ENTRY_SHAPE, population=population)

    # ------------------------------------------------------------- requests

    @staticmethod
    def admission(pupil: Pupil, index: int) -> Admission:
        """The admission a roster row asks for, as a request."""
        on = COMPULSORY_ADMITTED if pupil.grade < 10 else SENIOR_ADMITTED
        key = f"gen-{pupil.school.code}-{pupil.grade}-{index}"
        return Admission(
            id=key,
            on=on,
            school=pupil.school.code,
            grade=pupil.grade,
            school_year=SCHOOL_YEAR,
            student=pupil.particulars,
            documents=pupil.documents,
            roster_reference=pupil.roster_reference,
            idempotency_key=key,
        )

    @staticmethod
    def roster_row(pupil: Pupil) -> list[str]:
        """One roster row under :data:`ROSTER_HEADER`."""
        p = pupil.particulars
        guardian = p.guardians[0]
        on = COMPULSORY_ADMITTED if pupil.grade < 10 else SENIOR_ADMITTED
        return [
            p.name,
            p.sex.value,
            p.birth_date.isoformat(),
            p.document.value,
            p.id_number or "",
            "本市" if p.hukou.beijing else "非本市",
            p.hukou.district or "",
            p.hukou.township or "",
            p.hukou.province or "",
            p.residence_district or "",
            pupil.school.code,
            str(pupil.grade),
            SCHOOL_YEAR,
            on.isoformat(),
            pupil.roster_reference or "",
            "；".join(pupil.documents),
            "是" if p.disabled else "",
            guardian.name,
            guardian.relation,
            guardian.phone or "",
        ]

    def plans(
        self, pupils: Iterable[Pupil], *, short: float = 0.02
    ) -> dict[tuple[str, str, int], int]:
        """Enrollment plans (招生计划, 第九条) for the pupils' schools and
        grades: a little above the admissions, except at a share ``short`` of
        the schools, whose plan is two short (their last two admissions of a
        grade are refused)."""
        counts: dict[tuple[str, str, int], int] = {}
        for pupil in pupils:
            key = (pupil.school.code, SCHOOL_YEAR, pupil.grade)
            counts[key] = counts.get(key, 0) + 1
        plans = {}
        for (school, year, grade), n in counts.items():
            cut = _rng(self.seed, "plan", school).random() < short
            plans[(school, year, grade)] = max(0, n - 2) if cut else n + n // 50 + 1
        return plans

    # ------------------------------------------------------------- activity

    def activity(
        self, pupils: Iterable[Pupil], calendars: Any, *, register_all: bool = False
    ) -> Iterator[dict[str, Any]]:
        """A school year of requests about ``pupils`` (G numbers only; an L
        number is known once the register issues it), as entries of a
        request document (``kind``, ``principal``, ``request``), in date
        order within each school: registration of the new students, weekly
        attendance marks, transfers, suspensions, withdrawals and the
        graduation rosters.  With ``register_all`` every pupil registers
        (a register built from one intake, where every stint waits for its
        入学注册), not only the entry grades'."""
        by_school: dict[str, list[Pupil]] = {}
        for pupil in pupils:
            if pupil.number is not None:
                by_school.setdefault(pupil.school.code, []).append(pupil)
        for code in sorted(by_school):
            yield from self._school_year(by_school[code], calendars, register_all)

    def _school_year(
        self, pupils: list[Pupil], calendars: Any, register_all: bool
    ) -> Iterator[dict[str, Any]]:
        school = pupils[0].school
        rng = _rng(self.seed, "activity", school.code)
        principal = f"school:{school.code}:学籍管理员"

        def entry(kind: str, request: Any) -> dict[str, Any]:
            return {
                "kind": kind,
                "principal": principal,
                "request": unstructure(request),
            }

        start = date(2025, 9, 1)
        for pupil in pupils:
            if (register_all or pupil.grade in (1, 7, 10)) and pupil.number:
                yield entry(
                    "registration",
                    Registration(
                        id=f"reg-{pupil.number[-8:]}-{school.code}",
                        on=start,
                        student=pupil.number,
                    ),
                )
        for stage in (CalendarStage.COMPULSORY, CalendarStage.SENIOR):
            members = [
                p for p in pupils if (p.grade >= 10) == (stage is CalendarStage.SENIOR)
            ]
            if not members:
                continue
            for week_start, days in _weeks(calendars, stage, school.district):
                entries = []
                for pupil in members:
                    for day in days:
                        if rng.random() < 0.03:
                            mark = _absence(rng)
                            entries.append(
                                AttendanceEntry(pupil.number or "", day, mark)
                            )
                if entries:
                    yield entry(
                        "attendance-marks",
                        AttendanceMarks(
                            id=f"att-{school.code}-{stage.value}-{week_start}",
                            on=days[-1],
                            school=school.code,
                            first=days[0],
                            last=days[-1],
                            entries=tuple(entries),
                        ),
                    )
        others = [
            s
            for s in self.schools
            if s.district == school.district and s.code != school.code
        ]
        guardian = Applicant(ApplicantKind.GUARDIAN, "监护人")
        for pupil in pupils:
            number = pupil.number or ""
            roll = rng.random()
            if roll < 0.005:
                target = [s for s in others if pupil.grade in _stages(s.type)]
                if target and pupil.grade not in (1, 6, 7, 9, 10, 12):
                    yield entry(
                        "transfer",
                        TransferApplication(
                            id=f"tr-{number[-8:]}",
                            on=date(2026, 1, 12),
                            student=number,
                            to_school=rng.choice(target).code,
                            reason=TransferReason.RESIDENCE_CHANGE,
                            applicant=guardian,
                            documents=("居住证明",),
                        ),
                    )
            elif roll < 0.007:
                yield entry(
                    "suspension",
                    SuspensionApplication(
                        id=f"sus-{number[-8:]}",
                        on=date(2025, 11, 3),
                        student=number,
                        ground=SuspensionGround.ILLNESS,
                        cause=SuspensionCause.ILLNESS,
                        first_day=date(2025, 11, 4),
                        last_day=date(2026, 7, 10),
                        medical_record=MedicalRecord(
                            "北京示例医院",
                            HospitalGrade.THREE_A,
                            date(2025, 10, 30),
                            "需休养",
                        ),
                        rest_first=date(2025, 11, 4),
                        rest_last=date(2026, 1, 16),
                    ),
                )
            elif roll < 0.0075 and pupil.grade >= 10:
                yield entry(
                    "withdrawal",
                    WithdrawalApplication(
                        id=f"wd-{number[-8:]}",
                        on=date(2026, 3, 16),
                        student=number,
                        ground=WithdrawalGround.APPLICATION,
                        applicant=Applicant(
                            ApplicantKind.GUARDIAN_AND_STUDENT, "学生及监护人"
                        ),
                        form_filled_by=ApplicantKind.STUDENT,
                    ),
                )
        for last, stage in ((6, Stage.PRIMARY), (9, Stage.JUNIOR), (12, Stage.SENIOR)):
            leaving = [p.number or "" for p in pupils if p.grade == last]
            if leaving:
                yield entry(
                    "graduation-roster",
                    GraduationRoster(
                        id=f"grad-{school.code}-{last}",
                        on=date(2026, 6, 22) if last == 12 else date(2026, 7, 1),
                        school=school.code,
                        school_year=SCHOOL_YEAR,
                        stage=stage,
                        graduates=tuple(Graduate(n) for n in leaving),
                    ),
                )

    def attendance_records(
        self,
        pupils: Iterable[Pupil],
        calendars: Any,
        *,
        recorded_at: datetime | None = None,
    ) -> Iterator[Record]:
        """Absences on about 3% of school days, as the attendance chapter
        keeps them (records of kind ``attendance``, 第十九条), for seeding a
        register with a term's marks without deciding every weekly batch."""
        at = recorded_at or datetime(2026, 1, 20, 10, tzinfo=UTC)
        days_of: dict[tuple[str, bool], list[date]] = {}
        serial = 0
        for pupil in pupils:
            if pupil.number is None:
                continue
            senior = pupil.grade >= 10
            key = (pupil.school.district, senior)
            if key not in days_of:
                stage = CalendarStage.SENIOR if senior else CalendarStage.COMPULSORY
                days_of[key] = [
                    d for _, w in _weeks(calendars, stage, key[0]) for d in w
                ]
            rng = _rng(self.seed, "marks", pupil.number)
            for day in days_of[key]:
                if rng.random() < 0.03:
                    serial += 1
                    mark = AttendanceMark(
                        pupil.number, pupil.school.code, day, _absence(rng)
                    )
                    yield Record(
                        id=f"attendan-{serial:016x}",
                        kind="attendance",
                        district=pupil.school.district,
                        on=day,
                        data=dumps(mark),
                        student=pupil.number,
                        school=pupil.school.code,
                        recorded_at=at,
                    )


def _absence(rng: random.Random) -> Mark:
    roll = rng.random()
    if roll < 0.45:
        return Mark.SICK_LEAVE
    if roll < 0.75:
        return Mark.PERSONAL_LEAVE
    if roll < 0.95:
        return Mark.LATE
    return Mark.TRUANT


def _weeks(
    calendars: Any, stage: CalendarStage, district: str
) -> list[tuple[date, list[date]]]:
    """The school days of the first term of 2025-2026, week by week."""
    term = calendars.term(SCHOOL_YEAR, stage, 1)
    days = calendars.school_days(term.start, term.end, stage, district)
    weeks: dict[date, list[date]] = {}
    for day in days:
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
    return sorted(weeks.items())


class PlanPlugin:
    """The generated enrollment plans (招生计划, 第九条) as a district-layer
    plugin of every district: illustrative, never installed."""

    XUEJI_PLUGIN = PluginInfo(
        name="xueji-generated-plans",
        version="0.1.0",
        layer="district",
        districts=tuple(DISTRICT_SHARES),
        legal_basis="示例：生成的招生计划（虚构数字）",
        document_number="（示例，无文号）",
        valid_from=date(2025, 1, 1),
        illustrative=True,
    )

    def __init__(self, plans: dict[tuple[str, str, int], int]) -> None:
        self.plans = plans

    @hookimpl
    def xueji_enrollment_plan(
        self, school: str, school_year: str, grade: int
    ) -> int | None:
        return self.plans.get((school, school_year, grade))


# ----------------------------------------------------------------- files


def write_roster_csv(
    path: Path, pupils: Iterable[Pupil], *, encoding: str = "utf-8"
) -> int:
    """A roster of ``pupils`` as CSV in ``encoding`` (utf-8, utf-8-sig or
    gb18030); returns the rows written."""
    count = 0
    with path.open("w", encoding=CSV_ENCODINGS[encoding], newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        for pupil in pupils:
            writer.writerow(BeijingRegister.roster_row(pupil))
            count += 1
    return count


def write_roster_xlsx(path: Path, pupils: Iterable[Pupil]) -> int:
    """A roster of ``pupils`` as an XLSX workbook (openpyxl's write-only
    mode; the ID numbers as text); returns the rows written."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(list(ROSTER_HEADER))
    count = 0
    for pupil in pupils:
        row: list[Any] = BeijingRegister.roster_row(pupil)
        row[11] = pupil.grade  # a number cell, as spreadsheets keep grades
        sheet.append(row)
        count += 1
    book.save(path)
    return count


def orgs_toml(generator: BeijingRegister) -> str:
    """The organisations as a file for ``xueji load orgs``."""
    out = io.StringIO()
    out.write("beijing_districts = true\n")
    for school in generator.schools:
        out.write(
            "\n[[school]]\n"
            f'code = "{school.code}"\nname = "{school.name}"\n'
            f'district = "{school.district}"\nregion_code = "{school.region_code}"\n'
            f'type = "{school.type.value}"\nsystem = "6-3"\n'
        )
    for township in generator.townships:
        out.write(
            "\n[[township]]\n"
            f'code = "{township.code}"\nname = "{township.name}"\n'
            f'district = "{township.district}"\n'
        )
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a generated Beijing register's files (fictitious)."
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path("generated"))
    parser.add_argument(
        "--students", type=int, default=3000, help="rows of the intake roster"
    )
    parser.add_argument(
        "--format",
        choices=("utf-8", "utf-8-sig", "gb18030", "xlsx"),
        default="utf-8",
    )
    args = parser.parse_args(argv)
    generator = BeijingRegister(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "orgs.toml").write_text(orgs_toml(generator), encoding="utf-8")
    pupils = generator.intake(args.students)
    if args.format == "xlsx":
        path = args.out / "roster.xlsx"
        rows = write_roster_xlsx(path, pupils)
    else:
        path = args.out / f"roster-{args.format}.csv"
        rows = write_roster_csv(path, pupils, encoding=args.format)
    print(f"{args.out / 'orgs.toml'}: {len(generator.schools)} schools")
    print(f"{path}: {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
