"""An ILLUSTRATIVE district plugin for 海淀区 (110108).

These are not 海淀区's rules, and the schools and the consent below are
invented.  The plugin shows the other side of what a district can do:

- a 学制改革实验 (第八条: 经市教委同意…开展学制改革实验): two 九年一贯制
  schools run 五四制 — five years of primary, four of junior secondary — so
  五年级 is their graduating grade and 六年级 their starting grade of the
  junior stage (第三十条第（一）项 bars transfers into a graduating grade, and
  into a starting grade in its first term);
- its own numbering of compulsory graduation certificates (第四十条第二款:
  毕业证书要有统一字号，义务教育阶段由区教委制定).

It keeps the municipal transfer rules (10 working days, late filings a
warning).  Contrast ``xueji_dongcheng_example``.
"""

from __future__ import annotations

from datetime import date

from xueji.plugin import (
    PluginInfo,
    SchoolSystem,
    SchoolSystemExperiment,
    Stage,
    hookimpl,
)

DISTRICT = "110108"

FIVE_FOUR_SCHOOLS = ("S110108901", "S110108902")
"""Two (invented) 九年一贯制 schools in the 五四制 experiment."""

CONSENT = "（示例）京教函〔2024〕0号 市教委关于同意开展五四学制改革实验的函"
"""The 市教委's consent (第八条), as the district records it; invented."""

XUEJI_PLUGIN = PluginInfo(
    name="xueji-haidian-example",
    version="0.1.0",
    layer="district",
    districts=(DISTRICT,),
    legal_basis="海淀区中小学校学生学籍管理实施细则（示例，并非海淀区实际规定）",
    document_number="示例〔2025〕2号",
    valid_from=date(2025, 9, 1),
    illustrative=True,
    points=("xueji_certificate_number", "xueji_school_systems"),
)

_STAGE_LETTER = {Stage.PRIMARY.value: "X", Stage.JUNIOR.value: "C"}
_KIND_LETTER = {"毕业": "B", "结业": "J", "肄业": "Y"}


@hookimpl
def xueji_school_systems(district: str) -> list[SchoolSystemExperiment] | None:
    # 第八条: named schools, with the 市教委's consent on record.
    del district
    return [
        SchoolSystemExperiment(
            schools=FIVE_FOUR_SCHOOLS,
            system=SchoolSystem(primary_years=5, junior_years=4),
            consent=CONSENT,
        )
    ]


@hookimpl
def xueji_certificate_number(
    district: str | None,
    school: str,
    stage: str,
    kind: str,
    year: int,
    serial: int,
) -> str | None:
    # 第四十条第二款: the district sets the compulsory numbering, e.g.
    # HD2026XB00001 for the first 小学毕业 certificate of 2026.  高中 numbers
    # are the city's (the kernel asks without a district).
    del district, school
    if stage not in _STAGE_LETTER or kind not in _KIND_LETTER:
        return None
    return f"HD{year}{_STAGE_LETTER[stage]}{_KIND_LETTER[kind]}{serial:05d}"
