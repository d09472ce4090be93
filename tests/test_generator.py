"""The generated Beijing register (benchmarks/generator.py): the same from
the same seed, valid fictitious ID numbers, realistic proportions, rosters
the loader reads, and a school year of requests the register knows."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from itertools import islice
from pathlib import Path

import openpyxl
from stdnum.cn import ric

from xueji import (
    REQUEST_KINDS,
    DocumentKind,
    MemoryStore,
    Register,
    SchoolType,
    Sex,
    parse_request_document,
)
from xueji._roster import read_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generator import (
    BEIJING_REGIONS,
    OTHER_REGIONS,
    TAIWAN_PERMIT,
    BeijingRegister,
    write_roster_csv,
    write_roster_xlsx,
)

SMALL = BeijingRegister(5, students=30_000)


def rows(generator: BeijingRegister, count: int) -> list[list[str]]:
    return [generator.roster_row(p) for p in islice(generator.pupils(), count)]


def test_the_same_seed_gives_the_same_register() -> None:
    again = BeijingRegister(5, students=30_000)

    assert again.schools == SMALL.schools
    assert rows(again, 500) == rows(SMALL, 500)


def test_another_seed_gives_other_students() -> None:
    other = BeijingRegister(6, students=30_000)

    assert rows(other, 200) != rows(SMALL, 200)


def test_the_city_has_its_18_district_units_and_about_1800_schools() -> None:
    kinds = Counter(s.type for s in SMALL.schools)

    assert len(SMALL.districts) == 18
    assert {s.district for s in SMALL.schools} == {d.code for d in SMALL.districts}
    assert 1700 <= len(SMALL.schools) <= 1850
    assert 1000 <= kinds[SchoolType.PRIMARY] <= 1100
    junior = kinds[SchoolType.JUNIOR] + kinds[SchoolType.NINE_YEAR]
    senior = kinds[SchoolType.SENIOR] + kinds[SchoolType.COMPLETE]
    assert 300 <= junior <= 380
    assert 280 <= senior <= 360
    assert 20 <= kinds[SchoolType.SPECIAL_EDUCATION] <= 30
    assert 1 <= kinds[SchoolType.SPECIALIZED] <= 10


def test_every_pupil_is_at_a_school_that_teaches_the_grade() -> None:
    pupils = list(SMALL.pupils())

    assert len(pupils) == 30_000
    assert all(p.school.offers(p.grade) for p in pupils)
    assert set(Counter(p.grade for p in pupils)) == set(range(1, 13))


def test_id_numbers_are_valid_by_python_stdnum_on_a_sample() -> None:
    sample = [
        p
        for p in islice(SMALL.pupils(), 0, 30_000, 37)
        if p.particulars.id_number is not None
    ]

    for pupil in sample:
        number = pupil.particulars.id_number
        assert number is not None
        assert ric.calc_check_digit(number) == number[17]  # the whole number
        assert ric.get_birth_date(number) == pupil.particulars.birth_date
        odd = int(number[16]) % 2 == 1
        assert odd == (pupil.particulars.sex is Sex.MALE)
    assert len(sample) > 700


def test_no_id_number_uses_a_real_county_code() -> None:
    fictitious = {*BEIJING_REGIONS, *(r for r, _ in OTHER_REGIONS), TAIWAN_PERMIT}

    regions = {
        p.particulars.id_number[:6]
        for p in SMALL.pupils()
        if p.particulars.id_number is not None
    }

    assert regions <= fictitious


def test_id_numbers_are_unique_across_the_register_and_an_intake() -> None:
    numbers = [
        p.particulars.id_number
        for source in (SMALL.pupils(), SMALL.intake(20_000))
        for p in source
        if p.particulars.id_number is not None
    ]

    assert len(numbers) == len(set(numbers))


def test_a_few_students_have_a_passport_or_no_document() -> None:
    kinds = Counter(p.particulars.document for p in SMALL.pupils())

    assert 0 < kinds[DocumentKind.PASSPORT] < 300
    assert 0 < kinds[DocumentKind.NONE] < 300
    assert kinds[DocumentKind.RESIDENT_ID] > 29_000


def test_grade_one_pupils_are_six_by_the_cut_off() -> None:
    first = [p for p in SMALL.intake(3000) if p.grade == 1]

    assert first
    assert all(p.particulars.birth_date <= date(2019, 8, 31) for p in first)


def test_the_intake_is_of_the_entry_grades_only() -> None:
    grades = Counter(p.grade for p in SMALL.intake(3600))

    assert set(grades) == {1, 7, 10}
    assert sum(grades.values()) == 3600
    assert grades[1] > grades[7] > grades[10]


def test_csv_and_xlsx_rosters_read_back_as_the_same_rows(tmp_path: Path) -> None:
    pupils = list(SMALL.intake(50))
    write_roster_csv(tmp_path / "r.csv", pupils, encoding="gb18030")
    write_roster_xlsx(tmp_path / "r.xlsx", pupils)

    def records() -> list[tuple[object, ...]]:
        book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
        found = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return found

    schools, townships = SMALL.schools, SMALL.townships
    from_csv, problems = read_rows(
        (tmp_path / "r.csv").read_bytes(),
        source="r.csv",
        schools=schools,
        townships=townships,
    )
    from_xlsx, xlsx_problems = read_rows(
        b"",
        source="r.xlsx",
        kind="xlsx",
        records=records,
        schools=schools,
        townships=townships,
    )

    assert problems == xlsx_problems == []
    assert from_csv == from_xlsx
    assert len(from_csv) == 50


def test_the_activity_is_requests_the_register_knows() -> None:
    calendars = Register(MemoryStore()).calendars
    pupils = [p for p in SMALL.pupils() if p.school.code == SMALL.schools[400].code]

    entries = list(SMALL.activity(pupils, calendars))
    parsed = parse_request_document(entries, source="activity")

    kinds = Counter(e["kind"] for e in entries)
    assert set(kinds) <= set(REQUEST_KINDS)
    assert {"attendance-marks", "graduation-roster"} <= set(kinds)
    assert len(parsed) == len(entries)


def test_attendance_marks_fall_on_about_3_percent_of_school_days() -> None:
    calendars = Register(MemoryStore()).calendars
    pupils = [p for p in islice(SMALL.pupils(), 400) if p.number is not None]

    marks = list(SMALL.attendance_records(pupils, calendars))

    days = 80  # the first term has about 80 school days
    share = len(marks) / (len(pupils) * days)
    assert 0.02 < share < 0.045
    assert {m.kind for m in marks} == {"attendance"}
