"""salesopt's own import template: one sheet per kind, headers in English or Chinese.

The template is what an admin downloads when their CRM has no preset: one column per canonical
field, in schema order, and two example rows. A filled-in template is recognised by its headers
in either language; choice columns accept the canonical codes and the Chinese names.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from salesopt.imports.presets.base import Preset, make_preset, signature
from salesopt.imports.schema import SCHEMAS, RecordKind

# Marked for translation here, translated where the preset label is shown.
CRM, LABEL = "salesopt", gettext_noop("salesopt template")

LANGUAGES = ("en", "zh")

# field → (English, Chinese); KIND_HEADERS overrides where a field means something else per kind.
HEADERS: dict[str, tuple[str, str]] = {
    "external_id": ("ID", "编号"),
    "name": ("Name", "名称"),
    "company_name": ("Company", "公司名称"),
    "channel": ("Lead source", "线索来源"),
    "campaign": ("Campaign", "市场活动"),
    "industry": ("Industry", "行业"),
    "company_size": ("Company size", "公司规模"),
    "urgency": ("Urgency", "紧急程度"),
    "grade": ("Grade", "线索等级"),
    "region": ("Region", "区域"),
    "product_line": ("Product line", "产品线"),
    "owner": ("Owner", "负责人"),
    "rep": ("Rep", "销售"),
    "status": ("Status", "线索状态"),
    "created_at": ("Created at", "创建时间"),
    "first_response_at": ("First response at", "首次响应时间"),
    "won_at": ("Converted at", "转化时间"),
    "lost_at": ("Lost at", "丢单时间"),
    "amount": ("Amount", "金额"),
    "customer": ("Customer", "客户"),
    "lead": ("Lead ID", "线索编号"),
    "opportunity": ("Opportunity ID", "商机编号"),
    "occurred_at": ("Time", "跟进时间"),
    "subject": ("Subject", "主题"),
    "stage": ("Stage", "销售阶段"),
    "probability": ("Probability (%)", "赢率"),
    "expected_close": ("Expected close", "预计成交日期"),
    "closed_at": ("Closed at", "结单时间"),
    "ordered_on": ("Order date", "下单日期"),
    "handled_by": ("Handled by", "处理人"),
    "resolved_at": ("Resolved at", "解决时间"),
    "satisfaction": ("Satisfaction (1-5)", "满意度"),
    "grain": ("Period type", "周期类型"),
    "period_start": ("Period start", "开始日期"),
    "team": ("Team", "团队"),
    "email": ("Email", "邮箱"),
    "role": ("Role", "角色"),
    "hire_date": ("Hire date", "入职日期"),
}

KIND_HEADERS: dict[RecordKind, dict[str, tuple[str, str]]] = {
    RecordKind.LEAD: {
        "name": ("Contact name", "联系人"),
        "amount": ("Expected amount", "预计金额"),
    },
    RecordKind.CUSTOMER: {"name": ("Customer name", "客户名称")},
    RecordKind.OPPORTUNITY: {
        "name": ("Opportunity name", "商机名称"),
        "amount": ("Amount", "商机金额"),
    },
    RecordKind.ACTIVITY: {"kind": ("Type", "跟进方式"), "rep": ("Rep", "跟进人")},
    RecordKind.ORDER: {"amount": ("Amount", "订单金额")},
    RecordKind.COMPLAINT: {"kind": ("Complaint type", "投诉类型")},
    RecordKind.TARGET: {"amount": ("Target amount", "目标金额")},
    RecordKind.USER: {"name": ("Name", "姓名")},
}  # fmt: skip

# Two rows per kind, in schema field order; the Chinese rows use the Chinese choice names.
# They name the demo company's own people, regions, product lines and teams (`seed_demo`), so
# a downloaded template imports there without a rejected row: reps by e-mail or username
# (their display names depend on the seed), regions and product lines by code in English and by
# name in Chinese. Later kinds refer to the earlier kinds' rows (activity A-3001 to lead L-1001,
# order SO-5001 to opportunity O-4002): import the templates in the order the page lists them.
_SOUTH_REP, _EAST_REP = "demo.rep.01@demo.salesopt.example", "demo.rep.08"
_EXAMPLES: dict[RecordKind, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    RecordKind.LEAD: {
        "en": (
            ("L-1001", "Wang Lei", "Huanan Tech", "Trade show", "2024 Spring Expo", "Manufacturing",
             "medium", "high", "A", "south", "smart-lock", _SOUTH_REP,
             "contacted", "2024-03-01 14:05", "2024-03-01 15:30", "", "", "120000.00", ""),
            ("L-1002", "Li Na", "Donghai Retail", "Website", "", "Retail", "small", "low", "C",
             "east", "", _EAST_REP, "new", "2024-03-02 09:10", "", "", "", "", ""),
        ),
        "zh": (
            ("L-1001", "王磊", "华南科技", "展会", "2024春季展", "制造业", "中型", "高", "A",
             "华南", "智能门锁", _SOUTH_REP, "已联系", "2024/3/1 14:05", "2024/3/1 15:30", "", "",
             "12万", ""),
            ("L-1002", "李娜", "东海零售", "官网", "", "零售", "小型", "低", "C", "华东", "",
             _EAST_REP, "未处理", "2024/3/2 9:10", "", "", "", "", ""),
        ),
    },
    RecordKind.CUSTOMER: {
        "en": (
            ("C-2001", "Huanan Tech", "Manufacturing", "large", "south", _SOUTH_REP,
             "2023-11-20 10:00"),
            ("C-2002", "Donghai Retail", "Retail", "medium", "east", _EAST_REP,
             "2024-01-08 16:45"),
        ),
        "zh": (
            ("C-2001", "华南科技", "制造业", "大型", "华南", _SOUTH_REP, "2023年11月20日 10:00"),
            ("C-2002", "东海零售", "零售", "中型", "华东", _EAST_REP, "2024年1月8日 16:45"),
        ),
    },
    RecordKind.ACTIVITY: {
        "en": (
            ("A-3001", "call", _SOUTH_REP, "L-1001", "", "2024-03-01 15:30",
             "First call: needs three quotes"),
            ("A-3002", "visit", _EAST_REP, "", "C-2002", "2024-03-05 10:00", "On-site demo"),
        ),
        "zh": (
            ("A-3001", "电话", _SOUTH_REP, "L-1001", "", "2024/3/1 15:30",
             "首次电话：需要三份报价"),
            ("A-3002", "拜访", _EAST_REP, "", "C-2002", "2024/3/5 10:00", "上门演示"),
        ),
    },
    RecordKind.OPPORTUNITY: {
        "en": (
            ("O-4001", "Huanan Tech smart locks", "L-1001", "C-2001", _SOUTH_REP,
             "south", "smart-lock", "proposal", "580000.00", "60%", "2024-03-08 11:00",
             "2024-05-31", ""),
            ("O-4002", "Donghai store cameras", "", "C-2002", _EAST_REP, "east", "security",
             "won", "96000.00", "100%", "2024-01-15 09:00", "2024-03-20", "2024-03-18 17:00"),
        ),
        "zh": (
            ("O-4001", "华南科技智能门锁项目", "L-1001", "C-2001", _SOUTH_REP, "华南", "智能门锁",
             "方案报价", "58万", "60%", "2024/3/8 11:00", "2024/5/31", ""),
            ("O-4002", "东海门店监控", "", "C-2002", _EAST_REP, "华东", "安防监控", "赢单", "96000",
             "100%", "2024/1/15 9:00", "2024/3/20", "2024/3/18 17:00"),
        ),
    },
    RecordKind.ORDER: {
        "en": (
            ("SO-5001", "C-2002", "O-4002", _EAST_REP, "east", "security", "96000.00",
             "2024-03-20"),
            ("SO-5002", "C-2002", "", _EAST_REP, "east", "", "(3200.00)", "2024-04-02"),
        ),
        "zh": (
            ("SO-5001", "C-2002", "O-4002", _EAST_REP, "华东", "安防监控", "¥96,000.00",
             "2024年3月20日"),
            ("SO-5002", "C-2002", "", _EAST_REP, "华东", "", "￥-3,200.00", "2024年4月2日"),
        ),
    },
    RecordKind.COMPLAINT: {
        "en": (
            ("Q-6001", "C-2002", "delivery", "east", _EAST_REP, "2024-04-03 09:00",
             "2024-04-03 11:20", "2024-04-05 16:00", "4"),
            ("Q-6002", "C-2001", "product_quality", "south", _SOUTH_REP,
             "2024-04-10 13:00", "", "", ""),
        ),
        "zh": (
            ("Q-6001", "C-2002", "物流", "华东", _EAST_REP, "2024/4/3 9:00", "2024/4/3 11:20",
             "2024/4/5 16:00", "4"),
            ("Q-6002", "C-2001", "产品质量", "华南", _SOUTH_REP, "2024/4/10 13:00", "", "", ""),
        ),
    },
    RecordKind.TARGET: {
        "en": (
            ("", "quarter", "2024-04-01", "", "", "", "", "5000000.00"),
            ("", "month", "2024-03-01", "south", "", "华南区域组", "", "1800000.00"),
        ),
        "zh": (
            ("", "季度", "2024-04-01", "", "", "", "", "500万"),
            ("", "月度", "2024-03-01", "华南", "", "华南区域组", "", "180万"),
        ),
    },
    RecordKind.USER: {
        "en": (
            ("E-001", "Wang Fang", "wang.fang@example.com", "sales_rep", "华南区域组",
             "2023-09-01"),
            ("E-002", "Zhao Min", "zhao.min@example.com", "team_lead", "华东区域组",
             "2021-05-17"),
        ),
        "zh": (
            ("E-001", "王芳", "wang.fang@example.com", "销售代表", "华南区域组", "2023-09-01"),
            ("E-002", "赵敏", "zhao.min@example.com", "组长", "华东区域组", "2021-05-17"),
        ),
    },
}  # fmt: skip


def _language(language: str) -> int:
    """ "en" → 0, any Chinese code ("zh", "zh-hans", "zh_Hans", "zh-cn") → 1."""
    code = language.lower().replace("_", "-")
    if code == "en" or code.startswith("en-"):
        return 0
    if code == "zh" or code.startswith("zh-"):
        return 1
    raise ValueError(f"no template in language {language!r}")


def _header_pair(kind: RecordKind, field_name: str) -> tuple[str, str]:
    return KIND_HEADERS.get(kind, {}).get(field_name) or HEADERS[field_name]


def template_headers(kind: RecordKind, language: str) -> list[str]:
    """The template's header row for one kind, in schema field order."""
    index = _language(language)
    return [_header_pair(kind, name)[index] for name in SCHEMAS[kind].field_names]


def example_rows(kind: RecordKind, language: str = "en") -> list[list[str]]:
    """Two example rows aligned with `template_headers(kind, language)`."""
    return [list(row) for row in _EXAMPLES[kind][LANGUAGES[_language(language)]]]


def _template_preset(kind: RecordKind) -> Preset:
    pairs = [(name, _header_pair(kind, name)) for name in SCHEMAS[kind].field_names]
    columns = {header: name for name, pair in pairs for header in pair}
    return make_preset(
        CRM,
        LABEL,
        kind,
        columns=columns,
        signature=signature(*(f"{english}|{chinese}" for _, (english, chinese) in pairs)),
    )


PRESETS = tuple(_template_preset(kind) for kind in RecordKind)
