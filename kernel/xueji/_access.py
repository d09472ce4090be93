"""Principals, applicants and scopes (第四、四十二条).

Every call is made by a *principal*: a role within an organisation.  A
request also records who *applied* — the student, a guardian or the school —
from the paper application, which is not the same as who entered it.
"""

from __future__ import annotations

__all__ = ["Applicant", "ApplicantKind", "Principal", "PrincipalRole"]

import enum
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from attrs import Attribute

from xueji._errors import InvalidInputError


class PrincipalRole(enum.Enum):
    """学籍管理员 at every level (第四十二条第二款), plus auditors."""

    CITY = "city"
    DISTRICT = "district"
    SCHOOL = "school"
    TOWNSHIP = "township"
    AUDITOR = "auditor"


def _nonblank(_: object, attribute: Attribute[str], value: str) -> None:
    if not value.strip():
        raise InvalidInputError(f"principal {attribute.name} must not be empty")


@attrs.frozen
class Principal:
    """Who is acting: role, organisation code, and the person's name."""

    role: PrincipalRole
    organisation: str = attrs.field(validator=_nonblank)
    name: str = attrs.field(validator=_nonblank)

    def __str__(self) -> str:
        return f"{self.role.value}:{self.organisation}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> Principal:
        """Read ``role:organisation:name``, as the CLI takes it."""
        parts = text.split(":")
        roles = ", ".join(r.value for r in PrincipalRole)
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise InvalidInputError(
                f"principal {text!r} must read role:organisation:name, e.g. "
                f"school:S0001:王老师 (roles: {roles})"
            )
        try:
            role = PrincipalRole(parts[0])
        except ValueError:
            raise InvalidInputError(
                f"principal role {parts[0]!r} is unknown; use one of: {roles}"
            ) from None
        return cls(role, parts[1], parts[2])


class ApplicantKind(enum.Enum):
    STUDENT = "student"
    GUARDIAN = "guardian"
    SCHOOL = "school"
    GUARDIAN_AND_STUDENT = "guardian+student"


@attrs.frozen
class Applicant:
    """Who applied, from the paper application and its reference."""

    kind: ApplicantKind
    name: str
    reference: str | None = None  # the paper application's number
    written: bool = True  # a written application (书面申请)
