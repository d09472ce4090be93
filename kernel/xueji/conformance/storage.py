"""The storage contract: what every xueji store does (DESIGN.md §5, §6).

:class:`~xueji.MemoryStore` is the reference; the SQL adapter, and any store
a vendor writes, must behave the same through the port
(:class:`~xueji.UnitOfWork`).  These tests say how, using nothing but the
port and xueji's public names.

Run them against a store by subclassing :class:`StorageContract` in a test
module and supplying a ``store`` fixture::

    import pytest
    from xueji.conformance.storage import StorageContract

    class TestMyStore(StorageContract):
        @pytest.fixture
        def store(self):
            store = MyStore("…")
            yield store
            store.close()

The store need not be empty: every test writes records under identifiers of
its own (a random suffix) and looks only at those, so one database can serve
a whole session.  Two tests open two units of work at once, as two requests
would; a store whose units of work cannot overlap in one thread fails them.
"""

from __future__ import annotations

__all__ = [
    "ArchiveContract",
    "AuditContract",
    "BulkContract",
    "DecisionContract",
    "EnrollmentContract",
    "EventContract",
    "ObligationContract",
    "OrganisationContract",
    "ProcedureContract",
    "RecordContract",
    "RoundTripContract",
    "StorageContract",
    "StudentContract",
    "UnitOfWorkContract",
]

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import pytest

from xueji import (
    Archive,
    ArchiveItem,
    AuditRecord,
    ChangeKind,
    ConflictError,
    Decision,
    District,
    DocumentKind,
    DuplicateRequestError,
    Enrollment,
    EnrollmentBasis,
    Guardian,
    HrssOffice,
    Hukou,
    LocalBasis,
    Obligation,
    ObligationKind,
    OpenProcedureError,
    Outcome,
    Procedure,
    ProcedureState,
    Reason,
    Record,
    Role,
    School,
    SchoolSystem,
    SchoolType,
    Severity,
    Sex,
    Side,
    Source,
    Status,
    StatusChange,
    Step,
    StepState,
    StorageError,
    Store,
    StoredObligation,
    Student,
    Township,
    TraceStep,
    TreatedAsLocal,
    UnitOfWork,
)

R = TypeVar("R")

BEIJING = timezone(timedelta(hours=8))
ON = date(2025, 9, 1)
AT = datetime(2025, 9, 1, 8, 30, tzinfo=BEIJING)
BORN = date(2016, 3, 1)
PLUGIN = Source("xueji-haidian", "1.2.0", "district")


# ------------------------------------------------------------------ records


def student(
    number: str,
    *,
    district: str = "110108",
    id_number: str | None = None,
    name: str = "李雷",
    sex: Sex = Sex.MALE,
    birth_date: date = BORN,
    aliases: tuple[str, ...] = (),
    version: int = 1,
) -> Student:
    document = DocumentKind.PASSPORT if id_number else DocumentKind.NONE
    return Student(
        number=number,
        name=name,
        sex=sex,
        birth_date=birth_date,
        document=document,
        id_number=id_number,
        hukou=Hukou(beijing=True, district=district),
        district=district,
        aliases=aliases,
        version=version,
    )


def enrollment(
    enrollment_id: str,
    student: str,
    school: str,
    *,
    first_day: date = ON,
    school_year: str = "2025-2026",
    grade: int = 1,
    version: int = 1,
) -> Enrollment:
    return Enrollment(
        id=enrollment_id,
        student=student,
        school=school,
        district="110108",
        grade=grade,
        status=Status.ENROLLED,
        first_day=first_day,
        school_year=school_year,
        version=version,
    )


def event(
    event_id: str,
    student: str,
    district: str,
    *,
    recorded_at: datetime = AT,
) -> StatusChange:
    return StatusChange(
        id=event_id,
        student=student,
        district=district,
        on=ON,
        kind=ChangeKind.REGISTERED,
        article="第十六条",
        actor="school:S0001:王老师",
        summary="按时注册",
        recorded_at=recorded_at,
    )


def step(organisation: str, *, due: date | None = date(2025, 9, 12)) -> Step:
    return Step(
        name="区教委核办",
        role=Role.DISTRICT,
        organisation=organisation,
        article="第二十三条",
        due=due,
    )


def procedure(
    procedure_id: str,
    student: str | None,
    *,
    students: tuple[str, ...] = (),
    district: str = "110108",
    filed_on: date = ON,
    state: ProcedureState = ProcedureState.OPEN,
    version: int = 1,
) -> Procedure:
    return Procedure(
        id=procedure_id,
        kind="transfer",
        district=district,
        filed_on=filed_on,
        due=date(2025, 9, 12),
        steps=(step(district),),
        article="第二十三条",
        student=student,
        students=students,
        state=state,
        version=version,
    )


def obligation(
    obligation_id: str,
    *,
    organisation: str,
    district: str,
    student: str | None = None,
    due: date | None = date(2025, 9, 15),
    fulfilled_on: date | None = None,
    version: int = 1,
) -> StoredObligation:
    duty = Obligation(
        kind=ObligationKind.BUILD_ARCHIVE,
        text="建立学籍档案",
        role=Role.SCHOOL,
        organisation=organisation,
        arises=ON,
        due=due,
        article="第十七条第一款",
        student=student,
    )
    return StoredObligation(
        id=obligation_id,
        obligation=duty,
        district=district,
        fulfilled_on=fulfilled_on,
        version=version,
    )


def decision(request_id: str, student: str | None) -> Decision:
    return Decision(
        request_id=request_id,
        kind="registration",
        outcome=Outcome.ACCEPTED,
        decided_on=ON,
        student=student,
    )


def audit_record(
    record_id: str, organisation: str, student: str | None = None
) -> AuditRecord:
    return AuditRecord(
        id=record_id,
        at=AT,
        principal="school:S0001:王老师",
        organisation=organisation,
        action="submit registration: accepted",
        allowed=True,
        student=student,
    )


def record(
    record_id: str,
    kind: str,
    *,
    on: date = ON,
    district: str = "110108",
    student: str | None = None,
    school: str | None = None,
) -> Record:
    return Record(
        id=record_id,
        kind=kind,
        district=district,
        on=on,
        data='{"mark": "旷课"}',
        student=student,
        school=school,
    )


def school(code: str, district: str) -> School:
    return School(
        code=code,
        name="海淀区实验小学",
        district=district,
        region_code="110108",
        type=SchoolType.PRIMARY,
    )


def commit_after(uow: UnitOfWork, write: Callable[[R], None], record: R) -> None:
    """Write and commit: a store may refuse a conflicting write at either
    step (a database when writing, MemoryStore when committing)."""
    write(record)
    uow.commit()


def ours(records: Iterable[R], keep: Callable[[R], bool]) -> list[R]:
    """The records a test wrote, in the order the store gave them."""
    return [r for r in records if keep(r)]


# ------------------------------------------------------------- the contract


class _Contract:
    @pytest.fixture
    def sfx(self) -> str:
        """A suffix that makes this test's identifiers its own."""
        return uuid.uuid4().hex[:12]

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError(
            "supply a `store` fixture that returns the store under test"
        )


class UnitOfWorkContract(_Contract):
    def test_a_committed_unit_of_work_is_seen_by_the_next(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.get_student(f"G{sfx}")

        assert found == student(f"G{sfx}")

    def test_a_unit_of_work_left_without_commit_writes_nothing(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.put_organisation(District(f"d{sfx}", "测试区"))
            uow.add_student(student(f"G{sfx}", id_number=f"P{sfx}"))
            uow.add_enrollment(enrollment(f"e{sfx}", f"G{sfx}", f"s{sfx}"))
            uow.append_event(event(f"v{sfx}", f"G{sfx}", f"d{sfx}"))
            uow.put_archive(Archive(f"G{sfx}", f"s{sfx}", ON))
            uow.add_obligation(
                obligation(f"o{sfx}", organisation=f"s{sfx}", district=f"d{sfx}")
            )
            uow.add_procedure(procedure(f"p{sfx}", f"G{sfx}"))
            uow.save_decision(decision(f"r{sfx}", f"G{sfx}"), key=f"k{sfx}", digest="1")
            uow.append_audit(audit_record(f"a{sfx}", f"s{sfx}", f"G{sfx}"))
            uow.add_record(record(f"c{sfx}", f"k{sfx}", student=f"G{sfx}"))
            uow.next_serial(f"n{sfx}")

        with store.unit_of_work() as uow:
            assert uow.get_district(f"d{sfx}") is None
            assert uow.get_student(f"G{sfx}") is None
            assert uow.student_by_id_number(f"P{sfx}") is None
            assert uow.get_enrollment(f"e{sfx}") is None
            assert uow.events_of(f"G{sfx}") == []
            assert uow.get_archive(f"G{sfx}") is None
            assert uow.get_obligation(f"o{sfx}") is None
            assert uow.get_procedure(f"p{sfx}") is None
            assert uow.open_procedure_of(f"G{sfx}") is None
            assert uow.recall(f"k{sfx}") is None
            assert uow.decisions_of(f"G{sfx}") == []
            assert uow.audit(student=f"G{sfx}") == []
            assert uow.records(f"k{sfx}") == []
            assert uow.next_serial(f"n{sfx}") == 1

    def test_an_exception_in_the_block_writes_nothing(
        self, store: Store, sfx: str
    ) -> None:
        def failing_request() -> None:
            with store.unit_of_work() as uow:
                uow.add_student(student(f"G{sfx}"))
                raise RuntimeError("the request failed")

        with pytest.raises(RuntimeError):
            failing_request()

        with store.unit_of_work() as uow:
            assert uow.get_student(f"G{sfx}") is None

    def test_writes_after_a_commit_need_a_commit_of_their_own(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}-1"))
            uow.commit()
            uow.add_student(student(f"G{sfx}-2"))

        with store.unit_of_work() as uow:
            assert uow.get_student(f"G{sfx}-1") is not None
            assert uow.get_student(f"G{sfx}-2") is None

    def test_two_requests_updating_one_student_cannot_both_succeed(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as late:
            seen = late.get_student(f"G{sfx}")
            assert seen is not None
            with store.unit_of_work() as early:
                early.update_student(attrs.evolve(seen, name="韩梅梅", version=2))
                early.commit()
            with pytest.raises(ConflictError):
                commit_after(late, late.update_student, attrs.evolve(seen, version=2))

        with store.unit_of_work() as uow:
            stored = uow.get_student(f"G{sfx}")
        assert stored is not None
        assert (stored.name, stored.version) == ("韩梅梅", 2)

    def test_two_requests_racing_for_one_student_cannot_both_open_a_procedure(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as late:
            assert late.open_procedure_of(f"G{sfx}") is None
            with store.unit_of_work() as early:
                early.add_procedure(procedure(f"p{sfx}-1", f"G{sfx}"))
                early.commit()
            with pytest.raises(ConflictError):
                commit_after(
                    late, late.add_procedure, procedure(f"p{sfx}-2", f"G{sfx}")
                )

        with store.unit_of_work() as uow:
            holder = uow.open_procedure_of(f"G{sfx}")
        assert holder is not None
        assert holder.id == f"p{sfx}-1"


class OrganisationContract(_Contract):
    def test_organisations_are_read_back_by_kind_and_code(
        self, store: Store, sfx: str
    ) -> None:
        district = District(f"d{sfx}", "海淀区", "110108")
        a_school = school(f"s{sfx}", f"d{sfx}")
        township = Township(f"t{sfx}", "中关村街道", f"d{sfx}")
        office = HrssOffice(f"h{sfx}", "海淀区人力社保局", f"d{sfx}")

        with store.unit_of_work() as uow:
            for org in (district, a_school, township, office):
                uow.put_organisation(org)
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.get_district(f"d{sfx}") == district
            assert uow.get_school(f"s{sfx}") == a_school
            assert uow.get_township(f"t{sfx}") == township
            assert uow.get_hrss_office(f"h{sfx}") == office
            assert uow.get_school(f"d{sfx}") is None
            assert uow.get_district(f"s{sfx}") is None

    def test_organisation_lists_are_filtered_by_district_and_sorted_by_code(
        self, store: Store, sfx: str
    ) -> None:
        # Code point order: "-" < "B" < "_" < "a", as Python sorts strings.
        codes = [f"{sfx}a", f"{sfx}_b", f"{sfx}B", f"{sfx}-b"]
        with store.unit_of_work() as uow:
            for code in codes:
                uow.put_organisation(District(f"d{code}", "区"))
                uow.put_organisation(school(f"s{code}", f"d{sfx}"))
                uow.put_organisation(Township(f"t{code}", "街道", f"d{sfx}"))
                uow.put_organisation(HrssOffice(f"h{code}", "人社局", f"d{sfx}"))
            uow.put_organisation(school(f"s{sfx}-other", f"x{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            districts = ours(uow.districts(), lambda d: sfx in d.code)
            schools = uow.schools(f"d{sfx}")
            townships = uow.townships(f"d{sfx}")
            offices = uow.hrss_offices(f"d{sfx}")
            every_school = ours(uow.schools(), lambda s: sfx in s.code)

        in_order = sorted(codes)
        assert in_order == [f"{sfx}-b", f"{sfx}B", f"{sfx}_b", f"{sfx}a"]
        assert [d.code for d in districts] == [f"d{c}" for c in in_order]
        assert [s.code for s in schools] == [f"s{c}" for c in in_order]
        assert [t.code for t in townships] == [f"t{c}" for c in in_order]
        assert [h.code for h in offices] == [f"h{c}" for c in in_order]
        assert len(every_school) == 5

    def test_putting_an_organisation_again_replaces_it(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.put_organisation(school(f"s{sfx}", f"d{sfx}"))
            uow.put_organisation(
                attrs.evolve(school(f"s{sfx}", f"d{sfx}"), name="海淀区第二实验小学")
            )
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.get_school(f"s{sfx}")
            listed = uow.schools(f"d{sfx}")

        assert found is not None
        assert found.name == "海淀区第二实验小学"
        assert listed == [found]


class StudentContract(_Contract):
    def test_a_student_is_found_by_number_by_alias_and_by_id_number(
        self, store: Store, sfx: str
    ) -> None:
        number = f"G{sfx}"
        with store.unit_of_work() as uow:
            uow.add_student(student(number, id_number=f"P{sfx}", aliases=(f"L{sfx}",)))
            uow.commit()

        with store.unit_of_work() as uow:
            by_number = uow.get_student(number)
            by_alias = uow.get_student(f"L{sfx}")
            by_id = uow.student_by_id_number(f"P{sfx}")
            near_misses = [
                uow.get_student(number.lower()),
                uow.get_student(number + " "),
                uow.student_by_id_number(f"p{sfx}"),
                uow.get_student(f"nobody-{sfx}"),
            ]

        assert by_number is not None
        assert by_number.number == number
        assert by_alias == by_number
        assert by_id == by_number
        assert near_misses == [None, None, None, None]

    def test_students_by_particulars_match_name_sex_and_birth_date_in_adding_order(
        self, store: Store, sfx: str
    ) -> None:
        name = f"王芳{sfx}"
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}-2", name=name, sex=Sex.FEMALE))
            uow.add_student(student(f"G{sfx}-1", name=name, sex=Sex.FEMALE))
            uow.add_student(student(f"G{sfx}-3", name=name, sex=Sex.MALE))
            uow.add_student(
                student(f"G{sfx}-4", name=name, sex=Sex.FEMALE, birth_date=ON)
            )
            uow.add_student(student(f"G{sfx}-5", name=name + "一", sex=Sex.FEMALE))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.students_by_particulars(name, Sex.FEMALE, BORN)

        assert [s.number for s in found] == [f"G{sfx}-2", f"G{sfx}-1"]

    def test_adding_a_number_that_exists_or_is_an_alias_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}", aliases=(f"L{sfx}",)))
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(StorageError) as twice:
                uow.add_student(student(f"G{sfx}"))
            with pytest.raises(StorageError) as alias:
                uow.add_student(student(f"L{sfx}"))

        assert not isinstance(twice.value, ConflictError)
        assert not isinstance(alias.value, ConflictError)

    def test_a_second_student_with_the_same_id_number_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}-1", id_number=f"P{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(StorageError):
                uow.add_student(student(f"G{sfx}-2", id_number=f"P{sfx}"))
            uow.update_student(student(f"G{sfx}-1", id_number=f"P{sfx}", version=2))
            uow.add_student(student(f"G{sfx}-3", id_number=f"Q{sfx}"))
            with pytest.raises(StorageError):
                uow.update_student(student(f"G{sfx}-3", id_number=f"P{sfx}", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            holder = uow.student_by_id_number(f"P{sfx}")
            other = uow.get_student(f"G{sfx}-3")
        assert holder is not None
        assert holder.number == f"G{sfx}-1"
        assert holder.version == 2
        assert other == student(f"G{sfx}-3", id_number=f"Q{sfx}")

    def test_an_update_carries_the_next_version(self, store: Store, sfx: str) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}"))
            uow.update_student(student(f"G{sfx}", name="韩梅梅", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            uow.update_student(student(f"G{sfx}", name="李明", version=3))
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.get_student(f"G{sfx}") == student(
                f"G{sfx}", name="李明", version=3
            )

    @pytest.mark.parametrize("version", [1, 2, 4])
    def test_an_update_not_based_on_the_stored_version_is_a_conflict(
        self, store: Store, sfx: str, version: int
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}"))
            uow.update_student(student(f"G{sfx}", name="韩梅梅", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(ConflictError):
                uow.update_student(student(f"G{sfx}", name="李明", version=version))
            uow.commit()

        with store.unit_of_work() as uow:
            stored = uow.get_student(f"G{sfx}")
        assert stored == student(f"G{sfx}", name="韩梅梅", version=2)

    def test_updating_a_student_that_does_not_exist_is_an_error_not_a_conflict(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow, pytest.raises(StorageError) as error:
            uow.update_student(student(f"G{sfx}", version=2))

        assert not isinstance(error.value, ConflictError)

    def test_a_corrected_id_number_moves_the_lookup(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}", id_number=f"P{sfx}"))
            uow.update_student(student(f"G{sfx}", id_number=f"Q{sfx}", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            old = uow.student_by_id_number(f"P{sfx}")
            new = uow.student_by_id_number(f"Q{sfx}")

        assert old is None
        assert new == student(f"G{sfx}", id_number=f"Q{sfx}", version=2)

    def test_an_alias_added_by_an_update_finds_the_student(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"L{sfx}"))
            uow.add_student(student(f"G{sfx}", aliases=(f"L{sfx}",)))
            uow.update_student(
                student(f"G{sfx}", aliases=(f"L{sfx}", f"J{sfx}"), version=2)
            )
            uow.commit()

        with store.unit_of_work() as uow:
            by_old = uow.get_student(f"L{sfx}")
            by_new = uow.get_student(f"J{sfx}")

        assert by_old is not None
        assert by_old.number == f"G{sfx}"
        assert by_new == by_old

    def test_a_renumbered_student_is_found_by_the_new_and_the_old_number(
        self, store: Store, sfx: str
    ) -> None:
        name = f"王芳{sfx}"
        old = student(f"L{sfx}", id_number=f"P{sfx}", name=name)
        new = attrs.evolve(old, number=f"G{sfx}", aliases=(f"L{sfx}",), version=2)
        with store.unit_of_work() as uow:
            uow.add_student(old)
            uow.add_student(student(f"K{sfx}", name=name))
            uow.renumber_student(f"L{sfx}", new)
            uow.commit()

        with store.unit_of_work() as uow:
            by_new = uow.get_student(f"G{sfx}")
            by_old = uow.get_student(f"L{sfx}")
            by_id = uow.student_by_id_number(f"P{sfx}")
            same_particulars = uow.students_by_particulars(name, Sex.MALE, BORN)

        assert by_new == new
        assert by_old == new
        assert by_id == new
        # The renumbered student comes last, as if added now.
        assert [s.number for s in same_particulars] == [f"K{sfx}", f"G{sfx}"]

    def test_renumbering_needs_the_old_number_as_alias_and_a_free_number(
        self, store: Store, sfx: str
    ) -> None:
        old = student(f"L{sfx}")
        with store.unit_of_work() as uow:
            uow.add_student(old)
            uow.add_student(student(f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(StorageError):
                uow.renumber_student(
                    f"L{sfx}", attrs.evolve(old, number=f"J{sfx}", version=2)
                )
            with pytest.raises(StorageError):
                uow.renumber_student(
                    f"L{sfx}",
                    attrs.evolve(
                        old, number=f"G{sfx}", aliases=(f"L{sfx}",), version=2
                    ),
                )
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.get_student(f"L{sfx}") == old
            assert uow.get_student(f"J{sfx}") is None

    def test_renumbering_from_a_stale_version_is_a_conflict(
        self, store: Store, sfx: str
    ) -> None:
        old = student(f"L{sfx}", version=2)
        with store.unit_of_work() as uow:
            uow.add_student(old)
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(ConflictError):
                uow.renumber_student(
                    f"L{sfx}",
                    attrs.evolve(old, number=f"G{sfx}", aliases=(f"L{sfx}",)),
                )
            with pytest.raises(StorageError) as missing:
                uow.renumber_student(
                    f"X{sfx}",
                    attrs.evolve(old, number=f"H{sfx}", aliases=(f"X{sfx}",)),
                )
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.get_student(f"L{sfx}") == old
        assert not isinstance(missing.value, ConflictError)

    def test_serial_numbers_count_from_one_per_key(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            first = [uow.next_serial(f"a{sfx}") for _ in range(3)]
            other = uow.next_serial(f"b{sfx}")
            uow.commit()

        with store.unit_of_work() as uow:
            later = uow.next_serial(f"a{sfx}")

        assert first == [1, 2, 3]
        assert other == 1
        assert later == 4


class EnrollmentContract(_Contract):
    def test_enrollments_of_a_student_are_ordered_by_first_day_then_id(
        self, store: Store, sfx: str
    ) -> None:
        number = f"G{sfx}"
        with store.unit_of_work() as uow:
            uow.add_enrollment(enrollment(f"{sfx}b", number, "S1", first_day=ON))
            uow.add_enrollment(
                enrollment(f"{sfx}c", number, "S1", first_day=date(2024, 9, 1))
            )
            uow.add_enrollment(enrollment(f"{sfx}B", number, "S1", first_day=ON))
            uow.add_enrollment(enrollment(f"{sfx}a", f"other{sfx}", "S1"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.enrollments_of(number)

        assert [e.id for e in found] == [f"{sfx}c", f"{sfx}B", f"{sfx}b"]

    def test_enrollments_at_a_school_are_ordered_by_id(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            for enrollment_id in (f"{sfx}a", f"{sfx}_", f"{sfx}A", f"{sfx}-"):
                uow.add_enrollment(enrollment(enrollment_id, f"G{sfx}", f"s{sfx}"))
            uow.add_enrollment(enrollment(f"{sfx}0", f"G{sfx}", f"other{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.enrollments_at(f"s{sfx}")

        assert [e.id for e in found] == [f"{sfx}-", f"{sfx}A", f"{sfx}_", f"{sfx}a"]

    def test_admissions_count_counts_one_school_year_and_grade(
        self, store: Store, sfx: str
    ) -> None:
        at = f"s{sfx}"
        with store.unit_of_work() as uow:
            uow.add_enrollment(enrollment(f"{sfx}1", "G1", at, grade=1))
            uow.add_enrollment(enrollment(f"{sfx}2", "G2", at, grade=1))
            uow.add_enrollment(enrollment(f"{sfx}3", "G3", at, grade=2))
            uow.add_enrollment(
                enrollment(f"{sfx}4", "G4", at, grade=1, school_year="2024-2025")
            )
            uow.add_enrollment(enrollment(f"{sfx}5", "G5", f"other{sfx}", grade=1))
            uow.commit()

        with store.unit_of_work() as uow:
            counts = (
                uow.admissions_count(at, "2025-2026", 1),
                uow.admissions_count(at, "2025-2026", 2),
                uow.admissions_count(at, "2025-2026", 3),
            )

        assert counts == (2, 1, 0)

    def test_adding_an_enrollment_twice_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_enrollment(enrollment(f"e{sfx}", f"G{sfx}", "S1"))
            with pytest.raises(StorageError):
                uow.add_enrollment(enrollment(f"e{sfx}", f"G{sfx}", "S2"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.get_enrollment(f"e{sfx}")
        assert found is not None
        assert found.school == "S1"

    def test_an_enrollment_update_needs_the_next_version(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_enrollment(enrollment(f"e{sfx}", f"G{sfx}", "S1"))
            uow.update_enrollment(
                enrollment(f"e{sfx}", f"G{sfx}", "S1", grade=2, version=2)
            )
            with pytest.raises(ConflictError):
                uow.update_enrollment(
                    enrollment(f"e{sfx}", f"G{sfx}", "S1", grade=3, version=2)
                )
            with pytest.raises(StorageError):
                uow.update_enrollment(enrollment(f"x{sfx}", f"G{sfx}", "S1", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.get_enrollment(f"e{sfx}")
        assert found == enrollment(f"e{sfx}", f"G{sfx}", "S1", grade=2, version=2)


class EventContract(_Contract):
    def test_events_are_read_back_in_the_order_appended(
        self, store: Store, sfx: str
    ) -> None:
        number = f"G{sfx}"
        later = AT + timedelta(days=1)
        with store.unit_of_work() as uow:
            uow.append_event(event(f"{sfx}c", number, "110108", recorded_at=later))
            uow.append_event(event(f"{sfx}a", number, "110108"))
            uow.append_event(event(f"{sfx}x", f"other{sfx}", "110108"))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.append_event(event(f"{sfx}b", number, "110108"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.events_of(number)

        assert [e.id for e in found] == [f"{sfx}c", f"{sfx}a", f"{sfx}b"]

    def test_events_since_filter_by_district_and_strictly_later_instants(
        self, store: Store, sfx: str
    ) -> None:
        here, there = f"d{sfx}", f"x{sfx}"
        noon_utc = datetime(2025, 9, 1, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
        with store.unit_of_work() as uow:
            uow.append_event(event(f"{sfx}1", "G1", here, recorded_at=AT))
            uow.append_event(event(f"{sfx}2", "G2", here, recorded_at=noon_utc))
            uow.append_event(
                event(f"{sfx}3", "G3", there, recorded_at=AT + timedelta(hours=8))
            )
            uow.append_event(
                event(f"{sfx}4", "G4", here, recorded_at=AT + timedelta(seconds=1))
            )
            uow.commit()

        with store.unit_of_work() as uow:
            everything = uow.events_since(None, None)
            in_district = uow.events_since(here, None)
            after = uow.events_since(None, AT)
            just_before_noon = uow.events_since(
                here, datetime(2025, 9, 1, 11, 59, 59, 999999, tzinfo=BEIJING)
            )
            at_noon = uow.events_since(here, noon_utc)

        def mine(found: list[StatusChange]) -> list[str]:
            return [e.id.removeprefix(sfx) for e in found if e.id.startswith(sfx)]

        assert mine(everything) == ["1", "2", "3", "4"]
        assert mine(in_district) == ["1", "2", "4"]
        assert mine(after) == ["2", "3", "4"]
        assert mine(just_before_noon) == ["2"]
        assert mine(at_noon) == []


class ArchiveContract(_Contract):
    def test_an_archive_is_put_read_and_replaced(self, store: Store, sfx: str) -> None:
        first = Archive(f"G{sfx}", "S1", ON)
        second = Archive(f"G{sfx}", "S2", ON, ((ArchiveItem.BASIC, "基础信息"),))
        with store.unit_of_work() as uow:
            uow.put_archive(first)
            uow.commit()
        with store.unit_of_work() as uow:
            kept = uow.get_archive(f"G{sfx}")
            uow.put_archive(second)
            uow.commit()

        with store.unit_of_work() as uow:
            replaced = uow.get_archive(f"G{sfx}")
            missing = uow.get_archive(f"nobody{sfx}")

        assert kept == first
        assert replaced == second
        assert missing is None


class ObligationContract(_Contract):
    def test_obligations_filter_by_organisation_student_district_and_openness(
        self, store: Store, sfx: str
    ) -> None:
        school_a, school_b, here = f"a{sfx}", f"b{sfx}", f"d{sfx}"
        with store.unit_of_work() as uow:
            uow.add_obligation(
                obligation(
                    f"{sfx}1", organisation=school_a, district=here, student="G1"
                )
            )
            uow.add_obligation(
                obligation(
                    f"{sfx}2",
                    organisation=school_a,
                    district=here,
                    student="G2",
                    fulfilled_on=ON,
                )
            )
            uow.add_obligation(
                obligation(
                    f"{sfx}3", organisation=school_b, district=here, student="G1"
                )
            )
            uow.add_obligation(
                obligation(f"{sfx}4", organisation=school_b, district=f"x{sfx}")
            )
            uow.commit()

        def ids(found: list[StoredObligation]) -> list[str]:
            return [o.id.removeprefix(sfx) for o in found if o.id.startswith(sfx)]

        with store.unit_of_work() as uow:
            assert ids(uow.obligations(organisation=school_a)) == ["1", "2"]
            assert ids(uow.obligations(organisation=school_a, open_only=True)) == ["1"]
            assert ids(uow.obligations(student="G1", district=here)) == ["1", "3"]
            assert ids(uow.obligations(district=here)) == ["1", "2", "3"]
            assert ids(uow.obligations(district=here, open_only=True)) == ["1", "3"]
            assert ids(uow.obligations()) == ["1", "2", "3", "4"]
            assert ids(uow.obligations(open_only=True)) == ["1", "3", "4"]

    def test_obligations_are_ordered_by_due_date_then_id_undated_last(
        self, store: Store, sfx: str
    ) -> None:
        org, here = f"s{sfx}", f"d{sfx}"
        dues: dict[str, date | None] = {
            "b": date(2025, 9, 10),
            "a": None,
            "c": date(2025, 9, 3),
            "A": date(2025, 9, 10),
            "d": date.max,
            "_": None,
        }
        with store.unit_of_work() as uow:
            for suffix, due in dues.items():
                uow.add_obligation(
                    obligation(
                        f"{sfx}{suffix}", organisation=org, district=here, due=due
                    )
                )
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.obligations(organisation=org)

        assert [o.id.removeprefix(sfx) for o in found] == ["c", "A", "b", "_", "a", "d"]

    def test_an_obligation_is_fulfilled_by_a_versioned_update(
        self, store: Store, sfx: str
    ) -> None:
        item = obligation(f"o{sfx}", organisation=f"s{sfx}", district=f"d{sfx}")
        done = attrs.evolve(
            item, fulfilled_on=ON, fulfilled_by="school:S1:王老师", version=2
        )
        with store.unit_of_work() as uow:
            uow.add_obligation(item)
            uow.update_obligation(done)
            with pytest.raises(ConflictError):
                uow.update_obligation(attrs.evolve(done, outcome="again"))
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.get_obligation(f"o{sfx}")
            still_open = uow.obligations(organisation=f"s{sfx}", open_only=True)

        assert found == done
        assert still_open == []

    def test_adding_an_obligation_again_replaces_it(
        self, store: Store, sfx: str
    ) -> None:
        item = obligation(f"o{sfx}", organisation=f"s{sfx}", district=f"d{sfx}")
        again = attrs.evolve(item, outcome="re-issued")
        with store.unit_of_work() as uow:
            uow.add_obligation(item)
            uow.add_obligation(again)
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.obligations(organisation=f"s{sfx}")

        assert found == [again]


class ProcedureContract(_Contract):
    def test_a_second_open_procedure_for_a_student_is_refused_naming_the_holder(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"p{sfx}-1", f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow, pytest.raises(OpenProcedureError) as error:
            uow.add_procedure(procedure(f"p{sfx}-2", f"G{sfx}"))

        assert (error.value.student, error.value.procedure) == (f"G{sfx}", f"p{sfx}-1")

    def test_a_refused_procedure_writes_nothing_and_the_unit_of_work_goes_on(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"p{sfx}-1", f"G{sfx}"))
            with pytest.raises(OpenProcedureError):
                uow.add_procedure(procedure(f"p{sfx}-2", f"G{sfx}"))
            uow.add_student(student(f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            refused = uow.get_procedure(f"p{sfx}-2")
            holder = uow.open_procedure_of(f"G{sfx}")
            added = uow.get_student(f"G{sfx}")

        assert refused is None
        assert holder == procedure(f"p{sfx}-1", f"G{sfx}")
        assert added is not None

    def test_closing_a_procedure_lets_the_student_file_another(
        self, store: Store, sfx: str
    ) -> None:
        first = procedure(f"p{sfx}-1", f"G{sfx}")
        with store.unit_of_work() as uow:
            uow.add_procedure(first)
            uow.commit()
        with store.unit_of_work() as uow:
            closed = attrs.evolve(
                first, state=ProcedureState.WITHDRAWN, closed_on=ON, version=2
            )
            uow.update_procedure(closed)
            uow.commit()
        with store.unit_of_work() as uow:
            nothing_open = uow.open_procedure_of(f"G{sfx}")
            uow.add_procedure(procedure(f"p{sfx}-2", f"G{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow:
            holder = uow.open_procedure_of(f"G{sfx}")

        assert nothing_open is None
        assert holder is not None
        assert holder.id == f"p{sfx}-2"

    def test_a_procedure_updated_while_open_keeps_its_claim(
        self, store: Store, sfx: str
    ) -> None:
        first = procedure(f"p{sfx}", f"G{sfx}")
        updated = attrs.evolve(first, applicant="guardian", version=2)
        with store.unit_of_work() as uow:
            uow.add_procedure(first)
            uow.update_procedure(updated)
            uow.commit()

        with store.unit_of_work() as uow:
            holder = uow.open_procedure_of(f"G{sfx}")
            with pytest.raises(OpenProcedureError):
                uow.add_procedure(procedure(f"q{sfx}", f"G{sfx}"))

        assert holder == updated

    def test_a_batch_procedure_claims_every_student(
        self, store: Store, sfx: str
    ) -> None:
        batch = procedure(f"p{sfx}", None, students=(f"G{sfx}-1", f"G{sfx}-2"))
        with store.unit_of_work() as uow:
            uow.add_procedure(batch)
            uow.commit()

        with store.unit_of_work() as uow:
            holders = [uow.open_procedure_of(f"G{sfx}-{i}") for i in (1, 2)]
            with pytest.raises(OpenProcedureError) as error:
                uow.add_procedure(procedure(f"q{sfx}", f"G{sfx}-2"))

        assert holders == [batch, batch]
        assert (error.value.student, error.value.procedure) == (f"G{sfx}-2", f"p{sfx}")

    def test_a_batch_with_one_claimed_student_claims_none(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"p{sfx}", f"G{sfx}-2"))
            batch = procedure(f"q{sfx}", None, students=(f"G{sfx}-1", f"G{sfx}-2"))
            with pytest.raises(OpenProcedureError) as error:
                uow.add_procedure(batch)
            uow.commit()

        with store.unit_of_work() as uow:
            free = uow.open_procedure_of(f"G{sfx}-1")
            refused = uow.get_procedure(f"q{sfx}")

        assert (error.value.student, error.value.procedure) == (f"G{sfx}-2", f"p{sfx}")
        assert free is None
        assert refused is None

    def test_closing_a_batch_frees_every_student(self, store: Store, sfx: str) -> None:
        batch = procedure(f"p{sfx}", f"G{sfx}-1", students=(f"G{sfx}-1", f"G{sfx}-2"))
        with store.unit_of_work() as uow:
            uow.add_procedure(batch)
            uow.update_procedure(
                attrs.evolve(batch, state=ProcedureState.APPROVED, version=2)
            )
            uow.commit()

        with store.unit_of_work() as uow:
            holders = [uow.open_procedure_of(f"G{sfx}-{i}") for i in (1, 2)]

        assert holders == [None, None]

    def test_a_procedure_added_closed_claims_no_one(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"p{sfx}", f"G{sfx}"))
            closed = procedure(f"q{sfx}", f"G{sfx}", state=ProcedureState.REJECTED)
            uow.add_procedure(closed)
            uow.commit()

        with store.unit_of_work() as uow:
            holder = uow.open_procedure_of(f"G{sfx}")
            stored = uow.get_procedure(f"q{sfx}")

        assert holder is not None
        assert holder.id == f"p{sfx}"
        assert stored == closed

    def test_procedures_filter_by_district_and_openness_ordered_by_filing_date(
        self, store: Store, sfx: str
    ) -> None:
        here = f"d{sfx}"
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"{sfx}b", f"G{sfx}-1", district=here))
            uow.add_procedure(
                procedure(
                    f"{sfx}c", f"G{sfx}-2", district=here, filed_on=date(2025, 6, 1)
                )
            )
            uow.add_procedure(
                procedure(
                    f"{sfx}A", f"G{sfx}-3", district=here, state=ProcedureState.APPROVED
                )
            )
            uow.add_procedure(procedure(f"{sfx}a", f"G{sfx}-4", district=f"x{sfx}"))
            uow.commit()

        def ids(found: list[Procedure]) -> list[str]:
            return [p.id.removeprefix(sfx) for p in found if p.id.startswith(sfx)]

        with store.unit_of_work() as uow:
            assert ids(uow.procedures(district=here)) == ["c", "A", "b"]
            assert ids(uow.procedures(district=here, open_only=True)) == ["c", "b"]
            assert ids(uow.procedures(open_only=True)) == ["c", "a", "b"]

    def test_adding_a_procedure_twice_is_refused(self, store: Store, sfx: str) -> None:
        with store.unit_of_work() as uow:
            uow.add_procedure(procedure(f"p{sfx}", f"G{sfx}"))
            with pytest.raises(StorageError) as error:
                uow.add_procedure(procedure(f"p{sfx}", f"H{sfx}"))

        assert not isinstance(error.value, ConflictError)

    def test_a_procedure_update_needs_the_next_version(
        self, store: Store, sfx: str
    ) -> None:
        first = procedure(f"p{sfx}", f"G{sfx}")
        with store.unit_of_work() as uow:
            uow.add_procedure(first)
            with pytest.raises(ConflictError):
                uow.update_procedure(
                    attrs.evolve(first, state=ProcedureState.APPROVED, version=3)
                )
            with pytest.raises(StorageError):
                uow.update_procedure(procedure(f"x{sfx}", f"G{sfx}", version=2))
            uow.commit()

        with store.unit_of_work() as uow:
            stored = uow.get_procedure(f"p{sfx}")
            holder = uow.open_procedure_of(f"G{sfx}")

        assert stored == first
        assert holder == first


class DecisionContract(_Contract):
    def test_a_decision_with_a_key_is_recalled_with_its_digest(
        self, store: Store, sfx: str
    ) -> None:
        made = decision(f"r{sfx}", f"G{sfx}")
        with store.unit_of_work() as uow:
            uow.save_decision(made, key=f"k{sfx}", digest="abc")
            uow.commit()

        with store.unit_of_work() as uow:
            recalled = uow.recall(f"k{sfx}")
            unknown = uow.recall(f"other{sfx}")

        assert recalled == ("abc", made)
        assert unknown is None

    def test_the_same_key_and_digest_may_be_saved_again(
        self, store: Store, sfx: str
    ) -> None:
        first = decision(f"r{sfx}-1", f"G{sfx}")
        second = decision(f"r{sfx}-2", f"G{sfx}")
        with store.unit_of_work() as uow:
            uow.save_decision(first, key=f"k{sfx}", digest="abc")
            uow.commit()
        with store.unit_of_work() as uow:
            uow.save_decision(second, key=f"k{sfx}", digest="abc")
            uow.commit()

        with store.unit_of_work() as uow:
            recalled = uow.recall(f"k{sfx}")
            saved = uow.decisions_of(f"G{sfx}")

        assert recalled == ("abc", second)
        assert saved == [first, second]

    def test_the_same_key_with_another_digest_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        first = decision(f"r{sfx}-1", f"G{sfx}")
        with store.unit_of_work() as uow:
            uow.save_decision(first, key=f"k{sfx}", digest="abc")
            uow.commit()

        with store.unit_of_work() as uow:
            with pytest.raises(DuplicateRequestError):
                uow.save_decision(
                    decision(f"r{sfx}-2", f"G{sfx}"), key=f"k{sfx}", digest="xyz"
                )
            uow.commit()

        with store.unit_of_work() as uow:
            assert uow.recall(f"k{sfx}") == ("abc", first)
            assert uow.decisions_of(f"G{sfx}") == [first]

    def test_decisions_of_a_student_come_in_the_order_saved(
        self, store: Store, sfx: str
    ) -> None:
        made = [decision(f"{sfx}{c}", f"G{sfx}") for c in "cab"]
        with store.unit_of_work() as uow:
            for one in made:
                uow.save_decision(one, key=None, digest=None)
            uow.save_decision(decision(f"{sfx}x", f"H{sfx}"), key=None, digest=None)
            uow.save_decision(decision(f"{sfx}y", None), key=None, digest=None)
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.decisions_of(f"G{sfx}")

        assert found == made


class RecordContract(_Contract):
    def test_records_filter_by_kind_student_school_district_and_days(
        self, store: Store, sfx: str
    ) -> None:
        kind, here = f"absence-{sfx}", f"d{sfx}"
        with store.unit_of_work() as uow:
            uow.add_record(record("b", kind, student="G1", school="S1", district=here))
            uow.add_record(
                record("a", kind, student="G2", school="S1", on=date(2025, 9, 2))
            )
            uow.add_record(
                record("c", kind, student="G1", school="S2", on=date(2025, 8, 31))
            )
            uow.add_record(record("A", kind, student="G1", school="S1", district=here))
            uow.add_record(record("z", f"other-{sfx}", student="G1"))
            uow.commit()

        def ids(found: list[Record]) -> list[str]:
            return [r.id for r in found]

        with store.unit_of_work() as uow:
            assert ids(uow.records(kind)) == ["c", "A", "b", "a"]
            assert ids(uow.records(kind, student="G1")) == ["c", "A", "b"]
            assert ids(uow.records(kind, school="S1")) == ["A", "b", "a"]
            assert ids(uow.records(kind, district=here)) == ["A", "b"]
            assert ids(uow.records(kind, first=ON)) == ["A", "b", "a"]
            assert ids(uow.records(kind, last=ON)) == ["c", "A", "b"]
            assert ids(uow.records(kind, first=ON, last=ON)) == ["A", "b"]
            assert ids(uow.records(kind, student="G1", school="S2")) == ["c"]
            assert uow.records(f"none-{sfx}") == []

    def test_a_correction_is_a_new_record_and_both_are_kept(
        self, store: Store, sfx: str
    ) -> None:
        kind = f"absence-{sfx}"
        first = record("r1", kind, student="G1")
        correction = attrs.evolve(record("r2", kind, student="G1"), supersedes="r1")
        with store.unit_of_work() as uow:
            uow.add_record(first)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.add_record(correction)
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.records(kind)

        assert found == [first, correction]


class AuditContract(_Contract):
    def test_audit_records_filter_by_student_and_organisation_in_order(
        self, store: Store, sfx: str
    ) -> None:
        school_a, school_b = f"a{sfx}", f"b{sfx}"
        with store.unit_of_work() as uow:
            uow.append_audit(audit_record(f"{sfx}3", school_a, f"G{sfx}"))
            uow.append_audit(audit_record(f"{sfx}1", school_b, f"G{sfx}"))
            uow.append_audit(audit_record(f"{sfx}2", school_a))
            uow.append_audit(audit_record(f"{sfx}4", school_a, f"H{sfx}"))
            uow.commit()

        def ids(found: list[AuditRecord]) -> list[str]:
            return [a.id.removeprefix(sfx) for a in found if a.id.startswith(sfx)]

        with store.unit_of_work() as uow:
            assert ids(uow.audit(student=f"G{sfx}")) == ["3", "1"]
            assert ids(uow.audit(organisation=school_a)) == ["3", "2", "4"]
            assert ids(uow.audit(student=f"G{sfx}", organisation=school_a)) == ["3"]
            assert ids(uow.audit()) == ["3", "1", "2", "4"]


# ------------------------------------------------------------- round trips


def _full_student(sfx: str) -> Student:
    return Student(
        number=f"L{sfx}",
        name="欧阳·娜娜",
        sex=Sex.FEMALE,
        birth_date=date(2012, 2, 29),
        document=DocumentKind.HMT_RESIDENCE_PERMIT,
        id_number=f"830000{sfx}",
        hukou=Hukou(beijing=False, province="台湾"),
        district="110108",
        treated_as_local=(
            TreatedAsLocal(
                LocalBasis.WORK_RESIDENCE_PERMIT,
                "京工居字第001号",
                valid_from=date(2024, 1, 1),
                valid_to=date(2026, 12, 31),
            ),
            TreatedAsLocal(LocalBasis.OTHER_POLICY, "证明", policy="某政策"),
        ),
        residence_district="110108",
        residence_township="110108001",
        address="海淀区中关村大街1号",
        guardians=(Guardian("欧阳修", "父亲", "13800000000"), Guardian("李娜", "母亲")),
        disabled=True,
        aliases=(f"T{sfx}",),
        version=3,
    )


def _full_enrollment(sfx: str) -> Enrollment:
    return Enrollment(
        id=f"e{sfx}",
        student=f"L{sfx}",
        school="S0001",
        district="110108",
        grade=7,
        status=Status.SUSPENDED,
        first_day=date(2024, 9, 1),
        school_year="2024-2025",
        last_day=date(2027, 7, 15),
        basis=EnrollmentBasis.SPECIAL_EDUCATION_DUAL,
        registered_on=date(2024, 9, 2),
        status_until=date(2026, 1, 31),
        version=2,
    )


def _full_event(sfx: str) -> StatusChange:
    return StatusChange(
        id=f"v{sfx}",
        student=f"L{sfx}",
        district="110108",
        on=date(2025, 3, 3),
        kind=ChangeKind.STATUS,
        article="第三十三条",
        actor="district:110108:张科长",
        summary="休学",
        recorded_at=datetime(2025, 3, 3, 9, 15, 30, 123456, tzinfo=BEIJING),
        enrollment=f"e{sfx}",
        source_status=Status.ENROLLED,
        target_status=Status.SUSPENDED,
        request_id=f"r{sfx}",
        data=(("reason", "病休"), ("hospital", "北京大学第三医院")),
    )


def _full_procedure(sfx: str) -> Procedure:
    done = Step(
        name="转出学校审核",
        role=Role.SCHOOL,
        organisation="S0001",
        article="第二十三条",
        due=date(2025, 6, 20),
        side=Side.SENDING,
        state=StepState.APPROVED,
        actor="school:S0001:王老师",
        acted_at=datetime(2025, 6, 18, 2, 0, tzinfo=UTC),
        acted_on=date(2025, 6, 18),
        comment="同意",
    )
    waiting = Step(
        name="转入区备案",
        role=Role.DISTRICT,
        organisation="110105",
        article="第二十六条",
        due=None,
        side=Side.RECEIVING,
        filing=True,
    )
    return Procedure(
        id=f"p{sfx}",
        kind="transfer",
        district="110108",
        filed_on=date(2025, 6, 16),
        due=None,
        steps=(done, waiting),
        article="第二十三条",
        student=f"L{sfx}",
        students=(f"M{sfx}",),
        state=ProcedureState.OPEN,
        payload='{"reason": "家庭搬迁"}',
        applicant="guardian:欧阳修",
        entered_by="school:S0001:王老师",
        closed_on=None,
        version=4,
    )


def _full_obligation(sfx: str) -> StoredObligation:
    return StoredObligation(
        id=f"o{sfx}",
        obligation=Obligation(
            kind=ObligationKind.INFORM_TOWNSHIP,
            text="书面报告乡镇人民政府",
            role=Role.SCHOOL,
            organisation="S0001",
            arises=date(2025, 10, 13),
            due=None,
            article="第二十条第二款",
            student=f"L{sfx}",
            source=PLUGIN,
        ),
        district="110108",
        decision=f"r{sfx}",
        procedure=f"p{sfx}",
        fulfilled_on=date(2025, 10, 14),
        fulfilled_by="school:S0001:王老师",
        outcome="已报告",
        version=2,
    )


def _full_decision(sfx: str) -> Decision:
    return Decision(
        request_id=f"r{sfx}",
        kind="suspension",
        outcome=Outcome.PENDING,
        decided_on=date(2025, 3, 3),
        student=f"L{sfx}",
        reasons=(
            Reason("late-filing", "逾期申请", "第二十九条", Severity.WARNING, PLUGIN),
            Reason("missing-record", "缺少病历", "第三十二条", Severity.MISSING),
        ),
        obligations=(_full_obligation(sfx).obligation,),
        events=(f"v{sfx}", f"w{sfx}"),
        trace=(TraceStep("edition", "第五十二条", "in force"),),
        next_steps=("区教委审核",),
    )


def _full_audit(sfx: str) -> AuditRecord:
    return AuditRecord(
        id=f"a{sfx}",
        at=datetime(2025, 3, 3, 1, 15, tzinfo=UTC),
        principal="auditor:110000:赵审计",
        organisation="110000",
        action="read history",
        allowed=False,
        student=f"L{sfx}",
        target=f"p{sfx}",
        on_behalf_of="110108",
        detail="outside its scope",
    )


def _full_record(sfx: str) -> Record:
    return Record(
        id=f"c{sfx}",
        kind=f"sanction-{sfx}",
        district="110108",
        on=date(2025, 11, 3),
        data='{"sanction": "警告", "article": "第二十条"}',
        student=f"L{sfx}",
        school="S0001",
        until=date(2026, 5, 3),
        supersedes=f"b{sfx}",
        recorded_at=datetime(2025, 11, 3, 10, 0, tzinfo=BEIJING),
    )


def _full_school(sfx: str) -> School:
    return School(
        code=f"s{sfx}",
        name="北京市第一〇一中学",
        district="110108",
        region_code="110108",
        type=SchoolType.TWELVE_YEAR,
        system=SchoolSystem(5, 4, consent="京教基〔2020〕1号"),
        townships=("110108001", "110108002"),
    )


Write = Callable[[UnitOfWork, str], Any]
Read = Callable[[UnitOfWork, str], Any]

_ROUND_TRIPS: dict[str, tuple[Callable[[str], Any], Write, Read]] = {
    "student": (
        _full_student,
        lambda uow, sfx: uow.add_student(_full_student(sfx)),
        lambda uow, sfx: uow.get_student(f"L{sfx}"),
    ),
    "enrollment": (
        _full_enrollment,
        lambda uow, sfx: uow.add_enrollment(_full_enrollment(sfx)),
        lambda uow, sfx: uow.enrollments_of(f"L{sfx}")[0],
    ),
    "event": (
        _full_event,
        lambda uow, sfx: uow.append_event(_full_event(sfx)),
        lambda uow, sfx: uow.events_of(f"L{sfx}")[0],
    ),
    "archive": (
        lambda sfx: Archive(
            f"L{sfx}",
            "S0001",
            date(2024, 9, 10),
            ((ArchiveItem.BASIC, "基础信息"), (ArchiveItem.HEALTH, "体检 2024")),
        ),
        lambda uow, sfx: uow.put_archive(
            Archive(
                f"L{sfx}",
                "S0001",
                date(2024, 9, 10),
                ((ArchiveItem.BASIC, "基础信息"), (ArchiveItem.HEALTH, "体检 2024")),
            )
        ),
        lambda uow, sfx: uow.get_archive(f"L{sfx}"),
    ),
    "obligation": (
        _full_obligation,
        lambda uow, sfx: uow.add_obligation(_full_obligation(sfx)),
        lambda uow, sfx: uow.obligations(student=f"L{sfx}")[0],
    ),
    "procedure": (
        _full_procedure,
        lambda uow, sfx: uow.add_procedure(_full_procedure(sfx)),
        lambda uow, sfx: uow.open_procedure_of(f"M{sfx}"),
    ),
    "decision": (
        _full_decision,
        lambda uow, sfx: uow.save_decision(_full_decision(sfx), key=None, digest=None),
        lambda uow, sfx: uow.decisions_of(f"L{sfx}")[0],
    ),
    "audit record": (
        _full_audit,
        lambda uow, sfx: uow.append_audit(_full_audit(sfx)),
        lambda uow, sfx: uow.audit(student=f"L{sfx}")[0],
    ),
    "record": (
        lambda sfx: _full_record(sfx),
        lambda uow, sfx: uow.add_record(_full_record(sfx)),
        lambda uow, sfx: uow.records(f"sanction-{sfx}")[0],
    ),
    "school": (
        _full_school,
        lambda uow, sfx: uow.put_organisation(_full_school(sfx)),
        lambda uow, sfx: uow.get_school(f"s{sfx}"),
    ),
    "district without a region code": (
        lambda sfx: District(f"d{sfx}", "燕山地区", None, "燕山教育委员会"),
        lambda uow, sfx: uow.put_organisation(
            District(f"d{sfx}", "燕山地区", None, "燕山教育委员会")
        ),
        lambda uow, sfx: uow.get_district(f"d{sfx}"),
    ),
}


class RoundTripContract(_Contract):
    @pytest.mark.parametrize("kind", list(_ROUND_TRIPS))
    def test_every_record_reads_back_equal_after_a_commit(
        self, store: Store, sfx: str, kind: str
    ) -> None:
        build, write, read = _ROUND_TRIPS[kind]
        with store.unit_of_work() as uow:
            write(uow, sfx)
            uow.commit()

        with store.unit_of_work() as uow:
            found = read(uow, sfx)

        assert found == build(sfx)


class BulkContract(_Contract):
    """The bulk methods do what the one-item methods do, item by item."""

    def test_students_by_id_numbers_finds_each_holder_and_skips_the_rest(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_students(
                [
                    student(f"G{sfx}a", id_number=f"A{sfx}"),
                    student(f"G{sfx}b", id_number=f"B{sfx}"),
                    student(f"G{sfx}c"),
                ]
            )
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.students_by_id_numbers([f"A{sfx}", f"B{sfx}", f"C{sfx}"])

        assert found == {
            f"A{sfx}": student(f"G{sfx}a", id_number=f"A{sfx}"),
            f"B{sfx}": student(f"G{sfx}b", id_number=f"B{sfx}"),
        }

    def test_added_students_are_found_as_if_added_one_by_one(
        self, store: Store, sfx: str
    ) -> None:
        added = [
            student(f"G{sfx}a", id_number=f"A{sfx}", name=f"韩梅梅{sfx}"),
            student(f"L{sfx}b", aliases=(f"L{sfx}old",), name=f"韩梅梅{sfx}"),
        ]
        with store.unit_of_work() as uow:
            uow.add_students(added)
            uow.commit()

        with store.unit_of_work() as uow:
            found = (
                uow.get_student(f"G{sfx}a"),
                uow.get_student(f"L{sfx}old"),
                uow.student_by_id_number(f"A{sfx}"),
                uow.students_by_particulars(f"韩梅梅{sfx}", Sex.MALE, BORN),
            )

        assert found == (added[0], added[1], added[0], added)

    def test_adding_students_refuses_a_taken_number_or_id_number(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_student(student(f"G{sfx}", id_number=f"A{sfx}"))
            uow.commit()

        with store.unit_of_work() as uow, pytest.raises(StorageError):
            uow.add_students([student(f"G{sfx}x"), student(f"G{sfx}")])
        with store.unit_of_work() as uow, pytest.raises(StorageError):
            uow.add_students([student(f"G{sfx}y", id_number=f"A{sfx}")])
        with store.unit_of_work() as uow, pytest.raises(StorageError):
            uow.add_students(
                [
                    student(f"G{sfx}p", id_number=f"P{sfx}"),
                    student(f"G{sfx}q", id_number=f"P{sfx}"),
                ]
            )

    def test_enrollments_of_students_are_those_of_each_in_order(
        self, store: Store, sfx: str
    ) -> None:
        a, b = f"G{sfx}a", f"G{sfx}b"
        with store.unit_of_work() as uow:
            uow.add_enrollments(
                [
                    enrollment(f"{sfx}2", a, "S1", first_day=ON),
                    enrollment(f"{sfx}1", a, "S1", first_day=date(2024, 9, 1)),
                    enrollment(f"{sfx}3", b, "S2"),
                ]
            )
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.enrollments_of_students([a, b, f"G{sfx}none"])
            one_by_one = {a: uow.enrollments_of(a), b: uow.enrollments_of(b)}

        assert found == one_by_one
        assert [e.id for e in found[a]] == [f"{sfx}1", f"{sfx}2"]

    def test_adding_an_enrollment_id_twice_in_bulk_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow, pytest.raises(StorageError):
            uow.add_enrollments(
                [
                    enrollment(f"e{sfx}", f"G{sfx}", "S1"),
                    enrollment(f"e{sfx}", f"G{sfx}", "S2"),
                ]
            )

    def test_admissions_counts_are_admissions_count_for_every_grade(
        self, store: Store, sfx: str
    ) -> None:
        at, other = f"s{sfx}", f"t{sfx}"
        with store.unit_of_work() as uow:
            uow.add_enrollments(
                [
                    enrollment(f"{sfx}1", "G1", at, grade=1),
                    enrollment(f"{sfx}2", "G2", at, grade=1),
                    enrollment(f"{sfx}3", "G3", at, grade=7),
                    enrollment(f"{sfx}4", "G4", at, grade=1, school_year="2024-2025"),
                    enrollment(f"{sfx}5", "G5", other, grade=2),
                    enrollment(f"{sfx}6", "G6", f"u{sfx}", grade=2),
                ]
            )
            uow.commit()

        with store.unit_of_work() as uow:
            counts = uow.admissions_counts("2025-2026", [at, other, f"v{sfx}"])

        assert counts == {(at, 1): 2, (at, 7): 1, (other, 2): 1}

    def test_appended_events_read_back_in_order(self, store: Store, sfx: str) -> None:
        number = f"G{sfx}"
        events = [event(f"{sfx}{i}", number, "110108") for i in (3, 1, 2)]
        with store.unit_of_work() as uow:
            uow.append_event(event(f"{sfx}0", number, "110108"))
            uow.append_events(events)
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.events_of(number)

        assert [e.id for e in found] == [f"{sfx}{i}" for i in (0, 3, 1, 2)]

    def test_added_obligations_are_listed_and_the_last_of_an_id_wins(
        self, store: Store, sfx: str
    ) -> None:
        org = f"s{sfx}"
        first = obligation(f"o{sfx}", organisation=org, district="110108")
        again = obligation(
            f"o{sfx}", organisation=org, district="110108", due=date(2025, 9, 20)
        )
        other = obligation(f"p{sfx}", organisation=org, district="110108")
        with store.unit_of_work() as uow:
            uow.add_obligations([first, other, again])
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.obligations(organisation=org)

        assert found == [other, again]

    def test_saved_decisions_are_recalled_and_listed_as_if_saved_one_by_one(
        self, store: Store, sfx: str
    ) -> None:
        number = f"G{sfx}"
        first, second = decision(f"r{sfx}1", number), decision(f"r{sfx}2", number)
        with store.unit_of_work() as uow:
            uow.save_decisions([(first, f"k{sfx}", "digest-1"), (second, None, None)])
            uow.commit()

        with store.unit_of_work() as uow:
            listed = uow.decisions_of(number)
            recalled = uow.recall(f"k{sfx}")
            digests = uow.known_digests([f"k{sfx}", f"none{sfx}"])

        assert listed == [first, second]
        assert recalled == ("digest-1", first)
        assert digests == {f"k{sfx}": "digest-1"}

    def test_a_key_saved_again_in_bulk_with_another_digest_is_refused(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.save_decision(decision(f"r{sfx}", None), key=f"k{sfx}", digest="one")
            uow.commit()

        with store.unit_of_work() as uow, pytest.raises(DuplicateRequestError):
            uow.save_decisions([(decision(f"s{sfx}", None), f"k{sfx}", "two")])
        with store.unit_of_work() as uow, pytest.raises(DuplicateRequestError):
            uow.save_decisions(
                [
                    (decision(f"t{sfx}", None), f"n{sfx}", "one"),
                    (decision(f"u{sfx}", None), f"n{sfx}", "two"),
                ]
            )

    def test_added_records_are_read_back_by_kind_and_day(
        self, store: Store, sfx: str
    ) -> None:
        kind = f"marks-{sfx}"
        records = [
            record(f"{sfx}b", kind, on=date(2025, 9, 3), student=f"G{sfx}"),
            record(f"{sfx}a", kind, on=date(2025, 9, 2), student=f"G{sfx}"),
            record(f"{sfx}c", f"other-{sfx}", student=f"G{sfx}"),
        ]
        with store.unit_of_work() as uow:
            uow.add_records(records)
            uow.commit()

        with store.unit_of_work() as uow:
            found = uow.records(kind, student=f"G{sfx}")

        assert found == [records[1], records[0]]

    def test_bulk_writes_left_without_commit_write_nothing(
        self, store: Store, sfx: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.add_students([student(f"G{sfx}", id_number=f"A{sfx}")])
            uow.add_enrollments([enrollment(f"e{sfx}", f"G{sfx}", "S1")])
            uow.append_events([event(f"v{sfx}", f"G{sfx}", "110108")])

        with store.unit_of_work() as uow:
            found = (
                uow.get_student(f"G{sfx}"),
                uow.students_by_id_numbers([f"A{sfx}"]),
                uow.enrollments_of_students([f"G{sfx}"]),
                uow.events_of(f"G{sfx}"),
            )

        assert found == (None, {}, {}, [])


class StorageContract(
    UnitOfWorkContract,
    BulkContract,
    OrganisationContract,
    StudentContract,
    EnrollmentContract,
    EventContract,
    ArchiveContract,
    ObligationContract,
    ProcedureContract,
    DecisionContract,
    RecordContract,
    AuditContract,
    RoundTripContract,
):
    """Every test of the storage contract; subclass it as ``Test…`` and
    supply a ``store`` fixture."""
