"""``xueji demo``: a real school year end to end, on fictitious students.

Loads the 朝阳区 2025-2026 example (organisations, a roster of a few hundred
new students) into a fresh register, runs the year's request stream in date
order with the dated jobs after each day's requests, and prints what came
of it.  The data ship with the package (``xueji_cli/demo_data``, generated
by ``examples/beijing-2025-2026/generate.py``), so the demo runs from any
directory once the package is installed.
"""

from __future__ import annotations

__all__ = ["DEMO_FILES", "run_demo"]

import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from xueji import (
    CITY_CODE,
    Decision,
    InvalidInputError,
    Outcome,
    Principal,
    Register,
    RequestEntry,
    Severity,
    Status,
)
from xueji._roster import load_roster
from xueji.conformance.yamlfile import read_yaml
from xueji_cli._demo_plugin import PlanPlugin, read_plans
from xueji_cli._orgsfile import read_organisations
from xueji_cli._render import Output, decision_data, mask_number
from xueji_cli._store import init_store, is_empty, load_rules
from xueji_cli._stream import REGISTRAR, read_requests, resolve

DEMO_FILES = ("orgs.toml", "roster.csv", "requests.yaml", "jobs.yaml", "plans.toml")
CITY = Principal.parse(f"city:{CITY_CODE}:{REGISTRAR}")


@attrs.frozen
class Job:
    """A dated job of the demo's ``jobs.yaml``."""

    name: str
    on: date
    school_year: str | None = None


def _copy_data(source: Path | None, target: Path) -> None:
    """The demo files, from ``source`` or from the package, into ``target``."""
    package = resources.files("xueji_cli") / "demo_data"
    for name in DEMO_FILES:
        if source is not None:
            path = source / name
            if not path.is_file():
                if name == "plans.toml":
                    continue
                raise InvalidInputError(
                    f"{source}: the demo data has no {name}; a demo directory holds "
                    + ", ".join(DEMO_FILES)
                )
            data = path.read_bytes()
        else:
            data = (package / name).read_bytes()
        (target / name).write_bytes(data)


def _read_jobs(path: Path) -> list[Job]:
    data, lines = read_yaml(path)
    jobs = []
    for index, entry in enumerate(data or [], start=1):
        line = lines[index - 1] if index - 1 < len(lines) else None
        where = f"{path}: job {index}" + (f" (line {line})" if line else "")
        if not isinstance(entry, dict) or entry.get("job") not in (
            "close-registration",
            "end-deferrals",
        ):
            raise InvalidInputError(
                f"{where}: job must be close-registration or end-deferrals"
            )
        try:
            on = date.fromisoformat(str(entry["on"]))
        except (KeyError, ValueError):
            raise InvalidInputError(f"{where}: on must be a date YYYY-MM-DD") from None
        school_year = entry.get("school_year")
        if entry["job"] == "close-registration" and not isinstance(school_year, str):
            raise InvalidInputError(f"{where}: close-registration needs school_year")
        jobs.append(Job(entry["job"], on, school_year))
    return jobs


@attrs.define
class _Run:
    """What the demo did, for the summary."""

    register: Register
    decisions: list[Decision] = attrs.Factory(list)
    kinds: dict[str, str] = attrs.Factory(dict)  # request id -> request kind
    steps: list[str] = attrs.Factory(list)


def _progress(out: Output) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out.errors,
        disable=out.progress_disabled(),
        transient=True,
    )


def _load(run: _Run, out: Output, folder: Path) -> None:
    organisations = read_organisations(folder / "orgs.toml")
    run.register.load_organisations(organisations, CITY)
    run.steps.append(f"载入机构 loaded {len(organisations)} organisations")
    with _progress(out) as bar:
        task = bar.add_task("名册建籍 roster", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = load_roster(
            run.register, folder / "roster.csv", CITY, progress=progress
        )
    run.decisions += result.decisions
    counts = Counter(d.outcome.value for d in result.decisions)
    run.steps.append(
        f"载入名册 roster: {len(result.decisions)} 行 rows — "
        + ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    )


def _timeline(
    entries: list[RequestEntry], jobs: list[Job]
) -> list[tuple[date, int, int, RequestEntry | Job]]:
    """Requests in date order (file order within a day), each day's jobs
    after its requests."""
    items: list[tuple[date, int, int, RequestEntry | Job]] = [
        (entry.request.on, 0, index, entry) for index, entry in enumerate(entries)
    ]
    items += [(job.on, 1, index, job) for index, job in enumerate(jobs)]
    return sorted(items, key=lambda item: item[:3])


def _stream(run: _Run, out: Output, folder: Path, verbose: bool) -> None:
    store = run.register.store
    entries = read_requests(folder / "requests.yaml", store)
    jobs = _read_jobs(folder / "jobs.yaml")
    timeline = _timeline(entries, jobs)
    names = _names(run.register)
    run.steps.append(f"办理申请 requests: {len(entries)} 项，按日期顺序 in date order")
    with _progress(out) as bar:
        task = bar.add_task("办理申请 requests", total=len(timeline))
        for _day, _order, _index, item in timeline:
            if isinstance(item, Job):
                _run_job(run, item)
            else:
                request = resolve(item.request, store)
                decision = run.register.submit(request, item.principal)
                run.decisions.append(decision)
                run.kinds[decision.request_id] = item.kind
                if verbose:
                    out.decision(decision, label=decision.request_id, org_names=names)
            bar.advance(task)


def _run_job(run: _Run, job: Job) -> None:
    if job.name == "close-registration":
        assert job.school_year is not None
        decisions = run.register.close_registration_window(
            job.school_year, job.on, CITY
        )
        run.decisions += decisions
        forfeited = sum(
            1 for d in decisions if any(r.code == "forfeited" for r in d.reasons)
        )
        run.steps.append(
            f"{job.on} 注册期结束 close-registration {job.school_year}: "
            f"{len(decisions) - forfeited} 名义务教育新生待督促入学，"
            f"{forfeited} 名高中新生视为放弃入学资格"
        )
    else:
        ended = run.register.end_deferrals(job.on, CITY)
        run.steps.append(
            f"{job.on} 缓学期满 end-deferrals: {len(ended)} 名学生转为下一学年待入学"
        )


def _names(register: Register) -> dict[str, str]:
    with register.store.unit_of_work() as uow:
        orgs: list[Any] = [*uow.districts(), *uow.schools(), *uow.townships()]
    return {o.code: o.name for o in orgs}


# ---------------------------------------------------------------- summary


def _school_table(register: Register) -> list[tuple[str, dict[str, int]]]:
    rows = []
    with register.store.unit_of_work() as uow:
        for school in uow.schools():
            counts = Counter(e.status.value for e in uow.enrollments_at(school.code))
            rows.append((school.name, dict(counts)))
    return rows


def _obligation_groups(
    register: Register, names: dict[str, str]
) -> list[dict[str, Any]]:
    with register.store.unit_of_work() as uow:
        items = uow.obligations(open_only=True)
    groups: Counter[tuple[str, str, str, str, str]] = Counter()
    for item in items:
        o = item.obligation
        key = (
            o.due.isoformat() if o.due else "—",
            o.text,
            names.get(o.organisation, o.organisation),
            o.article,
            o.kind.value,
        )
        groups[key] += 1
    return [
        {
            "due": due,
            "text": text,
            "organisation": org,
            "article": article,
            "kind": kind,
            "count": count,
        }
        for (due, text, org, article, kind), count in sorted(groups.items())
    ]


def _summarise(run: _Run, out: Output, url: str, kept: bool) -> None:
    names = _names(run.register)
    schools = _school_table(run.register)
    registered = sum(c.get(Status.ENROLLED.value, 0) for _, c in schools)
    by_outcome = Counter(d.outcome for d in run.decisions)
    by_kind: Counter[tuple[str, Outcome]] = Counter(
        (d.kind, d.outcome) for d in run.decisions
    )
    obligations = _obligation_groups(run.register, names)
    refused = [d for d in run.decisions if d.outcome is Outcome.REFUSED]
    incomplete = [d for d in run.decisions if d.outcome is Outcome.INCOMPLETE]

    out.heading(
        "xueji demo — 北京市朝阳区 2025-2026 学年（虚构学生 fictitious students）"
    )
    for step in run.steps:
        out.line("  • " + step)
    out.line()
    out.line(f"在籍学生 students registered (在籍): {registered}", style="bold green")
    statuses = [s.value for s in Status if any(s.value in c for _, c in schools)]
    out.table(
        "各校学籍状态 status by school",
        ["学校", *statuses],
        [(name, *(counts.get(s, 0) for s in statuses)) for name, counts in schools],
    )
    outcomes = list(Outcome)
    kinds = sorted({kind for kind, _ in by_kind})
    out.table(
        f"决定 decisions by outcome ({len(run.decisions)})",
        ["申请 kind", *(o.value for o in outcomes)],
        [(kind, *(by_kind.get((kind, o), 0) or "" for o in outcomes)) for kind in kinds]
        + [("合计 total", *(by_outcome.get(o, 0) for o in outcomes))],
    )
    out.table(
        f"待办义务 open obligations ({sum(g['count'] for g in obligations)})",
        ["到期 due", "人数", "条款", "承办", "义务"],
        [
            (g["due"], g["count"], g["article"], g["organisation"], g["text"])
            for g in obligations
        ],
    )
    out.heading(f"不予 refusals ({len(refused)})")
    for decision in refused:
        out.line(
            f"{decision.request_id}  {decision.kind}  {mask_number(decision.student)}",
            style="bold",
        )
        for reason in decision.reasons:
            if reason.severity in (Severity.REFUSAL, Severity.INFO):
                out.text(out.reason_text(reason, indent="    "))
    if incomplete:
        out.heading(f"材料不全 incomplete ({len(incomplete)})")
        for decision in incomplete:
            missing = "；".join(
                f"{r.text}（{r.article}）"
                for r in decision.reasons
                if r.severity is Severity.MISSING
            )
            out.line(f"{decision.request_id}  {decision.kind}  {missing}")
    out.line()
    if kept:
        out.line(
            f"学籍库 register: {url} — try: xueji history <学籍号> --db {url}",
            style="dim",
        )
    out.emit(
        {
            "register": url,
            "steps": run.steps,
            "students_registered": registered,
            "status_by_school": dict(schools),
            "decisions_by_outcome": {o.value: by_outcome.get(o, 0) for o in outcomes},
            "obligations": obligations,
            "refusals": [decision_data(d) for d in refused],
            "incomplete": [decision_data(d) for d in incomplete],
        }
    )


def run_demo(
    out: Output,
    *,
    db: str | None = None,
    data: Path | None = None,
    verbose: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Run the demo into a fresh register: ``db`` (new or empty), else a
    temporary SQLite file that is kept for exploring afterwards.

    Raises:
        InvalidInputError: ``db`` already holds a register with data, or the
            demo data are incomplete.
    """
    workdir = Path(tempfile.mkdtemp(prefix="xueji-demo-"))
    url = db or f"sqlite:///{workdir / 'register.db'}"
    folder = workdir / "data"
    folder.mkdir()
    _copy_data(data, folder)

    store = init_store(url)
    if not is_empty(store):
        raise InvalidInputError(
            f"{url} already holds a register with data; the demo runs only into a "
            "new or empty register — omit --db for a temporary one, or give a new "
            "database"
        )
    plans = (
        read_plans(folder / "plans.toml") if (folder / "plans.toml").is_file() else {}
    )
    extra: tuple[object, ...] = (PlanPlugin(plans),) if plans else ()
    register = Register(store, rules=load_rules(extra), clock=clock)
    run = _Run(register)

    _load(run, out, folder)
    _stream(run, out, folder, verbose)
    _summarise(run, out, url, kept=db is None)
