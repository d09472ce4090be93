"""Request documents as the CLI reads them: YAML or JSON, with two
conveniences on top of :func:`xueji.parse_request_document`.

- An entry without ``principal`` is entered by ``--as`` when given, else by
  the registrar the request belongs to: the school's (admission; a request
  about a student: the school of the student's open stint, or of the one
  admitted to or deferred from), the district's
  (national-number, duplicate-resolution), the township's or district's
  the deferral is filed with (第十一条), the owner of the current step
  (step; the filer for withdraw and resubmit), or the addressee of the
  duty (obligation-fulfilment).
- References to what an earlier request opened, which a document cannot
  know in advance (ids are made when a request is decided):

  ``request:ID`` as a step's ``procedure`` (or a placement's, or a
  duplicate-resolution's ``review``) names the procedure that request ``ID``
  opened; ``request:ID/KIND`` as an obligation-fulfilment's ``obligation``
  names the duty of ``KIND`` (``build-archive``, ``inform-township``, …)
  that request made, and ``student:NUMBER/KIND`` the student's earliest
  open duty of that kind (the duties a dated job made).  The same forms work
  on the command line (``xueji approve request:tr-1``).
"""

from __future__ import annotations

__all__ = [
    "REGISTRAR",
    "References",
    "default_principal",
    "read_requests",
    "resolve",
    "step_principal",
]

import json
from pathlib import Path
from typing import Any

import attrs

from xueji import (
    Action,
    DuplicateResolution,
    InvalidInputError,
    ObligationFulfilment,
    ObligationKind,
    Procedure,
    RequestEntry,
    Role,
    Status,
    StepAction,
    Store,
    TransferPlacement,
    parse_request_document,
    redact,
)
from xueji.conformance.yamlfile import read_yaml

REGISTRAR = "学籍管理员"
_BY_REQUEST = "request:"
_BY_STUDENT = "student:"
_ROLES = {
    Role.CITY: "city",
    Role.DISTRICT: "district",
    Role.SCHOOL: "school",
    Role.TOWNSHIP: "township",
}


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


# ---------------------------------------------------------------- references


class References:
    """Resolves ``request:`` and ``student:`` references against a store.

    What a request opened never changes, so the answers are kept: a long
    document (the demo's year) reads the store's duties once per miss, not
    once per reference."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._opened: dict[str, str] = {}  # request id -> procedure id
        self._duties: dict[tuple[str, str], list[str]] = {}  # (request, kind)

    def _scan(self) -> None:
        with self.store.unit_of_work() as uow:
            items = uow.obligations()
        for item in items:
            if item.decision is None:
                continue
            if item.procedure is not None:
                self._opened.setdefault(item.decision, item.procedure)
            key = (item.decision, item.obligation.kind.value)
            known = self._duties.setdefault(key, [])
            if item.id not in known:
                known.append(item.id)

    def procedure(self, text: str) -> str:
        """The procedure id ``text`` names (an id passes through)."""
        if not text.startswith(_BY_REQUEST):
            return text
        request_id = text.removeprefix(_BY_REQUEST)
        if request_id not in self._opened:
            self._scan()
        found = self._opened.get(request_id)
        if found is None:
            raise InvalidInputError(
                f"{text}: request {request_id!r} opened no procedure (it was not "
                "decided yet, or was refused or accepted outright); list open "
                "procedures with `xueji work`"
            )
        return found

    def obligation(self, text: str) -> str:
        """The obligation id ``text`` names (an id passes through)."""
        if text.startswith(_BY_STUDENT):
            return self._student_duty(text)
        if not text.startswith(_BY_REQUEST):
            return text
        request_id, kind = _split_kind(text.removeprefix(_BY_REQUEST), text)
        key = (request_id, kind.value)
        if key not in self._duties:
            self._scan()
        found = self._duties.get(key)
        if not found:
            raise InvalidInputError(
                f"{text}: request {request_id!r} made no {kind.value} duty; list "
                "duties with `xueji obligations` or `xueji work`"
            )
        return found[0]

    def _student_duty(self, text: str) -> str:
        number, kind = _split_kind(text.removeprefix(_BY_STUDENT), text)
        with self.store.unit_of_work() as uow:
            student = uow.get_student(number)
            items = (
                []
                if student is None
                else uow.obligations(student=student.number, open_only=True)
            )
        open_items = sorted(
            (i for i in items if i.obligation.kind is kind),
            key=lambda i: (i.obligation.arises, i.id),
        )
        if not open_items:
            raise InvalidInputError(
                f"{_masked_ref(text)}: the student has no open {kind.value} duty; "
                "list duties with `xueji obligations`"
            )
        return open_items[0].id

    def resolve(self, request: object) -> object:
        """The request with its references replaced by ids."""
        if isinstance(request, DuplicateResolution):
            return _resolve_review(self, request)
        if isinstance(request, StepAction | TransferPlacement):
            return attrs.evolve(request, procedure=self.procedure(request.procedure))
        if isinstance(request, ObligationFulfilment):
            return attrs.evolve(request, obligation=self.obligation(request.obligation))
        return request


def _split_kind(text: str, whole: str) -> tuple[str, ObligationKind]:
    ref, sep, kind = text.rpartition("/")
    kinds = ", ".join(k.value for k in ObligationKind)
    if not sep or not ref:
        raise InvalidInputError(
            f"{_masked_ref(whole)}: name the duty's kind after a slash, e.g. "
            f"request:reg-1/build-archive (kinds: {kinds})"
        )
    try:
        return ref, ObligationKind(kind)
    except ValueError:
        raise InvalidInputError(
            f"{_masked_ref(whole)}: {kind!r} is not a kind of duty; use one of: {kinds}"
        ) from None


def _masked_ref(text: str) -> str:
    return redact(text)


def _resolve_review(refs: References, request: DuplicateResolution) -> object:
    """``review: request:ID`` names the review that admission ``ID`` opened."""
    if not request.review.startswith(_BY_REQUEST):
        return request
    try:
        review = refs.procedure(request.review)
    except InvalidInputError:
        raise InvalidInputError(
            f"duplicate-resolution {request.id}: no duplicate review was opened "
            f"by {request.review}; submit that admission first, or give the "
            "review's id (rev-…)"
        ) from None
    return attrs.evolve(request, review=review)


def resolve(request: object, store: Store) -> object:
    """The request with its ``request:``/``student:`` references replaced."""
    return References(store).resolve(request)


# ---------------------------------------------------------------- principals


_OPEN_NOT_ACTIVE = (Status.ADMITTED, Status.DEFERRED)


def _student_school(store: Store, number: str) -> tuple[str, str] | None:
    """(school, district) of the student's open stint: an active one, else
    one admitted but not registered yet (待入学) or deferred (缓学)."""
    with store.unit_of_work() as uow:
        student = uow.get_student(number)
        if student is None:
            return None
        stints = list(uow.enrollments_of(student.number))
    for enrollment in stints:
        if enrollment.status.active:
            return enrollment.school, enrollment.district
    for enrollment in stints:
        if enrollment.status in _OPEN_NOT_ACTIVE:
            return enrollment.school, enrollment.district
    return None


def step_principal(procedure: Procedure, action: Action) -> str | None:
    """Who acts on the procedure: the owner of its current step, or for a
    withdrawal or resubmission the one who entered it."""
    if action in (Action.WITHDRAW, Action.RESUBMIT):
        return procedure.entered_by
    step = procedure.current
    if step is None:
        return None
    return f"{_ROLES[step.role]}:{step.organisation}:{REGISTRAR}"


def _step_default(request: dict[str, Any], refs: References) -> str | None:
    reference = request.get("procedure")
    if not isinstance(reference, str):
        return None
    store = refs.store
    try:
        action = Action(request.get("action"))
        procedure_id = refs.procedure(reference)
    except (ValueError, InvalidInputError):
        return None
    with store.unit_of_work() as uow:
        procedure = uow.get_procedure(procedure_id)
    return None if procedure is None else step_principal(procedure, action)


def _fulfilment_default(request: dict[str, Any], refs: References) -> str | None:
    reference = request.get("obligation")
    if not isinstance(reference, str):
        return None
    store = refs.store
    try:
        obligation_id = refs.obligation(reference)
    except InvalidInputError:
        return None
    with store.unit_of_work() as uow:
        item = uow.get_obligation(obligation_id)
    if item is None or item.obligation.role not in _ROLES:
        return None
    role = _ROLES[item.obligation.role]
    return f"{role}:{item.obligation.organisation}:{REGISTRAR}"


def default_principal(
    entry: dict[str, Any], store: Store, refs: References | None = None
) -> str | None:
    """The registrar who enters ``entry`` when the document names nobody."""
    refs = refs or References(store)
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
        try:
            review = refs.procedure(request["review"])
        except InvalidInputError:
            return None
        with store.unit_of_work() as uow:
            procedure = uow.get_procedure(review)
        if procedure is not None:
            return f"district:{procedure.district}:{REGISTRAR}"
        return None
    if kind == "step":
        return _step_default(request, refs)
    if kind == "obligation-fulfilment":
        return _fulfilment_default(request, refs)
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
    refs = References(store)
    filled = []
    unknown: list[str] = []
    for index, entry in enumerate(entries, start=1):
        if isinstance(entry, dict) and "principal" not in entry:
            actor = principal or default_principal(entry, store, refs)
            if actor is not None:
                entry = {**entry, "principal": actor}
            else:
                unknown.append(_needs_principal(entry, index, lines))
        filled.append(entry)
    if unknown:
        raise InvalidInputError(
            f"{path}: {len(unknown)} problem(s); nothing was submitted.\n"
            + "\n".join(unknown)
        )
    return parse_request_document(filled, source=str(path), lines=lines)


def _needs_principal(entry: dict[str, Any], index: int, lines: list[int]) -> str:
    """The problem of an entry whose registrar the register cannot tell."""
    line = lines[index - 1] if index - 1 < len(lines) else None
    request = entry.get("request")
    request_id = request.get("id") if isinstance(request, dict) else None
    where = f"entry {index}" + (f" (line {line})" if line else "")
    if request_id is not None:
        where += f" {request_id}"
    return redact(
        f"{where}: no principal, and the register knows no registrar it belongs "
        "to (no open stint, step or duty to take it from); add "
        "`principal: role:organisation:name` to the entry, or give --as"
    )
