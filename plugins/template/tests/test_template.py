"""TEMPLATE: the tests of your plugin.  Keep the first two; write one test
per rule, with the values worked out by hand from your 实施细则."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
import xueji_district_template as plugin

from xueji import PluginError, Rules
from xueji.plugin import hookimpl

ROOT = Path(__file__).resolve().parent.parent


def test_the_plugin_loads_with_the_municipal_rules() -> None:
    rules = Rules.municipal()

    rules.register(plugin)  # raises PluginError naming any problem

    assert plugin.XUEJI_PLUGIN in rules.plugins


def test_the_entry_point_names_the_plugin_module() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    assert plugin.__name__ in project["project"]["entry-points"]["xueji"].values()


def test_the_processing_limit_governs_the_district() -> None:
    rules = Rules.municipal()
    rules.register(plugin)

    answer = rules.answer(
        "xueji_transfer_processing_limit",
        district=plugin.DISTRICT,
        on=date(2025, 10, 9),
        default=10,
    )

    assert (answer.value, answer.source.name) == (10, plugin.XUEJI_PLUGIN.name)


def test_a_limit_beyond_ten_working_days_would_not_load() -> None:
    class TooLong:
        XUEJI_PLUGIN = plugin.XUEJI_PLUGIN

        @hookimpl
        def xueji_transfer_processing_limit(self, district: str) -> int:
            return 11

    with pytest.raises(PluginError, match="value 11 is out of bounds"):
        Rules.municipal().register(TooLong())
