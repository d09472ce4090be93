"""Disclosure of 学籍 data to outside parties (第四十四条).

非经学籍主管部门书面批准，学籍信息一律不得向外提供.  Personal data leaves the
register — an export to a file for any party outside the register's own
procedures — only under a recorded written approval of the 学籍主管部门 (a
district education commission for its schools, or the city):
:class:`DisclosureApproval` names the approving body, the document number,
the recipient, the purpose, the fields, the scope and the expiry.

An :class:`Export` names the approval it relies on.  Without one, or with
one that does not cover the date, the recipient, the school or the fields,
it is refused (a refusal is data: :class:`ExportResult` carries the
decision) and the attempt is recorded.  An allowed export has rows limited
to the requested fields, masked unless the approval names a field in full,
and is recorded with its approval and the students it disclosed.

Lists the register shows its own users (:func:`class_list`) use the same
fields and are always masked.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_LIST_FIELDS",
    "MASKED_FIELDS",
    "DisclosureApproval",
    "Export",
    "ExportField",
    "ExportLog",
    "ExportResult",
    "Table",
    "class_list",
    "decide_disclosure_approval",
    "find_approval",
    "run_export",
    "table_csv",
    "write_csv",
]

import csv
import enum
import io
from datetime import date
from typing import TYPE_CHECKING, TextIO

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import PrincipalRole
from xueji._context import Context
from xueji._decisions import Decision, Severity
from xueji._errors import InvalidInputError, UnknownOrganisationError
from xueji._masking import (
    mask_address,
    mask_birth_date,
    mask_id_number,
    mask_phone,
    mask_student_number,
)
from xueji._orgs import CITY_CODE, School, grade_label
from xueji._procedures import Record
from xueji._records import current, keep
from xueji._register import Enrollment, Student
from xueji._serialize import loads
from xueji._storage import UnitOfWork

APPROVAL = "disclosure-approval"
EXPORT = "export"
EXPORT_REFUSED = "export-refused"


class ExportField(enum.Enum):
    """A column of a list or an export."""

    NUMBER = "number"
    NAME = "name"
    SEX = "sex"
    BIRTH_DATE = "birth-date"
    DOCUMENT = "document"
    ID_NUMBER = "id-number"
    SCHOOL = "school"
    GRADE = "grade"
    STATUS = "status"
    HUKOU = "hukou"
    ADDRESS = "address"
    GUARDIAN = "guardian"
    GUARDIAN_PHONE = "guardian-phone"

    @property
    def label(self) -> str:
        """The column's Chinese header."""
        return _LABELS[self]


_LABELS = {
    ExportField.NUMBER: "学籍号",
    ExportField.NAME: "姓名",
    ExportField.SEX: "性别",
    ExportField.BIRTH_DATE: "出生日期",
    ExportField.DOCUMENT: "证件类型",
    ExportField.ID_NUMBER: "证件号码",
    ExportField.SCHOOL: "学校",
    ExportField.GRADE: "年级",
    ExportField.STATUS: "学籍状态",
    ExportField.HUKOU: "户籍",
    ExportField.ADDRESS: "住址",
    ExportField.GUARDIAN: "监护人",
    ExportField.GUARDIAN_PHONE: "监护人电话",
}

MASKED_FIELDS = frozenset(
    {
        ExportField.NUMBER,
        ExportField.BIRTH_DATE,
        ExportField.ID_NUMBER,
        ExportField.ADDRESS,
        ExportField.GUARDIAN_PHONE,
    }
)
"""Fields shown masked unless an approval names them in full (第四十四条).
A J or L 学籍号 holds no ID number and shows in full either way."""

DEFAULT_LIST_FIELDS = (
    ExportField.NUMBER,
    ExportField.NAME,
    ExportField.SEX,
    ExportField.GRADE,
    ExportField.STATUS,
)


def _fields(
    _: object,
    attribute: Attribute[tuple[ExportField, ...]],
    value: tuple[ExportField, ...],
) -> None:
    if not value:
        raise InvalidInputError(f"{attribute.name} must name at least one field")
    if len(set(value)) != len(value):
        raise InvalidInputError(f"{attribute.name} names a field twice")


def _nonblank(_: object, attribute: Attribute[str], value: str) -> None:
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must not be empty")


@attrs.frozen
class DisclosureApproval:
    """第四十四条: the 学籍主管部门's written approval (书面批准) to provide
    学籍 data to an outside party.

    Scope: ``schools`` if given, else every school of ``district``, else —
    for the city only — every school.  ``unmasked`` lists the fields the
    approval grants in full; every other field is provided masked.  It is in
    force from ``on`` (the approval's date) to ``expires``, both included.
    A district records approvals for its own schools, the city for any."""

    id: str
    on: date
    approving_body: str = attrs.field(validator=_nonblank)  # 批准机关
    document_number: str = attrs.field(validator=_nonblank)  # 文号
    recipient: str = attrs.field(validator=_nonblank)  # 提供对象
    purpose: str = attrs.field(validator=_nonblank)
    fields: tuple[ExportField, ...] = attrs.field(validator=_fields)
    expires: date
    district: str | None = None
    schools: tuple[str, ...] = ()
    unmasked: tuple[ExportField, ...] = ()
    idempotency_key: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.expires < self.on:
            raise InvalidInputError(
                f"approval {self.document_number} expires ({self.expires}) before "
                f"its date ({self.on}); check both dates"
            )
        extra = [f.value for f in self.unmasked if f not in self.fields]
        if extra:
            raise InvalidInputError(
                f"approval {self.document_number} grants in full fields it does not "
                f"approve ({', '.join(extra)}); add them to fields or drop them"
            )

    def covers(self, school: School) -> bool:
        if self.schools:
            return school.code in self.schools
        return self.district is None or self.district == school.district


@attrs.frozen
class Export:
    """A class list of one school (one grade, if given) for an outside party,
    under the written approval numbered ``approval`` (第四十四条)."""

    id: str
    on: date
    school: str
    recipient: str = attrs.field(validator=_nonblank)
    fields: tuple[ExportField, ...] = attrs.field(validator=_fields)
    approval: str | None = None  # the approval's 文号
    grade: int | None = None


@attrs.frozen
class Table:
    """Rows of shown values, one column per field."""

    fields: tuple[ExportField, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.fields)

    def as_dicts(self) -> list[dict[str, str]]:
        """Rows keyed by field value (``number``, ``name`` …), for JSON."""
        keys = [f.value for f in self.fields]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@attrs.frozen
class ExportResult:
    """What :meth:`Register.export` answers: the decision, the approval it
    relied on, and the table (``None`` when refused)."""

    decision: Decision
    approval: DisclosureApproval | None
    table: Table | None

    @property
    def refused(self) -> bool:
        return self.table is None

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return () if self.table is None else self.table.rows


@attrs.frozen
class ExportLog:
    """The record of an export or a refused attempt: who, what, under which
    approval, and whose data left the register."""

    export: Export
    principal: str
    approval: str | None
    rows: int
    students: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()


def write_csv(table: Table, stream: TextIO) -> int:
    """Write ``table`` as CSV (header of Chinese labels, then the rows);
    returns the number of rows.  Open the file with ``newline=""`` and an
    encoding of your choice (``utf-8-sig`` for spreadsheet programs)."""
    writer = csv.writer(stream)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return len(table.rows)


def table_csv(table: Table) -> str:
    stream = io.StringIO(newline="")
    write_csv(table, stream)
    return stream.getvalue()


# ------------------------------------------------------------ approvals


def find_approval(
    uow: UnitOfWork, document_number: str
) -> tuple[Record, DisclosureApproval] | None:
    """The recorded approval with that document number (文号), if any."""
    for record in current(uow.records(APPROVAL)):
        approval = loads(record.data, DisclosureApproval, source=record.id)
        if approval.document_number == document_number:
            return record, approval
    return None


def decide_disclosure_approval(ctx: Context, request: DisclosureApproval) -> Decision:
    """第四十四条: 学籍主管部门书面批准, recorded."""
    from xueji._enrollment import edition
    from xueji._service import deny

    p = ctx.principal
    schools = [_school(ctx.uow, code) for code in request.schools]
    districts = {s.district for s in schools}
    if request.district is not None:
        districts.add(request.district)
    if request.district is not None and len(districts) > 1:
        raise InvalidInputError(
            f"approval {request.document_number} names schools outside district "
            f"{request.district}; name the schools of one district, or no district"
        )
    ok = p.role is PrincipalRole.CITY or (
        p.role is PrincipalRole.DISTRICT and districts == {p.organisation}
    )
    if not ok:
        deny(ctx, f"approve disclosure {request.document_number}", None)
    if not edition(ctx):
        return ctx.decide("disclosure-approval", None)
    if find_approval(ctx.uow, request.document_number) is not None:
        ctx.refuse(
            "approval-exists",
            f"文号为{request.document_number}的书面批准已登记，不得重复登记",
            "第四十四条",
        )
        return ctx.decide("disclosure-approval", None)

    district = next(iter(districts)) if len(districts) == 1 else CITY_CODE
    keep(
        ctx, APPROVAL, request, district=district, on=request.on, until=request.expires
    )
    ctx.check("written-approval", "第四十四条", request.document_number)
    ctx.inform(
        "approval-recorded",
        f"已登记{request.approving_body}书面批准（{request.document_number}），"
        f"向{request.recipient}提供，有效期至 {request.expires}",
        "第四十四条",
    )
    return ctx.decide("disclosure-approval", None)


# ------------------------------------------------------------ rows


def _value(
    field: ExportField,
    full: bool,
    student: Student,
    enrollment: Enrollment,
    school: School,
) -> str:
    if field is ExportField.NUMBER:
        return student.number if full else mask_student_number(student.number)
    if field is ExportField.NAME:
        return student.name
    if field is ExportField.SEX:
        return student.sex.value
    if field is ExportField.BIRTH_DATE:
        born = student.birth_date
        return born.isoformat() if full else mask_birth_date(born)
    if field is ExportField.DOCUMENT:
        return student.document.value
    if field is ExportField.ID_NUMBER:
        shown = student.id_number if full else mask_id_number(student.id_number)
        return shown or ""
    if field is ExportField.SCHOOL:
        return school.name
    if field is ExportField.GRADE:
        return grade_label(enrollment.grade)
    if field is ExportField.STATUS:
        return enrollment.status.value
    if field is ExportField.HUKOU:
        hukou = student.hukou
        where = hukou.district if hukou.beijing else hukou.province
        kind = "本市户籍" if hukou.beijing else "非本市户籍"
        return kind + (f"（{where}）" if where else "")
    if field is ExportField.ADDRESS:
        shown = student.address if full else mask_address(student.address)
        return shown or ""
    if field is ExportField.GUARDIAN:
        return "；".join(f"{g.name}（{g.relation}）" for g in student.guardians)
    phones = (g.phone if full else mask_phone(g.phone) for g in student.guardians)
    return "；".join(p or "" for p in phones)


def _roll(
    uow: UnitOfWork, school: School, on: date, grade: int | None
) -> list[tuple[Student, Enrollment]]:
    """The students holding an active stint at ``school`` on ``on``, by grade
    then 学籍号."""
    stints = sorted(
        (
            e
            for e in uow.enrollments_at(school.code)
            if e.active_on(on)
            and e.status.active
            and (grade is None or e.grade == grade)
        ),
        key=lambda e: (e.grade, e.student),
    )
    roll = []
    for enrollment in stints:
        student = uow.get_student(enrollment.student)
        if student is not None:
            roll.append((student, enrollment))
    return roll


def _table(
    roll: list[tuple[Student, Enrollment]],
    school: School,
    fields: tuple[ExportField, ...],
    unmasked: frozenset[ExportField],
) -> Table:
    return Table(
        fields=fields,
        rows=tuple(
            tuple(_value(f, f in unmasked, s, e, school) for f in fields)
            for s, e in roll
        ),
    )


def _school(uow: UnitOfWork, code: str) -> School:
    school = uow.get_school(code)
    if school is None:
        raise UnknownOrganisationError(
            f"school {code!r} is not in the register; check the code"
        )
    return school


def class_list(
    uow: UnitOfWork,
    school_code: str,
    on: date,
    *,
    grade: int | None = None,
    fields: tuple[ExportField, ...] = DEFAULT_LIST_FIELDS,
) -> Table:
    """The register's own list of a school's students on ``on``, masked."""
    school = _school(uow, school_code)
    return _table(_roll(uow, school, on, grade), school, fields, frozenset())


def run_export(ctx: Context, request: Export) -> ExportResult:
    """第四十四条: check the approval, build the rows, record the export — or
    refuse and record the attempt.  The caller has checked the scope."""
    school = _school(ctx.uow, request.school)
    found = (
        None if request.approval is None else find_approval(ctx.uow, request.approval)
    )
    approval = None if found is None else found[1]
    if request.approval is None:
        ctx.refuse(
            "no-approval",
            "非经学籍主管部门书面批准，学籍信息一律不得向外提供；请先登记书面批准",
            "第四十四条",
        )
    elif approval is None:
        ctx.refuse(
            "unknown-approval",
            f"登记簿中没有文号为{request.approval}的书面批准",
            "第四十四条",
        )
    else:
        _check_approval(ctx, request, approval, school)
    if ctx.refused:
        _log(ctx, EXPORT_REFUSED, request, school, rows=0, students=())
        return ExportResult(ctx.decide("export", None), approval, None)

    assert approval is not None
    roll = _roll(ctx.uow, school, request.on, request.grade)
    table = _table(roll, school, request.fields, frozenset(approval.unmasked))
    _log(
        ctx,
        EXPORT,
        request,
        school,
        rows=len(table.rows),
        students=tuple(s.number for s, _e in roll),
    )
    ctx.inform(
        "exported",
        f"依{approval.approving_body}书面批准（{approval.document_number}）"
        f"向{request.recipient}提供{len(table.rows)}名学生的学籍信息",
        "第四十四条",
    )
    return ExportResult(ctx.decide("export", None), approval, table)


def _check_approval(
    ctx: Context, request: Export, approval: DisclosureApproval, school: School
) -> None:
    number = approval.document_number
    in_force = approval.on <= request.on <= approval.expires
    ctx.check("approval-in-force", "第四十四条", in_force)
    if not in_force:
        ctx.refuse(
            "approval-not-in-force",
            f"书面批准（{number}）有效期为 {approval.on} 至 {approval.expires}，"
            f"不含 {request.on}",
            "第四十四条",
        )
    if approval.recipient != request.recipient:
        ctx.refuse(
            "approval-recipient",
            f"书面批准（{number}）批准向{approval.recipient}提供，不含{request.recipient}",
            "第四十四条",
        )
    covered = approval.covers(school)
    ctx.check("approval-scope", "第四十四条", covered)
    if not covered:
        ctx.refuse(
            "approval-scope",
            f"书面批准（{number}）的范围不含{school.name}",
            "第四十四条",
        )
    beyond = [f for f in request.fields if f not in approval.fields]
    ctx.check("approval-fields", "第四十四条", not beyond)
    if beyond:
        ctx.refuse(
            "approval-fields",
            f"书面批准（{number}）未批准提供：{'、'.join(f.label for f in beyond)}",
            "第四十四条",
        )


def _log(
    ctx: Context,
    kind: str,
    request: Export,
    school: School,
    *,
    rows: int,
    students: tuple[str, ...],
) -> None:
    log = ExportLog(
        export=request,
        principal=str(ctx.principal),
        approval=request.approval,
        rows=rows,
        students=students,
        refusals=tuple(r.code for r in ctx.reasons if r.severity is Severity.REFUSAL),
    )
    keep(
        ctx,
        kind,
        log,
        district=school.district,
        on=request.on,
        school=school.code,
    )


def _register() -> None:
    from xueji._registry import register_request

    register_request(
        "disclosure-approval", DisclosureApproval, decide_disclosure_approval
    )


_register()
