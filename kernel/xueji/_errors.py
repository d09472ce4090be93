"""The one hierarchy of xueji's faults.

A refusal under the regulation is a :class:`~xueji.Decision`, never an
exception.  The classes here are for faults: bad input, missing calendar data,
a broken plugin, a storage failure.  Each also inherits the nearest builtin so
callers that know nothing of xueji can still catch it.

Every message says what is wrong, why (the article or the rule), and what to
do about it.
"""

from __future__ import annotations

__all__ = [
    "AccessDeniedError",
    "ConflictError",
    "DuplicateRequestError",
    "InvalidIdNumberError",
    "InvalidInputError",
    "PluginError",
    "RosterError",
    "RowProblem",
    "StorageError",
    "UnknownCalendarError",
    "UnknownOrganisationError",
    "UnknownStudentError",
    "XuejiError",
]

import attrs


class XuejiError(Exception):
    """Base class of every fault xueji raises.

    ``code`` is a stable identifier a program can branch on; the message is
    for people.
    """

    code: str = "xueji"


class InvalidInputError(XuejiError, ValueError):
    """Input that cannot be taken as it is: a field, a file, a request."""

    code = "invalid-input"


class InvalidIdNumberError(InvalidInputError):
    """An identity-document number that is not valid."""

    code = "invalid-id-number"


class UnknownCalendarError(XuejiError, LookupError):
    """A decision needs calendar data (holidays or a school calendar) that is
    not loaded.  The message names the year and how to supply it."""

    code = "unknown-calendar"


class UnknownOrganisationError(XuejiError, LookupError):
    """A school, district, township or office code that the register does not
    know."""

    code = "unknown-organisation"


class UnknownStudentError(XuejiError, LookupError):
    """No student with that 学籍号 (or not one the principal may see)."""

    code = "unknown-student"


class PluginError(XuejiError, RuntimeError):
    """A plugin that failed to load or answered outside its bounds."""

    code = "plugin"


class AccessDeniedError(XuejiError, PermissionError):
    """The principal's scope does not cover the read or write it asked for."""

    code = "access-denied"


class StorageError(XuejiError, RuntimeError):
    """The register's store failed; nothing of the request was written."""

    code = "storage"


class ConflictError(StorageError):
    """Another writer changed the same record first.  Retry the request."""

    code = "conflict"


class DuplicateRequestError(InvalidInputError):
    """An idempotency key was reused with a different request."""

    code = "duplicate-request"


@attrs.frozen
class RowProblem:
    """One problem found in one row of a roster file."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.reason}"


class RosterError(InvalidInputError):
    """A roster file with rows that cannot be taken; nothing was written."""

    code = "roster"

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  …and {more} more" if more > 0 else ""
        super().__init__(
            f"{source}: {len(self.problems)} row problem(s); nothing was "
            f"written. Fix the rows and load the file again.\n{shown}{tail}"
        )
