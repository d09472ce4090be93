"""Masking personal data (第四十四条 保密制度).

ID numbers, G-kind 学籍号 (they contain the ID number), birth dates,
addresses and guardians' phone numbers are masked wherever the register
shows a student: views, lists, exports, reports and logs.  Full values are
shown only to a principal *acting on that student*, and every such read is
audited as a ``full read``.

"Acting on a student" is read narrowly (docs/oversight.md): on the day of
the read, the principal's own organisation, at the principal's level,

- owns the current step of the student's open procedure — the step it may
  approve, reject or return (the district handling a transfer, the school
  whose 核办 is due); or
- has an open obligation concerning the student addressed to it — the
  school that must build the archive or urge the pupil back, the township
  that must order the guardians to send the child.

Being the student's school is not enough: a registrar browsing the roll sees
masked values like everyone else.  An auditor never acts, so never sees full
values.

:class:`MaskingFilter` is defence in depth for logs: the kernel formats no
personal data into a log line (STYLE.md §10), and the filter masks anything
shaped like an ID number, a G-kind 学籍号 or a mobile number that slips
through someone else's.
"""

from __future__ import annotations

__all__ = [
    "EventView",
    "FullRead",
    "GuardianView",
    "MaskingFilter",
    "StintView",
    "StudentView",
    "full_read_basis",
    "mask_address",
    "mask_birth_date",
    "mask_id_number",
    "mask_phone",
    "mask_student_number",
    "masked_view",
    "redact",
]

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from xueji._access import Principal, PrincipalRole
from xueji._decisions import Role
from xueji._identity import DocumentKind, _mask_raw, _mask_student_number
from xueji._orgs import Grade, grade_label
from xueji._register import (
    ChangeKind,
    EnrollmentBasis,
    Sex,
    Student,
)
from xueji._status import Status

if TYPE_CHECKING:
    from xueji._service import History
    from xueji._storage import UnitOfWork

# 18 characters (region 6, birth date 8, sequence 3, check) not glued to
# other digits.  Digits right after J or L are a J or L 学籍号, which holds no
# ID number and stays readable; after G (or any other letter) they are masked.
_ID_SHAPED = re.compile(r"(?<![0-9JLjl])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9])")
# 15-digit legacy ID numbers: region 6, birth date and sequence 9.
_LEGACY = re.compile(r"(?<![0-9JLjl])(\d{6})\d{6}(\d{3})(?![0-9])")
# Mainland mobile numbers, 11 digits starting 13-19.
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")


def redact(text: str) -> str:
    """Mask every ID-number-shaped string, G-kind 学籍号 and mobile number.

    ``redact("学籍号G11010520190301001X") == "学籍号G110105********001X"``.
    J and L numbers are left as they are.
    """
    text = _ID_SHAPED.sub(lambda m: f"{m[1]}********{m[2][-4:]}", text)
    text = _LEGACY.sub(lambda m: f"{m[1]}******{m[2]}", text)
    return _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)


def mask_id_number(value: str | None) -> str | None:
    """The region code and the last four characters, 8 stars between."""
    return None if value is None else _mask_raw(value)


def mask_student_number(value: str) -> str:
    """G: masked like the ID number it contains; J and L: unchanged."""
    return _mask_student_number(value)


def mask_birth_date(value: date) -> str:
    """The year only: ``2019-**-**``."""
    return f"{value.year:04d}-**-**"


def mask_address(value: str | None) -> str | None:
    """The first six characters (the district, as a rule) and four stars."""
    if value is None:
        return None
    return value[:6] + "****" if len(value) > 6 else "****"


def mask_phone(value: str | None) -> str | None:
    """The first three and last four characters: ``138****0000``."""
    if value is None:
        return None
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID numbers, G-kind 学籍号 and mobile
    numbers in every record it passes (defence in depth, STYLE.md §10).

    The CLI installs it on its handlers::

        handler.addFilter(xueji.MaskingFilter())

    The message is formatted once (``record.getMessage()``), masked, and
    stored back without arguments; a traceback or stack is masked too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# ------------------------------------------------------------ full reads

_LEVEL = {
    Role.CITY: PrincipalRole.CITY,
    Role.DISTRICT: PrincipalRole.DISTRICT,
    Role.SCHOOL: PrincipalRole.SCHOOL,
    Role.TOWNSHIP: PrincipalRole.TOWNSHIP,
}


@attrs.frozen
class FullRead:
    """Why a principal may see a student's full values: the procedure step
    or the obligation on which it acts (第四十四条)."""

    principal: str
    subject: str  # the procedure or obligation id
    basis: str  # what it is doing, in Chinese
    article: str  # the article of that step or duty


def _owns(principal: Principal, role: Role, organisation: str) -> bool:
    return _LEVEL.get(role) is principal.role and principal.organisation == organisation


def full_read_basis(
    uow: UnitOfWork, principal: Principal, student: Student
) -> FullRead | None:
    """The step or duty on which ``principal`` acts on ``student``, if any.

    The current step of the student's open procedure, owned by the
    principal's organisation at its level; else an open obligation
    concerning the student addressed to it.  Obligations are looked up
    under the 学籍号 and every alias (an L number replaced later)."""
    if principal.role is PrincipalRole.AUDITOR:
        return None
    who = str(principal)
    procedure = uow.open_procedure_of(student.number)
    step = procedure.current if procedure is not None else None
    if (
        procedure is not None
        and step is not None
        and _owns(principal, step.role, step.organisation)
    ):
        return FullRead(who, procedure.id, f"办理{step.name}", step.article)
    for number in (student.number, *student.aliases):
        for item in uow.obligations(student=number, open_only=True):
            duty = item.obligation
            if _owns(principal, duty.role, duty.organisation):
                return FullRead(who, item.id, duty.text, duty.article)
    return None


# ------------------------------------------------------------ views


@attrs.frozen
class GuardianView:
    name: str
    relation: str
    phone: str | None


@attrs.frozen
class StintView:
    """One enrollment stint as shown (no personal data)."""

    school: str
    district: str
    grade: Grade
    grade_label: str
    status: Status
    first_day: date
    last_day: date | None
    basis: EnrollmentBasis
    status_until: date | None


@attrs.frozen
class EventView:
    """One 学籍变动 as shown; the summary is redacted."""

    on: date
    kind: ChangeKind
    article: str
    summary: str
    actor: str
    recorded_at: datetime
    source_status: Status | None = None
    target_status: Status | None = None


@attrs.frozen
class StudentView:
    """A student as a person may see it: masked unless ``full_read`` says
    why the viewer may see full values (the read was then audited)."""

    viewer: str
    number: str
    name: str
    sex: Sex
    birth_date: str
    document: DocumentKind
    id_number: str | None
    hukou: str
    address: str | None
    guardians: tuple[GuardianView, ...]
    aliases: tuple[str, ...]
    stints: tuple[StintView, ...] = ()
    events: tuple[EventView, ...] = ()
    archive_school: str | None = None
    full_read: FullRead | None = None

    @property
    def full(self) -> bool:
        return self.full_read is not None


def _hukou_text(student: Student) -> str:
    hukou = student.hukou
    if hukou.beijing:
        return "本市户籍" + (f"（{hukou.district}）" if hukou.district else "")
    return "非本市户籍" + (f"（{hukou.province}）" if hukou.province else "")


def masked_view(source: History | Student, principal: Principal) -> StudentView:
    """What ``principal`` may be shown of a student.

    ``source`` is a :class:`~xueji.History` (stints, events and archive
    included) or a bare :class:`~xueji.Student`.  Values are masked unless
    the history was read by this same principal while acting on the student
    (``History.full_read``); a bare student is always masked.  To read and
    view in one call, use :meth:`Register.student_view`."""
    if isinstance(source, Student):
        student, history = source, None
    else:
        student, history = source.student, source
    full_read = history.full_read if history is not None else None
    if full_read is not None and full_read.principal != str(principal):
        full_read = None
    full = full_read is not None

    def shown(value: str | None, mask: Callable[[str], str | None]) -> str | None:
        return value if value is None or full else mask(value)

    return StudentView(
        viewer=str(principal),
        number=student.number if full else mask_student_number(student.number),
        name=student.name,
        sex=student.sex,
        birth_date=(
            student.birth_date.isoformat()
            if full
            else mask_birth_date(student.birth_date)
        ),
        document=student.document,
        id_number=shown(student.id_number, _mask_raw),
        hukou=_hukou_text(student),
        address=shown(student.address, mask_address),
        guardians=tuple(
            GuardianView(g.name, g.relation, shown(g.phone, mask_phone))
            for g in student.guardians
        ),
        aliases=tuple(a if full else mask_student_number(a) for a in student.aliases),
        stints=tuple(
            StintView(
                school=e.school,
                district=e.district,
                grade=e.grade,
                grade_label=grade_label(e.grade),
                status=e.status,
                first_day=e.first_day,
                last_day=e.last_day,
                basis=e.basis,
                status_until=e.status_until,
            )
            for e in (history.enrollments if history is not None else ())
        ),
        events=tuple(
            EventView(
                on=e.on,
                kind=e.kind,
                article=e.article,
                summary=e.summary if full else redact(e.summary),
                actor=e.actor,
                recorded_at=e.recorded_at,
                source_status=e.source_status,
                target_status=e.target_status,
            )
            for e in (history.events if history is not None else ())
        ),
        archive_school=(
            history.archive.school
            if history is not None and history.archive is not None
            else None
        ),
        full_read=full_read,
    )
