"""专门学校 (原工读学校), 第三十一条.

Requests: :class:`SpecializedPlacement` (安排入专门学校就读, on the
application of the guardian or the school, filed with the district),
:class:`SpecializedReturn` (回原学校继续学习, on the student's own
application, filed with the district) and :class:`ReleaseNotice` (a minor
released from a custodial sentence: the district and the school help the
student back to school, 第三十一条第三款).

The 学籍 stays with the original school (第三十一条第二款): a placement is
no transfer — no transfer record, no new stint, the same school of record
and 学籍号 — only the stint's status becomes 专门学校.  Both procedures
change nothing until the district's filing completes them, so a rejection
or withdrawal leaves nothing to undo.
"""

from __future__ import annotations

__all__ = [
    "ReleaseNotice",
    "SpecializedGround",
    "SpecializedPlacement",
    "SpecializedReturn",
]

import enum
from datetime import date

import attrs

from xueji._access import Applicant, ApplicantKind
from xueji._context import Context
from xueji._decisions import Decision, ObligationKind, Role
from xueji._enrollment import edition, school_of
from xueji._errors import InvalidInputError
from xueji._identity import StudentNumber
from xueji._orgs import School, grade_label
from xueji._procedures import Procedure
from xueji._records import keep
from xueji._register import ChangeKind, Enrollment, Student
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition
from xueji._workflow import ProcedureKind, StepSpec, kind_name, open_procedure
from xueji._workflow import register_kind as _register_kind

RELEASE = "release-notice"

_SCHOOL = Applicant(ApplicantKind.SCHOOL, "学校")
_STUDENT = Applicant(ApplicantKind.STUDENT, "学生")
_FILING_LIMIT = 10  # working days; the text sets none (docs/readings.md)


class SpecializedGround(enum.Enum):
    """The students 第三十一条第一款 names."""

    SERIOUS_MISBEHAVIOUR = "有严重不良行为"
    EXEMPTED = "依法免予刑事处罚"
    NON_CUSTODIAL = "判处非监禁刑罚"
    SUSPENDED_SENTENCE = "判处刑罚宣告缓刑"
    PAROLE = "假释"


@attrs.frozen
class SpecializedPlacement:
    """安排入专门学校就读 (第三十一条第一款): for a student the school and the
    guardians could not educate (无力管教或者管教无效), on the application
    of the guardian or the school, filed with the district."""

    id: str
    on: date
    student: str
    specialized_school: str
    ground: SpecializedGround
    applicant: Applicant = _SCHOOL
    documents: tuple[str, ...] = ()
    idempotency_key: str | None = None


@attrs.frozen
class SpecializedReturn:
    """回原学校继续学习 (第三十一条第二款): the student, 表现明显进步、并确实
    改正缺点, applies; filed with the district."""

    id: str
    on: date
    student: str
    applicant: Applicant = _STUDENT
    documents: tuple[str, ...] = ()
    idempotency_key: str | None = None


@attrs.frozen
class ReleaseNotice:
    """A student sentenced for a crime while at school (拘役、有期徒刑以上)
    is released: if still under 18 and fit for school, the education
    commission and the school must help the student back to school
    (第三十一条第三款)."""

    id: str
    on: date
    student: str
    released_on: date
    fit_for_school: bool = True
    sentence: str = ""
    idempotency_key: str | None = None


def _masked(number: str) -> str:
    return StudentNumber.parse(number).masked()


def _require_scope(ctx: Context, school: School) -> None:
    from xueji._service import require_scope

    require_scope(ctx, school)


def _student(ctx: Context, number: str) -> Student:
    student = ctx.uow.get_student(number)
    if student is None:
        raise InvalidInputError(
            f"no student with 学籍号 {_masked(number)} in the register; check "
            "the number"
        )
    return student


def _school_of_record(ctx: Context, student: Student) -> tuple[Enrollment, School]:
    """The open stint at a regular school — the school that keeps the 学籍."""
    stints = [
        (e, school_of(ctx, e.school))
        for e in ctx.uow.enrollments_of(student.number)
        if e.status.active and e.last_day is None
    ]
    regular = [(e, s) for e, s in stints if not s.specialized]
    if not regular:
        raise InvalidInputError(
            f"student {_masked(student.number)} holds no active 学籍 at a school "
            "of record"
        )
    return regular[0]


def _refuse_if_open(ctx: Context, number: str) -> bool:
    holder = ctx.uow.open_procedure_of(number)
    if holder is None:
        return False
    ctx.refuse(
        "open-procedure",
        f"该学生已有未办结的{kind_name(holder.kind)}（{holder.id}，{holder.filed_on}"
        "提出）；办结或撤回后方可再行申请",
        holder.article,
    )
    return True


def _filing(school: School, article: str) -> tuple[StepSpec, ...]:
    return (
        StepSpec("报区教委备案", Role.DISTRICT, school.district, article, filing=True),
    )


# ---------------------------------------------------------------- placement


def decide_placement(ctx: Context, request: SpecializedPlacement) -> Decision:
    """第三十一条第一款."""
    student = _student(ctx, request.student)
    enrollment, school = _school_of_record(ctx, student)
    _require_scope(ctx, school)
    specialized = school_of(ctx, request.specialized_school)
    if not specialized.specialized:
        raise InvalidInputError(
            f"school {specialized.code} is a {specialized.type.value}, not a "
            "专门学校; name a specialized school"
        )
    if not specialized.offers(enrollment.grade):
        raise InvalidInputError(
            f"专门学校 {specialized.code} has no {grade_label(enrollment.grade)}"
        )
    if not edition(ctx):
        return ctx.decide("specialized-placement", student.number)
    article = "第三十一条第一款"

    if _refuse_if_open(ctx, student.number):
        return ctx.decide("specialized-placement", student.number)
    if enrollment.status is not Status.ENROLLED:
        ctx.refuse(
            "not-enrolled",
            f"该学生处于{enrollment.status.value}状态；安排入专门学校适用于在校学生",
            article,
        )
    if request.applicant.kind is ApplicantKind.STUDENT:
        ctx.missing(
            "applicant",
            "安排入专门学校由学生父母或其他法定监护人或学校申请",
            article,
        )
    ctx.check("specialized-ground", article, request.ground.value)
    if ctx.blocked:
        return ctx.decide("specialized-placement", student.number)

    open_procedure(
        ctx,
        kind="specialized-placement",
        district=school.district,
        article=article,
        steps=_filing(school, article),
        student=student.number,
        payload=dumps(request),
        applicant=request.applicant,
        limit_days=_FILING_LIMIT,
    )
    return ctx.decide("specialized-placement", student.number)


def _placement_complete(ctx: Context, procedure: Procedure) -> None:
    request = loads(procedure.payload, SpecializedPlacement, source=procedure.id)
    student = _student(ctx, request.student)
    enrollment, school = _school_of_record(ctx, student)
    specialized = school_of(ctx, request.specialized_school)
    check_transition(enrollment.status, Status.SPECIALIZED_SCHOOL)

    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.SPECIALIZED_SCHOOL,
            version=enrollment.version + 1,
        )
    )
    ctx.record(
        ChangeKind.SPECIALIZED_SCHOOL,
        f"安排入{specialized.name}就读（{request.ground.value}）；学籍由{school.name}"
        "保留",
        student=student.number,
        district=school.district,
        article="第三十一条第一款",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.SPECIALIZED_SCHOOL,
        data={"procedure": procedure.id, "specialized_school": specialized.code},
    )


# ---------------------------------------------------------------- return


def decide_return(ctx: Context, request: SpecializedReturn) -> Decision:
    """第三十一条第二款."""
    student = _student(ctx, request.student)
    enrollment, school = _school_of_record(ctx, student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("specialized-return", student.number)
    article = "第三十一条第二款"

    if _refuse_if_open(ctx, student.number):
        return ctx.decide("specialized-return", student.number)
    if enrollment.status is not Status.SPECIALIZED_SCHOOL:
        ctx.refuse(
            "not-in-specialized-school",
            f"该学生处于{enrollment.status.value}状态，不在专门学校学习",
            article,
        )
    if request.applicant.kind not in (
        ApplicantKind.STUDENT,
        ApplicantKind.GUARDIAN_AND_STUDENT,
    ):
        ctx.missing("student-applies", "回原学校继续学习由学生本人提出申请", article)
    if ctx.blocked:
        return ctx.decide("specialized-return", student.number)

    open_procedure(
        ctx,
        kind="specialized-return",
        district=school.district,
        article=article,
        steps=_filing(school, article),
        student=student.number,
        payload=dumps(request),
        applicant=request.applicant,
        limit_days=_FILING_LIMIT,
    )
    return ctx.decide("specialized-return", student.number)


def _return_complete(ctx: Context, procedure: Procedure) -> None:
    request = loads(procedure.payload, SpecializedReturn, source=procedure.id)
    student = _student(ctx, request.student)
    enrollment, school = _school_of_record(ctx, student)
    check_transition(enrollment.status, Status.ENROLLED)

    ctx.uow.update_enrollment(
        attrs.evolve(enrollment, status=Status.ENROLLED, version=enrollment.version + 1)
    )
    ctx.record(
        ChangeKind.SPECIALIZED_RETURN,
        f"自专门学校回{school.name}继续学习",
        student=student.number,
        district=school.district,
        article="第三十一条第二款",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.ENROLLED,
        data={"procedure": procedure.id},
    )


# ---------------------------------------------------------------- release


def _eighteenth_birthday(birth: date) -> date:
    """年满十八周岁 is reached on the birthday; a 29 February birth on
    1 March in a common year (DESIGN.md §4)."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:
        return date(birth.year + 18, 3, 1)


def decide_release(ctx: Context, request: ReleaseNotice) -> Decision:
    """第三十一条第三款: 刑满释放后仍未满18周岁且符合就学条件的，教育行政部门
    和相关学校应当采取措施帮助其做好就学工作."""
    student = _student(ctx, request.student)
    stints = ctx.uow.enrollments_of(student.number)
    if not stints:
        raise InvalidInputError(
            f"student {_masked(student.number)} has no stint in the register"
        )
    enrollment = max(stints, key=lambda e: (e.last_day is None, e.first_day))
    school = school_of(ctx, enrollment.school)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("release-notice", student.number)
    if request.released_on > request.on:
        raise InvalidInputError(
            f"release on {request.released_on} is after the request's date "
            f"{request.on}: record a release once it has happened"
        )
    article = "第三十一条第三款"

    adult = _eighteenth_birthday(student.birth_date)
    minor = request.released_on < adult
    ctx.check("under-18-at-release", article, f"年满十八周岁于 {adult}: {not minor}")
    if not minor:
        ctx.refuse(
            "adult-at-release",
            f"刑满释放时已年满十八周岁（{adult}）",
            article,
        )
    if not request.fit_for_school:
        ctx.refuse("not-fit", "不符合就学条件", article)
    if ctx.blocked:
        return ctx.decide("release-notice", student.number)

    keep(
        ctx,
        RELEASE,
        request,
        district=school.district,
        on=request.released_on,
        student=student.number,
        school=school.code,
    )
    for role, organisation in (
        (Role.DISTRICT, school.district),
        (Role.SCHOOL, school.code),
    ):
        ctx.oblige(
            ObligationKind.HELP_BACK_TO_SCHOOL,
            f"学生于 {request.released_on} 刑满释放，未满十八周岁且符合就学条件："
            "采取措施帮助其做好就学工作",
            role=role,
            organisation=organisation,
            arises=request.released_on,
            due=None,
            article=article,
            student=student.number,
            district=school.district,
        )
    return ctx.decide("release-notice", student.number)


def _register() -> None:
    from xueji._registry import register_request

    _register_kind(
        "specialized-placement",
        ProcedureKind("安排入专门学校", on_complete=_placement_complete),
    )
    _register_kind(
        "specialized-return",
        ProcedureKind("专门学校学生回原学校", on_complete=_return_complete),
    )
    register_request("specialized-placement", SpecializedPlacement, decide_placement)
    register_request("specialized-return", SpecializedReturn, decide_return)
    register_request("release-notice", ReleaseNotice, decide_release)


_register()
