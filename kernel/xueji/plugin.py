"""Everything a plugin author imports: the one documented module for writing
a district's 实施细则 (第五十条) or a city rule as a xueji plugin.

A plugin is a module (or an object) with an ``XUEJI_PLUGIN`` declaration and
``xueji_*`` hook implementations, installed under the ``xueji`` entry-point
group::

    from datetime import date
    from xueji.plugin import PluginInfo, hookimpl

    XUEJI_PLUGIN = PluginInfo(
        name="xueji-dongcheng",
        version="1.0.0",
        layer="district",
        districts=("110101",),
        legal_basis="东城区中小学校学生学籍管理实施细则",
        document_number="东教发〔2025〕1号",
        valid_from=date(2025, 9, 1),
    )

    @hookimpl
    def xueji_transfer_processing_limit(district):
        return 7

The hooks, their arguments, bounds and defaults: ``docs/plugins.md``.  A
newcomer's walk from the template to an installed plugin:
``docs/plugin-guide.md``.
"""

from __future__ import annotations

from xueji._calendar import CalendarStage, SchoolCalendar, Term
from xueji._decisions import Obligation, Source
from xueji._errors import PluginError
from xueji._medical import HospitalGrade
from xueji._orgs import SchoolSystem, Stage
from xueji._plugins import PLUGIN_GROUP, Notice, NotificationChannel
from xueji._rules import (
    DISTRICT_LAYER,
    MUNICIPAL_LAYER,
    TIMELY_DUTIES,
    Answer,
    LoadProblem,
    PluginInfo,
    Rules,
    SchoolSystemExperiment,
)
from xueji.hookspecs import hookimpl

__all__ = [
    "DISTRICT_LAYER",
    "MUNICIPAL_LAYER",
    "PLUGIN_GROUP",
    "TIMELY_DUTIES",
    "Answer",
    "CalendarStage",
    "HospitalGrade",
    "LoadProblem",
    "Notice",
    "NotificationChannel",
    "Obligation",
    "PluginError",
    "PluginInfo",
    "Rules",
    "SchoolCalendar",
    "SchoolSystem",
    "SchoolSystemExperiment",
    "Source",
    "Stage",
    "Term",
    "hookimpl",
]
