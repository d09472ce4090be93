"""An illustrative district plugin for ``xueji demo``: the enrollment plans
(招生计划, 第三、九条) of 朝阳区 and 西城区 from the demo's ``plans.toml``.

The numbers are invented.  The plugin exists so that the demo can show an
admission refused for exceeding the plan; it is marked ``illustrative`` and
is never installed as an entry point.
"""

from __future__ import annotations

__all__ = ["PlanPlugin", "read_plans"]

import tomllib
from datetime import date
from pathlib import Path

from xueji import InvalidInputError, PluginInfo
from xueji.hookspecs import hookimpl


def read_plans(path: Path) -> dict[tuple[str, str, int], int]:
    """``[[plan]]`` tables of school, school_year, grade and plan."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidInputError(f"{path}: cannot read the plans: {error}") from None
    plans: dict[tuple[str, str, int], int] = {}
    for index, entry in enumerate(data.get("plan", []), start=1):
        try:
            key = (str(entry["school"]), str(entry["school_year"]), int(entry["grade"]))
            plans[key] = int(entry["plan"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(
                f"{path}: plan #{index} needs school, school_year, grade and plan"
            ) from None
    return plans


class PlanPlugin:
    """Answers ``xueji_enrollment_plan`` for the demo's districts."""

    XUEJI_PLUGIN = PluginInfo(
        name="xueji-demo-plans",
        version="0.2.0",
        layer="district",
        districts=("110105", "110102"),
        legal_basis="示例：朝阳区、西城区2025-2026学年义务教育和普通高中招生计划"
        "（虚构数字）",
        document_number="（示例，无文号）",
        valid_from=date(2025, 1, 1),
        illustrative=True,
    )

    def __init__(self, plans: dict[tuple[str, str, int], int]) -> None:
        self.plans = plans

    @hookimpl
    def xueji_enrollment_plan(
        self, school: str, school_year: str, grade: int
    ) -> int | None:
        return self.plans.get((school, school_year, grade))
