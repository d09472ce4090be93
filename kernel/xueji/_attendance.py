"""Chapter 4, 考勤 (第十九至二十一条).

Requests: :class:`AttendanceMarks` (a batch of marks for one school),
:class:`LeaveRequest` (请假), :class:`GuardianContactEntry` (the guardian
contact log) and :class:`TermRegistration` (each term's 报到注册).  The job
:func:`missed_term_registration` applies 第二十一条 once the registration
window has closed (:meth:`~xueji.Register.mark_missed_term_registration`).

Marks are records (:mod:`xueji._records`): a correction is a new record that
supersedes the old one, nothing is deleted.  Present is the default, so a
day with no mark is not truancy (DESIGN.md §4).  Counters are per term and
skip the days a student is not counted (:attr:`Status.counted_for_attendance`).
School days follow the stage's calendar and the district's closure days.

Other chapters read what is kept here: :func:`marks_of` (e.g. the truancy
days of 第三十六条第二款第（二）项), :func:`guardian_contacts` (多次联系), and
write truancy the regulation imposes with :func:`mark_truant` (第三十五条).
"""

from __future__ import annotations

__all__ = [
    "AttendanceEntry",
    "AttendanceMark",
    "AttendanceMarks",
    "ContactChannel",
    "GuardianContact",
    "GuardianContactEntry",
    "LeaveGrant",
    "LeaveRequest",
    "Mark",
    "TermRegistration",
    "TermRegistrationRecord",
    "attendance_from_rows",
    "guardian_contacts",
    "leave_on",
    "load_attendance_csv",
    "mark_truant",
    "marks_of",
    "missed_term_registration",
    "status_on",
]

import csv
import enum
import hashlib
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import Applicant, ApplicantKind, Principal, PrincipalRole
from xueji._calendar import CalendarBook, Term
from xueji._context import Context, new_id
from xueji._decisions import Decision, ObligationKind, Role, Source
from xueji._enrollment import edition, entry_term, school_of, township_for
from xueji._errors import InvalidInputError, RosterError, RowProblem
from xueji._identity import StudentNumber
from xueji._orgs import School, Stage
from xueji._procedures import AuditRecord, Record
from xueji._records import keep, read
from xueji._register import Enrollment, Student
from xueji._roster import decode_roster
from xueji._rules import Rules, timely_due
from xueji._serialize import dumps
from xueji._status import Status
from xueji._storage import Store, UnitOfWork

ATTENDANCE = "attendance"
LEAVE = "leave"
CONTACT = "guardian-contact"
TERM_REGISTRATION = "term-registration"

_ONE_DAY = timedelta(days=1)
_GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "监护人")
_STUDENT = Applicant(ApplicantKind.STUDENT, "学生")


class Mark(enum.Enum):
    """考勤项目 (第十九条).  Present is the default: a day with no mark is
    a day present, never truancy."""

    PRESENT = "出勤"
    LATE = "迟到"
    LEFT_EARLY = "早退"
    SICK_LEAVE = "病假"
    PERSONAL_LEAVE = "事假"
    TRUANT = "旷课"

    @property
    def leave(self) -> bool:
        return self in (Mark.SICK_LEAVE, Mark.PERSONAL_LEAVE)


_MARK_NAMES = {
    **{m.value: m for m in Mark},
    "present": Mark.PRESENT,
    "late": Mark.LATE,
    "left-early": Mark.LEFT_EARLY,
    "sick-leave": Mark.SICK_LEAVE,
    "personal-leave": Mark.PERSONAL_LEAVE,
    "truant": Mark.TRUANT,
}


def _masked(number: str) -> str:
    return StudentNumber.parse(number).masked()


# ---------------------------------------------------------------- values


class ContactChannel(enum.Enum):
    """How the school reached the guardian (第二十条第一款)."""

    PHONE = "电话"
    MEETING = "面谈"
    HOME_VISIT = "家访"
    MESSAGE = "短信或即时通讯"
    LETTER = "书面通知"
    OTHER = "其他"


@attrs.frozen
class AttendanceMark:
    """One day's mark of one student at one school, as kept.  ``article``
    is 第十九条 for a mark the school records, or the article that imposed
    it (第二十一条 for a missed term registration)."""

    student: str
    school: str
    day: date
    mark: Mark
    article: str = "第十九条"
    note: str = ""


@attrs.frozen
class LeaveGrant:
    """An approved leave (请假手续, 第二十条第一款), as kept."""

    student: str
    school: str
    first: date
    last: date
    kind: Mark
    reason: str
    applicant: str


@attrs.frozen
class GuardianContact:
    """One entry of the guardian contact log (第二十条第一款): who at the
    school contacted the guardian, on which day, how, and with what
    outcome.  Other rules read it (第三十六条第二款: 多次联系)."""

    student: str
    school: str
    contacted_by: str
    contacted_on: date
    channel: ContactChannel
    outcome: str
    reached: bool = True
    guardian: str | None = None


@attrs.frozen
class TermRegistrationRecord:
    """A term's 报到注册 (第二十一条), as kept."""

    student: str
    school: str
    school_year: str
    term: int
    registered_on: date


# ---------------------------------------------------------------- requests


@attrs.frozen
class AttendanceEntry:
    """One mark of a batch."""

    student: str
    day: date
    mark: Mark
    note: str = ""


@attrs.frozen
class AttendanceMarks:
    """A batch of marks for one school and the days ``first``..``last``
    (第十九条).  Every entry must fall in the range, on a school day, no
    later than the request's date, for a student whose stint at the school
    covers the day; a bad entry makes the whole batch an error listing every
    problem, and nothing is written.  A mark on a day already marked
    supersedes it (a correction); the same mark again changes nothing."""

    id: str
    on: date
    school: str
    first: date
    last: date
    entries: tuple[AttendanceEntry, ...]
    idempotency_key: str | None = None


def _leave_kind(_: object, attribute: Attribute[Mark], value: Mark) -> None:
    if not value.leave:
        raise InvalidInputError(
            f"{attribute.name} {value.value} is not a kind of leave: use 病假 or "
            "事假 (第十九条)"
        )


@attrs.frozen
class LeaveRequest:
    """请假 (第二十条第一款): the days ``first``..``last`` of an approved
    leave are marked 病假 or 事假.  A leave never changes the student's
    status (it is not 休学, 第三十二条)."""

    id: str
    on: date
    student: str
    first: date
    last: date
    kind: Mark = attrs.field(validator=_leave_kind)
    reason: str
    applicant: Applicant = _GUARDIAN
    idempotency_key: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInputError(
                f"leave from {self.first} to {self.last}: the last day is before "
                "the first; correct the dates"
            )


@attrs.frozen
class GuardianContactEntry:
    """An entry of the guardian contact log (第二十条第一款).  A contact
    that reached the guardian fulfils the open duties to inform or contact
    that guardian which arose on or before ``contacted_on``."""

    id: str
    on: date
    student: str
    contacted_by: str
    contacted_on: date
    channel: ContactChannel
    outcome: str
    reached: bool = True
    guardian: str | None = None
    idempotency_key: str | None = None


@attrs.frozen
class TermRegistration:
    """报到注册 at the start of a term (第二十一条: 每学期开学后5个工作日内).
    The term is the one containing the request's date, or the next one."""

    id: str
    on: date
    student: str
    applicant: Applicant = _STUDENT
    idempotency_key: str | None = None


# ---------------------------------------------------------------- reading


def status_on(uow: UnitOfWork, enrollment: Enrollment, day: date) -> Status:
    """The status of a stint on ``day``, from the 学籍变动 log: the target of
    the last status change dated on or before ``day``; the stint's current
    status when no change is dated after ``day`` (a status written without
    an event is taken as it stands)."""
    changes = sorted(
        (
            e
            for e in uow.events_of(enrollment.student)
            if e.enrollment == enrollment.id and e.target_status is not None
        ),
        key=lambda e: (e.on, e.recorded_at),
    )
    if not changes or changes[-1].on <= day:
        return enrollment.status
    status = None
    for change in changes:
        if change.on > day:
            break
        status = change.target_status
    return status or enrollment.status


def _mark_records(
    uow: UnitOfWork,
    student: str,
    *,
    school: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> dict[tuple[str, date], tuple[Record, AttendanceMark]]:
    found = read(
        uow,
        ATTENDANCE,
        AttendanceMark,
        student=student,
        school=school,
        first=first,
        last=last,
    )
    return {(value.school, value.day): (record, value) for record, value in found}


def marks_of(
    uow: UnitOfWork,
    student: str,
    *,
    first: date | None = None,
    last: date | None = None,
) -> dict[date, Mark]:
    """The student's current marks by day (days with no mark are absent:
    present is the default)."""
    found = _mark_records(uow, student, first=first, last=last)
    return {day: value.mark for (_school, day), (_r, value) in sorted(found.items())}


def leave_on(uow: UnitOfWork, student: str, day: date) -> LeaveGrant | None:
    """The approved leave covering ``day``, if any."""
    for _record, grant in read(uow, LEAVE, LeaveGrant, student=student, last=day):
        if grant.first <= day <= grant.last:
            return grant
    return None


def guardian_contacts(
    uow: UnitOfWork,
    student: str,
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[GuardianContact]:
    """The guardian contact log of a student, in order (第二十条第一款)."""
    return [
        value
        for _record, value in read(
            uow, CONTACT, GuardianContact, student=student, first=first, last=last
        )
    ]


def _stint_at(
    uow: UnitOfWork, student: str, school: str, day: date
) -> Enrollment | None:
    for enrollment in uow.enrollments_of(student):
        if enrollment.school == school and enrollment.active_on(day):
            return enrollment
    return None


def _current_stint(ctx: Context, number: str) -> tuple[Student, Enrollment, School]:
    """The student's open stint (at the principal's school when it holds
    one of two, 第十二条)."""
    student = ctx.uow.get_student(number)
    if student is None:
        raise InvalidInputError(
            f"no student with 学籍号 {_masked(number)} in the register; check "
            "the number"
        )
    open_stints = [
        e
        for e in ctx.uow.enrollments_of(student.number)
        if e.status.active and e.last_day is None
    ]
    if not open_stints:
        raise InvalidInputError(
            f"student {_masked(student.number)} holds no active 学籍; attendance "
            "is kept for enrolled students"
        )
    own = [e for e in open_stints if e.school == ctx.principal.organisation]
    enrollment = (own or open_stints)[0]
    return student, enrollment, school_of(ctx, enrollment.school)


def _require_scope(ctx: Context, school: School) -> None:
    from xueji._service import require_scope

    require_scope(ctx, school)


def _stage(school: School, enrollment: Enrollment) -> Stage:
    return school.system.stage_of(enrollment.grade)


# ---------------------------------------------------------------- writing


def _close_duties(
    ctx: Context,
    student: str,
    kinds: tuple[ObligationKind, ...],
    *,
    on: date,
    by: str,
    outcome: str,
    arising: tuple[date, date] | None = None,
) -> int:
    """Fulfil the student's open duties of ``kinds`` (those arising within
    ``arising`` when given).  Returns how many."""
    closed = 0
    for item in ctx.uow.obligations(student=student, open_only=True):
        obligation = item.obligation
        if obligation.kind not in kinds:
            continue
        if arising is not None and not (arising[0] <= obligation.arises <= arising[1]):
            continue
        ctx.uow.update_obligation(
            attrs.evolve(
                item,
                fulfilled_on=on,
                fulfilled_by=by,
                outcome=outcome,
                version=item.version + 1,
            )
        )
        closed += 1
    return closed


def _write_mark(
    ctx: Context,
    school: School,
    student: str,
    day: date,
    mark: Mark,
    *,
    article: str = "第十九条",
    note: str = "",
) -> AttendanceMark | None:
    """Keep one mark, superseding the day's earlier mark; ``None`` when
    nothing changes (the same mark again, or present on an unmarked day)."""
    existing = _mark_records(ctx.uow, student, school=school.code, first=day, last=day)
    before = existing.get((school.code, day))
    if before is not None and before[1].mark is mark:
        return None
    if before is None and mark is Mark.PRESENT:
        return None
    value = AttendanceMark(student, school.code, day, mark, article, note)
    keep(
        ctx,
        ATTENDANCE,
        value,
        district=school.district,
        on=day,
        student=student,
        school=school.code,
        supersedes=None if before is None else before[0].id,
    )
    if before is not None and before[1].mark is Mark.TRUANT:
        # A 旷课 corrected (to leave, say): its duty to inform is withdrawn.
        _close_duties(
            ctx,
            student,
            (ObligationKind.INFORM_GUARDIAN,),
            on=ctx.on,
            by=str(ctx.principal),
            outcome=f"corrected to {mark.value}",
            arising=(day, day),
        )
    return value


def _exists(
    ctx: Context,
    student: str,
    kind: ObligationKind,
    first: date,
    last: date,
) -> bool:
    return any(
        item.obligation.kind is kind and first <= item.obligation.arises <= last
        for item in ctx.uow.obligations(student=student)
    )


def _timely(
    ctx: Context, school: School, duty: str, arises: date
) -> tuple[date, Source]:
    """及时: by the next working day (DESIGN.md §4), or sooner where the
    district says so (``xueji_timely_days``)."""
    answer = ctx.rules.timely_days(school.district, duty, ctx.on)
    return timely_due(ctx.calendars.working_days, arises, answer.value), answer.source


def _inform_guardians(
    ctx: Context, school: School, student: str, days: list[date], arises: date | None
) -> None:
    """第二十条第一款: 按旷课处理，并及时通知其父母或其他法定监护人 — and learn
    the circumstances from them (向其父母…及时了解情况)."""
    groups = [(day, [day]) for day in days] if arises is None else [(arises, days)]
    for when, covered in groups:
        if _exists(ctx, student, ObligationKind.INFORM_GUARDIAN, when, when):
            continue
        shown = "、".join(d.isoformat() for d in covered)
        due, source = _timely(ctx, school, "inform-guardian", when)
        ctx.oblige(
            ObligationKind.INFORM_GUARDIAN,
            f"学生旷课（{shown}）：及时通知其父母或其他法定监护人，了解情况，配合"
            "监护人对学生进行教育",
            role=Role.SCHOOL,
            organisation=school.code,
            arises=when,
            due=due,
            article="第二十条第一款",
            student=student,
            district=school.district,
            source=source,
        )


def _frequent_lateness(ctx: Context, school: School, student: str, term: Term) -> None:
    """第二十条第一款: 经常迟到、早退 — three times or more within a term
    (DESIGN.md §4); lateness and leaving early count together.  A district
    may lower the threshold, never raise it."""
    answer = ctx.rules.answer(
        "xueji_frequent_lateness_threshold",
        district=school.district,
        on=ctx.on,
        default=3,
        check=lambda v: (
            None
            if isinstance(v, int) and 1 <= v <= 3
            else "经常 may only be made stricter: a whole number from 1 to 3"
        ),
    )
    marks = marks_of(ctx.uow, student, first=term.start, last=term.end)
    days = sorted(d for d, m in marks.items() if m in (Mark.LATE, Mark.LEFT_EARLY))
    ctx.check(
        "frequent-lateness",
        "第二十条第一款",
        f"{len(days)}/{answer.value} in term {term.number} of {term.school_year}",
        answer.source,
    )
    if len(days) < answer.value:
        return
    arises = days[answer.value - 1]
    if _exists(ctx, student, ObligationKind.CONTACT_GUARDIAN, term.start, term.end):
        return
    due, _source = _timely(ctx, school, "contact-guardian", arises)
    ctx.oblige(
        ObligationKind.CONTACT_GUARDIAN,
        f"学生本学期迟到、早退已{len(days)}次（经常迟到、早退）：向其父母或其他法定"
        "监护人及时了解情况，配合监护人对学生进行教育，帮助其改正",
        role=Role.SCHOOL,
        organisation=school.code,
        arises=arises,
        due=due,
        article="第二十条第一款",
        student=student,
        district=school.district,
        source=answer.source,
    )


def _truancy_week(
    ctx: Context,
    school: School,
    student: Student,
    term: Term,
    floor: date | None,
) -> None:
    """第二十条第二款: a compulsory student's week of continuous truancy —
    five consecutive school days marked 旷课 — obliges the school to inform
    the township or street office of the student's hukou or residence.  The
    duty arises on the fifth day (or, for marks a job writes later, on the
    job's day) and is due the next working day; one duty per run."""
    days = ctx.calendars.term_school_days(term, school.district)
    marks = marks_of(ctx.uow, student.number, first=term.start, last=term.end)
    runs: list[list[date]] = [[]]
    for day in days:
        if marks.get(day) is Mark.TRUANT:
            runs[-1].append(day)
        elif runs[-1]:
            runs.append([])
    for run in runs:
        if len(run) < 5:
            continue
        arises = max(run[4], floor or run[4])
        ctx.check("truancy-week", "第二十条第二款", f"{run[0]}..{run[-1]}")
        if _exists(ctx, student.number, ObligationKind.INFORM_TOWNSHIP, run[0], arises):
            continue
        township = township_for(ctx, student)
        name = None if township is None else ctx.uow.get_township(township)
        whom = (
            name.name
            if name is not None
            else "户籍所在地或居住地乡镇人民政府或街道办事处"
        )
        ctx.oblige(
            ObligationKind.INFORM_TOWNSHIP,
            f"义务教育阶段学生自 {run[0]} 起连续旷课一周（5个教学日，至 {run[4]}）"
            f"仍不到校：告知{whom}，由其责令学生父母或其他法定监护人送学生到校上课",
            role=Role.SCHOOL,
            organisation=school.code,
            arises=arises,
            due=ctx.calendars.working_days.add_working_days(arises, 1),
            article="第二十条第二款",
            student=student.number,
            district=school.district,
        )


def _duties(
    ctx: Context,
    school: School,
    enrollment: Enrollment,
    written: list[AttendanceMark],
    arises: date | None = None,
) -> None:
    """The duties that new marks trigger (第二十条)."""
    student = ctx.uow.get_student(enrollment.student)
    assert student is not None
    stage = _stage(school, enrollment)
    truant = sorted(m.day for m in written if m.mark is Mark.TRUANT)
    if truant:
        _inform_guardians(ctx, school, student.number, truant, arises)
    late = [m.day for m in written if m.mark in (Mark.LATE, Mark.LEFT_EARLY)]
    for term in _terms(ctx, late, stage):
        _frequent_lateness(ctx, school, student.number, term)
    if stage.compulsory:
        for term in _terms(ctx, truant, stage):
            _truancy_week(ctx, school, student, term, arises)


def _terms(ctx: Context, days: Iterable[date], stage: Stage) -> list[Term]:
    terms: dict[tuple[str, int], Term] = {}
    for day in days:
        term = ctx.calendars.term_on(day, stage.calendar_stage)
        if term is not None:
            terms[(term.school_year, term.number)] = term
    return [terms[k] for k in sorted(terms)]


def mark_truant(
    ctx: Context,
    school: School,
    enrollment: Enrollment,
    days: Iterable[date],
    *,
    article: str,
    arises: date,
    note: str = "",
) -> list[AttendanceMark]:
    """Write the truancy the regulation imposes (第二十一条; 第三十五条第二款)
    on ``days`` that carry no mark yet — a mark the school recorded, a leave
    included, is never overwritten — and create the duties it triggers,
    arising on ``arises``.  Running it again changes nothing."""
    marked = _mark_records(ctx.uow, enrollment.student, school=school.code)
    written = []
    for day in sorted(set(days)):
        if (school.code, day) in marked or leave_on(ctx.uow, enrollment.student, day):
            continue
        value = _write_mark(
            ctx,
            school,
            enrollment.student,
            day,
            Mark.TRUANT,
            article=article,
            note=note,
        )
        if value is not None:
            written.append(value)
    if written:
        _duties(ctx, school, enrollment, written, arises)
    return written


# ---------------------------------------------------------------- marks


def decide_marks(ctx: Context, request: AttendanceMarks) -> Decision:
    """第十九、二十条."""
    school = school_of(ctx, request.school)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("attendance-marks", None)
    plan = _check_batch(ctx, request, school)

    written: dict[str, tuple[Enrollment, list[AttendanceMark]]] = {}
    uncounted: dict[str, Status] = {}
    for enrollment, entry in plan:
        status = status_on(ctx.uow, enrollment, entry.day)
        if not status.counted_for_attendance:
            uncounted[entry.student] = status
            continue
        mark = entry.mark
        grant = (
            leave_on(ctx.uow, entry.student, entry.day) if mark is Mark.TRUANT else None
        )
        if grant is not None:
            mark = grant.kind
            ctx.inform(
                "on-leave",
                f"{_masked(entry.student)} {entry.day} 已履行请假手续，按{mark.value}"
                "记录，不按旷课处理",
                "第二十条第一款",
            )
        value = _write_mark(
            ctx, school, entry.student, entry.day, mark, note=entry.note
        )
        if value is not None:
            written.setdefault(entry.student, (enrollment, []))[1].append(value)
    for number, status in sorted(uncounted.items()):
        ctx.warn(
            "not-counted",
            f"{_masked(number)} 处于{status.value}状态，不计考勤，未记录",
            "第十九条",
        )
    for enrollment, values in written.values():
        _duties(ctx, school, enrollment, values)
    count = sum(len(v) for _e, v in written.values())
    ctx.check("attendance-marks", "第十九条", f"{count} written")
    students = {e.student for e in request.entries}
    return ctx.decide(
        "attendance-marks", students.pop() if len(students) == 1 else None
    )


def _check_batch(
    ctx: Context, request: AttendanceMarks, school: School
) -> list[tuple[Enrollment, AttendanceEntry]]:
    """Every entry is checked before any is written; all problems at once."""
    if request.last < request.first:
        raise InvalidInputError(
            f"attendance batch {request.id}: last day {request.last} is before "
            f"the first {request.first}"
        )
    problems: list[str] = []
    plan: list[tuple[Enrollment, AttendanceEntry]] = []
    seen: set[tuple[str, date]] = set()
    for index, entry in enumerate(request.entries, start=1):
        where = f"entry {index} ({_masked(entry.student)}, {entry.day})"
        if not request.first <= entry.day <= request.last:
            problems.append(
                f"{where}: outside the batch's days {request.first}..{request.last}"
            )
            continue
        if entry.day > request.on:
            problems.append(f"{where}: a mark for a day after the request's date")
            continue
        if (entry.student, entry.day) in seen:
            problems.append(f"{where}: marked twice in the batch")
            continue
        seen.add((entry.student, entry.day))
        enrollment = _stint_at(ctx.uow, entry.student, school.code, entry.day)
        if enrollment is None:
            problems.append(f"{where}: no 学籍 at {school.code} on that day")
            continue
        stage = _stage(school, enrollment)
        if not ctx.calendars.is_school_day(
            entry.day, stage.calendar_stage, school.district
        ):
            problems.append(f"{where}: not a school day (教学日) of {school.code}")
            continue
        plan.append((enrollment, entry))
    if problems:
        raise InvalidInputError(
            f"attendance batch {request.id}: {len(problems)} problem(s); nothing "
            "was written.\n  " + "\n  ".join(problems)
        )
    return plan


# ---------------------------------------------------------------- leave


def decide_leave(ctx: Context, request: LeaveRequest) -> Decision:
    """第二十条第一款: 因故不能到校上课…应当履行请假手续."""
    student, enrollment, school = _current_stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("leave", student.number)
    if request.applicant.kind is ApplicantKind.SCHOOL:
        ctx.missing(
            "leave-applicant",
            "请假由学生或其父母或其他法定监护人提出",
            "第二十条第一款",
        )
        return ctx.decide("leave", student.number)

    stage = _stage(school, enrollment)
    first = max(request.first, enrollment.first_day)
    days = ctx.calendars.school_days(
        first, request.last, stage.calendar_stage, school.district
    )
    grant = LeaveGrant(
        student.number,
        school.code,
        request.first,
        request.last,
        request.kind,
        request.reason,
        request.applicant.name,
    )
    keep(
        ctx,
        LEAVE,
        grant,
        district=school.district,
        on=request.first,
        until=request.last,
        student=student.number,
        school=school.code,
    )
    marks = _mark_records(
        ctx.uow, student.number, school=school.code, first=first, last=request.last
    )
    kept = 0
    for day in days:
        before = marks.get((school.code, day))
        if before is not None and before[1].mark in (Mark.LATE, Mark.LEFT_EARLY):
            kept += 1  # the student came: the school's mark stands
            continue
        _write_mark(ctx, school, student.number, day, request.kind, note=request.reason)
    ctx.check("leave-days", "第二十条第一款", len(days))
    if kept:
        ctx.inform(
            "leave-kept-marks",
            f"请假期间有{kept}天已记迟到或早退，保留原记录",
            "第十九条",
        )
    ctx.inform(
        "not-suspension",
        f"请假{len(days)}个教学日，按{request.kind.value}记录；请假不改变学籍状态"
        "（不是休学）",
        "第二十条第一款",
    )
    return ctx.decide("leave", student.number)


# ---------------------------------------------------------------- contacts


def decide_contact(ctx: Context, request: GuardianContactEntry) -> Decision:
    """第二十条第一款: the school's contact with the guardian, logged."""
    student, _enrollment, school = _current_stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("guardian-contact", student.number)
    if request.contacted_on > request.on:
        raise InvalidInputError(
            f"contact on {request.contacted_on} is after the request's date "
            f"{request.on}: log a contact once it has happened"
        )

    contact = GuardianContact(
        student.number,
        school.code,
        request.contacted_by,
        request.contacted_on,
        request.channel,
        request.outcome,
        request.reached,
        request.guardian,
    )
    keep(
        ctx,
        CONTACT,
        contact,
        district=school.district,
        on=request.contacted_on,
        student=student.number,
        school=school.code,
    )
    if request.reached:
        closed = _close_duties(
            ctx,
            student.number,
            (ObligationKind.INFORM_GUARDIAN, ObligationKind.CONTACT_GUARDIAN),
            on=request.contacted_on,
            by=request.contacted_by,
            outcome=f"{request.channel.value}：{request.outcome}",
            arising=(date.min, request.contacted_on),
        )
        ctx.check("guardian-duties-fulfilled", "第二十条第一款", closed)
    else:
        ctx.inform(
            "not-reached",
            "未联系上监护人：已记录，通知或了解情况的义务仍未履行",
            "第二十条第一款",
        )
    return ctx.decide("guardian-contact", student.number)


# ---------------------------------------------------------------- 第二十一条


def _registration_of(
    uow: UnitOfWork, student: str, term: Term
) -> TermRegistrationRecord | None:
    for _record, value in read(
        uow, TERM_REGISTRATION, TermRegistrationRecord, student=student
    ):
        if value.school_year == term.school_year and value.term == term.number:
            return value
    return None


def decide_term_registration(ctx: Context, request: TermRegistration) -> Decision:
    """第二十一条: 每学期开学后5个工作日内，到校办理报到注册手续."""
    student, enrollment, school = _current_stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("term-registration", student.number)
    if not enrollment.status.counted_for_attendance or (
        enrollment.status is Status.ADMITTED
    ):
        ctx.refuse(
            "not-in-school",
            f"该学生处于{enrollment.status.value}状态；报到注册适用于在校学生"
            "（新生入学注册见第十六条）",
            "第二十一条",
        )
        return ctx.decide("term-registration", student.number)

    stage = _stage(school, enrollment)
    term = ctx.calendars.current_or_next_term(request.on, stage.calendar_stage)
    earlier = _registration_of(ctx.uow, student.number, term)
    if earlier is not None:
        ctx.refuse(
            "already-registered",
            f"已于 {earlier.registered_on} 办理{term.school_year}学年第{term.number}"
            "学期报到注册",
            "第二十一条",
        )
        return ctx.decide("term-registration", student.number)
    window = ctx.calendars.days_after_term_start(term, 5)
    ctx.check(
        "term-registration-window", "第二十一条", f"{window}: {request.on <= window}"
    )
    if request.on > window:
        ctx.warn(
            "late",
            f"未在开学后5个工作日内（至 {window}）报到注册；无正当理由又未履行请假"
            "手续的，注册前的教学日按旷课处理",
            "第二十一条",
        )

    keep(
        ctx,
        TERM_REGISTRATION,
        TermRegistrationRecord(
            student.number, school.code, term.school_year, term.number, request.on
        ),
        district=school.district,
        on=request.on,
        student=student.number,
        school=school.code,
    )
    return ctx.decide("term-registration", student.number)


def _in_scope(principal: Principal, school: School) -> bool:
    return (
        principal.role is PrincipalRole.CITY
        or (
            principal.role is PrincipalRole.DISTRICT
            and principal.organisation == school.district
        )
        or (
            principal.role is PrincipalRole.SCHOOL
            and principal.organisation == school.code
        )
    )


def _excused(uow: UnitOfWork, student: str, term: Term, window: date) -> bool:
    """请假手续 for days of the window (第二十一条: 又未履行请假手续)."""
    return any(
        grant.first <= window and grant.last >= term.start
        for _record, grant in read(uow, LEAVE, LeaveGrant, student=student)
    )


def missed_term_registration(
    store: Store,
    rules: Rules,
    calendars: CalendarBook,
    term: Term,
    on: date,
    principal: Principal,
    *,
    now: datetime,
) -> list[Decision]:
    """第二十一条, run once the registration window of ``term`` has closed:
    a student in school who neither registered within the window nor asked
    for leave is marked 旷课 on every school day of the term until the
    registration — through the day before ``on`` while it has not happened.
    Days already marked are left as they are, so running it twice changes
    nothing.  The duties the marks trigger arise on ``on``.

    A stint whose first term this is is left out: its registration is the
    新生入学注册 of 第十六条 (or the transfer that began it)."""
    window = calendars.days_after_term_start(term, 5)
    decisions: list[Decision] = []
    if on <= window:
        return decisions
    with store.unit_of_work() as uow:
        schools = [s for s in uow.schools() if _in_scope(principal, s)]
        for school in schools:
            for enrollment in uow.enrollments_at(school.code):
                ctx = Context(uow, rules, calendars, principal, new_id("job"), on, now)
                written = _missed(ctx, school, enrollment, term, window)
                if written:
                    decision = ctx.decide(
                        "term-registration-missed", enrollment.student
                    )
                    uow.save_decision(decision, key=None, digest=None)
                    decisions.append(decision)
        uow.append_audit(
            AuditRecord(
                id=new_id("aud"),
                at=now,
                principal=str(principal),
                organisation=principal.organisation,
                action=f"mark missed term registration {term.school_year} term "
                f"{term.number} {term.stage.value}: {len(decisions)} changed",
                allowed=True,
            )
        )
        uow.commit()
    return decisions


def _missed(
    ctx: Context, school: School, enrollment: Enrollment, term: Term, window: date
) -> list[AttendanceMark]:
    stage = _stage(school, enrollment)
    if stage.calendar_stage is not term.stage or not enrollment.active_on(window):
        return []
    status = status_on(ctx.uow, enrollment, window)
    if not status.counted_for_attendance or status is Status.ADMITTED:
        return []
    if entry_term(ctx.calendars, enrollment, stage) == term:
        return []
    registration = _registration_of(ctx.uow, enrollment.student, term)
    if registration is not None and registration.registered_on <= window:
        return []
    if _excused(ctx.uow, enrollment.student, term, window):
        return []
    until = ctx.on if registration is None else registration.registered_on
    days = [
        d
        for d in ctx.calendars.school_days(
            max(term.start, enrollment.first_day),
            min(until - _ONE_DAY, term.end),
            term.stage,
            school.district,
        )
        if status_on(ctx.uow, enrollment, d).counted_for_attendance
    ]
    return mark_truant(
        ctx,
        school,
        enrollment,
        days,
        article="第二十一条",
        arises=ctx.on,
        note="未按期报到注册又未履行请假手续，按旷课处理",
    )


# ---------------------------------------------------------------- CSV

_COLUMNS = {
    "学校代码": "school",
    "school": "school",
    "学籍号": "student",
    "student": "student",
    "日期": "day",
    "date": "day",
    "day": "day",
    "考勤": "mark",
    "mark": "mark",
    "备注": "note",
    "note": "note",
}
_REQUIRED = ("school", "student", "day", "mark")


def attendance_from_rows(
    rows: Iterable[Mapping[str, str]], *, on: date, source: str
) -> list[AttendanceMarks]:
    """Attendance rows (columns 学校代码/school, 学籍号/student, 日期/date,
    考勤/mark and optionally 备注/note) into one :class:`AttendanceMarks`
    per school, each spanning its rows' days and dated ``on``.  Every row
    is checked; any bad row raises :class:`~xueji.RosterError` listing them
    all.  A batch's id is made from its content and is also its
    idempotency key, so loading the same file again decides nothing new.

    Rows are numbered as a spreadsheet numbers them: the header is row 1."""
    problems: list[RowProblem] = []
    by_school: dict[str, list[AttendanceEntry]] = {}
    for number, row in enumerate(rows, start=2):
        values = {
            _COLUMNS[k.strip().lstrip("\ufeff").lower()]: (v or "").strip()
            for k, v in row.items()
            if k is not None and k.strip().lstrip("\ufeff").lower() in _COLUMNS
        }
        if not any(values.values()):
            continue
        missing = [c for c in _REQUIRED if not values.get(c)]
        for column in missing:
            problems.append(RowProblem(number, column, "缺少必需的值"))
        if missing:
            continue
        mark = _MARK_NAMES.get(values["mark"]) or _MARK_NAMES.get(
            values["mark"].lower()
        )
        if mark is None:
            problems.append(
                RowProblem(
                    number,
                    "mark",
                    f"“{values['mark']}”不是考勤项目；可用：出勤、迟到、早退、病假、事假、旷课",
                )
            )
            continue
        try:
            day = date.fromisoformat(values["day"].replace("/", "-"))
        except ValueError:
            problems.append(RowProblem(number, "day", "日期应为 YYYY-MM-DD"))
            continue
        try:
            student = StudentNumber.parse(values["student"]).value
        except InvalidInputError as error:
            problems.append(RowProblem(number, "student", str(error)))
            continue
        by_school.setdefault(values["school"], []).append(
            AttendanceEntry(student, day, mark, values.get("note", ""))
        )
    if problems:
        raise RosterError(source, problems)
    batches = []
    for code, entries in sorted(by_school.items()):
        batch = AttendanceMarks(
            id="",
            on=on,
            school=code,
            first=min(e.day for e in entries),
            last=max(e.day for e in entries),
            entries=tuple(entries),
        )
        key = "att-" + hashlib.sha256(dumps(batch).encode("utf-8")).hexdigest()[:20]
        batches.append(attrs.evolve(batch, id=key, idempotency_key=key))
    return batches


def load_attendance_csv(path: str | Path, *, on: date) -> list[AttendanceMarks]:
    """Read an attendance CSV file (UTF-8 with or without BOM, or GB18030,
    decoded as rosters are) into batches: see :func:`attendance_from_rows`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot be read: {error.strerror}") from None
    text, _encoding = decode_roster(data, source=str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lstrip("\ufeff").lower() for h in reader.fieldnames or []]
    absent = [c for c in _REQUIRED if c not in {_COLUMNS.get(h) for h in header}]
    if absent:
        raise RosterError(
            str(path),
            [
                RowProblem(1, c, "缺少必需的列（学校代码、学籍号、日期、考勤）")
                for c in absent
            ],
        )
    return attendance_from_rows(reader, on=on, source=str(path))


def _register() -> None:
    from xueji._registry import register_request

    register_request("attendance-marks", AttendanceMarks, decide_marks)
    register_request("leave", LeaveRequest, decide_leave)
    register_request("guardian-contact", GuardianContactEntry, decide_contact)
    register_request("term-registration", TermRegistration, decide_term_registration)


_register()
