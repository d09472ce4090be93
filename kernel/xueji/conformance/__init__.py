"""The conformance kit (an extra: ``pip install xueji[conformance]``).

Districts and vendors run the tests the project runs (DESIGN.md §6): cases
as YAML data citing their articles, in five levels — kernel rules,
delegation (the kernel cases again with a district plugin loaded), temporal
(dates across school years and holidays), the storage contract, access — and
a coverage manifest over all 52 articles.  Run it as a pytest plugin::

    pytest -p xueji.conformance.plugin --xueji-plugin my_district

or from a program (what ``xueji conformance`` calls)::

    from xueji.conformance import run
    summary = run(levels=["kernel"], plugins=["my_district"])
    print(summary.format())

This subpackage is the one part of the kernel allowed to import pytest and
a YAML parser; pytest is imported only when the suite runs.  The case format
and the three-step guides are in ``docs/conformance.md``.
"""

from __future__ import annotations

from xueji.conformance.cases import CASE_LEVELS, LEVELS, Case, load_cases
from xueji.conformance.coverage import CoverageRow, coverage_table, format_coverage
from xueji.conformance.execute import CaseFailure, run_case
from xueji.conformance.queries import PortQuery, compare_with_kernel, declare_query
from xueji.conformance.runner import Failure, LevelCount, Summary, run

__all__ = [
    "CASE_LEVELS",
    "LEVELS",
    "Case",
    "CaseFailure",
    "CoverageRow",
    "Failure",
    "LevelCount",
    "PortQuery",
    "Summary",
    "compare_with_kernel",
    "coverage_table",
    "declare_query",
    "format_coverage",
    "load_cases",
    "run",
    "run_case",
]
