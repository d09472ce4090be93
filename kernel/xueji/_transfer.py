"""Chapter 5, 转学 (第二十二至三十条).

Requests:

- :class:`TransferApplication` — a transfer within Beijing (第二十二、二十三、
  二十五、二十六条第一款): the guardian's written application to the original
  school; both schools and the district (both districts and the city across
  districts; the city for every senior transfer) approve it;
- :class:`InboundTransfer` — from another province or from abroad (第二十四、
  二十五条; 第二十六条第二、三款);
- :class:`TransferOutOfBeijing` — to another province (第二十七条);
- :class:`TransferPlacement` — the receiving school's placement (插班,
  第二十三条第二款, 第二十五条第二款);
- :class:`TrainingSelection` — selection by an arts or sports training
  organisation (第二十八条);
- the records the rules read: :class:`SanctionEntry` (处分, 第三十条第（三）
  项), :class:`ZhongkaoScoreEntry` and :class:`CutoffEntry` (第二十六条第一款),
  :class:`HardshipEvidenceEntry` (严重疾病、家庭重大变故).

A transfer is a procedure of :mod:`xueji._workflow`.  Filing sets the stint
to 转学中 (``PENDING_TRANSFER``), which keeps other changes of the stint out
while the procedure is open; rejection or withdrawal restores the status it
had.  Completion ends the sending stint the day before and opens a stint at
the receiving school under the same 学籍号; the archive moves with the
student (籍随人走, 第二十九条).  Attendance and other records stay where they
are: nothing is lost.
"""

from __future__ import annotations

__all__ = [
    "AdmissionCutoff",
    "CutoffEntry",
    "HardshipEvidence",
    "HardshipEvidenceEntry",
    "HardshipKind",
    "InboundReason",
    "InboundTransfer",
    "Placement",
    "Sanction",
    "SanctionEntry",
    "SanctionKind",
    "TrainingSelection",
    "TransferApplication",
    "TransferOutOfBeijing",
    "TransferPlacement",
    "TransferReason",
    "ZhongkaoScore",
    "ZhongkaoScoreEntry",
    "sanctions_on",
]

import enum
import json
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import Applicant, ApplicantKind, PrincipalRole
from xueji._calendar import Term, school_year_of
from xueji._context import Context, new_id
from xueji._decisions import MUNICIPAL, Decision, ObligationKind, Role, Source
from xueji._enrollment import StudentParticulars, edition, issue_student, school_of
from xueji._errors import InvalidInputError
from xueji._identity import StudentNumber, parse_id_number
from xueji._medical import MedicalRecord
from xueji._orgs import CITY_CODE, School, Stage, grade_label
from xueji._procedures import Procedure, ProcedureState, Side
from xueji._records import keep, read
from xueji._register import Archive, ChangeKind, Enrollment, Student
from xueji._serialize import dumps, loads
from xueji._status import Status, check_transition
from xueji._workflow import ProcedureKind, StepSpec, kind_name, open_procedure
from xueji._workflow import register_kind as _register_kind

SANCTION = "sanction"
ZHONGKAO = "zhongkao-score"
CUTOFF = "admission-cutoff"
EVIDENCE = "hardship-evidence"
PLACEMENT = "transfer-placement"
SELECTION = "training-selection"

_ONE_DAY = timedelta(days=1)
_GUARDIAN = Applicant(ApplicantKind.GUARDIAN, "监护人")
_GUARDIAN_AND_STUDENT = Applicant(ApplicantKind.GUARDIAN_AND_STUDENT, "学生及监护人")
_DEFAULT_LIMIT = 10  # 第二十九条: 一般不超过10个工作日


def _masked(number: str) -> str:
    return StudentNumber.parse(number).masked()


def _score(value: object) -> str:
    """A score as exact decimal text (DESIGN.md §4: no floats)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInputError(
            f"score {value!r} must be written as text or a whole number, e.g. "
            "'580.5' (scores are exact decimals, never floats)"
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInputError(f"score {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise InvalidInputError(f"score {value!r} must be 0 or more")
    return str(number)


def _optional_score(value: object) -> str | None:
    return None if value is None else _score(value)


def _grade(_: object, attribute: Attribute[int], value: int) -> None:
    grade_label(value)


# ---------------------------------------------------------------- records


class SanctionKind(enum.Enum):
    """处分 (the rules of sanctions are the 市教委's, 第四十九条)."""

    WARNING = "警告"
    SERIOUS_WARNING = "严重警告"
    DEMERIT = "记过"
    PROBATION = "留校察看"


@attrs.frozen
class Sanction:
    """A disciplinary sanction with its period, both days included."""

    student: str
    school: str
    kind: SanctionKind
    first: date
    last: date
    reason: str
    reference: str | None = None

    def holds_on(self, day: date) -> bool:
        return self.first <= day <= self.last


@attrs.frozen
class SanctionEntry:
    """Recording a 处分 and its period (第三十条第（三）项 reads it).  A school
    records its own students' sanctions; a correction (a sanction lifted
    early, say) names the record it ``supersedes``."""

    id: str
    on: date
    student: str
    kind: SanctionKind
    first: date
    last: date
    reason: str
    reference: str | None = None
    supersedes: str | None = None
    idempotency_key: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInputError(
                f"sanction from {self.first} to {self.last}: the period ends "
                "before it starts; correct the dates"
            )


@attrs.frozen
class ZhongkaoScore:
    """A student's 中考 total in the year taken (第二十六条第一款)."""

    student: str
    year: int
    score: str = attrs.field(converter=_score)

    @property
    def value(self) -> Decimal:
        return Decimal(self.score)


@attrs.frozen
class ZhongkaoScoreEntry:
    """Recording a student's 中考 score."""

    id: str
    on: date
    student: str
    year: int
    score: str = attrs.field(converter=_score)
    idempotency_key: str | None = None


@attrs.frozen
class AdmissionCutoff:
    """A senior school's 统一招生录取分数 of one 中考 year (第二十六条第一款)."""

    school: str
    year: int
    score: str = attrs.field(converter=_score)

    @property
    def value(self) -> Decimal:
        return Decimal(self.score)


@attrs.frozen
class CutoffEntry:
    """Recording a school's cut-off; the city or the school's district."""

    id: str
    on: date
    school: str
    year: int
    score: str = attrs.field(converter=_score)
    idempotency_key: str | None = None


class HardshipKind(enum.Enum):
    """The special reasons of 第二十六条第一款."""

    SERIOUS_ILLNESS = "严重疾病"
    FAMILY_CHANGE = "家庭重大变故"


@attrs.frozen
class HardshipEvidence:
    """Evidence of a serious illness or a major family change."""

    student: str
    school: str
    kind: HardshipKind
    description: str
    documents: tuple[str, ...] = ()
    medical_record: MedicalRecord | None = None


@attrs.frozen
class HardshipEvidenceEntry:
    """Recording the evidence a senior transfer rests on (第二十六条第一款).
    A serious illness needs a medical record."""

    id: str
    on: date
    student: str
    kind: HardshipKind
    description: str
    documents: tuple[str, ...] = ()
    medical_record: MedicalRecord | None = None
    idempotency_key: str | None = None


@attrs.frozen
class Placement:
    """The receiving school's placement of a transferring student, as kept."""

    procedure: str
    school: str
    grade: int
    original_grade: int
    evidence: tuple[str, ...] = ()
    note: str = ""


# ---------------------------------------------------------------- requests


class TransferReason(enum.Enum):
    HUKOU_MOVE = "户籍迁移"  # 第二十二条第（一）项
    RESIDENCE_CHANGE = "居住地变更"  # 第二十二条第（二）项
    SPECIAL = "其他特殊原因"  # 第二十二条第（三）项
    SERIOUS_ILLNESS = "严重疾病"  # 第二十六条第一款
    FAMILY_CHANGE = "家庭重大变故"  # 第二十六条第一款


@attrs.frozen
class TransferApplication:
    """转学 within Beijing: the guardian's written application to the
    original school, naming the school it goes to (第二十三条第一款).

    ``on`` is the day the complete application reaches the original school;
    the processing limit runs from it (第二十九条).  ``new_township`` is the
    township of the new hukou (第二十二条第（一）项) or residence (第（二）项);
    ``new_district`` the district of the hukou or actual residence a senior
    student moves to (第二十六条第一款); ``special_reason`` the reason of
    第二十二条第（三）项."""

    id: str
    on: date
    student: str
    to_school: str
    reason: TransferReason
    applicant: Applicant = _GUARDIAN
    documents: tuple[str, ...] = ()
    new_township: str | None = None
    new_district: str | None = None
    special_reason: str | None = None
    idempotency_key: str | None = None


class InboundReason(enum.Enum):
    HUKOU_MOVED_IN = "户籍由外省市迁入"  # 第二十四条, 第二十六条第二款
    SETTLED_FROM_ABROAD = "从境外到本市落户"  # 第二十四条, 第二十六条第三款
    BEIJING_HUKOU_ELSEWHERE = "本市户籍在外省市就读"  # 第二十四条, 第二十六条第二款
    BEIJING_HUKOU_ABROAD = "本市户籍在境外就读"  # 第二十六条第三款
    NON_LOCAL = "非本市户籍"  # 第二十五条

    @property
    def abroad(self) -> bool:
        return self in (
            InboundReason.SETTLED_FROM_ABROAD,
            InboundReason.BEIJING_HUKOU_ABROAD,
        )


@attrs.frozen
class InboundTransfer:
    """A transfer into a Beijing school from another province or from
    abroad (第二十四、二十五条; 第二十六条第二、三款).  ``grade`` is the grade
    the student attended (原就读年级); ``origin`` the school, province or
    country left.  ``on`` is the day the complete application reaches the
    receiving school: the processing limit runs from it (DESIGN.md §4).
    ``zhongkao_score`` is the 中考 result where the student took it
    (第二十六条第二款)."""

    id: str
    on: date
    to_school: str
    grade: int = attrs.field(validator=_grade)
    reason: InboundReason
    student: StudentParticulars
    origin: str
    applicant: Applicant = _GUARDIAN
    documents: tuple[str, ...] = ()
    zhongkao_score: str | None = attrs.field(default=None, converter=_optional_score)
    zhongkao_year: int | None = None
    idempotency_key: str | None = None


@attrs.frozen
class TransferOutOfBeijing:
    """转出到外省市: the student and the guardian apply to the school; the
    school and the district approve (第二十七条)."""

    id: str
    on: date
    student: str
    destination: str
    applicant: Applicant = _GUARDIAN_AND_STUDENT
    documents: tuple[str, ...] = ()
    idempotency_key: str | None = None


@attrs.frozen
class TransferPlacement:
    """插班: the receiving school places the student in the original grade,
    or — when necessary — by academic level, on evidence (第二十三条第二款,
    第二十五条第二款).  Recorded while the transfer is open and applied when
    it completes; without one the student keeps the original grade."""

    id: str
    on: date
    procedure: str
    grade: int = attrs.field(validator=_grade)
    evidence: tuple[str, ...] = ()
    note: str = ""
    idempotency_key: str | None = None


@attrs.frozen
class TrainingSelection:
    """An organisation approved to train children in the arts or sports
    selects a student; its procedure at the education commission follows
    "有关规定" (第二十八条), which a district supplies
    (``xueji_training_selection_documents``)."""

    id: str
    on: date
    student: str
    organisation: str
    approval: str
    documents: tuple[str, ...] = ()
    idempotency_key: str | None = None


@attrs.frozen
class _TransferFile:
    """What a within-city transfer procedure carries."""

    request: TransferApplication
    enrollment: str
    prior: Status
    sending: str
    receiving: str
    grade: int


@attrs.frozen
class _OutFile:
    request: TransferOutOfBeijing
    enrollment: str
    prior: Status


# ---------------------------------------------------------------- helpers


def _require_scope(ctx: Context, school: School) -> None:
    from xueji._service import require_scope

    require_scope(ctx, school)


def _deny(ctx: Context, action: str, student: str | None) -> None:
    from xueji._service import deny

    deny(ctx, action, student)


def _stint(ctx: Context, number: str) -> tuple[Student, Enrollment, School]:
    """The student's open stint at a regular school (the regular one of the
    two of 第十二条)."""
    student = ctx.uow.get_student(number)
    if student is None:
        raise InvalidInputError(
            f"no student with 学籍号 {_masked(number)} in the register; check "
            "the number"
        )
    stints = [
        (e, school_of(ctx, e.school))
        for e in ctx.uow.enrollments_of(student.number)
        if e.status.active and e.last_day is None
    ]
    if not stints:
        raise InvalidInputError(
            f"student {_masked(student.number)} holds no active 学籍 in Beijing"
        )
    regular = [(e, s) for e, s in stints if not s.special_education] or stints
    enrollment, school = regular[0]
    return student, enrollment, school


def sanctions_on(ctx: Context, student: str, day: date) -> list[Sanction]:
    """The sanctions whose period includes ``day``."""
    return [
        value
        for _record, value in read(ctx.uow, SANCTION, Sanction, student=student)
        if value.holds_on(day)
    ]


def _refuse_if_open(ctx: Context, number: str | None) -> bool:
    """A student has at most one open procedure (DESIGN.md §2)."""
    holder = None if number is None else ctx.uow.open_procedure_of(number)
    if holder is None:
        return False
    ctx.refuse(
        "open-procedure",
        f"该学生已有未办结的{kind_name(holder.kind)}（{holder.id}，{holder.filed_on}"
        "提出）；办结或撤回后方可再行申请",
        holder.article,
    )
    return True


def _check_applicant(ctx: Context, applicant: Applicant, stage: Stage) -> None:
    """第二十三条第一款: the guardian's written application; 第三十条第（二）项:
    a compulsory school cannot force a transfer."""
    if applicant.kind is ApplicantKind.SCHOOL:
        if stage.compulsory:
            ctx.refuse(
                "forced-transfer",
                "义务教育阶段学校不能以任何形式强迫学生转学：转学须由学生父母或其他"
                "法定监护人提出书面申请",
                "第三十条第（二）项",
            )
        else:
            ctx.missing(
                "student-applies",
                "高中学生转学须由学生或其父母或其他法定监护人申请",
                "第二十六条第一款",
            )
        return
    if stage.compulsory and applicant.kind is ApplicantKind.STUDENT:
        ctx.missing(
            "guardian-applies",
            "义务教育阶段学生转学由其父母或其他法定监护人向原就读学校提出书面申请",
            "第二十三条第一款",
        )
    elif not applicant.written:
        ctx.missing("written", "转学须提出书面申请", "第二十三条第一款")


def _check_status(ctx: Context, enrollment: Enrollment) -> None:
    """第三十四条: no transfer while suspended; 第三十一条第二款: a student at
    a 专门学校 returns to the original school first."""
    status = enrollment.status
    if status is Status.SUSPENDED:
        until = enrollment.status_until
        ended = until is not None and until < ctx.on
        ctx.check("suspension-ended", "第三十四条", f"{until}: {ended}")
        if not ended:
            ctx.refuse(
                "suspended",
                f"学生休学期间（至 {until}）保留学籍，不能办理转学手续",
                "第三十四条",
            )
        else:
            ctx.inform(
                "suspension-ended",
                f"休学期已于 {until} 届满，不再受休学期间不能转学的限制",
                "第三十四条",
            )
    elif status is Status.SPECIALIZED_SCHOOL:
        ctx.refuse(
            "specialized-school",
            "学生在专门学校学习，学籍由原学校保留；回原学校继续学习后方可办理转学",
            "第三十一条第二款",
        )
    elif status in (Status.ADMITTED, Status.DEFERRED):
        ctx.refuse(
            "not-registered",
            f"该学生处于{status.value}状态，尚未入学注册，不能办理转学",
            "第十六条第一款",
        )


def _check_sanctions(ctx: Context, student: str) -> None:
    """第三十条第（三）项: 学生在受处分期间，不予办理转学手续 — the kinds of
    处分 the city's rules name (第四十九条)."""
    held = sanctions_on(ctx, student, ctx.on)
    if not held:
        ctx.check("sanction-period", "第三十条第（三）项", 0)
        return
    barring = ctx.rules.transfer_barring_sanctions(ctx.on)
    held = [s for s in held if s.kind.value in barring.value]
    ctx.check("sanction-period", "第三十条第（三）项", len(held), barring.source)
    for sanction in held:
        ctx.refuse(
            "sanctioned",
            f"学生在受处分（{sanction.kind.value}，{sanction.first}至{sanction.last}）"
            "期间，不予办理转学手续",
            "第三十条第（三）项",
            barring.source,
        )


def _check_other_grounds(
    ctx: Context,
    districts: Iterable[str],
    student: str,
    grade: int,
    from_school: str | None,
    to_school: str,
) -> None:
    """第三十条第（四）项: 其他无正当理由的 — grounds districts supply; those of
    either side apply."""
    seen: set[tuple[Source, str]] = set()
    for district in dict.fromkeys(districts):
        answer = ctx.rules.combined_answer(
            "xueji_transfer_refusal_grounds",
            district=district,
            on=ctx.on,
            student=student,
            grade=grade,
            from_school=from_school,
            to_school=to_school,
        )
        ctx.consider("other-grounds", "第三十条第（四）项", answer)
        for source, grounds in ctx.rules.combined(
            "xueji_transfer_refusal_grounds",
            district=district,
            on=ctx.on,
            student=student,
            grade=grade,
            from_school=from_school,
            to_school=to_school,
        ):
            for ground in grounds:
                if (source, ground) in seen:
                    continue
                seen.add((source, ground))
                ctx.refuse("other-ground", ground, "第三十条第（四）项", source)


def _check_documents(
    ctx: Context,
    have: Iterable[str],
    districts: Iterable[str],
    stage: Stage,
    reason: str,
    article: str,
) -> None:
    """The materials of 第二十三条第一款 (户籍迁移、实际居住地变更等相关材料),
    combined from both sides' districts."""
    held = set(have)
    asked: dict[str, Source] = {}
    for district in dict.fromkeys(districts):
        for source, documents in ctx.rules.combined(
            "xueji_transfer_documents",
            district=district,
            on=ctx.on,
            stage=stage.value,
            reason=reason,
        ):
            for document in documents:
                asked.setdefault(document, source)
    for document, source in asked.items():
        if document not in held:
            ctx.missing(
                "missing-document", f"缺少转学材料：{document}", article, source
            )
    ctx.check("transfer-documents", article, sorted(held))


def _check_admission_documents(
    ctx: Context, have: Iterable[str], receiving: School, stage: Stage
) -> None:
    """第二十五条第一款: 参照非本市户籍义务教育阶段入学规定提供相应的证明材料
    — the receiving district's admission documents for non-local children."""
    held = set(have)
    for source, documents in ctx.rules.combined(
        "xueji_admission_documents",
        district=receiving.district,
        on=ctx.on,
        stage=stage.value,
        local=False,
    ):
        for document in documents:
            if document not in held:
                ctx.missing(
                    "missing-document",
                    f"缺少材料（非本市户籍入学规定）：{document}",
                    "第二十五条第一款",
                    source,
                )


def _term_at(ctx: Context, day: date, stage: Stage) -> Term:
    """The term on ``day``; in a vacation, the term it follows."""
    calendars = ctx.calendars
    term = calendars.term_on(day, stage.calendar_stage)
    if term is not None:
        return term
    following = calendars.current_or_next_term(day, stage.calendar_stage)
    if following.number > 1:
        return calendars.term(
            following.school_year, stage.calendar_stage, following.number - 1
        )
    first = int(following.school_year[:4])
    previous = calendars.calendar(f"{first - 1}-{first}", stage.calendar_stage)
    return previous.terms[-1]


def _check_entry_grade(ctx: Context, receiving: School, grade: int) -> None:
    """第三十条第（一）项: no transfer in to a starting grade in its first term,
    nor to a graduating grade — the grade and term at the filing date, the
    grades of the receiving school's system (DESIGN.md §4)."""
    system = ctx.rules.school_system(receiving, ctx.on)
    stage = system.value.stage_of(grade)
    term = _term_at(ctx, ctx.on, stage)
    starting = grade in system.value.starting_grades() and term.number == 1
    graduating = grade in system.value.graduating_grades()
    ctx.check(
        "entry-grade",
        "第三十条第（一）项",
        f"{grade_label(grade)}, {term.school_year} term {term.number}, "
        f"{system.value.label}",
        system.source,
    )
    if starting:
        ctx.refuse(
            "starting-grade",
            f"{grade_label(grade)}为起始年级，第一学期不予办理转入手续",
            "第三十条第（一）项",
        )
    if graduating:
        ctx.refuse(
            "graduating-grade",
            f"{grade_label(grade)}为毕业年级，不予办理转入手续",
            "第三十条第（一）项",
        )


def _check_window(ctx: Context, stage: Stage, districts: Iterable[str]) -> None:
    """第二十九条: 转学一般应在寒、暑假放假前一周提出申请 — the seven calendar
    days before the vacation's first day (DESIGN.md §4).  A warning, which a
    district may make a refusal."""
    term = ctx.calendars.current_or_next_term(ctx.on, stage.calendar_stage)
    first = term.vacation_start - timedelta(days=7)
    last = term.vacation_start - _ONE_DAY
    inside = first <= ctx.on <= last
    ctx.check("transfer-window", "第二十九条", f"{first}..{last}: {inside}")
    if inside:
        return
    binding: Source | None = None
    for district in dict.fromkeys(districts):
        answer = ctx.rules.answer(
            "xueji_transfer_window_binding",
            district=district,
            on=ctx.on,
            default=False,
        )
        if answer.value:
            binding = answer.source
    text = f"转学一般应在寒、暑假放假前一周（{first}至{last}）提出申请"
    if binding is not None:
        ctx.refuse("outside-window", text, "第二十九条", binding)
    else:
        ctx.warn("outside-window", text, "第二十九条")


def _limit_problem(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10:
        return None
    return (
        "a whole number of working days from 1 to 10 (第二十九条: 一般不超过10个"
        "工作日; a district may shorten it, never lengthen it)"
    )


def _limit(ctx: Context, districts: Iterable[str]) -> int:
    """第二十九条: the processing limit; across districts the shorter one."""
    answers = ctx.rules.across(
        "xueji_transfer_processing_limit",
        districts=dict.fromkeys(districts),
        on=ctx.on,
        default=_DEFAULT_LIMIT,
        check=_limit_problem,
    )
    chosen = min(answers, key=lambda a: a.value)
    ctx.check("processing-limit", "第二十九条", chosen.value, chosen.source)
    return chosen.value


def _set_pending(
    ctx: Context,
    student: Student,
    enrollment: Enrollment,
    procedure: Procedure,
    text: str,
) -> None:
    """The provisional 转学中 of an open transfer; rolled back on rejection."""
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment, status=Status.PENDING_TRANSFER, version=enrollment.version + 1
        )
    )
    ctx.record(
        ChangeKind.TRANSFER_FILED,
        f"{text}（{procedure.id}）",
        student=student.number,
        district=enrollment.district,
        article=procedure.article,
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=Status.PENDING_TRANSFER,
        data={"procedure": procedure.id},
    )


def _restore(
    ctx: Context, procedure: Procedure, enrollment_id: str, prior: Status
) -> None:
    enrollment = ctx.uow.get_enrollment(enrollment_id)
    if enrollment is None or enrollment.status is not Status.PENDING_TRANSFER:
        return
    check_transition(Status.PENDING_TRANSFER, prior)
    rejected = procedure.state is ProcedureState.REJECTED
    ctx.uow.update_enrollment(
        attrs.evolve(enrollment, status=prior, version=enrollment.version + 1)
    )
    ctx.record(
        ChangeKind.TRANSFER_ROLLED_BACK,
        f"转学（{procedure.id}）已{'驳回' if rejected else '撤回'}，"
        f"恢复为{prior.value}",
        student=enrollment.student,
        district=enrollment.district,
        article=procedure.article,
        enrollment=enrollment.id,
        source_status=Status.PENDING_TRANSFER,
        target_status=prior,
        data={"procedure": procedure.id},
    )


def _placement(ctx: Context, procedure: Procedure, school: str) -> Placement | None:
    found = [
        value
        for _record, value in read(ctx.uow, PLACEMENT, Placement, school=school)
        if value.procedure == procedure.id
    ]
    return found[-1] if found else None


def _open_stint(
    ctx: Context,
    student: Student,
    receiving: School,
    grade: int,
    procedure: Procedure,
    *,
    article: str,
    origin: str,
) -> Enrollment:
    """The receiving school's stint from the completion date, and the
    archive re-pointed to it (籍随人走, 第二十九条)."""
    day = ctx.on
    enrollment = Enrollment(
        id=new_id("enr"),
        student=student.number,
        school=receiving.code,
        district=receiving.district,
        grade=grade,
        status=Status.ENROLLED,
        first_day=day,
        school_year=school_year_of(day),
        registered_on=day,
    )
    ctx.uow.add_enrollment(enrollment)
    ctx.record(
        ChangeKind.TRANSFERRED_IN,
        f"自{origin}转入{receiving.name}{grade_label(grade)}",
        student=student.number,
        district=receiving.district,
        article=article,
        enrollment=enrollment.id,
        target_status=Status.ENROLLED,
        data={"procedure": procedure.id, "school": receiving.code, "grade": str(grade)},
    )
    if student.district != receiving.district:
        ctx.uow.update_student(
            attrs.evolve(
                student, district=receiving.district, version=student.version + 1
            )
        )
    archive = ctx.uow.get_archive(student.number)
    ctx.uow.put_archive(
        Archive(student.number, receiving.code, day)
        if archive is None
        else attrs.evolve(archive, school=receiving.code)
    )
    return enrollment


# ---------------------------------------------------------------- records


def decide_sanction(ctx: Context, request: SanctionEntry) -> Decision:
    """处分 with its period (第三十条第（三）项; 第四十九条 leaves the rules of
    sanctions to the 市教委).  A school records its own students'."""
    student, _enrollment, school = _stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("sanction", student.number)
    if request.supersedes is not None and not any(
        record.id == request.supersedes
        for record, _v in read(ctx.uow, SANCTION, Sanction, student=student.number)
    ):
        raise InvalidInputError(
            f"sanction record {request.supersedes!r} of this student does not "
            "exist (or was already corrected); name the record to correct"
        )

    keep(
        ctx,
        SANCTION,
        Sanction(
            student.number,
            school.code,
            request.kind,
            request.first,
            request.last,
            request.reason,
            request.reference,
        ),
        district=school.district,
        on=request.first,
        until=request.last,
        student=student.number,
        school=school.code,
        supersedes=request.supersedes,
    )
    return ctx.decide("sanction", student.number)


def decide_zhongkao_score(ctx: Context, request: ZhongkaoScoreEntry) -> Decision:
    """A student's 中考 score (第二十六条第一款)."""
    student, _enrollment, school = _stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("zhongkao-score", student.number)

    keep(
        ctx,
        ZHONGKAO,
        ZhongkaoScore(student.number, request.year, request.score),
        district=school.district,
        on=ctx.on,
        student=student.number,
        school=school.code,
    )
    return ctx.decide("zhongkao-score", student.number)


def decide_cutoff(ctx: Context, request: CutoffEntry) -> Decision:
    """A school's 统一招生录取分数 (第二十六条第一款): entered by the city or
    the school's district, not by the school."""
    school = school_of(ctx, request.school)
    p = ctx.principal
    if not (
        p.role is PrincipalRole.CITY
        or (p.role is PrincipalRole.DISTRICT and p.organisation == school.district)
    ):
        _deny(ctx, f"record the admission cut-off of {school.code}", None)
    if not edition(ctx):
        return ctx.decide("admission-cutoff", None)

    earlier = [
        record
        for record, value in read(ctx.uow, CUTOFF, AdmissionCutoff, school=school.code)
        if value.year == request.year
    ]
    keep(
        ctx,
        CUTOFF,
        AdmissionCutoff(school.code, request.year, request.score),
        district=school.district,
        on=ctx.on,
        school=school.code,
        supersedes=earlier[-1].id if earlier else None,
    )
    return ctx.decide("admission-cutoff", None)


def decide_evidence(ctx: Context, request: HardshipEvidenceEntry) -> Decision:
    """The evidence of 第二十六条第一款 (严重疾病、家庭重大变故)."""
    student, _enrollment, school = _stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("hardship-evidence", student.number)
    if request.kind is HardshipKind.SERIOUS_ILLNESS and request.medical_record is None:
        ctx.missing(
            "no-medical-record", "严重疾病须有医院病历或诊断证明", "第二十六条第一款"
        )
    if request.kind is HardshipKind.FAMILY_CHANGE and not request.documents:
        ctx.missing("no-documents", "家庭重大变故须有相关证明材料", "第二十六条第一款")
    if ctx.blocked:
        return ctx.decide("hardship-evidence", student.number)

    keep(
        ctx,
        EVIDENCE,
        HardshipEvidence(
            student.number,
            school.code,
            request.kind,
            request.description,
            request.documents,
            request.medical_record,
        ),
        district=school.district,
        on=ctx.on,
        student=student.number,
        school=school.code,
    )
    return ctx.decide("hardship-evidence", student.number)


# ---------------------------------------------------------------- within Beijing


def decide_transfer(ctx: Context, request: TransferApplication) -> Decision:
    """第二十二、二十三、二十五、二十六、二十九、三十、三十四条."""
    student, enrollment, sending = _stint(ctx, request.student)
    receiving = school_of(ctx, request.to_school)
    if receiving.code == sending.code:
        raise InvalidInputError(
            f"the student already attends {sending.code}; name another school"
        )
    _require_scope(ctx, sending)
    if not edition(ctx):
        return ctx.decide("transfer", student.number)
    stage = sending.system.stage_of(enrollment.grade)
    if not receiving.offers(enrollment.grade):
        raise InvalidInputError(
            f"school {receiving.code} ({receiving.type.value}) has no "
            f"{grade_label(enrollment.grade)}; name a school of the student's stage"
        )
    districts = (sending.district, receiving.district)

    if _refuse_if_open(ctx, student.number):
        return ctx.decide("transfer", student.number)
    _check_applicant(ctx, request.applicant, stage)
    _check_status(ctx, enrollment)
    if stage.compulsory:
        _check_move(ctx, request, student, sending, districts, stage)
    else:
        _check_senior(ctx, request, student, sending, receiving)
    _check_sanctions(ctx, student.number)
    _check_other_grounds(
        ctx, districts, student.number, enrollment.grade, sending.code, receiving.code
    )
    if ctx.refused:  # the rules that need no calendar refuse first (DESIGN.md §4)
        return ctx.decide("transfer", student.number)
    _check_entry_grade(ctx, receiving, enrollment.grade)
    _check_window(ctx, stage, districts)
    limit = _limit(ctx, districts)
    if ctx.blocked:
        return ctx.decide("transfer", student.number)

    check_transition(enrollment.status, Status.PENDING_TRANSFER)
    article = "第二十三条第一款" if stage.compulsory else "第二十六条第一款"
    procedure = open_procedure(
        ctx,
        kind="transfer",
        district=sending.district,
        article=article,
        steps=_chain(sending, receiving, stage, article),
        student=student.number,
        payload=dumps(
            _TransferFile(
                request,
                enrollment.id,
                enrollment.status,
                sending.code,
                receiving.code,
                enrollment.grade,
            )
        ),
        applicant=request.applicant,
        limit_days=limit,
    )
    if procedure is None:
        return ctx.decide("transfer", student.number)
    _set_pending(ctx, student, enrollment, procedure, f"申请转学至{receiving.name}")
    return ctx.decide("transfer", student.number)


def _chain(
    sending: School, receiving: School, stage: Stage, article: str
) -> tuple[StepSpec, ...]:
    """第二十三条第一款 (and 第二十六条第一款): in one district, both schools and
    the district; across districts, both schools and both districts, filed
    with the city.  A senior transfer is filed with the city in every case."""
    steps = [
        StepSpec("转出学校核办", Role.SCHOOL, sending.code, article, Side.SENDING),
        StepSpec("转入学校核办", Role.SCHOOL, receiving.code, article, Side.RECEIVING),
    ]
    cross = sending.district != receiving.district
    if cross:
        steps += [
            StepSpec(
                "转入区教委核办",
                Role.DISTRICT,
                receiving.district,
                article,
                Side.RECEIVING,
            ),
            StepSpec(
                "转出区教委核办", Role.DISTRICT, sending.district, article, Side.SENDING
            ),
        ]
    else:
        steps.append(StepSpec("区教委核办", Role.DISTRICT, sending.district, article))
    if cross or not stage.compulsory:
        steps.append(
            StepSpec("报市教委备案", Role.CITY, CITY_CODE, article, filing=True)
        )
    return tuple(steps)


def _check_move(
    ctx: Context,
    request: TransferApplication,
    student: Student,
    sending: School,
    districts: tuple[str, str],
    stage: Stage,
) -> None:
    """第二十二条: the conditions of a compulsory transfer within the city.
    They apply to non-Beijing-hukou students too, whose admission needs the
    documents of 第二十五条 (DESIGN.md §4)."""
    reason = request.reason
    if reason in (TransferReason.HUKOU_MOVE, TransferReason.RESIDENCE_CHANGE):
        item = "一" if reason is TransferReason.HUKOU_MOVE else "二"
        article = f"第二十二条第（{item}）项"
        what = "户籍" if reason is TransferReason.HUKOU_MOVE else "实际居住地"
        served = request.new_township in sending.townships
        ctx.check("service-area", article, f"{request.new_township}: {not served}")
        if request.new_township is None:
            ctx.missing(
                "new-township",
                f"须写明新{what}所在乡镇（街道），以核对是否在原就读学校服务范围",
                article,
            )
        elif not sending.townships:
            ctx.warn(
                "service-area-unknown",
                f"{sending.name}未登记服务范围，未核对新{what}是否在其服务范围内",
                article,
            )
        elif served:
            ctx.refuse(
                "within-service-area",
                f"新{what}所在乡镇（街道）仍在原就读学校服务范围内",
                article,
            )
    else:
        _check_special_reason(ctx, request, districts)
    _check_documents(
        ctx,
        request.documents,
        districts,
        stage,
        reason.value,
        "第二十三条第一款",
    )
    if not student.local_on(ctx.on):
        receiving = school_of(ctx, request.to_school)
        _check_admission_documents(ctx, request.documents, receiving, stage)


def _check_special_reason(
    ctx: Context, request: TransferApplication, districts: tuple[str, str]
) -> None:
    """第二十二条第（三）项: 其他特殊原因确需转学的 — the districts' list."""
    article = "第二十二条第（三）项"
    stated = request.special_reason or (
        request.reason.value if request.reason is not TransferReason.SPECIAL else None
    )
    if stated is None:
        ctx.missing("special-reason", "须写明确需转学的特殊原因", article)
        return
    listed = False
    for district in dict.fromkeys(districts):
        answer = ctx.rules.answer(
            "xueji_transfer_special_reasons",
            district=district,
            on=ctx.on,
            default=None,
        )
        if answer.value is None:
            continue
        listed = True
        ok = stated in answer.value
        ctx.check("special-reason", article, f"{district}: {ok}", answer.source)
        if not ok:
            ctx.refuse(
                "special-reason",
                f"“{stated}”不属于区教委认定的其他特殊原因",
                article,
                answer.source,
            )
    if not listed:
        ctx.inform(
            "special-reason",
            f"特殊原因“{stated}”由区教委核办时认定",
            article,
        )


def _check_senior(
    ctx: Context,
    request: TransferApplication,
    student: Student,
    sending: School,
    receiving: School,
) -> None:
    """第二十六条第一款: 原则上不予转学, save serious illness or a major family
    change, with evidence; to the original school's district or the
    student's hukou or residence district; a score not below the receiving
    school's cut-off of the student's own 中考 year."""
    article = "第二十六条第一款"
    kinds = {
        TransferReason.SERIOUS_ILLNESS: HardshipKind.SERIOUS_ILLNESS,
        TransferReason.FAMILY_CHANGE: HardshipKind.FAMILY_CHANGE,
    }
    kind = kinds.get(request.reason)
    if kind is None:
        ctx.refuse(
            "senior-no-transfer",
            "本市普通高中学生原则上不予转学；确有严重疾病、家庭重大变故等特殊原因的，"
            "方可申请",
            article,
        )
        return
    evidence = [
        e
        for _r, e in read(ctx.uow, EVIDENCE, HardshipEvidence, student=student.number)
        if e.kind is kind
    ]
    ctx.check("hardship-evidence", article, len(evidence))
    if not evidence:
        ctx.missing("no-evidence", f"缺少{kind.value}的证明材料（须先登记）", article)
    allowed = {
        sending.district,
        student.hukou.district,
        student.residence_district,
        request.new_district,
    } - {None}
    ctx.check("senior-district", article, receiving.district in allowed)
    if receiving.district not in allowed:
        ctx.refuse(
            "senior-district",
            "只可转入原就读学校所在区，或跨区转入户籍或实际居住地所在区的普通高中",
            article,
        )
    _check_score(ctx, student, receiving, article)


def _check_score(
    ctx: Context, student: Student, receiving: School, article: str
) -> None:
    scores = read(ctx.uow, ZHONGKAO, ZhongkaoScore, student=student.number)
    if not scores:
        ctx.missing("no-zhongkao-score", "缺少该生的中考成绩", article)
        return
    score = scores[-1][1]
    cutoffs = [
        c
        for _r, c in read(ctx.uow, CUTOFF, AdmissionCutoff, school=receiving.code)
        if c.year == score.year
    ]
    if not cutoffs:
        ctx.missing(
            "no-cutoff",
            f"缺少{receiving.name}{score.year}年中考统一招生录取分数",
            article,
        )
        return
    cutoff = cutoffs[-1]
    ok = score.value >= cutoff.value  # 不低于 includes the bound
    ctx.check("zhongkao-cutoff", article, f"{score.score} / {cutoff.score}: {ok}")
    if not ok:
        ctx.refuse(
            "below-cutoff",
            f"中考成绩 {score.score} 低于{receiving.name}{score.year}年统一招生录取"
            f"分数 {cutoff.score}",
            article,
        )


def _transfer_complete(ctx: Context, procedure: Procedure) -> None:
    """Completion: the sending stint ends the day before; the receiving stint
    begins on the completion date, in the original grade unless the
    receiving school recorded a placement."""
    file = loads(procedure.payload, _TransferFile, source=procedure.id)
    sending = school_of(ctx, file.sending)
    receiving = school_of(ctx, file.receiving)
    enrollment = ctx.uow.get_enrollment(file.enrollment)
    student = ctx.uow.get_student(procedure.student or "")
    assert enrollment is not None
    assert student is not None
    placement = _placement(ctx, procedure, receiving.code)
    grade = file.grade if placement is None else placement.grade

    _end_stint(
        ctx, enrollment, Status.TRANSFERRED, procedure, f"转学至{receiving.name}"
    )
    _open_stint(
        ctx,
        student,
        receiving,
        grade,
        procedure,
        article="第二十三条第二款",
        origin=sending.name,
    )
    ctx.oblige(
        ObligationKind.TRANSFER_ARCHIVE,
        f"随转学籍信息和档案（籍随人走）：将学籍档案转交{receiving.name}",
        role=Role.SCHOOL,
        organisation=sending.code,
        arises=ctx.on,
        due=None,
        article="第二十九条",
        student=student.number,
        district=sending.district,
        procedure=procedure.id,
    )


def _end_stint(
    ctx: Context,
    enrollment: Enrollment,
    status: Status,
    procedure: Procedure,
    text: str,
) -> None:
    check_transition(enrollment.status, status)
    last = max(ctx.on - _ONE_DAY, enrollment.first_day)
    ctx.uow.update_enrollment(
        attrs.evolve(
            enrollment, status=status, last_day=last, version=enrollment.version + 1
        )
    )
    ctx.record(
        ChangeKind.LEFT_BEIJING
        if status is Status.LEFT_BEIJING
        else ChangeKind.TRANSFERRED_OUT,
        f"{text}（{procedure.id}），在本校学籍至 {last}",
        student=enrollment.student,
        district=enrollment.district,
        article="第二十七条" if status is Status.LEFT_BEIJING else "第二十九条",
        enrollment=enrollment.id,
        source_status=enrollment.status,
        target_status=status,
        data={"procedure": procedure.id, "last_day": last.isoformat()},
    )


def _transfer_rollback(ctx: Context, procedure: Procedure) -> None:
    file = loads(procedure.payload, _TransferFile, source=procedure.id)
    _restore(ctx, procedure, file.enrollment, file.prior)


# ---------------------------------------------------------------- placement


def decide_placement(ctx: Context, request: TransferPlacement) -> Decision:
    """插班 (第二十三条第二款, 第二十五条第二款)."""
    procedure = ctx.uow.get_procedure(request.procedure)
    if procedure is None or procedure.kind not in ("transfer", "transfer-in"):
        raise InvalidInputError(f"no transfer procedure {request.procedure!r}")
    if not procedure.state.open:
        raise InvalidInputError(
            f"transfer {procedure.id} is already {procedure.state.value}"
        )
    if procedure.kind == "transfer":
        file = loads(procedure.payload, _TransferFile, source=procedure.id)
        code, original, article = file.receiving, file.grade, "第二十三条第二款"
    else:
        inbound = loads(procedure.payload, InboundTransfer, source=procedure.id)
        code, original = inbound.to_school, inbound.grade
        article = (
            "第二十五条第二款"
            if inbound.reason is InboundReason.NON_LOCAL
            else "第二十三条第二款"
        )
    receiving = school_of(ctx, code)
    p = ctx.principal
    if not (p.role is PrincipalRole.SCHOOL and p.organisation == receiving.code):
        _deny(ctx, f"place the student of {procedure.id}", procedure.student)
    if not edition(ctx):
        return ctx.decide("transfer-placement", procedure.student)
    if not receiving.offers(request.grade):
        raise InvalidInputError(
            f"school {receiving.code} has no {grade_label(request.grade)}"
        )
    if request.grade != original and not request.evidence:
        ctx.missing(
            "no-evidence",
            f"不按原就读年级（{grade_label(original)}）插班的，须有学业水平的依据",
            article,
        )
    if ctx.blocked:
        return ctx.decide("transfer-placement", procedure.student)

    keep(
        ctx,
        PLACEMENT,
        Placement(
            procedure.id,
            receiving.code,
            request.grade,
            original,
            request.evidence,
            request.note,
        ),
        district=receiving.district,
        on=ctx.on,
        student=procedure.student,
        school=receiving.code,
    )
    basis = "按原就读年级" if request.grade == original else "按学业水平"
    ctx.inform(
        "placement",
        f"{basis}安排{grade_label(request.grade)}，转学办结时生效",
        article,
    )
    return ctx.decide("transfer-placement", procedure.student)


# ---------------------------------------------------------------- from outside


def decide_inbound(ctx: Context, request: InboundTransfer) -> Decision:
    """第二十四、二十五条; 第二十六条第二、三款."""
    receiving = school_of(ctx, request.to_school)
    _require_scope(ctx, receiving)
    if not edition(ctx):
        return ctx.decide("transfer-in", None)
    if not receiving.offers(request.grade):
        raise InvalidInputError(
            f"school {receiving.code} ({receiving.type.value}) has no "
            f"{grade_label(request.grade)}"
        )
    stage = receiving.system.stage_of(request.grade)
    particulars = request.student
    local = particulars.hukou.beijing or any(
        t.holds_on(ctx.on) for t in particulars.treated_as_local
    )
    if (request.reason is InboundReason.NON_LOCAL) == local:
        raise InvalidInputError(
            f"reason {request.reason.value} does not fit the student's hukou "
            f"({'本市' if local else '非本市'}); correct one of them"
        )
    existing = _existing(ctx, particulars)
    if existing is not None and _refuse_if_open(ctx, existing.number):
        return ctx.decide("transfer-in", existing.number)
    if _pending_inbound(ctx, particulars):
        return ctx.decide("transfer-in", None)

    _check_applicant(ctx, request.applicant, stage)
    article = _check_inbound_conditions(ctx, request, receiving, stage)
    if existing is not None:
        _check_sanctions(ctx, existing.number)
    _check_other_grounds(
        ctx,
        (receiving.district,),
        existing.number if existing else "",
        request.grade,
        None,
        receiving.code,
    )
    number = existing.number if existing else None
    if ctx.refused:
        return ctx.decide("transfer-in", number)
    _check_entry_grade(ctx, receiving, request.grade)
    _check_window(ctx, stage, (receiving.district,))
    limit = _limit(ctx, (receiving.district,))
    if ctx.blocked:
        return ctx.decide("transfer-in", number)

    steps = [
        StepSpec("转入学校核办", Role.SCHOOL, receiving.code, article, Side.RECEIVING),
        StepSpec(
            "区教委核办", Role.DISTRICT, receiving.district, article, Side.RECEIVING
        ),
    ]
    if not stage.compulsory:
        steps.append(
            StepSpec(
                "报市教委备案", Role.CITY, CITY_CODE, "第二十六条第一款", filing=True
            )
        )
    open_procedure(
        ctx,
        kind="transfer-in",
        district=receiving.district,
        article=article,
        steps=steps,
        student=number,
        payload=dumps(request),
        applicant=request.applicant,
        limit_days=limit,
    )
    return ctx.decide("transfer-in", number)


def _existing(ctx: Context, particulars: StudentParticulars) -> Student | None:
    """One person, one 学籍号: a student known from an earlier stint keeps the
    number; one holding an active 学籍 transfers within the city instead."""
    if particulars.id_number is None:
        return None
    parsed = parse_id_number(particulars.id_number, on=ctx.on).number
    if parsed.birth_date != particulars.birth_date:
        raise InvalidInputError(
            f"birth date {particulars.birth_date} does not match the ID number "
            f"{parsed.masked()}; correct one of them"
        )
    existing = ctx.uow.student_by_id_number(parsed.value)
    if existing is None:
        return None
    if any(e.status.active for e in ctx.uow.enrollments_of(existing.number)):
        ctx.refuse(
            "already-enrolled",
            "该学生已在本市具有在籍学籍，应按本市内转学办理（第二十二、二十三条）",
            "第十七条第二款",
        )
    return existing


def _pending_inbound(ctx: Context, particulars: StudentParticulars) -> bool:
    """An open transfer from outside Beijing for the same ID number."""
    if particulars.id_number is None:
        return False
    for procedure in ctx.uow.procedures(open_only=True):
        if procedure.kind != "transfer-in" or procedure.student is not None:
            continue
        filed = json.loads(procedure.payload).get("student", {}).get("id_number")
        if filed == particulars.id_number:
            ctx.refuse(
                "open-procedure",
                f"该学生已有未办结的{kind_name(procedure.kind)}（{procedure.id}，"
                f"{procedure.filed_on}提出）；办结或撤回后方可再行申请",
                procedure.article,
            )
            return True
    return False


def _check_inbound_conditions(
    ctx: Context, request: InboundTransfer, receiving: School, stage: Stage
) -> str:
    """The conditions of each case; returns the article the procedure
    cites."""
    particulars = request.student
    home = {particulars.hukou.district, particulars.residence_district} - {None}
    if stage.compulsory and request.reason is InboundReason.NON_LOCAL:
        article = "第二十五条第一款"
        _check_admission_documents(ctx, request.documents, receiving, stage)
        ok = particulars.residence_district == receiving.district
        ctx.check("residence-district", article, ok)
        if not ok:
            ctx.refuse(
                "residence-district",
                "非本市户籍学生应到居住地所在区教委确定的学校联系就读",
                article,
            )
        return article
    if stage.compulsory:
        # 第二十四条 lists 本市户籍在其他省就读 and 从境外到本市落户; a Beijing
        # student coming back from abroad is read as the same case.
        article = "第二十四条"
        _check_documents(
            ctx,
            request.documents,
            (receiving.district,),
            stage,
            request.reason.value,
            article,
        )
        return article
    if request.reason is InboundReason.NON_LOCAL:
        ctx.refuse(
            "senior-non-local",
            "本市普通高中学生原则上不予转学；非本市户籍学生转入本市普通高中，本办法"
            "未规定可以办理",
            "第二十六条第一款",
        )
        return "第二十六条第一款"
    article = "第二十六条第三款" if request.reason.abroad else "第二十六条第二款"
    required = (
        ("境外原就读高中录取证明材料", "已修高中阶段学业情况相关材料")
        if request.reason.abroad
        else ("原就读普通高中录取证明材料", "学籍档案相关材料")
    )
    for document in required:
        if document not in request.documents:
            ctx.missing("missing-document", f"缺少转学材料：{document}", article)
    _check_documents(
        ctx,
        request.documents,
        (receiving.district,),
        stage,
        request.reason.value,
        article,
    )
    if not request.reason.abroad and request.zhongkao_score is None:
        ctx.missing(
            "no-zhongkao-score", "须提供学生在转出地的中考成绩", "第二十六条第二款"
        )
    ok = receiving.district in home
    ctx.check("senior-district", article, ok)
    if not ok:
        ctx.refuse(
            "senior-district",
            "只可转入户籍或实际居住地所在区相对应的普通高中",
            article,
        )
    if request.zhongkao_score is not None:
        ctx.inform(
            "zhongkao-correspondence",
            f"转出地中考成绩 {request.zhongkao_score}：相对应的普通高中由区教委核办时"
            "认定",
            "第二十六条第二款",
        )
    return article


def _inbound_complete(ctx: Context, procedure: Procedure) -> None:
    request = loads(procedure.payload, InboundTransfer, source=procedure.id)
    receiving = school_of(ctx, request.to_school)
    placement = _placement(ctx, procedure, receiving.code)
    grade = request.grade if placement is None else placement.grade
    student = (
        ctx.uow.get_student(procedure.student)
        if procedure.student is not None
        else None
    ) or _new_student(ctx, request, receiving)
    if procedure.student is None:
        # The person is new to the register: the procedure names its
        # student from now on, so its decisions and history find it.
        stored = ctx.uow.get_procedure(procedure.id) or procedure
        ctx.uow.update_procedure(
            attrs.evolve(stored, student=student.number, version=stored.version + 1)
        )

    article = (
        "第二十五条第一款"
        if request.reason is InboundReason.NON_LOCAL
        else "第二十四条"
        if receiving.system.stage_of(request.grade).compulsory
        else "第二十六条第三款"
        if request.reason.abroad
        else "第二十六条第二款"
    )
    _open_stint(
        ctx,
        student,
        receiving,
        grade,
        procedure,
        article=article,
        origin=request.origin,
    )


def _new_student(ctx: Context, request: InboundTransfer, school: School) -> Student:
    """第十七条第二款: a person new to the register gets a 学籍号 as at
    admission."""
    p = request.student
    parsed = (
        None if p.id_number is None else parse_id_number(p.id_number, on=ctx.on).number
    )
    return issue_student(ctx, p, school, parsed)


# ---------------------------------------------------------------- out of Beijing


def decide_transfer_out(ctx: Context, request: TransferOutOfBeijing) -> Decision:
    """第二十七条: 需学生本人及其父母或其他法定监护人向就读学校提出申请，由就读
    学校、区教委核办."""
    student, enrollment, school = _stint(ctx, request.student)
    _require_scope(ctx, school)
    if not edition(ctx):
        return ctx.decide("transfer-out", student.number)
    stage = school.system.stage_of(enrollment.grade)

    if _refuse_if_open(ctx, student.number):
        return ctx.decide("transfer-out", student.number)
    if request.applicant.kind is not ApplicantKind.GUARDIAN_AND_STUDENT:
        ctx.missing(
            "student-and-guardian",
            "转出到外省市须由学生本人及其父母或其他法定监护人提出申请",
            "第二十七条",
        )
    _check_status(ctx, enrollment)
    _check_sanctions(ctx, student.number)
    _check_other_grounds(
        ctx,
        (school.district,),
        student.number,
        enrollment.grade,
        school.code,
        request.destination,
    )
    if ctx.refused:
        return ctx.decide("transfer-out", student.number)
    _check_window(ctx, stage, (school.district,))
    limit = _limit(ctx, (school.district,))
    if ctx.blocked:
        return ctx.decide("transfer-out", student.number)

    check_transition(enrollment.status, Status.PENDING_TRANSFER)
    procedure = open_procedure(
        ctx,
        kind="transfer-out",
        district=school.district,
        article="第二十七条",
        steps=(
            StepSpec(
                "就读学校核办", Role.SCHOOL, school.code, "第二十七条", Side.SENDING
            ),
            StepSpec(
                "区教委核办", Role.DISTRICT, school.district, "第二十七条", Side.SENDING
            ),
        ),
        student=student.number,
        payload=dumps(_OutFile(request, enrollment.id, enrollment.status)),
        applicant=request.applicant,
        limit_days=limit,
    )
    if procedure is None:
        return ctx.decide("transfer-out", student.number)
    _set_pending(
        ctx,
        student,
        enrollment,
        procedure,
        f"申请转出到外省市（{request.destination}）",
    )
    return ctx.decide("transfer-out", student.number)


def _out_complete(ctx: Context, procedure: Procedure) -> None:
    file = loads(procedure.payload, _OutFile, source=procedure.id)
    enrollment = ctx.uow.get_enrollment(file.enrollment)
    assert enrollment is not None
    school = school_of(ctx, enrollment.school)
    _end_stint(
        ctx,
        enrollment,
        Status.LEFT_BEIJING,
        procedure,
        f"转出到外省市（{file.request.destination}）",
    )
    ctx.oblige(
        ObligationKind.PROVIDE_ARCHIVE_MATERIALS,
        "为转往外省市的学生申请毕业证书提供学籍档案相关材料",
        role=Role.SCHOOL,
        organisation=school.code,
        arises=ctx.on,
        due=None,
        article="第二十七条",
        student=enrollment.student,
        district=school.district,
        procedure=procedure.id,
    )


def _out_rollback(ctx: Context, procedure: Procedure) -> None:
    file = loads(procedure.payload, _OutFile, source=procedure.id)
    _restore(ctx, procedure, file.enrollment, file.prior)


# ---------------------------------------------------------------- 第二十八条


def decide_training_selection(ctx: Context, request: TrainingSelection) -> Decision:
    """第二十八条: the organisation 按照有关规定到教育行政部门办理相应手续 —
    the district records the selection with the documents its rules ask."""
    student, _enrollment, school = _stint(ctx, request.student)
    p = ctx.principal
    if not (
        p.role is PrincipalRole.CITY
        or (p.role is PrincipalRole.DISTRICT and p.organisation == school.district)
    ):
        _deny(ctx, "record a training selection", student.number)
    if not edition(ctx):
        return ctx.decide("training-selection", student.number)
    held = set(request.documents)
    for source, documents in ctx.rules.combined(
        "xueji_training_selection_documents", district=school.district, on=ctx.on
    ):
        for document in documents:
            if document not in held:
                ctx.missing(
                    "missing-document", f"缺少材料：{document}", "第二十八条", source
                )
    if ctx.blocked:
        return ctx.decide("training-selection", student.number)

    keep(
        ctx,
        SELECTION,
        request,
        district=school.district,
        on=ctx.on,
        student=student.number,
        school=school.code,
    )
    ctx.record(
        ChangeKind.TRAINING_SELECTION,
        f"{request.organisation}选调进行专业训练（{request.approval}）",
        student=student.number,
        district=school.district,
        article="第二十八条",
        data={"organisation": request.organisation, "approval": request.approval},
    )
    ctx.inform(
        "delegated",
        "学籍按照有关规定办理；本办法未规定选调学生的学籍变动",
        "第二十八条",
        MUNICIPAL,
    )
    return ctx.decide("training-selection", student.number)


def _register() -> None:
    from xueji._registry import register_request

    _register_kind(
        "transfer",
        ProcedureKind(
            "转学", on_complete=_transfer_complete, on_rollback=_transfer_rollback
        ),
    )
    _register_kind(
        "transfer-in", ProcedureKind("外省市及境外转入", on_complete=_inbound_complete)
    )
    _register_kind(
        "transfer-out",
        ProcedureKind(
            "转出到外省市", on_complete=_out_complete, on_rollback=_out_rollback
        ),
    )
    register_request("transfer", TransferApplication, decide_transfer)
    register_request("transfer-in", InboundTransfer, decide_inbound)
    register_request("transfer-out", TransferOutOfBeijing, decide_transfer_out)
    register_request("transfer-placement", TransferPlacement, decide_placement)
    register_request("training-selection", TrainingSelection, decide_training_selection)
    register_request("sanction", SanctionEntry, decide_sanction)
    register_request("zhongkao-score", ZhongkaoScoreEntry, decide_zhongkao_score)
    register_request("admission-cutoff", CutoffEntry, decide_cutoff)
    register_request("hardship-evidence", HardshipEvidenceEntry, decide_evidence)


_register()
