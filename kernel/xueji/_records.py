"""Typed access to the store's dated records (:class:`~xueji.Record`).

A chapter keeps its facts — attendance marks, sanctions, scores, contacts,
certificates — as attrs values; these helpers store them as records with the
one converter and read them back typed, applying supersession (a correction
is a new record naming the one it replaces; nothing is deleted).
"""

from __future__ import annotations

__all__ = ["current", "keep", "read"]

from datetime import date
from typing import TypeVar

from xueji._context import Context, new_id
from xueji._procedures import Record
from xueji._serialize import dumps, loads
from xueji._storage import UnitOfWork

T = TypeVar("T")


def keep(
    ctx: Context,
    kind: str,
    value: object,
    *,
    district: str,
    on: date,
    student: str | None = None,
    school: str | None = None,
    until: date | None = None,
    supersedes: str | None = None,
) -> Record:
    """Store ``value`` as a record of ``kind``."""
    record = Record(
        id=new_id(kind[:8]),
        kind=kind,
        district=district,
        on=on,
        data=dumps(value),
        student=student,
        school=school,
        until=until,
        supersedes=supersedes,
        recorded_at=ctx.now,
    )
    ctx.uow.add_record(record)
    return record


def current(records: list[Record]) -> list[Record]:
    """The records no later record supersedes."""
    replaced = {r.supersedes for r in records if r.supersedes is not None}
    return [r for r in records if r.id not in replaced]


def read(
    uow: UnitOfWork,
    kind: str,
    cls: type[T],
    *,
    student: str | None = None,
    school: str | None = None,
    district: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[tuple[Record, T]]:
    """The current records of ``kind``, each with its typed value."""
    found = uow.records(
        kind, student=student, school=school, district=district, first=first, last=last
    )
    return [(r, loads(r.data, cls, source=r.id)) for r in current(found)]
