"""The conformance kit, run by the project's own tests: the kit ships inside
the library and the core runs it too (STYLE.md, the SQLAlchemy anchor).

Every built-in case runs on the memory store and on SQLite; the kernel cases
run again with each reference district plugin (the delegation level); the
temporal sweeps run with each plugin set; the coverage manifest is checked;
malformed case files are shown to name the file, the line and the field; and
the runner is driven once as ``pytest -p xueji.conformance.plugin`` and once
through :func:`xueji.conformance.run`, each in a process of its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typeguard import suppress_type_checks

import xueji_dongcheng_example
import xueji_haidian_example
from xueji import (
    CalendarBook,
    InvalidInputError,
    MemoryStore,
    PluginError,
    PluginInfo,
    Rules,
    School,
)
from xueji.conformance import (
    Case,
    CaseFailure,
    compare_with_kernel,
    coverage_table,
    format_coverage,
    load_cases,
    run_case,
)
from xueji.conformance.cases import (
    LEVELS,
    builtin_cases_dir,
    load_case_file,
    load_library,
    rebase,
)
from xueji.conformance.coverage import load_manifest, problems
from xueji.conformance.execute import load_plugin, municipal_plugin, plugin_hooks
from xueji.conformance.fixtures import SAMPLE_DISTRICT
from xueji.conformance.stores import backend
from xueji.conformance.temporal import (
    delegation_sweep,
    school_day_sweep,
    school_years,
    term_window_sweep,
    working_day_sweep,
)
from xueji.hookspecs import hookimpl
from xueji_sqlalchemy import init_register

ROOT = Path(__file__).resolve().parent.parent
CASES = load_cases()
KERNEL = [c for c in CASES if c.level == "kernel"]
DISTRICT_PLUGINS = [xueji_haidian_example, xueji_dongcheng_example, SAMPLE_DISTRICT]


def params(cases: list[Case]) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=case.known_failure, strict=True)]
            if case.known_failure
            else [],
        )
        for case in cases
    ]


# ------------------------------------------------------------ the cases


def test_there_are_cases_of_every_yaml_level() -> None:
    levels = {c.level for c in CASES}

    assert levels == {"kernel", "access", "temporal"}


@pytest.mark.parametrize("case", params(CASES))
def test_case_on_the_memory_store(case: Case) -> None:
    run_case(case)


@pytest.fixture(scope="module")
def sqlite_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'named.db'}"
    chosen = backend(url, init_register)
    yield chosen.case_store()
    chosen.close()


@pytest.mark.parametrize("case", params(CASES))
def test_case_on_sqlite(case: Case, sqlite_cases: object) -> None:
    # typeguard checks the kernel in the memory-store run of the same case.
    with suppress_type_checks():
        run_case(case, store=sqlite_cases)  # type: ignore[arg-type]


def _delegated() -> list[Any]:
    found = []
    for plugin in DISTRICT_PLUGINS:
        info = plugin.XUEJI_PLUGIN
        for district in info.districts:
            for case in KERNEL:
                marks = []
                if case.known_failure:
                    marks.append(
                        pytest.mark.xfail(reason=case.known_failure, strict=True)
                    )
                found.append(
                    pytest.param(
                        plugin, district, case, id=f"{info.name}/{case.id}", marks=marks
                    )
                )
    return found


@pytest.mark.parametrize(("plugin", "district", "case"), _delegated())
def test_mandatory_rules_hold_with_each_reference_plugin(
    plugin: object, district: str, case: Case
) -> None:
    if case.given.plugins:
        pytest.skip("the case loads plugins of its own")
    if case.delegable_for(plugin_hooks(plugin)):
        pytest.skip("delegable for a point the plugin supplies")

    with suppress_type_checks():  # checked in the memory-store run
        run_case(rebase(case, district), plugins=[plugin])


class BrokenCutoff:
    """A district plugin whose hook fails: every case it governs fails."""

    XUEJI_PLUGIN = PluginInfo(
        name="broken-cutoff",
        version="1",
        layer="district",
        districts=("110105",),
        legal_basis="测试",
    )

    @hookimpl
    def xueji_entry_age_cutoff(self, district: str, school_year: str) -> date | None:
        raise RuntimeError("the district's table is missing")


def test_a_plugin_breaking_a_case_fails_it_naming_the_step() -> None:
    case = next(c for c in CASES if c.id == "born-31-august-is-six")

    with pytest.raises(CaseFailure) as failure:
        run_case(rebase(case, "110105"), plugins=[BrokenCutoff()])

    assert "step 1 (line" in str(failure.value)
    assert "broken-cutoff 1 failed in hook xueji_entry_age_cutoff" in str(failure.value)


# ------------------------------------------------------------ rebase


def test_rebasing_swaps_district_codes_but_not_region_codes() -> None:
    case = next(
        c for c in CASES if c.id == "likely-duplicate-without-id-opens-a-review"
    )

    moved = rebase(case, "110108")

    schools = {o.code: o for o in moved.given.organisations if isinstance(o, School)}
    assert schools["P01"].district == "110108"
    assert schools["P01"].region_code == "110105"
    assert schools["Q01"].district == "110105"
    last = moved.then[-1]
    assert last is not None
    assert last.obligations is not None
    assert last.obligations[0].organisation == "110108"
    assert moved.given.home == "110108"


# ------------------------------------------------------------ coverage


def test_every_article_is_covered_non_computable_or_pending() -> None:
    rows = coverage_table(CASES)

    assert len(rows) == 52
    assert problems(rows) == []


def test_the_coverage_table_shouts_pending_articles() -> None:
    rows = coverage_table([], {19: "Chapter 4 is being written"})

    lines = format_coverage(rows).splitlines()

    assert lines[18].startswith("!! 第十九条")
    assert "PENDING" in lines[18]
    assert "Chapter 4 is being written" in lines[18]
    assert "NON-COMPUTABLE" in lines[0]
    assert lines[-1].startswith("covered 0, non-computable 3, PENDING 1")


def test_a_computable_article_without_cases_or_entry_fails_the_manifest() -> None:
    without_52 = [c for c in CASES if all(a.article != 52 for a in c.articles)]

    found = problems(coverage_table(without_52, {}))

    assert any(p.startswith("第五十二条 (施行日期) has no case") for p in found)


def test_docs_count_the_pending_articles() -> None:
    pending = load_manifest()
    text = (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8")

    found = re.search(r"Pending articles: (\d+)", text)
    assert found is not None, "docs/conformance.md says how many articles are pending"
    assert int(found[1]) == len(pending)
    for number in pending:
        row = next(r for r in coverage_table(CASES) if r.article.number == number)
        assert row.citation in text


def test_the_case_count_reaches_the_target() -> None:
    assert len(CASES) >= 150


# ------------------------------------------------------------ malformed files


def write_case(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kernel" / "bad.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_bad(path: Path) -> None:
    library = load_library([builtin_cases_dir()])
    load_case_file(path, library, root=path.parent.parent)


GOOD = """\
    register: chaoyang
    cases:
      - id: fine
        articles: [第十六条第一款]
        given:
          requests: [{$use: admit-jia}]
        when: [{$use: register-jia}]
        then:
          outcome: accepted
    """


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (
            ("outcome: accepted", "outcome: accepted\n          colour: red"),
            10,
            "colour",
        ),
        (("[第十六条第一款]", "[第十六条第九款]"), 4, "articles[0]"),
        (("{$use: register-jia}", "{$use: register-nobody}"), 7, "$use"),
        (
            (
                "outcome: accepted",
                "obligations: [{kind: build-archive, due: 2025-09-31}]",
            ),
            9,
            "then",
        ),
        (("when: [{$use: register-jia}]", "when: []"), 7, "when"),
        (
            (
                "{$use: register-jia}",
                "{$use: register-jia, request: {student: 1, colour: 2}}",
            ),
            7,
            "when[0]",
        ),
        (
            ("outcome: accepted", "outcome: accepted\n          outcome: refused"),
            10,
            "outcome",
        ),
    ],
    ids=[
        "unknown-field",
        "bad-citation",
        "unknown-template",
        "bad-date",
        "no-steps",
        "bad-request",
        "key-twice",
    ],
)
def test_a_malformed_case_file_names_the_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    path = write_case(tmp_path, GOOD.replace(*change))

    with pytest.raises(InvalidInputError) as error:
        load_bad(path)

    message = str(error.value)
    assert str(path) in message
    assert f"line {line}" in message
    assert field in message


def test_the_good_file_loads(tmp_path: Path) -> None:
    path = write_case(tmp_path, GOOD)

    load_bad(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write_case(tmp_path, "- id: x\n  articles: [第一条\n")

    with pytest.raises(InvalidInputError, match=r"line \d+ column \d+"):
        load_bad(path)


# ------------------------------------------------------------ temporal sweeps


@pytest.mark.parametrize("year", school_years(CalendarBook.default()))
def test_deadlines_and_windows_fall_on_working_days(year: str) -> None:
    book = CalendarBook.default()

    assert working_day_sweep(book, year) == []
    assert term_window_sweep(book, year) == []
    assert school_day_sweep(book, year) == []


def test_both_published_school_years_are_swept() -> None:
    assert school_years(CalendarBook.default()) == ["2024-2025", "2025-2026"]


@pytest.mark.parametrize(
    "plugins",
    [[], *([p] for p in DISTRICT_PLUGINS)],
    ids=["municipal", "haidian", "dongcheng", "sample"],
)
def test_every_delegation_point_has_one_answer_every_week(
    plugins: list[object],
) -> None:
    rules = Rules([municipal_plugin(), *plugins])

    with suppress_type_checks():  # 18 districts × 53 weeks × every point
        found = delegation_sweep(rules, "2025-2026")

    assert found == []


def test_the_sweep_reports_a_point_that_fails_on_some_dates() -> None:
    class Spring:
        XUEJI_PLUGIN = PluginInfo(
            name="spring",
            version="1",
            layer="district",
            districts=("110101",),
            legal_basis="测试",
            valid_from=date(2026, 3, 1),
        )

        @hookimpl
        def xueji_registration_deadline(
            self, district: str, stage: str, term_start: date
        ) -> date | None:
            raise LookupError("no table for the spring term")

    with suppress_type_checks():
        found = delegation_sweep(Rules([municipal_plugin(), Spring()]), "2025-2026")

    assert found
    assert all("xueji_registration_deadline for 110101" in p for p in found)
    assert all(p.split(" on ")[1][:10] >= "2026-03-01" for p in found)


# ------------------------------------------------------------ stores, queries


def test_a_sqlite_url_gives_every_case_a_fresh_file(tmp_path: Path) -> None:
    named = tmp_path / "mine.db"
    chosen = backend(f"sqlite:///{named}", init_register)
    make = chosen.case_store()

    first, second = make(), make()

    with first.unit_of_work() as uow:
        assert uow.schools() == []
    assert first is not second
    assert not named.exists()
    chosen.close()


def test_a_server_url_runs_the_cases_on_the_memory_store() -> None:
    chosen = backend("postgresql://nowhere/test", init_register)

    assert chosen.cases_on_memory
    assert isinstance(chosen.case_store()(), MemoryStore)


def test_an_unknown_storage_adapter_is_named() -> None:
    with pytest.raises(PluginError, match="no storage adapter 'nosuch'"):
        backend("sqlite:///x.db", "nosuch")


def test_a_port_query_is_compared_with_the_kernel() -> None:
    store = MemoryStore()

    agreeing = compare_with_kernel(
        store, "schools", lambda uow: ["P01"], lambda uow: ["P01"]
    )
    differing = compare_with_kernel(
        store, "schools", lambda uow: [], lambda uow: ["P01"]
    )

    assert agreeing.equal
    assert not differing.equal
    assert "the kernel ['P01']" in str(differing)


@pytest.mark.parametrize("variable", ["XUEJI_TEST_POSTGRESQL", "XUEJI_TEST_MYSQL"])
def test_every_case_runs_on_each_server_backend(variable: str) -> None:
    """Each case in a scratch database of its own on the server."""
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to a server URL to run the cases there")
    from xueji_sqlalchemy.testing import scratch_database

    failures: list[str] = []
    for case in CASES:
        if case.known_failure:
            continue
        with scratch_database(url) as scratch, suppress_type_checks():
            try:
                run_case(case, store=lambda scratch=scratch: init_register(scratch))
            except CaseFailure as failure:
                failures.append(str(failure))

    assert failures == [], "\n\n".join(failures)


# ------------------------------------------------------------ plugins


def test_a_plugin_is_loaded_by_module_path() -> None:
    plugin = load_plugin("xueji_haidian_example")

    assert plugin is xueji_haidian_example


def test_an_unknown_plugin_is_named() -> None:
    with pytest.raises(PluginError, match="no installed plugin named 'nosuch'"):
        load_plugin("nosuch")


# ------------------------------------------------------------ the runners


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_pytest_plugin_runs_the_access_level_alone(tmp_path: Path) -> None:
    report = tmp_path / "summary.json"
    junit = tmp_path / "junit.xml"

    done = run_python(
        "-m",
        "pytest",
        "-p",
        "xueji.conformance.plugin",
        "-p",
        "no:cacheprovider",
        "--xueji-level",
        "access",
        "--xueji-json",
        str(report),
        f"--junitxml={junit}",
        "-q",
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert set(data["levels"]) == {"access"}
    assert data["levels"]["access"]["passed"] >= 10
    assert "xueji conformance" in done.stdout
    assert junit.exists()


def test_run_gives_a_summary_and_reports(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import io, json
        from xueji.conformance import run
        summary = run(
            levels=["temporal", "delegation"],
            plugins=["xueji_haidian_example"],
            reports_dir={str(tmp_path)!r},
            output=io.StringIO(),
        )
        print(json.dumps(summary.to_dict()))
        print(summary.format())
        """
    )

    done = run_python("-c", script, cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout.splitlines()[0])
    assert data["ok"], data
    assert set(data["levels"]) == {"temporal", "delegation"}
    assert data["plugins"] == ["xueji-haidian-example"]
    assert (tmp_path / "conformance.json").exists()
    assert (tmp_path / "conformance.xml").exists()
    assert "PASSED — xueji conformance" in done.stdout


def test_levels_are_the_five_of_the_design() -> None:
    assert LEVELS == ("kernel", "delegation", "temporal", "storage", "access")


def test_run_refuses_an_unknown_level() -> None:
    from xueji.conformance import run

    with pytest.raises(ValueError, match="unknown level"):
        run(levels=["kernal"])
