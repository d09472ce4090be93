"""Rules an adapter evaluates in SQL must agree with the kernel (DESIGN §5).

Rules live in the kernel.  For bulk work (the term check over two million
students) an adapter may answer a question in SQL, but only behind a query
the port declares: a :class:`PortQuery` names the question, the articles it
serves, and the kernel's own evaluation through the plain port.  An
adapter's unit of work that has a method of the query's name answers it
itself; the storage level then runs both on the same data and compares the
answers (:func:`compare_with_kernel`).

No port query is declared yet, and no adapter evaluates a rule in SQL: the
storage level reports that and skips the comparison.  A query is declared
with :func:`declare_query` next to the rule it serves, with a seed that
writes the data both evaluations read.
"""

from __future__ import annotations

__all__ = [
    "PORT_QUERIES",
    "Comparison",
    "PortQuery",
    "compare_with_kernel",
    "declare_query",
    "queries_answered_by",
]

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from xueji._storage import Store, UnitOfWork


@attrs.frozen
class PortQuery:
    """A question the port declares that an adapter may answer in SQL.

    ``kernel`` answers it through the plain port (the reference);
    ``seed`` writes, through the port, the data both answers are compared on;
    ``arguments`` are the query's arguments for that data.
    """

    name: str
    articles: str
    kernel: Callable[..., Any]
    seed: Callable[[UnitOfWork], None]
    arguments: dict[str, Any] = attrs.Factory(dict)


PORT_QUERIES: dict[str, PortQuery] = {}
"""Every query the port declares, by name (the adapter's method name)."""


def declare_query(query: PortQuery) -> PortQuery:
    """Declare a port query (a name declared twice is a programming error)."""
    if query.name in PORT_QUERIES:
        raise RuntimeError(f"port query {query.name} is declared twice")
    PORT_QUERIES[query.name] = query
    return query


def queries_answered_by(store: Store) -> list[PortQuery]:
    """The declared queries the store's units of work answer themselves."""
    with store.unit_of_work() as uow:
        return [
            q for q in PORT_QUERIES.values() if callable(getattr(uow, q.name, None))
        ]


@attrs.frozen
class Comparison:
    """The adapter's answer and the kernel's, on the same data."""

    query: str
    adapter: Any
    kernel: Any

    @property
    def equal(self) -> bool:
        return bool(_normal(self.adapter) == _normal(self.kernel))

    def __str__(self) -> str:
        if self.equal:
            return f"{self.query}: the adapter agrees with the kernel"
        return (
            f"{self.query}: the adapter answers {self.adapter!r}, the kernel "
            f"{self.kernel!r} on the same data"
        )


def _normal(value: Any) -> Any:
    """Order does not matter in a set of rows: compare lists sorted."""
    if isinstance(value, list | tuple | set | frozenset):
        items = [_normal(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    return value


def compare_with_kernel(
    store: Store,
    query: str,
    adapter: Callable[[UnitOfWork], Any],
    kernel: Callable[[UnitOfWork], Any],
    *,
    seed: Callable[[UnitOfWork], None] | None = None,
) -> Comparison:
    """Seed the store (through the port), then ask the adapter's query and
    the kernel's evaluation in one unit of work, on the same data.

    Args:
        store: the store under test (seeded and read, never committed after
            the answers).
        query: the query's name, for messages.
        adapter: asks the adapter's query, e.g. ``lambda uow:
            uow.overdue_archives(as_of)``.
        kernel: the kernel's own evaluation through the plain port.
        seed: writes the data both read; committed first.
    """
    if seed is not None:
        with store.unit_of_work() as uow:
            seed(uow)
            uow.commit()
    with store.unit_of_work() as uow:
        theirs = adapter(uow)
        ours = kernel(uow)
    return Comparison(query, theirs, ours)


def compare_declared(store: Store, queries: Iterable[PortQuery]) -> list[Comparison]:
    """:func:`compare_with_kernel` for each declared query the store answers."""
    return [_compare(store, query) for query in queries]


def _compare(store: Store, query: PortQuery) -> Comparison:
    def adapter(uow: UnitOfWork) -> Any:
        return getattr(uow, query.name)(**query.arguments)

    def kernel(uow: UnitOfWork) -> Any:
        return query.kernel(uow, **query.arguments)

    return compare_with_kernel(store, query.name, adapter, kernel, seed=query.seed)
