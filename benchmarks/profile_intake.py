"""Where the intake's time goes: cProfile over a roster load, summed by kind
of work (see BENCHMARKS.md).

    python benchmarks/profile_intake.py --students 20000 [--postgresql URL]

The roster is read in the same process (``parallel=False``), so that the
reading shows in the profile too.  Categories are cumulative times of the
functions that do the work; a function's time counts in the first category
whose function is on its stack, in the order listed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import CITY, _register  # noqa: E402
from generator import BeijingRegister, write_roster_csv  # noqa: E402

from xueji._roster import load_roster  # noqa: E402
from xueji_sqlalchemy.testing import scratch_database  # noqa: E402

# (label, file fragment, function name) — the first match on the stack wins.
CATEGORIES = (
    (
        "reading the roster (decode, fields, ID check, content key)",
        "_roster.py",
        "read_rows",
    ),
    ("request digests (idempotency)", "_intake.py", "request_digest"),
    ("the 第三条 filings (one per school)", "_intake.py", "file_run"),
    (
        "deciding (decide_admission: rules, records built)",
        "_enrollment.py",
        "decide_admission",
    ),
    ("serialising records (xueji.dumps) for the store", "_serialize.py", "dumps"),
    ("reads fetched in bulk (prefetch)", "_intake.py", "prefetch"),
    ("writing in bulk (executemany, SQLAlchemy, driver)", "_store.py", "wrapper"),
)


def _stack_totals(stats: pstats.Stats) -> dict[str, float]:
    """Exclusive time of every function, attributed to the innermost
    category on its call stack (approximately: by the first category
    function among its callers, transitively)."""
    raw: Any = stats.stats  # type: ignore[attr-defined]
    owner: dict[Any, str | None] = {}

    def category_of(func: Any, seen: frozenset[Any]) -> str | None:
        if func in owner:
            return owner[func]
        filename, _line, name = func
        for label, fragment, function in CATEGORIES:
            if filename.endswith(fragment) and name == function:
                owner[func] = label
                return label
        if func in seen:
            return None
        callers = raw[func][4]
        found = None
        for caller in callers:
            found = category_of(caller, seen | {func})
            if found is not None:
                break
        owner[func] = found
        return found

    totals: dict[str, float] = {}
    for func, (_cc, _nc, tottime, _ct, _callers) in raw.items():
        label = category_of(func, frozenset()) or "other (the loop, audit, commit)"
        totals[label] = totals.get(label, 0.0) + tottime
    return totals


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--postgresql", default="")
    options = parser.parse_args()
    generator = BeijingRegister(2026)
    pupils = list(generator.intake(options.students))
    workdir = Path(tempfile.mkdtemp(prefix="xueji-profile-"))
    roster = workdir / "roster.csv"
    write_roster_csv(roster, pupils)

    def run(url: str) -> None:
        register = _register(url, generator, generator.plans(pupils))
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        load_roster(
            register,
            roster,
            CITY,
            file_new_records=True,
            keep="notable",
            parallel=False,
        )
        profile.disable()
        seconds = time.perf_counter() - started
        stats = pstats.Stats(profile)
        totals = _stack_totals(stats)
        whole = sum(totals.values())
        print(
            f"{url.split(':')[0]}: {options.students:,} rows in {seconds:.1f} s "
            f"under the profiler ({whole:.1f} s profiled)"
        )
        for label, value in sorted(totals.items(), key=lambda x: -x[1]):
            print(f"  {value / whole:6.1%}  {value:7.2f} s  {label}")
        stats.sort_stats("tottime").print_stats(15)

    if options.postgresql:
        with scratch_database(options.postgresql) as url:
            run(url)
    else:
        run(f"sqlite:///{workdir / 'register.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
