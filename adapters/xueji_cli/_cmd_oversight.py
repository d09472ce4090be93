"""Chapter 9, 保障措施: ``xueji check`` (the term check, 第四十三条),
``xueji compliance`` (第四十六、四十七条) and ``xueji export`` (a class list
for an outside party under a written approval, 第四十四条)."""

__all__ = ["register"]

import uuid
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer

from xueji import (
    Assessment,
    CheckReport,
    Export,
    ExportField,
    InvalidInputError,
    Severity,
    unstructure,
    write_csv,
)
from xueji_cli._common import (
    AsOption,
    DbOption,
    JsonOption,
    handled,
    org_names,
    parse_date,
    principal_of,
    url_of,
)
from xueji_cli._render import Output, decision_data, redact_data
from xueji_cli._store import build_register

AsOfOption = Annotated[
    str, typer.Option("--as-of", help="The day the check is made as of (YYYY-MM-DD).")
]
OrgOption = Annotated[
    str | None,
    typer.Option(
        "--org",
        help="A school, a district or the city (110000); default the "
        "principal's own organisation.",
    ),
]
CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Also write the findings to this CSV file."),
]
TextOption = Annotated[
    bool,
    typer.Option("--text", help="Print the whole report (every change and finding)."),
]
SHOWN = 20


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InvalidInputError(
            f"{path}: cannot be written: {error.strerror}"
        ) from None


def _articles(report: CheckReport) -> dict[str, str]:
    seen: dict[str, set[str]] = defaultdict(set)
    for finding in report.findings:
        seen[finding.code].add(finding.article)
    return {code: "、".join(sorted(articles)) for code, articles in seen.items()}


def check(
    as_of: AsOfOption,
    org: OrgOption = None,
    csv_file: CsvOption = None,
    text: TextOption = False,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """The term check (第四十三条) of a school, a district or the city, as of
    a date: the changes since the last check and the findings, each with its
    article and the organisation that must act.  Recorded unless an auditor
    runs it."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        scope = org or principal.organisation
        report = register.term_check(scope, parse_date(as_of, "--as-of"), principal)
        if csv_file is not None:
            _write(csv_file, report.csv())
        names = org_names(register)
    if text:
        out.line(report.text())
    else:
        _check_summary(out, report, names)
    if csv_file is not None:
        out.line(f"发现问题已写入 findings written to {csv_file}", style="dim")
    out.emit(redact_data(unstructure(report)))


def _check_summary(out: Output, report: CheckReport, names: dict[str, str]) -> None:
    since = report.since.isoformat(timespec="minutes") if report.since else "首次核查"
    out.heading(
        f"学籍信息核查 term check（第四十三条）: {report.scope_kind.label} "
        f"{names.get(report.scope, report.scope)} ({report.scope}) as of "
        f"{report.as_of}"
    )
    out.line(
        f"学校 {len(report.schools)} 所，在籍学籍 {report.stints} 个；"
        f"自上次核查（{since}）学籍变动 {len(report.changes)} 条；"
        f"发现问题 findings {len(report.findings)} 项"
        + ("" if report.record else "（审计员核查，不记录）")
    )
    counts = report.counts()
    articles = _articles(report)
    out.table(
        "发现问题 findings by code",
        ["代码 code", "条款", "项数"],
        [(code, articles.get(code, ""), n) for code, n in counts.items()],
    )
    if report.findings:
        out.table(
            f"发现问题 findings (first {min(SHOWN, len(report.findings))} of "
            f"{len(report.findings)}; --text or --csv for all)",
            ["代码", "条款", "责任单位", "学籍号", "说明", "期限"],
            [
                (
                    f.code,
                    f.article,
                    names.get(f.organisation, f.organisation),
                    f.student or "",
                    f.text,
                    f.due or "",
                )
                for f in report.findings[:SHOWN]
            ],
        )


def compliance(
    as_of: AsOfOption,
    org: OrgOption = None,
    csv_file: CsvOption = None,
    text: TextOption = False,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第四十六、四十七条: the check's findings by item of 第四十七条 for each
    school and by duty for each district (no check is recorded)."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        scope = org or principal.organisation
        report = register.compliance(scope, parse_date(as_of, "--as-of"), principal)
        if csv_file is not None:
            _write(csv_file, report.csv())
        names = org_names(register)
    if text:
        out.line(report.text())
    else:
        found = report.found()
        counts = dict.fromkeys(Assessment, 0)
        for item in report.items:
            counts[item.assessment] += 1
        out.heading(
            f"学籍管理违规情况 compliance（第四十六、四十七条）: "
            f"{names.get(report.scope, report.scope)} ({report.scope}) as of "
            f"{report.as_of}"
        )
        out.line(
            f"发现 found {counts[Assessment.FOUND]}，未发现 not found "
            f"{counts[Assessment.NOT_FOUND]}，需人工检查 manual "
            f"{counts[Assessment.MANUAL]}"
        )
        out.table(
            f"发现 found ({len(found)})",
            ["单位", "条款", "事项", "证据数"],
            [
                (
                    names.get(i.organisation, i.organisation),
                    i.article,
                    i.label,
                    len(i.evidence),
                )
                for i in found
            ],
        )
    if csv_file is not None:
        out.line(f"已写入 written to {csv_file}", style="dim")
    out.emit(redact_data(unstructure(report)))


# ---------------------------------------------------------------- export

_FIELD_NAMES = {
    **{f.value: f for f in ExportField},
    **{f.label: f for f in ExportField},
}


def parse_fields(text: str) -> tuple[ExportField, ...]:
    """``number,name,grade`` (or the Chinese headers 学籍号,姓名,年级)."""
    names = [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in _FIELD_NAMES]
    if unknown or not names:
        known = ", ".join(f.value for f in ExportField)
        raise InvalidInputError(
            f"--fields {text!r}: {', '.join(unknown) or 'no field'} is not a field; "
            f"use a comma-separated list of: {known}"
        )
    return tuple(_FIELD_NAMES[n] for n in names)


def export(
    school: Annotated[str, typer.Option("--school", help="The school's code.")],
    on: Annotated[str, typer.Option("--on", help="The day of the export.")],
    recipient: Annotated[
        str, typer.Option("--recipient", help="Who receives the list (提供对象).")
    ],
    fields: Annotated[
        str,
        typer.Option(
            "--fields",
            help="Comma-separated: number, name, sex, birth-date, document, "
            "id-number, school, grade, status, hukou, address, guardian, "
            "guardian-phone.",
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    approval: Annotated[
        str | None,
        typer.Option(
            "--approval", help="The 文号 of the written approval (第四十四条)."
        ),
    ] = None,
    grade: Annotated[
        int | None, typer.Option("--grade", help="Only this grade (1-12).")
    ] = None,
    db: DbOption = None,
    as_: AsOption = None,
    json_output: JsonOption = False,
) -> None:
    """第四十四条: a class list for an outside party, only under a recorded
    written approval (masked unless the approval grants a field in full).
    Refused: the reasons are printed, the attempt is recorded, exit 1."""
    out = Output(json_output=json_output)
    with handled(out):
        register = build_register(url_of(db))
        principal = principal_of(as_)
        request = Export(
            id=f"export-{uuid.uuid4().hex[:12]}",
            on=parse_date(on, "--on"),
            school=school,
            recipient=recipient,
            fields=parse_fields(fields),
            approval=approval,
            grade=grade,
        )
        result = register.export(request, principal)
        if result.table is not None:
            try:
                with out_file.open("w", encoding="utf-8-sig", newline="") as stream:
                    rows = write_csv(result.table, stream)
            except OSError as error:
                raise InvalidInputError(
                    f"{out_file}: cannot be written: {error.strerror}"
                ) from None
        names = org_names(register)
    if result.refused:
        out.decision(result.decision, label=request.id, org_names=names)
        out.line(
            "导出被拒绝 export refused (第四十四条): 非经学籍主管部门书面批准，学籍"
            "信息一律不得向外提供",
            style="bold red",
        )
    else:
        out.line(
            f"已导出 exported {rows} 名学生 to {out_file} — "
            f"{names.get(school, school)}，提供对象 {recipient}，依据 {approval}",
            style="green",
        )
        for reason in result.decision.reasons:
            if reason.severity is Severity.INFO:
                out.text(out.reason_text(reason, indent="  "))
    out.emit(
        {
            "refused": result.refused,
            "decision": decision_data(result.decision),
            "file": None if result.refused else str(out_file),
            "rows": len(result.rows),
        }
    )
    if result.refused:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("check")(check)
    app.command("compliance")(compliance)
    app.command("export")(export)
