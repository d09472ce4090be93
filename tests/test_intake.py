"""Bulk intake (xueji._intake) and the roster loader at city scale.

A roster is decided row by row by the handler of a single admission, with
reads and writes in bulk: the same decisions as one request at a time,
every bad row named, nothing written when one fails (or, with keep-valid,
the rest written and the bad rows in a reject file), each school's new
学籍 filed with its district (第三条).
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.conftest import CITY, DISTRICT, ORGANISATIONS, admission, child, fixed_clock
from xueji import (
    AccessDeniedError,
    Admission,
    Decision,
    DocumentKind,
    Hukou,
    MemoryStore,
    Principal,
    PrincipalRole,
    Register,
    RosterError,
    Rules,
    Sex,
    StudentParticulars,
)
from xueji._intake import intake
from xueji._roster import load_roster, write_rejects
from xueji_sqlalchemy import SqlStore, init_register

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generator import (
    ROSTER_HEADER,
    BeijingRegister,
    PlanPlugin,
    Pupil,
    write_roster_csv,
    write_roster_xlsx,
)

GENERATED = BeijingRegister(11, students=20_000)


def pupils(count: int = 240) -> list[Pupil]:
    return list(GENERATED.intake(count, population=2))


def generated_register(store: object, plans: bool = True) -> Register:
    rules = Rules.municipal()
    if plans:
        plugin = PlanPlugin(GENERATED.plans(pupils(), short=0.3))
        rules = Rules.from_entry_points("xueji-tests-none", extra=(plugin,))[0]
    register = Register(store, rules=rules, clock=fixed_clock)  # type: ignore[arg-type]
    register.load_organisations(GENERATED.organisations(), CITY)
    return register


def summary(decision: Decision) -> tuple[object, ...]:
    """What a decision says, without the ids made at random."""
    return (
        decision.kind,
        decision.outcome,
        decision.student,
        tuple((r.code, r.article, r.severity) for r in decision.reasons),
        tuple((t.rule, t.article, t.result) for t in decision.trace),
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    init_register(url).dispose()
    return url


# ------------------------------------------------------------ the same rules


def test_a_bulk_intake_decides_every_row_as_one_admission_at_a_time_would() -> None:
    rows = [GENERATED.admission(p, i) for i, p in enumerate(pupils())]
    one_by_one = generated_register(MemoryStore())
    bulk = generated_register(MemoryStore())

    single = [one_by_one.submit(a, CITY) for a in rows]
    result = intake(bulk, enumerate(rows, start=2), CITY, file_new_records=False)

    assert [summary(d) for d in result.decisions] == [summary(d) for d in single]
    assert {d.outcome.value for d in single} >= {"accepted", "incomplete", "refused"}


def test_the_bulk_and_the_single_path_store_the_same_register(
    sqlite_url: str,
) -> None:
    rows = [GENERATED.admission(p, i) for i, p in enumerate(pupils(60))]
    single = generated_register(MemoryStore(), plans=False)
    for a in rows:
        single.submit(a, CITY)
    store = SqlStore(sqlite_url)
    bulk = generated_register(store, plans=False)

    intake(bulk, enumerate(rows, start=2), CITY, file_new_records=False)

    numbers = [f"G{a.student.id_number}" for a in rows if a.student.id_number]
    with single.store.unit_of_work() as one, bulk.store.unit_of_work() as many:
        for number in numbers:
            assert one.get_student(number) == many.get_student(number)
            assert [
                (e.school, e.grade, e.status) for e in one.enrollments_of(number)
            ] == [(e.school, e.grade, e.status) for e in many.enrollments_of(number)]
            assert [e.kind for e in one.events_of(number)] == [
                e.kind for e in many.events_of(number)
            ]
    store.dispose()


def test_a_dual_special_education_row_sees_the_admission_before_it_in_the_batch(
    register: Register,
) -> None:
    disabled = child(disabled=True)
    rows = [
        admission(disabled, school="P01", request_id="a-1"),
        admission(
            disabled, school="T01", request_id="a-2", special_education_dual=True
        ),
    ]

    result = intake(register, enumerate(rows, start=2), CITY, file_new_records=False)

    assert [d.outcome.value for d in result.decisions] == ["accepted", "accepted"]
    with register.store.unit_of_work() as uow:
        stints = uow.enrollments_of(result.decisions[0].student or "")
    assert sorted(e.school for e in stints) == ["P01", "T01"]


def test_two_rows_without_id_and_the_same_particulars_open_a_duplicate_review(
    register: Register,
) -> None:
    nobody = child("无证甲", id_number=None)
    rows = [
        admission(nobody, request_id="n-1"),
        admission(nobody, school="P02", request_id="n-2"),
    ]

    result = intake(register, enumerate(rows, start=2), CITY, file_new_records=False)

    assert [d.outcome.value for d in result.decisions] == ["accepted", "pending"]


def test_a_plan_is_counted_across_the_rows_of_one_batch() -> None:
    rows = [GENERATED.admission(p, i) for i, p in enumerate(pupils())]
    register = generated_register(MemoryStore())

    result = intake(register, enumerate(rows, start=2), CITY, file_new_records=False)

    refused = [d for d in result.decisions if d.outcome.value == "refused"]
    assert refused
    assert all(r.code == "over-plan" for d in refused for r in d.refusals)


# ------------------------------------------------------------ 第三条


def test_each_schools_new_students_are_filed_with_its_district() -> None:
    rows = [GENERATED.admission(p, i) for i, p in enumerate(pupils(120))]
    register = generated_register(MemoryStore(), plans=False)

    result = intake(register, enumerate(rows, start=2), CITY)

    schools = {a.school for a in rows}
    assert len(result.filings) == len(schools)
    assert {d.outcome.value for d in result.filings} == {"pending"}
    with register.store.unit_of_work() as uow:
        procedures = uow.procedures(open_only=True)
        accepted = [d.student for d in result.decisions if d.accepted]
        held = {n for n in accepted if n and uow.open_procedure_of(n) is not None}
    assert {p.kind for p in procedures} == {"new-records"}
    assert held == {n for n in accepted if n}
    steps = procedures[0].steps
    assert [(s.role.value, s.filing) for s in steps] == [
        ("district", False),
        ("city", True),
    ]


def test_a_row_outside_the_principals_scope_fails_the_load_and_writes_nothing(
    register: Register,
) -> None:
    rows = [
        admission(child(), request_id="in-scope"),
        admission(child("海淀甲", id_number="110105201903010036"), school="Q01"),
    ]

    with pytest.raises(AccessDeniedError):
        intake(register, enumerate(rows, start=2), DISTRICT)

    with register.store.unit_of_work() as uow:
        assert uow.students_by_id_numbers(["11010520190301001X"]) == {}


# ------------------------------------------------------------ files


def cli(*args: str) -> object:
    from xueji_cli.main import app

    return CliRunner().invoke(app, list(args))


def roster_file(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADER)
        writer.writerows(rows)
    return path


def test_a_gb18030_roster_loads_as_utf8_does(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    write_roster_csv(path, pupils(40), encoding="gb18030")
    register = generated_register(MemoryStore(), plans=False)

    result = load_roster(register, path, CITY)

    assert result.decided == 40
    assert path.read_bytes().decode("gb18030").startswith("姓名")


def test_a_utf8_roster_with_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    write_roster_csv(path, pupils(10), encoding="utf-8-sig")

    result = load_roster(generated_register(MemoryStore(), plans=False), path, CITY)

    assert result.decided == 10


def test_an_xlsx_roster_loads_through_the_command_line(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "roster.xlsx"
    write_roster_xlsx(path, pupils(30))
    store = SqlStore(sqlite_url)
    store.unit_of_work()
    generated_register(store, plans=False)
    store.dispose()

    result: Any = cli("load", "roster", str(path), "--db", sqlite_url, "--json")

    assert result.exit_code == 0, result.output
    assert '"decided": 30' in result.stdout
    assert '"filings"' in result.stdout


def test_an_id_number_in_a_number_cell_is_a_row_problem(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    row = GENERATED.roster_row(pupils(1)[0])
    sheet.append(list(ROSTER_HEADER))
    sheet.append([*row[:4], float(row[4][:15]), *row[5:]])
    book.save(path)

    result: Any = cli("load", "roster", str(path), "--db", "memory://x", "--json")

    assert result.exit_code == 2
    assert "证件号码" in result.output
    assert "文本" in result.output


def bad_rows() -> list[list[str]]:
    """Five rows: 1st, 3rd and 5th good; 2nd has a wrong check character,
    4th an unknown school and a grade that is not one."""
    good = [GENERATED.roster_row(p) for p in pupils(3)]
    wrong_check = list(good[1])
    wrong_check[4] = wrong_check[4][:17] + ("0" if wrong_check[4][17] != "0" else "1")
    unknown = list(good[2])
    unknown[10], unknown[11] = "NOPE01", "十三年级"
    other = [GENERATED.roster_row(p) for p in pupils(5)[3:5]]
    return [good[0], wrong_check, other[0], unknown, other[1]]


def test_a_roster_with_bad_rows_names_every_one_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = roster_file(tmp_path / "roster.csv", bad_rows())
    register = generated_register(MemoryStore(), plans=False)

    with pytest.raises(RosterError) as raised:
        load_roster(register, path, CITY)

    problems = {(p.row, p.column) for p in raised.value.problems}
    assert problems == {(3, "证件号码"), (5, "学校代码"), (5, "年级")}
    with register.store.unit_of_work() as uow:
        assert uow.procedures() == []
        assert all(not uow.enrollments_at(s.code) for s in GENERATED.schools[:50])


def test_keep_valid_writes_the_good_rows_and_puts_the_bad_in_a_reject_file(
    tmp_path: Path,
) -> None:
    path = roster_file(tmp_path / "roster.csv", bad_rows(), encoding="gb18030")
    register = generated_register(MemoryStore(), plans=False)

    result = load_roster(register, path, CITY, keep_valid=True)
    written = write_rejects(path, result.rejected, tmp_path / "rejects.csv")

    assert result.decided == 3
    assert written == 2
    with (tmp_path / "rejects.csv").open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0][:3] == ["行号", "问题", "姓名"]
    assert [line[0] for line in lines[1:]] == ["3", "5"]
    assert "[证件号码]" in lines[1][1]
    assert "[学校代码]" in lines[2][1]
    assert lines[2][2] == bad_rows()[3][0]


def test_the_command_line_keeps_the_valid_rows_with_a_reject_file(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = roster_file(tmp_path / "roster.csv", bad_rows())
    store = SqlStore(sqlite_url)
    generated_register(store, plans=False)
    store.dispose()
    rejects = tmp_path / "rejects.csv"

    result: Any = cli(
        "load", "roster", str(path), "--db", sqlite_url, "--keep-valid", str(rejects)
    )

    assert result.exit_code == 0, result.output
    assert "rejected: 2" in result.output
    assert rejects.exists()


def test_loading_a_roster_again_decides_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    write_roster_csv(path, pupils(20))
    register = generated_register(MemoryStore(), plans=False)
    load_roster(register, path, CITY, file_new_records=True)

    again = load_roster(register, path, CITY, file_new_records=True)

    assert (again.decided, again.skipped, again.filings) == (0, 20, ())


def test_progress_is_reported_while_reading_and_deciding(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    write_roster_csv(path, pupils(1200))
    seen: list[tuple[int, int]] = []
    read: list[int] = []

    load_roster(
        generated_register(MemoryStore(), plans=False),
        path,
        CITY,
        progress=lambda done, total: seen.append((done, total)),
        reading=read.append,
    )

    assert read[-1] == 1200
    assert seen[-1] == (1200, 1200)
    assert len(seen) > 2


def test_a_row_whose_decision_is_a_fault_is_rejected_in_keep_valid_mode(
    register: Register,
) -> None:
    wrong_birth = StudentParticulars(
        name="测试乙",
        sex=Sex.MALE,
        birth_date=date(2019, 3, 2),
        hukou=Hukou(beijing=True),
        document=DocumentKind.RESIDENT_ID,
        id_number="11010520190301001X",
    )
    rows: list[Admission] = [
        admission(wrong_birth, request_id="bad"),
        admission(child("测试丙", id_number="110105201903010036"), request_id="ok"),
    ]

    with pytest.raises(RosterError):
        intake(register, enumerate(rows, start=2), CITY)
    result = intake(register, enumerate(rows, start=2), CITY, keep_valid=True)

    assert [r.row for r in result.rejected] == [2]
    assert result.outcomes == {"accepted": 1}


def test_a_school_registrar_loads_only_its_own_school() -> None:
    register = Register(MemoryStore(), clock=fixed_clock)
    register.load_organisations(ORGANISATIONS, CITY)
    own = Principal(PrincipalRole.SCHOOL, "P01", "王老师")

    result = intake(register, [(2, admission(child()))], own)

    assert result.outcomes == {"accepted": 1}
