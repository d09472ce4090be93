"""Calendar data an operator supplies to a register.

A school year whose 校历 is not yet in the published data (2026-2027 when
this was written), or a year whose State Council holiday schedule the
`chinese_calendar` package does not know yet, is an error naming it — never
a guess.  The operator supplies the data as a file; it is kept in the
register itself (as dated records, so every later process sees it) and is
added to the register's calendar book.  Only the city or a district may
supply calendar data (第四条: 市级统筹).
"""

from __future__ import annotations

__all__ = [
    "add_holiday_schedule",
    "add_school_calendars",
    "stored_calendar_data",
]

from datetime import UTC, datetime

from xueji._access import Principal, PrincipalRole
from xueji._calendar import CalendarBook, HolidaySchedule, SchoolCalendar
from xueji._errors import AccessDeniedError
from xueji._procedures import AuditRecord, Record
from xueji._serialize import dumps, loads
from xueji._storage import Store

SCHOOL_CALENDAR = "school-calendar"
HOLIDAY_SCHEDULE = "holiday-schedule"
_CITY = "110000"


def _require_city_or_district(principal: Principal, action: str) -> None:
    if principal.role not in (PrincipalRole.CITY, PrincipalRole.DISTRICT):
        raise AccessDeniedError(
            f"{principal.role.value} {principal.organisation} may not {action}: "
            "calendar data is supplied by the city or a district (第四条)"
        )


def _keep(
    store: Store, kind: str, key: str, value: object, principal: Principal
) -> None:
    now = datetime.now(UTC)
    with store.unit_of_work() as uow:
        uow.add_record(
            Record(
                id=f"{kind}-{key}-{now:%Y%m%d%H%M%S%f}",
                kind=kind,
                district=principal.organisation
                if principal.role is PrincipalRole.DISTRICT
                else _CITY,
                on=now.date(),
                data=dumps(value),
                recorded_at=now,
            )
        )
        uow.append_audit(
            AuditRecord(
                id=f"aud-{kind}-{key}-{now:%Y%m%d%H%M%S%f}",
                at=now,
                principal=str(principal),
                organisation=principal.organisation,
                action=f"add {kind} {key}",
                allowed=True,
            )
        )
        uow.commit()


def add_school_calendars(
    store: Store, calendars: list[SchoolCalendar], principal: Principal
) -> None:
    """Keep school calendars in the register; a later one for the same
    school year and stage replaces an earlier one."""
    _require_city_or_district(principal, "add school calendars")
    for calendar in calendars:
        key = f"{calendar.school_year}-{calendar.stage.value}"
        _keep(store, SCHOOL_CALENDAR, key, calendar, principal)


def add_holiday_schedule(
    store: Store, schedule: HolidaySchedule, principal: Principal
) -> None:
    """Keep a year's holiday schedule in the register."""
    _require_city_or_district(principal, "add a holiday schedule")
    _keep(store, HOLIDAY_SCHEDULE, str(schedule.year), schedule, principal)


def stored_calendar_data(store: Store, book: CalendarBook) -> CalendarBook:
    """``book`` with the calendars and holiday schedules kept in the
    register added (later records replace earlier ones)."""
    with store.unit_of_work() as uow:
        calendars = [
            loads(r.data, SchoolCalendar, source=r.id)
            for r in uow.records(SCHOOL_CALENDAR)
        ]
        schedules = {
            s.year: s
            for s in (
                loads(r.data, HolidaySchedule, source=r.id)
                for r in uow.records(HOLIDAY_SCHEDULE)
            )
        }
    if calendars:
        book = book.with_calendars(calendars)
    if schedules:
        book = book.with_holiday_schedules(schedules.values())
    return book
