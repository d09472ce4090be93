"""xueji's benchmarks on a generated Beijing register (see BENCHMARKS.md).

    python benchmarks/bench.py                       # small: minutes
    python benchmarks/bench.py --intake 360000 --scale 2000000 \
        --series 10000,100000,1000000,2000000 --json full.json

Each benchmark prints its figure and its ratio to a baseline measured in the
same run, on the same machine, against the same database:

- intake: a roster file (CSV, UTF-8) of new students loaded end to end —
  read, every row decided under the regulation, 学籍号 issued, stints, events
  and decisions written, each school's new 学籍 filed with its district
  (第三条) — against plain SQLAlchemy Core ``executemany`` inserting the very
  rows the intake wrote, into an empty register of the same schema;
- decision: the intake decision alone (no storage, one core) against
  python-stdnum checking the same ID numbers (check digit and birth date);
- submit: one admission decided and persisted (``Register.submit``) against
  a plain Core one-row insert committed;
- term check: ``Register.term_check`` of the city over a register of
  ``--scale`` students with about 3% of the first term's school days marked
  absent, in a process of its own (peak memory is its maximum resident set),
  against plain Core reading and parsing every stint;
- series: intake and term check per student at each size of ``--series``.

With ``--postgresql URL`` (default ``$XUEJI_TEST_POSTGRESQL``) the intake and
the term check also run on a scratch database of that server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from stdnum.cn import ric

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator import (  # noqa: E402
    BeijingRegister,
    PlanPlugin,
    Pupil,
    write_roster_csv,
)

from xueji import (  # noqa: E402
    MemoryStore,
    Principal,
    PrincipalRole,
    Register,
    Rules,
)
from xueji._context import Context  # noqa: E402
from xueji._enrollment import decide_admission  # noqa: E402
from xueji._intake import AnswerMemo, BatchUnitOfWork  # noqa: E402
from xueji._roster import load_roster  # noqa: E402
from xueji_sqlalchemy import SqlStore, init_register  # noqa: E402
from xueji_sqlalchemy import _schema as tables  # noqa: E402
from xueji_sqlalchemy.testing import scratch_database  # noqa: E402

CITY = Principal(PrincipalRole.CITY, "110000", "市学籍管理员")
AS_OF = date(2026, 1, 20)
SEED = 2026

# What the intake writes, table by table (the baseline inserts the same).
WRITTEN = (
    "students",
    "enrollments",
    "events",
    "decisions",
    "idempotency",
    "procedures",
    "open_procedures",
    "obligations",
    "audit",
)


def _rules(plans: dict[tuple[str, str, int], int]) -> Rules:
    """The municipal rules and the generated plans (no installed plugin)."""
    return Rules.from_entry_points("xueji-bench-none", extra=(PlanPlugin(plans),))[0]


@contextmanager
def _database(kind: str, workdir: Path, name: str) -> Iterator[str]:
    """A new, empty register's URL: a SQLite file, or a scratch database."""
    if kind == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    with scratch_database(kind) as url:
        yield url


def _backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else url.split(":", 1)[0]


def _register(url: str, generator: BeijingRegister, plans: Any) -> Register:
    store = init_register(url)
    register = Register(store, rules=_rules(plans))
    register.load_organisations(generator.organisations(), CITY)
    return register


# ------------------------------------------------------------------ intake


def bench_intake(
    url: str, generator: BeijingRegister, pupils: list[Pupil], workdir: Path
) -> dict[str, Any]:
    roster = workdir / "intake.csv"
    write_roster_csv(roster, pupils)
    register = _register(url, generator, generator.plans(pupils))
    started = time.perf_counter()
    result = load_roster(register, roster, CITY, file_new_records=True, keep="notable")
    seconds = time.perf_counter() - started
    assert isinstance(register.store, SqlStore)
    rows = _count_rows(register.store.engine)
    register.store.dispose()
    base = _baseline_insert(url, workdir)
    return {
        "backend": _backend(url),
        "students": len(pupils),
        "seconds": seconds,
        "per_second": len(pupils) / seconds,
        "outcomes": result.outcomes,
        "filings": len(result.filings),
        "rows_written": rows,
        "baseline_seconds": base,
        "baseline": "SQLAlchemy Core executemany of the same rows, one transaction",
        "ratio": seconds / base,
    }


def _count_rows(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(tables.metadata.tables[name])
                ).scalar_one()
            )
            for name in WRITTEN
        }


def _baseline_insert(url: str, workdir: Path) -> float:
    """Plain Core executemany of the rows the intake wrote, into an empty
    register of the same schema, in one transaction."""
    source = sa.create_engine(url)
    with _database_like(url, workdir) as target_url:
        init_register(target_url).dispose()
        target = sa.create_engine(target_url)
        total = 0.0
        with source.connect() as read, target.connect() as write:
            started = time.perf_counter()
            transaction = write.begin()
            total -= time.perf_counter() - started
            for name in WRITTEN:
                table = tables.metadata.tables[name]
                columns = [c for c in table.columns if c.name != "seq"]
                result = read.execute(sa.select(*columns)).mappings()
                while chunk := result.fetchmany(10_000):
                    rows = [dict(r) for r in chunk]
                    started = time.perf_counter()
                    write.execute(sa.insert(table), rows)
                    total += time.perf_counter() - started
            started = time.perf_counter()
            transaction.commit()
            total += time.perf_counter() - started
        target.dispose()
    source.dispose()
    return total


@contextmanager
def _database_like(url: str, workdir: Path) -> Iterator[str]:
    if url.startswith("sqlite"):
        with _database("sqlite", workdir, "baseline") as other:
            yield other
        return
    server = os.environ.get("XUEJI_BENCH_PG_SERVER", "")
    with scratch_database(server) as other:
        yield other


# ------------------------------------------------------------------ decision


def bench_decision(generator: BeijingRegister, pupils: list[Pupil]) -> dict[str, Any]:
    """The intake decision alone: every rule of decide_admission, reads
    answered from what the batch fetched, writes buffered and dropped."""
    admissions = [generator.admission(p, i) for i, p in enumerate(pupils)]
    store = MemoryStore()
    register = Register(store, rules=_rules(generator.plans(pupils)))
    register.load_organisations(generator.organisations(), CITY)
    rules = AnswerMemo(register.rules)
    now = datetime.now(UTC)
    with store.unit_of_work() as real:
        uow = BatchUnitOfWork(real)
        uow.prefetch(admissions)
        start = uow.mark()
        started = time.perf_counter()
        for index, admission in enumerate(admissions):
            ctx = Context(
                uow, rules, register.calendars, CITY, admission.id, admission.on, now
            )
            decide_admission(ctx, admission)
            if index % 2000 == 1999:
                uow.undo(start)
        seconds = time.perf_counter() - started
    numbers = [p.particulars.id_number for p in pupils if p.particulars.id_number]
    started = time.perf_counter()
    for number in numbers:
        ric.calc_check_digit(number)
        ric.get_birth_date(number)
    base = time.perf_counter() - started
    per_id = base / len(numbers)
    return {
        "students": len(admissions),
        "seconds": seconds,
        "per_second": len(admissions) / seconds,
        "microseconds_per_row": seconds / len(admissions) * 1e6,
        "baseline_seconds": per_id * len(admissions),
        "baseline": "python-stdnum: check digit and birth date of the same ID numbers",
        "ratio": seconds / (per_id * len(admissions)),
    }


# ------------------------------------------------------------------ submit


def bench_submit(
    url: str, generator: BeijingRegister, count: int, workdir: Path
) -> dict[str, Any]:
    pupils = list(generator.intake(count, population=3))
    register = _register(url, generator, generator.plans(pupils))
    latencies = []
    for index, pupil in enumerate(pupils):
        admission = generator.admission(pupil, index)
        started = time.perf_counter()
        register.submit(admission, CITY)
        latencies.append(time.perf_counter() - started)
    assert isinstance(register.store, SqlStore)
    engine = register.store.engine
    base = []
    table = tables.audit
    with engine.connect() as connection:
        for index in range(count):
            row = {
                "id": f"bench-{index}",
                "student": None,
                "organisation": "110000",
                "district": "",
                "data": "{}",
            }
            started = time.perf_counter()
            connection.execute(sa.insert(table), row)
            connection.commit()
            base.append(time.perf_counter() - started)
    register.store.dispose()
    p50, p99 = _quantiles(latencies)
    b50, b99 = _quantiles(base)
    return {
        "backend": _backend(url),
        "requests": count,
        "p50_ms": p50 * 1e3,
        "p99_ms": p99 * 1e3,
        "baseline_p50_ms": b50 * 1e3,
        "baseline_p99_ms": b99 * 1e3,
        "baseline": "SQLAlchemy Core one-row insert and commit",
        "ratio_p50": p50 / b50,
    }


def _quantiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


# ------------------------------------------------------------------ term check


def build_register(
    url: str, generator: BeijingRegister, students: int
) -> dict[str, Any]:
    """A register of ``students`` (every grade), built through the kernel's
    bulk intake, and their first-term absences as attendance records.  The
    students are generated again for each pass rather than kept."""
    from xueji._intake import intake

    register = _register(url, generator, generator.plans(generator.pupils(students)))
    admissions = (
        (i + 2, generator.admission(p, i))
        for i, p in enumerate(generator.pupils(students))
    )
    started = time.perf_counter()
    intake(register, admissions, CITY, file_new_records=True, keep="notable")
    intake_seconds = time.perf_counter() - started
    started = time.perf_counter()
    marks = 0
    batch = []
    records = generator.attendance_records(
        generator.pupils(students), register.calendars
    )
    with register.store.unit_of_work() as uow:
        for record in records:
            batch.append(record)
            if len(batch) >= 20_000:
                uow.add_records(batch)
                marks += len(batch)
                batch = []
        uow.add_records(batch)
        marks += len(batch)
        uow.commit()
    marks_seconds = time.perf_counter() - started
    assert isinstance(register.store, SqlStore)
    register.store.dispose()
    return {
        "students": students,
        "intake_seconds": intake_seconds,
        "marks": marks,
        "marks_seconds": marks_seconds,
    }


def bench_term_check(url: str) -> dict[str, Any]:
    """The city's term check in a process of its own (for its peak memory),
    and the baseline: plain Core reading and parsing every stint."""
    child = subprocess.run(
        [sys.executable, __file__, "term-check-child", url],
        check=False,
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the term check failed:\n{child.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        result = connection.execute(sa.select(tables.enrollments.c.data))
        count = sum(1 for row in result if json.loads(row[0]))
    base = time.perf_counter() - started
    engine.dispose()
    found.update(
        baseline_seconds=base,
        baseline=f"SQLAlchemy Core: read and json.loads every stint ({count})",
        ratio=found["seconds"] / base,
    )
    return found


def _series_row(built: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    size = built["students"]
    return {
        **built,
        "term_check_seconds": check["seconds"],
        "peak_bytes": check["peak_bytes"],
        "intake_us_per_student": built["intake_seconds"] / size * 1e6,
        "marks_us_per_mark": built["marks_seconds"] / max(1, built["marks"]) * 1e6,
        "check_us_per_student": check["seconds"] / size * 1e6,
    }


def _term_check_child(url: str) -> None:
    store = SqlStore(url)
    register = Register(store, rules=_rules({}))
    started = time.perf_counter()
    report = register.term_check("110000", AS_OF, CITY)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    store.dispose()
    print(
        json.dumps(
            {
                "backend": _backend(url),
                "seconds": seconds,
                "peak_bytes": peak,
                "stints": report.stints,
                "findings": len(report.findings),
                "changes": len(report.changes),
            }
        )
    )


# ------------------------------------------------------------------ activity


def bench_activity(url: str, schools: int = 8) -> dict[str, Any]:
    """A school year of a few schools' activity, request by request
    (``Register.submit``): every kind the generator writes is decided.  The
    schools' students are admitted first through the bulk intake."""
    from xueji import XuejiError, parse_request_document
    from xueji._intake import intake

    generator = BeijingRegister(SEED, students=400_000)
    kinds = (
        "小学",
        "初级中学",
        "完全中学",
        "高级中学",
        "九年一贯制学校",
        "特殊教育学校",
        "十二年一贯制学校",
        "专门学校",
    )
    chosen = {
        next(s for s in generator.schools if s.type.value == k).code
        for k in kinds[:schools]
    }
    pupils = [p for p in generator.pupils() if p.school.code in chosen]
    register = _register(url, generator, generator.plans(pupils))
    rows = ((i + 2, generator.admission(p, i)) for i, p in enumerate(pupils))
    result = intake(register, rows, CITY, file_new_records=False)
    admitted = {d.student for d in result.decisions if d.accepted}
    pupils = [p for p in pupils if p.number in admitted]
    entries = list(generator.activity(pupils, register.calendars, register_all=True))
    parsed = parse_request_document(entries, source="activity")
    parsed.sort(key=lambda e: e.request.on)
    outcomes: dict[str, dict[str, int]] = {}
    latencies: dict[str, list[float]] = {}
    for entry in parsed:
        started = time.perf_counter()
        try:
            outcome = register.submit(entry.request, entry.principal).outcome.value
        except XuejiError as error:
            outcome = f"error: {error.code}"
        latencies.setdefault(entry.kind, []).append(time.perf_counter() - started)
        kind = outcomes.setdefault(entry.kind, {})
        kind[outcome] = kind.get(outcome, 0) + 1
    assert isinstance(register.store, SqlStore)
    register.store.dispose()
    return {
        "backend": _backend(url),
        "students": len(pupils),
        "requests": len(parsed),
        "outcomes": outcomes,
        "median_ms": {k: statistics.median(v) * 1e3 for k, v in latencies.items()},
        "marks": sum(
            len(e.request.entries) for e in parsed if e.kind == "attendance-marks"
        ),
    }


# ------------------------------------------------------------------ driver


def _machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sa.__version__ and __import__("sqlite3").sqlite_version,
        "sqlalchemy": sa.__version__,
    }


def _line(name: str, figure: str, target: str, ratio: str) -> str:
    return f"{name:<44} {figure:>26} {target:>24} {ratio:>16}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["term-check-child"]:
        _term_check_child(args[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--intake", type=int, default=20_000, help="new students")
    parser.add_argument("--scale", type=int, default=20_000, help="register size")
    parser.add_argument("--series", default="10000", help="sizes, comma-separated")
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument(
        "--postgresql", default=os.environ.get("XUEJI_TEST_POSTGRESQL", "")
    )
    parser.add_argument("--json", type=Path, default=Path(".benchmarks") / "bench.json")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--only",
        default="intake,decision,submit,termcheck,series,activity,postgresql",
        help="which benchmarks, comma-separated",
    )
    options = parser.parse_args(args)
    only = set(options.only.split(","))
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="xueji-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    generator = BeijingRegister(SEED)
    results: dict[str, Any] = {"machine": _machine(), "seed": SEED}
    print(_line("benchmark", "measured", "target", "× baseline"))

    options.json.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        options.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))

    if "intake" in only:
        pupils = list(generator.intake(options.intake))
        with _database("sqlite", workdir, "intake") as url:
            found = bench_intake(url, generator, pupils, workdir)
        results["intake_sqlite"] = found
        print(
            _line(
                f"intake {found['students']:,} (SQLite)",
                f"{found['per_second']:,.0f}/s {found['seconds']:.1f} s",
                "≥ 20,000/s, ≤ 3×",
                f"{found['ratio']:.1f}×",
            )
        )
        save()
    if "decision" in only:
        pupils = list(generator.intake(min(options.intake, 100_000)))
        found = bench_decision(generator, pupils)
        results["decision"] = found
        print(
            _line(
                f"decision alone {found['students']:,}",
                f"{found['per_second']:,.0f}/s",
                "≥ 50,000/s",
                f"{found['ratio']:.1f}×",
            )
        )
        save()
    if "submit" in only:
        with _database("sqlite", workdir, "submit") as url:
            found = bench_submit(url, generator, options.submits, workdir)
        results["submit_sqlite"] = found
        print(
            _line(
                f"submit one admission ×{found['requests']} (SQLite)",
                f"p50 {found['p50_ms']:.2f} p99 {found['p99_ms']:.2f} ms",
                "p50 ≤ 2, p99 ≤ 10 ms",
                f"{found['ratio_p50']:.1f}×",
            )
        )
        save()
    if "termcheck" in only:
        with _database("sqlite", workdir, "register") as url:
            built = build_register(url, generator, options.scale)
            found = bench_term_check(url)
        found.update(built)
        results["term_check_sqlite"] = found
        results.setdefault("series", []).append(_series_row(built, found))
        print(
            _line(
                f"term check {built['students']:,}, {built['marks']:,} marks",
                f"{found['seconds']:.1f} s {found['peak_bytes'] / 2**30:.2f} GiB",
                "≤ 60 s, ≤ 2 GiB",
                f"{found['ratio']:.1f}×",
            )
        )
        save()
    if "series" in only:
        series = results.setdefault("series", [])
        done = {row["students"] for row in series}
        for size in (int(s) for s in options.series.split(",") if s):
            if size in done:
                continue
            with _database("sqlite", workdir, f"series-{size}") as url:
                built = build_register(url, generator, size)
                check = bench_term_check(url)
            row = _series_row(built, check)
            series.append(row)
            series.sort(key=lambda r: r["students"])
            save()
            print(
                _line(
                    f"series {size:,}: intake / check per student",
                    f"{row['intake_us_per_student']:.0f} / "
                    f"{row['check_us_per_student']:.0f} µs",
                    "linear or better",
                    "",
                )
            )
    if "activity" in only:
        with _database("sqlite", workdir, "activity") as url:
            found = bench_activity(url)
        results["activity_sqlite"] = found
        for kind, counts in sorted(found["outcomes"].items()):
            print(
                _line(
                    f"activity: {kind}",
                    ", ".join(f"{o} {n}" for o, n in sorted(counts.items())),
                    "decided",
                    f"{found['median_ms'][kind]:.1f} ms",
                )
            )
        save()
    if "postgresql" in only and options.postgresql:
        os.environ["XUEJI_BENCH_PG_SERVER"] = options.postgresql
        pupils = list(generator.intake(options.intake))
        with _database(options.postgresql, workdir, "intake") as url:
            found = bench_intake(url, generator, pupils, workdir)
        results["intake_postgresql"] = found
        print(
            _line(
                f"intake {found['students']:,} (PostgreSQL)",
                f"{found['per_second']:,.0f}/s {found['seconds']:.1f} s",
                "≥ 20,000/s, ≤ 3×",
                f"{found['ratio']:.1f}×",
            )
        )
        save()
        with _database(options.postgresql, workdir, "register") as url:
            built = build_register(url, generator, options.scale)
            found = bench_term_check(url)
        found.update(built)
        results["term_check_postgresql"] = found
        print(
            _line(
                f"term check {built['students']:,} (PostgreSQL)",
                f"{found['seconds']:.1f} s {found['peak_bytes'] / 2**30:.2f} GiB",
                "≤ 60 s, ≤ 2 GiB",
                f"{found['ratio']:.1f}×",
            )
        )
        save()
    print(f"\nresults: {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
