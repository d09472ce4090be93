"""The ``xueji`` commands that act on the register's work, chapter by chapter:
``work``, ``approve|reject|return|resubmit|withdraw``, ``done``,
``attendance load|duties``, the dated jobs, ``check``, ``compliance``,
``export`` and ``history`` — each on a small fresh SQLite register.

Dates are worked out from the published 2025-2026 compulsory calendar: term
1 runs 2025-09-01..2026-01-23 (the National Day holiday 10-01..10-08, make-up
days 09-28 and 10-11), term 2 from Monday 2026-03-02, so its 报到注册 window
(开学后5个工作日) ends Monday 2026-03-09.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from xueji import id_check_char
from xueji_cli.main import app

ROOT = Path(__file__).resolve().parents[1]
ORGS = ROOT / "examples" / "beijing-2025-2026" / "orgs.toml"
FULL_ID = re.compile(r"(?<![0-9A-Za-z])G?\d{17}[\dX](?![0-9A-Za-z])")
SCHOOL = "school:S110105001:王老师"
OTHER_SCHOOL = "school:S110105002:李老师"
DISTRICT = "district:110105:张老师"
CITY = "city:110000:市学籍办"
AUDITOR = "auditor:110105:审计员"


def fictitious_id(born: date, sequence: int) -> str:
    """A valid-format number under the unassigned county code 110199."""
    first17 = f"110199{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


ID_A = fictitious_id(date(2019, 3, 2), 11)  # 一年级, 男
ID_B = fictitious_id(date(2018, 11, 20), 22)  # 一年级, 女
ID_C = fictitious_id(date(2017, 5, 6), 33)  # 三年级, 男
A, B, C = "G" + ID_A, "G" + ID_B, "G" + ID_C

HEADER = (
    "姓名,性别,出生日期,证件号码,户籍(本市/非本市),户籍区,户籍街道,"
    "学校代码,年级,学年,录取日期,入学材料"
)
ROWS = [
    f"王某甲,男,2019-03-02,{ID_A},本市,110105,110105001,S110105001,1,2025-2026,"
    "2025-07-18,户口簿",
    f"李某乙,女,2018-11-20,{ID_B},本市,110105,110105001,S110105001,1,2025-2026,"
    "2025-07-18,户口簿",
    f"张某丙,男,2017-05-06,{ID_C},本市,110105,110105002,S110105001,3,2025-2026,"
    "2025-07-18,户口簿",
]


@pytest.fixture
def runner() -> CliRunner:
    # A wide terminal, so that no number is split across lines.
    return CliRunner(env={"COLUMNS": "200", "XUEJI_DB": None})


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def data(result: Result) -> object:
    return json.loads(ok(result).stdout)


def submit(runner: CliRunner, db: str, tmp_path: Path, text: str) -> object:
    path = tmp_path / "requests.yaml"
    path.write_text(text, encoding="utf-8")
    return data(invoke(runner, "submit", str(path), "--db", db, "--json"))


@pytest.fixture
def admitted(runner: CliRunner, tmp_path: Path) -> str:
    """A register with the example's organisations and three admitted pupils
    at 第一示例小学 (no 第三条 filing)."""
    db = f"sqlite:///{tmp_path / 'register.db'}"
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    ok(invoke(runner, "init", "--db", db))
    ok(invoke(runner, "load", "orgs", str(ORGS), "--db", db))
    ok(invoke(runner, "load", "roster", str(roster), "--db", db, "--no-file"))
    return db


@pytest.fixture
def enrolled(runner: CliRunner, admitted: str, tmp_path: Path) -> str:
    """The three pupils registered on the term's first day (第十六条)."""
    submit(
        runner,
        admitted,
        tmp_path,
        "".join(
            f"- kind: registration\n"
            f"  request: {{id: reg-{n}, on: 2025-09-01, student: {number}}}\n"
            for n, number in enumerate((A, B, C), start=1)
        ),
    )
    return admitted


# ---------------------------------------------------------------- work, steps


def test_work_lists_the_districts_step_and_approve_moves_it_to_the_city(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'register.db'}"
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([HEADER, *ROWS[:2]]) + "\n", encoding="utf-8")
    ok(invoke(runner, "init", "--db", db))
    ok(invoke(runner, "load", "orgs", str(ORGS), "--db", db))
    ok(invoke(runner, "load", "roster", str(roster), "--db", db))  # files 第三条

    work = data(
        invoke(
            runner,
            "work",
            "--as-of",
            "2025-07-21",
            "--db",
            db,
            "--as",
            DISTRICT,
            "--json",
        )
    )
    (step,) = work["steps"]
    first = data(
        invoke(
            runner,
            "approve",
            step["procedure"],
            "--on",
            "2025-07-21",
            "--db",
            db,
            "--as",
            DISTRICT,
            "--json",
        )
    )
    second = data(
        invoke(
            runner,
            "approve",
            step["procedure"],
            "--on",
            "2025-07-22",
            "--db",
            db,
            "--as",
            CITY,
            "--json",
        )
    )
    history = data(invoke(runner, "history", A, "--db", db, "--json"))

    assert (work["organisation"], step["kind"], step["step"]) == (
        "110105",
        "new-records",
        "区教委核办新生学籍",
    )
    assert step["due"] == "2025-08-01"  # 10 working days after 2025-07-18
    assert first["decision"]["outcome"] == "pending"
    assert first["procedure"]["state"] == "open"
    assert second["decision"]["outcome"] == "accepted"
    assert second["procedure"]["state"] == "approved"
    kinds = [e["kind"] for e in history["events"]]
    assert "approved" in kinds
    assert "filed" in kinds


def _filed(runner: CliRunner, db: str, tmp_path: Path) -> None:
    submit(
        runner,
        db,
        tmp_path,
        f"- kind: new-records\n"
        f"  principal: {SCHOOL}\n"
        f"  request: {{id: nr-1, on: 2025-09-02, school: S110105001, "
        f"school_year: 2025-2026}}\n",
    )


def test_a_step_is_named_by_the_request_that_opened_it(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    _filed(runner, enrolled, tmp_path)

    result = data(
        invoke(
            runner,
            "approve",
            "request:nr-1",
            "--on",
            "2025-09-05",
            "--comment",
            "核办同意",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
            "--json",
        )
    )

    steps = result["procedure"]["steps"]
    assert [s["state"] for s in steps] == ["approved", "waiting"]
    assert steps[0]["comment"] == "核办同意"


def test_a_step_acted_on_by_another_organisation_is_denied(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    _filed(runner, enrolled, tmp_path)

    human = invoke(
        runner,
        "approve",
        "request:nr-1",
        "--on",
        "2025-09-05",
        "--db",
        enrolled,
        "--as",
        SCHOOL,
    )
    machine = invoke(
        runner,
        "approve",
        "request:nr-1",
        "--on",
        "2025-09-05",
        "--db",
        enrolled,
        "--as",
        SCHOOL,
        "--json",
    )

    assert human.exit_code == 2
    assert "outside its scope" in human.output
    assert "Traceback" not in human.output
    assert machine.exit_code == 2
    assert json.loads(machine.stdout)["error"]["code"]


def test_an_unknown_procedure_is_an_error_naming_it(
    runner: CliRunner, enrolled: str
) -> None:
    result = invoke(
        runner,
        "approve",
        "proc-nope",
        "--on",
        "2025-09-05",
        "--db",
        enrolled,
        "--as",
        DISTRICT,
    )

    assert result.exit_code == 2
    assert "no procedure 'proc-nope'" in result.output
    assert "xueji work" in result.output


def test_a_reference_to_a_request_that_opened_nothing_is_an_error(
    runner: CliRunner, enrolled: str
) -> None:
    result = invoke(
        runner,
        "approve",
        "request:reg-1",
        "--on",
        "2025-09-05",
        "--db",
        enrolled,
        "--as",
        DISTRICT,
    )

    assert result.exit_code == 2
    assert "opened no procedure" in result.output


def test_return_resubmit_and_reject_close_the_procedure(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    _filed(runner, enrolled, tmp_path)

    returned = data(
        invoke(
            runner,
            "return",
            "request:nr-1",
            "--on",
            "2025-09-04",
            "--comment",
            "缺少户口簿复印件",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
            "--json",
        )
    )
    resubmitted = data(
        invoke(
            runner,
            "resubmit",
            "request:nr-1",
            "--on",
            "2025-09-05",
            "--document",
            "户口簿复印件",
            "--db",
            enrolled,
            "--as",
            SCHOOL,
            "--json",
        )
    )
    rejected = data(
        invoke(
            runner,
            "reject",
            "request:nr-1",
            "--on",
            "2025-09-08",
            "--comment",
            "名单有误",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
            "--json",
        )
    )
    work = data(
        invoke(
            runner,
            "work",
            "--as-of",
            "2025-09-08",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
            "--json",
        )
    )

    assert returned["procedure"]["steps"][0]["state"] == "returned"
    assert resubmitted["procedure"]["steps"][0]["state"] == "waiting"
    assert rejected["procedure"]["state"] == "rejected"
    assert work["steps"] == []


def test_the_filer_withdraws(runner: CliRunner, enrolled: str, tmp_path: Path) -> None:
    _filed(runner, enrolled, tmp_path)

    result = data(
        invoke(
            runner,
            "withdraw",
            "request:nr-1",
            "--on",
            "2025-09-03",
            "--db",
            enrolled,
            "--as",
            SCHOOL,
            "--json",
        )
    )

    assert result["procedure"]["state"] == "withdrawn"


def test_a_step_needs_its_date(runner: CliRunner, enrolled: str) -> None:
    result = invoke(runner, "approve", "request:nr-1", "--db", enrolled)

    assert result.exit_code == 2
    assert "--on" in result.output


# ---------------------------------------------------------------- transfer


def test_a_transfer_from_the_command_line_end_to_end(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    # 第二十三条: 三年级 moves within 朝阳区 to 第二示例小学 (望京, its 服务范围),
    # filed in the window of 第二十九条 (2026-01-17..23).
    submit(
        runner,
        enrolled,
        tmp_path,
        f"- kind: transfer\n"
        f"  principal: {SCHOOL}\n"
        f"  request: {{id: tr-1, on: 2026-01-19, student: {C}, to_school: "
        f"S110105002,\n"
        f"            reason: 居住地变更, documents: [实际居住地变更证明],\n"
        f"            new_township: '110105026'}}\n",
    )

    for on, principal in [
        ("2026-01-20", SCHOOL),
        ("2026-01-21", OTHER_SCHOOL),
        ("2026-01-22", DISTRICT),
    ]:
        ok(
            invoke(
                runner,
                "approve",
                "request:tr-1",
                "--on",
                on,
                "--db",
                enrolled,
                "--as",
                principal,
            )
        )
    history = data(invoke(runner, "history", C, "--db", enrolled, "--json"))
    shown = ok(invoke(runner, "history", C, "--db", enrolled)).output

    stints = [(s["school"], s["status"], s["last_day"]) for s in history["stints"]]
    assert stints == [
        ("S110105001", "转出", "2026-01-21"),
        ("S110105002", "在籍", None),
    ]
    assert "transferred-in" in [e["kind"] for e in history["events"]]
    assert "北京市朝阳区第二示例小学" in shown
    assert ID_C not in shown


# ---------------------------------------------------------------- done


def test_done_closes_the_duty_and_records_the_archive(
    runner: CliRunner, enrolled: str
) -> None:
    result = data(
        invoke(
            runner,
            "done",
            "request:reg-1/build-archive",
            "--on",
            "2025-09-10",
            "--note",
            "已建档",
            "--db",
            enrolled,
            "--as",
            SCHOOL,
            "--json",
        )
    )
    again = invoke(
        runner,
        "done",
        result["obligation"]["id"],
        "--on",
        "2025-09-11",
        "--db",
        enrolled,
        "--as",
        SCHOOL,
    )
    history = data(invoke(runner, "history", A, "--db", enrolled, "--json"))

    assert result["obligation"]["fulfilled_on"] == "2025-09-10"
    assert result["obligation"]["outcome"] == "done: 已建档"
    assert "archive-created" in [e["kind"] for e in history["events"]]
    assert again.exit_code == 2
    assert "already closed" in again.output


def test_a_failed_urging_obliges_the_township(runner: CliRunner, admitted: str) -> None:
    ok(
        invoke(
            runner,
            "jobs",
            "close-registration",
            "--school-year",
            "2025-2026",
            "--on",
            "2025-09-09",
            "--db",
            admitted,
        )
    )

    result = data(
        invoke(
            runner,
            "done",
            f"student:{A}/urge-enrollment",
            "--on",
            "2025-09-10",
            "--failed",
            "--db",
            admitted,
            "--as",
            SCHOOL,
            "--json",
        )
    )

    (order,) = result["decision"]["obligations"]
    assert (order["kind"], order["organisation"], order["article"]) == (
        "order-enrollment",
        "110105001",
        "第十六条第二款",
    )


def test_only_the_addressee_reports_a_duty_done(
    runner: CliRunner, enrolled: str
) -> None:
    result = invoke(
        runner,
        "done",
        "request:reg-1/build-archive",
        "--on",
        "2025-09-10",
        "--db",
        enrolled,
        "--as",
        OTHER_SCHOOL,
    )

    assert result.exit_code == 2
    assert "outside its scope" in result.output


def test_a_duty_reference_with_an_unknown_kind_lists_the_kinds(
    runner: CliRunner, enrolled: str
) -> None:
    result = invoke(
        runner,
        "done",
        "request:reg-1/archive",
        "--on",
        "2025-09-10",
        "--db",
        enrolled,
        "--as",
        SCHOOL,
    )

    assert result.exit_code == 2
    assert "build-archive" in result.output


# ---------------------------------------------------------------- attendance


def attendance_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "attendance.csv"
    path.write_text(
        "\n".join(["学校代码,学籍号,日期,考勤,备注", *rows]) + "\n", encoding="utf-8"
    )
    return path


def test_attendance_load_raises_the_duties_of_article_20(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    rows = [f"S110105001,{A},2025-10-{d},旷课," for d in range(20, 25)]
    rows += [f"S110105001,{B},2025-10-{d},迟到," for d in (13, 15, 17)]
    path = attendance_file(tmp_path, rows)

    loaded = data(
        invoke(runner, "attendance", "load", str(path), "--db", enrolled, "--json")
    )
    duties = data(
        invoke(
            runner,
            "attendance",
            "duties",
            "--as-of",
            "2025-10-28",
            "--db",
            enrolled,
            "--json",
        )
    )

    assert loaded["marks"] == 8
    assert [b["on"] for b in loaded["batches"]] == ["2025-10-24"]  # the last day
    kinds = [(o["kind"], o["due"]) for o in duties["obligations"]]
    assert ("inform-township", "2025-10-27") in kinds  # 第二十条第二款
    assert ("contact-guardian", "2025-10-20") in kinds  # 经常迟到: the third
    assert sum(1 for k, _ in kinds if k == "inform-guardian") == 5
    assert len(duties["overdue"]) == 7  # every one due before 10-28
    assert ID_A not in json.dumps(duties, ensure_ascii=False)


def test_a_malformed_attendance_file_names_its_rows_and_writes_nothing(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    path = attendance_file(
        tmp_path,
        [
            f"S110105001,{A},2025-10-20,缺席,",
            f"S110105001,{A},2025-10-32,旷课,",
            f"S110105001,{B},2025-10-21,旷课,",
        ],
    )

    result = invoke(runner, "attendance", "load", str(path), "--db", enrolled)
    duties = data(invoke(runner, "attendance", "duties", "--db", enrolled, "--json"))

    assert result.exit_code == 2
    assert "第2行" in result.output
    assert "第3行" in result.output
    assert "第4行" not in result.output
    assert duties["obligations"] == []


def test_an_attendance_file_without_the_columns_is_refused(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("学号,日期\n1,2025-10-20\n", encoding="utf-8")

    result = invoke(runner, "attendance", "load", str(path), "--db", enrolled)

    assert result.exit_code == 2
    assert "第1行" in result.output


# ---------------------------------------------------------------- jobs


def test_the_term_registration_job_marks_the_pupil_who_did_not_register(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    submit(
        runner,
        enrolled,
        tmp_path,
        "".join(
            f"- kind: term-registration\n"
            f"  request: {{id: treg-{n}, on: 2026-03-02, student: {number}}}\n"
            for n, number in ((2, B), (3, C))
        ),
    )

    job = data(
        invoke(
            runner,
            "jobs",
            "term-registration",
            "--school-year",
            "2025-2026",
            "--term",
            "2",
            "--on",
            "2026-03-10",
            "--db",
            enrolled,
            "--json",
        )
    )
    again = data(
        invoke(
            runner,
            "jobs",
            "term-registration",
            "--school-year",
            "2025-2026",
            "--term",
            "2",
            "--on",
            "2026-03-10",
            "--db",
            enrolled,
            "--json",
        )
    )

    (decision,) = job["decisions"]
    assert decision["student"] == "G110199********" + ID_A[-4:]
    township = [o for o in decision["obligations"] if o["kind"] == "inform-township"]
    assert [(o["arises"], o["due"]) for o in township] == [("2026-03-10", "2026-03-11")]
    assert again["decisions"] == []


def test_the_end_suspensions_job_lapses_and_urges_return(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    # 第三十二条第（一）项: rest 2025-09-15..11-28, more than a third of term 1.
    submit(
        runner,
        enrolled,
        tmp_path,
        f"- kind: suspension\n"
        f"  principal: {SCHOOL}\n"
        f"  request:\n"
        f"    id: susp-1\n"
        f"    on: 2025-09-12\n"
        f"    student: {A}\n"
        f"    ground: illness\n"
        f"    cause: 病\n"
        f"    first_day: 2025-09-15\n"
        f"    last_day: 2025-11-28\n"
        f"    rest_first: 2025-09-15\n"
        f"    rest_last: 2025-11-28\n"
        f"    medical_record: {{hospital: 示例医院, grade: 三级甲等, "
        f"issued_on: 2025-09-10}}\n",
    )

    job = data(
        invoke(
            runner,
            "jobs",
            "end-suspensions",
            "--on",
            "2025-12-01",
            "--db",
            enrolled,
            "--json",
        )
    )

    (decision,) = job["decisions"]
    urge = [o for o in decision["obligations"] if o["kind"] == "urge-return"]
    # The period ended Friday 11-28: back on Monday 12-01, urged by 12-02.
    assert [(o["arises"], o["due"], o["article"]) for o in urge] == [
        ("2025-12-01", "2025-12-02", "第三十五条第二款")
    ]


# ---------------------------------------------------------------- oversight


def test_the_term_check_prints_its_findings_and_writes_them_as_csv(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    target = tmp_path / "findings.csv"

    shown = ok(
        invoke(
            runner,
            "check",
            "--as-of",
            "2025-09-20",
            "--org",
            "S110105001",
            "--csv",
            str(target),
            "--db",
            enrolled,
            "--as",
            SCHOOL,
        )
    ).output
    report = data(
        invoke(
            runner,
            "check",
            "--as-of",
            "2025-09-20",
            "--org",
            "110105",
            "--db",
            enrolled,
            "--as",
            AUDITOR,
            "--json",
        )
    )

    assert "archive-overdue" in shown
    assert "第十七条第一款" in shown
    assert target.read_text(encoding="utf-8-sig").startswith("代码,条款,责任单位")
    codes = [f["code"] for f in report["findings"]]
    assert codes.count("archive-overdue") == 3
    assert report["record"] is None  # an auditor's check is not recorded
    assert FULL_ID.search(shown) is None
    assert FULL_ID.search(json.dumps(report, ensure_ascii=False)) is None


def test_compliance_reports_the_items_of_article_47_found(
    runner: CliRunner, enrolled: str
) -> None:
    report = data(
        invoke(
            runner,
            "compliance",
            "--as-of",
            "2025-09-20",
            "--org",
            "110105",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
            "--json",
        )
    )
    shown = ok(
        invoke(
            runner,
            "compliance",
            "--as-of",
            "2025-09-20",
            "--org",
            "110105",
            "--db",
            enrolled,
            "--as",
            DISTRICT,
        )
    ).output

    found = {
        (i["organisation"], i["article"])
        for i in report["items"]
        if i["assessment"] == "found"
    }
    assert ("S110105001", "第四十七条第（一）项") in found
    assert "不为已接收符合条件学生建立学籍档案" in shown


def test_an_export_without_an_approval_is_refused_under_article_44(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    target = tmp_path / "list.csv"

    human = invoke(
        runner,
        "export",
        "--school",
        "S110105001",
        "--on",
        "2025-10-10",
        "--recipient",
        "某培训机构",
        "--fields",
        "number,name,guardian-phone",
        "--out",
        str(target),
        "--db",
        enrolled,
        "--as",
        SCHOOL,
    )
    machine = invoke(
        runner,
        "export",
        "--school",
        "S110105001",
        "--on",
        "2025-10-10",
        "--recipient",
        "某培训机构",
        "--fields",
        "number,name",
        "--out",
        str(target),
        "--db",
        enrolled,
        "--as",
        SCHOOL,
        "--json",
    )

    assert human.exit_code == 1
    assert "第四十四条" in human.output
    assert "不予" in human.output
    assert not target.exists()
    assert machine.exit_code == 1
    refused = json.loads(machine.stdout)
    assert refused["refused"] is True
    assert refused["decision"]["reasons"][0]["code"] == "no-approval"


def test_an_export_under_a_written_approval_writes_a_masked_file(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    submit(
        runner,
        enrolled,
        tmp_path,
        f"- kind: disclosure-approval\n"
        f"  principal: {DISTRICT}\n"
        f"  request:\n"
        f"    id: approval-1\n"
        f"    on: 2025-10-08\n"
        f"    approving_body: 北京市朝阳区教育委员会\n"
        f"    document_number: 朝教批〔2025〕1号\n"
        f"    recipient: 北京市朝阳区疾病预防控制中心\n"
        f"    purpose: 学生体检\n"
        f"    fields: [number, name, grade]\n"
        f"    expires: 2025-12-31\n"
        f"    district: '110105'\n",
    )
    target = tmp_path / "list.csv"

    result = data(
        invoke(
            runner,
            "export",
            "--school",
            "S110105001",
            "--on",
            "2025-10-10",
            "--recipient",
            "北京市朝阳区疾病预防控制中心",
            "--fields",
            "number,name,grade",
            "--approval",
            "朝教批〔2025〕1号",
            "--out",
            str(target),
            "--db",
            enrolled,
            "--as",
            SCHOOL,
            "--json",
        )
    )

    text = target.read_text(encoding="utf-8-sig")
    assert result["rows"] == 3
    assert text.splitlines()[0] == "学籍号,姓名,年级"
    assert "G110199********" + ID_A[-4:] in text
    assert ID_A not in text


def test_an_export_field_that_does_not_exist_is_named(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    result = invoke(
        runner,
        "export",
        "--school",
        "S110105001",
        "--on",
        "2025-10-10",
        "--recipient",
        "x",
        "--fields",
        "number,shoe-size",
        "--out",
        str(tmp_path / "x.csv"),
        "--db",
        enrolled,
        "--as",
        SCHOOL,
    )

    assert result.exit_code == 2
    assert "shoe-size" in result.output


# ---------------------------------------------------------------- history


def test_history_prints_the_kernels_student_view(
    runner: CliRunner, enrolled: str
) -> None:
    shown = data(invoke(runner, "history", A, "--db", enrolled, "--json"))

    student = shown["student"]
    assert student["viewer"] == "city:110000:学籍管理员"
    assert student["birth_date"] == "2019-**-**"
    assert student["id_number"] == "110199********" + ID_A[-4:]
    assert student["full_read"] is None
    assert [d["kind"] for d in shown["decisions"]] == ["admission", "registration"]


# ---------------------------------------------------------------- output


def test_every_new_command_prints_json_and_no_full_number(
    runner: CliRunner, enrolled: str
) -> None:
    commands = [
        ["work", "--org", "S110105001", "--as-of", "2025-09-20", "--as", SCHOOL],
        ["attendance", "duties", "--as-of", "2025-09-20"],
        ["check", "--as-of", "2025-09-20", "--org", "110105", "--as", AUDITOR],
        ["compliance", "--as-of", "2025-09-20", "--org", "110105"],
        ["jobs", "end-suspensions", "--on", "2025-09-20"],
        ["history", B],
        ["obligations", "--as-of", "2025-09-20"],
    ]

    for command in commands:
        machine = invoke(runner, *command, "--db", enrolled, "--json")
        human = invoke(runner, *command, "--db", enrolled)

        assert machine.exit_code == 0, (command, machine.output)
        assert human.exit_code == 0, (command, human.output)
        json.loads(machine.stdout)
        for output in (machine.stdout, human.output):
            assert FULL_ID.search(output) is None, (command, output)


# ---------------------------------------------------------------- conformance


def test_conformance_runs_the_kits_runner(tmp_path: Path) -> None:
    # In a process of its own: the runner drives pytest itself.
    junit = tmp_path / "conformance.xml"
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from xueji_cli.main import main; main()",
            "conformance",
            "--level",
            "access",
            "--junit",
            str(junit),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads(completed.stdout)
    assert summary["ok"] is True
    assert list(summary["levels"]) == ["access"]
    assert summary["levels"]["access"]["passed"] > 0
    assert junit.is_file()


def test_conformance_coverage_lists_the_52_articles(runner: CliRunner) -> None:
    coverage = data(invoke(runner, "conformance", "--coverage", "--json"))

    assert len(coverage["coverage"]) == 52


def test_an_unknown_conformance_level_is_an_error(runner: CliRunner) -> None:
    result = invoke(runner, "conformance", "--level", "kernal")

    assert result.exit_code == 2
    assert "kernel" in result.output


def test_the_readme_transfer_runs_as_written(runner: CliRunner, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"cat > transfer.yaml <<'YAML'\n(.*?)\nYAML\n", readme, re.S)
    assert block is not None
    commands = re.findall(
        r"^(xueji (?:approve|history) [^#\n]*?)\s*(?:#.*)?$", readme, re.M
    )
    db = f"sqlite:///{tmp_path / 'register.db'}"
    example = ROOT / "examples" / "beijing-2025-2026"
    ok(invoke(runner, "init", "--db", db))
    ok(invoke(runner, "load", "orgs", str(example / "orgs.toml"), "--db", db))
    ok(
        invoke(
            runner,
            "load",
            "roster",
            str(example / "roster.csv"),
            "--no-file",
            "--db",
            db,
        )
    )

    submit(runner, db, tmp_path, block[1] + "\n")
    for command in commands[:-1]:
        ok(invoke(runner, *command.split()[1:], "--db", db))
    history = data(invoke(runner, *commands[-1].split()[1:], "--db", db, "--json"))

    assert [(s["school"], s["status"]) for s in history["stints"]] == [
        ("S110105001", "转出"),
        ("S110105002", "在籍"),
    ]


# ---------------------------------------------------------------- newcomer fixes


def test_an_entry_without_principal_for_an_admitted_student_takes_the_school(
    runner: CliRunner, admitted: str, tmp_path: Path
) -> None:
    # 待入学: admitted, not registered; the registrar is the admitting school's.
    result = submit(
        runner,
        admitted,
        tmp_path,
        f"- kind: delayed-registration\n"
        f"  request: {{id: del-1, on: 2025-09-05, student: {A}, until: 2025-09-12,\n"
        f"            reason: 住院治疗, materials: [出院小结]}}\n",
    )

    assert isinstance(result, dict)
    assert result["decisions"][0]["outcome"] == "accepted"


def test_an_entry_whose_registrar_is_unknown_names_the_entry(
    runner: CliRunner, admitted: str, tmp_path: Path
) -> None:
    path = tmp_path / "requests.yaml"
    path.write_text(
        "- kind: obligation-fulfilment\n"
        "  request: {id: arc-9, on: 2025-09-12,\n"
        "            obligation: request:nope/build-archive}\n",
        encoding="utf-8",
    )

    result = invoke(runner, "submit", str(path), "--db", admitted)

    assert result.exit_code == 2
    assert "entry 1 (line 1) arc-9" in result.output
    assert "principal" in result.output
    assert "principal ''" not in result.output


def test_a_denied_step_says_who_owns_it(
    runner: CliRunner, enrolled: str, tmp_path: Path
) -> None:
    _filed(runner, enrolled, tmp_path)

    result = invoke(
        runner,
        "approve",
        "request:nr-1",
        "--on",
        "2025-09-05",
        "--db",
        enrolled,
        "--as",
        OTHER_SCHOOL,
    )

    assert result.exit_code == 2
    assert "outside its scope" in result.output
    assert "owned by district 110105" in result.output
    assert "--as district:110105:" in result.output


def test_plugins_exits_1_when_a_plugin_failed_to_load(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attrs

    from xueji import LoadProblem

    cli = sys.modules["xueji_cli.main"]
    real = cli.load_rules

    class Broken:
        def describe(self) -> object:
            problem = LoadProblem("entry point broken", "does not import")
            return attrs.evolve(real().describe(), problems=(problem,))

    assert invoke(runner, "plugins").exit_code == 0
    monkeypatch.setattr(cli, "load_rules", Broken)
    result = invoke(runner, "plugins")
    assert result.exit_code == 1, result.output
    assert "does not import" in result.output


def test_conformance_without_pytest_says_which_extra(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pytest", None)

    result = invoke(runner, "conformance", "--level", "access")

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "pip install '.[conformance]'" in result.output
    assert "pip install pytest pyyaml" in result.output


def test_conformance_plugin_takes_both_names(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xueji_cli import _cmd_conformance

    assert _cmd_conformance._plugin_names(["xueji-dongcheng-example"]) == [
        "dongcheng_example"
    ]
    assert _cmd_conformance._plugin_names(["dongcheng_example"]) == [
        "dongcheng_example"
    ]
    result = invoke(runner, "conformance", "--plugin", "nope")
    assert result.exit_code == 2
    assert "dongcheng_example (xueji-dongcheng-example)" in result.output
