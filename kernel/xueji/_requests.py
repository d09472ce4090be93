"""Request documents: requests as data (YAML or JSON).

A request document is a list (or one mapping) of entries::

    - kind: admission            # a key of REQUEST_KINDS
      principal: school:S0001:王老师
      request: {id: r-001, on: 2025-07-10, school: S0001, ...}

Each entry is structured with the one cattrs converter into its typed
request.  A malformed document raises :class:`~xueji.InvalidInputError`
naming the file, the entry and the field, and nothing is submitted.
"""

from __future__ import annotations

__all__ = ["REQUEST_KINDS", "RequestEntry", "kind_of", "parse_request_document"]

from typing import Any

import attrs

import xueji._chapters  # noqa: F401  (registers every request kind)
from xueji._access import Principal
from xueji._errors import InvalidInputError
from xueji._registry import REQUEST_KINDS
from xueji._serialize import structure


def kind_of(request: object) -> str:
    for name, cls in REQUEST_KINDS.items():
        if type(request) is cls:
            return name
    raise InvalidInputError(f"{type(request).__name__} is not a known request kind")


@attrs.frozen
class RequestEntry:
    kind: str
    principal: Principal
    request: Any
    line: int | None = None


def parse_request_document(
    data: object, *, source: str, lines: list[int] | None = None
) -> list[RequestEntry]:
    """Structure a parsed YAML/JSON document into typed requests.  Every
    entry is checked before any is returned."""
    entries = data if isinstance(data, list) else [data]
    parsed: list[RequestEntry] = []
    problems: list[str] = []
    kinds = ", ".join(sorted(REQUEST_KINDS))
    for index, entry in enumerate(entries, start=1):
        line = lines[index - 1] if lines and index - 1 < len(lines) else None
        where = f"{source}: entry {index}" + (f" (line {line})" if line else "")
        if not isinstance(entry, dict):
            problems.append(
                f"{where}: expected a mapping with kind, principal, request"
            )
            continue
        extra = set(entry) - {"kind", "principal", "request"}
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
            continue
        kind = entry.get("kind")
        cls = REQUEST_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None or not isinstance(kind, str):
            problems.append(f"{where}: kind {kind!r} is unknown; use one of: {kinds}")
            continue
        try:
            principal = Principal.parse(str(entry.get("principal", "")))
            request: object = structure(
                entry.get("request"), cls, source=f"{where} request"
            )
        except InvalidInputError as error:
            problems.append(str(error))
            continue
        parsed.append(RequestEntry(kind, principal, request, line))
    if problems:
        raise InvalidInputError(
            f"{source}: {len(problems)} problem(s); nothing was submitted.\n"
            + "\n".join(problems)
        )
    return parsed
