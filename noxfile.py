"""Every routine task of xueji is a nox session.

    nox -s tests        the test suite, typeguard on the whole kernel
    nox -s lint         ruff check and ruff format --check
    nox -s typecheck    mypy --strict
    nox -s layers       the import-layer rule of DESIGN.md §1
    nox -s demo         install xueji and run `xueji demo` on embedded SQLite
    nox -s bench        benchmarks (see BENCHMARKS.md)

PostgreSQL and MariaDB tests run when XUEJI_TEST_POSTGRESQL and
XUEJI_TEST_MYSQL name a server (`.ci/run` sets both); otherwise they skip and
say so.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "layers"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = "3.11"
PASSENV = ("XUEJI_TEST_POSTGRESQL", "XUEJI_TEST_MYSQL")


# The reference district plugins, each its own distribution with its own
# tests; the template's tests run without installing it (it governs a
# placeholder district).
REFERENCE_PLUGINS = ("plugins/xueji_dongcheng_example", "plugins/xueji_haidian_example")
PLUGIN_TESTS = (*(f"{p}/tests" for p in REFERENCE_PLUGINS), "plugins/template/tests")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, with typeguard checking the whole kernel, and the
    tests of the reference plugins and the plugin template."""
    session.install("-e", ".[test,conformance]")
    for plugin in REFERENCE_PLUGINS:
        session.install("-e", plugin)
    # tests/conftest.py installs typeguard's import hook for the kernel.
    session.run("pytest", *(session.posargs or ("tests", *PLUGIN_TESTS)))


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test,conformance]", "mypy>=1.10", "types-PyYAML")
    session.run("mypy", "--strict")
    plugins = [*REFERENCE_PLUGINS, "plugins/template"]
    session.run(
        "mypy",
        "--strict",
        *(f"{p}/{p.rsplit('/', 1)[1]}" for p in REFERENCE_PLUGINS),
        "plugins/template/xueji_district_template",
        env={"MYPYPATH": ":".join(["kernel", *plugins])},
    )


@nox.session
def layers(session: nox.Session) -> None:
    """The kernel imports no adapter, plugin, SQLAlchemy or CLI."""
    session.run("python", "tools/check_layers.py", external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks of BENCHMARKS.md at a small scale (a few minutes):
    intake, the decision alone, one request, the term check and its growth,
    and PostgreSQL when XUEJI_TEST_POSTGRESQL names a server.  Pass the
    full run's options after ``--``, e.g. ``nox -s bench -- --intake 360000
    --scale 2000000 --series 10000,100000,1000000``."""
    session.install("-e", ".[test]")
    args = session.posargs or (
        "--intake",
        "20000",
        "--scale",
        "20000",
        "--series",
        "2000,10000",
        "--submits",
        "500",
    )
    session.run("python", "benchmarks/bench.py", *args, env={"PYTHONHASHSEED": "0"})


@nox.session
def demo(session: nox.Session) -> None:
    session.install(".")
    session.run("xueji", "demo")
