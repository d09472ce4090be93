"""Principals: role:organisation:name, nothing else (第四、四十二条)."""

from __future__ import annotations

import pytest

import xueji


@pytest.mark.parametrize("text", ["", "district:110105:张老师:extra", "school::王老师"])
def test_a_malformed_principal_is_refused(text: str) -> None:
    with pytest.raises(xueji.InvalidInputError, match="role:organisation:name"):
        xueji.Principal.parse(text)


def test_a_principal_reads_back_as_written() -> None:
    principal = xueji.Principal.parse("school:P01:王老师")

    assert str(principal) == "school:P01:王老师"
