"""An ILLUSTRATIVE district plugin for 东城区 (110101).

These are not 东城区's rules.  The plugin shows what a district's 实施细则
(第五十条) can do with xueji's hooks, choosing the stricter options the
regulation leaves open to a district:

- the transfer processing limit shortened from 10 to 7 working days
  (第二十九条: 转学手续办理一般不超过10个工作日);
- a transfer filed outside the window of 第二十九条 (the week before the
  winter or summer vacation) refused instead of warned (一般应在…提出申请);
- one more document for a transfer (第二十三条第一款: 相关材料) and for a
  primary admission (第十条第二款: 当年的入学规定).

Contrast ``xueji_haidian_example``, which keeps the municipal transfer rules
and runs a 五四制 experiment (第八条) and its own certificate numbering
(第四十条第二款).
"""

from __future__ import annotations

from datetime import date

from xueji.plugin import PluginInfo, Stage, hookimpl

DISTRICT = "110101"

TRANSFER_DOCUMENT = "转出学校开具的学生转学联系单（示例）"
ADMISSION_DOCUMENT = "预防接种证查验证明（示例）"

XUEJI_PLUGIN = PluginInfo(
    name="xueji-dongcheng-example",
    version="0.1.0",
    layer="district",
    districts=(DISTRICT,),
    legal_basis="东城区中小学校学生学籍管理实施细则（示例，并非东城区实际规定）",
    document_number="示例〔2025〕1号",
    valid_from=date(2025, 9, 1),
    illustrative=True,
    points=(
        "xueji_admission_documents",
        "xueji_transfer_documents",
        "xueji_transfer_processing_limit",
        "xueji_transfer_window_binding",
    ),
)


@hookimpl
def xueji_transfer_processing_limit(district: str) -> int | None:
    # 第二十九条: 一般不超过10个工作日 — shortened to 7.
    del district
    return 7


@hookimpl
def xueji_transfer_window_binding(district: str) -> bool | None:
    # 第二十九条: 一般应在寒、暑假放假前一周提出申请 — here a filing outside the
    # window is refused, not only warned.
    del district
    return True


@hookimpl
def xueji_transfer_documents(
    district: str, stage: str, reason: str
) -> list[str] | None:
    # 第二十三条第一款 相关材料: one more document, whatever the reason.
    del district, stage, reason
    return [TRANSFER_DOCUMENT]


@hookimpl
def xueji_admission_documents(
    district: str, stage: str, local: bool
) -> list[str] | None:
    # 第十条第二款 当年的入学规定: one more document for a primary admission.
    del district, local
    return [ADMISSION_DOCUMENT] if stage == Stage.PRIMARY.value else None
