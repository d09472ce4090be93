"""Rosters: the admission result as a file, one new student per row
(第十七条第二款: 学籍 is generated from the admission result).

A roster is a CSV file (UTF-8 with or without BOM, or GB18030 — what
spreadsheet programs on Chinese systems save) or a JSON file (a list of
objects, or ``{"students": [...]}``).  Column names are Chinese or English;
:data:`ROSTER_COLUMNS` lists them.  Reading checks every row — the ID number
with :func:`~xueji.parse_id_number`, the school against the register — and
reports *every* bad row at once in one :class:`~xueji.RosterError`; nothing
is submitted while any row fails.  :func:`load_roster` then decides all rows
in one unit of work (:meth:`~xueji.Register.submit_batch`): all are
persisted, or none is.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the
first student row 2.  In a JSON roster the row is the entry's position,
from 1.
"""

from __future__ import annotations

__all__ = [
    "REJECT_COLUMNS",
    "ROSTER_COLUMNS",
    "Records",
    "RosterColumn",
    "RosterResult",
    "decode_roster",
    "load_roster",
    "parse_roster",
    "read_roster",
    "read_rows",
    "roster_kind",
    "write_rejects",
]

import codecs
import csv
import functools
import hashlib
import io
import json
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from xueji._access import Principal
from xueji._decisions import Decision
from xueji._enrollment import Admission, StudentParticulars
from xueji._errors import InvalidInputError, RosterError, RowProblem, XuejiError
from xueji._identity import DocumentKind, parse_id_number
from xueji._intake import IntakeRow, request_digest
from xueji._orgs import School, Township, grade_label, load_districts
from xueji._register import Guardian, Hukou, LocalBasis, Sex, TreatedAsLocal
from xueji._serialize import dumps

if TYPE_CHECKING:
    from xueji._service import Register

_T = TypeVar("_T")


@attrs.frozen
class RosterColumn:
    """One column a roster may have: its Chinese header, its English header,
    whether every row needs it, and what it holds."""

    name: str
    english: str
    required: bool
    meaning: str


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("姓名", "name", True, "学生姓名"),
    RosterColumn("性别", "sex", True, "男 / 女"),
    RosterColumn(
        "出生日期", "birth_date", True, "YYYY-MM-DD（也可 YYYY/MM/DD、YYYYMMDD）"
    ),
    RosterColumn(
        "证件类型",
        "document",
        False,
        "居民身份证、港澳台居民居住证、外国人永久居留身份证、护照、无；留空时有证件号码"
        "按居民身份证，无号码按无",
    ),
    RosterColumn("证件号码", "id_number", False, "18位证件号码（15位旧号自动升位）"),
    RosterColumn("户籍", "hukou", True, "本市 / 非本市"),
    RosterColumn("户籍区", "hukou_district", False, "户籍所在区：区划代码或区名"),
    RosterColumn("户籍街道", "hukou_township", False, "户籍所在乡镇、街道的代码"),
    RosterColumn("户籍省份", "hukou_province", False, "非本市户籍的省份"),
    RosterColumn("居住区", "residence_district", False, "居住地所在区：代码或区名"),
    RosterColumn("居住街道", "residence_township", False, "居住地乡镇、街道的代码"),
    RosterColumn("住址", "address", False, "居住地址"),
    RosterColumn("学校代码", "school", True, "录取学校的代码（须已载入学籍库）"),
    RosterColumn("年级", "grade", True, "1-12，或 一年级、七年级、初一、高一 等"),
    RosterColumn("学年", "school_year", False, "如 2025-2026；可由命令行统一给出"),
    RosterColumn("录取日期", "on", False, "入学结果确认日期；可由命令行统一给出"),
    RosterColumn(
        "录取名册编号",
        "roster_reference",
        False,
        "高中：北京教育考试院新生名册编号（第十四条）",
    ),
    RosterColumn(
        "入学材料", "documents", False, "以；或 ; 分隔，如 户口簿；在京工作证明"
    ),
    RosterColumn(
        "视同本市户籍依据",
        "treated_as_local",
        False,
        "第十五条的项：1-7、（六）或关键词（台胞、博士后、随军、华侨、父母户籍、"
        "工作居住证、其他政策）",
    ),
    RosterColumn(
        "视同本市户籍证明", "treated_as_local_document", False, "证明文件名称及编号"
    ),
    RosterColumn("证明有效期起", "treated_as_local_from", False, "证明的有效期起始日"),
    RosterColumn(
        "证明有效期至",
        "treated_as_local_to",
        False,
        "证明的有效期截止日（如工作居住证）",
    ),
    RosterColumn(
        "政策依据", "treated_as_local_policy", False, "第十五条第（七）项须写明政策"
    ),
    RosterColumn("残疾", "disabled", False, "是 / 否"),
    RosterColumn(
        "特殊教育双学籍",
        "special_education_dual",
        False,
        "是：第十二条第二款的第二个学籍（同一证件号码的另一行须在前）",
    ),
    RosterColumn("1+3试验", "one_plus_three", False, "是 / 否（第十四条）"),
    RosterColumn("监护人", "guardian", False, "监护人姓名"),
    RosterColumn("监护人关系", "guardian_relation", False, "如 父亲、母亲"),
    RosterColumn("监护人电话", "guardian_phone", False, "联系电话"),
    RosterColumn(
        "申请编号", "request_id", False, "留空时按行内容生成；同一行再次载入不重复办理"
    ),
)
"""Every column a roster may have.  Headers may carry a note in brackets,
e.g. ``户籍(本市/非本市)``; English headers are case-insensitive."""

_BY_HEADER: dict[str, RosterColumn] = {
    **{c.name: c for c in ROSTER_COLUMNS},
    **{c.english.lower(): c for c in ROSTER_COLUMNS},
}

ENCODINGS_TRIED = (
    "UTF-8（含或不含BOM）和 GB18030 / UTF-8 (with or without BOM) and GB18030"
)

_RESAVE = (
    "请在表格软件中另存为“CSV UTF-8（逗号分隔）”后重新载入 / re-save the "
    'file as UTF-8 ("CSV UTF-8") and load it again'
)


# ---------------------------------------------------------------- decoding


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _lines(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:5])
    return shown + ("…" if len(numbers) > 5 else "")


def decode_roster(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode a CSV roster: strict UTF-8 (a BOM is dropped), else strict
    GB18030.  Returns the text and the encoding's name.

    Raises:
        InvalidInputError: the bytes are neither, or mix the two (some lines
            UTF-8, others not); the message names the encodings tried, the
            lines, and says to re-save the file as UTF-8.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise InvalidInputError(
            f"{source}: 不是文本格式的CSV（像是UTF-16文本或Excel工作簿）；已尝试 "
            f"{ENCODINGS_TRIED}。{_RESAVE}. Nothing was written."
        )
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as error:
        utf8_error = error

    utf8_lines: list[int] = []
    other_lines: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(number)
        else:
            utf8_lines.append(number)
    if utf8_lines and other_lines:
        raise InvalidInputError(
            f"{source}: 文件混用了多种编码：第{_lines(utf8_lines)}行是UTF-8，"
            f"第{_lines(other_lines)}行不是；已尝试 {ENCODINGS_TRIED}。{_RESAVE}. "
            "The file mixes encodings; nothing was written."
        )
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{source}: 无法识别文件编码（UTF-8 在第{_line_of(data, utf8_error.start)}"
            f"行、GB18030 在第{_line_of(data, error.start)}行无法解码）；已尝试 "
            f"{ENCODINGS_TRIED}。{_RESAVE}. Nothing was written."
        ) from None


# ---------------------------------------------------------------- reading


@attrs.frozen
class _Row:
    number: int
    values: dict[str, str]  # by column's Chinese name; blanks dropped
    early: tuple[RowProblem, ...] = ()  # found before the fields are read


def _header_key(text: str) -> str:
    text = text.strip().lstrip("\ufeff")
    text = re.split(r"[(（]", text, maxsplit=1)[0].strip()
    return text if text in _BY_HEADER else text.lower()


def _csv_rows(text: str, source: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _table_rows(reader, source)
    except csv.Error as error:
        raise InvalidInputError(
            f"{source}: not a CSV file (record {reader.line_num}): {error}; "
            "save it as CSV and retry"
        ) from None


def _table_rows(records: Iterable[Sequence[str]], source: str) -> list[_Row]:
    """Rows of a table whose first record is the header (CSV or a sheet)."""
    lines = iter(records)
    header = next(lines, None)
    if header is None:
        raise RosterError(source, [RowProblem(1, "表头", "文件为空：第1行应为表头")])
    problems: list[RowProblem] = []
    columns: list[RosterColumn | None] = []
    seen: set[str] = set()
    for text in header:
        column = _BY_HEADER.get(_header_key(text))
        if column is None and text.strip():
            problems.append(RowProblem(1, text.strip(), _unknown_column()))
        if column is not None and column.name in seen:
            problems.append(RowProblem(1, text.strip(), "列名重复"))
        if column is not None:
            seen.add(column.name)
        columns.append(column)
    problems += _missing_columns(seen)
    if problems:
        raise RosterError(source, problems)
    rows: list[_Row] = []
    width = len(columns)
    for number, record in enumerate(lines, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width and any(c.strip() for c in record[width:]):
            reason = f"有{len(record)}个字段，多于表头的{width}列"
            rows.append(_Row(number, {}, (RowProblem(number, "—", reason),)))
            continue
        values = {
            column.name: cell.strip()
            for column, cell in zip(columns, record, strict=False)
            if column is not None and cell.strip()
        }
        rows.append(_Row(number, values))
    return rows


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


Records = Callable[[], Iterable[Sequence[object]]]
"""Opens a sheet and yields its rows of cells, the header first: how a
spreadsheet roster reaches the kernel (the command line opens XLSX
workbooks with openpyxl).  Called again to write a reject file."""

_NUMBER_ID = (
    "证件号码单元格是数字格式，18位号码会丢失末尾数字：请把该列设为“文本”格式后重新输入"
)


def _sheet_rows(records: Iterable[Sequence[object]], source: str) -> list[_Row]:
    """The rows of a spreadsheet: cells as a CSV export would hold them; an
    ID number kept in a number cell (which cannot hold 18 digits) is a row
    problem."""
    lines = iter(records)
    header = [_cell(v) for v in next(lines, ())]
    heads = [_BY_HEADER.get(_header_key(h)) for h in header]
    id_column = next(
        (i for i, c in enumerate(heads) if c is not None and c.english == "id_number"),
        None,
    )
    numeric: set[int] = set()

    def cells() -> Iterator[list[str]]:
        yield header
        for number, values in enumerate(lines, start=2):
            if id_column is not None and id_column < len(values):
                raw = values[id_column]
                if isinstance(raw, int | float) and not isinstance(raw, bool):
                    numeric.add(number)
            yield [_cell(v) for v in values]

    rows = _table_rows(cells(), source)
    return [
        attrs.evolve(r, early=(*r.early, RowProblem(r.number, "证件号码", _NUMBER_ID)))
        if r.number in numeric
        else r
        for r in rows
    ]


def _unknown_column() -> str:
    known = "、".join(c.name for c in ROSTER_COLUMNS)
    return f"未知列名；可用的列：{known}（也可用英文列名，见 docs/cli.md）"


def _missing_columns(seen: set[str], row: int = 1) -> list[RowProblem]:
    return [
        RowProblem(row, c.name, "缺少必需的列")
        for c in ROSTER_COLUMNS
        if c.required and c.name not in seen
    ]


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return str(value).strip()


def _json_rows(text: str, source: str) -> list[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source}: not valid JSON at line {error.lineno} column {error.colno}: "
            f"{error.msg}; fix the file and retry"
        ) from None
    if isinstance(data, dict) and set(data) == {"students"}:
        data = data["students"]
    if not isinstance(data, list):
        raise InvalidInputError(
            f"{source}: a JSON roster is a list of objects, or "
            '{"students": [...]}; one object per student'
        )
    rows: list[_Row] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            problem = RowProblem(number, "—", "应为一个对象（列名: 值）")
            rows.append(_Row(number, {}, (problem,)))
            continue
        values: dict[str, str] = {}
        problems: list[RowProblem] = []
        for key, value in entry.items():
            column = _BY_HEADER.get(_header_key(str(key)))
            if column is None:
                problems.append(RowProblem(number, str(key), _unknown_column()))
                continue
            if _json_text(value):
                values[column.name] = _json_text(value)
        rows.append(_Row(number, values, tuple(problems)))
    return rows


# ---------------------------------------------------------------- fields


class _Bad(Exception):
    """A problem with one field; becomes a RowProblem."""

    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason


_SEX = {
    "男": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "女": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_YES = {"是", "y", "yes", "true", "1", "有"}
_NO = {"否", "n", "no", "false", "0", "无"}
_BEIJING = {"本市", "北京", "北京市", "本市户籍", "京籍", "beijing", "local"}
_NOT_BEIJING = {
    "非本市",
    "外省市",
    "非本市户籍",
    "非京籍",
    "外地",
    "other",
    "non-local",
}
_DOCUMENTS = {
    **{d.value: d for d in DocumentKind},
    "身份证": DocumentKind.RESIDENT_ID,
    "港澳台居住证": DocumentKind.HMT_RESIDENCE_PERMIT,
    "外国人永久居留证": DocumentKind.FOREIGN_PERMANENT_RESIDENCE,
    "无证件": DocumentKind.NONE,
    **{d.name.lower(): d for d in DocumentKind},
}
_CN_NUMBERS = "一二三四五六七"
_LOCAL_KEYWORDS = (
    ("台胞", LocalBasis.TAIWAN_COMPATRIOT),
    ("博士后", LocalBasis.POSTDOC),
    ("随军", LocalBasis.MILITARY),
    ("华侨", LocalBasis.OVERSEAS_CHINESE),
    ("工作居住证", LocalBasis.WORK_RESIDENCE_PERMIT),
    ("户籍", LocalBasis.PARENT_HUKOU),
    ("其他", LocalBasis.OTHER_POLICY),
    ("政策", LocalBasis.OTHER_POLICY),
)
_GRADES = {
    **{grade_label(g): g for g in range(1, 13)},
    **{grade_label(g).removesuffix("年级"): g for g in range(10, 13)},
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "初一年级": 7,
    "初二年级": 8,
    "初三年级": 9,
}
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_DOCUMENT_SEPARATORS = re.compile(r"[；;]")


def _date(column: str, text: str) -> date:
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise _Bad(column, f"“{text}”不是存在的日期，请写作 YYYY-MM-DD")


def _flag(values: Mapping[str, str], column: str) -> bool:
    text = values.get(column, "").lower()
    if not text or text in _NO:
        return False
    if text in _YES:
        return True
    raise _Bad(column, f"“{values[column]}”应为 是 或 否")


def _grade(text: str) -> int:
    if text.isascii() and text.isdigit():
        grade = int(text)
    elif text in _GRADES:
        grade = _GRADES[text]
    else:
        raise _Bad("年级", f"“{text}”不是年级：写 1-12，或 一年级、初一、高一 等")
    try:
        grade_label(grade)
    except InvalidInputError:
        raise _Bad("年级", f"没有{grade}年级：年级为1-9和10-12（高一至高三）") from None
    return grade


def _local_basis(text: str) -> LocalBasis:
    item = text.strip("（）()第项")
    if item.isascii() and item.isdigit() and 1 <= int(item) <= 7:
        return LocalBasis(int(item))
    if len(item) == 1 and item in _CN_NUMBERS:
        return LocalBasis(_CN_NUMBERS.index(item) + 1)
    for keyword, basis in _LOCAL_KEYWORDS:
        if keyword in text:
            return basis
    raise _Bad(
        "视同本市户籍依据",
        f"“{text}”不是第十五条的一项：写 1-7、（六），或 台胞、博士后、随军、华侨、"
        "父母户籍、工作居住证、其他政策",
    )


@attrs.frozen
class _Reference:
    """What a row is checked against: the register's organisations."""

    schools: Mapping[str, School] | None
    townships: Mapping[str, Township] | None
    districts: Mapping[str, str]  # code or name -> code


def _district(ref: _Reference, column: str, text: str | None) -> str | None:
    if text is None:
        return None
    code = ref.districts.get(text)
    if code is None:
        raise _Bad(
            column, f"“{text}”不是北京市的区（写区划代码如 110105 或区名如 朝阳区）"
        )
    return code


def _township(
    ref: _Reference, column: str, text: str | None, district: str | None
) -> str | None:
    if text is None or ref.townships is None:
        return text
    known = ref.townships.get(text)
    if known is None:
        served = {t.district for t in ref.townships.values()}
        if district is None or district in served:
            raise _Bad(
                column,
                f"乡镇、街道代码“{text}”不在学籍库中；请先载入（xueji load orgs）",
            )
        return text
    if district is not None and known.district != district:
        raise _Bad(column, f"{known.name}不属于区 {district}")
    return text


class _RowReader:
    """Reads one row, collecting every field's problem."""

    def __init__(
        self,
        row: _Row,
        ref: _Reference,
        *,
        on: date | None,
        school_year: str | None,
    ) -> None:
        self.row = row
        self.values = row.values
        self.ref = ref
        self.default_on = on
        self.default_school_year = school_year
        self.problems: list[RowProblem] = []

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.row.number, column, reason))

    def get(self, column: str) -> str | None:
        return self.values.get(column)

    def need(self, column: str) -> str | None:
        value = self.values.get(column)
        if value is None:
            self.problem(column, "必填，不能为空")
        return value

    def field(self, column: str, read: Callable[[], _T]) -> _T | None:
        try:
            return read()
        except _Bad as bad:
            self.problem(bad.column, bad.reason)
        except InvalidInputError as error:
            self.problem(column, str(error))
        return None

    def read(self) -> tuple[Admission | None, str | None]:
        v = self.values
        name = self.need("姓名")
        sex_text = self.need("性别")
        sex = None
        if sex_text is not None:
            sex = _SEX.get(sex_text.lower())
            if sex is None:
                self.problem("性别", f"“{sex_text}”应为 男 或 女")
        born_text = self.need("出生日期")
        born = (
            self.field("出生日期", lambda: _date("出生日期", born_text))
            if born_text
            else None
        )

        on = self.default_on
        if "录取日期" in v:
            on = self.field("录取日期", lambda: _date("录取日期", v["录取日期"]))
        elif on is None:
            self.problem("录取日期", "必填：每行写录取日期，或在命令行用 --on 统一给出")
        school_year = v.get("学年", self.default_school_year)
        if school_year is None:
            self.problem(
                "学年",
                "必填：每行写学年（如 2025-2026），或在命令行用 --school-year 统一给出",
            )

        document, id_value = self._identity(sex, born, on)
        hukou, treated = self._hukou(on)
        residence_district = self.field(
            "居住区", lambda: _district(self.ref, "居住区", v.get("居住区"))
        )
        residence_township = self.field(
            "居住街道",
            lambda: _township(
                self.ref, "居住街道", v.get("居住街道"), residence_district
            ),
        )
        school_code = self.need("学校代码")
        grade_text = self.need("年级")
        grade = self.field("年级", lambda: _grade(grade_text)) if grade_text else None
        if school_code is not None and self.ref.schools is not None:
            school = self.ref.schools.get(school_code)
            if school is None:
                self.problem(
                    "学校代码",
                    f"学校代码“{school_code}”不在学籍库中；请先载入该区的学校"
                    "（xueji load orgs FILE）或核对代码",
                )
            elif grade is not None and not school.offers(grade):
                self.problem(
                    "年级",
                    f"{school.name}（{school.type.value}）没有{grade_label(grade)}",
                )
        flags = {
            column: self.field(column, functools.partial(_flag, v, column))
            for column in ("残疾", "特殊教育双学籍", "1+3试验")
        }
        guardians: tuple[Guardian, ...] = ()
        if "监护人" in v:
            guardians = (
                Guardian(
                    v["监护人"], v.get("监护人关系", "监护人"), v.get("监护人电话")
                ),
            )
        elif "监护人关系" in v or "监护人电话" in v:
            self.problem("监护人", "写了监护人关系或电话，但没有监护人姓名")
        documents = tuple(
            d.strip()
            for d in _DOCUMENT_SEPARATORS.split(v.get("入学材料", ""))
            if d.strip()
        )

        if (
            self.problems
            or name is None
            or sex is None
            or born is None
            or on is None
            or school_year is None
            or school_code is None
            or grade is None
            or hukou is None
            or document is None
        ):
            return None, None
        particulars = StudentParticulars(
            name=name,
            sex=sex,
            birth_date=born,
            hukou=hukou,
            document=document,
            id_number=id_value,
            treated_as_local=treated,
            residence_district=residence_district,
            residence_township=residence_township,
            address=v.get("住址"),
            guardians=guardians,
            disabled=bool(flags["残疾"]),
        )
        try:
            admission = Admission(
                id=v.get("申请编号", "roster"),
                on=on,
                school=school_code,
                grade=grade,
                school_year=school_year,
                student=particulars,
                documents=documents,
                roster_reference=v.get("录取名册编号"),
                one_plus_three=bool(flags["1+3试验"]),
                special_education_dual=bool(flags["特殊教育双学籍"]),
            )
        except InvalidInputError as error:
            column = "学年" if "school_year" in str(error) else "年级"
            self.problem(column, str(error))
            return None, None
        return admission, id_value

    def _identity(
        self, sex: Sex | None, born: date | None, on: date | None
    ) -> tuple[DocumentKind | None, str | None]:
        v = self.values
        number = v.get("证件号码")
        kind_text = v.get("证件类型")
        if kind_text is None:
            kind = DocumentKind.RESIDENT_ID if number else DocumentKind.NONE
        elif kind_text in _DOCUMENTS or kind_text.lower() in _DOCUMENTS:
            kind = _DOCUMENTS.get(kind_text) or _DOCUMENTS[kind_text.lower()]
        else:
            known = "、".join(d.value for d in DocumentKind)
            self.problem("证件类型", f"“{kind_text}”不是证件类型；可用：{known}")
            return None, None
        if kind is DocumentKind.NONE:
            if number:
                self.problem("证件号码", "证件类型为“无”，却填写了证件号码")
            return kind, None
        if kind is DocumentKind.PASSPORT:
            if number:
                self.problem(
                    "证件号码",
                    "本版本不登记护照号码（只接受18位证件号码）：请将证件号码留空，"
                    "学籍号按L类临时号编制",
                )
            return kind, None
        if not number:
            self.problem(
                "证件号码",
                f"证件类型为{kind.value}，须填写证件号码（没有证件的写“无”）",
            )
            return kind, None
        if on is None:
            return kind, None
        try:
            parsed = parse_id_number(number, on=on)
        except InvalidInputError as error:
            self.problem("证件号码", str(error))
            return kind, None
        id_number = parsed.number
        if id_number.document_kind is not kind:
            self.problem(
                "证件号码",
                f"号码{id_number.masked()}是{id_number.document_kind.value}号码，"
                f"与证件类型“{kind.value}”不符",
            )
        if born is not None and id_number.birth_date != born:
            self.problem(
                "出生日期",
                f"出生日期 {born} 与证件号码{id_number.masked()}中的出生日期不符",
            )
        if sex is not None and id_number.sex != sex.value:
            self.problem(
                "性别",
                f"性别“{sex.value}”与证件号码{id_number.masked()}（第17位）不符",
            )
        return kind, id_number.value

    def _hukou(
        self, on: date | None
    ) -> tuple[Hukou | None, tuple[TreatedAsLocal, ...]]:
        v = self.values
        text = self.need("户籍")
        beijing: bool | None = None
        if text is not None:
            if text.lower() in _BEIJING:
                beijing = True
            elif text.lower() in _NOT_BEIJING:
                beijing = False
            else:
                self.problem("户籍", f"“{text}”应为 本市 或 非本市")
        district = self.field(
            "户籍区", lambda: _district(self.ref, "户籍区", v.get("户籍区"))
        )
        township = self.field(
            "户籍街道",
            lambda: _township(self.ref, "户籍街道", v.get("户籍街道"), district),
        )
        if beijing is False and (district is not None or township is not None):
            self.problem(
                "户籍区", "非本市户籍不填户籍区、户籍街道（居住地写在居住区、居住街道）"
            )
        treated = self._treated_as_local(beijing)
        if beijing is None:
            return None, treated
        hukou = Hukou(
            beijing=beijing,
            district=district,
            township=township,
            province=v.get("户籍省份"),
        )
        return hukou, treated

    def _treated_as_local(self, beijing: bool | None) -> tuple[TreatedAsLocal, ...]:
        v = self.values
        columns = ("视同本市户籍证明", "证明有效期起", "证明有效期至", "政策依据")
        basis_text = v.get("视同本市户籍依据")
        if basis_text is None:
            for column in columns:
                if column in v:
                    self.problem(column, "填写了证明，但没有视同本市户籍依据")
            return ()
        if beijing:
            self.problem("视同本市户籍依据", "本市户籍学生不需要视同本市户籍依据")
        basis = self.field("视同本市户籍依据", lambda: _local_basis(basis_text))
        document = self.need("视同本市户籍证明")
        valid_from = self.field(
            "证明有效期起",
            lambda: (
                _date("证明有效期起", v["证明有效期起"])
                if "证明有效期起" in v
                else None
            ),
        )
        valid_to = self.field(
            "证明有效期至",
            lambda: (
                _date("证明有效期至", v["证明有效期至"])
                if "证明有效期至" in v
                else None
            ),
        )
        policy = v.get("政策依据")
        if basis is LocalBasis.OTHER_POLICY and policy is None:
            self.problem("政策依据", "第十五条第（七）项须写明所依据的国家或本市政策")
        if basis is None or document is None:
            return ()
        return (TreatedAsLocal(basis, document, valid_from, valid_to, policy),)


def _content_key(admission: Admission) -> str:
    """An id made from what the row asks, the same every time it is read."""
    canonical = dumps(attrs.evolve(admission, id="", idempotency_key=None))
    return "roster-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def _district_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for district in load_districts():
        names[district.code] = district.code
        names[district.name] = district.code
        if district.region_code is not None:
            names[district.name.removesuffix("区")] = district.code
    return names


def _rows_of(
    data: bytes, *, source: str, kind: str, records: Records | None = None
) -> list[_Row]:
    if records is not None:
        return _sheet_rows(records(), source)
    if kind == "json":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"{source}: a JSON roster must be UTF-8; {_RESAVE}"
            ) from None
        return _json_rows(text, source)
    if kind == "xlsx":
        raise InvalidInputError(
            f"{source}: an XLSX roster is read through its sheet's rows "
            "(`records`); the command line opens it, or save it as CSV UTF-8"
        )
    text, _encoding = decode_roster(data, source=source)
    return _csv_rows(text, source)


def _reference(
    schools: Iterable[School] | None, townships: Iterable[Township] | None
) -> _Reference:
    return _Reference(
        schools=None if schools is None else {s.code: s for s in schools},
        townships=None if townships is None else {t.code: t for t in townships},
        districts=_district_names(),
    )


def _admissions(
    rows: list[_Row],
    ref: _Reference,
    problems: list[RowProblem],
    *,
    on: date | None,
    school_year: str | None,
    digests: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Admission] | tuple[int, Admission, str]]:
    """The admissions of ``rows`` in file order; each bad row's problems go
    to ``problems`` instead.  With ``digests``, each comes with its request
    digest (what the register remembers with its idempotency key)."""
    first_with_id: dict[str, int] = {}
    first_with_key: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        if progress is not None and index % 1000 == 0:
            progress(index)
        if row.early:
            problems += row.early
            continue
        reader = _RowReader(row, ref, on=on, school_year=school_year)
        admission, id_value = reader.read()
        problems += reader.problems
        if admission is None:
            continue
        key = _content_key(admission)
        if key in first_with_key:
            problems.append(
                RowProblem(row.number, "—", f"与第{first_with_key[key]}行完全相同")
            )
            continue
        first_with_key[key] = row.number
        if id_value is not None:
            earlier = first_with_id.get(id_value)
            if earlier is not None and not admission.special_education_dual:
                problems.append(
                    RowProblem(
                        row.number,
                        "证件号码",
                        f"与第{earlier}行的证件号码相同（一人一号，第十七条第二款）；"
                        "特殊教育双学籍的第二行请在“特殊教育双学籍”列写“是”",
                    )
                )
                continue
            first_with_id.setdefault(id_value, row.number)
        request_id = row.values.get("申请编号", key)
        admission = attrs.evolve(admission, id=request_id, idempotency_key=request_id)
        if digests:
            yield row.number, admission, request_digest(admission)
        else:
            yield row.number, admission
    if progress is not None:
        progress(len(rows))


def read_rows(
    data: bytes,
    *,
    source: str,
    kind: str = "csv",
    schools: Iterable[School] | None = None,
    townships: Iterable[Township] | None = None,
    on: date | None = None,
    school_year: str | None = None,
    progress: Callable[[int], None] | None = None,
    records: Records | None = None,
) -> tuple[list[tuple[int, Admission]], list[RowProblem]]:
    """Read a roster's bytes into (row number, admission) pairs, in file
    order, and the problems of the rows that cannot be taken — every one,
    with its row and column.  Nothing raises for a bad row; a file that
    cannot be read at all (encoding, format, header) raises.

    ``kind`` is ``csv``, ``xlsx`` or ``json``; the other arguments are those
    of :func:`parse_roster`.  ``progress`` is called with the rows read so
    far, every thousand rows.  ``records`` gives a spreadsheet's rows
    instead of ``data`` (see :data:`Records`).
    """
    rows = _rows_of(data, source=source, kind=kind, records=records)
    problems: list[RowProblem] = []
    admissions = [
        (row[0], row[1])
        for row in _admissions(
            rows,
            _reference(schools, townships),
            problems,
            on=on,
            school_year=school_year,
            progress=progress,
        )
    ]
    return admissions, sorted(problems, key=lambda p: p.row)


# A roster is read in a process of its own while the register decides the
# rows already read: the reading (decoding, every field checked, the
# content key and digest of each row) takes a core, deciding and writing
# the other.
_CHUNK = 500


@attrs.define
class _Reading:
    """What the reading process has said so far."""

    total: int | None = None
    received: int = 0
    problems: list[RowProblem] = attrs.Factory(list)


def _read_in_child(connection: Connection, arguments: dict[str, Any]) -> None:
    try:
        rows = _rows_of(
            arguments["data"],
            source=arguments["source"],
            kind=arguments["kind"],
            records=arguments["records"],
        )
        connection.send(("total", len(rows)))
        problems: list[RowProblem] = []
        chunk: list[Any] = []
        for row in _admissions(
            rows,
            _reference(arguments["schools"], arguments["townships"]),
            problems,
            on=arguments["on"],
            school_year=arguments["school_year"],
            digests=True,
        ):
            chunk.append(row)
            if len(chunk) >= _CHUNK:
                connection.send(("rows", chunk))
                chunk = []
        connection.send(("rows", chunk))
        connection.send(("done", problems))
    except RosterError as error:
        connection.send(("roster-error", (error.source, error.problems)))
    except XuejiError as error:
        connection.send(("error", str(error)))
    except Exception as error:  # a fault of the reader itself: say what
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _read_aside(
    arguments: dict[str, Any],
    reading: _Reading,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[int, Admission] | tuple[int, Admission, str]]:
    """Rows as the reading process sends them (see :data:`_CHUNK`)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_read_in_child, args=(sender, arguments), daemon=True
    )
    process.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise InvalidInputError(
                    f"{arguments['source']}: the roster reader stopped before the "
                    "end of the file; load it again"
                ) from None
            if kind == "total":
                reading.total = payload
            elif kind == "rows":
                reading.received += len(payload)
                if progress is not None:
                    progress(reading.received)
                yield from payload
            elif kind == "done":
                reading.problems = payload
                return
            elif kind == "roster-error":
                raise RosterError(*payload)
            else:
                raise InvalidInputError(payload)
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def parse_roster(
    data: bytes,
    *,
    source: str,
    json_format: bool = False,
    schools: Iterable[School] | None = None,
    townships: Iterable[Township] | None = None,
    on: date | None = None,
    school_year: str | None = None,
    kind: str | None = None,
) -> list[Admission]:
    """Read a roster's bytes into admissions, in file order.

    Args:
        data: the file's bytes.
        source: the file's name, for messages.
        json_format: the bytes are a JSON roster (UTF-8), not CSV.
        schools: the register's schools; a row naming another school code,
            or a grade the school does not have, is a row problem.  ``None``
            skips the check (the register then refuses the batch).
        townships: the register's townships; an unknown code of a district
            whose townships are loaded is a row problem.
        on: the admission date of rows without a 录取日期.
        school_year: the school year of rows without a 学年.
        kind: ``csv``, ``xlsx`` or ``json`` (overrides ``json_format``).

    Returns:
        One :class:`~xueji.Admission` per row.  A row without a 申请编号 gets
        an id made from its content, also used as its idempotency key, so
        that loading the same row again decides nothing new
        (:func:`load_roster`).

    Raises:
        RosterError: one or more rows cannot be taken; every problem is
            listed with its row and column.  ID numbers show masked.
        InvalidInputError: the file cannot be decoded or parsed at all.
    """
    admissions, problems = read_rows(
        data,
        source=source,
        kind=kind or ("json" if json_format else "csv"),
        schools=schools,
        townships=townships,
        on=on,
        school_year=school_year,
    )
    if problems:
        raise RosterError(source, problems)
    return [a for _, a in admissions]


def roster_kind(path: Path) -> str:
    """``xlsx``, ``json`` or ``csv``, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    return "json" if suffix == ".json" else "csv"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot be read: {error.strerror}") from None


def read_roster(
    path: str | Path,
    *,
    schools: Iterable[School] | None = None,
    townships: Iterable[Township] | None = None,
    on: date | None = None,
    school_year: str | None = None,
) -> list[Admission]:
    """Read a roster file (``.csv``, ``.xlsx`` or ``.json``): see
    :func:`parse_roster`."""
    path = Path(path)
    return parse_roster(
        _read_bytes(path),
        source=str(path),
        kind=roster_kind(path),
        schools=schools,
        townships=townships,
        on=on,
        school_year=school_year,
    )


@attrs.frozen
class RosterResult:
    """What loading a roster did: the decisions of the rows decided now, in
    file order (every one, or with ``keep="notable"`` those not accepted),
    how many rows had been loaded before (same content, same idempotency
    key) and were skipped, the count of decisions by outcome, the 第三条
    filings (one per school and run of rows), and the rows rejected in
    keep-valid mode with their problems."""

    decisions: tuple[Decision, ...]
    skipped: int
    outcomes: dict[str, int] = attrs.Factory(dict)
    filings: tuple[Decision, ...] = ()
    rejected: tuple[RowProblem, ...] = ()

    @property
    def decided(self) -> int:
        return sum(self.outcomes.values())


def load_roster(
    register: Register,
    path: str | Path,
    principal: Principal,
    *,
    on: date | None = None,
    school_year: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    reading: Callable[[int], None] | None = None,
    keep_valid: bool = False,
    parallel: bool = True,
    file_new_records: bool = False,
    keep: Literal["all", "notable"] = "all",
    records: Records | None = None,
) -> RosterResult:
    """Read a roster against the register's schools and townships, then
    decide every new row in one transaction (:func:`xueji._intake.intake`:
    the same rules as one admission, reads and writes in bulk).  A bad row
    found while the others are decided fails the load all the same: the
    transaction is rolled back and every bad row is named.

    Args:
        register: the register to load into.
        path: the roster file (CSV in UTF-8 or GB18030, XLSX, or JSON).
        principal: who loads it (the city, a district for its schools, or a
            school for itself).
        on: the admission date of rows without a 录取日期.
        school_year: the school year of rows without a 学年.
        progress: called with (rows decided, rows to decide) as it goes.
        reading: called with the rows read so far while the file is read.
        parallel: read the file in a process of its own while the rows read
            are decided (where processes can fork): both cores work.
        keep_valid: write the rows that can be taken and leave out the
            others (``RosterResult.rejected``; :func:`write_rejects` writes
            them to a file); without it, any bad row fails the whole load
            and nothing is written.
        file_new_records: report each school's new 学籍 to its district
            (第三条, a :class:`~xueji.NewRecordsFiling` per school).
        keep: ``"notable"`` keeps only the decisions not accepted.
        records: the rows of a spreadsheet roster (:data:`Records`); the
            path then only names it.

    Raises:
        RosterError: rows that cannot be taken, every one with its row and
            column (without ``keep_valid``); nothing was written.
        XuejiError: any other fault; nothing was written.
    """
    from xueji._intake import intake

    path = Path(path)
    with register.store.unit_of_work() as uow:
        schools = uow.schools()
        townships = uow.townships()
    arguments: dict[str, Any] = {
        "data": b"" if records is not None else _read_bytes(path),
        "source": str(path),
        "kind": roster_kind(path),
        "schools": schools,
        "townships": townships,
        "on": on,
        "school_year": school_year,
        "records": records,
    }
    state = _Reading()
    rows: Iterable[IntakeRow]
    if parallel and _can_fork():
        rows = _read_aside(arguments, state, reading)
    else:
        found, state.problems = read_rows(
            arguments.pop("data"), progress=reading, **arguments
        )
        if state.problems and not keep_valid:
            raise RosterError(str(path), state.problems)
        state.total = len(found)
        rows = found

    def report(done: int, _total: int | None) -> None:
        if progress is not None and state.total is not None:
            progress(done, state.total)

    def rows_read_well() -> None:
        if state.problems and not keep_valid:
            raise RosterError(str(path), sorted(state.problems, key=lambda p: p.row))

    try:
        result = intake(
            register,
            rows,
            principal,
            file_new_records=file_new_records,
            keep_valid=keep_valid,
            keep=keep,
            progress=report,
            before_commit=rows_read_well,
        )
    except RosterError as error:
        raise RosterError(str(path), error.problems) from None
    rejected = sorted(
        [*state.problems, *(p for r in result.rejected for p in r.problems)],
        key=lambda p: p.row,
    )
    return RosterResult(
        decisions=result.decisions,
        skipped=result.skipped,
        outcomes=result.outcomes,
        filings=result.filings,
        rejected=tuple(rejected),
    )


REJECT_COLUMNS = ("行号", "问题")
"""The columns a reject file puts before the roster's own."""


def write_rejects(
    roster: str | Path,
    problems: Iterable[RowProblem],
    target: str | Path,
    *,
    records: Records | None = None,
) -> int:
    """Write the rejected rows of ``roster`` to ``target`` (CSV, UTF-8 with
    BOM, so spreadsheet programs open it): the row number, every problem of
    the row (``[列] 原因``), then the row's own cells under the roster's
    column names, ready to be corrected and loaded again.  Returns the
    number of rows written."""
    roster = Path(roster)
    by_row: dict[int, list[RowProblem]] = {}
    for problem in problems:
        by_row.setdefault(problem.row, []).append(problem)
    data = b"" if records is not None else _read_bytes(roster)
    kind = roster_kind(roster)
    rows = {
        row.number: row
        for row in _rows_of(data, source=str(roster), kind=kind, records=records)
        if row.number in by_row
    }
    names = [c.name for c in ROSTER_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*REJECT_COLUMNS, *names])
    for number in sorted(by_row):
        found = rows.get(number)
        values = found.values if found is not None else {}
        reasons = "；".join(f"[{p.column}] {p.reason}" for p in by_row[number])
        writer.writerow([number, reasons, *(values.get(n, "") for n in names)])
    try:
        Path(target).write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InvalidInputError(
            f"{target}: cannot write the reject file: {error.strerror}"
        ) from None
    return len(by_row)
