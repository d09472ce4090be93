"""Closing obligations, and the duty that follows a failed one
(第十六条第二款, 第十七条第一款)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import CITY, JIANWAI, PRIMARY, PRIMARY_2, Admit
from xueji import (
    AccessDeniedError,
    ChangeKind,
    FulfilmentOutcome,
    ObligationFulfilment,
    ObligationKind,
    Outcome,
    Principal,
    PrincipalRole,
    Register,
    Registration,
)

TOWNSHIP = Principal(PrincipalRole.TOWNSHIP, JIANWAI, "街道干部")


def open_duty(register: Register, number: str, kind: ObligationKind) -> str:
    with register.store.unit_of_work() as uow:
        items = [
            o
            for o in uow.obligations(student=number, open_only=True)
            if o.obligation.kind is kind
        ]
    assert len(items) == 1
    return items[0].id


def close(
    register: Register,
    duty: str,
    on: date,
    principal: Principal = PRIMARY,
    outcome: FulfilmentOutcome = FulfilmentOutcome.DONE,
) -> object:
    return register.submit(
        ObligationFulfilment(f"ful-{duty}-{on}", on, duty, outcome, "已办"), principal
    )


def test_building_the_archive_closes_the_duty_and_records_it(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)
    duty = open_duty(register, number, ObligationKind.BUILD_ARCHIVE)

    decision = close(register, duty, date(2025, 9, 12))

    assert decision.outcome is Outcome.ACCEPTED  # type: ignore[attr-defined]
    assert decision.warnings == ()  # type: ignore[attr-defined]
    kinds = [e.kind for e in register.history(number, CITY).events]
    assert kinds[-1] is ChangeKind.ARCHIVE_CREATED
    with register.store.unit_of_work() as uow:
        assert uow.obligations(student=number, open_only=True) == []


def test_an_archive_after_2025_09_15_is_late(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)
    duty = open_duty(register, number, ObligationKind.BUILD_ARCHIVE)

    decision = close(register, duty, date(2025, 9, 16))

    assert [(r.code, r.article) for r in decision.warnings] == [  # type: ignore[attr-defined]
        ("late", "第十七条第一款")
    ]


def test_only_the_addressee_closes_a_duty(register: Register, admitted: Admit) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)
    duty = open_duty(register, number, ObligationKind.BUILD_ARCHIVE)

    with pytest.raises(AccessDeniedError):
        close(register, duty, date(2025, 9, 12), PRIMARY_2)


def test_failed_urging_obliges_the_township_to_order_attendance(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.close_registration_window(
        "2025-2026", date(2025, 9, 9), Principal(PrincipalRole.DISTRICT, "110105", "x")
    )
    duty = open_duty(register, number, ObligationKind.URGE_ENROLLMENT)

    decision = close(
        register, duty, date(2025, 9, 10), outcome=FulfilmentOutcome.FAILED
    )

    assert [
        (o.kind, o.role.value, o.organisation, o.arises, o.due, o.article)
        for o in decision.obligations  # type: ignore[attr-defined]
    ] == [
        (
            ObligationKind.ORDER_ENROLLMENT,
            "township",
            JIANWAI,
            date(2025, 9, 10),
            None,
            "第十六条第二款",
        )
    ]
    order = open_duty(register, number, ObligationKind.ORDER_ENROLLMENT)
    assert close(register, order, date(2025, 9, 11), TOWNSHIP).outcome is (  # type: ignore[attr-defined]
        Outcome.ACCEPTED
    )


def test_a_closed_duty_cannot_be_closed_again(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)
    duty = open_duty(register, number, ObligationKind.BUILD_ARCHIVE)
    close(register, duty, date(2025, 9, 12))

    with pytest.raises(ValueError, match="already closed"):
        close(register, duty, date(2025, 9, 13))
