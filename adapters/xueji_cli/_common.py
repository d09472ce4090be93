"""What every command shares: the options ``--db``, ``--as`` and ``--json``,
turning faults into one red paragraph (exit 2), reading principals and
dates, and the names of organisations for people."""

__all__ = [
    "CITY_REGISTRAR",
    "AsOption",
    "DbOption",
    "EntryError",
    "JsonOption",
    "handled",
    "in_scope",
    "org_names",
    "outcomes",
    "parse_date",
    "principal_of",
    "show_decisions",
    "url_of",
]

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer

from xueji import (
    CITY_CODE,
    Decision,
    InvalidInputError,
    Principal,
    PrincipalRole,
    Register,
    RosterError,
    StoredObligation,
    XuejiError,
)
from xueji_cli._render import Output
from xueji_cli._store import default_url
from xueji_cli._stream import REGISTRAR

CITY_REGISTRAR = f"city:{CITY_CODE}:{REGISTRAR}"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="XUEJI_DB",
        help="The register's database URL (default: $XUEJI_DB, else "
        "sqlite:///xueji.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead.")
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who acts, as role:organisation:name (e.g. school:S0001:王老师); "
        f"default {CITY_REGISTRAR}.",
        show_default=False,
    ),
]


class EntryError(XuejiError):
    """A fault in one entry of a request document, with where it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def handled(out: Output) -> Iterator[None]:
    """Faults print one red paragraph and exit 2; never a traceback."""
    try:
        yield
    except RosterError as error:
        out.error(error.code, str(error))
        raise typer.Exit(2) from None
    except XuejiError as error:
        out.error(error.code, " ".join(str(error).split("\n")))
        raise typer.Exit(2) from None


def principal_of(text: str | None, default: str = CITY_REGISTRAR) -> Principal:
    """``--as`` read as a principal (the city's registrar when not given;
    an empty ``--as ""`` is an error, not the city)."""
    return Principal.parse(default if text is None else text)


def parse_date(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option value; anything else is an input error."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def url_of(db: str | None) -> str:
    """``--db``, else ``$XUEJI_DB``, else ``sqlite:///xueji.db``."""
    return db or default_url()


def org_names(register: Register) -> dict[str, str]:
    """Organisation code → name, for people."""
    with register.store.unit_of_work() as uow:
        orgs: list[Any] = [
            *uow.districts(),
            *uow.schools(),
            *uow.townships(),
            *uow.hrss_offices(),
        ]
    return {CITY_CODE: "北京市教育委员会", **{o.code: o.name for o in orgs}}


def show_decisions(
    out: Output, decisions: list[Decision], register: Register, labels: list[str]
) -> None:
    """Each decision with its reasons, duties and next steps."""
    names = org_names(register)
    for decision, label in zip(decisions, labels, strict=True):
        out.decision(decision, label=label, org_names=names)


def outcomes(decisions: list[Decision]) -> dict[str, int]:
    """How many decisions ended each way, by outcome."""
    counts = Counter(d.outcome.value for d in decisions)
    return dict(sorted(counts.items()))


def in_scope(item: StoredObligation, principal: Principal) -> bool:
    """Whether ``principal`` may list the duty: the city all, a district (or
    its auditor) its district's, any other the duties addressed to it."""
    role = principal.role
    if role is PrincipalRole.CITY:
        return True
    if role in (PrincipalRole.DISTRICT, PrincipalRole.AUDITOR):
        return item.district == principal.organisation
    return item.obligation.organisation == principal.organisation
