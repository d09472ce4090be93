"""Which requests the kernel knows, and who decides each.

Each chapter module registers its requests at import with
:func:`register_request`; :mod:`xueji._chapters` imports every chapter
module, so the service layer and request documents see them all.
"""

from __future__ import annotations

__all__ = ["HANDLERS", "REQUEST_KINDS", "Handler", "register_request"]

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xueji._context import Context
    from xueji._decisions import Decision

Handler = Callable[["Context", Any], "Decision"]

HANDLERS: dict[type, Handler] = {}
"""Request type → the function that decides it."""

REQUEST_KINDS: dict[str, type] = {}
"""The ``kind`` a request document names → the request type."""


def register_request(kind: str, request_type: type, handler: Handler) -> None:
    """Make a request kind known to the service layer and to request
    documents.  A kind or a type registered twice is a programming error."""
    if kind in REQUEST_KINDS or request_type in HANDLERS:
        raise RuntimeError(f"request kind {kind} is registered twice")
    REQUEST_KINDS[kind] = request_type
    HANDLERS[request_type] = handler
