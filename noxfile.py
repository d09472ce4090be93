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


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, with typeguard checking the whole kernel."""
    session.install("-e", ".[test,conformance]")
    # tests/conftest.py installs typeguard's import hook for the kernel.
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test,conformance]", "mypy>=1.10", "types-PyYAML")
    session.run("mypy", "--strict")


@nox.session
def layers(session: nox.Session) -> None:
    """The kernel imports no adapter, plugin, SQLAlchemy or CLI."""
    session.run("python", "tools/check_layers.py", external=True)


@nox.session
def demo(session: nox.Session) -> None:
    session.install(".")
    session.run("xueji", "demo")
