"""What a person sees: Rich output, JSON output, and masking.

Every line the CLI prints goes through the kernel's ``redact`` (第四十四条),
which masks anything shaped like an ID number, a G-kind 学籍号 (only the
region code and the last four characters show) or a mobile number, whatever
record it came from.
"""

from __future__ import annotations

__all__ = [
    "PROCEDURE_KINDS",
    "Output",
    "decision_data",
    "mask_number",
    "obligation_data",
    "procedure_label",
    "redact",
    "redact_data",
]

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from xueji import (
    Decision,
    Obligation,
    Outcome,
    Reason,
    Severity,
    StoredObligation,
    redact,
    unstructure,
)


def redact_data(value: Any) -> Any:
    """``redact`` applied to every string in JSON-ready data."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)): redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v) for v in value]
    return value


def mask_number(number: str | None) -> str:
    """A 学籍号 as it may be shown: G masked, J and L as they are."""
    if number is None:
        return "—"
    return redact(number)


_OUTCOME_STYLE = {
    Outcome.ACCEPTED: "bold green",
    Outcome.REFUSED: "bold red",
    Outcome.PENDING: "bold yellow",
    Outcome.INCOMPLETE: "bold magenta",
}
OUTCOME_LABEL = {
    Outcome.ACCEPTED: "准予 accepted",
    Outcome.REFUSED: "不予 refused",
    Outcome.PENDING: "待核 pending",
    Outcome.INCOMPLETE: "材料不全 incomplete",
}
_SEVERITY_LABEL = {
    Severity.REFUSAL: ("不予", "red"),
    Severity.MISSING: ("缺少", "magenta"),
    Severity.WARNING: ("提示", "yellow"),
    Severity.INFO: ("说明", "cyan"),
}


def decision_data(decision: Decision) -> Any:
    """A decision as JSON-ready data, masked."""
    return redact_data(unstructure(decision))


PROCEDURE_KINDS = {
    "new-records": "新生学籍核办",
    "duplicate-review": "疑似重复学籍核查",
    "transfer": "转学",
    "transfer-in": "外省市及境外转入",
    "transfer-out": "转出到外省市",
    "specialized-placement": "安排入专门学校",
    "specialized-return": "专门学校学生回原学校",
    "withdrawal": "退学",
    "graduation": "毕业生名册",
    "certificate-seal": "证书验印",
    "attestation": "学历证明",
}
"""The procedure kinds' Chinese names (as the kernel registers them)."""


def procedure_label(kind: str) -> str:
    """A procedure kind's Chinese name, or the kind itself."""
    return PROCEDURE_KINDS.get(kind, kind)


def obligation_data(item: StoredObligation, names: Mapping[str, str]) -> Any:
    """A stored duty as JSON-ready data, masked."""
    o = item.obligation
    return redact_data(
        {
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
            "procedure": item.procedure,
            "fulfilled_on": item.fulfilled_on.isoformat()
            if item.fulfilled_on
            else None,
            "outcome": item.outcome,
        }
    )


class Output:
    """The console of one command: Rich for people, JSON for programs."""

    def __init__(self, *, json_output: bool, reveal: bool = False) -> None:
        self.json = json_output
        self.reveal = reveal
        self.console = Console(highlight=False, soft_wrap=True)
        self.errors = Console(stderr=True, highlight=False)

    # ------------------------------------------------------------ basics

    def clean(self, text: str) -> str:
        return text if self.reveal else redact(text)

    def line(self, text: str = "", style: str | None = None) -> None:
        if not self.json:
            self.console.print(
                Text(self.clean(text), style=style or ""), soft_wrap=True
            )

    def text(self, text: Text) -> None:
        """Print a styled line (already cleaned by its maker)."""
        if not self.json:
            self.console.print(text)

    def progress_disabled(self) -> bool:
        """No progress bar for JSON output or when stderr is no terminal."""
        return self.json or not self.errors.is_terminal

    def heading(self, text: str) -> None:
        if not self.json:
            self.console.print()
            self.console.print(Text(self.clean(text), style="bold underline"))

    def table(
        self, title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]
    ) -> None:
        if self.json:
            return
        names = list(columns)
        cells = [[self.clean(str(cell)) for cell in row] for row in rows]
        table = Table(title=title, title_justify="left", show_lines=False)
        for index, column in enumerate(names):
            # Short values (dates, codes, 学籍号, ids) read badly when broken:
            # their column is at least as wide as the longest; texts wrap.
            widths = [cell_len(row[index]) for row in cells if index < len(row)]
            longest = max([cell_len(column), *widths])
            short = longest <= 20
            table.add_column(
                column, overflow="fold", min_width=longest if short else None
            )
        for row in cells:
            table.add_row(*(Text(cell) for cell in row))
        self.console.print(table)

    def emit(self, data: Any) -> None:
        """Print ``data`` as JSON (only in --json mode)."""
        if self.json:
            shown = data if self.reveal else redact_data(data)
            sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")

    def error(self, code: str, message: str) -> None:
        message = self.clean(message)
        if self.json:
            payload = {"error": {"code": code, "message": message}}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        # Soft-wrapped: the terminal wraps it, and a copied path or number
        # has no line break inside.
        self.errors.print(
            Text("错误 error: ", style="bold red") + Text(message, style="red"),
            soft_wrap=True,
        )

    # ------------------------------------------------------------ decisions

    def decision(
        self,
        decision: Decision,
        *,
        label: str = "",
        org_names: Mapping[str, str] | None = None,
    ) -> None:
        """One decision: outcome, reasons with article, obligations with due
        dates, next steps."""
        if self.json:
            return
        head = Text()
        if label:
            head.append(self.clean(label) + "  ", style="dim")
        head.append(f"{decision.kind} ", style="bold")
        head.append(mask_number(decision.student) + "  ")
        head.append(
            OUTCOME_LABEL[decision.outcome], style=_OUTCOME_STYLE[decision.outcome]
        )
        head.append(f"  ({decision.decided_on})", style="dim")
        self.console.print(head)
        for reason in decision.reasons:
            self.console.print(self.reason_text(reason, indent="    "))
        for obligation in decision.obligations:
            self.console.print(
                self.obligation_text(obligation, org_names or {}, indent="    ")
            )
        for step in decision.next_steps:
            self.console.print(Text("    → " + self.clean(step), style="dim"))

    def reason_text(self, reason: Reason, *, indent: str = "") -> Text:
        label, style = _SEVERITY_LABEL[reason.severity]
        text = Text(indent)
        text.append(f"[{label}] ", style=style)
        text.append(self.clean(reason.text))
        text.append(f"  《办法》{reason.article}", style="cyan")
        if reason.source.layer != "municipal":
            text.append(f"  ({reason.source})", style="dim")
        return text

    def obligation_text(
        self, obligation: Obligation, org_names: Mapping[str, str], *, indent: str = ""
    ) -> Text:
        org = org_names.get(obligation.organisation, obligation.organisation)
        due = f"于 {obligation.due} 前" if obligation.due else "（未设期限）"
        text = Text(indent)
        text.append("[义务] ", style="blue")
        text.append(self.clean(obligation.text))
        text.append(f"  {org} {due}", style="bold")
        text.append(f"  《办法》{obligation.article}", style="cyan")
        return text
