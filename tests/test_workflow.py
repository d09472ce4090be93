"""The workflow engine and its first user, the new-学籍 procedure of 第三条.

Due dates: a procedure filed Thursday 2025-09-04 with the default limit of 10
working days is due 2025-09-18 (09-05, 08, 09, 10, 11, 12, 15, 16, 17, 18).
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from tests.conftest import CITY, DISTRICT, PRIMARY, Admit, child
from xueji import (
    AccessDeniedError,
    Action,
    ChangeKind,
    NewRecordsFiling,
    ObligationKind,
    Outcome,
    Principal,
    PrincipalRole,
    ProcedureState,
    Register,
    StepAction,
    StepState,
)

FILED = date(2025, 9, 4)
SECOND = ("测试乙", date(2019, 4, 15), "110105201904150081")


def file_batch(register: Register, key: str | None = None) -> str:
    decision = register.submit(
        NewRecordsFiling("nr-1", FILED, "P01", "2025-2026", idempotency_key=key),
        PRIMARY,
    )
    assert decision.outcome is Outcome.PENDING, decision.reasons
    return decision.next_steps[0].split("：")[0]


def act(
    register: Register,
    procedure: str,
    action: Action,
    principal: Principal,
    on: date = date(2025, 9, 5),
    request_id: str = "act-1",
) -> Outcome:
    decision = register.submit(
        StepAction(request_id, on, procedure, action, comment="审核"), principal
    )
    return decision.outcome


def procedure_of(register: Register, procedure_id: str) -> object:
    with register.store.unit_of_work() as uow:
        return uow.get_procedure(procedure_id)


@pytest.fixture
def two_admitted(admitted: Admit) -> list[str]:
    first = admitted()
    second = admitted(child(*SECOND), request_id="adm-2")
    return [first, second]


def test_the_batch_goes_to_the_district_then_the_city(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    assert act(register, procedure, Action.APPROVE, DISTRICT) is Outcome.PENDING
    assert act(register, procedure, Action.APPROVE, CITY, request_id="act-2") is (
        Outcome.ACCEPTED
    )

    stored = procedure_of(register, procedure)
    assert stored.state is ProcedureState.APPROVED  # type: ignore[attr-defined]
    assert [s.state for s in stored.steps] == [  # type: ignore[attr-defined]
        StepState.APPROVED,
        StepState.FILED,
    ]
    for number in two_admitted:
        kinds = [e.kind for e in register.history(number, CITY).events]
        assert kinds[-2:] == [ChangeKind.APPROVED, ChangeKind.FILED]


def test_every_step_is_due_by_the_procedures_due_date(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    stored = procedure_of(register, procedure)

    assert stored.due == date(2025, 9, 18)  # type: ignore[attr-defined]
    assert {s.due for s in stored.steps} == {date(2025, 9, 18)}  # type: ignore[attr-defined]


def test_a_school_acting_on_the_district_step_is_denied_and_audited(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)
    before = procedure_of(register, procedure)

    with pytest.raises(AccessDeniedError):
        act(register, procedure, Action.APPROVE, PRIMARY)

    assert procedure_of(register, procedure) == before
    with register.store.unit_of_work() as uow:
        denied = [a for a in uow.audit(organisation="P01") if not a.allowed]
    assert len(denied) == 1
    assert procedure in denied[0].action


def test_a_rejection_at_the_last_step_leaves_only_the_procedure_and_audit(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)
    act(register, procedure, Action.APPROVE, DISTRICT)
    events_before = {
        n: [e.kind for e in register.history(n, CITY).events] for n in two_admitted
    }

    outcome = act(register, procedure, Action.REJECT, CITY, request_id="act-2")

    assert outcome is Outcome.ACCEPTED
    assert procedure_of(register, procedure).state is ProcedureState.REJECTED  # type: ignore[attr-defined]
    for number in two_admitted:
        kinds = [e.kind for e in register.history(number, CITY).events]
        assert kinds == events_before[number]
    again = register.submit(
        NewRecordsFiling("nr-2", date(2025, 9, 8), "P01", "2025-2026"), PRIMARY
    )
    assert again.outcome is Outcome.PENDING


def test_a_rejection_by_the_district_rolls_back_and_allows_a_new_batch(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    act(register, procedure, Action.REJECT, DISTRICT)

    for number in two_admitted:
        kinds = [e.kind for e in register.history(number, CITY).events]
        assert ChangeKind.APPROVED not in kinds
    with register.store.unit_of_work() as uow:
        assert uow.open_procedure_of(two_admitted[0]) is None
        assert uow.obligations(organisation="110105", open_only=True) == []


def test_the_same_submission_twice_is_one_procedure(
    register: Register, two_admitted: list[str]
) -> None:
    first = file_batch(register, key="k-1")
    second = file_batch(register, key="k-1")

    assert first == second
    with register.store.unit_of_work() as uow:
        assert len(uow.procedures()) == 1


def test_another_request_while_one_is_open_is_refused_naming_it(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    decision = register.submit(
        NewRecordsFiling(
            "nr-2", FILED, "P01", "2025-2026", students=(two_admitted[0],)
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.REFUSED
    assert decision.reasons[0].code == "nothing-to-file"
    with register.store.unit_of_work() as uow:
        holder = uow.open_procedure_of(two_admitted[0])
    assert holder is not None
    assert holder.id == procedure


def test_the_applicant_may_withdraw_and_others_may_not(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)
    other_school = Principal(PrincipalRole.SCHOOL, "P02", "李老师")

    with pytest.raises(AccessDeniedError):
        act(register, procedure, Action.WITHDRAW, other_school)
    outcome = act(register, procedure, Action.WITHDRAW, PRIMARY, request_id="act-2")

    assert outcome is Outcome.ACCEPTED
    assert procedure_of(register, procedure).state is ProcedureState.WITHDRAWN  # type: ignore[attr-defined]


def test_a_returned_step_waits_for_the_documents(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    assert act(register, procedure, Action.RETURN, DISTRICT) is Outcome.PENDING
    with pytest.raises(ValueError, match="waits for the documents"):
        act(register, procedure, Action.APPROVE, DISTRICT, request_id="act-2")
    assert act(register, procedure, Action.RESUBMIT, PRIMARY, request_id="act-3") is (
        Outcome.PENDING
    )
    assert act(register, procedure, Action.APPROVE, DISTRICT, request_id="act-4") is (
        Outcome.PENDING
    )


def test_the_districts_work_list_shows_the_step_and_overdue_duties(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)

    on_time = register.work("110105", date(2025, 9, 18), DISTRICT)
    late = register.work("110105", date(2025, 9, 19), DISTRICT)

    assert [p.id for p, _ in on_time.steps] == [procedure]
    assert [o.obligation.kind for o in on_time.obligations] == [
        ObligationKind.ACT_ON_STEP
    ]
    assert on_time.overdue() == []
    assert [o.obligation.due for o in late.overdue()] == [date(2025, 9, 18)]


def test_a_school_cannot_read_another_schools_work_list(register: Register) -> None:
    with pytest.raises(AccessDeniedError):
        register.work("P02", date(2025, 9, 18), PRIMARY)


def test_the_audit_is_queryable_by_student_and_organisation(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)
    act(register, procedure, Action.APPROVE, DISTRICT)

    by_school = register.audit_trail(CITY, organisation="P01")
    by_district = register.audit_trail(CITY, organisation="110105")

    assert [a.action for a in by_school][-1] == "submit new-records: pending"
    assert [a.action for a in by_district][-1] == "submit step-approve: pending"
    assert all(a.allowed for a in by_school)
    assert attrs.has(type(by_school[0]))


def test_each_step_is_recorded_under_its_own_actor_and_date(
    register: Register, two_admitted: list[str]
) -> None:
    procedure = file_batch(register)
    act(register, procedure, Action.APPROVE, DISTRICT, on=date(2025, 9, 5))
    act(register, procedure, Action.APPROVE, CITY, date(2025, 9, 8), "act-2")

    events = register.history(two_admitted[0], CITY).events

    approved = [(e.actor, e.on) for e in events if e.kind is ChangeKind.APPROVED]
    filed = [(e.actor, e.on) for e in events if e.kind is ChangeKind.FILED]
    assert approved == [("district:110105:区学籍员", date(2025, 9, 5))]
    assert filed == [("city:110000:市学籍办", date(2025, 9, 8))]
