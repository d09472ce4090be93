"""``xueji conformance``: the conformance suite a district or a vendor runs
against its plugin or its storage (DESIGN.md §6), through the kit's runner
(:func:`xueji.conformance.run`)."""

__all__ = ["register"]

import io
from pathlib import Path
from typing import Annotated, Any

import typer

from xueji import InvalidInputError, unstructure
from xueji_cli._common import JsonOption, handled
from xueji_cli._render import Output


def _kit() -> Any:
    """The conformance kit (an extra: it needs pytest)."""
    try:
        import xueji.conformance as kit
    except ImportError as error:
        raise InvalidInputError(
            f"the conformance kit needs {error.name or 'pytest'}; install it with "
            "pip install 'xueji[conformance]'"
        ) from None
    return kit


def conformance(
    plugin: Annotated[
        list[str],
        typer.Option(
            "--plugin",
            help="A district plugin to certify: an installed plugin's name or "
            "module:object; repeat for more.",
        ),
    ] = [],  # noqa: B006 - typer's list default
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="A scratch database to run the storage contract and the cases "
            "on (never a register in use: the suite writes and drops); default "
            "the memory store.",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="The storage adapter that opens --db: an installed adapter's "
            "name or module:object (default: the one installed).",
        ),
    ] = None,
    level: Annotated[
        list[str],
        typer.Option(
            "--level",
            help="kernel, delegation, temporal, storage or access; repeat for "
            "more (default: every level).",
        ),
    ] = [],  # noqa: B006
    cases: Annotated[
        list[Path],
        typer.Option("--cases", help="A directory of your own cases; repeat."),
    ] = [],  # noqa: B006
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            help="Print the coverage of the 52 articles by the cases, and run nothing.",
        ),
    ] = False,
    junit: Annotated[
        Path | None,
        typer.Option("--junit", help="Write a JUnit XML report to this file."),
    ] = None,
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Keep the JSON summary (conformance.json) and the JUnit "
            "report in this directory.",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show pytest's output, a line a test."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Run the conformance suite (kernel rules, delegation, temporal, storage
    contract, access) against your plugins and your database.  Exit status
    0 when every level passed, 1 when one failed."""
    out = Output(json_output=json_output)
    with handled(out):
        kit = _kit()
        if coverage:
            rows = kit.coverage_table()
            out.line(kit.format_coverage(rows))
            out.emit({"coverage": unstructure(list(rows))})
            return
        unknown = [name for name in level if name not in kit.LEVELS]
        if unknown:
            raise InvalidInputError(
                f"--level {', '.join(unknown)}: unknown; the levels are "
                + ", ".join(kit.LEVELS)
            )
        try:
            summary = kit.run(
                levels=level or None,
                plugins=plugin,
                db_url=db,
                reports_dir=reports,
                store=store,
                cases=cases,
                junit=junit,
                output=None if verbose and not json_output else io.StringIO(),
                verbose=verbose,
            )
        except (RuntimeError, ValueError) as error:
            raise InvalidInputError(f"conformance: {error}") from None
    out.line(summary.format(), style="green" if summary.ok else "red")
    out.emit(summary.to_dict())
    if not summary.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("conformance")(conformance)
