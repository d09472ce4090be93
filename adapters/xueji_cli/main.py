"""The ``xueji`` command: the registrar's and auditor's tool (DESIGN.md §7).

Every command prints a short summary for people and takes ``--json`` for
programs; ``--db URL`` (or ``$XUEJI_DB``) names the register, by default
``sqlite:///xueji.db``; ``--as role:organisation:name`` names who acts.  A
fault (:class:`xueji.XuejiError`) prints one red paragraph and exits with
code 2.  Identity numbers and G-kind 学籍号 are always shown masked.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from xueji import (
    CalendarStage,
    Decision,
    InvalidInputError,
    MaskingFilter,
    Severity,
    XuejiError,
    load_roster,
    unstructure,
    write_rejects,
)
from xueji_cli import _cmd_conformance, _cmd_oversight, _cmd_work
from xueji_cli._cmd_attendance import attendance_app
from xueji_cli._cmd_calendar import calendar_app
from xueji_cli._common import (
    AsOption,
    DbOption,
    EntryError,
    JsonOption,
    handled,
    in_scope,
    org_names,
    outcomes,
    parse_date,
    principal_of,
    show_decisions,
    url_of,
)
from xueji_cli._orgsfile import read_organisations
from xueji_cli._render import (
    Output,
    decision_data,
    mask_number,
    obligation_data,
    redact_data,
)
from xueji_cli._store import (
    build_register,
    init_store,
    load_rules,
    upgrade_store,
)
from xueji_cli._stream import References, read_requests

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

# The shared helpers keep their historical names here.
_EntryError = EntryError
_handled = handled
_principal = principal_of
_date = parse_date
_url = url_of
_org_names = org_names
_show_decisions = show_decisions
_outcomes = outcomes


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


def _xlsx_records(path: Path) -> Callable[[], Iterator[Sequence[object]]]:
    """The rows of an XLSX roster's first sheet, streamed (openpyxl's
    read-only mode), for the kernel's roster reader."""
    try:
        import openpyxl
    except ImportError:
        raise InvalidInputError(
            f"{path}: reading XLSX rosters needs openpyxl; pip install "
            "'xueji[xlsx]', or save the sheet as CSV UTF-8"
        ) from None

    def records() -> Iterator[Sequence[object]]:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except OSError as error:
            raise InvalidInputError(
                f"{path}: cannot be read: {error.strerror}"
            ) from None
        except Exception as error:  # openpyxl raises many kinds for a bad file
            raise InvalidInputError(
                f"{path}: not an XLSX workbook ({type(error).__name__}); save it "
                "from the spreadsheet program as .xlsx or as CSV UTF-8"
            ) from None
        try:
            yield from book.worksheets[0].iter_rows(values_only=True)
        finally:
            book.close()

    return records


@load_app.command("roster")
def load_roster_command(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030), XLSX or JSON.")],
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
    keep_valid: Annotated[
        Path | None,
        typer.Option(
            "--keep-valid",
            metavar="REJECTS.csv",
            help="Write the rows that can be taken and put the others, with "
            "their problems, in this CSV file (default: any bad row fails "
            "the load and nothing is written).",
        ),
    ] = None,
    file_new_records: Annotated[
        bool,
        typer.Option(
            "--file/--no-file",
            help="Report each school's new 学籍 to its district for approval "
            "(第三条; one procedure per school).",
        ),
    ] = True,
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
        records = (
            _xlsx_records(file) if file.suffix.lower() in (".xlsx", ".xlsm") else None
        )
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out.errors,
            disable=out.progress_disabled(),
            transient=True,
        ) as bar:
            reading = bar.add_task("读取名册 reading", total=None)
            task = bar.add_task("建立学籍 admitting", total=None, visible=False)

            def read(done: int) -> None:
                bar.update(reading, completed=done)

            def progress(done: int, total: int) -> None:
                bar.update(reading, visible=False)
                bar.update(task, completed=done, total=total, visible=True)

            result = load_roster(
                register,
                file,
                principal,
                on=admitted_on,
                school_year=school_year,
                progress=progress,
                reading=read,
                keep_valid=keep_valid is not None,
                file_new_records=file_new_records,
                keep="all" if verbose or json_output else "notable",
                records=records,
            )
        if keep_valid is not None:
            write_rejects(file, result.rejected, keep_valid, records=records)
    decisions = list(result.decisions)
    rejected_rows = sorted({p.row for p in result.rejected})
    out.line(
        f"名册 {file.name}: {result.decided} 行已办理 decided"
        + (f"，{result.skipped} 行此前已载入 skipped" if result.skipped else "")
        + "  "
        + "  ".join(f"{k} {n}" for k, n in result.outcomes.items()),
        style="green",
    )
    if result.filings:
        out.line(
            f"第三条 报区教委核办 filed with the districts: {len(result.filings)} "
            "所学校 schools"
        )
    if keep_valid is not None:
        out.line(
            f"未载入 rejected: {len(rejected_rows)} 行 rows → {keep_valid}",
            style="yellow" if rejected_rows else None,
        )
        for problem in result.rejected[:20]:
            out.line(f"  {problem}")
    not_accepted = [d for d in decisions if not d.accepted]
    shown = decisions if verbose else not_accepted
    if shown:
        labels = [d.request_id for d in shown]
        _show_decisions(out, shown, register, labels)
    out.emit(
        {
            "file": str(file),
            "decided": result.decided,
            "skipped": result.skipped,
            "outcomes": result.outcomes,
            "filings": [decision_data(d) for d in result.filings],
            "rejected": [
                {"row": p.row, "column": p.column, "reason": p.reason}
                for p in result.rejected
            ],
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
        references = References(register.store)
        names = _org_names(register)
        for index, entry in enumerate(entries, start=1):
            where = f"entry {index}" + (f" (line {entry.line})" if entry.line else "")
            try:
                request = references.resolve(entry.request)
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
    """A student's stints and 学籍变动 with their articles, as the kernel's
    student view shows them (第四十四条: masked unless you act on the
    student and ask for --full)."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        principal = _principal(as_)
        view = register.student_view(number, principal)
        # Decisions stay under the number they were made for; an L number
        # replaced by G or J is an alias (第十七条第二款).
        decisions = register.decisions_of(number)
        names = _org_names(register)
    out.reveal = full and view.full
    out.heading(f"{view.name}  学籍号 {view.number}")
    out.line(
        f"性别 {view.sex.value}  出生日期 {view.birth_date}  "
        f"证件 {view.document.value} {view.id_number or '—'}  {view.hukou}"
    )
    if view.aliases:
        out.line("曾用学籍号 aliases: " + ", ".join(view.aliases))
    if view.archive_school:
        out.line(
            "学籍档案 archive: " + names.get(view.archive_school, view.archive_school)
        )
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
    shown = data if out.reveal else redact_data(data)
    out.emit(
        {
            "student": {
                k: v for k, v in shown.items() if k not in ("stints", "events")
            },
            "stints": shown["stints"],
            "events": shown["events"],
            "decisions": [decision_data(d) for d in decisions],
        }
    )


# ---------------------------------------------------------------- obligations


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
        if in_scope(i, principal) and (day is None or i.obligation.arises <= day)
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


OnJobOption = Annotated[
    str, typer.Option("--on", help="The day the job runs (YYYY-MM-DD).")
]


@jobs_app.command("close-registration")
def close_registration(
    school_year: Annotated[str, typer.Option("--school-year", help="e.g. 2025-2026")],
    on: OnJobOption,
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
    on: OnJobOption,
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


@jobs_app.command("term-registration")
def term_registration(
    school_year: Annotated[str, typer.Option("--school-year", help="e.g. 2025-2026")],
    term: Annotated[int, typer.Option("--term", help="The term: 1 or 2.")],
    on: OnJobOption,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第二十一条: once the term's 报到注册 window (开学后5个工作日) has closed,
    a student in school who neither registered nor asked for leave is marked
    旷课 for the school days until registration, with the duties that
    raises.  Runs for both calendar stages.  Idempotent."""
    out = Output(json_output=json_output)
    decisions: list[Decision] = []
    with _handled(out):
        register = build_register(_url(db))
        principal = _principal(as_)
        day = _date(on, "--on")
        for stage in CalendarStage:
            found = register.calendars.term(school_year, stage, term)
            decisions += register.mark_missed_term_registration(found, day, principal)
    _show_decisions(out, decisions, register, ["" for _ in decisions])
    out.line(
        f"报到注册期结束 term {school_year} 第{term}学期: {len(decisions)} 名学生"
        "未按期报到注册，按旷课处理"
    )
    out.emit({"decisions": [decision_data(d) for d in decisions]})


@jobs_app.command("end-suspensions")
def end_suspensions(
    on: OnJobOption,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第三十五条第二款: a 休学 whose period ended with neither extension nor
    复学 returns to 在籍, flagged as not returned; its school days are 旷课
    and a compulsory pupil must be urged back.  Run after each school day's
    attendance.  Idempotent."""
    out = Output(json_output=json_output)
    with _handled(out):
        register = build_register(_url(db))
        decisions = register.end_suspensions(_date(on, "--on"), _principal(as_))
    _show_decisions(out, decisions, register, ["" for _ in decisions])
    out.line(f"休学期满 suspensions ended: {len(decisions)} 名学生有后续事项")
    out.emit({"decisions": [decision_data(d) for d in decisions]})


# ---------------------------------------------------------------- plugins


@app.command()
def plugins(json_output: JsonOption = False) -> None:
    """The plugins in force (loaded and broken), the delegation points
    (hooks) with who answers them, and the load problems.  Exit status 1
    when any plugin failed to load, 0 otherwise."""
    out = Output(json_output=json_output)
    with _handled(out):
        described = load_rules().describe()
    out.table(
        "插件 plugins",
        ["名称", "版本", "层级", "区", "依据", "文号", "有效期", "状态"],
        [
            (
                p.plugin,
                p.version,
                p.layer + ("（内置）" if p.builtin else ""),
                ", ".join(p.districts) or "全市",
                p.legal_basis,
                p.document_number,
                f"{p.valid_from or ''} – {p.valid_to or ''}"
                + ("（示例）" if p.illustrative else ""),
                p.status,
            )
            for p in described.plugins
        ],
    )
    out.table(
        "委托事项 delegation points (hooks)",
        ["hook", "合并 combine", "条款", "回答者 answered by", "说明"],
        [
            (
                p.hook,
                p.combine,
                p.articles,
                ", ".join(p.suppliers) or "—",
                p.summary,
            )
            for p in described.points
        ],
    )
    if described.problems:
        out.table(
            "未载入 plugins that did not load (their districts are blocked)",
            ["plugin", "hook", "problem"],
            [(p.plugin, p.hook or "", p.message) for p in described.problems],
        )
    out.emit(
        {
            "plugins": unstructure(list(described.plugins)),
            "points": unstructure(list(described.points)),
            "hooks": [{"name": p.hook, "summary": p.summary} for p in described.points],
            "problems": unstructure(list(described.problems)),
        }
    )
    if described.problems or any(p.status != "loaded" for p in described.plugins):
        raise typer.Exit(1)


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
    """Run the 2025-2026 school year of the 朝阳区 and 西城区 example end to
    end, every chapter, and print what came of it."""
    from xueji_cli._demo import run_demo

    out = Output(json_output=json_output)
    with _handled(out):
        run_demo(out, db=db, data=data, verbose=verbose)


# ---------------------------------------------------------------- other modules

_cmd_work.register(app)
_cmd_oversight.register(app)
_cmd_conformance.register(app)
app.add_typer(attendance_app, name="attendance")
app.add_typer(calendar_app, name="calendar")


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
