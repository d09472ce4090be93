"""The conformance suite as a pytest plugin (opt-in: load it with ``-p``).

::

    pytest -p xueji.conformance.plugin \\
        [--xueji-level kernel] [--xueji-plugin module:obj] \\
        [--xueji-db URL [--xueji-store NAME|module:obj]] \\
        [--xueji-cases DIR] [--xueji-json FILE] [--junitxml FILE]

Loaded, the plugin collects the suite module (:mod:`xueji.conformance.suite`)
— in place of the project's own tests when no test paths are named — and
parametrizes it with the cases, the plugins and the store backend given.
Without ``--xueji-level`` every level runs.  ``--xueji-plugin`` may be given
several times: the delegation level runs the kernel cases again with each;
``--xueji-cases`` adds a directory of cases (a district's own).  The plugin
is not registered under ``pytest11``, so the project's own test run does not
run the suite twice.
"""

from __future__ import annotations

__all__ = ["Settings", "settings_of"]

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import pytest

from xueji._calendar import CalendarBook
from xueji._errors import XuejiError
from xueji.conformance.cases import LEVELS, Case, load_cases
from xueji.conformance.coverage import coverage_table
from xueji.conformance.execute import load_plugin, plugin_info, plugin_name
from xueji.conformance.stores import Backend, backend
from xueji.conformance.temporal import school_years

SUITE: Final = Path(__file__).with_name("suite.py")
MARKER: Final = "xueji_level"


@attrs.define
class Settings:
    """What the options of one run chose, and what the run saw."""

    levels: tuple[str, ...]
    plugin_specs: tuple[str, ...]
    plugins: list[object]
    backend: Backend
    cases: list[Case]
    case_dirs: tuple[str, ...] = ()
    json_path: Path | None = None
    outcomes: dict[str, dict[str, str]] = attrs.Factory(dict)

    @property
    def kernel_cases(self) -> list[Case]:
        return [c for c in self.cases if c.level == "kernel"]


_KEY: Final = pytest.StashKey[Settings]()


def settings_of(config: pytest.Config) -> Settings:
    return config.stash[_KEY]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xueji", "xueji conformance suite")
    group.addoption(
        "--xueji-level",
        action="append",
        choices=LEVELS,
        default=[],
        dest="xueji_levels",
        help="a level to run (repeatable); every level by default",
    )
    group.addoption(
        "--xueji-plugin",
        action="append",
        default=[],
        dest="xueji_plugins",
        help="a district plugin: an installed plugin's name or module:object",
    )
    group.addoption(
        "--xueji-db",
        default=None,
        dest="xueji_db",
        help="a database URL to run on (a scratch database); memory by default",
    )
    group.addoption(
        "--xueji-store",
        default=None,
        dest="xueji_store",
        help="the storage adapter opening --xueji-db: NAME or module:object",
    )
    group.addoption(
        "--xueji-cases",
        action="append",
        default=[],
        dest="xueji_cases",
        help="a directory of extra cases (repeatable)",
    )
    group.addoption(
        "--xueji-json",
        default=None,
        dest="xueji_json",
        help="write a JSON summary of the run to this file",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(name): the xueji conformance level of a test"
    )
    levels = tuple(config.getoption("xueji_levels")) or LEVELS
    specs = tuple(config.getoption("xueji_plugins"))
    dirs = tuple(config.getoption("xueji_cases"))
    try:
        plugins = [load_plugin(spec) for spec in specs]
        chosen = backend(config.getoption("xueji_db"), config.getoption("xueji_store"))
        cases = load_cases([Path(d) for d in dirs])
    except XuejiError as error:
        raise pytest.UsageError(f"xueji conformance: {error}") from None
    json_path = config.getoption("xueji_json")
    config.stash[_KEY] = Settings(
        levels=levels,
        plugin_specs=specs,
        plugins=plugins,
        backend=chosen,
        cases=cases,
        case_dirs=dirs,
        json_path=Path(json_path) if json_path else None,
    )
    config.pluginmanager.register(_Recorder(config.stash[_KEY]), "xueji-recorder")
    suite = str(SUITE)
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = [suite]
    elif suite not in config.args:
        config.args = [*config.args, suite]


def pytest_unconfigure(config: pytest.Config) -> None:
    settings = config.stash.get(_KEY, None)
    if settings is not None:
        settings.backend.close()


@pytest.fixture(scope="session")
def xueji_settings(request: pytest.FixtureRequest) -> Settings:
    """The options of this run."""
    return settings_of(request.config)


# ------------------------------------------------------------------ tests


def _marks(level: str, case: Case | None = None) -> list[pytest.MarkDecorator]:
    marks = [getattr(pytest.mark, MARKER)(level)]
    if case is not None and case.known_failure:
        marks.append(pytest.mark.xfail(reason=case.known_failure, strict=True))
    return marks


def _districts(plugin: object) -> tuple[str, ...]:
    info = plugin_info(plugin)
    return info.districts or ("110105",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    settings = settings_of(metafunc.config)
    names = metafunc.fixturenames
    if "xueji_case" in names:
        metafunc.parametrize(
            "xueji_case",
            [
                pytest.param(case, id=case.id, marks=_marks(case.level, case))
                for case in settings.cases
            ],
        )
    if "xueji_delegated" in names:
        params = [
            pytest.param(
                (plugin, district, case),
                id=f"{plugin_name(plugin)}/{district}/{case.id}",
                marks=_marks("delegation", case),
            )
            for plugin in settings.plugins
            for district in _districts(plugin)
            for case in settings.kernel_cases
        ]
        if not params:
            params = [pytest.param(None, id="no-plugin", marks=_marks("delegation"))]
        metafunc.parametrize("xueji_delegated", params)
    if "xueji_plugin_set" in names:
        sets: list[Any] = [pytest.param((), id="municipal")]
        sets += [pytest.param((p,), id=plugin_name(p)) for p in settings.plugins]
        metafunc.parametrize("xueji_plugin_set", sets)
    if "xueji_school_year" in names:
        metafunc.parametrize("xueji_school_year", school_years(CalendarBook.default()))


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    levels = settings_of(config).levels
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker(MARKER)
        level = str(marker.args[0]) if marker is not None else None
        if level is None:
            kept.append(item)
            continue
        item.user_properties.append(("xueji_level", level))
        (kept if level in levels else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# ------------------------------------------------------------------ reports


def _level(report: pytest.TestReport) -> str:
    for name, value in report.user_properties:
        if name == "xueji_level":
            return str(value)
    return "other"


class _Recorder:
    """Keeps every test's outcome, for the summary and the JSON report."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.settings.outcomes.setdefault(
            report.nodeid, {"level": _level(report), "outcome": "passed", "message": ""}
        )
        xfail = hasattr(report, "wasxfail")
        if report.when == "call":
            if xfail and report.skipped:
                entry["outcome"] = "xfailed"
            elif report.failed:
                entry["outcome"] = "failed"
            elif report.skipped:
                entry["outcome"] = "skipped"
            else:
                entry["outcome"] = "passed"
        elif report.failed:
            entry["outcome"] = "error"
        elif report.skipped and report.when == "setup":
            entry["outcome"] = "xfailed" if xfail else "skipped"
        if report.failed or (report.skipped and not xfail):
            entry["message"] = _message(report)


def _message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(getattr(crash, "message", crash))
    return str(longrepr)


def summary_data(settings: Settings, exit_status: int) -> dict[str, Any]:
    """The JSON summary of a run."""
    levels: dict[str, dict[str, int]] = {}
    for outcome in settings.outcomes.values():
        counts = levels.setdefault(outcome["level"], {})
        counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1
    rows = coverage_table(settings.cases)
    return {
        "exit_status": exit_status,
        "levels": levels,
        "selected_levels": list(settings.levels),
        "plugins": [
            {"spec": spec, "name": plugin_name(p), "districts": list(_districts(p))}
            for spec, p in zip(settings.plugin_specs, settings.plugins, strict=True)
        ],
        "db": settings.backend.url,
        "backend": settings.backend.name,
        "cases_on_memory": settings.backend.cases_on_memory,
        "case_dirs": list(settings.case_dirs),
        "cases": len(settings.cases),
        "coverage": {
            status: [r.citation for r in rows if r.status == status]
            for status in ("covered", "non-computable", "pending", "missing")
        },
        "tests": [
            {"id": nodeid, **outcome} for nodeid, outcome in settings.outcomes.items()
        ],
    }


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    settings = settings_of(session.config)
    if settings.json_path is not None:
        data = summary_data(settings, int(exitstatus))
        settings.json_path.parent.mkdir(parents=True, exist_ok=True)
        settings.json_path.write_text(
            json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    settings = settings_of(terminalreporter.config)
    terminalreporter.section("xueji conformance")
    for line in _summary_lines(settings):
        terminalreporter.write_line(line)


def _summary_lines(settings: Settings) -> Iterator[str]:
    data = summary_data(settings, 0)
    for level in LEVELS:
        counts = data["levels"].get(level)
        if level not in settings.levels:
            continue
        shown = ", ".join(f"{n} {k}" for k, n in sorted((counts or {}).items()))
        yield f"{level:<11} {shown or 'nothing ran'}"
    names = ", ".join(p["name"] for p in data["plugins"]) or "the municipal rules only"
    yield f"plugins:    {names}"
    where = settings.backend.name
    if settings.backend.cases_on_memory:
        where += " (storage contract; the cases ran on the memory store)"
    yield f"store:      {where}"
    pending = data["coverage"]["pending"]
    if pending:
        yield f"PENDING ARTICLES ({len(pending)}), no case yet: {'、'.join(pending)}"
    missing = data["coverage"]["missing"]
    if missing:
        yield f"MISSING ARTICLES ({len(missing)}): {'、'.join(missing)}"
