"""销售易 (Neocrm / xiaoshouyi): list exports of 销售线索, 商机 and 客户.

Sources, and how sure each is:
- Field labels of the Neo platform objects, paired with their API keys (opportunity: 机会名称
  opportunityName, 销售阶段 saleStageId, 销售金额 money, 结单日期 closeDate, 赢率 winRate;
  lead: 公司名称 companyName, 线索来源 leadSourceId, 省份, 市场活动; account: 客户名称
  accountName, 行业 industryId, 省份 fState, 总人数 employeeNumber): a public simulation of the
  Neo metadata (items with api_key / label / item_type) and a Django inspectdb of a Neo data
  export (opportunityName, money, saleStageId, winRate, closeDate, ownerId, createdAt).
- 所有人 (ownerId), 创建日期 (createdAt), 姓名 (lead name), 线索状态 and the stage names
  初步接洽 / 需求确定 / 方案报价 / 谈判审核 / 赢单 / 输单: remembered from 销售易's UI and not
  confirmed from a source here; 商机名称 / 商机金额 are listed too because tenants rename the
  standard labels. The public metadata's own stage example (初步接洽 / 需求确认 / 方案报价 /
  商务谈判 / 合同签署) is covered by the generic Chinese stage names.
"""

from __future__ import annotations

from salesopt.imports.presets.base import make_preset, signature
from salesopt.imports.schema import RecordKind

CRM, LABEL = "neocrm", "销售易 Neocrm"

LEAD_STATUS = {"未处理": "new", "已联系": "contacted", "已转换": "converted", "无效": "lost"}

OPPORTUNITY_STAGE = {
    "初步接洽": "qualification",
    "需求确定": "needs_analysis",
    "方案报价": "proposal",
    "谈判审核": "negotiation",
    "赢单": "won",
    "输单": "lost",
}

_OWNER = {"所有人": "owner"}
_CREATED = {"创建日期": "created_at"}

LEADS = make_preset(
    CRM,
    LABEL,
    RecordKind.LEAD,
    columns={
        "线索编号": "external_id", "ID": "external_id",
        "姓名": "name", "线索名称": "name",
        "公司名称": "company_name",
        "线索来源": "channel",
        "市场活动": "campaign",
        "线索状态": "status",
        "行业": "industry",
        "省份": "region",
        **_OWNER,
        **_CREATED,
    },
    signature=signature("姓名|线索名称", "公司名称", "线索来源", "线索状态", "所有人", "创建日期"),
    values={"status": LEAD_STATUS},
)  # fmt: skip

OPPORTUNITIES = make_preset(
    CRM,
    LABEL,
    RecordKind.OPPORTUNITY,
    columns={
        "机会编号": "external_id", "ID": "external_id",
        "机会名称": "name", "商机名称": "name",
        "客户名称": "customer",
        "销售阶段": "stage",
        "销售金额": "amount", "商机金额": "amount",
        "赢率": "probability",
        "结单日期": "expected_close",
        **_OWNER,
        **_CREATED,
    },
    signature=signature(
        "机会名称|商机名称", "客户名称", "销售阶段", "销售金额|商机金额", "结单日期", "所有人",
        "创建日期",
    ),
    values={"stage": OPPORTUNITY_STAGE},
)  # fmt: skip

ACCOUNTS = make_preset(
    CRM,
    LABEL,
    RecordKind.CUSTOMER,
    columns={
        "客户编号": "external_id", "ID": "external_id",
        "客户名称": "name",
        "行业": "industry",
        "总人数": "company_size",
        "省份": "region",
        **_OWNER,
        **_CREATED,
    },
    signature=signature("客户名称", "行业", "总人数", "省份", "所有人", "创建日期"),
)  # fmt: skip

PRESETS = (LEADS, OPPORTUNITIES, ACCOUNTS)
