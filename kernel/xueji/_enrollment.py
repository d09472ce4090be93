"""Chapter 3, 入学与注册 (第九至十八条), and the 学籍号 (第十七条第二款).

Requests: :class:`Admission` (a new 学籍 from the admission result),
:class:`Registration` (入学注册), :class:`DelayedRegistration` (延期注册),
:class:`Deferral` (缓学), :class:`IdCorrection`,
:class:`NationalNumberAssignment` and :class:`DuplicateResolution`.
Each handler reads as guard, compute, persist, return; a refusal writes
nothing but the decision.
"""

from __future__ import annotations

__all__ = [
    "Admission",
    "DeferralApplication",
    "DelayedRegistration",
    "DuplicateResolution",
    "IdCorrection",
    "NationalNumberAssignment",
    "Registration",
    "StudentParticulars",
]

from datetime import date
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import Applicant, ApplicantKind, PrincipalRole
from xueji._articles import EDITION_EFFECTIVE
from xueji._calendar import CalendarBook, Term
from xueji._context import Context, new_id
from xueji._decisions import Decision, ObligationKind, Role
from xueji._errors import InvalidInputError, UnknownOrganisationError
from xueji._identity import DocumentKind, IdNumber, StudentNumber, parse_id_number
from xueji._medical import HospitalGrade, MedicalRecord
from xueji._orgs import School, SchoolSystem, Stage, Township, grade_label
from xueji._procedures import Procedure, Step
from xueji._register import (
    Archive,
    ChangeKind,
    Enrollment,
    EnrollmentBasis,
    Guardian,
    Hukou,
    Sex,
    Student,
    TreatedAsLocal,
)
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition

_SCHOOL = Applicant(ApplicantKind.SCHOOL, "学校")
_GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "监护人")
_DISTRICT = Applicant(ApplicantKind.SCHOOL, "区教委")


def _school_year(_: object, attribute: Attribute[str], value: str) -> None:
    first, _sep, second = value.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not a school year: write it as 2025-2026"
        )


def _grade(_: object, attribute: Attribute[int], value: int) -> None:
    grade_label(value)


def _upper_str(value: str) -> str:
    return value.strip().upper()


def _upper(value: str | None) -> str | None:
    return None if value is None else value.strip().upper()


@attrs.frozen
class StudentParticulars:
    """A new student's particulars from the admission result."""

    name: str
    sex: Sex
    birth_date: date
    hukou: Hukou
    document: DocumentKind = DocumentKind.RESIDENT_ID
    id_number: str | None = attrs.field(default=None, converter=_upper)
    treated_as_local: tuple[TreatedAsLocal, ...] = ()
    residence_district: str | None = None
    residence_township: str | None = None
    address: str | None = None
    guardians: tuple[Guardian, ...] = ()
    disabled: bool = False


@attrs.frozen
class Admission:
    """学籍建立 for a new student from the admission result (第九、十、十三、
    十四、十七条).  ``roster_reference`` is the entry of the 北京教育考试院
    approved new-student roster for a senior school (第十四条)."""

    id: str
    on: date
    school: str
    grade: int = attrs.field(validator=_grade)
    school_year: str = attrs.field(validator=_school_year)
    student: StudentParticulars
    applicant: Applicant = _SCHOOL
    documents: tuple[str, ...] = ()
    roster_reference: str | None = None
    one_plus_three: bool = False
    special_education_dual: bool = False
    idempotency_key: str | None = None


@attrs.frozen
class Registration:
    """入学注册 of an admitted student at the school (第十六条第一款)."""

    id: str
    on: date
    student: str
    applicant: Applicant = _GUARDIAN
    justification: str | None = None  # 不可抗力等正当事由 (第十六条第三款)
    school: str | None = None  # which admission, for 第十二条 dual status
    idempotency_key: str | None = None


@attrs.frozen
class DelayedRegistration:
    """延期注册: the guardian's application with materials, within 5 working
    days after the term starts (第十六条第一款)."""

    id: str
    on: date
    student: str
    until: date
    reason: str
    materials: tuple[str, ...] = ()
    applicant: Applicant = _GUARDIAN
    justification: str | None = None  # 不可抗力等正当事由 (第十六条第三款)
    school: str | None = None  # which admission, for 第十二条 dual status
    idempotency_key: str | None = None


@attrs.frozen
class DeferralApplication:
    """缓学: a Beijing-hukou child of school age whose health requires it; the
    guardian's written application to the township or district of the
    child's hukou or residence, with a record of a 二级甲等-or-better hospital,
    within 10 working days after the new school year starts (第十一条)."""

    id: str
    on: date
    student: str
    filed_with: str  # a township (乡镇人民政府) or district (区教委) code
    medical_record: MedicalRecord | None
    applicant: Applicant = _GUARDIAN
    school: str | None = None  # which admission, for 第十二条 dual status
    idempotency_key: str | None = None


@attrs.frozen
class IdCorrection:
    """Correcting an ID number after enrollment: the 学籍号 never changes
    (第十七条第二款 一人一号，终身不变)."""

    id: str
    on: date
    student: str
    id_number: str = attrs.field(converter=_upper_str)
    reason: str
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class NationalNumberAssignment:
    """The national system's G or J number replacing a temporary L number;
    the L number stays an alias (第十七条第二款)."""

    id: str
    on: date
    student: str
    number: str
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class DuplicateResolution:
    """The district's finding on a likely duplicate: the same person as an
    existing student (the admission is refused) or a different person (the
    admission proceeds)."""

    id: str
    on: date
    review: str
    same_person: bool
    comment: str = ""
    applicant: Applicant = _DISTRICT
    idempotency_key: str | None = None


# ---------------------------------------------------------------- helpers


def edition(ctx: Context) -> bool:
    """第五十二条: this edition governs requests from 2021-06-01."""
    ok = ctx.on >= EDITION_EFFECTIVE
    ctx.check("edition", "第五十二条", ok)
    if not ok:
        ctx.refuse(
            "edition",
            f"申请日期 {ctx.on} 早于本办法施行日期 2021-06-01，不适用本办法",
            "第五十二条",
        )
    return ok


def school_of(ctx: Context, code: str) -> School:
    school = ctx.uow.get_school(code)
    if school is None:
        raise UnknownOrganisationError(
            f"school {code!r} is not in the register; load the district's "
            "schools first (xueji load orgs FILE)"
        )
    return school


def school_system(ctx: Context, school: School) -> SchoolSystem:
    """The school's system on the request's date: a 第八条 experiment a
    plugin declares for it, else the system the register records."""
    answer = ctx.rules.school_system(school, ctx.on)
    if answer.value != school.system:
        ctx.check("school-system", "第八条", answer.value.label, answer.source)
    return answer.value


def term_for(ctx: Context, school_year: str, stage: Stage, number: int) -> Term:
    return ctx.calendars.term(school_year, stage.calendar_stage, number)


def entry_term(calendars: CalendarBook, enrollment: Enrollment, stage: Stage) -> Term:
    """The term a new student enters: the one containing the stint's first
    day, or the next one to start (an admission in a vacation)."""
    return calendars.current_or_next_term(enrollment.first_day, stage.calendar_stage)


def _first_term(ctx: Context, school_year: str, stage: Stage) -> Term:
    return term_for(ctx, school_year, stage, 1)


def _active(ctx: Context, student: str) -> list[Enrollment]:
    return [e for e in ctx.uow.enrollments_of(student) if e.status.active]


def admitted_enrollment(
    ctx: Context, number: str, school: str | None = None
) -> tuple[Student, Enrollment]:
    """The student's admission waiting for registration.  A student with two
    (第十二条 dual status) is told apart by ``school``, or by the principal's
    own school; otherwise the request must name the school."""
    student = ctx.uow.get_student(number)
    if student is None:
        raise InvalidInputError(
            f"no student with 学籍号 {StudentNumber.parse(number).masked()} in "
            "the register; check the number"
        )
    waiting = [
        e
        for e in _active(ctx, student.number)
        if e.status in (Status.ADMITTED, Status.DEFERRED)
    ]
    if school is None and ctx.principal.role is PrincipalRole.SCHOOL:
        own = [e for e in waiting if e.school == ctx.principal.organisation]
        waiting = own or waiting
    elif school is not None:
        waiting = [e for e in waiting if e.school == school]
    if len(waiting) == 1:
        return student, waiting[0]
    masked = StudentNumber.parse(student.number).masked()
    if not waiting:
        raise InvalidInputError(
            f"student {masked} has no admission waiting for registration"
            + (f" at school {school}" if school else "")
        )
    schools = ", ".join(sorted(e.school for e in waiting))
    raise InvalidInputError(
        f"student {masked} has admissions at {schools} (第十二条); name the "
        "school in the request's `school` field"
    )


_EIGHTEEN = (
    DocumentKind.RESIDENT_ID,
    DocumentKind.HMT_RESIDENCE_PERMIT,
    DocumentKind.FOREIGN_PERMANENT_RESIDENCE,
)


def _parse_id(ctx: Context, particulars: StudentParticulars) -> IdNumber | None:
    """The 18-character numbers (居民身份证, 港澳台居民居住证, 外国人永久居留
    身份证) are checked in full; a passport number is kept as given."""
    if particulars.id_number is None:
        if particulars.document is DocumentKind.RESIDENT_ID:
            raise InvalidInputError(
                "document is 居民身份证 but no id_number was given; give the "
                "number, or set document to 无 for a child without one"
            )
        return None
    if particulars.document not in _EIGHTEEN:
        if particulars.document is DocumentKind.NONE:
            raise InvalidInputError(
                "document is 无 but an id_number was given; name the document "
                "kind or leave the number out"
            )
        if not (particulars.id_number.isalnum() and len(particulars.id_number) <= 20):
            raise InvalidInputError(
                f"{particulars.document.value} number must be 1-20 letters or "
                "digits; check the document"
            )
        return None
    parsed = parse_id_number(particulars.id_number, on=ctx.on)
    for warning in parsed.warnings:
        ctx.warn("id-region", warning, "第十七条第二款")
    number = parsed.number
    if number.birth_date != particulars.birth_date:
        raise InvalidInputError(
            f"birth date {particulars.birth_date} does not match the ID number "
            f"{number.masked()}; correct one of them"
        )
    return number


def _document_number(
    particulars: StudentParticulars, id_number: IdNumber | None
) -> str | None:
    """The number the register keys a person by: the checked 18-character
    number, or a passport number as given."""
    if id_number is not None:
        return id_number.value
    if particulars.document is DocumentKind.PASSPORT:
        return particulars.id_number
    return None


def _authorise_school(ctx: Context, school: School) -> None:
    from xueji._service import require_scope

    require_scope(ctx, school)


# ---------------------------------------------------------------- admission


def decide_admission(ctx: Context, request: Admission) -> Decision:
    """第九、十、十二、十三、十四、十七条."""
    school = school_of(ctx, request.school)
    _authorise_school(ctx, school)
    if not edition(ctx):
        return ctx.decide("admission", None)
    particulars = request.student
    if particulars.birth_date > request.on:
        raise InvalidInputError(
            f"birth date {particulars.birth_date} is after the admission date "
            f"{request.on}; check the birth date"
        )
    id_number = _parse_id(ctx, particulars)
    stage = school_system(ctx, school).stage_of(request.grade)
    if not school.offers(request.grade):
        raise InvalidInputError(
            f"school {school.code} ({school.type.value}) has no "
            f"{grade_label(request.grade)}"
        )
    local = particulars.hukou.beijing or any(
        t.holds_on(request.on) for t in particulars.treated_as_local
    )
    ctx.check("treated-as-local", "第十五条", local)

    document_number = _document_number(particulars, id_number)
    existing = (
        ctx.uow.student_by_id_number(document_number) if document_number else None
    )
    dual = False
    if existing is not None:
        dual = _check_existing(ctx, request, school, existing)
    elif id_number is None and _likely_duplicate(ctx, request, school):
        return ctx.decide("admission", None)

    _check_age(ctx, request, school, stage)
    _check_senior_roster(ctx, request, stage)
    _check_documents(ctx, request, school, stage, local)
    _check_plan(ctx, request, school)
    if ctx.blocked:
        return ctx.decide("admission", existing.number if existing else None)

    student = existing or _new_student(ctx, request, school, id_number)
    enrollment = Enrollment(
        id=new_id("enr"),
        student=student.number,
        school=school.code,
        district=school.district,
        grade=request.grade,
        status=Status.ADMITTED,
        first_day=max(request.on, date(int(request.school_year[:4]), 9, 1)),
        school_year=request.school_year,
        basis=EnrollmentBasis.SPECIAL_EDUCATION_DUAL
        if dual
        else (EnrollmentBasis.REGULAR),
    )
    ctx.uow.add_enrollment(enrollment)
    ctx.record(
        ChangeKind.ADMITTED,
        f"{school.name} {grade_label(request.grade)} 录取建籍"
        + ("（特殊教育双学籍）" if dual else ""),
        student=student.number,
        district=school.district,
        article="第十二条第二款" if dual else "第十七条第二款",
        enrollment=enrollment.id,
        target_status=Status.ADMITTED,
        data={"school": school.code, "grade": str(request.grade)},
    )
    if existing is not None and not dual:
        ctx.inform(
            "same-number",
            "该学生已有学籍号，再次入学沿用原学籍号（一人一号，终身不变）",
            "第十七条第二款",
        )
    ctx.next_steps.append(
        "新生入学注册（第十六条）；学校将新生学籍报区教委核办（第三条）"
    )
    return ctx.decide("admission", student.number)


def _check_existing(
    ctx: Context, request: Admission, school: School, existing: Student
) -> bool:
    """One person, one 学籍号; one active 学籍 except 第十二条."""
    active = _active(ctx, existing.number)
    ctx.check("one-active-enrollment", "第十七条第二款", len(active))
    if not active:
        return False
    if request.special_education_dual and len(active) == 1:
        other = ctx.uow.get_school(active[0].school)
        pair = {school.special_education, bool(other and other.special_education)}
        ok = (
            pair == {True, False}
            and request.student.disabled
            and (
                request.student.hukou.beijing
                or any(t.holds_on(request.on) for t in request.student.treated_as_local)
            )
        )
        ctx.check("special-education-dual", "第十二条第二款", ok)
        if ok:
            return True
        ctx.refuse(
            "dual-not-allowed",
            "同时具有两个学籍仅限本市户籍适龄残疾儿童、少年在特殊教育学校登记入学并在"
            "户籍或居住地就近入学学校登记信息的情形",
            "第十二条第二款",
        )
        return False
    ctx.refuse(
        "already-enrolled",
        "该学生已在其他学校具有在籍学籍，不能重复建籍；如需变更学校，请办理转学手续"
        "（第二十二至二十六条）",
        "第十七条第二款",
    )
    return False


def _likely_duplicate(ctx: Context, request: Admission, school: School) -> bool:
    """Without an ID number, the same name, sex and birth date opens a review
    instead of creating a second person (一人一号)."""
    p = request.student
    candidates = ctx.uow.students_by_particulars(p.name, p.sex, p.birth_date)
    ctx.check("likely-duplicate", "第十七条第二款", len(candidates))
    if not candidates:
        return False
    due = ctx.calendars.working_days.add_working_days(ctx.on, 5)
    procedure = Procedure(
        id=new_id("rev"),
        kind="duplicate-review",
        district=school.district,
        filed_on=ctx.on,
        due=due,
        article="第十七条第二款",
        steps=(
            Step(
                name="区教委核查疑似重复学籍",
                role=Role.DISTRICT,
                organisation=school.district,
                article="第十七条第二款",
                due=due,
            ),
        ),
        payload=dumps(request),
        entered_by=str(ctx.principal),
        applicant=request.applicant.name,
    )
    ctx.uow.add_procedure(procedure)
    ctx.oblige(
        ObligationKind.REVIEW_DUPLICATE,
        f"核查疑似重复学籍（{procedure.id}）：姓名、性别、出生日期与已有学生相同",
        role=Role.DISTRICT,
        organisation=school.district,
        arises=ctx.on,
        due=due,
        article="第十七条第二款",
        student=None,
        district=school.district,
        procedure=procedure.id,
    )
    ctx.pending = True
    ctx.next_steps.append(f"区教委核查疑似重复（{procedure.id}），确认是否同一人")
    return True


def _check_age(ctx: Context, request: Admission, school: School, stage: Stage) -> None:
    """第十条: 年满六周岁 for grade 1; the cut-off is the year's admission rule."""
    if request.grade != 1 or stage is not Stage.PRIMARY:
        return
    default = date(int(request.school_year[:4]) - 6, 8, 31)
    answer = ctx.rules.answer(
        "xueji_entry_age_cutoff",
        district=school.district,
        on=ctx.on,
        default=default,
        check=lambda v: None if v <= default else f"later than {default}",
        school_year=request.school_year,
    )
    ok = request.student.birth_date <= answer.value
    ctx.consider("entry-age-cutoff", "第十条", answer)
    ctx.check("entry-age", "第十条", f"cut-off {answer.value}: {ok}", answer.source)
    if not ok:
        ctx.refuse(
            "under-age",
            f"入学年龄未满六周岁：出生日期须不晚于 {answer.value}",
            "第十条",
            answer.source,
        )


def _check_senior_roster(ctx: Context, request: Admission, stage: Stage) -> None:
    """第十四条: senior 学籍 from the approved new-student roster; 1+3 pilot
    students only once they enter the senior stage."""
    if request.one_plus_three and stage is not Stage.SENIOR:
        ctx.refuse(
            "one-plus-three-early",
            "1+3人才培养试验学生升入高中阶段后方建立高中学籍",
            "第十四条",
        )
        return
    if stage is not Stage.SENIOR:
        return
    ok = request.roster_reference is not None
    ctx.check("admission-roster", "第十四条", ok)
    if not ok:
        ctx.missing(
            "no-roster-entry",
            "缺少北京教育考试院审批的新生名册（录取名册编号）",
            "第十四条",
        )


def _check_documents(
    ctx: Context, request: Admission, school: School, stage: Stage, local: bool
) -> None:
    """第十条第二款、第十三条: documents of the year's admission rules."""
    answers = ctx.rules.combined(
        "xueji_admission_documents",
        district=school.district,
        on=ctx.on,
        stage=stage.value,
        local=local,
    )
    article = "第十条第二款" if local else "第十三条"
    have = set(request.documents)
    for source, documents in answers:
        for document in documents:
            if document not in have:
                ctx.missing(
                    "missing-document",
                    f"缺少入学材料：{document}",
                    article,
                    source,
                )
    ctx.check("admission-documents", article, sorted(have))


def _check_plan(ctx: Context, request: Admission, school: School) -> None:
    """第三、九条: 严格按照招生计划接收学生."""
    answer = ctx.rules.answer(
        "xueji_enrollment_plan",
        district=school.district,
        on=ctx.on,
        default=None,
        check=lambda v: None if isinstance(v, int) and v >= 0 else "not a count",
        school=school.code,
        school_year=request.school_year,
        grade=request.grade,
    )
    ctx.consider("enrollment-plan", "第九条", answer)
    if answer.value is None:
        ctx.warn(
            "no-plan",
            f"未登记{school.name}{request.school_year}学年招生计划，未核对计划数",
            "第九条",
        )
        return
    taken = ctx.uow.admissions_count(school.code, request.school_year, request.grade)
    ok = taken < answer.value
    ctx.check("enrollment-plan", "第九条", f"{taken}/{answer.value}", answer.source)
    if not ok:
        ctx.refuse(
            "over-plan",
            f"超出招生计划：{school.name}{grade_label(request.grade)}计划 "
            f"{answer.value} 人，已录取 {taken} 人",
            "第九条第一款",
            answer.source,
        )


def _new_student(
    ctx: Context, request: Admission, school: School, id_number: IdNumber | None
) -> Student:
    """第十七条第二款: the 学籍号 from the admission result."""
    return issue_student(ctx, request.student, school, id_number)


def issue_student(
    ctx: Context,
    p: StudentParticulars,
    school: School,
    id_number: IdNumber | None,
) -> Student:
    """A new person in the register, with the 学籍号 of 第十七条第二款: G + a
    mainland 居民身份证 number, else a temporary L number (school region +
    birth date + serial) until the national system assigns G or J."""
    if id_number is not None and id_number.is_mainland:
        number = StudentNumber.from_id(id_number)
    else:
        key = f"L{school.region_code}{p.birth_date:%Y%m%d}"
        number = StudentNumber.temporary(
            school.region_code, p.birth_date, ctx.uow.next_serial(key)
        )
    student = Student(
        number=number.value,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        document=p.document,
        id_number=_document_number(p, id_number),
        hukou=p.hukou,
        district=school.district,
        treated_as_local=p.treated_as_local,
        residence_district=p.residence_district,
        residence_township=p.residence_township,
        address=p.address,
        guardians=p.guardians,
        disabled=p.disabled,
    )
    ctx.uow.add_student(student)
    ctx.record(
        ChangeKind.NUMBER_ISSUED,
        f"生成学籍号（{number.kind.value}类）",
        student=student.number,
        district=school.district,
        article="第十七条第二款",
        data={"kind": number.kind.value},
    )
    return student


# ---------------------------------------------------------------- registration


def _window_end(ctx: Context, term: Term) -> date:
    """开学后5个工作日 (第十六条第一款; DESIGN.md §4)."""
    return ctx.calendars.days_after_term_start(term, 5)


def _regular_deadline(ctx: Context, school: School, term: Term, stage: Stage) -> date:
    window = _window_end(ctx, term)
    answer = ctx.rules.answer(
        "xueji_registration_deadline",
        district=school.district,
        on=ctx.on,
        default=term.start,
        check=lambda v: None if v <= window else f"after the 延期注册 window {window}",
        stage=stage.value,
        term_start=term.start,
    )
    ctx.consider("registration-deadline", "第十六条第一款", answer)
    return answer.value


def _delayed_until(ctx: Context, student: str) -> date | None:
    for event in reversed(ctx.uow.events_of(student)):
        if event.kind is ChangeKind.DELAYED_REGISTRATION:
            return date.fromisoformat(dict(event.data)["until"])
    return None


def decide_registration(ctx: Context, request: Registration) -> Decision:
    """第十六条第一款, 第十七条第一款."""
    student, enrollment = admitted_enrollment(ctx, request.student, request.school)
    school = school_of(ctx, enrollment.school)
    _authorise_school(ctx, school)
    if not edition(ctx):
        return ctx.decide("registration", student.number)
    stage = school_system(ctx, school).stage_of(enrollment.grade)
    term = entry_term(ctx.calendars, enrollment, stage)
    if enrollment.status is Status.DEFERRED:
        ctx.refuse(
            "deferred",
            f"该学生缓学至 {enrollment.status_until}，缓学期间不办理入学注册",
            "第十一条",
        )
        return ctx.decide("registration", student.number)
    deadline = _regular_deadline(ctx, school, term, stage)
    window = _window_end(ctx, term)
    delayed = _delayed_until(ctx, student.number)
    late = request.on > deadline and (delayed is None or request.on > delayed)
    ctx.check("registration-on-time", "第十六条第一款", not late)
    if late and request.on <= window:
        ctx.warn(
            "late-within-window",
            f"未在规定时间（{deadline}）注册，在开学后5个工作日内（至 {window}）"
            "到校注册，按延期注册办理",
            "第十六条第一款",
        )
    elif late and not stage.compulsory and request.justification is None:
        ctx.refuse(
            "senior-late",
            f"高中新生未按期（{deadline}）注册又未办理延期注册手续，视为自动放弃入学"
            "资格；如有不可抗力等正当事由，请提交说明",
            "第十六条第三款",
        )
        consequences(ctx, student, enrollment, school, stage, window)
        return ctx.decide("registration", student.number)
    elif late and not stage.compulsory:
        ctx.inform(
            "justified",
            f"不可抗力等正当事由：{request.justification}",
            "第十六条第三款",
        )
    elif late:
        ctx.warn(
            "late",
            f"义务教育新生逾期（{deadline}）注册，按注册办理",
            "第十六条第二款",
        )

    _enroll(ctx, student, enrollment, school, term, stage)
    return ctx.decide("registration", student.number)


def _enroll(
    ctx: Context,
    student: Student,
    enrollment: Enrollment,
    school: School,
    term: Term,
    stage: Stage,
) -> None:
    check_transition(enrollment.status, Status.ENROLLED)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.ENROLLED,
            registered_on=ctx.on,
            version=enrollment.version + 1,
        )
    )
    ctx.record(
        ChangeKind.REGISTERED,
        f"入学注册（{school.name}）",
        student=student.number,
        district=school.district,
        article="第十六条第一款",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.ENROLLED,
    )
    due = ctx.calendars.days_after_term_start(term, 10)
    if ctx.on > due:
        # Registered after the term's deadline (a delayed registration): the
        # archive is due by the next working day (docs/readings.md).
        due = ctx.calendars.working_days.add_working_days(ctx.on, 1)
    ctx.oblige(
        ObligationKind.BUILD_ARCHIVE,
        "为新生建立学籍档案",
        role=Role.SCHOOL,
        organisation=school.code,
        arises=ctx.on,
        due=due,
        article="第十七条第一款",
        student=student.number,
        district=school.district,
    )
    if not stage.compulsory:
        ctx.oblige(
            ObligationKind.BUILD_PERSONAL_FILE,
            "按照教育行政部门要求为普通高中新生建立个人档案",
            role=Role.SCHOOL,
            organisation=school.code,
            arises=ctx.on,
            due=due,
            article="第十七条第一款",
            student=student.number,
            district=school.district,
        )
    ctx.uow.put_archive(
        Archive(student=student.number, school=school.code, created_on=ctx.on)
    )


def decide_delayed_registration(ctx: Context, request: DelayedRegistration) -> Decision:
    """第十六条: 延期注册 within 5 working days after the term starts, and
    what follows a missed window for each stage."""
    student, enrollment = admitted_enrollment(ctx, request.student, request.school)
    school = school_of(ctx, enrollment.school)
    _authorise_school(ctx, school)
    if not edition(ctx):
        return ctx.decide("delayed-registration", student.number)
    stage = school_system(ctx, school).stage_of(enrollment.grade)
    term = entry_term(ctx.calendars, enrollment, stage)
    if not request.on <= request.until <= term.end:
        raise InvalidInputError(
            f"delayed registration `until` {request.until} must lie between the "
            f"application date {request.on} and the term's last day {term.end}"
        )
    window = _window_end(ctx, term)
    on_time = request.on <= window
    ctx.check("delayed-registration-window", "第十六条第一款", f"{window}: {on_time}")
    if not request.materials:
        ctx.missing(
            "no-materials",
            "延期注册须持有关材料（说明特殊情况的证明）",
            "第十六条第一款",
        )
    if request.applicant.kind not in (
        ApplicantKind.GUARDIAN,
        ApplicantKind.GUARDIAN_AND_STUDENT,
    ):
        ctx.missing(
            "guardian-applies",
            "延期注册由父母或其他法定监护人办理",
            "第十六条第一款",
        )
    if not on_time:
        _missed_window(ctx, request, student, enrollment, school, stage, window)
        return ctx.decide("delayed-registration", student.number)
    if ctx.blocked:
        return ctx.decide("delayed-registration", student.number)

    ctx.record(
        ChangeKind.DELAYED_REGISTRATION,
        f"延期注册至 {request.until}：{request.reason}",
        student=student.number,
        district=school.district,
        article="第十六条第一款",
        enrollment=enrollment.id,
        data={"until": request.until.isoformat()},
    )
    return ctx.decide("delayed-registration", student.number)


def _missed_window(
    ctx: Context,
    request: DelayedRegistration,
    student: Student,
    enrollment: Enrollment,
    school: School,
    stage: Stage,
    window: date,
) -> None:
    """第十六条第二、三款."""
    if not stage.compulsory and request.justification is not None:
        # 不可抗力等正当事由: the late application is taken (第十六条第三款).
        ctx.inform(
            "justified",
            f"逾期申请延期注册，有不可抗力等正当事由：{request.justification}",
            "第十六条第三款",
        )
        if ctx.blocked:
            return
        ctx.record(
            ChangeKind.DELAYED_REGISTRATION,
            f"延期注册至 {request.until}（正当事由）",
            student=student.number,
            district=school.district,
            article="第十六条第三款",
            enrollment=enrollment.id,
            data={"until": request.until.isoformat()},
        )
        return
    ctx.refuse(
        "late",
        f"延期注册须在新学期开学后5个工作日内（至 {window}）办理，已逾期",
        "第十六条第一款",
    )
    # The consequences of the missed window are written with the refusal.
    ctx.reasons = [r for r in ctx.reasons if r.code != "no-materials"]
    consequences(ctx, student, enrollment, school, stage, window)


def consequences(
    ctx: Context,
    student: Student,
    enrollment: Enrollment,
    school: School,
    stage: Stage,
    window: date,
) -> None:
    """What follows a missed registration window (第十六条第二、三款): the
    compulsory student's school urges enrollment (due the next working day,
    及时 in DESIGN.md §4); a senior student's admission is forfeited."""
    arises = max(ctx.on, window + _ONE_DAY)
    if stage.compulsory:
        already = [
            o
            for o in ctx.uow.obligations(student=student.number)
            if o.obligation.kind is ObligationKind.URGE_ENROLLMENT
        ]
        if already:
            return
        ctx.oblige(
            ObligationKind.URGE_ENROLLMENT,
            "新生未按期注册又未办理延期注册：学校督促其入学；督促无效的，报户籍所在地或"
            "居住地乡镇人民政府或街道办事处责令送学",
            role=Role.SCHOOL,
            organisation=school.code,
            arises=arises,
            due=ctx.calendars.working_days.add_working_days(arises, 1),
            article="第十六条第二款",
            student=student.number,
            district=school.district,
        )
        return
    check_transition(enrollment.status, Status.FORFEITED)
    last = arises - _ONE_DAY
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.FORFEITED,
            last_day=max(last, enrollment.first_day),
            version=enrollment.version + 1,
        )
    )
    ctx.record(
        ChangeKind.FORFEITED,
        "高中新生未按期注册又未办理延期注册，视为自动放弃入学资格",
        student=student.number,
        district=school.district,
        article="第十六条第三款",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.FORFEITED,
    )
    ctx.inform(
        "forfeited",
        "视为自动放弃入学资格（除不可抗力等正当事由外）",
        "第十六条第三款",
    )


def township_for(ctx: Context, student: Student) -> str | None:
    """The township or street office of the student's hukou, else of the
    residence (第十六、二十、三十五条: 户籍所在地或居住地)."""
    for code in (student.hukou.township, student.residence_township):
        if code is not None and ctx.uow.get_township(code) is not None:
            return code
    return None


# ---------------------------------------------------------------- deferral


def decide_deferral(ctx: Context, request: DeferralApplication) -> Decision:
    """第十一条."""
    student, enrollment = admitted_enrollment(ctx, request.student, request.school)
    school = school_of(ctx, enrollment.school)
    _authorise_deferral(ctx, request, school)
    if not edition(ctx):
        return ctx.decide("deferral", student.number)
    _check_authority(ctx, request, student)
    local = student.local_on(request.on)
    ctx.check("beijing-hukou", "第十一条第一款", local)
    if not local:
        ctx.refuse(
            "not-local",
            "缓学适用于本市户籍（含视同本市户籍）适龄儿童",
            "第十一条第一款",
        )
    if enrollment.grade != 1:
        ctx.refuse(
            "not-entry",
            "缓学（延缓入学）适用于入小学的适龄儿童",
            "第十一条第一款",
        )
    _check_medical(ctx, request.medical_record, "第十一条第一款")
    term = _first_term(ctx, enrollment.school_year, Stage.PRIMARY)
    window = ctx.calendars.days_after_term_start(term, 10)
    on_time = request.on <= window
    ctx.check("deferral-window", "第十一条第一款", f"{window}: {on_time}")
    if not on_time:
        ctx.refuse(
            "late",
            f"缓学申请须在新学年开学后10个工作日内（至 {window}）提出",
            "第十一条第一款",
        )
    if (
        request.applicant.kind
        not in (
            ApplicantKind.GUARDIAN,
            ApplicantKind.GUARDIAN_AND_STUDENT,
        )
        or not request.applicant.written
    ):
        ctx.missing(
            "guardian-written",
            "缓学须由父母或其他法定监护人提出书面申请",
            "第十一条第一款",
        )
    if ctx.blocked:
        return ctx.decide("deferral", student.number)

    max_end = date(int(enrollment.school_year[:4]) + 1, 8, 31)
    end = ctx.rules.answer(
        "xueji_deferral_end",
        district=school.district,
        on=ctx.on,
        default=max_end,
        check=lambda v: (
            None
            if request.on <= v <= max_end
            else f"not within the "
            f"school year {enrollment.school_year} (at most one school year)"
        ),
        school_year=enrollment.school_year,
    )
    ctx.consider("deferral-period", "第十一条第二款", end)
    check_transition(enrollment.status, Status.DEFERRED)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.DEFERRED,
            status_until=end.value,
            version=enrollment.version + 1,
        )
    )
    _close_urging(ctx, student.number, "缓学")
    ctx.record(
        ChangeKind.DEFERRED,
        f"缓学至 {end.value}（期满仍不能就学的，应当重新提出申请）",
        student=student.number,
        district=school.district,
        article="第十一条",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.DEFERRED,
        data={"until": end.value.isoformat()},
    )
    return ctx.decide("deferral", student.number)


def _authorise_deferral(
    ctx: Context, request: DeferralApplication, school: School
) -> None:
    """第十一条: the township or district the application was filed with
    enters it, or the school of the admission; the city anywhere."""
    p = ctx.principal
    if p.role is PrincipalRole.TOWNSHIP and p.organisation == request.filed_with:
        return
    if p.role is PrincipalRole.DISTRICT and p.organisation == request.filed_with:
        return
    _authorise_school(ctx, school)


def _close_urging(ctx: Context, number: str, outcome: str) -> None:
    """A deferral granted after the registration window closed ends the duty
    to urge enrollment (第十一、十六条)."""
    for item in ctx.uow.obligations(student=number, open_only=True):
        if item.obligation.kind in (
            ObligationKind.URGE_ENROLLMENT,
            ObligationKind.ORDER_ENROLLMENT,
        ):
            ctx.close(item, outcome)


def _check_authority(
    ctx: Context, request: DeferralApplication, student: Student
) -> None:
    """第十一条: to the township of hukou or residence, or the district."""
    places = {student.hukou.township, student.residence_township}
    districts = {student.hukou.district, student.residence_district}
    org: Township | None = ctx.uow.get_township(request.filed_with)
    ok = (org is not None and org.code in places) or (
        ctx.uow.get_district(request.filed_with) is not None
        and request.filed_with in districts
    )
    if org is not None and org.district in districts and org.code not in places:
        ok = False
    ctx.check("deferral-authority", "第十一条第一款", ok)
    if not ok:
        ctx.refuse(
            "wrong-authority",
            "缓学申请应向户籍所在地或居住地乡镇人民政府或区教委提出",
            "第十一条第一款",
        )


def _check_medical(ctx: Context, record: MedicalRecord | None, article: str) -> None:
    """二级甲等及以上医院病历 (a municipal threshold; the registry of hospitals
    comes from plugins)."""
    if record is None:
        ctx.missing("no-medical-record", "缺少二级甲等及以上医院病历", article)
        return
    answer = ctx.rules.answer(
        "xueji_hospital_grade",
        district=None,
        on=ctx.on,
        default=None,
        hospital=record.hospital,
    )
    grade: HospitalGrade = record.grade
    if answer.value is not None:
        grade = answer.value
    else:
        ctx.warn(
            "hospital-unregistered",
            f"医院“{record.hospital}”不在医院等级名录中，按病历所载等级"
            f"（{record.grade.value}）认定",
            article,
        )
    ok = grade.meets_threshold
    ctx.consider("hospital-registry", article, answer)
    ctx.check("hospital-grade", article, f"{grade.value}: {ok}", answer.source)
    if not ok:
        ctx.refuse(
            "hospital-grade",
            f"病历出具医院为{grade.value}，须为二级甲等及以上医院",
            article,
        )


# ---------------------------------------------------------------- identity


def decide_id_correction(ctx: Context, request: IdCorrection) -> Decision:
    """第十七条第二款: one number for life; a correction is an event."""
    student = ctx.uow.get_student(request.student)
    if student is None:
        raise InvalidInputError("no such student; check the 学籍号")
    active = _active(ctx, student.number)
    stints = active or ctx.uow.enrollments_of(student.number)[-1:]
    if stints:
        _authorise_school(ctx, school_of(ctx, stints[-1].school))
    else:
        from xueji._service import deny

        if ctx.principal.role is not PrincipalRole.CITY:
            deny(ctx, "correct the ID of a student with no stint", student.number)
    if not edition(ctx):
        return ctx.decide("id-correction", student.number)
    parsed = parse_id_number(request.id_number, on=ctx.on).number
    holder = ctx.uow.student_by_id_number(parsed.value)
    if holder is not None and holder.number != student.number:
        ctx.refuse(
            "id-taken",
            "该身份证号已对应其他学籍，请核实；一人一号（如系同一人，请联系区教委核查）",
            "第十七条第二款",
        )
        return ctx.decide("id-correction", student.number)

    sex = Sex.MALE if parsed.sex == "男" else Sex.FEMALE
    updated = attrs.evolve(
        student,
        id_number=parsed.value,
        document=parsed.document_kind,
        birth_date=parsed.birth_date,
        sex=sex,
        version=student.version + 1,
    )
    ctx.uow.update_student(updated)
    ctx.record(
        ChangeKind.ID_CORRECTED,
        f"更正身份证号（{parsed.masked()}）：{request.reason}；学籍号不变",
        student=student.number,
        district=student.district,
        article="第十七条第二款",
        data={"reason": request.reason},
    )
    if parsed.birth_date != student.birth_date:
        _reevaluate_age(ctx, updated, active)
    return ctx.decide("id-correction", student.number)


def _reevaluate_age(ctx: Context, student: Student, active: list[Enrollment]) -> None:
    """What depends on the birth date is evaluated again (第十条)."""
    for enrollment in active:
        if enrollment.grade != 1:
            continue
        cutoff = date(int(enrollment.school_year[:4]) - 6, 8, 31)
        answer = ctx.rules.answer(
            "xueji_entry_age_cutoff",
            district=enrollment.district,
            on=ctx.on,
            default=cutoff,
            school_year=enrollment.school_year,
        )
        ok = student.birth_date <= answer.value
        ctx.check("entry-age-again", "第十条", ok, answer.source)
        if not ok:
            ctx.warn(
                "under-age-after-correction",
                f"更正后的出生日期晚于入学年龄截止日 {answer.value}，请区教委核查",
                "第十条",
                answer.source,
            )


def decide_national_number(ctx: Context, request: NationalNumberAssignment) -> Decision:
    """L → G or L → J is the only change of a 学籍号 (第十七条第二款)."""
    student = ctx.uow.get_student(request.student)
    if student is None:
        raise InvalidInputError("no such student; check the 学籍号")
    if ctx.principal.role not in (PrincipalRole.CITY, PrincipalRole.DISTRICT):
        from xueji._service import deny

        deny(ctx, "assign national number", student.number)
    if not edition(ctx):
        return ctx.decide("national-number", student.number)
    current = StudentNumber.parse(student.number)
    new = StudentNumber.parse(request.number)
    if current.kind.value != "L" or new.kind.value == "L":
        ctx.refuse(
            "number-for-life",
            "学籍号一人一号，终身不变；仅临时学籍号（L）可换为全国学籍号（G或J）",
            "第十七条第二款",
        )
        return ctx.decide("national-number", student.number)
    if new.kind.value == "G" and new.value[1:] != student.id_number:
        raise InvalidInputError(
            "a G number must be G + the student's own 居民身份证 number; correct "
            "the ID number first"
        )
    if ctx.uow.get_student(new.value) is not None:
        ctx.refuse("number-taken", "该学籍号已被占用", "第十七条第二款")
        return ctx.decide("national-number", student.number)

    _renumber(ctx, student, new)
    return ctx.decide("national-number", new.value)


def _renumber(ctx: Context, student: Student, new: StudentNumber) -> None:
    from xueji._service import renumber

    renumber(ctx, student, new.value)


def decide_duplicate_resolution(ctx: Context, request: DuplicateResolution) -> Decision:
    """The district's finding on a likely duplicate (一人一号)."""
    procedure = ctx.uow.get_procedure(request.review)
    if procedure is None or procedure.kind != "duplicate-review":
        raise InvalidInputError(f"no duplicate review {request.review!r}")
    if not procedure.state.open:
        raise InvalidInputError(f"review {procedure.id} is already closed")
    if ctx.principal.role is not PrincipalRole.CITY and (
        ctx.principal.role is not PrincipalRole.DISTRICT
        or ctx.principal.organisation != procedure.district
    ):
        from xueji._service import deny

        deny(ctx, f"resolve {procedure.id}", None)
    admission = loads(procedure.payload, Admission, source=procedure.id)

    from xueji._service import close_review

    close_review(ctx, procedure, request)
    if request.same_person:
        ctx.refuse(
            "same-person",
            "经核查为已有学籍的同一学生，不能重复建籍；如需变更学校，请办理转学手续",
            "第十七条第二款",
        )
        return ctx.decide("duplicate-resolution", None)
    inner = Context(
        uow=ctx.uow,
        rules=ctx.rules,
        calendars=ctx.calendars,
        principal=ctx.principal,
        request_id=ctx.request_id,
        on=ctx.on,
        now=ctx.now,
    )
    decision = _admit_reviewed(inner, admission)
    ctx.reasons += inner.reasons
    ctx.obligations += inner.obligations
    ctx.events += inner.events
    ctx.trace += inner.trace
    ctx.next_steps += inner.next_steps
    return attrs.evolve(ctx.decide("duplicate-resolution", decision.student))


def _admit_reviewed(ctx: Context, admission: Admission) -> Decision:
    """Admit after the review found a different person (skips the review)."""
    school = school_of(ctx, admission.school)
    stage = school_system(ctx, school).stage_of(admission.grade)
    local = admission.student.hukou.beijing
    _check_age(ctx, admission, school, stage)
    _check_senior_roster(ctx, admission, stage)
    _check_documents(ctx, admission, school, stage, local)
    _check_plan(ctx, admission, school)
    if ctx.blocked:
        return ctx.decide("admission", None)
    student = _new_student(ctx, admission, school, None)
    enrollment = Enrollment(
        id=new_id("enr"),
        student=student.number,
        school=school.code,
        district=school.district,
        grade=admission.grade,
        status=Status.ADMITTED,
        first_day=max(admission.on, date(int(admission.school_year[:4]), 9, 1)),
        school_year=admission.school_year,
    )
    ctx.uow.add_enrollment(enrollment)
    ctx.record(
        ChangeKind.ADMITTED,
        f"{school.name} {grade_label(admission.grade)} 录取建籍（经核查非重复）",
        student=student.number,
        district=school.district,
        article="第十七条第二款",
        enrollment=enrollment.id,
        target_status=Status.ADMITTED,
    )
    return ctx.decide("admission", student.number)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def _register() -> None:
    from xueji._registry import register_request

    register_request("admission", Admission, decide_admission)
    register_request("registration", Registration, decide_registration)
    register_request(
        "delayed-registration", DelayedRegistration, decide_delayed_registration
    )
    register_request("deferral", DeferralApplication, decide_deferral)
    register_request("id-correction", IdCorrection, decide_id_correction)
    register_request(
        "national-number", NationalNumberAssignment, decide_national_number
    )
    register_request(
        "duplicate-resolution", DuplicateResolution, decide_duplicate_resolution
    )


_register()
