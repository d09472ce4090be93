"""The one cattrs converter of xueji (STYLE.md §6: converters live in one
place, not on the classes).

Records and requests are unstructured to JSON-ready dictionaries — dates as
ISO strings, enums as their values — for storage adapters, request files and
``--json`` output, and structured back with the same converter.  A payload
that does not fit its type raises :class:`~xueji.InvalidInputError` naming
the field.
"""

from __future__ import annotations

__all__ = ["converter", "dumps", "loads", "structure", "unstructure"]

import json
from datetime import date, datetime
from typing import Any, TypeVar

import cattrs
from cattrs import transform_error
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.v import format_exception

from xueji._errors import InvalidInputError, XuejiError

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)


def _structure_date(value: object, _: type) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date as YYYY-MM-DD") from None


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp, got {value!r}")
    return datetime.fromisoformat(value)


converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
converter.register_structure_hook(datetime, _structure_datetime)


def _describe(error: BaseException, path: str = "request") -> list[str]:
    """One line per field that does not fit, with its path.  A validator's
    own message (an :class:`~xueji.InvalidInputError` raised while the
    record is built) is kept: it says what the regulation requires."""
    if isinstance(error, XuejiError):
        return [f"{error} @ {path}"]
    if not isinstance(error, BaseValidationError):
        if isinstance(error, ValueError) and str(error):
            return [f"{error} @ {path}"]
        return [f"{format_exception(error, None)} @ {path}"]
    if isinstance(error, ForbiddenExtraKeysError):
        return transform_error(error, path=path)
    lines: list[str] = []
    for sub in error.exceptions:
        step = ""
        for note in getattr(sub, "__notes__", []):
            if isinstance(note, AttributeValidationNote):
                step = f".{note.name}"
            elif isinstance(note, IterableValidationNote):
                step = f"[{note.index!r}]"
        lines += _describe(sub, path + step)
    return lines


def structure(data: Any, cls: type[T], *, source: str = "input") -> T:
    """Build a ``cls`` from JSON-ready data, or raise an error naming every
    field that does not fit."""
    try:
        return converter.structure(data, cls)
    except (BaseValidationError, ClassValidationError) as error:
        fields = "\n  ".join(_describe(error))
        raise InvalidInputError(
            f"{source}: does not fit {cls.__name__}:\n  {fields}"
        ) from None
    except XuejiError:
        raise
    except (TypeError, ValueError, KeyError) as error:
        raise InvalidInputError(
            f"{source}: does not fit {cls.__name__}: {error}"
        ) from None


def unstructure(value: Any) -> Any:
    """JSON-ready data for any record, request or decision."""
    return converter.unstructure(value)


def dumps(value: Any) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True)


def loads(text: str, cls: type[T], *, source: str = "input") -> T:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source}: not valid JSON at line {error.lineno} column {error.colno}: "
            f"{error.msg}"
        ) from None
    return structure(data, cls, source=source)
