"""The ``xueji`` command line (xueji_cli) and the roster loader behind it.

Each test runs the Typer app in process on a fresh SQLite register in a
temporary directory.  Expected dates are worked out from the regulation and
the published 2025-2026 calendar: the first term starts Monday 2025-09-01,
so 开学后5个工作日 ends 2025-09-08 and 开学后10个工作日 ends 2025-09-15
(no holiday falls between).
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from xueji import Register, hookspecs, id_check_char
from xueji_cli._demo import DEMO_FILES
from xueji_cli._render import redact
from xueji_cli._store import build_register
from xueji_cli.main import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "beijing-2025-2026"
PACKAGE_DATA = ROOT / "adapters" / "xueji_cli" / "demo_data"

# A full 18-character ID number, alone or inside a G-kind 学籍号.
FULL_ID = re.compile(r"(?<![0-9A-Za-z])G?\d{17}[\dX](?![0-9A-Za-z])")

HEADER = (
    "姓名,性别,出生日期,证件号码,户籍(本市/非本市),户籍区,户籍街道,"
    "学校代码,年级,学年,录取日期,入学材料"
)


def fictitious_id(born: date, sequence: int) -> str:
    """A valid-format number under the unassigned county code 110199."""
    first17 = f"110199{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


ID_A = fictitious_id(date(2019, 3, 2), 11)  # odd sequence: 男
ID_B = fictitious_id(date(2018, 11, 20), 22)  # even sequence: 女


def row(
    name: str, sex: str, born: str, id_number: str, school: str = "S110105001"
) -> str:
    place = "本市,110105,110105001"
    admission = "1,2025-2026,2025-07-18,户口簿"
    return f"{name},{sex},{born},{id_number},{place},{school},{admission}"


GOOD_ROWS = [
    row("王某甲", "男", "2019-03-02", ID_A),
    row("李某乙", "女", "2018-11-20", ID_B),
]


@pytest.fixture
def runner() -> CliRunner:
    # A wide terminal, so that no number is split across lines.
    return CliRunner(env={"COLUMNS": "200", "XUEJI_DB": None})


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'register.db'}"


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def loaded(runner: CliRunner, db: str) -> str:
    """A register with the example's organisations."""
    ok(invoke(runner, "init", "--db", db))
    ok(invoke(runner, "load", "orgs", str(EXAMPLE / "orgs.toml"), "--db", db))
    return db


def write_roster(tmp_path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode(encoding))
    return path


def students(db: str, *numbers: str) -> list[str]:
    """Which of ``numbers`` the register holds."""
    register: Register = build_register(db)
    with register.store.unit_of_work() as uow:
        return [n for n in numbers if uow.get_student(n) is not None]


# ---------------------------------------------------------------- init, load


def test_init_creates_a_register_and_can_run_again(runner: CliRunner, db: str) -> None:
    ok(invoke(runner, "init", "--db", db))

    result = ok(invoke(runner, "init", "--db", db, "--json"))

    assert json.loads(result.stdout) == {"url": db, "initialised": True}


def test_the_register_url_comes_from_xueji_db(runner: CliRunner, db: str) -> None:
    result = runner.invoke(app, ["init", "--json"], env={"XUEJI_DB": db})

    assert json.loads(ok(result).stdout)["url"] == db


def test_load_orgs_loads_the_example_district(runner: CliRunner, db: str) -> None:
    ok(invoke(runner, "init", "--db", db))

    result = ok(
        invoke(runner, "load", "orgs", str(EXAMPLE / "orgs.toml"), "--db", db, "--json")
    )

    counts = json.loads(result.stdout)["by_kind"]
    assert counts == {"District": 18, "HrssOffice": 2, "School": 11, "Township": 16}


def test_an_orgs_file_with_a_bad_school_type_names_the_entry(
    runner: CliRunner, db: str, tmp_path: Path
) -> None:
    orgs = tmp_path / "orgs.toml"
    orgs.write_text(
        '[[school]]\ncode = "S1"\nname = "示例"\ndistrict = "110105"\n'
        'region_code = "110105"\ntype = "大学"\n',
        encoding="utf-8",
    )

    result = invoke(runner, "load", "orgs", str(orgs), "--db", db)

    assert result.exit_code == 2
    assert "school #1" in result.output
    assert "Traceback" not in result.output


def test_load_roster_admits_every_row(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path, GOOD_ROWS)

    result = ok(invoke(runner, "load", "roster", str(roster), "--db", loaded, "--json"))

    data = json.loads(result.stdout)
    assert data["decided"] == 2
    assert data["outcomes"] == {"accepted": 2}
    assert students(loaded, "G" + ID_A, "G" + ID_B) == ["G" + ID_A, "G" + ID_B]


def test_loading_the_same_roster_again_decides_nothing_new(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path, GOOD_ROWS)
    ok(invoke(runner, "load", "roster", str(roster), "--db", loaded))

    result = ok(invoke(runner, "load", "roster", str(roster), "--db", loaded, "--json"))

    data = json.loads(result.stdout)
    assert (data["decided"], data["skipped"]) == (0, 2)


def test_a_gb18030_roster_loads(runner: CliRunner, loaded: str, tmp_path: Path) -> None:
    roster = write_roster(tmp_path, GOOD_ROWS, encoding="gb18030")

    result = ok(invoke(runner, "load", "roster", str(roster), "--db", loaded, "--json"))

    assert json.loads(result.stdout)["outcomes"] == {"accepted": 2}
    assert students(loaded, "G" + ID_A) == ["G" + ID_A]


def test_a_roster_mixing_encodings_is_rejected_and_nothing_written(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = tmp_path / "mixed.csv"
    roster.write_bytes(
        (HEADER + "\n" + GOOD_ROWS[0] + "\n").encode("utf-8")
        + (GOOD_ROWS[1] + "\n").encode("gb18030")
    )

    result = invoke(runner, "load", "roster", str(roster), "--db", loaded)

    assert result.exit_code == 2
    assert "UTF-8" in result.output
    assert "GB18030" in result.output
    assert "re-save" in result.output
    assert students(loaded, "G" + ID_A, "G" + ID_B) == []


def test_an_undecodable_roster_is_rejected_and_nothing_written(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = tmp_path / "broken.csv"
    roster.write_bytes(
        HEADER.encode("utf-8") + b"\n\xff\xfe\xfd," + GOOD_ROWS[0].encode()
    )

    result = invoke(runner, "load", "roster", str(roster), "--db", loaded)

    assert result.exit_code == 2
    assert "GB18030" in result.output
    assert students(loaded, "G" + ID_A) == []


def test_an_invalid_id_is_reported_with_its_row_masked_and_nothing_written(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    wrong = ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1")  # a wrong check character
    roster = write_roster(
        tmp_path, [GOOD_ROWS[0], row("李某乙", "女", "2018-11-20", wrong)]
    )

    result = invoke(runner, "load", "roster", str(roster), "--db", loaded)

    assert result.exit_code == 2
    assert "第3行 [证件号码]" in result.output
    assert wrong not in result.output
    assert "110199********" in result.output
    assert students(loaded, "G" + ID_A) == []


def test_every_bad_row_is_reported_at_once(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = write_roster(
        tmp_path,
        [
            row("王某甲", "男", "2019-03-02", ID_A, school="S999"),
            row("李某乙", "X", "2018-11-20", ID_B),
            row("张某丙", "男", "2019-02-30", ""),
        ],
    )

    result = invoke(runner, "load", "roster", str(roster), "--db", loaded)

    assert result.exit_code == 2
    assert "第2行 [学校代码]" in result.output
    assert "S999" in result.output
    assert "第3行 [性别]" in result.output
    assert "第4行 [出生日期]" in result.output
    assert "nothing was written" in result.output
    assert students(loaded, "G" + ID_A, "G" + ID_B) == []


def test_an_unknown_school_code_in_a_roster_is_a_row_problem(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = write_roster(
        tmp_path, [row("王某甲", "男", "2019-03-02", ID_A, school="X0001")]
    )

    result = invoke(runner, "load", "roster", str(roster), "--db", loaded, "--json")

    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "roster"
    assert "第2行 [学校代码]" in error["message"]
    assert students(loaded, "G" + ID_A) == []


def test_a_json_roster_loads(runner: CliRunner, loaded: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.json"
    roster.write_text(
        json.dumps(
            [
                {
                    "name": "王某甲",
                    "sex": "男",
                    "birth_date": "2019-03-02",
                    "id_number": ID_A,
                    "hukou": "本市",
                    "school": "S110105001",
                    "grade": 1,
                    "school_year": "2025-2026",
                    "on": "2025-07-18",
                    "documents": "户口簿",
                }
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )

    result = ok(invoke(runner, "load", "roster", str(roster), "--db", loaded, "--json"))

    assert json.loads(result.stdout)["outcomes"] == {"accepted": 1}


# ---------------------------------------------------------------- submit


def requests_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requests.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_submit_prints_each_decision_with_its_obligations(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )
    path = requests_file(
        tmp_path,
        f"- kind: registration\n"
        f"  request: {{id: reg-1, on: 2025-09-01, student: G{ID_A}}}\n",
    )

    result = ok(invoke(runner, "submit", str(path), "--db", loaded))

    assert "accepted" in result.output
    assert "为新生建立学籍档案" in result.output
    assert "2025-09-15" in result.output
    assert "第十七条第一款" in result.output


def test_submit_json_is_a_list_of_decisions(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )
    path = requests_file(
        tmp_path,
        f"- kind: delayed-registration\n"
        f"  principal: school:S110105001:王老师\n"
        f"  request: {{id: del-1, on: 2025-09-09, student: G{ID_B},\n"
        f"            until: 2025-09-19, reason: 住院, materials: [出院小结]}}\n",
    )

    result = ok(invoke(runner, "submit", str(path), "--db", loaded, "--json"))

    (decision,) = json.loads(result.stdout)["decisions"]
    assert decision["outcome"] == "refused"
    assert decision["reasons"][0]["article"] == "第十六条第一款"
    assert decision["obligations"][0]["due"] == "2025-09-10"
    assert decision["student"] == "G110199********" + ID_B[-4:]


def test_malformed_yaml_names_the_file_and_line(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    path = requests_file(tmp_path, "- kind: registration\n  request: {id: r, on: [\n")

    result = invoke(runner, "submit", str(path), "--db", loaded)

    assert result.exit_code == 2
    assert str(path) in result.output
    assert "line 3" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_request_kind_is_named_with_the_known_ones(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    path = requests_file(
        tmp_path,
        "- kind: enrolment\n"
        "  principal: city:110000:x\n"
        "  request: {id: r, on: 2025-09-01}\n",
    )

    result = invoke(runner, "submit", str(path), "--db", loaded)

    assert result.exit_code == 2
    assert "'enrolment' is unknown" in result.output
    assert "registration" in result.output


def test_a_bad_principal_is_an_error_not_a_traceback(
    runner: CliRunner, loaded: str
) -> None:
    result = invoke(runner, "obligations", "--db", loaded, "--as", "headmaster")

    assert result.exit_code == 2
    assert "role:organisation:name" in result.output


# ---------------------------------------------------------------- history, jobs


def test_history_shows_events_with_articles_and_masked_numbers(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )

    result = ok(invoke(runner, "history", "G" + ID_A, "--db", loaded))

    assert "王某甲" in result.output
    assert "第十七条第二款" in result.output
    assert "G110199********" + ID_A[-4:] in result.output
    assert ID_A not in result.output


def test_history_json_parses_and_is_masked(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )

    result = ok(invoke(runner, "history", "G" + ID_A, "--db", loaded, "--json"))

    data = json.loads(result.stdout)
    assert data["student"]["number"] == "G110199********" + ID_A[-4:]
    assert [e["kind"] for e in data["events"]] == ["number-issued", "admitted"]
    assert ID_A not in result.stdout


def test_history_outside_the_principals_scope_says_no_such_student(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )

    result = invoke(
        runner,
        "history",
        "G" + ID_A,
        "--db",
        loaded,
        "--as",
        "school:S110105002:某老师",
    )

    assert result.exit_code == 2
    assert "within your scope" in result.output


def test_closing_the_window_urges_the_pupil_who_did_not_register(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
            "--no-file",  # the registration window alone, not 第三条's filing
        )
    )

    jobs = ok(
        invoke(
            runner,
            "jobs",
            "close-registration",
            "--school-year",
            "2025-2026",
            "--on",
            "2025-09-09",
            "--db",
            loaded,
            "--json",
        )
    )
    duties = ok(
        invoke(runner, "obligations", "--as-of", "2025-09-20", "--db", loaded, "--json")
    )

    assert len(json.loads(jobs.stdout)["decisions"]) == 2
    listed = json.loads(duties.stdout)
    assert {(o["kind"], o["due"], o["article"]) for o in listed["obligations"]} == {
        ("urge-enrollment", "2025-09-10", "第十六条第二款")
    }
    assert len(listed["overdue"]) == 2


def test_end_deferrals_with_none_deferred_ends_none(
    runner: CliRunner, loaded: str
) -> None:
    result = ok(
        invoke(
            runner,
            "jobs",
            "end-deferrals",
            "--on",
            "2026-09-01",
            "--db",
            loaded,
            "--json",
        )
    )

    assert json.loads(result.stdout) == {"ended": []}


def test_plugins_lists_the_municipal_rules_and_the_hooks(runner: CliRunner) -> None:
    result = ok(invoke(runner, "plugins", "--json"))

    data = json.loads(result.stdout)
    assert ("xueji-municipal", "loaded") in [
        (p["plugin"], p["status"]) for p in data["plugins"]
    ]
    assert {p["hook"] for p in data["points"]} == {h["name"] for h in data["hooks"]}
    specs = inspect.getmembers(hookspecs, inspect.isfunction)
    assert {h["name"] for h in data["hooks"]} == {
        name for name, _ in specs if name.startswith("xueji_")
    }


# ---------------------------------------------------------------- demo


def test_demo_refuses_a_register_that_holds_data(
    runner: CliRunner, loaded: str
) -> None:
    result = invoke(runner, "demo", "--db", loaded)

    assert result.exit_code == 2
    assert "already holds a register" in result.output


def test_the_demo_data_shipped_with_the_package_equals_the_example() -> None:
    for name in DEMO_FILES:
        assert (PACKAGE_DATA / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


# ---------------------------------------------------------------- masking


def test_default_output_never_shows_a_full_id_number(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path, GOOD_ROWS)
    path = requests_file(
        tmp_path,
        f"- kind: registration\n"
        f"  request: {{id: reg-1, on: 2025-09-01, student: G{ID_A}}}\n",
    )

    outputs = [
        ok(invoke(runner, "load", "roster", str(roster), "--db", loaded, "-v")).output,
        ok(invoke(runner, "submit", str(path), "--db", loaded)).output,
        ok(invoke(runner, "history", "G" + ID_A, "--db", loaded)).output,
        ok(invoke(runner, "obligations", "--db", loaded)).output,
        ok(invoke(runner, "obligations", "--db", loaded, "--json")).output,
    ]

    for output in outputs:
        assert FULL_ID.search(output) is None, output
        assert ID_A not in output
        assert ID_B not in output


def test_redact_masks_ids_and_g_numbers_but_not_j_or_l_numbers() -> None:
    text = f"号码{ID_A}，学籍号G{ID_B}，L110105201901060001，J11010520190106001X"

    shown = redact(text)

    assert shown == (
        f"号码110199********{ID_A[-4:]}，学籍号G110199********{ID_B[-4:]}，"
        "L110105201901060001，J11010520190106001X"
    )


# ---------------------------------------------------------------- embedding


def test_the_embedding_example_runs() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "embedding.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "accepted" in completed.stdout
    assert "第十七条第二款" in completed.stdout


def test_history_full_shows_the_number_only_to_the_school_that_acts(
    runner: CliRunner, loaded: str, tmp_path: Path
) -> None:
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(write_roster(tmp_path, GOOD_ROWS)),
            "--db",
            loaded,
        )
    )
    path = requests_file(
        tmp_path,
        f"- kind: registration\n"
        f"  request: {{id: reg-1, on: 2025-09-01, student: G{ID_A}}}\n",
    )
    ok(invoke(runner, "submit", str(path), "--db", loaded))
    school = "school:S110105001:王老师"  # owes the archive (第十七条第一款)

    masked = ok(invoke(runner, "history", "G" + ID_A, "--db", loaded, "--as", school))
    full = ok(
        invoke(runner, "history", "G" + ID_A, "--db", loaded, "--as", school, "--full")
    )
    city = ok(invoke(runner, "history", "G" + ID_A, "--db", loaded, "--full"))

    assert ID_A not in masked.output
    assert ID_A in full.output
    assert "为新生建立学籍档案" in full.output
    assert ID_A not in city.output
    assert "shown masked" in city.output
