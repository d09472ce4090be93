"""第十八条: what a 学籍档案 holds.

The archive is created with the student's registration (第十七条) and kept
by the school of record; it moves with the student (第二十九条).  Its
contents are the six items of 第十八条第一款.  Item (一), the basic record
and its changes, is the register itself; an entry names a document or a
report filed under one of the items.  Entries are appended, never removed.
"""

from __future__ import annotations

__all__ = ["ArchiveEntry", "decide_archive_entry"]

from datetime import date

import attrs

from xueji._context import Context
from xueji._decisions import Decision
from xueji._errors import InvalidInputError
from xueji._identity import StudentNumber
from xueji._register import ArchiveItem, ChangeKind

_CHINESE = "一二三四五六"


@attrs.frozen
class ArchiveEntry:
    """A document or report filed in a student's 学籍档案 under one item of
    第十八条第一款."""

    id: str
    on: date
    student: str
    item: ArchiveItem
    description: str
    idempotency_key: str | None = None


def decide_archive_entry(ctx: Context, request: ArchiveEntry) -> Decision:
    """第十八条第一款: the school that keeps the archive files the entry."""
    from xueji._enrollment import edition, school_of
    from xueji._service import require_scope

    student = ctx.uow.get_student(request.student)
    if student is None:
        raise InvalidInputError(
            f"no student with 学籍号 {StudentNumber.parse(request.student).masked()}"
        )
    archive = ctx.uow.get_archive(student.number)
    if archive is None:
        raise InvalidInputError(
            "the student has no 学籍档案 yet: it is created when the student "
            "registers (第十七条第一款)"
        )
    require_scope(ctx, school_of(ctx, archive.school))
    if not edition(ctx):
        return ctx.decide("archive-entry", student.number)
    if not request.description.strip():
        raise InvalidInputError("an archive entry needs a description of what is filed")
    article = f"第十八条第一款第（{_CHINESE[request.item.value - 1]}）项"

    ctx.uow.put_archive(
        attrs.evolve(
            archive, items=(*archive.items, (request.item, request.description))
        )
    )
    ctx.record(
        ChangeKind.ARCHIVE_ENTRY,
        f"学籍档案：{request.description}",
        student=student.number,
        district=student.district,
        article=article,
        data={"item": str(request.item.value)},
    )
    return ctx.decide("archive-entry", student.number)


def _register() -> None:
    from xueji._registry import register_request

    register_request("archive-entry", ArchiveEntry, decide_archive_entry)


_register()
