"""第十八条: entries of the 学籍档案."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import CITY, PRIMARY, PRIMARY_2, Admit
from xueji import (
    AccessDeniedError,
    ArchiveEntry,
    ArchiveItem,
    ChangeKind,
    Outcome,
    Register,
    Registration,
)


def test_the_school_files_a_health_record_under_item_four(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)

    decision = register.submit(
        ArchiveEntry(
            "arc-1", date(2025, 9, 20), number, ArchiveItem.HEALTH, "入学体检表"
        ),
        PRIMARY,
    )

    assert decision.outcome is Outcome.ACCEPTED
    history = register.history(number, CITY)
    assert history.archive is not None
    assert history.archive.items == ((ArchiveItem.HEALTH, "入学体检表"),)
    event = history.events[-1]
    assert (event.kind, event.article) == (
        ChangeKind.ARCHIVE_ENTRY,
        "第十八条第一款第（四）项",
    )


def test_there_is_no_entry_before_the_archive_exists(
    register: Register, admitted: Admit
) -> None:
    number = admitted()

    with pytest.raises(ValueError, match="第十七条第一款"):
        register.submit(
            ArchiveEntry("arc-1", date(2025, 8, 1), number, ArchiveItem.AID, "资助"),
            PRIMARY,
        )


def test_another_school_cannot_file_in_the_archive(
    register: Register, admitted: Admit
) -> None:
    number = admitted()
    register.submit(Registration("reg-1", date(2025, 9, 1), number), PRIMARY)

    with pytest.raises(AccessDeniedError):
        register.submit(
            ArchiveEntry(
                "arc-1", date(2025, 9, 20), number, ArchiveItem.AWARDS, "奖状"
            ),
            PRIMARY_2,
        )
