"""Every hook has a reference section and a test (STYLE.md §8)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from xueji import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(
    name
    for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("xueji_")
)


def test_there_are_hooks() -> None:
    assert "xueji_entry_age_cutoff" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_reference_section(hook: str) -> None:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")

    assert re.search(rf"^### {hook}$", text, re.MULTILINE), hook


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_naming_its_article(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""

    assert "条" in doc, hook


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_exercised_by_a_test(hook: str) -> None:
    tests = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != "test_docs.py"
    )

    assert hook in tests, f"no test names {hook}"
