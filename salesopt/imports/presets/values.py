"""Generic English and Chinese names of salesopt's choices, used under every preset's own values.

CRMs let admins rename picklist values, so a preset's value map alone misses customised
picklists; these generic spellings catch the common ones ("Contacted", "已联系", "赢单"). A CRM's
own map wins where both name the same value. Matching is case-insensitive and whitespace-
normalised (see `normalise_value`), so each spelling is listed once.
"""

from __future__ import annotations

from collections.abc import Mapping

from salesopt.imports.schema import RecordKind


def _invert(spellings: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """{canonical: (spelling, …)} → {spelling: canonical}; the canonical code maps to itself."""
    inverted = {canonical: canonical for canonical in spellings}
    for canonical, names in spellings.items():
        inverted.update(dict.fromkeys(names, canonical))
    return inverted


LEAD_STATUS = _invert(
    {
        "new": ("open", "not contacted", "新建", "新线索", "未处理", "待处理", "未分配", "未跟进",
                "新获取", "待跟进"),
        "contacted": ("working", "in progress", "attempted to contact", "已联系", "联系中",
                      "跟进中", "已处理", "初步意向"),
        "qualified": ("sql", "sales qualified", "已确认", "有效", "合格", "有意向", "商机客户"),
        "converted": ("won", "customer", "已转换", "已转化", "转化", "成交", "已成交"),
        "lost": ("unqualified", "disqualified", "junk", "closed", "无效", "失效", "关闭", "已关闭",
                 "丢失", "放弃"),
    }
)  # fmt: skip

OPPORTUNITY_STAGE = _invert(
    {
        "qualification": ("prospecting", "discovery", "初步接洽", "初步沟通", "验证客户",
                          "资格确认", "线索确认"),
        "needs_analysis": ("needs analysis", "needs assessment", "value proposition", "需求确定",
                           "需求确认", "需求分析", "需求调研"),
        "proposal": ("proposal/price quote", "quote", "quotation", "方案报价", "提交方案",
                     "方案制定", "报价", "方案"),
        "negotiation": ("negotiation/review", "contract", "contract review", "谈判审核",
                        "商务谈判", "合同审核", "合同谈判", "谈判", "合同签署"),
        "won": ("closed won", "赢单", "成交", "已成交", "签约", "已签约"),
        "lost": ("closed lost", "输单", "丢单", "失败"),
    }
)  # fmt: skip

ACTIVITY_KIND = _invert(
    {
        "call": ("phone", "phone call", "log a call", "inbound", "outbound", "missed", "电话",
                 "电话拜访", "电话联系", "打电话", "通话", "来电", "去电"),
        "visit": ("on-site visit", "拜访", "上门拜访", "当面拜访", "实地拜访", "面访"),
        "follow_up": ("follow-up", "follow up", "task", "to-do", "todo", "other", "跟进",
                      "其他跟进", "其他", "网络拜访", "微信", "企微联系", "待办"),
        "email": ("e-mail", "mail", "邮件", "电子邮件"),
        "meeting": ("event", "线上会议", "会议", "见面"),
    }
)  # fmt: skip

COMPLAINT_KIND = _invert(
    {
        "product_quality": ("quality", "product", "product quality", "产品质量", "质量问题"),
        "delivery": ("shipping", "logistics", "物流", "发货", "交付", "配送"),
        "service": ("service attitude", "服务", "服务态度"),
        "billing": ("invoice", "payment", "账单", "发票", "收费", "付款"),
        "repeated_issue": ("repeat", "repeated", "重复投诉", "问题重复"),
        "other": ("其他",),
    }
)

COMPANY_SIZE = _invert(
    {
        "small": ("小型", "小微", "小型企业"),
        "medium": ("中型", "中型企业"),
        "large": ("大型", "大型企业"),
        "enterprise": ("超大型", "集团", "集团客户"),
    }
)

URGENCY = _invert({"low": ("低", "一般"), "medium": ("中", "较急"), "high": ("高", "紧急")})

# Salesforce and Zoho rate leads Hot / Warm / Cold: the same focus / regular / nurture split.
GRADE = _invert(
    {
        "A": ("a", "hot", "重点", "a类", "a级"),
        "B": ("b", "warm", "常规", "b类", "b级"),
        "C": ("c", "cold", "培育", "c类", "c级"),
    }
)

GRAIN = _invert(
    {
        "month": ("monthly", "月", "月度", "按月"),
        "quarter": ("quarterly", "季", "季度", "按季"),
        "year": ("yearly", "annual", "年", "年度", "按年"),
    }
)

ROLE = _invert(
    {
        "admin": ("administrator", "管理员", "系统管理员"),
        "sales_manager": ("sales manager", "销售经理", "销售负责人", "销售总监"),
        "team_lead": ("team lead", "组长", "小组长", "主管"),
        "sales_rep": ("sales rep", "sales", "销售", "销售代表", "销售员"),
        "executive": ("高管", "总经理", "管理层"),
    }
)

_BY_FIELD: Mapping[str, dict[str, str]] = {
    "status": LEAD_STATUS,
    "stage": OPPORTUNITY_STAGE,
    "company_size": COMPANY_SIZE,
    "urgency": URGENCY,
    "grade": GRADE,
    "grain": GRAIN,
    "role": ROLE,
}


def generic_value_map(kind: RecordKind, field_name: str) -> dict[str, str]:
    """Generic spellings for one choice field of one kind (`kind` means different things)."""
    if field_name == "kind":
        return ACTIVITY_KIND if kind == RecordKind.ACTIVITY else COMPLAINT_KIND
    return _BY_FIELD.get(field_name, {})
