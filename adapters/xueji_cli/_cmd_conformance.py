"""``xueji conformance``: the conformance suite a district or a vendor runs
against its plugin or its storage (DESIGN.md §6), through the kit's runner
(:func:`xueji.conformance.run`)."""

__all__ = ["register"]

import importlib
import io
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer

from xueji import InvalidInputError, PluginInfo, unstructure
from xueji_cli._common import JsonOption, handled
from xueji_cli._render import Output

NEEDS_EXTRA = (
    "the conformance suite needs the conformance extra: pip install "
    "'.[conformance]' from a checkout of xueji (or pip install pytest pyyaml)"
)


def _kit(*, running: bool = True) -> Any:
    """The conformance kit (an extra: running it needs pytest and PyYAML)."""
    try:
        import xueji.conformance as kit

        if running:
            for name in ("pytest", "yaml"):
                importlib.import_module(name)
    except ImportError:
        raise InvalidInputError(NEEDS_EXTRA) from None
    return kit


def _plugin_names(names: list[str]) -> list[str]:
    """``--plugin`` names as the runner takes them: an entry-point name
    passes through, the PluginInfo name `xueji plugins` shows becomes its
    entry point's name, and ``module:object`` passes through."""
    if not names:
        return names
    from xueji.plugin import PLUGIN_GROUP

    points = {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}
    by_info: dict[str, str] = {}
    for point_name, point in sorted(points.items()):
        try:
            info = getattr(point.load(), "XUEJI_PLUGIN", None)
        except Exception:  # a broken plugin: the runner reports it by name
            continue
        if isinstance(info, PluginInfo):
            by_info.setdefault(info.name, point_name)
    resolved: list[str] = []
    unknown: list[str] = []
    for name in names:
        if ":" in name or name in points:
            resolved.append(name)
        elif name in by_info:
            resolved.append(by_info[name])
        else:
            unknown.append(name)
    if unknown:
        pairs = [f"{point} ({info})" for info, point in by_info.items()]
        pairs += [point for point in points if point not in by_info.values()]
        raise InvalidInputError(
            f"--plugin {', '.join(unknown)}: no installed plugin has that name; "
            "give an entry-point name or the name `xueji plugins` shows — "
            f"installed: {', '.join(sorted(pairs)) or 'none'} — or module:object"
        )
    return resolved


def conformance(
    plugin: Annotated[
        list[str],
        typer.Option(
            "--plugin",
            help="A district plugin to certify: an installed plugin's entry-point "
            "name or the name `xueji plugins` shows, or module:object; repeat "
            "for more.",
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
        kit = _kit(running=not coverage)
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
        plugins = _plugin_names(plugin)
        try:
            summary = kit.run(
                levels=level or None,
                plugins=plugins,
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
