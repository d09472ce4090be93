"""The ``xueji`` command: the registrar's and auditor's tool (DESIGN.md §7).

Every command prints a short summary for people and takes ``--json`` for
programs; ``--db URL`` (or ``$XUEJI_DB``) names the register, by default
``sqlite:///xueji.db``; ``--as role:organisation:name`` names who acts.  A
fault (:class:`xueji.XuejiError`) prints one red paragraph and exits with
code 2.  Identity numbers and G-kind 学籍号 are always shown masked.
"""

import inspect
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from xueji import (
    CITY_CODE,
    Decision,
    InvalidInputError,
    MaskingFilter,
    Principal,
    PrincipalRole,
    Register,
    RosterError,
    Severity,
    StoredObligation,
    XuejiError,
    hookspecs,
    masked_view,
    unstructure,
)
from xueji._roster import load_roster
from xueji_cli._orgsfile import read_organisations
from xueji_cli._render import Output, decision_data, mask_number
from xueji_cli._store import (
    build_register,
    default_url,
    init_store,
    load_rules,
    upgrade_store,
)
from xueji_cli._stream import REGISTRAR, read_requests, resolve

app = typer.Typer(
    name="xueji",
    help="北京市中小学校学生学籍管理 — the register under 京教基二〔2021〕1号.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
load_app = typer.Typer(help="Load reference data and rosters.", no_args_is_help=True)
jobs_app = typer.Typer(help="Run the register's dated jobs.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(jobs_app, name="jobs")

CITY_REGISTRAR = f"city:{CITY_CODE}:{REGISTRAR}"

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="XUEJI_DB",
        help="The register's database URL (default: $XUEJI_DB, else "
        "sqlite:///xueji.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead.")
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who acts, as role:organisation:name (e.g. school:S0001:王老师); "
        f"default {CITY_REGISTRAR}.",
        show_default=False,
    ),
]


# ---------------------------------------------------------------- helpers


class _EntryError(XuejiError):
    """A fault in one entry of a request document, with where it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def _handled(out: Output) -> Iterator[None]:
    """Faults print one red paragraph and exit 2; never a traceback."""
    try:
        yield
    except RosterError as error:
        out.error(error.code, str(error))
        raise typer.Exit(2) from None
    except XuejiError as error:
        out.error(error.code, " ".join(str(error).split("\n")))
        raise typer.Exit(2) from None


def _principal(text: str | None, default: str = CITY_REGISTRAR) -> Principal:
    return Principal.parse(text or default)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def _url(db: str | None) -> str:
    return db or default_url()


def _org_names(register: Register) -> dict[str, str]:
    with register.store.unit_of_work() as uow:
        orgs: list[Any] = [
            *uow.districts(),
            *uow.schools(),
            *uow.townships(),
            *uow.hrss_offices(),
        ]
    return {o.code: o.name for o in orgs}


def _show_decisions(
    out: Output, decisions: list[Decision], register: Register, labels: list[str]
) -> None:
    names = _org_names(register)
    for decision, label in zip(decisions, labels, strict=True):
        out.decision(decision, label=label, org_names=names)


def _outcomes(decisions: list[Decision]) -> dict[str, int]:
    counts = Counter(d.outcome.value for d in decisions)
    return dict(sorted(counts.items()))


# ---------------------------------------------------------------- init


@app.command()
def init(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Create a register (its schema) at --db; safe to run again."""
    out = Output(json_output=json_output)
    url = _url(db)
    with _handled(out):
        init_store(url)
    out.line(f"学籍库已就绪 register ready: {url}", style="green")
    out.emit({"url": url, "initialised": True})


@app.command()
def upgrade(db: DbOption = None, json_output: JsonOption = False) -> None:
    """Bring the register's schema to the newest revision."""
    out = Output(json_output=json_output)
    url = _url(db)
    with _handled(out):
        revision = upgrade_store(url)
    out.line(f"学籍库已升级 register upgraded: {url} → {revision}", style="green")
    out.emit({"url": url, "revision": revision})


# ---------------------------------------------------------------- load


@load_app.command("orgs")
def load_orgs(
    file: Annotated[Path, typer.Argument(help="TOML or JSON file of organisations.")],
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Load districts, schools, townships and HRSS offices (reference data)."""
    out = Output(json_output=json_output)
    with _handled(out):
        organisations = read_organisations(file)
        register = build_register(_url(db))
        count = register.load_organisations(organisations, _principal(as_))
    kinds = Counter(type(o).__name__ for o in organisations)
    out.line(
        f"已载入 {count} 个机构 loaded {count} organisations: "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        style="green",
    )
    out.emit({"loaded": count, "by_kind": dict(sorted(kinds.items()))})


@load_app.command("roster")
def load_roster_command(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030) or JSON.")],
    db: DbOption = None,
    as_: AsOption = None,
    on: Annotated[
        str | None,
        typer.Option(help="Admission date for rows without 录取日期 (YYYY-MM-DD)."),
    ] = None,
    school_year: Annotated[
        str | None,
        typer.Option(help="School year for rows without 学年, e.g. 2025-2026."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every row's decision.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Load a roster of new students (第十七条第二款): all rows or none."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        principal = _principal(as_)
        admitted_on = _date(on, "--on") if on else None
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=out.errors,
            disable=out.progress_disabled(),
            transient=True,
        ) as bar:
            task = bar.add_task("建立学籍 admitting", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = load_roster(
                register,
                file,
                principal,
                on=admitted_on,
                school_year=school_year,
                progress=progress,
            )
    decisions = list(result.decisions)
    outcomes = _outcomes(decisions)
    out.line(
        f"名册 {file.name}: {len(decisions)} 行已办理 decided"
        + (f"，{result.skipped} 行此前已载入 skipped" if result.skipped else "")
        + "  "
        + "  ".join(f"{k} {n}" for k, n in outcomes.items()),
        style="green",
    )
    not_accepted = [d for d in decisions if not d.accepted]
    shown = decisions if verbose else not_accepted
    if shown:
        labels = [d.request_id for d in shown]
        _show_decisions(out, shown, register, labels)
    out.emit(
        {
            "file": str(file),
            "decided": len(decisions),
            "skipped": result.skipped,
            "outcomes": outcomes,
            "decisions": [decision_data(d) for d in decisions],
        }
    )


# ---------------------------------------------------------------- submit


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="YAML or JSON request document.")],
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Submit the requests of a document, in file order, one unit of work
    each; print each decision."""
    out = Output(json_output=json_output)
    decisions: list[Decision] = []
    with _handled(out):
        register = build_register(_url(db))
        entries = read_requests(file, register.store, principal=as_)
        names = _org_names(register)
        for index, entry in enumerate(entries, start=1):
            where = f"entry {index}" + (f" (line {entry.line})" if entry.line else "")
            try:
                request = resolve(entry.request, register.store)
                decision = register.submit(request, entry.principal)
            except XuejiError as error:
                kept = f"entries 1-{index - 1} were decided and kept; " * (index > 1)
                raise _EntryError(
                    f"{file}: {where}, {entry.kind}: {error} ({kept}fix it and "
                    f"submit again from entry {index})",
                    error.code,
                ) from None
            decisions.append(decision)
            out.decision(
                decision,
                label=f"#{index} {getattr(request, 'id', '')}",
                org_names=names,
            )
    out.line()
    out.line(
        f"{len(decisions)} 项申请已办理 decided: "
        + "  ".join(f"{k} {n}" for k, n in _outcomes(decisions).items())
    )
    out.emit({"decisions": [decision_data(d) for d in decisions]})


# ---------------------------------------------------------------- history


@app.command()
def history(
    number: Annotated[str, typer.Argument(help="The student's 学籍号 (or an alias).")],
    db: DbOption = None,
    as_: AsOption = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Show full values when you act on the student (an open step or "
            "duty of yours, 第四十四条); the read is audited.",
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """A student's stints and 学籍变动 with their articles (numbers masked)."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        principal = _principal(as_)
        found = register.history(number, principal)
        view = masked_view(found, principal)
        # Decisions stay under the number they were made for; an L number
        # replaced by G or J is an alias (第十七条第二款).
        decisions = [
            d
            for n in (*found.student.aliases, found.student.number)
            for d in register.decisions_of(n)
        ]
    out.reveal = full and view.full
    names = _org_names(register)
    out.heading(f"{view.name}  学籍号 {view.number}")
    out.line(
        f"性别 {view.sex.value}  出生日期 {view.birth_date}  "
        f"证件 {view.document.value} {view.id_number or '—'}  {view.hukou}"
    )
    if view.aliases:
        out.line("曾用学籍号 aliases: " + ", ".join(view.aliases))
    if full and view.full_read is not None:
        out.line(
            f"完整信息 full values: {view.full_read.basis}（{view.full_read.article}）"
        )
    elif full:
        out.line(
            "仅显示脱敏信息 shown masked: you act on no open step or duty of this "
            "student (第四十四条)",
            style="yellow",
        )
    out.table(
        "学籍 stints",
        ["学校 school", "年级", "状态", "起", "止", "依据"],
        [
            (
                names.get(e.school, e.school),
                e.grade_label,
                e.status.value + (f"（至 {e.status_until}）" if e.status_until else ""),
                e.first_day,
                e.last_day or "",
                e.basis.value,
            )
            for e in view.stints
        ],
    )
    out.table(
        "学籍变动 status changes",
        ["日期", "变动", "摘要", "条款", "经办"],
        [(e.on, e.kind.value, e.summary, e.article, e.actor) for e in view.events],
    )
    if decisions:
        out.table(
            "决定 decisions",
            ["日期", "申请", "结果", "理由（条款）"],
            [
                (
                    d.decided_on,
                    d.kind,
                    d.outcome.value,
                    "；".join(
                        f"{r.text}（{r.article}）"
                        for r in d.reasons
                        if r.severity in (Severity.REFUSAL, Severity.MISSING)
                    ),
                )
                for d in decisions
            ],
        )
    data = unstructure(view)
    out.emit(
        {
            "student": {k: v for k, v in data.items() if k not in ("stints", "events")},
            "stints": data["stints"],
            "events": data["events"],
            "decisions": [unstructure(d) for d in decisions],
        }
    )


# ---------------------------------------------------------------- obligations


def _in_scope(item: StoredObligation, principal: Principal) -> bool:
    role = principal.role
    if role is PrincipalRole.CITY:
        return True
    if role in (PrincipalRole.DISTRICT, PrincipalRole.AUDITOR):
        return item.district == principal.organisation
    return item.obligation.organisation == principal.organisation


def obligation_data(item: StoredObligation, names: dict[str, str]) -> dict[str, Any]:
    o = item.obligation
    return {
        "id": item.id,
        "kind": o.kind.value,
        "text": o.text,
        "role": o.role.value,
        "organisation": o.organisation,
        "organisation_name": names.get(o.organisation, o.organisation),
        "arises": o.arises.isoformat(),
        "due": o.due.isoformat() if o.due else None,
        "article": o.article,
        "student": o.student,
        "fulfilled_on": item.fulfilled_on.isoformat() if item.fulfilled_on else None,
    }


@app.command()
def obligations(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation's duties.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only duties arisen by this date; flags overdue."),
    ] = None,
    include_done: Annotated[
        bool, typer.Option("--all", help="Include fulfilled duties.")
    ] = False,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Open duties with their due dates and articles (work list)."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        principal = _principal(as_)
        day = _date(as_of, "--as-of") if as_of else None
        with register.store.unit_of_work() as uow:
            items = uow.obligations(organisation=org, open_only=not include_done)
    names = _org_names(register)
    items = [
        i
        for i in items
        if _in_scope(i, principal) and (day is None or i.obligation.arises <= day)
    ]
    overdue = [
        i
        for i in items
        if day is not None and i.open and i.obligation.due and i.obligation.due < day
    ]
    out.table(
        f"义务 obligations ({len(items)}"
        + (f", 逾期 overdue {len(overdue)} as of {day}" if day else "")
        + ")",
        ["到期 due", "义务", "承办", "学生", "条款", ""],
        [
            (
                i.obligation.due or "—",
                i.obligation.text,
                names.get(i.obligation.organisation, i.obligation.organisation),
                mask_number(i.obligation.student),
                i.obligation.article,
                "逾期" if i in overdue else ("已办" if not i.open else ""),
            )
            for i in items
        ],
    )
    out.emit(
        {
            "as_of": day.isoformat() if day else None,
            "obligations": [obligation_data(i, names) for i in items],
            "overdue": [i.id for i in overdue],
        }
    )


# ---------------------------------------------------------------- jobs


@jobs_app.command("close-registration")
def close_registration(
    school_year: Annotated[str, typer.Option("--school-year", help="e.g. 2025-2026")],
    on: Annotated[str, typer.Option("--on", help="The day the job runs (YYYY-MM-DD).")],
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第十六条第二、三款: after the 延期注册 window, urge compulsory pupils who
    did not register; a senior admission is forfeited.  Idempotent."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        decisions = register.close_registration_window(
            school_year, _date(on, "--on"), _principal(as_)
        )
    _show_decisions(out, decisions, register, ["" for _ in decisions])
    out.line(
        f"注册期结束 registration window closed: {len(decisions)} 名学生有后续事项"
    )
    out.emit({"decisions": [decision_data(d) for d in decisions]})


@jobs_app.command("end-deferrals")
def end_deferrals(
    on: Annotated[str, typer.Option("--on", help="The day the job runs (YYYY-MM-DD).")],
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第十一条第二款: deferrals whose period ended return to 待入学.
    Idempotent."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        ended = register.end_deferrals(_date(on, "--on"), _principal(as_))
    for number in ended:
        out.line(f"缓学期满 deferral ended: {mask_number(number)}")
    out.line(f"{len(ended)} 名学生缓学期满，转为待入学")
    out.emit({"ended": ended})


# ---------------------------------------------------------------- plugins


def _summary(function: Any) -> str:
    """The first sentence of a hook's docstring."""
    paragraph = (inspect.getdoc(function) or "").split("\n\n")[0]
    text = " ".join(paragraph.split())
    return text.split(". ")[0].rstrip(".") + "."


def _hooks() -> list[tuple[str, str]]:
    return [
        (name, _summary(function))
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("xueji_")
    ]


@app.command()
def plugins(json_output: JsonOption = False) -> None:
    """The plugins in force and the delegation points (hooks) they answer."""
    out = Output(json_output=json_output)
    with _handled(out):
        rules = load_rules()
    infos = rules.plugins
    out.table(
        "插件 plugins",
        ["名称", "版本", "层级", "区", "依据", "文号", "有效期"],
        [
            (
                p.name,
                p.version,
                p.layer,
                ", ".join(p.districts) or "全市",
                p.legal_basis,
                p.document_number,
                f"{p.valid_from} – {p.valid_to or ''}"
                + ("（示例）" if p.illustrative else ""),
            )
            for p in infos
        ],
    )
    hooks = _hooks()
    out.table("委托事项 delegation points (hooks)", ["hook", "说明"], hooks)
    problems = rules.problems
    if problems:
        out.table(
            "未载入 plugins that did not load (their districts are blocked)",
            ["plugin", "hook", "problem"],
            [(p.plugin, p.hook or "", p.message) for p in problems],
        )
    out.emit(
        {
            "plugins": unstructure(list(infos)),
            "hooks": [{"name": n, "summary": s} for n, s in hooks],
            "problems": unstructure(list(problems)),
        }
    )


# ---------------------------------------------------------------- demo


@app.command()
def demo(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Run into this (new or empty) register; default a temporary "
            "SQLite file.",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="A demo data directory (default: the shipped one)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every decision.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Run the 2025-2026 school year of a 朝阳区 example end to end."""
    from xueji_cli._demo import run_demo

    out = Output(json_output=json_output)
    with _handled(out):
        run_demo(out, db=db, data=data, verbose=verbose)


def _quiet_safe_logging() -> None:
    """Warnings from the kernel and adapters reach stderr masked
    (STYLE.md §10); the library itself configures no handler."""
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name in ("xueji", "xueji_sqlalchemy", "xueji_cli"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)


def main() -> None:
    """The console script ``xueji``."""
    _quiet_safe_logging()
    app()


if __name__ == "__main__":
    main()
