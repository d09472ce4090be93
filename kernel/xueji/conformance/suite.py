"""The conformance suite: the tests :mod:`xueji.conformance.plugin` collects.

Run it through the plugin (``pytest -p xueji.conformance.plugin``) or
``xueji conformance``; collected without the plugin it has nothing to run.
Each test carries its level (``xueji_level``): the plugin deselects the
levels not asked for.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xueji._calendar import CalendarBook
from xueji._rules import Rules
from xueji._service import Register
from xueji._storage import MemoryStore, Store
from xueji.conformance.cases import Case, rebase
from xueji.conformance.coverage import coverage_table, problems
from xueji.conformance.execute import municipal_plugin, plugin_hooks, run_case
from xueji.conformance.plugin import Settings
from xueji.conformance.queries import compare_declared, queries_answered_by
from xueji.conformance.temporal import (
    delegation_sweep,
    school_day_sweep,
    term_window_sweep,
    working_day_sweep,
)

kernel = pytest.mark.xueji_level("kernel")
delegation = pytest.mark.xueji_level("delegation")
temporal = pytest.mark.xueji_level("temporal")
storage = pytest.mark.xueji_level("storage")


def _show(problems: list[str], limit: int = 30) -> str:
    shown = problems[:limit]
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(shown) + more


# ---------------------------------------------------------- kernel, access,
# ---------------------------------------------------------- temporal cases


def test_case(xueji_case: Case, xueji_settings: Settings) -> None:
    """One YAML case: its level is the case's own."""
    run_case(xueji_case, store=xueji_settings.backend.case_store())


@kernel
def test_every_article_is_covered_non_computable_or_pending(
    xueji_settings: Settings,
) -> None:
    found = problems(coverage_table(xueji_settings.cases))

    assert not found, _show(found)


# ---------------------------------------------------------- delegation


@delegation
def test_mandatory_rules_hold_with_the_district_plugin(
    xueji_delegated: tuple[object, str, Case] | None, xueji_settings: Settings
) -> None:
    """A kernel case again, in the plugin's district, with the plugin loaded:
    every rule the case checks that the plugin may not change still holds."""
    if xueji_delegated is None:
        pytest.skip("no district plugin given: pass --xueji-plugin module:object")
    plugin, district, case = xueji_delegated
    if case.given.plugins:
        pytest.skip("the case loads plugins of its own")
    supplied = case.delegable_for(plugin_hooks(plugin))
    if supplied:
        pytest.skip(f"delegable: the plugin supplies {', '.join(supplied)}")

    run_case(
        rebase(case, district),
        plugins=[plugin],
        store=xueji_settings.backend.case_store(),
    )


# ---------------------------------------------------------- temporal sweeps


@pytest.fixture(scope="module")
def book(xueji_settings: Settings) -> CalendarBook:
    rules = Rules([municipal_plugin(), *xueji_settings.plugins])
    return Register(MemoryStore(), rules=rules).calendars


@temporal
def test_deadlines_counted_in_working_days_fall_on_working_days(
    book: CalendarBook, xueji_school_year: str
) -> None:
    found = working_day_sweep(book, xueji_school_year)

    assert not found, _show(found)


@temporal
def test_windows_after_the_term_starts_end_on_working_days(
    book: CalendarBook, xueji_school_year: str
) -> None:
    found = term_window_sweep(book, xueji_school_year)

    assert not found, _show(found)


@temporal
def test_school_days_are_working_days_inside_a_term(
    book: CalendarBook, xueji_school_year: str
) -> None:
    found = school_day_sweep(book, xueji_school_year)

    assert not found, _show(found)


@temporal
def test_every_delegation_point_has_one_governing_answer_every_week(
    xueji_plugin_set: tuple[object, ...], xueji_school_year: str
) -> None:
    rules = Rules([municipal_plugin(), *xueji_plugin_set])

    found = delegation_sweep(rules, xueji_school_year, step=7)

    assert not found, _show(found)


# ---------------------------------------------------------- storage contract


@pytest.fixture(scope="session")
def xueji_contract_store(xueji_settings: Settings) -> Iterator[Store]:
    store = xueji_settings.backend.contract_store()
    yield store
    dispose = getattr(store, "dispose", None)
    if callable(dispose):
        dispose()


try:
    from xueji.conformance.storage import StorageContract
except ImportError:  # pragma: no cover - the module is written by the SQL work

    @storage
    def test_storage_contract() -> None:
        pytest.skip("xueji.conformance.storage is not installed yet")

else:

    @storage
    class TestStorageContract(StorageContract):
        """Every test of :mod:`xueji.conformance.storage`, on the backend."""

        @pytest.fixture
        def store(self, xueji_contract_store: Store) -> Store:
            return xueji_contract_store


@storage
def test_rules_an_adapter_evaluates_in_sql_agree_with_the_kernel(
    xueji_contract_store: Store,
) -> None:
    answered = queries_answered_by(xueji_contract_store)
    if not answered:
        pytest.skip(
            "no port query is declared, or the store answers none in SQL: "
            "nothing to compare with the kernel (DESIGN.md §5)"
        )

    compared = compare_declared(xueji_contract_store, answered)

    assert all(c.equal for c in compared), "\n".join(str(c) for c in compared)
