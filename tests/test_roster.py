"""Reading rosters (xueji._roster): encodings, columns, and row problems.

ID numbers are fictitious, made under the unassigned county code 110199
with the check character computed (the check itself is tested in
test_identity.py).
"""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from xueji import (
    Admission,
    DocumentKind,
    InvalidInputError,
    LocalBasis,
    RosterError,
    School,
    SchoolType,
    TreatedAsLocal,
)
from xueji._identity import id_check_char
from xueji._roster import decode_roster, parse_roster

PRIMARY = School(
    code="P1",
    name="示例小学",
    district="110105",
    region_code="110105",
    type=SchoolType.PRIMARY,
)
SENIOR = School(
    code="H1",
    name="示例高中",
    district="110105",
    region_code="110105",
    type=SchoolType.SENIOR,
)


def fictitious_id(born: date, sequence: int) -> str:
    first17 = f"110199{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


BORN = date(2019, 3, 2)
ID_MALE = fictitious_id(BORN, 11)
HEADER = "姓名,性别,出生日期,证件号码,户籍,学校代码,年级,学年,录取日期"
ROW = f"王某甲,男,2019-03-02,{ID_MALE},本市,P1,1,2025-2026,2025-07-18"


def read(*lines: str, encoding: str = "utf-8", schools: bool = True) -> list[Admission]:
    data = "\n".join(lines).encode(encoding)
    return parse_roster(
        data, source="roster.csv", schools=[PRIMARY, SENIOR] if schools else None
    )


def problems(*lines: str) -> list[tuple[int, str]]:
    with pytest.raises(RosterError) as caught:
        read(*lines)
    return [(p.row, p.column) for p in caught.value.problems]


# ---------------------------------------------------------------- encodings


def test_utf8_with_a_bom_is_read_as_utf8() -> None:
    text, encoding = decode_roster(codecs.BOM_UTF8 + "姓名".encode(), source="r")

    assert (text, encoding) == ("姓名", "UTF-8")


def test_bytes_that_are_not_utf8_are_read_as_gb18030() -> None:
    text, encoding = decode_roster("姓名,性别".encode("gb18030"), source="r")

    assert (text, encoding) == ("姓名,性别", "GB18030")


def test_utf16_is_refused_with_the_advice_to_resave_as_utf8() -> None:
    with pytest.raises(InvalidInputError, match="re-save the file as UTF-8"):
        decode_roster("姓名".encode("utf-16"), source="r")


def test_mixed_encodings_name_the_lines_of_each() -> None:
    data = "姓名\n王某甲\n".encode() + "李某乙\n".encode("gb18030")

    with pytest.raises(InvalidInputError) as caught:
        decode_roster(data, source="r")

    assert "第1、2行是UTF-8，第3行不是" in str(caught.value)


# ---------------------------------------------------------------- columns


def test_a_row_becomes_an_admission() -> None:
    (admission,) = read(HEADER, ROW)

    assert admission.school == "P1"
    assert admission.grade == 1
    assert admission.on == date(2025, 7, 18)
    assert admission.student.id_number == ID_MALE
    assert admission.student.document is DocumentKind.RESIDENT_ID
    assert admission.student.hukou.beijing is True
    assert admission.id == admission.idempotency_key
    assert admission.id.startswith("roster-")


def test_english_headers_are_accepted_in_any_case() -> None:
    header = "Name,SEX,birth_date,id_number,hukou,school,grade,school_year,on"

    (admission,) = read(header, ROW)

    assert admission.student.name == "王某甲"


def test_a_header_note_in_brackets_is_ignored() -> None:
    (admission,) = read(HEADER.replace("户籍", "户籍(本市/非本市)"), ROW)

    assert admission.student.hukou.beijing is True


def test_an_unknown_or_missing_column_is_a_problem_of_row_1() -> None:
    header = HEADER.replace("性别", "性 别")

    assert problems(header, ROW) == [(1, "性 别"), (1, "性别")]


def test_grades_may_be_written_as_their_names() -> None:
    senior = (
        f"李某乙,女,2010-03-02,{fictitious_id(date(2010, 3, 2), 22)},本市,"
        "H1,高一,2025-2026,2025-07-25"
    )

    (admission,) = read(HEADER, senior)

    assert admission.grade == 10


def test_a_legacy_15_digit_number_is_upgraded() -> None:
    legacy = "110199190302011"  # born 1919-03-02 in the 15-digit layout
    row = f"赵某丙,男,1919-03-02,{legacy},本市,P1,1,2025-2026,2025-07-18"

    (admission,) = read(HEADER, row, schools=False)

    assert admission.student.id_number == fictitious_id(date(1919, 3, 2), 11)


def test_treated_as_local_columns_become_the_evidence_of_article_15() -> None:
    header = HEADER + ",视同本市户籍依据,视同本市户籍证明,证明有效期至"
    row = ROW.replace("本市", "非本市") + ",（六）,北京市工作居住证 GZJZ-1,2027-12-31"

    (admission,) = read(header, row)

    assert admission.student.treated_as_local == (
        TreatedAsLocal(
            LocalBasis.WORK_RESIDENCE_PERMIT,
            "北京市工作居住证 GZJZ-1",
            valid_to=date(2027, 12, 31),
        ),
    )


def test_documents_are_split_on_either_semicolon() -> None:
    (admission,) = read(
        HEADER + ",入学材料", ROW + ",户口簿；在京工作证明;北京市居住证"
    )

    assert admission.documents == ("户口簿", "在京工作证明", "北京市居住证")


# ---------------------------------------------------------------- row problems


def test_a_birth_date_or_sex_that_contradicts_the_id_number_is_a_problem() -> None:
    row = ROW.replace("2019-03-02", "2019-03-03").replace(",男,", ",女,")

    assert problems(HEADER, row) == [(2, "出生日期"), (2, "性别")]


def test_the_same_id_number_twice_is_a_problem_naming_the_first_row() -> None:
    with pytest.raises(RosterError) as caught:
        read(HEADER, ROW, ROW.replace("王某甲", "王某乙"))

    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "证件号码")
    assert "与第2行的证件号码相同" in problem.reason


def test_the_second_row_of_a_special_education_pair_is_taken() -> None:
    header = HEADER + ",特殊教育双学籍"

    first, second = read(header, ROW + ",", ROW + ",是")

    assert (first.special_education_dual, second.special_education_dual) == (
        False,
        True,
    )


def test_two_identical_rows_are_a_problem() -> None:
    assert problems(HEADER, ROW, ROW) == [(3, "—")]


def test_a_passport_number_is_not_recorded() -> None:
    header = HEADER.replace("证件号码", "证件类型,证件号码")
    row = ROW.replace(ID_MALE, "护照,E12345678")

    assert problems(header, row) == [(2, "证件号码")]


def test_a_school_without_the_grade_is_a_problem_of_the_grade() -> None:
    assert problems(HEADER, ROW.replace(",P1,1,", ",H1,1,")) == [(2, "年级")]


def test_the_same_row_read_twice_gets_the_same_id() -> None:
    (first,) = read(HEADER, ROW)
    (again,) = read(HEADER, ROW)
    (changed,) = read(HEADER, ROW.replace("2025-07-18", "2025-07-19"))

    assert first.id == again.id
    assert first.id != changed.id
