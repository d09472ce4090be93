"""The random-draw inspection, 双随机、一公开 (第四十五条).

市教委采取“双随机、一公开”检查等方式，加强学籍工作事中事后监管: the schools
to inspect and the inspectors are drawn at random, and the draw is public.
xueji makes the draw reproducible: the seed is published with the draw; the
schools are drawn from their sorted codes and each school's inspectors from
the sorted pool, with ``random.Random(seed)`` and nothing else (never the
global generator).  The inputs and the result are recorded, so anyone can
run :func:`verify_draw` on the published draw and get the same result.
"""

from __future__ import annotations

__all__ = [
    "ALGORITHM",
    "INSPECTION",
    "Assignment",
    "InspectionDraw",
    "draw",
    "verify_draw",
]

import random
from collections.abc import Iterable
from datetime import date

import attrs

from xueji._errors import InvalidInputError

INSPECTION = "inspection-draw"
"""The record kind of a draw."""

ALGORITHM = "xueji-draw-1"
"""random.Random(seed); sample(schools, k); then, per drawn school in drawn
order, sample(inspectors, m), sorted.  Changing it needs a new name."""


@attrs.frozen
class Assignment:
    """One drawn school and its drawn inspectors."""

    school: str
    inspectors: tuple[str, ...]


@attrs.frozen
class InspectionDraw:
    """A published draw: the inputs (seed, population, pool, counts) and the
    result, with the algorithm's name.  ``scope`` is a district code, or
    ``110000`` for the whole city."""

    id: str
    on: date
    scope: str
    seed: str
    population: tuple[str, ...]
    inspectors: tuple[str, ...]
    schools_drawn: int
    inspectors_per_school: int
    assignments: tuple[Assignment, ...]
    drawn_by: str
    algorithm: str = ALGORITHM


def _run(
    seed: str,
    population: tuple[str, ...],
    inspectors: tuple[str, ...],
    schools_drawn: int,
    per_school: int,
) -> tuple[Assignment, ...]:
    rng = random.Random(seed)
    chosen = rng.sample(population, schools_drawn)
    return tuple(
        Assignment(school, tuple(sorted(rng.sample(inspectors, per_school))))
        for school in chosen
    )


def draw(
    *,
    draw_id: str,
    on: date,
    scope: str,
    seed: str,
    schools: Iterable[str],
    inspectors: Iterable[str],
    schools_drawn: int,
    inspectors_per_school: int,
    drawn_by: str,
) -> InspectionDraw:
    """Draw ``schools_drawn`` schools and, for each, ``inspectors_per_school``
    inspectors (第四十五条).  Codes and names are de-duplicated and sorted
    before the draw, so the order they are given in does not matter.

    Raises:
        InvalidInputError: an empty seed, or more schools or inspectors asked
            for than there are.
    """
    population = tuple(sorted(set(schools)))
    pool = tuple(sorted(set(inspectors)))
    if not seed.strip():
        raise InvalidInputError(
            "the seed must not be empty: publish it before the draw (第四十五条 一公开)"
        )
    if not 1 <= schools_drawn <= len(population):
        raise InvalidInputError(
            f"cannot draw {schools_drawn} school(s) from {len(population)}; ask for "
            f"1 to {len(population)}"
        )
    if not 1 <= inspectors_per_school <= len(pool):
        raise InvalidInputError(
            f"cannot draw {inspectors_per_school} inspector(s) per school from a pool "
            f"of {len(pool)}; add inspectors or ask for fewer"
        )

    return InspectionDraw(
        id=draw_id,
        on=on,
        scope=scope,
        seed=seed,
        population=population,
        inspectors=pool,
        schools_drawn=schools_drawn,
        inspectors_per_school=inspectors_per_school,
        assignments=_run(seed, population, pool, schools_drawn, inspectors_per_school),
        drawn_by=drawn_by,
    )


def verify_draw(published: InspectionDraw) -> bool:
    """Whether running the draw again on its published inputs gives its
    published result (第四十五条 一公开)."""
    if published.algorithm != ALGORITHM:
        raise InvalidInputError(
            f"draw {published.id} used algorithm {published.algorithm!r}; this "
            f"version of xueji runs {ALGORITHM!r}"
        )
    if published.population != tuple(sorted(set(published.population))):
        return False
    if published.inspectors != tuple(sorted(set(published.inspectors))):
        return False
    again = _run(
        published.seed,
        published.population,
        published.inspectors,
        published.schools_drawn,
        published.inspectors_per_school,
    )
    return again == published.assignments
