"""纷享销客 (Fxiaoke / ShareCRM): list exports of 销售线索, 商机, 客户 and 销售订单.

Sources, and how sure each is:
- Object API names and fields: Fxiaoke open-platform API docs (fxiaoke.apifox.cn, "查询单个线索
  对象详细信息" / "查询单个商机对象详细信息"): LeadsObj with biz_status (e.g. un_processed),
  OpportunityObj with expected_deal_closed_date and probability, owner, create_time.
- Chinese labels of AccountObj fields (客户名称 name, 负责人 owner, 创建时间 create_time, 客户编号
  account_no, 客户来源, 省 / 市 / 区, 成交状态) and object names (销售线索 LeadsObj, 商机管理
  NewOpportunityObj with 商机金额 amount and 预计成交日期, 合同订单 SalesOrderObj with
  order_amount): a public BI field-mapping table of a Fxiaoke tenant.
- Lead labels 姓名 / 公司 / 状态 and the status names 未分配 / 待处理 / 已处理 / 已转换 / 无效
  (un_assigned, un_processed, processed, transformed, closed), 商机阶段 and the order labels
  销售订单编号 / 订单金额 / 下单日期: remembered from Fxiaoke's UI, not confirmed here. 商机阶段
  names are defined per sales process by each tenant, so stages rely on the generic Chinese
  stage names.
- 唯一性ID: the column a Fxiaoke list export carries for the object's `_id`, the record's own
  id (it outranks the business numbers 线索编号 / 客户编号… as the external id). From the
  review of real exports behind issue 11; not confirmed from a public source here.
"""

from __future__ import annotations

from salesopt.imports.presets.base import make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "fxiaoke", "纷享销客 Fxiaoke"

LEAD_STATUS = {
    "未分配": "new", "un_assigned": "new",
    "待处理": "new", "un_processed": "new",
    "已处理": "contacted", "processed": "contacted",
    "已联系": "contacted",
    "已转换": "converted", "transformed": "converted",
    "无效": "lost", "closed": "lost",
}  # fmt: skip

_OWNER = {"负责人": "owner"}
_CREATED = {"创建时间": "created_at"}

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        "唯一性ID": "external_id", "线索编号": "external_id", "ID": "external_id",
        "姓名": "name",
        "公司": "company_name", "公司名称": "company_name",
        "来源": "channel", "线索来源": "channel",
        "市场活动名称": "campaign", "市场活动": "campaign",
        "状态": "status", "线索状态": "status",
        "行业": "industry",
        "省": "region", "省份": "region",
        **_OWNER,
        **_CREATED,
    },
    signature=signature(
        "姓名", "公司|公司名称", "来源|线索来源", "状态|线索状态", "负责人", "创建时间",
    ),
    values={"status": LEAD_STATUS},
)  # fmt: skip

OPPORTUNITIES = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        "唯一性ID": "external_id", "商机编号": "external_id", "ID": "external_id",
        "商机名称": "name",
        "客户名称": "customer",
        "商机阶段": "stage", "阶段": "stage",
        "商机金额": "amount", "预计成交金额": "amount",
        "赢率": "probability",
        "预计成交日期": "expected_close",
        **_OWNER,
        **_CREATED,
    },
    signature=signature(
        "商机名称", "客户名称", "商机阶段|阶段", "商机金额|预计成交金额", "预计成交日期", "负责人",
        "创建时间",
    ),
)  # fmt: skip

ACCOUNTS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        "唯一性ID": "external_id", "客户编号": "external_id", "ID": "external_id",
        "客户名称": "name",
        "行业": "industry", "1级": "industry",
        "省": "region", "省份": "region",
        **_OWNER,
        **_CREATED,
    },
    signature=signature("客户编号", "客户名称", "负责人", "创建时间", "成交状态", "客户来源"),
)  # fmt: skip

SALES_ORDERS = make_preset(
    CRM,
    LABEL,
    RecordKind.ORDER,
    columns={
        "唯一性ID": "external_id",
        "销售订单编号": "external_id", "订单编号": "external_id", "ID": "external_id",
        "客户名称": "customer",
        "订单金额": "amount", "销售订单金额": "amount",
        "下单日期": "ordered_on",
        "负责人": "rep",
    },
    signature=signature(
        "销售订单编号|订单编号", "客户名称", "订单金额|销售订单金额", "下单日期", "负责人",
    ),
)  # fmt: skip

PRESETS = (LEADS, OPPORTUNITIES, ACCOUNTS, SALES_ORDERS)
