"""``xueji demo``: the 2025-2026 school year of 朝阳区 and 西城区, every
chapter, run once for this module (it takes a while under typeguard), and
the commands on the register it leaves.

The expected numbers follow from the example's data
(``examples/beijing-2025-2026/generate.py``): 513 roster rows, two of them
incomplete; 14 refusals, each under the article its story is about; and a
term check at the end of term 2 whose findings are the stories left
unfinished on purpose.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from xueji_cli._demo import run_demo
from xueji_cli._render import Output, redact_data
from xueji_cli.main import app

FULL_ID = re.compile(r"(?<![0-9A-Za-z])G?\d{17}[\dX](?![0-9A-Za-z])")
DIGITS_18 = re.compile(r"\d{18}|\d{17}X")
CHAPTERS = (
    "第一章 总则",
    "第二章 学制",
    "第三章 入学与注册",
    "第四章 考勤",
    "第五章 转学",
    "第六章 休学、复学",
    "第七章 退学",
    "第八章 毕业、结业、肄业",
    "第九章 保障措施",
    "第十章 附则",
)


class _Both(Output):
    """The human summary into a buffer, and the JSON document kept: one run
    of the demo serves both."""

    def __init__(self) -> None:
        super().__init__(json_output=False)
        self.buffer = io.StringIO()
        self.console = Console(
            file=self.buffer, width=200, highlight=False, soft_wrap=True
        )
        self.data: Any = None

    def emit(self, data: Any) -> None:
        self.data = json.loads(json.dumps(redact_data(data), ensure_ascii=False))


@attrs.frozen
class Year:
    text: str
    data: Any
    folder: Path

    def copy(self, target: Path) -> str:
        """A copy of the demo's register (SQLite file, WAL and all)."""
        for path in self.folder.glob("register.db*"):
            shutil.copy(path, target / path.name)
        return f"sqlite:///{target / 'register.db'}"


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Year:
    folder = tmp_path_factory.mktemp("year")
    out = _Both()

    run_demo(out, db=f"sqlite:///{folder / 'register.db'}")

    return Year(out.buffer.getvalue(), out.data, folder)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "XUEJI_DB": None})


def invoke(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


# ---------------------------------------------------------------- the summary


def test_the_demo_prints_a_section_for_every_chapter(year: Year) -> None:
    positions = [year.text.index(title) for title in CHAPTERS]

    assert positions == sorted(positions)


def test_the_summary_has_the_years_numbers(year: Year) -> None:
    for heading in (
        "students registered",
        "decisions by kind and outcome",
        "open obligations",
        "不予 refusals (14)",
        "材料不全 incomplete (3)",
        "term check",
    ):
        assert heading in year.text, heading


def test_the_demo_never_prints_a_full_id_number(year: Year) -> None:
    json_text = json.dumps(year.data, ensure_ascii=False)

    assert FULL_ID.search(year.text) is None
    assert DIGITS_18.search(year.text) is None
    assert DIGITS_18.search(json_text) is None


def test_the_year_decides_every_chapter(year: Year) -> None:
    data = year.data
    kinds = data["decisions_by_kind"]

    assert data["roster_rows"] == 513
    assert data["students_registered"] == 463
    assert data["decisions_by_outcome"] == {
        "accepted": 2273,
        "refused": 14,
        "pending": 57,
        "incomplete": 3,
    }
    for kind in (
        "new-records",
        "registration",
        "attendance-marks",
        "term-registration-missed",
        "transfer",
        "transfer-in",
        "transfer-out",
        "specialized-placement",
        "suspension-extension",
        "suspension-lapse",
        "withdrawal",
        "graduation-roster",
        "completion",
        "attestation",
        "disclosure-approval",
        "export",
        "step-reject (转学)",
        "done (build-archive)",
    ):
        assert kind in kinds, kind
    assert kinds["step-reject (转学)"] == {"accepted": 1}
    assert data["attendance_marks"] == {"旷课": 7, "迟到": 3, "病假": 2, "早退": 1}


def test_each_refusal_cites_the_article_of_its_story(year: Year) -> None:
    articles = sorted(
        r["article"]
        for d in year.data["refusals"]
        for r in d["reasons"]
        if r["severity"] == "refusal"
    )

    assert articles == sorted(
        [
            "第五十二条",  # before the regulation took effect
            "第十条",  # under age
            "第十七条第二款",  # already enrolled elsewhere
            "第九条第一款",  # over the plan
            "第十一条第一款",  # deferral: hospital grade
            "第十一条第一款",  # deferral: too late
            "第十六条第一款",  # delayed registration, compulsory
            "第十六条第一款",  # delayed registration, senior
            "第三十条第（一）项",  # transfer in the first term of 一年级
            "第三十条第（三）项",  # transfer during a sanction
            "第三十四条",  # transfer during 休学
            "第二十六条第一款",  # senior transfer below the cut-off
            "第四十四条",  # export without a written approval
            "第四十条第三款",  # a lost certificate is not reissued
        ]
    )


def test_the_check_at_the_end_of_term_2_finds_the_unfinished_stories(
    year: Year,
) -> None:
    check = year.data["check"]

    assert (check["scope"], check["as_of"]) == ("110000", "2026-07-15")
    assert check["by_code"] == {
        "archive-overdue": 3,  # three archives the 完全中学 never built
        "export-refused": 1,  # the attempt without approval
        "registrar-missing": 1,  # the 专门学校
        "temporary-number": 3,  # L numbers still waiting for G or J
        "township-not-informed": 1,  # the lapsed suspension's week of truancy
        "truancy-duty-overdue": 1,  # the pupil never urged to register
    }


def test_the_register_clock_follows_the_requests_dates(year: Year) -> None:
    # Replayed with a wall clock, every school's entry would be "late".
    assert "change-entered-late" not in year.data["check"]["by_code"]


# ---------------------------------------------------------------- the register


def test_the_register_serves_the_work_list_and_the_check(
    year: Year, runner: CliRunner, tmp_path: Path
) -> None:
    db = year.copy(tmp_path)

    work = json.loads(
        invoke(
            runner,
            "work",
            "--org",
            "S110105003",
            "--as-of",
            "2026-07-15",
            "--db",
            db,
            "--as",
            "school:S110105003:学籍管理员",
            "--json",
        ).stdout
    )
    check = json.loads(
        invoke(
            runner,
            "check",
            "--as-of",
            "2026-07-15",
            "--org",
            "110000",
            "--db",
            db,
            "--as",
            "auditor:110000:审计员",
            "--json",
        ).stdout
    )

    assert sorted(o["kind"] for o in work["obligations"]) == [
        "inform-township",
        "urge-enrollment",
    ]
    assert len(work["overdue"]) == 2
    assert check["record"] is None  # an auditor's check is not recorded
    # The window of "since the last check" starts at the city's check of
    # 2026-07-15: the export refused in May is no longer news.
    expected = dict(year.data["check"]["by_code"])
    del expected["export-refused"]
    assert Counter(f["code"] for f in check["findings"]) == expected


def test_a_cross_district_transfer_shows_both_stints(
    year: Year, runner: CliRunner, tmp_path: Path
) -> None:
    db = year.copy(tmp_path)
    data = (
        Path(__file__).resolve().parents[1]
        / "examples"
        / "beijing-2025-2026"
        / "requests.yaml"
    ).read_text(encoding="utf-8")
    number = re.search(r'id: "tr-cross", on: [^,]+, student: "(\w+)"', data)
    assert number is not None

    shown = json.loads(
        invoke(runner, "history", number[1], "--db", db, "--json").stdout
    )

    assert [(s["school"], s["status"]) for s in shown["stints"]] == [
        ("S110105002", "转出"),
        ("S110102001", "在籍"),
    ]
    assert shown["student"]["number"] == number[1][:7] + "********" + number[1][-4:]
