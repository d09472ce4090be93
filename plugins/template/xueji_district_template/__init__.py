"""TEMPLATE: the xueji plugin of <区名>'s 学籍管理实施细则 (第五十条).

Replace every line marked ``TEMPLATE``.  Each hook you implement is one
delegation point of the regulation; ``docs/plugins.md`` lists them all with
their arguments, defaults and bounds.  Return ``None`` from a hook where
your district has no rule of its own: the municipal default then applies.
"""

from __future__ import annotations

from datetime import date

from xueji.plugin import PluginInfo, hookimpl

DISTRICT = "110119"  # TEMPLATE: your district's code (GB/T 2260), e.g. "110101"

XUEJI_PLUGIN = PluginInfo(
    name="xueji-district-template",  # TEMPLATE: e.g. "xueji-dongcheng"
    version="0.1.0",
    layer="district",
    districts=(DISTRICT,),
    legal_basis="TEMPLATE：某区中小学校学生学籍管理实施细则",  # TEMPLATE: title
    document_number="TEMPLATE〔2025〕1号",  # TEMPLATE: 文号
    valid_from=date(2025, 9, 1),  # TEMPLATE: the day your rules take effect
    illustrative=True,  # TEMPLATE: False once these are your district's rules
    points=("xueji_transfer_processing_limit",),  # TEMPLATE: every hook below
)


@hookimpl
def xueji_transfer_processing_limit(district: str) -> int | None:
    # 第二十九条: 转学手续办理一般不超过10个工作日.  TEMPLATE: your limit, from
    # 1 to 10 working days — a longer one does not load.
    del district
    return 10


# TEMPLATE: more hooks, e.g. one more admission document (第十条第二款):
#
# @hookimpl
# def xueji_admission_documents(
#     district: str, stage: str, local: bool
# ) -> list[str] | None:
#     return ["预防接种证查验证明"] if stage == "小学" else None
#
# and add "xueji_admission_documents" to points= above.
