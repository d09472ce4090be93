"""Jobs write to the register: the city, a district or a school runs them
for its own schools; an auditor or a township never does (第四、四十二条)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from xueji import AccessDeniedError, CalendarStage, Principal, PrincipalRole, Register

AUDITOR = Principal(PrincipalRole.AUDITOR, "110105", "审计员")
TOWNSHIP = Principal(PrincipalRole.TOWNSHIP, "110105001", "街道干部")

JOBS: dict[str, Callable[[Register, Principal], object]] = {
    "close-registration": lambda r, p: r.close_registration_window(
        "2025-2026", date(2025, 9, 9), p
    ),
    "end-deferrals": lambda r, p: r.end_deferrals(date(2026, 9, 1), p),
    "end-suspensions": lambda r, p: r.end_suspensions(date(2026, 3, 2), p),
    "term-registration": lambda r, p: r.mark_missed_term_registration(
        r.calendars.term("2025-2026", CalendarStage.COMPULSORY, 2),
        date(2026, 3, 10),
        p,
    ),
}


@pytest.mark.parametrize("job", sorted(JOBS))
@pytest.mark.parametrize("principal", [AUDITOR, TOWNSHIP], ids=["auditor", "township"])
def test_an_auditor_or_township_cannot_run_a_job(
    register: Register, job: str, principal: Principal
) -> None:
    with pytest.raises(AccessDeniedError):
        JOBS[job](register, principal)

    with register.store.unit_of_work() as uow:
        denied = uow.audit(organisation=principal.organisation)
    assert [a.allowed for a in denied] == [False]
