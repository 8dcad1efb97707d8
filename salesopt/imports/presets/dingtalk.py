"""钉钉 (DingTalk) 客户管理, the official CRM: exports of 客户 and 跟进记录.

Sources: DingTalk open-platform docs (open.dingtalk.com, mirrored in a public repository):
- "获取企业客户的元数据" (crm_customer): preset fields 客户名称 (customer_name) and 客户跟进状态
  (customer_follow_up_status) with the options 新获取 / 待跟进 / 初步意向 / 商机客户 / 成交 / 失效;
  the default template's 客户来源, 客户行业, 区域城市 (custom fields that every new tenant gets).
- "新增和更新客户字段格式说明V2": customer_name, customer_follow_up_status, address.
- "获取跟进记录的元数据" (crm_follow_record): 客户 (follow_record_related_customer), 联系人,
  拜访方式 with 当面拜访 / 电话拜访 / 网络拜访 / 其他, 拜访内容.
Not confirmed: 负责人 / 创建人 / 创建时间 as export headers (DingTalk's permission and system
fields; owner_userid_list, creator_userid, gmt_create in the API), and whether the list export
writes an id column. DingTalk's CRM has no opportunity object in these docs, so there is no
opportunity preset; its customer list with 客户跟进状态 is the lead pipeline, hence two presets
on the same export (leads when 客户跟进状态 is present).
- 合同订单 (contract / order) exports: 合同单号 (the order number), 签单日期 (signing date), 总金额
  (amount), 对应客户 (customer), 所有者 (owner). From the review of real exports behind issue 11;
  not confirmed from a public source here.
"""

from __future__ import annotations

from salesopt.imports.presets.base import make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "dingtalk", "钉钉 DingTalk CRM"

FOLLOW_UP_STATUS = {
    "新获取": "new",
    "待跟进": "new",
    "初步意向": "contacted",
    "商机客户": "qualified",
    "成交": "converted",
    "失效": "lost",
}

VISIT_KIND = {"当面拜访": "visit", "电话拜访": "call", "网络拜访": "follow_up", "其他": "follow_up"}

_COMMON = {
    "客户编号": "external_id",
    "客户名称": "name",
    "客户行业": "industry",
    "区域城市": "region",
    "负责人": "owner",
    "创建时间": "created_at",
}

CUSTOMERS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns=_COMMON,
    signature=signature("客户名称", "客户行业", "区域城市", "负责人", "创建时间"),
)

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={**_COMMON, "客户来源": "channel", "客户跟进状态": "status"},
    signature=signature("客户名称", "客户跟进状态", "客户来源", "负责人", "创建时间"),
    values={"status": FOLLOW_UP_STATUS},
)

FOLLOW_RECORDS = make_preset(
    CRM,
    LABEL,
    RecordKind.ACTIVITY,
    columns={
        "跟进记录编号": "external_id",
        "客户": "customer", "客户名称": "customer",
        "拜访方式": "kind", "跟进方式": "kind",
        "拜访内容": "subject", "跟进内容": "subject",
        "创建人": "rep", "跟进人": "rep",
        "创建时间": "occurred_at", "跟进时间": "occurred_at",
    },
    signature=signature(
        "客户|客户名称", "联系人", "拜访方式|跟进方式", "拜访内容|跟进内容", "创建时间|跟进时间",
    ),
    values={"kind": VISIT_KIND},
)  # fmt: skip

ORDERS = make_preset(
    CRM,
    LABEL,
    RecordKind.ORDER,
    columns={
        "合同单号": "external_id", "订单编号": "external_id",
        "对应客户": "customer", "客户名称": "customer",
        "总金额": "amount", "合同金额": "amount",
        "签单日期": "ordered_on",
        "所有者": "rep", "负责人": "rep",
    },
    signature=signature("合同单号", "签单日期", "总金额", "对应客户", "所有者|负责人"),
)  # fmt: skip

PRESETS = (CUSTOMERS, LEADS, FOLLOW_RECORDS, ORDERS)
