"""Request documents as the CLI reads them: YAML or JSON, with two
conveniences on top of :func:`xueji.parse_request_document`.

- An entry without ``principal`` is entered by ``--as`` when given, else by
  the registrar the request belongs to: the school's (admission; a request
  about a student: the school of the student's open stint), the district's
  (national-number, duplicate-resolution), or the township's or district's
  the deferral is filed with (第十一条).
- ``review: request:ID`` in a duplicate-resolution names the review opened
  by the admission with request id ``ID`` (the review's own id is made when
  that admission is decided, so a document cannot know it in advance).
"""

from __future__ import annotations

__all__ = ["REGISTRAR", "default_principal", "read_requests", "resolve"]

import json
from pathlib import Path
from typing import Any

import attrs

from xueji import (
    DuplicateResolution,
    InvalidInputError,
    RequestEntry,
    Store,
    parse_request_document,
)
from xueji.conformance.yamlfile import read_yaml

REGISTRAR = "学籍管理员"
_REVIEW_BY_REQUEST = "request:"


def _read(path: Path) -> tuple[Any, list[int]]:
    if path.suffix.lower() == ".json":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInputError(
                f"{path}: not UTF-8 text; save the file as UTF-8 and retry"
            ) from None
        except OSError as error:
            raise InvalidInputError(
                f"{path}: cannot be read: {error.strerror}"
            ) from None
        try:
            return json.loads(text), []
        except json.JSONDecodeError as error:
            raise InvalidInputError(
                f"{path}: not valid JSON at line {error.lineno} column "
                f"{error.colno}: {error.msg}; fix the file and retry"
            ) from None
    return read_yaml(path)


def _student_school(store: Store, number: str) -> tuple[str, str] | None:
    """(school, district) of the student's open stint."""
    with store.unit_of_work() as uow:
        student = uow.get_student(number)
        if student is None:
            return None
        for enrollment in uow.enrollments_of(student.number):
            if enrollment.status.active:
                return enrollment.school, enrollment.district
    return None


def default_principal(entry: dict[str, Any], store: Store) -> str | None:
    """The registrar who enters ``entry`` when the document names nobody."""
    kind = entry.get("kind")
    request = entry.get("request")
    if not isinstance(request, dict):
        return None
    if kind == "admission" and isinstance(request.get("school"), str):
        return f"school:{request['school']}:{REGISTRAR}"
    if kind == "deferral" and isinstance(request.get("filed_with"), str):
        code = request["filed_with"]
        with store.unit_of_work() as uow:
            township = uow.get_township(code)
        if township is not None:
            return f"township:{code}:{REGISTRAR}"
        return f"district:{code}:{REGISTRAR}"
    if kind == "duplicate-resolution" and isinstance(request.get("review"), str):
        review = _review_of(store, request["review"])
        if review is not None:
            return f"district:{review[1]}:{REGISTRAR}"
        return None
    number = request.get("student")
    if not isinstance(number, str):
        return None
    place = _student_school(store, number)
    if place is None:
        return None
    if kind == "national-number":
        return f"district:{place[1]}:{REGISTRAR}"
    return f"school:{place[0]}:{REGISTRAR}"


def read_requests(
    path: Path, store: Store, *, principal: str | None = None
) -> list[RequestEntry]:
    """Every entry of a request document, typed and checked; nothing is
    submitted when any entry is wrong.

    Raises:
        InvalidInputError: malformed YAML or JSON (file and line named), an
            unknown kind, a field that does not fit (entry and field named).
    """
    data, lines = _read(path)
    entries = data if isinstance(data, list) else [data]
    filled = []
    for entry in entries:
        if isinstance(entry, dict) and "principal" not in entry:
            actor = principal or default_principal(entry, store)
            if actor is not None:
                entry = {**entry, "principal": actor}
        filled.append(entry)
    return parse_request_document(filled, source=str(path), lines=lines)


def _review_of(store: Store, reference: str) -> tuple[str, str] | None:
    """(review id, district) for ``request:ID``, or for a review id."""
    with store.unit_of_work() as uow:
        if not reference.startswith(_REVIEW_BY_REQUEST):
            procedure = uow.get_procedure(reference)
            return None if procedure is None else (procedure.id, procedure.district)
        request_id = reference.removeprefix(_REVIEW_BY_REQUEST)
        for item in uow.obligations():
            if item.decision == request_id and item.procedure is not None:
                procedure = uow.get_procedure(item.procedure)
                if procedure is not None and procedure.kind == "duplicate-review":
                    return procedure.id, procedure.district
    return None


def resolve(request: object, store: Store) -> object:
    """The request with ``review: request:ID`` replaced by the review's id."""
    if isinstance(request, DuplicateResolution) and request.review.startswith(
        _REVIEW_BY_REQUEST
    ):
        review = _review_of(store, request.review)
        if review is None:
            raise InvalidInputError(
                f"duplicate-resolution {request.id}: no duplicate review was opened "
                f"by {request.review}; submit that admission first, or give the "
                "review's id (rev-…)"
            )
        return attrs.evolve(request, review=review[0])
    return request
