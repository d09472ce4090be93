"""Chapter 7, 退学 (第三十六、三十七条).

Request: :class:`WithdrawalApplication`.  The grounds of 第三十六条 are read
to the letter with DESIGN.md §4's bounds: 年满十八周岁 on the 18th birthday;
多次 at least two; 超过二十周岁 from the day after the 20th birthday;
超过十五天 sixteen school days or more; 累计四十五天 forty-five or more;
"超过复学时间一个月以上" once one calendar month has passed since the
expected return day, on the corresponding day.

The two procedures of 第三十七条 run on the workflow engine: compulsory — the
school's form, the township or street office's review (复核), the district's
filing (备案), the notice to the student; senior — the form (the school's or
the student's), the district's filing, the notice.  While one is open the
stint is 退学中; on completion it ends 退学, the 肄业 certificate is due
(第三十九条第四款) and the school hands the student's materials and archive
over on leaving (第四十一条第三款).
"""

from __future__ import annotations

__all__ = ["WithdrawalApplication", "WithdrawalGround", "birthday"]

import enum
from datetime import date, timedelta

import attrs

from xueji._access import Applicant, ApplicantKind
from xueji._attendance import Mark, guardian_contacts, marks_of
from xueji._calendar import add_months
from xueji._context import Context
from xueji._decisions import Decision, ObligationKind, Role
from xueji._enrollment import edition, school_of, township_for
from xueji._graduation import hand_over_recipient, retentions_in
from xueji._orgs import School, Stage
from xueji._procedures import Procedure
from xueji._register import ChangeKind, Enrollment, Student
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition
from xueji._suspension import (
    Lapse,
    close_lapse,
    open_lapse,
    refuse_if_open,
    settle,
    stage_of,
    stint_of,
    term_of_day,
)
from xueji._workflow import ProcedureKind, StepSpec, open_procedure, register_kind

_ONE_DAY = timedelta(days=1)
_SCHOOL = Applicant(ApplicantKind.SCHOOL, "学校")
_FROM = frozenset({Status.ENROLLED, Status.SUSPENDED, Status.SPECIALIZED_SCHOOL})


class WithdrawalGround(enum.Enum):
    """The grounds of 第三十六条."""

    ADULT_UNSUITABLE = "adult-unsuitable"  # 第一款 (义务教育阶段)
    RETAINED_OVER_TWENTY = "retained-over-twenty"  # 第二款第（一）项
    TRUANCY = "truancy"  # 第二款第（二）项
    NOT_RETURNED = "not-returned"  # 第二款第（三）项
    APPLICATION = "application"  # 第二款第（四）项

    @property
    def article(self) -> str:
        if self is WithdrawalGround.ADULT_UNSUITABLE:
            return "第三十六条第一款"
        item = "一二三四"[list(WithdrawalGround).index(self) - 1]
        return f"第三十六条第二款第（{item}）项"


@attrs.frozen
class WithdrawalApplication:
    """退学 (第三十六、三十七条).

    ``applicant`` is who applied (for ground (四) the student and the
    guardian together); ``form_filled_by`` who filled in the 退学申请表 (the
    school; for a senior student the school or the student).
    ``unsuitable`` is the school's finding that the student is 不宜在校继续
    学习 (第三十六条第一款, 第二款第（一）项)."""

    id: str
    on: date
    student: str
    ground: WithdrawalGround
    applicant: Applicant = _SCHOOL
    form_filled_by: ApplicantKind = ApplicantKind.SCHOOL
    unsuitable: str | None = None
    idempotency_key: str | None = None


@attrs.frozen
class _WithdrawalFile:
    """What the open procedure needs to complete or roll back."""

    enrollment: str
    previous: Status
    ground: WithdrawalGround
    stage: Stage


def birthday(birth: date, years: int) -> date:
    """The day 年满 ``years`` 周岁 is reached (DESIGN.md §4): the birthday; a
    29 February birth reaches it on 1 March in a common year."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


# ---------------------------------------------------------------- checks


def _check_unsuitable(ctx: Context, request: WithdrawalApplication) -> None:
    ok = bool(request.unsuitable and request.unsuitable.strip())
    ctx.check("unsuitable-finding", request.ground.article, ok)
    if not ok:
        ctx.missing(
            "unsuitable-finding",
            "缺少学校关于该学生不宜在校继续学习的认定",
            request.ground.article,
        )


def _compulsory(
    ctx: Context,
    request: WithdrawalApplication,
    student: Student,
    enrollment: Enrollment,
) -> None:
    """第三十六条第一款: 年满十八周岁，不宜在校继续学习的."""
    article = WithdrawalGround.ADULT_UNSUITABLE.article
    if request.ground is not WithdrawalGround.ADULT_UNSUITABLE:
        ctx.refuse(
            "compulsory-ground",
            "义务教育阶段学生仅在年满十八周岁、不宜在校继续学习时办理退学；第三十六条"
            "第二款适用于高中学生",
            article,
        )
    adult = birthday(student.birth_date, 18)
    ok = ctx.on >= adult
    ctx.check("age-18", article, f"年满十八周岁于 {adult}: {ok}")
    if not ok:
        ctx.refuse(
            "under-18",
            f"义务教育阶段学生未满十八周岁（{adult} 年满），不予退学",
            article,
        )
        if enrollment.status is Status.SPECIALIZED_SCHOOL:
            ctx.refuse(
                "specialized-school",
                "在专门学校学习的学生，其学籍由原学校保留，不予退学",
                "第三十一条第二款",
            )
    if request.form_filled_by is not ApplicantKind.SCHOOL:
        ctx.missing(
            "school-form",
            "义务教育阶段学生退学，由学校填写退学申请表",
            "第三十七条第一款",
        )
    _check_unsuitable(ctx, request)


def _senior(
    ctx: Context,
    request: WithdrawalApplication,
    student: Student,
    enrollment: Enrollment,
    school: School,
) -> None:
    """第三十六条第二款."""
    ground = request.ground
    if ground is WithdrawalGround.ADULT_UNSUITABLE:
        ctx.refuse(
            "senior-ground",
            "高中学生退学按第三十六条第二款所列情形办理",
            "第三十六条第二款",
        )
    elif ground is WithdrawalGround.RETAINED_OVER_TWENTY:
        _retained(ctx, request, student)
    elif ground is WithdrawalGround.APPLICATION:
        _both_applied(ctx, request)
    elif ground is WithdrawalGround.NOT_RETURNED:
        _not_returned(ctx, student, enrollment, school)
    if request.form_filled_by not in (ApplicantKind.SCHOOL, ApplicantKind.STUDENT):
        ctx.missing(
            "form",
            "高中学生退学，由学校或本人填写退学申请表",
            "第三十七条第二款",
        )
    if ground is WithdrawalGround.TRUANCY and not ctx.refused:
        _truancy(ctx, student, enrollment, school)


def _retained(ctx: Context, request: WithdrawalApplication, student: Student) -> None:
    """（一）多次留级且年龄超过二十周岁，不宜在校继续学习的."""
    article = request.ground.article
    count = retentions_in(ctx.uow, student.number, Stage.SENIOR)
    ctx.check("retained-twice", article, count)
    if count < 2:
        ctx.refuse(
            "not-retained-twice",
            f"高中阶段留级 {count} 次，未达多次（两次及以上）",
            article,
        )
    twenty = birthday(student.birth_date, 20)
    over = ctx.on > twenty
    ctx.check("over-20", article, f"二十周岁于 {twenty}: {over}")
    if not over:
        ctx.refuse(
            "not-over-20",
            f"年龄未超过二十周岁（自 {twenty + _ONE_DAY} 起超过）",
            article,
        )
    _check_unsuitable(ctx, request)


def _both_applied(ctx: Context, request: WithdrawalApplication) -> None:
    """（四）学生本人及其父母或其他法定监护人申请退学的."""
    article = request.ground.article
    kind = request.applicant.kind
    ctx.check("both-applied", article, kind.value)
    if kind in (ApplicantKind.GUARDIAN, ApplicantKind.SCHOOL):
        ctx.missing(
            "student-applicant",
            "缺少学生本人的退学申请（须学生本人及其父母或其他法定监护人申请）",
            article,
        )
    if kind in (ApplicantKind.STUDENT, ApplicantKind.SCHOOL):
        ctx.missing(
            "guardian-applicant",
            "缺少学生父母或其他法定监护人的退学申请（须学生本人及其父母或其他法定监护人"
            "申请）",
            article,
        )


def _lapse_of(ctx: Context, enrollment: Enrollment, school: School) -> Lapse | None:
    """The stint's 休学期满未复学 flag; a period ended before the lapse job
    ran counts as lapsed too."""
    found = open_lapse(ctx.uow, enrollment)
    if found is not None:
        return found[1]
    until = enrollment.status_until
    if enrollment.status is Status.SUSPENDED and until is not None and until < ctx.on:
        stage = stage_of(ctx, school, enrollment).calendar_stage
        expected = ctx.calendars.next_school_day(until, stage, school.district)
        return Lapse(enrollment.id, until, expected)
    return None


def _not_returned(
    ctx: Context, student: Student, enrollment: Enrollment, school: School
) -> None:
    """（三）休学期满，经学校与学生父母…联系仍未复学或超过复学时间一个月以上仍不
    办理继续休学申请的."""
    article = WithdrawalGround.NOT_RETURNED.article
    lapse = _lapse_of(ctx, enrollment, school)
    ctx.check("suspension-lapsed", article, lapse is not None)
    if lapse is None:
        ctx.refuse(
            "not-lapsed",
            "该学生不处于休学期满未复学状态",
            article,
        )
        return
    contacted = [
        c
        for c in guardian_contacts(
            ctx.uow, student.number, first=lapse.expected_return, last=ctx.on
        )
        if c.reached
    ]
    month = add_months(lapse.expected_return, 1)
    ctx.check(
        "not-returned",
        article,
        f"复学时间 {lapse.expected_return}，联系 {len(contacted)} 次，"
        f"一个月届满 {month}",
    )
    if not contacted and ctx.on < month:
        ctx.refuse(
            "not-yet",
            f"复学时间为 {lapse.expected_return}：学校与监护人联系后仍未复学，或自 "
            f"{month} 起仍未办理继续休学申请的，方可办理退学",
            article,
        )


def _truancy(
    ctx: Context, student: Student, enrollment: Enrollment, school: School
) -> None:
    """（二）一学期内连续旷课超过十五天或累计旷课四十五天，学校与学生父母或其他
    法定监护人多次联系帮助教育无效的."""
    article = WithdrawalGround.TRUANCY.article
    stage = stage_of(ctx, school, enrollment).calendar_stage
    term = term_of_day(ctx.calendars, ctx.on, stage)
    last = min(ctx.on, term.end)
    days = ctx.calendars.school_days(term.start, last, stage, school.district)
    marks = marks_of(ctx.uow, student.number, first=term.start, last=last)
    truant = [d for d in days if marks.get(d) is Mark.TRUANT]
    longest = run = 0
    for day in days:
        run = run + 1 if marks.get(day) is Mark.TRUANT else 0
        longest = max(longest, run)
    total = len(truant)
    since = truant[0] if truant else term.start
    contacts = [
        c
        for c in guardian_contacts(ctx.uow, student.number, first=since, last=ctx.on)
        if c.reached
    ]
    needed = ctx.rules.repeated_contacts(school.district, ctx.on)
    ctx.check(
        "truancy",
        article,
        f"{term.school_year} 第{term.number}学期 连续 {longest}，累计 {total}，"
        f"旷课后联系监护人 {len(contacts)}/{needed.value} 次",
        needed.source,
    )
    if longest <= 15 and total < 45:
        ctx.refuse(
            "truancy-under-bound",
            f"本学期连续旷课 {longest} 天、累计 {total} 天：须连续超过十五天或累计"
            "四十五天",
            article,
        )
    if len(contacts) < needed.value:
        ctx.refuse(
            "contacts-under-bound",
            f"旷课后学校与学生父母或其他法定监护人联系帮助教育 {len(contacts)} 次，"
            f"未达多次（{needed.value}次及以上）",
            article,
            needed.source,
        )


# ---------------------------------------------------------------- 退学


def decide_withdrawal(ctx: Context, request: WithdrawalApplication) -> Decision:
    """第三十六、三十七条."""
    student, enrollment, school = stint_of(ctx, request.student)
    if not edition(ctx):
        return ctx.decide("withdrawal", student.number)
    stage = stage_of(ctx, school, enrollment)

    ctx.check("status", "第三十七条", enrollment.status.value)
    if enrollment.status not in _FROM:
        ctx.refuse(
            "status",
            f"学籍状态为{enrollment.status.value}，不能办理退学",
            "第三十七条",
        )
    refuse_if_open(ctx, student.number)
    if stage.compulsory:
        _compulsory(ctx, request, student, enrollment)
    else:
        _senior(ctx, request, student, enrollment, school)
    township = township_for(ctx, student) if stage.compulsory else None
    if stage.compulsory and township is None:
        ctx.missing(
            "no-township",
            "学籍信息中缺少学生户籍所在地或居住地的乡镇人民政府或街道办事处（复核机关）",
            "第三十七条第一款",
        )
    if ctx.blocked:
        return ctx.decide("withdrawal", student.number)

    steps = _steps(school, stage, township)
    procedure = open_procedure(
        ctx,
        kind="withdrawal",
        district=school.district,
        article="第三十七条第一款" if stage.compulsory else "第三十七条第二款",
        steps=steps,
        student=student.number,
        payload=dumps(
            _WithdrawalFile(enrollment.id, enrollment.status, request.ground, stage)
        ),
        applicant=request.applicant,
    )
    if procedure is None:
        return ctx.decide("withdrawal", student.number)
    check_transition(enrollment.status, Status.PENDING_WITHDRAWAL)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.PENDING_WITHDRAWAL,
            version=enrollment.version + 1,
        )
    )
    ctx.record(
        ChangeKind.STATUS,
        f"退学申请（{request.ground.article}）已提出，待{steps[0].name}",
        student=student.number,
        district=school.district,
        article=procedure.article,
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.PENDING_WITHDRAWAL,
        data={"procedure": procedure.id, "ground": request.ground.value},
    )
    return ctx.decide("withdrawal", student.number)


def _steps(school: School, stage: Stage, township: str | None) -> tuple[StepSpec, ...]:
    notice = "学校出具退学通知书送交本人"
    if stage.compulsory:
        assert township is not None
        article = "第三十七条第一款"
        return (
            StepSpec("乡镇人民政府或街道办事处复核", Role.TOWNSHIP, township, article),
            StepSpec(
                "报区教委备案", Role.DISTRICT, school.district, article, filing=True
            ),
            StepSpec(notice, Role.SCHOOL, school.code, article),
        )
    article = "第三十七条第二款"
    return (
        StepSpec("报区教委备案", Role.DISTRICT, school.district, article, filing=True),
        StepSpec(notice, Role.SCHOOL, school.code, article),
    )


def _withdrawal_complete(ctx: Context, procedure: Procedure) -> None:
    """退学: the stint ends; the 肄业 certificate and the hand-over on leaving
    are due (第三十九条第四款, 第四十一条第三款)."""
    file = loads(procedure.payload, _WithdrawalFile, source=procedure.id)
    enrollment = ctx.uow.get_enrollment(file.enrollment)
    assert enrollment is not None
    student = ctx.uow.get_student(enrollment.student)
    assert student is not None
    school = school_of(ctx, enrollment.school)

    check_transition(enrollment.status, Status.WITHDRAWN)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=Status.WITHDRAWN,
            status_until=None,
            last_day=ctx.on,
            version=enrollment.version + 1,
        )
    )
    close_lapse(ctx, enrollment, "退学")
    settle(
        ctx,
        student.number,
        {
            ObligationKind.URGE_RETURN,
            ObligationKind.ORDER_RETURN,
            ObligationKind.INFORM_TOWNSHIP,
        },
        "已退学",
    )
    ctx.record(
        ChangeKind.WITHDRAWN,
        f"准予退学（{file.ground.article}），学校出具退学通知书送交本人",
        student=student.number,
        district=school.district,
        article=procedure.article,
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.WITHDRAWN,
        data={"procedure": procedure.id, "ground": file.ground.value},
    )
    ctx.oblige(
        ObligationKind.ISSUE_CERTIFICATE,
        "退学学生由学校发给肄业证书"
        + ("（须由区教委验印）" if file.stage is Stage.SENIOR else ""),
        role=Role.SCHOOL,
        organisation=school.code,
        arises=ctx.on,
        due=ctx.on,
        article="第三十九条第四款",
        student=student.number,
        district=school.district,
    )
    recipient = hand_over_recipient(ctx, student)
    ctx.oblige(
        ObligationKind.HAND_OVER,
        f"退学学生离校时，将其材料和档案移交给{recipient}",
        role=Role.SCHOOL,
        organisation=school.code,
        arises=ctx.on,
        due=ctx.on,
        article="第四十一条第三款",
        student=student.number,
        district=school.district,
    )


def _withdrawal_rollback(ctx: Context, procedure: Procedure) -> None:
    file = loads(procedure.payload, _WithdrawalFile, source=procedure.id)
    enrollment = ctx.uow.get_enrollment(file.enrollment)
    if enrollment is None or enrollment.status is not Status.PENDING_WITHDRAWAL:
        return
    check_transition(enrollment.status, file.previous)
    ctx.uow.update_enrollment(
        attrs.evolve(enrollment, status=file.previous, version=enrollment.version + 1)
    )
    ctx.record(
        ChangeKind.STATUS,
        f"退学申请（{procedure.id}）未获准，恢复为{file.previous.value}",
        student=enrollment.student,
        district=enrollment.district,
        article=procedure.article,
        enrollment=enrollment.id,
        source_status=Status.PENDING_WITHDRAWAL,
        target_status=file.previous,
        data={"procedure": procedure.id},
    )


register_kind(
    "withdrawal",
    ProcedureKind(
        name="退学",
        on_complete=_withdrawal_complete,
        on_rollback=_withdrawal_rollback,
    ),
)


def _register() -> None:
    from xueji._registry import register_request

    register_request("withdrawal", WithdrawalApplication, decide_withdrawal)


_register()
