"""typeguard checks the whole kernel in the test run (STYLE.md §7); the
import hook is installed by tests/conftest.py."""

from __future__ import annotations

from typing import Any

import pytest
from typeguard import TypeCheckError

import xueji


def test_typeguard_instruments_the_kernel() -> None:
    wrong: Any = "1"

    with pytest.raises(TypeCheckError):
        xueji.grade_label(wrong)
