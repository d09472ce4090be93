"""Running the suite from a program: what ``xueji conformance`` calls.

:func:`run` runs :mod:`xueji.conformance.suite` through pytest with the
plugin, isolated from the caller's own pytest configuration, and returns a
:class:`Summary`; it writes the JSON summary and, when asked, the JUnit XML
report (pytest's ``--junitxml``).
"""

from __future__ import annotations

__all__ = ["Failure", "LevelCount", "Summary", "run"]

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from xueji._storage import Store
from xueji.conformance.cases import LEVELS
from xueji.conformance.stores import hand_over, take_back


@attrs.frozen
class LevelCount:
    """How the tests of one level ended."""

    passed: int = 0
    failed: int = 0
    error: int = 0
    skipped: int = 0
    xfailed: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.error == 0

    def __str__(self) -> str:
        parts = [
            f"{n} {name}"
            for name, n in attrs.asdict(self).items()
            if n or name == "passed"
        ]
        return ", ".join(parts)


@attrs.frozen
class Failure:
    """A test that failed or erred, with its message."""

    test: str
    level: str
    message: str


@attrs.frozen
class Summary:
    """The outcome of a conformance run."""

    exit_code: int
    levels: dict[str, LevelCount]
    failures: tuple[Failure, ...]
    plugins: tuple[str, ...]
    backend: str
    cases_on_memory: bool
    coverage: dict[str, tuple[str, ...]]
    json_path: Path | None = None
    junit_path: Path | None = None

    @property
    def ok(self) -> bool:
        """Every level that ran passed (skips and known failures aside)."""
        return self.exit_code == 0 and all(c.ok for c in self.levels.values())

    @property
    def pending(self) -> tuple[str, ...]:
        return self.coverage.get("pending", ())

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "levels": {k: attrs.asdict(v) for k, v in self.levels.items()},
            "failures": [attrs.asdict(f) for f in self.failures],
            "plugins": list(self.plugins),
            "backend": self.backend,
            "cases_on_memory": self.cases_on_memory,
            "coverage": {k: list(v) for k, v in self.coverage.items()},
            "json": None if self.json_path is None else str(self.json_path),
            "junit": None if self.junit_path is None else str(self.junit_path),
        }

    def format(self) -> str:
        """A short summary for people."""
        lines = [("PASSED" if self.ok else "FAILED") + " — xueji conformance"]
        for level in LEVELS:
            if level in self.levels:
                lines.append(f"  {level:<11} {self.levels[level]}")
        lines.append(
            f"  plugins     {', '.join(self.plugins) or 'municipal rules only'}"
        )
        store = self.backend
        if self.cases_on_memory:
            store += " (storage contract only; the cases ran on the memory store)"
        lines.append(f"  store       {store}")
        pending = self.pending
        if pending:
            lines.append(
                f"  PENDING     {len(pending)} article(s) without cases: "
                + "、".join(pending)
            )
        for failure in self.failures[:20]:
            first = failure.message.strip().splitlines()[0] if failure.message else ""
            lines.append(f"  ✗ [{failure.level}] {failure.test}: {first}")
        if len(self.failures) > 20:
            lines.append(f"  … and {len(self.failures) - 20} more failures")
        if self.junit_path is not None:
            lines.append(f"  JUnit XML   {self.junit_path}")
        return "\n".join(lines)


def _summary(data: dict[str, Any], json_path: Path, junit: Path | None) -> Summary:
    levels = {
        name: LevelCount(**{k: int(v) for k, v in counts.items()})
        for name, counts in data["levels"].items()
        if name in LEVELS
    }
    failures = tuple(
        Failure(t["id"], t["level"], t["message"])
        for t in data["tests"]
        if t["outcome"] in ("failed", "error")
    )
    return Summary(
        exit_code=int(data["exit_status"]),
        levels=levels,
        failures=failures,
        plugins=tuple(p["name"] for p in data["plugins"]),
        backend=str(data["backend"]),
        cases_on_memory=bool(data["cases_on_memory"]),
        coverage={k: tuple(v) for k, v in data["coverage"].items()},
        json_path=json_path,
        junit_path=junit,
    )


def run(
    levels: Iterable[str] | None = None,
    plugins: Sequence[str] = (),
    db_url: str | None = None,
    reports_dir: Path | str | None = None,
    *,
    store: str | Callable[[str], Store] | None = None,
    cases: Sequence[Path | str] = (),
    junit: Path | str | None = None,
    output: TextIO | None = None,
    verbose: bool = False,
) -> Summary:
    """Run the conformance suite and summarise it.

    Args:
        levels: the levels to run (``kernel``, ``delegation``, ``temporal``,
            ``storage``, ``access``); every level by default.
        plugins: district plugins, each an installed plugin's name or
            ``module:object``; the delegation level runs the kernel cases
            again with each, the temporal level sweeps with each.
        db_url: a scratch database to run on (``None``: the memory store).
        reports_dir: where the JSON summary (``conformance.json``) and, by
            default, the JUnit XML (``conformance.xml``) go; a temporary
            directory when ``None`` (then no JUnit file unless ``junit``).
        store: the storage adapter that opens ``db_url``: an installed
            adapter's name, ``module:object``, or a callable ``(url) ->
            Store``; by default the one adapter installed.
        cases: extra case directories (a district's or a vendor's own).
        junit: where to write the JUnit XML report (overrides the default).
        output: where pytest's own output goes (``None``: standard output);
            pass ``io.StringIO()`` to keep it quiet.
        verbose: one line per test.

    Returns:
        The summary; ``summary.ok`` says whether the run passed.
    """
    import pytest

    from xueji.conformance import plugin as conformance_plugin

    chosen = [str(level) for level in levels or ()]
    unknown = [level for level in chosen if level not in LEVELS]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown}; the levels are {list(LEVELS)}")
    temporary = None
    if reports_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="xueji-conformance-")
        where = Path(temporary.name)
    else:
        where = Path(reports_dir)
        where.mkdir(parents=True, exist_ok=True)
    json_path = where / "conformance.json"
    if junit is not None:
        junit_path: Path | None = Path(junit)
    elif temporary is None:
        junit_path = where / "conformance.xml"
    else:
        junit_path = None
    ini = where / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    args = [
        str(conformance_plugin.SUITE),
        "-c",
        str(ini),
        "--rootdir",
        str(conformance_plugin.SUITE.parent),
        "-p",
        "no:cacheprovider",
        "-p",
        "xueji.conformance.plugin",
        "--xueji-json",
        str(json_path),
        "-v" if verbose else "-q",
    ]
    for level in chosen:
        args += ["--xueji-level", level]
    for spec in plugins:
        args += ["--xueji-plugin", spec]
    handed: str | None = None
    if db_url is not None:
        args += ["--xueji-db", db_url]
        if isinstance(store, str):
            args += ["--xueji-store", store]
        elif store is not None:
            handed = hand_over(store)
            args += ["--xueji-store", handed]
    for directory in cases:
        args += ["--xueji-cases", str(directory)]
    if junit_path is not None:
        args += ["--junitxml", str(junit_path)]
    stream: contextlib.AbstractContextManager[Any] = (
        contextlib.redirect_stdout(output)
        if output is not None
        else contextlib.nullcontext()
    )
    try:
        with stream:
            code = int(pytest.main(args))
        if not json_path.exists():
            raise RuntimeError(
                f"the conformance run ended before it started (pytest exit code "
                f"{code}); run it with output shown to see why"
            )
        data = json.loads(json_path.read_text(encoding="utf-8"))
        summary = _summary(data, json_path, junit_path)
        if temporary is not None:
            summary = attrs.evolve(summary, json_path=None)
        return summary
    finally:
        if handed is not None:
            take_back(handed)
        if temporary is not None:
            temporary.cleanup()
