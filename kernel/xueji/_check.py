"""The term check (第四十三条) and the compliance report (第四十六、四十七条).

区教委和学校应建立信息核查工作机制，每学期核查一次学籍信息变动情况.  The
check of a school, a district or the city as of a date lists the 学籍变动
recorded since the scope's last check and finds, each with its article:

- organisations without a registrar (第四十二条第二款);
- archives not set up in time (第十七条第一款) and other obligations open
  past their due date — the truancy duties among them (第十六条第二款,
  第二十条第二款, 第三十五条第二款) — each under the article that set it;
- procedures past their due date (the article of the step that waits);
- students holding two active stints outside the special-education case
  (第十二条第二款);
- compulsory students aged eighteen or more still enrolled (第三十六条第一款);
- suspensions and deferrals whose period has ended but whose status stands
  (第三十五条第二款, 第十一条第二款);
- temporary L numbers still waiting for a national number (第十七条第二款);
- since the last check: changes a school entered late (第四十三条, 及时 =
  by the next working day), stints opened without an admission or transfer
  record (第五条), archives left at the old school after a transfer
  (第二十九条), and refused attempts to export data (第四十四条).

The check is one pass over the enrollments of each school in scope, plus one
read each of the obligations, open procedures, registrars, records and the
events since the last check.  Student records are read only where a rule
needs one: a compulsory student whose 学籍号 puts the age at sixteen or more
(every kind of 学籍号 carries the birth date; the record decides), a student
whose ID number was corrected since the last check, a stint whose opening
record predates the window, and a transfer in the window.

The compliance report maps the findings to the eight items of 第四十七条 for
each school and to the district's duties under 第四十六条; items the register
cannot judge are listed for manual inspection, with the reason.
"""

from __future__ import annotations

__all__ = [
    "CHECK",
    "Assessment",
    "ChangeLine",
    "CheckRecord",
    "CheckReport",
    "ComplianceItem",
    "ComplianceReport",
    "Finding",
    "Scope",
    "ScopeKind",
    "Survey",
    "compliance_of",
    "last_check",
    "reached_age",
    "resolve_scope",
    "survey",
]

import csv
import enum
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone

import attrs

from xueji._articles import cite
from xueji._calendar import CalendarBook
from xueji._decisions import ObligationKind
from xueji._disclosure import EXPORT_REFUSED, ExportLog
from xueji._errors import UnknownOrganisationError
from xueji._masking import mask_student_number, redact
from xueji._orgs import CITY_CODE, School
from xueji._oversight import Registrar, registrars_by_organisation, registrars_of
from xueji._procedures import Procedure, Record
from xueji._records import current
from xueji._register import ChangeKind, Enrollment, EnrollmentBasis, StatusChange
from xueji._rules import Rules, timely_due
from xueji._serialize import loads
from xueji._status import Status
from xueji._storage import UnitOfWork
from xueji._workflow import kind_name

CHECK = "term-check"
"""The record kind of a term check."""

_BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_ARCHIVE_DUTIES = {ObligationKind.BUILD_ARCHIVE, ObligationKind.BUILD_PERSONAL_FILE}
_TRUANCY_DUTIES = {
    ObligationKind.URGE_ENROLLMENT,
    ObligationKind.ORDER_ENROLLMENT,
    ObligationKind.URGE_RETURN,
    ObligationKind.ORDER_RETURN,
}
# Procedure records written when a chain completes are dated to the step
# that acted, not to the day they are written: they are not late entries.
_DATED_BY_STEP = {ChangeKind.APPROVED, ChangeKind.FILED}


class ScopeKind(enum.Enum):
    SCHOOL = "school"
    DISTRICT = "district"
    CITY = "city"

    @property
    def label(self) -> str:
        return {"school": "学校", "district": "区", "city": "全市"}[self.value]


@attrs.frozen
class Scope:
    """What a check covers: one school, one district's schools, or all."""

    kind: ScopeKind
    code: str
    district: str | None  # None for the city
    schools: tuple[School, ...]


def resolve_scope(uow: UnitOfWork, code: str) -> Scope:
    """The scope named by a school code, a district code or ``110000``."""
    if code == CITY_CODE:
        return Scope(ScopeKind.CITY, code, None, tuple(uow.schools()))
    school = uow.get_school(code)
    if school is not None:
        return Scope(ScopeKind.SCHOOL, code, school.district, (school,))
    if uow.get_district(code) is not None:
        return Scope(ScopeKind.DISTRICT, code, code, tuple(uow.schools(code)))
    raise UnknownOrganisationError(
        f"{code!r} is neither a school, a district nor the city (110000); the "
        "term check covers one of those (第四十三条)"
    )


def reached_age(birth: date, years: int, on: date) -> bool:
    """年满N周岁 on ``on`` (DESIGN.md §4): reached on the N-th birthday; a
    29 February birthday is reached on 1 March in common years."""
    year = birth.year + years
    try:
        birthday = birth.replace(year=year)
    except ValueError:
        birthday = date(year, 3, 1)
    return on >= birthday


def _birth_in_number(number: str) -> date | None:
    """Characters 8 to 15 of every kind of 学籍号 are the birth date."""
    try:
        return date.fromisoformat(number[7:15]) if len(number) == 19 else None
    except ValueError:
        return None


def _local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_BEIJING).date()


# ------------------------------------------------------------ values


@attrs.frozen
class Finding:
    """One thing the check found, with the article it falls under and the
    organisation that must act.  ``student`` is the masked 学籍号;
    ``subject`` names the obligation, procedure, stint, event or record that
    shows it; ``registrars`` are the organisation's registrars on the day
    of the check (第四十二条第二款)."""

    code: str
    article: str
    text: str
    organisation: str
    student: str | None = None
    subject: str | None = None
    due: date | None = None
    registrars: tuple[str, ...] = ()


@attrs.frozen
class ChangeLine:
    """A 学籍变动 recorded since the last check, as shown (masked)."""

    recorded_at: datetime
    on: date
    student: str
    kind: ChangeKind
    article: str
    summary: str
    actor: str


@attrs.frozen
class CheckRecord:
    """What the register keeps of a term check (a record of kind
    ``term-check``): enough to know when the next check's window starts."""

    scope: str
    as_of: date
    run_at: datetime
    principal: str
    since: datetime | None
    stints: int
    changes: int
    findings: tuple[tuple[str, int], ...]


_CSV_HEADER = (
    "代码",
    "条款",
    "责任单位",
    "学籍号",
    "事项",
    "期限",
    "说明",
    "学籍管理员",
)


@attrs.frozen
class CheckReport:
    """The term check of one scope as of a date (第四十三条).

    Print :meth:`text`; for JSON use ``xueji.unstructure(report)``; for CSV
    (the findings, one per row) :meth:`csv`.  Nothing in it is unmasked."""

    scope: str
    scope_kind: ScopeKind
    as_of: date
    run_at: datetime
    principal: str
    since: datetime | None
    schools: tuple[str, ...]
    districts: tuple[str, ...]
    stints: int
    changes: tuple[ChangeLine, ...]
    findings: tuple[Finding, ...]
    record: str | None = None  # the term-check record, when one was kept

    def counts(self) -> dict[str, int]:
        """Findings by code."""
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    def text(self) -> str:
        """The human report, in Chinese."""
        last = self.since.isoformat(timespec="minutes") if self.since else "首次核查"
        lines = [
            "学籍信息核查报告（第四十三条）",
            f"范围：{self.scope_kind.label} {self.scope}　核查日期：{self.as_of}",
            f"核查人：{self.principal}　上次核查：{last}",
            f"学校 {len(self.schools)} 所，在籍学籍 {self.stints} 个",
            "",
            f"一、学籍变动（自上次核查）：{len(self.changes)} 条",
        ]
        lines += [
            f"  {c.on}  {c.student}  {c.kind.value}  {c.summary}（{c.article}）"
            for c in self.changes
        ]
        lines += ["", f"二、发现问题：{len(self.findings)} 项"]
        lines += [f"  {code}：{n}" for code, n in self.counts().items()]
        for f in self.findings:
            who = "、".join(f.registrars) or "（未设）"
            student = f"  {f.student}" if f.student else ""
            due = f"（期限 {f.due}）" if f.due else ""
            lines.append(
                f"  [{f.code}] {f.article}  {f.organisation}{student}  "
                f"{f.text}{due}  学籍管理员：{who}"
            )
        return redact("\n".join(lines) + "\n")

    def csv(self) -> str:
        """The findings as CSV, one per row, with a Chinese header."""
        stream = io.StringIO(newline="")
        writer = csv.writer(stream)
        writer.writerow(_CSV_HEADER)
        for f in self.findings:
            writer.writerow(
                (
                    f.code,
                    f.article,
                    f.organisation,
                    f.student or "",
                    f.subject or "",
                    f.due.isoformat() if f.due else "",
                    f.text,
                    "、".join(f.registrars),
                )
            )
        return redact(stream.getvalue())

    def compliance(self) -> ComplianceReport:
        """The findings as the compliance report of 第四十六、四十七条."""
        return compliance_of(self)


# ------------------------------------------------------------ the pass


def last_check(uow: UnitOfWork, scope: Scope) -> CheckRecord | None:
    """The latest recorded term check of exactly this scope."""
    district = scope.district if scope.district is not None else CITY_CODE
    school = scope.code if scope.kind is ScopeKind.SCHOOL else None
    found = [
        loads(r.data, CheckRecord, source=r.id)
        for r in current(uow.records(CHECK, district=district))
        if r.school == school
    ]
    found = [c for c in found if c.scope == scope.code]
    return max(found, key=lambda c: c.run_at) if found else None


class _Pass:
    """The state of one check while it runs."""

    def __init__(
        self,
        uow: UnitOfWork,
        calendars: CalendarBook,
        rules: Rules,
        scope: Scope,
        as_of: date,
        since: CheckRecord | None,
    ) -> None:
        self.uow = uow
        self.calendars = calendars
        self.rules = rules
        self.timely: dict[tuple[str, date], int] = {}
        self.scope = scope
        self.as_of = as_of
        self.since = since
        self.codes = {s.code for s in scope.schools}
        self.findings: list[Finding] = []
        self.stints: dict[str, Enrollment] = {}
        self.students: set[str] = set()
        self.active: dict[str, list[Enrollment]] = defaultdict(list)
        self.older: list[Enrollment] = []  # compulsory, 16 or more by number
        self.registrars = registrars_by_organisation(
            uow, as_of, district=scope.district
        )

    # -- helpers

    def names(self, organisation: str) -> tuple[str, ...]:
        if organisation not in self.registrars:
            self.registrars[organisation] = registrars_of(
                self.uow, organisation, self.as_of
            )
        found: list[Registrar] = self.registrars[organisation]
        return tuple(r.name for r in found)

    def find(
        self,
        code: str,
        article: str,
        text: str,
        organisation: str,
        *,
        student: str | None = None,
        subject: str | None = None,
        due: date | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                code=code,
                article=article,
                text=redact(text),
                organisation=organisation,
                student=None if student is None else mask_student_number(student),
                subject=subject,
                due=due,
                registrars=self.names(organisation),
            )
        )

    def in_scope(self, *organisations: str) -> bool:
        return self.scope.kind is ScopeKind.CITY or any(
            o in self.codes or o == self.scope.code for o in organisations
        )

    # -- the pass over enrollments

    def enrollments(self) -> None:
        for school in self.scope.schools:
            for stint in self.uow.enrollments_at(school.code):
                self.stints[stint.id] = stint
                self.students.add(stint.student)
                if stint.status.active and stint.active_on(self.as_of):
                    self.active[stint.student].append(stint)
                    self.stint(school, stint)

    def stint(self, school: School, stint: Enrollment) -> None:
        until = stint.status_until
        if (
            stint.status is Status.SUSPENDED
            and until is not None
            and until < self.as_of
        ):
            self.find(
                "suspension-lapsed",
                "第三十五条第二款",
                f"休学期满（{until}）未复学、未申请延长，仍登记为休学：期满未复学的"
                "按旷课处理，学校应督促复学",
                school.code,
                student=stint.student,
                subject=stint.id,
                due=until,
            )
        if stint.status is Status.DEFERRED and until is not None and until < self.as_of:
            self.find(
                "deferral-lapsed",
                "第十一条第二款",
                f"缓学期满（{until}）仍登记为缓学：缓学不自动延续，仍不能就学的应当"
                "重新提出申请",
                school.code,
                student=stint.student,
                subject=stint.id,
                due=until,
            )
        if stint.student.startswith("L"):
            self.find(
                "temporary-number",
                "第十七条第二款",
                "临时学籍号，尚待全国中小学生学籍信息管理系统赋号",
                stint.district,
                student=stint.student,
                subject=stint.id,
            )
        if school.system.stage_of(stint.grade).compulsory:
            born = _birth_in_number(stint.student)
            if born is None or reached_age(born, 16, self.as_of):
                self.older.append(stint)

    def ages(self, corrected: set[str]) -> None:
        """第三十六条第一款, on the birth date of record."""
        seen = {s.id for s in self.older}
        schools = {s.code: s for s in self.scope.schools}
        for number in corrected:
            for stint in self.active.get(number, []):
                system = schools[stint.school].system
                compulsory = system.stage_of(stint.grade).compulsory
                if compulsory and stint.id not in seen:
                    self.older.append(stint)
        for stint in self.older:
            student = self.uow.get_student(stint.student)
            if student is None or not reached_age(student.birth_date, 18, self.as_of):
                continue
            self.find(
                "adult-compulsory",
                "第三十六条第一款",
                "义务教育阶段学生已年满十八周岁仍在籍：不宜在校继续学习的，应办理退学"
                "手续",
                stint.school,
                student=stint.student,
                subject=stint.id,
            )

    def concurrent(self) -> None:
        """One active 学籍 per person; 第十二条第二款 is the only exception."""
        for number, stints in self.active.items():
            if self.scope.kind is ScopeKind.SCHOOL:
                stints = [
                    e
                    for e in self.uow.enrollments_of(number)
                    if e.status.active and e.active_on(self.as_of)
                ]
            if len(stints) < 2:
                continue
            dual = any(
                e.basis is EnrollmentBasis.SPECIAL_EDUCATION_DUAL for e in stints
            )
            if len(stints) == 2 and dual:
                continue
            latest = max(stints, key=lambda e: (e.first_day, e.id))
            self.find(
                "two-active-stints",
                "第十二条第二款",
                f"同一学生同时具有{len(stints)}个在籍学籍，不属于特殊教育学校与就近入学"
                "学校双学籍的情形（一人一号，仅此情形可同时具有两个学籍）",
                latest.school,
                student=number,
                subject=",".join(sorted(e.id for e in stints)),
            )

    # -- duties and procedures

    def obligations(self) -> None:
        if self.scope.kind is ScopeKind.SCHOOL:
            items = self.uow.obligations(organisation=self.scope.code, open_only=True)
        else:
            items = self.uow.obligations(district=self.scope.district, open_only=True)
        for item in items:
            duty = item.obligation
            if duty.kind is ObligationKind.ACT_ON_STEP:
                continue  # a procedure step: found with its procedure
            if duty.due is None or duty.due >= self.as_of or duty.arises > self.as_of:
                continue
            if duty.kind in _ARCHIVE_DUTIES:
                code = "archive-overdue"
            elif duty.kind is ObligationKind.TRANSFER_ARCHIVE:
                code = "archive-transfer-overdue"
            elif duty.kind is ObligationKind.INFORM_TOWNSHIP:
                code = "township-not-informed"
            elif duty.kind in _TRUANCY_DUTIES:
                code = "truancy-duty-overdue"
            else:
                code = "obligation-overdue"
            self.find(
                code,
                duty.article,
                f"{duty.text}：应于 {duty.due} 前完成，逾期未办",
                duty.organisation,
                student=duty.student,
                subject=item.id,
                due=duty.due,
            )

    def procedures(self) -> None:
        for procedure in self.uow.procedures(open_only=True):
            step = procedure.current
            if step is None or procedure.due is None or procedure.filed_on > self.as_of:
                continue
            if not self._involved(procedure):
                continue
            if procedure.due >= self.as_of:
                continue
            self.find(
                "procedure-overdue",
                step.article,
                f"{kind_name(procedure.kind)}（{procedure.id}）待{step.name}，"
                f"办理时限 {procedure.due} 已过",
                step.organisation,
                student=procedure.student,
                subject=procedure.id,
                due=procedure.due,
            )

    def _involved(self, procedure: Procedure) -> bool:
        if self.scope.kind is ScopeKind.CITY:
            return True
        if (
            self.scope.kind is ScopeKind.DISTRICT
            and procedure.district == self.scope.code
        ):
            return True
        return self.in_scope(*(s.organisation for s in procedure.steps))

    def registrars_missing(self) -> None:
        """第四十二条第二款: every school and education authority in scope."""
        organisations = sorted(self.codes)
        if self.scope.kind is ScopeKind.DISTRICT:
            organisations.append(self.scope.code)
        if self.scope.kind is ScopeKind.CITY:
            organisations += [d.code for d in self.uow.districts()] + [CITY_CODE]
        for code in organisations:
            if not self.names(code):
                self.find(
                    "registrar-missing",
                    "第四十二条第二款",
                    "未设学籍管理员（各级教育行政部门和学校应设学籍管理员，专人负责"
                    "学籍管理工作）",
                    code,
                )

    # -- since the last check

    def window(self) -> list[StatusChange]:
        since = self.since.run_at if self.since is not None else None
        events = self.uow.events_since(self.scope.district, since)
        return sorted(events, key=lambda e: (e.recorded_at, e.on, e.id))

    def scoped(self, events: Iterable[StatusChange]) -> list[StatusChange]:
        if self.scope.kind is not ScopeKind.SCHOOL:
            return list(events)
        return [
            e
            for e in events
            if e.enrollment in self.stints or e.student in self.students
        ]

    def days(self, event: StatusChange) -> int:
        """及时 for updating the records in the event's district."""
        key = (event.district, event.on)
        if key not in self.timely:
            days = self.rules.timely_days(event.district, "update-records", event.on)
            self.timely[key] = days.value
        return self.timely[key]

    def late_entries(self, events: list[StatusChange]) -> None:
        """第四十三条 (及时更新): a change a school entered later than 及时
        allows after the day it took effect — by the next working day, or
        sooner where the district's rules say so (``xueji_timely_days``,
        duty ``update-records``)."""
        working_days = self.calendars.working_days
        for event in events:
            if event.on > self.as_of or event.kind in _DATED_BY_STEP:
                continue
            role, _, rest = event.actor.partition(":")
            if role != "school":
                continue
            entered = _local_day(event.recorded_at)
            deadline = timely_due(working_days, event.on, self.days(event))
            if entered <= deadline:
                continue
            stint = self.stints.get(event.enrollment or "")
            self.find(
                "change-entered-late",
                "第四十三条",
                f"{event.on} 的学籍变动（{event.kind.value}：{event.summary}）于 "
                f"{entered} 才录入，应及时录入（至 {deadline}）",
                stint.school if stint is not None else rest.partition(":")[0],
                student=event.student,
                subject=event.id,
                due=deadline,
            )

    def unopened(self, events: list[StatusChange]) -> None:
        """第五条: every stint is opened by an admission or a move into an
        active status recorded in the 学籍变动 log."""
        opened = {e.enrollment for e in events if e.enrollment and _opens(e)}
        first = self.since.as_of if self.since is not None else None
        for stint in self.stints.values():
            if stint.first_day > self.as_of or stint.id in opened:
                continue
            if first is not None and stint.first_day <= first:
                continue
            if self._opened_earlier(stint):
                continue
            self.find(
                "stint-without-procedure",
                "第五条",
                "该学籍无录取建籍或转入记录：学籍建立及变动均需通过学籍信息管理系统"
                "完成，接收学生应办理入学或转学手续",
                stint.school,
                student=stint.student,
                subject=stint.id,
            )

    def _opened_earlier(self, stint: Enrollment) -> bool:
        """The opening may predate the window, or sit under another
        district's code (a transfer between districts)."""
        student = self.uow.get_student(stint.student)
        numbers = (
            (stint.student,)
            if student is None
            else (
                student.number,
                *student.aliases,
            )
        )
        return any(
            e.enrollment == stint.id and _opens(e)
            for n in numbers
            for e in self.uow.events_of(n)
        )

    def archives(self, events: list[StatusChange]) -> None:
        """第二十九条 (籍随人走): after a transfer the archive follows."""
        for event in events:
            if event.target_status is not Status.TRANSFERRED:
                continue
            due = self.calendars.working_days.add_working_days(event.on, 1)
            if self.as_of <= due:
                continue
            student = self.uow.get_student(event.student)
            if student is None:
                continue
            archive = self.uow.get_archive(student.number)
            if archive is None:
                continue
            now = [
                e
                for e in self.uow.enrollments_of(student.number)
                if e.status.active and e.active_on(self.as_of)
            ]
            if not now or any(e.school == archive.school for e in now):
                continue
            if not self.in_scope(archive.school, *(e.school for e in now)):
                continue
            self.find(
                "archive-not-transferred",
                "第二十九条",
                f"转学已于 {event.on} 办结，学籍档案仍在原学校，未随转至"
                f"{'、'.join(e.school for e in now)}（籍随人走）",
                archive.school,
                student=student.number,
                subject=event.id,
                due=due,
            )

    def corrected(self, events: list[StatusChange]) -> set[str]:
        return {e.student for e in events if e.kind is ChangeKind.ID_CORRECTED}

    def refused_exports(self) -> None:
        """第四十四条: refused attempts since the last check."""
        since = self.since.run_at if self.since is not None else None
        school = self.scope.code if self.scope.kind is ScopeKind.SCHOOL else None
        records: list[Record] = self.uow.records(
            EXPORT_REFUSED, district=self.scope.district, school=school
        )
        for record in records:
            if since is not None and (
                record.recorded_at is None or record.recorded_at <= since
            ):
                continue
            attempt = loads(record.data, ExportLog, source=record.id)
            by = attempt.principal.split(":")
            self.find(
                "export-refused",
                "第四十四条",
                f"{record.on} 未经学籍主管部门书面批准试图向{attempt.export.recipient}"
                f"提供{attempt.export.school}的学籍信息（{'、'.join(attempt.refusals)}），"
                "已拒绝",
                by[1] if len(by) == 3 else attempt.principal,
                subject=record.id,
            )


def _opens(event: StatusChange) -> bool:
    return event.kind is ChangeKind.ADMITTED or (
        event.target_status is not None
        and event.target_status.active
        and event.source_status is None
    )


@attrs.frozen
class Survey:
    """What the pass found, before it becomes a report."""

    changes: tuple[ChangeLine, ...]
    findings: tuple[Finding, ...]
    stints: int


def survey(
    uow: UnitOfWork,
    calendars: CalendarBook,
    rules: Rules,
    scope: Scope,
    as_of: date,
    since: CheckRecord | None,
) -> Survey:
    """Run the check's rules over ``scope`` as of ``as_of``; ``since`` is the
    scope's last check (the window of changes starts at its run)."""
    run = _Pass(uow, calendars, rules, scope, as_of, since)
    run.enrollments()
    events = run.scoped(run.window())
    run.ages(run.corrected(events))
    run.concurrent()
    run.obligations()
    run.procedures()
    run.registrars_missing()
    run.late_entries(events)
    run.unopened(events)
    run.archives(events)
    run.refused_exports()

    changes = tuple(
        ChangeLine(
            recorded_at=e.recorded_at,
            on=e.on,
            student=mask_student_number(e.student),
            kind=e.kind,
            article=e.article,
            summary=redact(e.summary),
            actor=e.actor,
        )
        for e in events
    )
    findings = sorted(
        run.findings,
        key=lambda f: (f.organisation, f.code, f.due or date.max, f.subject or ""),
    )
    return Survey(changes, tuple(findings), sum(len(v) for v in run.active.values()))


# ------------------------------------------------------------ compliance


class Assessment(enum.Enum):
    FOUND = "found"  # the register shows it
    NOT_FOUND = "not-found"  # the register shows nothing of it
    MANUAL = "manual"  # a judgement the register cannot make


@attrs.frozen
class ComplianceItem:
    """One item of 第四十七条 for a school, or one duty of a district under
    第四十六条, with the findings that show it."""

    organisation: str
    article: str
    label: str
    assessment: Assessment
    evidence: tuple[Finding, ...] = ()
    note: str | None = None


@attrs.frozen
class ComplianceReport:
    """第四十六、四十七条 for the scope of a check, as of its date."""

    scope: str
    as_of: date
    principal: str
    items: tuple[ComplianceItem, ...]

    def found(self) -> list[ComplianceItem]:
        return [i for i in self.items if i.assessment is Assessment.FOUND]

    def text(self) -> str:
        marks = {
            Assessment.FOUND: "发现",
            Assessment.NOT_FOUND: "未发现",
            Assessment.MANUAL: "需人工检查",
        }
        lines = [
            "学籍管理违规情况（第四十六、四十七条）",
            f"范围：{self.scope}　截至：{self.as_of}　{self.principal}",
        ]
        organisation = None
        for item in self.items:
            if item.organisation != organisation:
                organisation = item.organisation
                lines += ["", organisation]
            lines.append(
                f"  {item.article} {item.label}：{marks[item.assessment]}"
                + (f"（{len(item.evidence)} 项）" if item.evidence else "")
            )
            if item.note:
                lines.append(f"    说明：{item.note}")
            lines += [
                f"    - [{f.code}] {f.article} {f.student or ''} {f.text}".rstrip()
                for f in item.evidence
            ]
        return redact("\n".join(lines) + "\n")

    def csv(self) -> str:
        stream = io.StringIO(newline="")
        writer = csv.writer(stream)
        writer.writerow(("单位", "条款", "事项", "结论", "证据数", "证据", "说明"))
        for item in self.items:
            writer.writerow(
                (
                    item.organisation,
                    item.article,
                    item.label,
                    item.assessment.value,
                    len(item.evidence),
                    "；".join(f.subject or f.code for f in item.evidence),
                    item.note or "",
                )
            )
        return redact(stream.getvalue())


_SCHOOL_ITEMS: tuple[tuple[int, str, frozenset[str] | None, str | None], ...] = (
    (1, "不为已接收符合条件学生建立学籍档案", frozenset({"archive-overdue"}), None),
    (
        2,
        "以虚假信息建立学籍或学籍档案",
        None,
        "须对照户籍证明、录取名册等原始材料核实，登记簿本身无法判断",
    ),
    (
        3,
        "不及时把学籍变动信息纳入学籍档案",
        frozenset({"change-entered-late", "suspension-lapsed", "deferral-lapsed"}),
        None,
    ),
    (
        4,
        "不及时报告义务教育阶段学生辍学情况",
        frozenset({"township-not-informed"}),
        None,
    ),
    (5, "接收学生不为其办理转学手续", frozenset({"stint-without-procedure"}), None),
    (
        6,
        "不按规定为学生转接学籍档案",
        frozenset({"archive-not-transferred", "archive-transfer-overdue"}),
        None,
    ),
    (
        7,
        "泄露或非法使用学生学籍信息",
        frozenset({"export-refused"}),
        "经本系统对外提供学籍信息均须书面批准，未经批准的导出会被拒绝；所列为被拒绝的"
        "导出尝试。系统之外的泄露或使用须人工检查",
    ),
    (
        8,
        "违反本办法规定的其他行为",
        None,
        "是否构成违规须由主管部门判断；本校的其他核查发现列为线索",
    ),
)

_DISTRICT_ITEMS: tuple[tuple[str, frozenset[str]], ...] = (
    ("区教委未设学籍管理员（第四十二条第二款）", frozenset({"registrar-missing"})),
    ("区教委核办、备案步骤逾期（第三条）", frozenset({"procedure-overdue"})),
    (
        "区教委承担的其他职责逾期未履行",
        frozenset({"obligation-overdue", "archive-overdue", "truancy-duty-overdue"}),
    ),
    (
        "区教委未经书面批准对外提供学籍信息的尝试（第四十四条）",
        frozenset({"export-refused"}),
    ),
)


def compliance_of(report: CheckReport) -> ComplianceReport:
    """Map a check's findings to 第四十七条 (each school in scope) and
    第四十六条 (each district in scope)."""
    by_org: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_org[finding.organisation].append(finding)
    every = frozenset().union(*(codes for *_, codes, _ in _SCHOOL_ITEMS if codes))
    items: list[ComplianceItem] = []
    for school in report.schools:
        findings = by_org.get(school, [])
        leads = tuple(f for f in findings if f.code not in every)
        for number, label, codes, note in _SCHOOL_ITEMS:
            if codes is None:
                evidence = leads if number == 8 else ()
                assessment = Assessment.MANUAL
            else:
                evidence = tuple(f for f in findings if f.code in codes)
                assessment = Assessment.FOUND if evidence else Assessment.NOT_FOUND
            article = str(cite(47, item=number))
            items.append(
                ComplianceItem(school, article, label, assessment, evidence, note)
            )
    for district in report.districts:
        findings = by_org.get(district, [])
        for label, codes in _DISTRICT_ITEMS:
            evidence = tuple(f for f in findings if f.code in codes)
            assessment = Assessment.FOUND if evidence else Assessment.NOT_FOUND
            items.append(
                ComplianceItem(district, "第四十六条", label, assessment, evidence)
            )
    return ComplianceReport(report.scope, report.as_of, report.principal, tuple(items))
