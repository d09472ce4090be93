"""The storage port: what the kernel needs of a register's store.

A :class:`Store` hands out units of work; one unit of work is one request,
atomic: :meth:`UnitOfWork.commit` writes everything, leaving the ``with``
block without committing (or with an exception) writes nothing.  Versioned
records (students, enrollments, procedures, obligations) use optimistic
concurrency: an update carries the new version, and the store refuses it
with :class:`~xueji.ConflictError` unless the stored version is the one
before.  The 学籍变动 log and the audit trail are append-only: the port has no
update or delete for them.

:class:`MemoryStore` is the reference implementation; the SQLAlchemy adapter
(``xueji_sqlalchemy``) implements the same port on real databases, and the
storage contract tests run against both.
"""

from __future__ import annotations

__all__ = [
    "MemoryStore",
    "OpenProcedureError",
    "Organisation",
    "Store",
    "UnitOfWork",
]

import copy
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from xueji._decisions import Decision
from xueji._errors import ConflictError, DuplicateRequestError, StorageError
from xueji._orgs import District, HrssOffice, School, Township
from xueji._procedures import AuditRecord, Procedure, Record, StoredObligation
from xueji._register import Archive, Enrollment, Sex, StatusChange, Student

Organisation = District | School | Township | HrssOffice


class OpenProcedureError(ConflictError):
    """The student already has an open procedure (DESIGN.md §2: at most one)."""

    code = "open-procedure"

    def __init__(self, student: str, procedure: str) -> None:
        self.student = student
        self.procedure = procedure
        super().__init__(
            f"student already has open procedure {procedure}; finish or "
            "withdraw it before filing another"
        )


class UnitOfWork(Protocol):
    """One request's view of the store, committed or discarded as a whole."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...

    # organisations
    def put_organisation(self, org: Organisation) -> None: ...
    def get_district(self, code: str) -> District | None: ...
    def get_school(self, code: str) -> School | None: ...
    def get_township(self, code: str) -> Township | None: ...
    def get_hrss_office(self, code: str) -> HrssOffice | None: ...
    def districts(self) -> list[District]: ...
    def schools(self, district: str | None = None) -> list[School]: ...
    def townships(self, district: str | None = None) -> list[Township]: ...
    def hrss_offices(self, district: str | None = None) -> list[HrssOffice]: ...

    # students
    def get_student(self, number: str) -> Student | None:
        """By 学籍号 or by an alias (an earlier L number)."""
        ...

    def student_by_id_number(self, id_number: str) -> Student | None: ...
    def students_by_particulars(
        self, name: str, sex: Sex, birth_date: date
    ) -> list[Student]: ...
    def add_student(self, student: Student) -> None: ...
    def update_student(self, student: Student) -> None: ...
    def renumber_student(self, old_number: str, student: Student) -> None:
        """Move a student from a temporary L number to ``student.number``
        (第十七条第二款: L → G or J is the only change).  ``student`` carries
        the old number among its aliases and the next version; afterwards
        both numbers find it.  Events stay under the number they were
        recorded with (the log is append-only)."""
        ...

    def next_serial(self, key: str) -> int:
        """A counter per key (e.g. the L numbers of one region and birth
        date), starting at 1."""
        ...

    # enrollments
    def enrollments_of(self, student: str) -> list[Enrollment]: ...
    def get_enrollment(self, enrollment_id: str) -> Enrollment | None: ...
    def add_enrollment(self, enrollment: Enrollment) -> None: ...
    def update_enrollment(self, enrollment: Enrollment) -> None: ...
    def enrollments_at(self, school: str) -> list[Enrollment]: ...
    def admissions_count(self, school: str, school_year: str, grade: int) -> int: ...

    # events (append-only)
    def append_event(self, event: StatusChange) -> None: ...
    def events_of(self, student: str) -> list[StatusChange]: ...
    def events_since(
        self, district: str | None, since: datetime | None
    ) -> list[StatusChange]: ...

    # archives
    def put_archive(self, archive: Archive) -> None: ...
    def get_archive(self, student: str) -> Archive | None: ...

    # obligations
    def add_obligation(self, item: StoredObligation) -> None: ...
    def update_obligation(self, item: StoredObligation) -> None: ...
    def get_obligation(self, obligation_id: str) -> StoredObligation | None: ...
    def obligations(
        self,
        *,
        organisation: str | None = None,
        student: str | None = None,
        district: str | None = None,
        open_only: bool = False,
    ) -> list[StoredObligation]: ...

    # procedures
    def add_procedure(self, procedure: Procedure) -> None:
        """Raises :class:`OpenProcedureError` when the student (or any
        student of a batch) already has an open procedure."""
        ...

    def update_procedure(self, procedure: Procedure) -> None: ...
    def get_procedure(self, procedure_id: str) -> Procedure | None: ...
    def open_procedure_of(self, student: str) -> Procedure | None: ...
    def procedures(
        self, *, district: str | None = None, open_only: bool = False
    ) -> list[Procedure]: ...

    # decisions and idempotency
    def save_decision(
        self, decision: Decision, *, key: str | None, digest: str | None
    ) -> None:
        """Store a decision; with an idempotency ``key``, remember it with
        the request's ``digest`` (same key, other digest: an error)."""
        ...

    def recall(self, key: str) -> tuple[str, Decision] | None: ...
    def decisions_of(self, student: str) -> list[Decision]: ...

    # records (append-only dated facts of the chapters)
    def add_record(self, record: Record) -> None: ...
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
        """Records of ``kind`` matching every filter given, ``on`` within
        ``first`` … ``last`` (inclusive), ordered by ``on`` then id.
        Superseded records are included; readers apply ``supersedes``."""
        ...

    # audit (append-only)
    def append_audit(self, record: AuditRecord) -> None: ...
    def audit(
        self, *, student: str | None = None, organisation: str | None = None
    ) -> list[AuditRecord]: ...

    # bulk work (a roster of a city's intake, a term's marks): each method
    # does what the one-item methods do, item by item in the order given,
    # with the same errors — in as few round trips as the store can.
    def students_by_id_numbers(self, id_numbers: Collection[str]) -> dict[str, Student]:
        """The students holding any of ``id_numbers``, by ID number (an ID
        number no student holds is absent)."""
        ...

    def enrollments_of_students(
        self, students: Collection[str]
    ) -> dict[str, list[Enrollment]]:
        """:meth:`enrollments_of` for each of ``students`` (a student with no
        stint is absent), each list in that method's order."""
        ...

    def admissions_counts(
        self, school_year: str, schools: Collection[str]
    ) -> dict[tuple[str, int], int]:
        """:meth:`admissions_count` of ``school_year`` for every grade of
        each of ``schools``, by (school, grade); zero counts are absent."""
        ...

    def known_digests(self, keys: Collection[str]) -> dict[str, str]:
        """The request digests remembered under any of the idempotency
        ``keys`` (:meth:`recall` without reading the decisions)."""
        ...

    def add_students(self, students: Sequence[Student]) -> None: ...
    def add_enrollments(self, enrollments: Sequence[Enrollment]) -> None: ...
    def append_events(self, events: Sequence[StatusChange]) -> None: ...
    def add_obligations(self, items: Sequence[StoredObligation]) -> None: ...
    def save_decisions(
        self, items: Sequence[tuple[Decision, str | None, str | None]]
    ) -> None:
        """:meth:`save_decision` for each (decision, key, digest)."""
        ...

    def add_records(self, records: Sequence[Record]) -> None: ...


class Store(Protocol):
    """A register's store: hands out units of work."""

    def unit_of_work(self) -> UnitOfWork: ...


class _State:
    """The whole memory register; copied per unit of work."""

    def __init__(self) -> None:
        self.orgs: dict[tuple[str, str], Organisation] = {}
        self.students: dict[str, Student] = {}
        self.aliases: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        self.serials: dict[str, int] = {}
        self.enrollments: dict[str, Enrollment] = {}
        self.events: list[StatusChange] = []
        self.archives: dict[str, Archive] = {}
        self.obligations: dict[str, StoredObligation] = {}
        self.procedures: dict[str, Procedure] = {}
        self.open_by_student: dict[str, str] = {}
        self.decisions: list[Decision] = []
        self.idempotency: dict[str, tuple[str, Decision]] = {}
        self.audit: list[AuditRecord] = []
        self.records: dict[str, list[Record]] = {}

    def copy(self) -> _State:
        # Records are frozen: copying the containers is enough.
        new = _State()
        for name, value in vars(self).items():
            setattr(new, name, copy.copy(value))
        return new


def _kind(org: Organisation) -> str:
    return type(org).__name__


def _check_version(old: int | None, new: int, what: str) -> None:
    if old is None:
        raise StorageError(f"{what} does not exist; add it before updating it")
    if new != old + 1:
        raise ConflictError(
            f"{what} was changed by another request (stored version {old}, "
            f"update based on {new - 1}); read it again and retry"
        )


class MemoryUnitOfWork:
    """The reference unit of work over a :class:`MemoryStore`."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._base = store._state
        self._s = store._state.copy()
        self._done = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done = True

    def commit(self) -> None:
        with self._store._lock:
            if self._store._state is not self._base:
                # Another unit of work committed meanwhile: re-apply is not
                # safe in general, so refuse like a database would.
                raise ConflictError(
                    "the register changed while this request was decided; "
                    "retry the request"
                )
            self._store._state = self._s
            self._base = self._s
            self._s = self._s.copy()

    # organisations
    def put_organisation(self, org: Organisation) -> None:
        self._s.orgs[(_kind(org), org.code)] = org

    def _get(self, kind: str, code: str) -> Organisation | None:
        return self._s.orgs.get((kind, code))

    def get_district(self, code: str) -> District | None:
        org = self._get("District", code)
        return org if isinstance(org, District) else None

    def get_school(self, code: str) -> School | None:
        org = self._get("School", code)
        return org if isinstance(org, School) else None

    def get_township(self, code: str) -> Township | None:
        org = self._get("Township", code)
        return org if isinstance(org, Township) else None

    def get_hrss_office(self, code: str) -> HrssOffice | None:
        org = self._get("HrssOffice", code)
        return org if isinstance(org, HrssOffice) else None

    def districts(self) -> list[District]:
        return sorted(
            (o for o in self._s.orgs.values() if isinstance(o, District)),
            key=lambda o: o.code,
        )

    def schools(self, district: str | None = None) -> list[School]:
        return sorted(
            (
                o
                for o in self._s.orgs.values()
                if isinstance(o, School) and district in (None, o.district)
            ),
            key=lambda o: o.code,
        )

    def townships(self, district: str | None = None) -> list[Township]:
        return sorted(
            (
                o
                for o in self._s.orgs.values()
                if isinstance(o, Township) and district in (None, o.district)
            ),
            key=lambda o: o.code,
        )

    def hrss_offices(self, district: str | None = None) -> list[HrssOffice]:
        return sorted(
            (
                o
                for o in self._s.orgs.values()
                if isinstance(o, HrssOffice) and district in (None, o.district)
            ),
            key=lambda o: o.code,
        )

    # students
    def get_student(self, number: str) -> Student | None:
        number = self._s.aliases.get(number, number)
        return self._s.students.get(number)

    def student_by_id_number(self, id_number: str) -> Student | None:
        number = self._s.by_id.get(id_number)
        return None if number is None else self._s.students[number]

    def students_by_particulars(
        self, name: str, sex: Sex, birth_date: date
    ) -> list[Student]:
        return [
            s
            for s in self._s.students.values()
            if s.name == name and s.sex is sex and s.birth_date == birth_date
        ]

    def _index(self, student: Student) -> None:
        if student.id_number is not None:
            holder = self._s.by_id.get(student.id_number)
            if holder is not None and holder != student.number:
                raise StorageError(
                    "another student already holds this ID number (one "
                    "person, one 学籍号, 第十七条第二款)"
                )
            self._s.by_id = {
                k: v for k, v in self._s.by_id.items() if v != student.number
            }
            self._s.by_id[student.id_number] = student.number
        for alias in student.aliases:
            self._s.aliases[alias] = student.number

    def add_student(self, student: Student) -> None:
        if self.get_student(student.number) is not None:
            raise StorageError(f"学籍号 {student.number} already exists")
        self._index(student)
        self._s.students[student.number] = student

    def update_student(self, student: Student) -> None:
        old = self._s.students.get(student.number)
        _check_version(
            None if old is None else old.version, student.version, "the student"
        )
        self._index(student)
        self._s.students[student.number] = student

    def renumber_student(self, old_number: str, student: Student) -> None:
        old = self._s.students.get(old_number)
        _check_version(
            None if old is None else old.version, student.version, "the student"
        )
        if old_number not in student.aliases:
            raise StorageError(
                "the renumbered student must keep its old number as an alias"
            )
        if student.number in self._s.students:
            raise StorageError(f"学籍号 {student.number} already exists")
        del self._s.students[old_number]
        self._s.by_id = {k: v for k, v in self._s.by_id.items() if v != old_number}
        self._index(student)
        self._s.students[student.number] = student

    def next_serial(self, key: str) -> int:
        value = self._s.serials.get(key, 0) + 1
        self._s.serials[key] = value
        return value

    # enrollments
    def enrollments_of(self, student: str) -> list[Enrollment]:
        return sorted(
            (e for e in self._s.enrollments.values() if e.student == student),
            key=lambda e: (e.first_day, e.id),
        )

    def get_enrollment(self, enrollment_id: str) -> Enrollment | None:
        return self._s.enrollments.get(enrollment_id)

    def add_enrollment(self, enrollment: Enrollment) -> None:
        if enrollment.id in self._s.enrollments:
            raise StorageError(f"enrollment {enrollment.id} already exists")
        self._s.enrollments[enrollment.id] = enrollment

    def update_enrollment(self, enrollment: Enrollment) -> None:
        old = self._s.enrollments.get(enrollment.id)
        _check_version(
            None if old is None else old.version, enrollment.version, "the enrollment"
        )
        self._s.enrollments[enrollment.id] = enrollment

    def enrollments_at(self, school: str) -> list[Enrollment]:
        return sorted(
            (e for e in self._s.enrollments.values() if e.school == school),
            key=lambda e: e.id,
        )

    def admissions_count(self, school: str, school_year: str, grade: int) -> int:
        return sum(
            1
            for e in self._s.enrollments.values()
            if e.school == school and e.school_year == school_year and e.grade == grade
        )

    # events
    def append_event(self, event: StatusChange) -> None:
        self._s.events.append(event)

    def events_of(self, student: str) -> list[StatusChange]:
        return [e for e in self._s.events if e.student == student]

    def events_since(
        self, district: str | None, since: datetime | None
    ) -> list[StatusChange]:
        return [
            e
            for e in self._s.events
            if district in (None, e.district)
            and (since is None or e.recorded_at > since)
        ]

    # archives
    def put_archive(self, archive: Archive) -> None:
        self._s.archives[archive.student] = archive

    def get_archive(self, student: str) -> Archive | None:
        return self._s.archives.get(student)

    # obligations
    def add_obligation(self, item: StoredObligation) -> None:
        self._s.obligations[item.id] = item

    def update_obligation(self, item: StoredObligation) -> None:
        old = self._s.obligations.get(item.id)
        _check_version(
            None if old is None else old.version, item.version, "the obligation"
        )
        self._s.obligations[item.id] = item

    def get_obligation(self, obligation_id: str) -> StoredObligation | None:
        return self._s.obligations.get(obligation_id)

    def obligations(
        self,
        *,
        organisation: str | None = None,
        student: str | None = None,
        district: str | None = None,
        open_only: bool = False,
    ) -> list[StoredObligation]:
        return sorted(
            (
                o
                for o in self._s.obligations.values()
                if organisation in (None, o.obligation.organisation)
                and student in (None, o.obligation.student)
                and district in (None, o.district)
                and (o.open or not open_only)
            ),
            key=lambda o: (o.obligation.due or date.max, o.id),
        )

    # procedures
    def _claim(self, procedure: Procedure) -> None:
        if not procedure.state.open:
            return
        for student in (procedure.student, *procedure.students):
            if student is None:
                continue
            holder = self._s.open_by_student.get(student)
            if holder is not None and holder != procedure.id:
                raise OpenProcedureError(student, holder)
        for student in (procedure.student, *procedure.students):
            if student is not None:
                self._s.open_by_student[student] = procedure.id

    def _release(self, procedure: Procedure) -> None:
        for student in (procedure.student, *procedure.students):
            if student is not None and self._s.open_by_student.get(student) == (
                procedure.id
            ):
                del self._s.open_by_student[student]

    def add_procedure(self, procedure: Procedure) -> None:
        if procedure.id in self._s.procedures:
            raise StorageError(f"procedure {procedure.id} already exists")
        self._claim(procedure)
        self._s.procedures[procedure.id] = procedure

    def update_procedure(self, procedure: Procedure) -> None:
        old = self._s.procedures.get(procedure.id)
        _check_version(
            None if old is None else old.version, procedure.version, "the procedure"
        )
        if procedure.state.open:
            self._claim(procedure)
        else:
            self._release(procedure)
        self._s.procedures[procedure.id] = procedure

    def get_procedure(self, procedure_id: str) -> Procedure | None:
        return self._s.procedures.get(procedure_id)

    def open_procedure_of(self, student: str) -> Procedure | None:
        holder = self._s.open_by_student.get(student)
        return None if holder is None else self._s.procedures[holder]

    def procedures(
        self, *, district: str | None = None, open_only: bool = False
    ) -> list[Procedure]:
        return sorted(
            (
                p
                for p in self._s.procedures.values()
                if district in (None, p.district) and (p.state.open or not open_only)
            ),
            key=lambda p: (p.filed_on, p.id),
        )

    # decisions and idempotency
    def save_decision(
        self, decision: Decision, *, key: str | None, digest: str | None
    ) -> None:
        if key is not None:
            known = self._s.idempotency.get(key)
            if known is not None and known[0] != digest:
                raise DuplicateRequestError(
                    f"idempotency key {key!r} was used for a different request; "
                    "use a new key for a new request"
                )
            self._s.idempotency[key] = (digest or "", decision)
        self._s.decisions.append(decision)

    def recall(self, key: str) -> tuple[str, Decision] | None:
        return self._s.idempotency.get(key)

    def decisions_of(self, student: str) -> list[Decision]:
        return [d for d in self._s.decisions if d.student == student]

    # records
    def add_record(self, record: Record) -> None:
        # The lists are shared with the committed state: copy on write.
        self._s.records[record.kind] = [*self._s.records.get(record.kind, ()), record]

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
        return sorted(
            (
                r
                for r in self._s.records.get(kind, [])
                if student in (None, r.student)
                and school in (None, r.school)
                and district in (None, r.district)
                and (first is None or r.on >= first)
                and (last is None or r.on <= last)
            ),
            key=lambda r: (r.on, r.id),
        )

    # audit
    def append_audit(self, record: AuditRecord) -> None:
        self._s.audit.append(record)

    def audit(
        self, *, student: str | None = None, organisation: str | None = None
    ) -> list[AuditRecord]:
        return [
            a
            for a in self._s.audit
            if student in (None, a.student) and organisation in (None, a.organisation)
        ]

    # bulk work
    def students_by_id_numbers(self, id_numbers: Collection[str]) -> dict[str, Student]:
        found = {}
        for id_number in id_numbers:
            number = self._s.by_id.get(id_number)
            if number is not None:
                found[id_number] = self._s.students[number]
        return found

    def enrollments_of_students(
        self, students: Collection[str]
    ) -> dict[str, list[Enrollment]]:
        wanted = set(students)
        found: dict[str, list[Enrollment]] = {}
        for enrollment in self._s.enrollments.values():
            if enrollment.student in wanted:
                found.setdefault(enrollment.student, []).append(enrollment)
        for stints in found.values():
            stints.sort(key=lambda e: (e.first_day, e.id))
        return found

    def admissions_counts(
        self, school_year: str, schools: Collection[str]
    ) -> dict[tuple[str, int], int]:
        wanted = set(schools)
        counts: dict[tuple[str, int], int] = {}
        for e in self._s.enrollments.values():
            if e.school in wanted and e.school_year == school_year:
                counts[(e.school, e.grade)] = counts.get((e.school, e.grade), 0) + 1
        return counts

    def known_digests(self, keys: Collection[str]) -> dict[str, str]:
        return {
            key: known[0]
            for key in keys
            if (known := self._s.idempotency.get(key)) is not None
        }

    def add_students(self, students: Sequence[Student]) -> None:
        for student in students:
            if self.get_student(student.number) is not None:
                raise StorageError(f"学籍号 {student.number} already exists")
            if student.id_number is not None:
                holder = self._s.by_id.get(student.id_number)
                if holder is not None and holder != student.number:
                    raise StorageError(
                        "another student already holds this ID number (one "
                        "person, one 学籍号, 第十七条第二款)"
                    )
                # A new number has no earlier index entry to drop.
                self._s.by_id[student.id_number] = student.number
            for alias in student.aliases:
                self._s.aliases[alias] = student.number
            self._s.students[student.number] = student

    def add_enrollments(self, enrollments: Sequence[Enrollment]) -> None:
        for enrollment in enrollments:
            self.add_enrollment(enrollment)

    def append_events(self, events: Sequence[StatusChange]) -> None:
        self._s.events.extend(events)

    def add_obligations(self, items: Sequence[StoredObligation]) -> None:
        for item in items:
            self.add_obligation(item)

    def save_decisions(
        self, items: Sequence[tuple[Decision, str | None, str | None]]
    ) -> None:
        for decision, key, digest in items:
            self.save_decision(decision, key=key, digest=digest)

    def add_records(self, records: Sequence[Record]) -> None:
        by_kind: dict[str, list[Record]] = {}
        for record in records:
            by_kind.setdefault(record.kind, []).append(record)
        for kind, added in by_kind.items():
            # The lists are shared with the committed state: copy on write.
            self._s.records[kind] = [*self._s.records.get(kind, ()), *added]


class MemoryStore:
    """The reference store: the whole register in memory."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.Lock()

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    @contextmanager
    def reading(self) -> Iterator[MemoryUnitOfWork]:
        with self.unit_of_work() as uow:
            yield uow
