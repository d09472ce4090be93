"""Bulk intake: a city's admission result decided row by row under the same
rules as one request, written in bulk (第三、九、十、十二至十四、十七条).

A roster of hundreds of thousands of new students is decided by the very
handler that decides one :class:`~xueji.Admission`
(:func:`xueji._enrollment.decide_admission`); what changes is the unit of
work it is given.  :class:`BatchUnitOfWork` wraps the store's unit of work:

- what a row reads — the school, a student by ID number and that student's
  stints, the admissions counted against a school's plan, the idempotency
  digests — is fetched for a slice of rows at a time through the port's bulk
  methods, and kept up to date with the batch's own writes;
- what a row writes — students, stints, 学籍变动 events, obligations,
  decisions, records, audit — is buffered and written through the bulk
  methods (one ``executemany`` per table and flush);
- anything else is written out first and then asked of the store itself, so
  a rule that reads something the batch does not keep still sees every
  earlier row of the batch.

So a rule has one statement, and the batch and the single request cannot
drift apart.  Each school's new 学籍 then go through the 第三条 procedure
(:class:`~xueji.NewRecordsFiling`: the district approves, the city files),
one filing per school and run of rows.  All of it is one transaction: every
row, or none.

Within one batch a delegation point asked the same question twice — the
same hook, district, date and arguments — answers from the first asking
(:class:`AnswerMemo`): plugins answer from data, and asking pluggy 360,000
times for the entry-age cut-off of one school year is work without news.
"""

from __future__ import annotations

__all__ = [
    "AnswerMemo",
    "BatchUnitOfWork",
    "IntakeResult",
    "IntakeRow",
    "Rejected",
    "intake",
]

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import attrs

from xueji._access import Principal
from xueji._context import Context, new_id
from xueji._decisions import Decision
from xueji._enrollment import Admission, decide_admission
from xueji._errors import AccessDeniedError, InvalidInputError, RowProblem
from xueji._orgs import District, HrssOffice, School, SchoolSystem, Township
from xueji._procedures import AuditRecord, Procedure, Record, StoredObligation
from xueji._register import Archive, Enrollment, Sex, StatusChange, Student
from xueji._rules import Answer, Rules
from xueji._serialize import dumps
from xueji._storage import Organisation, UnitOfWork
from xueji._workflow import NewRecordsFiling, decide_new_records

if TYPE_CHECKING:
    from xueji._service import Register

log = logging.getLogger(__name__)

T = TypeVar("T")

FLUSH_AT = 4000
"""Buffered students after which the batch writes out (at a school's end)."""

SLICE = 4000
"""Rows whose reads are fetched together."""


# ------------------------------------------------------------------ rules


class AnswerMemo(Rules):
    """The same rules, remembering each answer for the length of a batch.

    A delegation point asked again with the same hook, district, date,
    default and arguments gives the answer it gave the first time; a
    question with an argument that cannot be a key is asked every time.
    """

    def __init__(self, rules: Rules) -> None:
        # Not Rules.__init__: the plugins are the ones ``rules`` admitted.
        self.__dict__.update(rules.__dict__)
        self._answers: dict[Any, Answer[Any]] = {}
        self._combined: dict[Any, list[tuple[Any, Any]]] = {}
        self._systems: dict[tuple[School, date], Answer[SchoolSystem]] = {}

    def answer(
        self,
        hook: str,
        *,
        district: str | None,
        on: date,
        default: T,
        check: Callable[[Any], str | None] | None = None,
        **kwargs: Any,
    ) -> Answer[T]:
        try:
            key = (hook, district, on, default, tuple(sorted(kwargs.items())))
            known = self._answers.get(key)
        except TypeError:
            key, known = None, None
        if known is not None:
            return known
        found = super().answer(
            hook, district=district, on=on, default=default, check=check, **kwargs
        )
        if key is not None:
            self._answers[key] = found
        return found

    def school_system(self, school: School, on: date) -> Answer[SchoolSystem]:
        key = (school, on)
        known = self._systems.get(key)
        if known is None:
            known = self._systems[key] = super().school_system(school, on)
        return known

    def combined(
        self, hook: str, *, district: str | None, on: date, **kwargs: Any
    ) -> list[tuple[Any, Any]]:
        try:
            key = (hook, district, on, tuple(sorted(kwargs.items())))
            known = self._combined.get(key)
        except TypeError:
            key, known = None, None
        if known is not None:
            return list(known)
        found = super().combined(hook, district=district, on=on, **kwargs)
        if key is not None:
            self._combined[key] = list(found)
        return found


# ------------------------------------------------------------ unit of work


class BatchUnitOfWork:
    """A unit of work for many requests in one transaction: reads a batch
    needs come from fetches of many keys at once, writes are buffered and
    written in bulk; everything else goes to the wrapped unit of work after
    the buffers are written out (see the module's docstring).

    Use it inside the wrapped unit of work's ``with`` block, and
    :meth:`flush` before committing that one: :meth:`commit` does both.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._orgs: dict[str, dict[str, Organisation]] | None = None
        # Caches, kept true to the batch's own writes.
        self._by_id: dict[str, Student | None] = {}
        self._stints: dict[str, list[Enrollment]] = {}
        self._counts: dict[tuple[str, str], dict[int, int]] = {}
        self._digests: dict[str, str | None] = {}
        # Students added since the last flush: none of their records is in
        # the store yet, so the buffers hold all of them.
        self._fresh: set[str] = set()
        self._fresh_events: dict[str, list[StatusChange]] = {}
        self._claimed: set[str] = set()
        self._pending_at: dict[str, list[Enrollment]] = {}
        self._flushes = 0
        # Buffers.
        self._students: list[Student] = []
        self._enrollments: list[Enrollment] = []
        self._events: list[StatusChange] = []
        self._obligations: list[StoredObligation] = []
        self._decisions: list[tuple[Decision, str | None, str | None]] = []
        self._records: list[Record] = []
        self._audit: list[AuditRecord] = []

    # -- the batch's own controls

    @property
    def pending(self) -> int:
        """Students buffered and not yet written."""
        return len(self._students)

    def flush(self) -> None:
        """Write every buffered record through the port's bulk methods."""
        uow = self._uow
        if self._students:
            uow.add_students(self._students)
        if self._enrollments:
            uow.add_enrollments(self._enrollments)
        if self._events:
            uow.append_events(self._events)
        if self._obligations:
            uow.add_obligations(self._obligations)
        if self._decisions:
            uow.save_decisions(self._decisions)
        if self._records:
            uow.add_records(self._records)
        for record in self._audit:
            uow.append_audit(record)
        self._students, self._enrollments, self._events = [], [], []
        self._obligations, self._decisions, self._records = [], [], []
        self._audit = []
        self._fresh, self._fresh_events, self._claimed = set(), {}, set()
        self._pending_at = {}
        self._flushes += 1

    def prefetch(self, admissions: Iterable[Admission]) -> None:
        """Fetch what deciding ``admissions`` will read, a query per kind.
        What earlier slices fetched is forgotten when it grows large (it can
        be fetched again: the caches follow the batch's writes)."""
        if len(self._by_id) > 4 * SLICE or len(self._stints) > 4 * SLICE:
            self._by_id = {k: v for k, v in self._by_id.items() if v is None}
            self._by_id.update((s.id_number or "", s) for s in self._students)
            self._by_id.pop("", None)
            self._stints = {n: self._stints[n] for n in self._fresh}
        ids: set[str] = set()
        keys: set[str] = set()
        years: dict[str, set[str]] = {}
        for a in admissions:
            number = a.student.id_number
            if number is not None and number not in self._by_id:
                ids.add(number)
            if a.idempotency_key is not None and a.idempotency_key not in self._digests:
                keys.add(a.idempotency_key)
            if (a.school, a.school_year) not in self._counts:
                years.setdefault(a.school_year, set()).add(a.school)
        if ids:
            found = self._uow.students_by_id_numbers(ids)
            for number in ids:
                self._by_id[number] = found.get(number)
            unknown = [s.number for s in found.values() if s.number not in self._stints]
            stints = self._uow.enrollments_of_students(unknown) if unknown else {}
            for number in unknown:
                self._stints[number] = stints.get(number, [])
        if keys:
            digests = self._uow.known_digests(keys)
            for key in keys:
                self._digests[key] = digests.get(key)
        for year, schools in years.items():
            counts = self._uow.admissions_counts(year, schools)
            for school in schools:
                self._counts[(school, year)] = {}
            for (school, grade), count in counts.items():
                self._counts[(school, year)][grade] = count
            for e in self._enrollments:  # buffered, so not counted above
                if e.school_year == year and e.school in schools:
                    grades = self._counts[(e.school, year)]
                    grades[e.grade] = grades.get(e.grade, 0) + 1

    def digest_known(self, key: str) -> str | None:
        """The digest remembered under an idempotency key, if any."""
        if key not in self._digests:
            self._digests[key] = self._uow.known_digests([key]).get(key)
        return self._digests[key]

    def mark(self) -> tuple[int, ...]:
        """Where the buffers stand, to undo a row that failed midway."""
        return (
            self._flushes,
            len(self._students),
            len(self._enrollments),
            len(self._events),
            len(self._obligations),
            len(self._decisions),
            len(self._records),
        )

    def undo(self, mark: tuple[int, ...]) -> None:
        """Drop what was buffered since ``mark`` (a row that raised).  What
        a flush wrote in between stays written (docs/limitations.md)."""
        flushes, *lengths = mark
        if flushes != self._flushes:
            lengths = [0] * len(lengths)  # the buffers were written and emptied
        students, enrollments, events, obligations, decisions, records = lengths
        for student in self._students[students:]:
            self._fresh.discard(student.number)
            self._fresh_events.pop(student.number, None)
            self._stints.pop(student.number, None)
            if student.id_number is not None:
                self._by_id.pop(student.id_number, None)
        for e in self._enrollments[enrollments:]:
            self._pending_at[e.school].remove(e)
            stints = self._stints.get(e.student)
            if stints is not None and e in stints:
                stints.remove(e)
            grades = self._counts.get((e.school, e.school_year))
            if grades is not None:
                grades[e.grade] -= 1
        for event in self._events[events:]:
            fresh = self._fresh_events.get(event.student)
            if fresh is not None and event in fresh:
                fresh.remove(event)
        del self._students[students:]
        del self._enrollments[enrollments:]
        del self._events[events:]
        del self._obligations[obligations:]
        del self._decisions[decisions:]
        del self._records[records:]

    def _through(self) -> UnitOfWork:
        """The wrapped unit of work, with every buffered record written."""
        self.flush()
        return self._uow

    # -- unit of work

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del exc_type, exc, tb

    def commit(self) -> None:
        self.flush()
        self._uow.commit()

    # -- organisations: read once per batch

    def _org_table(self) -> dict[str, dict[str, Organisation]]:
        if self._orgs is None:
            uow = self._uow
            found: list[Organisation] = [
                *uow.districts(),
                *uow.schools(),
                *uow.townships(),
                *uow.hrss_offices(),
            ]
            table: dict[str, dict[str, Organisation]] = {}
            for org in found:
                table.setdefault(type(org).__name__, {})[org.code] = org
            self._orgs = table
        return self._orgs

    def _org(self, cls: type[T], code: str) -> T | None:
        org = self._org_table().get(cls.__name__, {}).get(code)
        return org if isinstance(org, cls) else None

    def _org_list(self, cls: type[T], district: str | None) -> list[T]:
        found = [
            org
            for org in self._org_table().get(cls.__name__, {}).values()
            if isinstance(org, cls)
            and district in (None, getattr(org, "district", None))
        ]
        return sorted(found, key=lambda o: getattr(o, "code", ""))

    def put_organisation(self, org: Organisation) -> None:
        self._through().put_organisation(org)
        self._orgs = None

    def get_district(self, code: str) -> District | None:
        return self._org(District, code)

    def get_school(self, code: str) -> School | None:
        return self._org(School, code)

    def get_township(self, code: str) -> Township | None:
        return self._org(Township, code)

    def get_hrss_office(self, code: str) -> HrssOffice | None:
        return self._org(HrssOffice, code)

    def districts(self) -> list[District]:
        return self._org_list(District, None)

    def schools(self, district: str | None = None) -> list[School]:
        return self._org_list(School, district)

    def townships(self, district: str | None = None) -> list[Township]:
        return self._org_list(Township, district)

    def hrss_offices(self, district: str | None = None) -> list[HrssOffice]:
        return self._org_list(HrssOffice, district)

    # -- students

    def get_student(self, number: str) -> Student | None:
        return self._through().get_student(number)

    def student_by_id_number(self, id_number: str) -> Student | None:
        if id_number not in self._by_id:
            # Buffered students are in the cache: the store has the rest.
            self._by_id[id_number] = self._uow.student_by_id_number(id_number)
        return self._by_id[id_number]

    def students_by_particulars(
        self, name: str, sex: Sex, birth_date: date
    ) -> list[Student]:
        # The store has the students written; the buffer those added since.
        found = self._uow.students_by_particulars(name, sex, birth_date)
        return found + [
            s
            for s in self._students
            if s.name == name and s.sex is sex and s.birth_date == birth_date
        ]

    def add_student(self, student: Student) -> None:
        clash = student.number in self._fresh or (
            student.id_number is not None
            and (holder := self.student_by_id_number(student.id_number)) is not None
            and holder.number != student.number
        )
        if clash:
            # Let the store say it, as it would one by one.
            self._through().add_student(student)
        self._students.append(student)
        self._fresh.add(student.number)
        self._fresh_events[student.number] = []
        self._stints[student.number] = []
        if student.id_number is not None:
            self._by_id[student.id_number] = student

    def update_student(self, student: Student) -> None:
        self._through().update_student(student)
        self._by_id = {k: v for k, v in self._by_id.items() if v is None}
        self._by_id.pop(student.id_number or "", None)

    def renumber_student(self, old_number: str, student: Student) -> None:
        self._through().renumber_student(old_number, student)
        self._by_id = {k: v for k, v in self._by_id.items() if v is None}
        self._by_id.pop(student.id_number or "", None)
        self._stints.pop(old_number, None)
        self._stints.pop(student.number, None)

    def next_serial(self, key: str) -> int:
        return self._uow.next_serial(key)  # counters are never buffered

    # -- enrollments

    def enrollments_of(self, student: str) -> list[Enrollment]:
        if student not in self._stints:
            self._stints[student] = self._through().enrollments_of(student)
        return list(self._stints[student])

    def get_enrollment(self, enrollment_id: str) -> Enrollment | None:
        return self._through().get_enrollment(enrollment_id)

    def add_enrollment(self, enrollment: Enrollment) -> None:
        self._enrollments.append(enrollment)
        self._pending_at.setdefault(enrollment.school, []).append(enrollment)
        stints = self._stints.get(enrollment.student)
        if stints is not None:
            stints.append(enrollment)
            stints.sort(key=lambda e: (e.first_day, e.id))
        grades = self._counts.get((enrollment.school, enrollment.school_year))
        if grades is not None:
            grades[enrollment.grade] = grades.get(enrollment.grade, 0) + 1

    def update_enrollment(self, enrollment: Enrollment) -> None:
        self._through().update_enrollment(enrollment)
        self._stints.pop(enrollment.student, None)
        self._counts = {}

    def enrollments_at(self, school: str) -> list[Enrollment]:
        # The store has what was written; the buffer the rest.
        found = self._uow.enrollments_at(school)
        found += self._pending_at.get(school, [])
        return sorted(found, key=lambda e: e.id)

    def admissions_count(self, school: str, school_year: str, grade: int) -> int:
        grades = self._counts.get((school, school_year))
        if grades is None:
            counts = self._through().admissions_counts(school_year, [school])
            grades = {g: n for (_, g), n in counts.items()}
            self._counts[(school, school_year)] = grades
        return grades.get(grade, 0)

    # -- events

    def append_event(self, event: StatusChange) -> None:
        self._events.append(event)
        fresh = self._fresh_events.get(event.student)
        if fresh is not None:
            fresh.append(event)

    def events_of(self, student: str) -> list[StatusChange]:
        if student in self._fresh:
            return list(self._fresh_events[student])
        return self._through().events_of(student)

    def events_since(
        self, district: str | None, since: datetime | None
    ) -> list[StatusChange]:
        return self._through().events_since(district, since)

    # -- archives

    def put_archive(self, archive: Archive) -> None:
        self._through().put_archive(archive)

    def get_archive(self, student: str) -> Archive | None:
        return self._through().get_archive(student)

    # -- obligations

    def add_obligation(self, item: StoredObligation) -> None:
        self._obligations.append(item)

    def update_obligation(self, item: StoredObligation) -> None:
        self._through().update_obligation(item)

    def get_obligation(self, obligation_id: str) -> StoredObligation | None:
        return self._through().get_obligation(obligation_id)

    def obligations(
        self,
        *,
        organisation: str | None = None,
        student: str | None = None,
        district: str | None = None,
        open_only: bool = False,
    ) -> list[StoredObligation]:
        return self._through().obligations(
            organisation=organisation,
            student=student,
            district=district,
            open_only=open_only,
        )

    # -- procedures

    # Procedures and their claims are never buffered: the store answers
    # for them as it stands.

    def add_procedure(self, procedure: Procedure) -> None:
        self._uow.add_procedure(procedure)
        self._claimed.update(s for s in (procedure.student, *procedure.students) if s)

    def update_procedure(self, procedure: Procedure) -> None:
        self._uow.update_procedure(procedure)
        self._claimed.update(s for s in (procedure.student, *procedure.students) if s)

    def get_procedure(self, procedure_id: str) -> Procedure | None:
        return self._uow.get_procedure(procedure_id)

    def open_procedure_of(self, student: str) -> Procedure | None:
        if student in self._fresh and student not in self._claimed:
            # Added by this batch and claimed by no procedure since.
            return None
        return self._uow.open_procedure_of(student)

    def procedures(
        self, *, district: str | None = None, open_only: bool = False
    ) -> list[Procedure]:
        return self._uow.procedures(district=district, open_only=open_only)

    # -- decisions and idempotency

    def save_decision(
        self, decision: Decision, *, key: str | None, digest: str | None
    ) -> None:
        if key is not None:
            known = self.digest_known(key)
            if known is not None and known != digest:
                self._through().save_decision(decision, key=key, digest=digest)
            self._digests[key] = digest or ""
        self._decisions.append((decision, key, digest))

    def recall(self, key: str) -> tuple[str, Decision] | None:
        return self._through().recall(key)

    def decisions_of(self, student: str) -> list[Decision]:
        return self._through().decisions_of(student)

    # -- records

    def add_record(self, record: Record) -> None:
        self._records.append(record)

    def records(
        self,
        kind: str,
        *,
        student: str | None = None,
        school: str | None = None,
        district: str | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> list[Record]:
        return self._through().records(
            kind,
            student=student,
            school=school,
            district=district,
            first=first,
            last=last,
        )

    # -- audit

    def append_audit(self, record: AuditRecord) -> None:
        self._audit.append(record)

    def audit(
        self, *, student: str | None = None, organisation: str | None = None
    ) -> list[AuditRecord]:
        return self._through().audit(student=student, organisation=organisation)

    # -- bulk

    def students_by_id_numbers(self, id_numbers: Collection[str]) -> dict[str, Student]:
        found = {}
        for number in id_numbers:
            student = self.student_by_id_number(number)
            if student is not None:
                found[number] = student
        return found

    def enrollments_of_students(
        self, students: Collection[str]
    ) -> dict[str, list[Enrollment]]:
        return self._through().enrollments_of_students(students)

    def admissions_counts(
        self, school_year: str, schools: Collection[str]
    ) -> dict[tuple[str, int], int]:
        return self._through().admissions_counts(school_year, schools)

    def known_digests(self, keys: Collection[str]) -> dict[str, str]:
        return {k: d for k in keys if (d := self.digest_known(k)) is not None}

    def add_students(self, students: Sequence[Student]) -> None:
        for student in students:
            self.add_student(student)

    def add_enrollments(self, enrollments: Sequence[Enrollment]) -> None:
        for enrollment in enrollments:
            self.add_enrollment(enrollment)

    def append_events(self, events: Sequence[StatusChange]) -> None:
        for event in events:
            self.append_event(event)

    def add_obligations(self, items: Sequence[StoredObligation]) -> None:
        self._obligations.extend(items)

    def save_decisions(
        self, items: Sequence[tuple[Decision, str | None, str | None]]
    ) -> None:
        for decision, key, digest in items:
            self.save_decision(decision, key=key, digest=digest)

    def add_records(self, records: Sequence[Record]) -> None:
        self._records.extend(records)


# ------------------------------------------------------------------ intake


@attrs.frozen
class Rejected:
    """A row left out of a load: where it is and why."""

    row: int
    problems: tuple[RowProblem, ...]


@attrs.frozen
class IntakeResult:
    """What a bulk intake did.

    ``decisions`` holds the decisions kept (every one, or only those not
    accepted: see :func:`intake`), in row order; ``outcomes`` counts every
    decision by outcome; ``filings`` are the 第三条 filings, one per school
    and run of rows; ``skipped`` the rows decided by an earlier load (same
    idempotency key and content); ``rejected`` the rows left out in
    keep-valid mode."""

    decided: int
    skipped: int
    outcomes: dict[str, int]
    decisions: tuple[Decision, ...]
    filings: tuple[Decision, ...]
    rejected: tuple[Rejected, ...]


def request_digest(request: object) -> str:
    """The digest :meth:`Register.submit` remembers with a request's
    idempotency key."""
    return hashlib.sha256(dumps(request).encode("utf-8")).hexdigest()


def _slices(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


IntakeRow = tuple[int, Admission] | tuple[int, Admission, str]
"""A row number and its admission, with the request's digest when the
reader computed it already (:func:`request_digest`)."""


def intake(
    register: Register,
    rows: Iterable[IntakeRow],
    principal: Principal,
    *,
    total: int | None = None,
    file_new_records: bool = True,
    keep_valid: bool = False,
    keep: Literal["all", "notable"] = "all",
    progress: Callable[[int, int | None], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> IntakeResult:
    """Decide admissions in bulk, in row order, in one transaction.

    Args:
        register: the register (its store, rules and calendars).
        rows: (row number, admission) pairs, in file order, or triples
            with the request's digest (:data:`IntakeRow`).
        principal: who loads them: the city, or a district or school for
            its own schools (a row outside the scope is an
            :class:`~xueji.AccessDeniedError`, and nothing is written).
        total: the number of rows, for ``progress``.
        file_new_records: report each school's new 学籍 to its district
            (第三条: a :class:`~xueji.NewRecordsFiling` per school and run of
            rows, naming the students the run admitted).
        keep_valid: a row whose decision raises (bad input) is rejected and
            the others are written; otherwise any such row fails the whole
            batch, after every row has been tried so that each is named.
        keep: ``"all"`` keeps every decision in the result; ``"notable"``
            only those not accepted (a city's roster has 360,000).
        progress: called with (rows done, total) every few hundred rows.
        before_commit: called once every row is decided, before anything
            is committed; what it raises rolls the whole batch back (the
            roster reader names rows it found bad while the batch ran).

    Raises:
        RosterError: rows whose decision raised, without ``keep_valid``;
            nothing was written.
        AccessDeniedError: a row outside the principal's scope; nothing was
            written (the attempt is audited).
    """
    from xueji._errors import RosterError
    from xueji._service import _Denied

    rules = AnswerMemo(register.rules)
    now = register._clock()
    outcomes: Counter[str] = Counter()
    kept: list[Decision] = []
    filings: list[Decision] = []
    rejected: list[Rejected] = []
    decided = skipped = done = 0
    run: tuple[str, str] | None = None
    run_students: list[str] = []
    run_on = date.min

    def context(uow: BatchUnitOfWork, request_id: str, on: date) -> Context:
        return Context(uow, rules, register.calendars, principal, request_id, on, now)

    def file_run(uow: BatchUnitOfWork) -> None:
        nonlocal run, run_students, run_on
        if run is not None and run_students and file_new_records:
            school, school_year = run
            request = NewRecordsFiling(
                id=new_id("new-records"),
                on=run_on,  # the run's last admission: filed as it closes
                school=school,
                school_year=school_year,
                students=tuple(run_students),
            )
            ctx = context(uow, request.id, request.on)
            decision = decide_new_records(ctx, request)
            uow.save_decision(decision, key=None, digest=None)
            filings.append(decision)
        run, run_students, run_on = None, [], date.min
        if uow.pending >= FLUSH_AT:
            uow.flush()

    try:
        with register.store.unit_of_work() as store_uow:
            uow = BatchUnitOfWork(store_uow)
            for chunk in _slices(rows, SLICE):
                uow.prefetch(row[1] for row in chunk)
                for row in chunk:
                    number, admission = row[0], row[1]
                    done += 1
                    key = admission.idempotency_key
                    digest = row[2] if len(row) == 3 else request_digest(admission)
                    if key is not None:
                        known = uow.digest_known(key)
                        if known == digest:
                            skipped += 1
                            continue
                    if run != (admission.school, admission.school_year):
                        file_run(uow)
                        run = (admission.school, admission.school_year)
                    mark = uow.mark()
                    try:
                        ctx = context(uow, admission.id, admission.on)
                        decision = decide_admission(ctx, admission)
                        uow.save_decision(decision, key=key, digest=digest)
                    except InvalidInputError as error:
                        uow.undo(mark)
                        problem = RowProblem(number, "—", str(error))
                        rejected.append(Rejected(number, (problem,)))
                        continue
                    decided += 1
                    run_on = max(run_on, admission.on)
                    outcomes[decision.outcome.value] += 1
                    if keep == "all" or not decision.accepted:
                        kept.append(decision)
                    if decision.accepted and decision.student is not None:
                        run_students.append(decision.student)
                    if progress is not None and done % 500 == 0:
                        progress(done, total)
            file_run(uow)
            if before_commit is not None:
                before_commit()
            if rejected and not keep_valid:
                raise RosterError("roster", [p for r in rejected for p in r.problems])
            register._audit(
                uow,
                principal,
                f"bulk intake of {decided} admissions"
                + (f", {len(rejected)} rows rejected" if rejected else ""),
                allowed=True,
                now=now,
            )
            uow.commit()
    except _Denied as denied:
        register._record_denial(principal, denied, now)
        raise AccessDeniedError(
            f"{principal.role.value} {principal.organisation} may not "
            f"{denied.action}: outside its scope (第四、四十二条)"
        ) from None
    if progress is not None:
        progress(done, total)
    log.info(
        "bulk intake: %d decided, %d skipped, %d rejected",
        decided,
        skipped,
        len(rejected),
    )
    return IntakeResult(
        decided=decided,
        skipped=skipped,
        outcomes=dict(sorted(outcomes.items())),
        decisions=tuple(kept),
        filings=tuple(filings),
        rejected=tuple(rejected),
    )
