"""Chapter 9, 保障措施 (第四十二至四十七条): registrars.

The chapter is kept in small modules, each named for what it does:

- :mod:`xueji._masking` — masked views and the log filter (第四十四条);
- :mod:`xueji._disclosure` — written approvals and exports (第四十四条);
- :mod:`xueji._check` — the term check and the compliance report
  (第四十三、四十六、四十七条);
- :mod:`xueji._inspection` — the random-draw inspection (第四十五条);
- this module — the registrars every education authority and school must
  have (第四十二条第二款).

A registrar is appointed with :class:`RegistrarAppointment`, recorded as a
dated record; :func:`registrars_of` answers who serves an organisation on a
day, so that every obligation and procedure step has a person to address.
"""

from __future__ import annotations

__all__ = [
    "Registrar",
    "RegistrarAppointment",
    "decide_registrar_appointment",
    "organisation_district",
    "registrars_by_organisation",
    "registrars_of",
]

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._access import PrincipalRole
from xueji._context import Context
from xueji._decisions import Decision
from xueji._errors import InvalidInputError, UnknownOrganisationError
from xueji._orgs import CITY_CODE
from xueji._records import keep, read
from xueji._storage import UnitOfWork

REGISTRAR = "registrar"
"""The record kind of an appointment."""


def _nonblank(_: object, attribute: Attribute[str], value: str) -> None:
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must not be empty")


@attrs.frozen
class Registrar:
    """A 学籍管理员 of one organisation from ``first_day`` to ``last_day``
    (both inclusive; ``None`` while the appointment lasts)."""

    organisation: str
    name: str
    first_day: date
    last_day: date | None = None

    def serves_on(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)


def _after_first(
    instance: RegistrarAppointment, _: Attribute[date | None], value: date | None
) -> None:
    if value is not None and value < instance.first_day:
        raise InvalidInputError(
            f"last_day {value} is before first_day {instance.first_day}; an "
            "appointment ends on or after the day it starts"
        )


@attrs.frozen
class RegistrarAppointment:
    """第四十二条第二款: 各级教育行政部门和学校应设学籍管理员，专人负责.

    Appoints ``name`` as a registrar of ``organisation`` (a school, a
    district, or the city, code ``110000``) from ``first_day``.  Submitting
    the same person for the same organisation again replaces the earlier
    appointment — give ``last_day`` to end it.  The city appoints anywhere,
    a district for itself and its schools, a school for itself."""

    id: str
    on: date
    organisation: str
    name: str = attrs.field(validator=_nonblank)
    first_day: date
    last_day: date | None = attrs.field(default=None, validator=_after_first)
    idempotency_key: str | None = None


def organisation_district(uow: UnitOfWork, code: str) -> str:
    """The district a school, a district or the city belongs to (the city's
    own code for the city), or an error naming the unknown code."""
    if code == CITY_CODE:
        return CITY_CODE
    school = uow.get_school(code)
    if school is not None:
        return school.district
    if uow.get_district(code) is not None:
        return code
    raise UnknownOrganisationError(
        f"{code!r} is neither a school, a district nor the city (110000) in the "
        "register; load it first (xueji load orgs FILE)"
    )


def registrars_of(uow: UnitOfWork, organisation: str, on: date) -> list[Registrar]:
    """The registrars serving ``organisation`` on ``on`` (第四十二条第二款);
    empty for an organisation without one, or unknown."""
    try:
        district = organisation_district(uow, organisation)
    except UnknownOrganisationError:
        return []
    return [
        registrar
        for _record, registrar in read(uow, REGISTRAR, Registrar, district=district)
        if registrar.organisation == organisation and registrar.serves_on(on)
    ]


def registrars_by_organisation(
    uow: UnitOfWork, on: date, *, district: str | None = None
) -> dict[str, list[Registrar]]:
    """Every organisation's registrars serving on ``on``, in one read (the
    term check's pass): of one district's organisations, or of all."""
    found: dict[str, list[Registrar]] = defaultdict(list)
    for _record, registrar in read(uow, REGISTRAR, Registrar, district=district):
        if registrar.serves_on(on):
            found[registrar.organisation].append(registrar)
    return dict(found)


def decide_registrar_appointment(
    ctx: Context, request: RegistrarAppointment
) -> Decision:
    """第四十二条第二款."""
    from xueji._enrollment import edition
    from xueji._service import deny

    district = organisation_district(ctx.uow, request.organisation)
    p = ctx.principal
    ok = (
        p.role is PrincipalRole.CITY
        or (p.role is PrincipalRole.DISTRICT and p.organisation == district)
        or (p.role is PrincipalRole.SCHOOL and p.organisation == request.organisation)
    )
    if not ok:
        deny(ctx, f"appoint a registrar of {request.organisation}", None)
    if not edition(ctx):
        return ctx.decide("registrar-appointment", None)

    earlier = [
        record
        for record, registrar in read(ctx.uow, REGISTRAR, Registrar, district=district)
        if registrar.organisation == request.organisation
        and registrar.name == request.name
    ]
    registrar = Registrar(
        request.organisation, request.name, request.first_day, request.last_day
    )
    keep(
        ctx,
        REGISTRAR,
        registrar,
        district=district,
        on=request.first_day,
        school=request.organisation
        if ctx.uow.get_school(request.organisation)
        else None,
        until=request.last_day,
        supersedes=earlier[-1].id if earlier else None,
    )
    ctx.check("registrar", "第四十二条第二款", request.organisation)
    period = f"{request.first_day}" + (
        f"至 {request.last_day}" if request.last_day else "起"
    )
    ctx.inform(
        "registrar",
        f"{request.organisation} 学籍管理员：{request.name}（{period}）",
        "第四十二条第二款",
    )
    return ctx.decide("registrar-appointment", None)


def _register() -> None:
    from xueji._registry import register_request

    register_request(
        "registrar-appointment", RegistrarAppointment, decide_registrar_appointment
    )


_register()
