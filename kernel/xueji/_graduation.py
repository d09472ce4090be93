"""Chapter 8, 毕业、结业、肄业 (第三十八至四十一条).

Requests: :class:`GradeChange` (升级、留级、跳级, 第三十八条),
:class:`GraduationRoster` (毕业生名册, 第三十九条第一、三款),
:class:`Completion` (结业, 第三十九条第二款), :class:`Incompletion` (肄业证书,
第三十九条第四款), :class:`CertificateReplacement` (a lost certificate is
never reissued, 第四十条第三款), :class:`AttestationApplication` (学历证明,
第四十条第三款) and :class:`ArchiveHandOver` (第四十一条第一、二款).

Certificates and attestations are records (:class:`Certificate`,
:class:`Attestation`); a senior certificate carries the district's 验印
(``sealed_by``, 第四十条第一款).  Graduation-certificate numbers follow the
district's scheme for the compulsory stages and the city's for 高中
(第四十条第二款, hook ``xueji_certificate_number``).
"""

from __future__ import annotations

__all__ = [
    "ArchiveHandOver",
    "Attestation",
    "AttestationApplication",
    "Certificate",
    "CertificateKind",
    "CertificateReplacement",
    "Completion",
    "GradeChange",
    "GradeChangeKind",
    "Graduate",
    "GraduationRoster",
    "Incompletion",
    "attestations_of",
    "certificate_number",
    "certificates_of",
]

import enum
from datetime import date
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import Applicant, ApplicantKind, PrincipalRole
from xueji._calendar import school_year_of
from xueji._context import Context
from xueji._decisions import Decision, ObligationKind, Role
from xueji._enrollment import edition, school_of
from xueji._errors import InvalidInputError, PluginError
from xueji._identity import StudentNumber
from xueji._orgs import CITY_CODE, Grade, School, Stage, grade_label
from xueji._procedures import Procedure
from xueji._records import keep, read
from xueji._register import ChangeKind, Enrollment, Student
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition
from xueji._storage import UnitOfWork
from xueji._suspension import (
    refuse_if_open,
    school_decides,
    stage_of,
    stint_of,
    system_of,
)
from xueji._workflow import ProcedureKind, StepSpec, open_procedure, register_kind

_SCHOOL = Applicant(ApplicantKind.SCHOOL, "学校")
_HOLDER = Applicant(ApplicantKind.STUDENT, "本人")
_STUDYING = frozenset({Status.ENROLLED, Status.SPECIALIZED_SCHOOL})

CERTIFICATE_KIND = "certificate"
ATTESTATION_KIND = "attestation"


def _school_year(_: object, attribute: Attribute[str], value: str) -> None:
    first, _sep, second = value.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise InvalidInputError(
            f"{attribute.name} {value!r} is not a school year: write it as 2025-2026"
        )


def _grade(_: object, attribute: Attribute[int], value: int) -> None:
    grade_label(value)


def _masked(number: str) -> str:
    return StudentNumber.parse(number).masked()


def graduating_grade(ctx: Context, school: School, stage: Stage) -> Grade:
    """The last grade of ``stage`` under the school's system in force
    (第六、七、八条)."""
    if stage is Stage.PRIMARY:
        return system_of(ctx, school).primary_years
    return 9 if stage is Stage.JUNIOR else 12


# ---------------------------------------------------------------- values


class CertificateKind(enum.Enum):
    GRADUATION = "毕业"  # 第三十九条第一款
    COMPLETION = "结业"  # 第三十九条第二款
    INCOMPLETION = "肄业"  # 第三十九条第四款

    @property
    def article(self) -> str:
        return {
            CertificateKind.GRADUATION: "第三十九条第一款",
            CertificateKind.COMPLETION: "第三十九条第二款",
            CertificateKind.INCOMPLETION: "第三十九条第四款",
        }[self]


@attrs.frozen
class Certificate:
    """A certificate of graduation, completion or incomplete studies
    (第三十九、四十条).  ``sealed_by`` is the district that verified the seal
    of a senior certificate (验印, 第四十条第一款)."""

    kind: CertificateKind
    number: str
    student: str
    school: str
    stage: Stage
    school_year: str
    issued_on: date
    sealed_by: str | None = None


@attrs.frozen
class Attestation:
    """学历证明 (第四十条第三款): issued by the district in place of a lost
    certificate, which it references; the certificate itself is never
    reissued."""

    number: str
    student: str
    certificate: str  # the original certificate's number
    certificate_kind: CertificateKind
    school: str
    district: str
    issued_on: date
    issued_by: str


class GradeChangeKind(enum.Enum):
    """第三十八条: 升级、留级、跳级."""

    PROMOTION = "promotion"
    RETENTION = "retention"
    SKIP = "skip"

    @property
    def label(self) -> str:
        return {"promotion": "升级", "retention": "留级", "skip": "跳级"}[self.value]


# ---------------------------------------------------------------- requests


@attrs.frozen
class GradeChange:
    """升级、留级、跳级 (第三十八条): the school's decision under the academic
    rules of the education authorities, recorded as a GRADE event.
    ``basis`` names what it rests on (results, the rule applied)."""

    id: str
    on: date
    student: str
    change: GradeChangeKind
    grade: Grade = attrs.field(validator=_grade)
    school_year: str = attrs.field(validator=_school_year)
    basis: str = ""
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class Graduate:
    """One line of a graduation roster.  ``assessment`` is the school's
    assessment of a special-education, special-class or inclusive student
    (第三十九条第一款: 由学校认定毕业成绩)."""

    student: str
    assessment: str | None = None


@attrs.frozen
class GraduationRoster:
    """毕业生名册 of one school, school year and stage (第三十九条第一款):
    compulsory — filed with the district, then certificates; 高中 —
    confirmed by the district, filed with the city, sealed by the district
    (第四十条第一款), then certificates."""

    id: str
    on: date
    school: str
    school_year: str = attrs.field(validator=_school_year)
    stage: Stage
    graduates: tuple[Graduate, ...]
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class Completion:
    """结业 (第三十九条第二款): 学习期满，未达到毕业要求，又不符合留级条件的.
    ``unmet`` says which requirement was not met, ``cannot_repeat`` why the
    student may not repeat the year."""

    id: str
    on: date
    student: str
    school_year: str = attrs.field(validator=_school_year)
    unmet: str = ""
    cannot_repeat: str = ""
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class Incompletion:
    """肄业证书 (第三十九条第四款) for a student whose 学籍 at ``school`` ended
    by withdrawal before completing the studies."""

    id: str
    on: date
    student: str
    school: str
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class CertificateReplacement:
    """A request to reissue a lost certificate: always refused (第四十条第三
    款 provides a 学历证明 instead)."""

    id: str
    on: date
    student: str
    certificate: str
    reason: str = "遗失"
    applicant: Applicant = _HOLDER
    idempotency_key: str | None = None


@attrs.frozen
class AttestationApplication:
    """学历证明 (第四十条第三款): the holder's written application to the
    school that issued the lost certificate; the school verifies, the
    district issues."""

    id: str
    on: date
    student: str
    certificate: str
    applicant: Applicant = _HOLDER
    idempotency_key: str | None = None


@attrs.frozen
class ArchiveHandOver:
    """第四十一条第一、二款: the graduates and completers of a school year who
    did not go on — 初中 students not entering a senior secondary school (their
    materials), 高中 students not entering higher education (their
    archives) — to be handed over to the human-resources and social-security
    office of their hukou 按规定时间."""

    id: str
    on: date
    school: str
    school_year: str = attrs.field(validator=_school_year)
    stage: Stage
    students: tuple[str, ...]
    applicant: Applicant = _SCHOOL
    idempotency_key: str | None = None


@attrs.frozen
class _SealFile:
    kind: CertificateKind
    enrollment: str
    school_year: str


@attrs.frozen
class _AttestationFile:
    certificate: str


# ---------------------------------------------------------------- reading


def certificates_of(uow: UnitOfWork, student: str) -> list[Certificate]:
    """The certificates issued to a student, oldest first."""
    return [c for _r, c in read(uow, CERTIFICATE_KIND, Certificate, student=student)]


def attestations_of(uow: UnitOfWork, student: str) -> list[Attestation]:
    """The 学历证明 issued for a student, oldest first."""
    return [a for _r, a in read(uow, ATTESTATION_KIND, Attestation, student=student)]


def retentions_in(uow: UnitOfWork, number: str, stage: Stage) -> int:
    """How many 留级 were recorded for the student in ``stage`` (第三十八条;
    counted for 第三十六条第二款第（一）项)."""
    student = uow.get_student(number)
    numbers = (*student.aliases, student.number) if student else (number,)
    return sum(
        1
        for n in numbers
        for e in uow.events_of(n)
        if e.kind is ChangeKind.GRADE
        and dict(e.data).get("change") == GradeChangeKind.RETENTION.value
        and dict(e.data).get("stage") == stage.value
    )


def hand_over_recipient(ctx: Context, student: Student) -> str:
    """The human-resources and social-security office of the student's
    hukou (第四十一条), by name where the register knows it."""
    hukou = student.hukou
    if hukou.beijing and hukou.district is not None:
        offices = ctx.uow.hrss_offices(district=hukou.district)
        if offices:
            return f"{offices[0].name}（{offices[0].code}）"
        return f"学生户籍所在区（{hukou.district}）的人力资源和社会保障部门"
    return f"学生户籍所在地（{hukou.province or '户籍地'}）的人力资源和社会保障部门"


# ---------------------------------------------------------------- certificates


_STAGE_LETTER = {"小学": "X", "初中": "C", "高中": "G"}
_KIND_LETTER = {"毕业": "B", "结业": "J", "肄业": "Y"}


def certificate_number(
    district: str | None, stage: str, kind: str, year: int, serial: int
) -> str:
    """The municipal numbering (第四十条第二款): the fallback for a district
    that set no scheme of its own, and the city's scheme for 高中.

    ``{issuer}-{year}-{stage letter}{kind letter}-{serial:06d}`` — issuer the
    district code (compulsory) or 110000 (高中, numbered city-wide); stage
    X 小学, C 初中, G 高中; kind B 毕业, J 结业, Y 肄业:
    ``certificate_number("110105", "初中", "毕业", 2026, 1) ==
    "110105-2026-CB-000001"``."""
    issuer = CITY_CODE if stage == "高中" or district is None else district
    return f"{issuer}-{year}-{_STAGE_LETTER[stage]}{_KIND_LETTER[kind]}-{serial:06d}"


def _issue(
    ctx: Context,
    number: str,
    school: School,
    kind: CertificateKind,
    stage: Stage,
    school_year: str,
    *,
    article: str,
) -> Certificate:
    """Number, record and log one certificate (第三十九、四十条)."""
    year = int(school_year[5:])
    senior = stage is Stage.SENIOR
    district = None if senior else school.district
    issuer = CITY_CODE if senior else school.district
    serial = ctx.uow.next_serial(
        f"certificate:{issuer}:{year}:{stage.value}:{kind.value}"
    )
    taken = {c.number for _r, c in read(ctx.uow, CERTIFICATE_KIND, Certificate)}
    answer = ctx.rules.answer(
        "xueji_certificate_number",
        district=district,
        on=ctx.on,
        default=certificate_number(district, stage.value, kind.value, year, serial),
        check=lambda v: (
            None
            if isinstance(v, str) and v.strip() and v not in taken
            else "not a number, or one already issued"
        ),
        school=school.code,
        stage=stage.value,
        kind=kind.value,
        year=year,
        serial=serial,
    )
    if answer.value in taken:
        raise PluginError(
            f"certificate number {answer.value} is already issued: the numbering "
            "(xueji_certificate_number) gave a duplicate"
        )
    ctx.check("certificate-number", "第四十条第二款", answer.value, answer.source)
    certificate = Certificate(
        kind=kind,
        number=answer.value,
        student=number,
        school=school.code,
        stage=stage,
        school_year=school_year,
        issued_on=ctx.on,
        sealed_by=school.district if senior else None,
    )
    keep(
        ctx,
        CERTIFICATE_KIND,
        certificate,
        district=school.district,
        on=ctx.on,
        student=number,
        school=school.code,
    )
    sealed = f"，区教委验印（{school.district}）" if senior else ""
    ctx.record(
        ChangeKind.CERTIFICATE,
        f"发给{kind.value}证书 {certificate.number}{sealed}",
        student=number,
        district=school.district,
        article=article,
        data={"kind": kind.value, "number": certificate.number},
    )
    return certificate


def _seal_step(school: School) -> StepSpec:
    return StepSpec("区教委验印", Role.DISTRICT, school.district, "第四十条第一款")


def _academic_rule(
    ctx: Context,
    school: School,
    stage: Stage,
    decision: str,
    grades: tuple[int, int],
    article: str,
) -> None:
    for source, text in ctx.rules.combined(
        "xueji_academic_rule",
        district=school.district,
        on=ctx.on,
        stage=stage.value,
        decision=decision,
        from_grade=grades[0],
        to_grade=grades[1],
    ):
        ctx.check("academic-rule", article, text, source)
        ctx.refuse("academic-rule", text, article, source)


# ---------------------------------------------------------------- 第三十八条


def decide_grade_change(ctx: Context, request: GradeChange) -> Decision:
    """第三十八条: 升级、留级、跳级按照教育行政部门…有关规定执行."""
    student, enrollment, school = stint_of(ctx, request.student)
    school_decides(ctx, school, "第三十八条")
    if not edition(ctx):
        return ctx.decide("grade-change", student.number)
    if not school.offers(request.grade):
        raise InvalidInputError(
            f"school {school.code} has no {grade_label(request.grade)}"
        )

    stage = stage_of(ctx, school, enrollment)
    before, after = enrollment.grade, request.grade
    ctx.check("studying", "第三十八条", enrollment.status.value)
    if enrollment.status not in _STUDYING:
        ctx.refuse(
            "status",
            f"学籍状态为{enrollment.status.value}，不办理升级、留级、跳级",
            "第三十八条",
        )
    _check_grades(ctx, request.change, school, stage, before, after)
    refuse_if_open(ctx, student.number)
    if not request.basis.strip():
        ctx.missing(
            "basis",
            f"{request.change.label}须载明依据（学业成绩及所依据的规定）",
            "第三十八条",
        )
    _academic_rule(
        ctx, school, stage, request.change.value, (before, after), "第三十八条"
    )
    if ctx.blocked:
        return ctx.decide("grade-change", student.number)

    ctx.uow.update_enrollment(
        attrs.evolve(enrollment, grade=after, version=enrollment.version + 1)
    )
    ctx.record(
        ChangeKind.GRADE,
        f"{request.change.label}：{grade_label(before)} → {grade_label(after)}"
        f"（{request.school_year}学年；{request.basis}）",
        student=student.number,
        district=school.district,
        article="第三十八条",
        enrollment=enrollment.id,
        data={
            "change": request.change.value,
            "from": str(before),
            "to": str(after),
            "stage": stage.value,
            "school_year": request.school_year,
        },
    )
    return ctx.decide("grade-change", student.number)


def _check_grades(
    ctx: Context,
    change: GradeChangeKind,
    school: School,
    stage: Stage,
    before: Grade,
    after: Grade,
) -> None:
    """The grade arithmetic: a promotion moves to the next grade, a
    retention keeps the grade, a skip passes over one grade or more — each
    within the stage; leaving the graduating grade is 毕业 or 结业."""
    same_stage = system_of(ctx, school).stage_of(after) is stage
    if change is GradeChangeKind.PROMOTION:
        ok = after == before + 1 and same_stage
    elif change is GradeChangeKind.RETENTION:
        ok = after == before
    else:
        ok = after >= before + 2 and same_stage
    ctx.check("grade-arithmetic", "第三十八条", f"{before} → {after}: {ok}")
    if before == graduating_grade(ctx, school, stage) and change is not (
        GradeChangeKind.RETENTION
    ):
        ctx.refuse(
            "graduating-grade",
            f"{grade_label(before)}为毕业年级：学习期满办理毕业或结业",
            "第三十九条",
        )
    elif not ok:
        ctx.refuse(
            "grade-arithmetic",
            f"{change.label}不能由{grade_label(before)}到{grade_label(after)}"
            f"（{stage.value}阶段内）",
            "第三十八条",
        )


# ---------------------------------------------------------------- 毕业


def decide_roster(ctx: Context, request: GraduationRoster) -> Decision:
    """第三十九条第一、三款: 学校编制毕业生名册…发给毕业证书."""
    school = school_of(ctx, request.school)
    school_decides(ctx, school, "第三十九条第一款")
    if not edition(ctx):
        return ctx.decide("graduation-roster", None)
    numbers = [g.student for g in request.graduates]
    if not numbers or len(set(numbers)) != len(numbers):
        raise InvalidInputError(
            "a graduation roster lists each graduate once, and at least one"
        )
    if request.stage not in school.stages:
        raise InvalidInputError(f"school {school.code} has no {request.stage.value}")

    last = graduating_grade(ctx, school, request.stage)
    for graduate in request.graduates:
        _check_graduate(ctx, school, request.stage, last, graduate)
    _academic_rule(
        ctx, school, request.stage, "graduation", (last, last), "第三十九条第一款"
    )
    for number in numbers:
        refuse_if_open(ctx, number)
    if ctx.blocked:
        return ctx.decide("graduation-roster", None)

    filing = StepSpec(
        "报区教委备案", Role.DISTRICT, school.district, "第三十九条第一款", filing=True
    )
    steps: tuple[StepSpec, ...] = (filing,)
    if request.stage is Stage.SENIOR:
        steps = (
            StepSpec("区教委确认", Role.DISTRICT, school.district, "第三十九条第一款"),
            StepSpec(
                "报市教委备案", Role.CITY, CITY_CODE, "第三十九条第一款", filing=True
            ),
            _seal_step(school),
        )
    open_procedure(
        ctx,
        kind="graduation",
        district=school.district,
        article="第三十九条第一款",
        steps=steps,
        students=tuple(numbers),
        payload=dumps(request),
        applicant=request.applicant,
    )
    return ctx.decide("graduation-roster", None)


def _check_graduate(
    ctx: Context, school: School, stage: Stage, last: Grade, graduate: Graduate
) -> None:
    student = ctx.uow.get_student(graduate.student)
    if student is None:
        raise InvalidInputError(
            f"no student {_masked(graduate.student)} in the register; check the roster"
        )
    who = _masked(student.number)
    stints = [
        e
        for e in ctx.uow.enrollments_of(student.number)
        if e.school == school.code and e.status.active
    ]
    if not stints:
        ctx.refuse(
            "not-at-school",
            f"{who}：不是本校学生；送专门学校学习的学生由保留其学籍的学校列入名册",
            "第三十九条第三款",
        )
        return
    stint = stints[0]
    if stint.status not in _STUDYING:
        ctx.refuse(
            "status",
            f"{who}：学籍状态为{stint.status.value}，不列入毕业生名册",
            "第三十九条第一款",
        )
        return
    if stint.grade != last or system_of(ctx, school).stage_of(stint.grade) is not stage:
        ctx.refuse(
            "not-graduating-grade",
            f"{who}：在{grade_label(stint.grade)}，未到{stage.value}毕业年级"
            f"（{grade_label(last)}）",
            "第三十九条第一款",
        )
    special = school.special_education or student.disabled
    if special and not (graduate.assessment and graduate.assessment.strip()):
        ctx.missing(
            "assessment",
            f"{who}：特殊教育学校、特教班、随班就读学生由学校认定毕业成绩，缺少认定",
            "第三十九条第一款",
        )


def _studying_at(ctx: Context, number: str, school: School) -> Enrollment | None:
    for enrollment in ctx.uow.enrollments_of(number):
        if enrollment.school == school.code and enrollment.status in _STUDYING:
            return enrollment
    return None


def _graduation_complete(ctx: Context, procedure: Procedure) -> None:
    # XXX: a special-education graduate's second stint (第十二条第二款) at the
    # regular school is left open: only the roster's own stints are ended.
    # No test shows it yet (docs/limitations.md says so).
    roster = loads(procedure.payload, GraduationRoster, source=procedure.id)
    school = school_of(ctx, roster.school)
    for graduate in roster.graduates:
        enrollment = _studying_at(ctx, graduate.student, school)
        if enrollment is None:
            ctx.inform(
                "not-studying",
                f"{_masked(graduate.student)}：学籍状态已变化，未办理毕业",
                "第三十九条第一款",
            )
            continue
        specialized = enrollment.status is Status.SPECIALIZED_SCHOOL
        article = "第三十九条第三款" if specialized else "第三十九条第一款"
        _end(ctx, enrollment, Status.GRADUATED, ChangeKind.GRADUATED, article)
        _issue(
            ctx,
            graduate.student,
            school,
            CertificateKind.GRADUATION,
            roster.stage,
            roster.school_year,
            article=article,
        )


def _end(
    ctx: Context,
    enrollment: Enrollment,
    status: Status,
    kind: ChangeKind,
    article: str,
) -> None:
    check_transition(enrollment.status, status)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment,
            status=status,
            status_until=None,
            last_day=ctx.on,
            version=enrollment.version + 1,
        )
    )
    ctx.record(
        kind,
        f"准予{status.value}",
        student=enrollment.student,
        district=enrollment.district,
        article=article,
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=status,
    )


register_kind(
    "graduation", ProcedureKind(name="毕业生名册", on_complete=_graduation_complete)
)


# ---------------------------------------------------------------- 结业


def decide_completion(ctx: Context, request: Completion) -> Decision:
    """第三十九条第二、三款."""
    student, enrollment, school = stint_of(ctx, request.student)
    school_decides(ctx, school, "第三十九条第二款")
    if not edition(ctx):
        return ctx.decide("completion", student.number)

    stage = stage_of(ctx, school, enrollment)
    last = graduating_grade(ctx, school, stage)
    article = "第三十九条第二款"
    ctx.check("studying", article, enrollment.status.value)
    if enrollment.status not in _STUDYING:
        ctx.refuse(
            "status", f"学籍状态为{enrollment.status.value}，不办理结业", article
        )
    if enrollment.grade != last:
        ctx.refuse(
            "not-graduating-grade",
            f"在{grade_label(enrollment.grade)}，学习未期满（{grade_label(last)}）",
            article,
        )
    if not request.unmet.strip():
        ctx.missing("unmet", "缺少未达到的毕业要求", article)
    if not request.cannot_repeat.strip():
        ctx.missing("cannot-repeat", "缺少不符合留级条件的说明", article)
    _academic_rule(ctx, school, stage, "completion", (last, last), article)
    refuse_if_open(ctx, student.number)
    if ctx.blocked:
        return ctx.decide("completion", student.number)

    if stage is Stage.SENIOR:
        open_procedure(
            ctx,
            kind="certificate-seal",
            district=school.district,
            article="第四十条第一款",
            steps=(_seal_step(school),),
            student=student.number,
            payload=dumps(
                _SealFile(
                    CertificateKind.COMPLETION, enrollment.id, request.school_year
                )
            ),
            applicant=request.applicant,
        )
        return ctx.decide("completion", student.number)
    _complete(ctx, enrollment, school, stage, request.school_year)
    return ctx.decide("completion", student.number)


def _complete(
    ctx: Context, enrollment: Enrollment, school: School, stage: Stage, year: str
) -> None:
    specialized = enrollment.status is Status.SPECIALIZED_SCHOOL
    article = "第三十九条第三款" if specialized else "第三十九条第二款"
    _end(ctx, enrollment, Status.COMPLETED, ChangeKind.COMPLETED, article)
    _issue(
        ctx,
        enrollment.student,
        school,
        CertificateKind.COMPLETION,
        stage,
        year,
        article=article,
    )


# ---------------------------------------------------------------- 肄业


def decide_incompletion(ctx: Context, request: Incompletion) -> Decision:
    """第三十九条第四款: 退学学生和其他未完成学业终止学籍的学生，由学校发给其
    肄业证书."""
    school = school_of(ctx, request.school)
    school_decides(ctx, school, "第三十九条第四款")
    student = ctx.uow.get_student(request.student)
    if student is None:
        raise InvalidInputError(f"no student {_masked(request.student)}")
    if not edition(ctx):
        return ctx.decide("incompletion", student.number)

    article = "第三十九条第四款"
    # XXX: only 退学 ends a stint before completion; "其他未完成学业终止学籍"
    # has no status in the state machine, so nothing else earns a 肄业
    # certificate here (docs/limitations.md; tests/test_graduation.py::
    # test_no_incompletion_certificate_for_a_pupil_still_enrolled).
    ended = [
        e
        for e in ctx.uow.enrollments_of(student.number)
        if e.school == school.code and e.status is Status.WITHDRAWN
    ]
    stint = ended[-1] if ended else None
    ctx.check("withdrawn", article, stint is not None)
    if stint is None:
        ctx.refuse("not-withdrawn", "该学生在本校没有因退学终止的学籍", article)
        return ctx.decide("incompletion", student.number)
    issued = [
        c
        for c in certificates_of(ctx.uow, student.number)
        if c.kind is CertificateKind.INCOMPLETION
        and c.school == school.code
        and c.issued_on >= stint.first_day
    ]
    if issued:
        ctx.refuse(
            "already-issued",
            f"已发给肄业证书 {issued[0].number}；遗失的，申请学历证明"
            "（第四十条第三款）",
            article,
        )
    refuse_if_open(ctx, student.number)
    if ctx.blocked:
        return ctx.decide("incompletion", student.number)

    stage = stage_of(ctx, school, stint)
    assert stint.last_day is not None
    year = school_year_of(stint.last_day)
    if stage is Stage.SENIOR:
        open_procedure(
            ctx,
            kind="certificate-seal",
            district=school.district,
            article="第四十条第一款",
            steps=(_seal_step(school),),
            student=student.number,
            payload=dumps(_SealFile(CertificateKind.INCOMPLETION, stint.id, year)),
            applicant=request.applicant,
        )
        return ctx.decide("incompletion", student.number)
    _incomplete(ctx, stint, school, stage, year)
    return ctx.decide("incompletion", student.number)


def _incomplete(
    ctx: Context, stint: Enrollment, school: School, stage: Stage, year: str
) -> None:
    from xueji._suspension import settle

    _issue(
        ctx,
        stint.student,
        school,
        CertificateKind.INCOMPLETION,
        stage,
        year,
        article="第三十九条第四款",
    )
    settle(ctx, stint.student, {ObligationKind.ISSUE_CERTIFICATE}, "已发给肄业证书")


def _seal_complete(ctx: Context, procedure: Procedure) -> None:
    """区教委验印 done: 结业 (status and certificate) or a 肄业 certificate."""
    file = loads(procedure.payload, _SealFile, source=procedure.id)
    enrollment = ctx.uow.get_enrollment(file.enrollment)
    assert enrollment is not None
    school = school_of(ctx, enrollment.school)
    stage = stage_of(ctx, school, enrollment)
    if file.kind is CertificateKind.COMPLETION:
        _complete(ctx, enrollment, school, stage, file.school_year)
    else:
        _incomplete(ctx, enrollment, school, stage, file.school_year)


register_kind(
    "certificate-seal", ProcedureKind(name="证书验印", on_complete=_seal_complete)
)


# ---------------------------------------------------------------- 第四十条第三款


def _certificate(ctx: Context, number: str, certificate: str) -> Certificate | None:
    for issued in certificates_of(ctx.uow, number):
        if issued.number == certificate:
            return issued
    return None


def _require_office(ctx: Context) -> None:
    from xueji._service import deny

    if ctx.principal.role not in (
        PrincipalRole.SCHOOL,
        PrincipalRole.DISTRICT,
        PrincipalRole.CITY,
    ):
        deny(ctx, "enter a certificate application", None)


def decide_replacement(ctx: Context, request: CertificateReplacement) -> Decision:
    """第四十条第三款: a lost certificate is not reissued."""
    from xueji._service import require_scope

    _require_office(ctx)
    found = _certificate(ctx, request.student, request.certificate)
    if found is not None:
        require_scope(ctx, school_of(ctx, found.school))
    if not edition(ctx):
        return ctx.decide("certificate-replacement", None)

    article = "第四十条第三款"
    ctx.check("certificate-on-record", article, found is not None)
    ctx.refuse(
        "no-reissue",
        "毕业、结业、肄业证书遗失不予补发：可向原证书颁发学校提出书面申请，经学校核实"
        "后由区教委出具学历证明",
        article,
    )
    if found is None:
        ctx.refuse("no-certificate", "没有该证书的颁发记录", article)
    ctx.next_steps.append("向原证书颁发学校申请学历证明（AttestationApplication）")
    return ctx.decide("certificate-replacement", request.student if found else None)


def decide_attestation(ctx: Context, request: AttestationApplication) -> Decision:
    """第四十条第三款: 可向原证书颁发学校提出书面申请。经学校核实后，由区教委
    出具学历证明."""
    from xueji._service import require_scope

    _require_office(ctx)
    found = _certificate(ctx, request.student, request.certificate)
    if found is not None:
        require_scope(ctx, school_of(ctx, found.school))
    if not edition(ctx):
        return ctx.decide("attestation", None)

    article = "第四十条第三款"
    ctx.check("certificate-on-record", article, found is not None)
    if found is None:
        ctx.refuse(
            "no-certificate",
            "没有该学生该证书的颁发记录，不能出具学历证明",
            article,
        )
        return ctx.decide("attestation", None)
    holder = (
        ApplicantKind.STUDENT,
        ApplicantKind.GUARDIAN,
        ApplicantKind.GUARDIAN_AND_STUDENT,
    )
    if request.applicant.kind not in holder or not request.applicant.written:
        ctx.missing("holder-written", "须由证书持有人提出书面申请", article)
    refuse_if_open(ctx, found.student)
    if ctx.blocked:
        return ctx.decide("attestation", found.student)

    school = school_of(ctx, found.school)
    open_procedure(
        ctx,
        kind="attestation",
        district=school.district,
        article=article,
        steps=(
            StepSpec("原证书颁发学校核实", Role.SCHOOL, school.code, article),
            StepSpec("区教委出具学历证明", Role.DISTRICT, school.district, article),
        ),
        student=found.student,
        payload=dumps(_AttestationFile(found.number)),
        applicant=request.applicant,
    )
    return ctx.decide("attestation", found.student)


def _attestation_complete(ctx: Context, procedure: Procedure) -> None:
    file = loads(procedure.payload, _AttestationFile, source=procedure.id)
    assert procedure.student is not None
    certificate = _certificate(ctx, procedure.student, file.certificate)
    assert certificate is not None
    district = procedure.district
    year = ctx.on.year
    serial = ctx.uow.next_serial(f"attestation:{district}:{year}")
    attestation = Attestation(
        number=f"{district}-XLZM-{year}-{serial:05d}",
        student=certificate.student,
        certificate=certificate.number,
        certificate_kind=certificate.kind,
        school=certificate.school,
        district=district,
        issued_on=ctx.on,
        issued_by=str(ctx.principal),
    )
    keep(
        ctx,
        ATTESTATION_KIND,
        attestation,
        district=district,
        on=ctx.on,
        student=certificate.student,
        school=certificate.school,
    )
    ctx.record(
        ChangeKind.ATTESTATION,
        f"区教委出具学历证明 {attestation.number}（原{certificate.kind.value}证书 "
        f"{certificate.number} 遗失，不补发）",
        student=certificate.student,
        district=district,
        article="第四十条第三款",
        data={"number": attestation.number, "certificate": certificate.number},
    )


register_kind(
    "attestation", ProcedureKind(name="学历证明", on_complete=_attestation_complete)
)


# ---------------------------------------------------------------- 第四十一条


def decide_hand_over(ctx: Context, request: ArchiveHandOver) -> Decision:
    """第四十一条第一、二款."""
    school = school_of(ctx, request.school)
    school_decides(ctx, school, "第四十一条")
    if not edition(ctx):
        return ctx.decide("hand-over", None)
    if request.stage is Stage.PRIMARY:
        raise InvalidInputError(
            "第四十一条 covers 初中 and 高中 leavers; a primary pupil goes on to "
            "初中 under compulsory education"
        )
    if not request.students or len(set(request.students)) != len(request.students):
        raise InvalidInputError("list each student once, and at least one")

    junior = request.stage is Stage.JUNIOR
    article = "第四十一条第一款" if junior else "第四十一条第二款"
    # XXX: who did not go on is the school's list: a 初中 leaver is checked
    # only against senior stints in this register, and entry to higher
    # education is not recorded (docs/limitations.md; test_graduation.py::
    # test_a_graduate_admitted_to_a_senior_school_is_not_handed_over).
    last = graduating_grade(ctx, school, request.stage)
    leavers = [
        _check_leaver(ctx, school, request.stage, last, number, article)
        for number in request.students
    ]
    year = int(request.school_year[5:])
    answer = ctx.rules.answer(
        "xueji_hand_over_date",
        district=school.district,
        on=ctx.on,
        default=None,
        check=lambda v: (
            None
            if isinstance(v, date) and v.year in (year, year + 1)
            else f"not a date in {year} or {year + 1}"
        ),
        stage=request.stage.value,
        school_year=request.school_year,
    )
    ctx.check("hand-over-date", article, answer.value, answer.source)
    if ctx.blocked:
        return ctx.decide("hand-over", None)

    if answer.value is None:
        ctx.warn(
            "no-hand-over-date",
            "未登记“按规定时间”的移交时限（区实施细则）；移交义务未设期限",
            article,
        )
    what = "毕（结）业材料" if junior else "学生档案"
    went = "高级中等学校" if junior else "高等院校"
    for student in leavers:
        if student is None:
            continue
        ctx.oblige(
            ObligationKind.HAND_OVER,
            f"{request.school_year}学年毕（结）业未升入{went}：将其{what}移交给"
            f"{hand_over_recipient(ctx, student)}",
            role=Role.SCHOOL,
            organisation=school.code,
            arises=ctx.on,
            due=answer.value,
            article=article,
            student=student.number,
            district=school.district,
            source=answer.source,
        )
    return ctx.decide("hand-over", None)


def _check_leaver(
    ctx: Context,
    school: School,
    stage: Stage,
    last: Grade,
    number: str,
    article: str,
) -> Student | None:
    student = ctx.uow.get_student(number)
    if student is None:
        raise InvalidInputError(f"no student {_masked(number)} in the register")
    who = _masked(student.number)
    stints = ctx.uow.enrollments_of(student.number)
    left = [
        e
        for e in stints
        if e.school == school.code
        and e.status in (Status.GRADUATED, Status.COMPLETED)
        and e.grade == last
        and system_of(ctx, school).stage_of(e.grade) is stage
    ]
    if not left:
        ctx.refuse(
            "not-leaver",
            f"{who}：不是本校{stage.value}毕（结）业学生",
            article,
        )
        return None
    ended = left[-1].last_day or left[-1].first_day
    if stage is Stage.JUNIOR and any(
        e.grade >= 10 and e.first_day >= ended for e in stints
    ):
        ctx.refuse(
            "went-on",
            f"{who}：已升入高级中等学校，不移交",
            article,
        )
    if any(
        o.obligation.kind is ObligationKind.HAND_OVER
        and o.obligation.article == article
        for o in ctx.uow.obligations(student=student.number)
    ):
        ctx.refuse("already-listed", f"{who}：已列入移交", article)
    return student


def _register() -> None:
    from xueji._registry import register_request

    register_request("grade-change", GradeChange, decide_grade_change)
    register_request("graduation-roster", GraduationRoster, decide_roster)
    register_request("completion", Completion, decide_completion)
    register_request("incompletion", Incompletion, decide_incompletion)
    register_request(
        "certificate-replacement", CertificateReplacement, decide_replacement
    )
    register_request("attestation", AttestationApplication, decide_attestation)
    register_request("hand-over", ArchiveHandOver, decide_hand_over)


_register()
