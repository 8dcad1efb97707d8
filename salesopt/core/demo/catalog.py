"""The fixed shape of the demo company: its regions, product lines, teams and word lists.

Shares and medians here are the knobs that make the seeded problems visible; the problems
themselves are planted in the generator modules, each next to the figure it bends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOURCE = "demo"
LEAD_COUNT_AT_SCALE_ONE = 30_000
HISTORY_MONTHS = 18
BASELINE_MONTHS = 12


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    share: float
    cities: tuple[str, ...]


@dataclass(frozen=True)
class ProductLineSpec:
    code: str
    name: str
    share: float
    amount_factor: float


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    region: str | None
    product_line: str | None
    reps: int
    new_hires: int
    overloaded: int


REGIONS = (
    RegionSpec("south", "华南", 0.27, ("深圳", "广州", "东莞", "佛山", "厦门")),
    RegionSpec("east", "华东", 0.32, ("上海", "杭州", "苏州", "南京", "宁波")),
    RegionSpec("north", "华北", 0.24, ("北京", "天津", "石家庄", "济南", "青岛")),
    RegionSpec("southwest", "西南", 0.17, ("成都", "重庆", "昆明", "贵阳", "绵阳")),
)
PRODUCT_LINES = (
    ProductLineSpec("smart-lock", "智能门锁", 0.60, 0.7),
    ProductLineSpec("security", "安防监控", 0.22, 1.4),
    ProductLineSpec("cloud", "云服务", 0.18, 1.0),
)
# Smart locks are sold region by region; the two solution lines have national teams.
TEAMS = (
    TeamSpec("south", "华南区域组", "south", None, reps=7, new_hires=2, overloaded=1),
    TeamSpec("east", "华东区域组", "east", None, reps=8, new_hires=2, overloaded=2),
    TeamSpec("north", "华北区域组", "north", None, reps=6, new_hires=1, overloaded=1),
    TeamSpec("southwest", "西南区域组", "southwest", None, reps=5, new_hires=1, overloaded=1),
    TeamSpec("security", "安防监控产品组", None, "security", reps=8, new_hires=1, overloaded=2),
    TeamSpec("cloud", "云服务产品组", None, "cloud", reps=6, new_hires=1, overloaded=1),
)

REGION_CODES = tuple(region.code for region in REGIONS)
PRODUCT_LINE_CODES = tuple(line.code for line in PRODUCT_LINES)
SLOW_REGION = REGION_CODES.index("south")
WEAK_PRODUCT_LINE = PRODUCT_LINE_CODES.index("cloud")
REGIONAL_PRODUCT_LINE = PRODUCT_LINE_CODES.index("smart-lock")
COMPLAINT_HOT_SPOT = (REGION_CODES.index("north"), PRODUCT_LINE_CODES.index("security"))
# Which team owns a lead: the product line's team if it has one, else its region's team.
PRODUCT_LINE_TEAM = np.array(
    [
        next((n for n, t in enumerate(TEAMS) if t.product_line == code), -1)
        for code in PRODUCT_LINE_CODES
    ]
)
REGION_TEAM = np.array(
    [next(n for n, t in enumerate(TEAMS) if t.region == code) for code in REGION_CODES]
)
TEAM_REGION = np.array([REGION_CODES.index(t.region) if t.region else -1 for t in TEAMS])
TEAM_PRODUCT_LINE = np.array(
    [PRODUCT_LINE_CODES.index(t.product_line or "smart-lock") for t in TEAMS]
)

# (name, share of leads, grading points, company-name suffix)
INDUSTRIES = (
    ("制造业", 0.22, 1, "智能制造有限公司"),
    ("零售", 0.14, 0, "商贸有限公司"),
    ("房地产", 0.12, 1, "置业有限公司"),
    ("酒店", 0.08, 0, "酒店管理有限公司"),
    ("教育", 0.08, 0, "教育科技有限公司"),
    ("医疗", 0.08, 1, "医疗科技有限公司"),
    ("物流", 0.08, 0, "供应链有限公司"),
    ("金融", 0.07, 1, "金融服务有限公司"),
    ("政府及公共事业", 0.06, 1, "城市服务中心"),
    ("互联网", 0.07, 0, "网络科技有限公司"),
)
# (choice value, share of leads, grading points, median deal in CNY)
COMPANY_SIZES = (
    ("small", 0.45, 0, 12_000),
    ("medium", 0.33, 1, 40_000),
    ("large", 0.15, 2, 160_000),
    ("enterprise", 0.07, 3, 450_000),
)
URGENCIES = (("low", 0.35, 0), ("medium", 0.45, 1), ("high", 0.20, 2))
GRADES = ("A", "B", "C")
CHANNELS = ("官网咨询", "展会", "电话营销", "渠道伙伴", "老客户推荐", "线上广告")
CHANNEL_SHARES = (0.22, 0.12, 0.18, 0.20, 0.10, 0.18)
# Campaign-driven channels carry a campaign name; the others leave it blank.
CAMPAIGN_PATTERNS = {
    1: "{year}{city}安博会",
    2: "{year}年Q{quarter}{line}电话营销",
    5: "{line}线上推广",
}

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹")
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "慧", "建国", "志强", "婷", "晨", "浩然", "子涵", "欣怡", "宇航",
    "思远", "佳琪", "俊杰", "雨桐", "博文", "海燕", "丽华", "国庆", "晓东", "文静", "雪梅",
)  # fmt: skip
COMPANY_BRANDS = (
    "华信", "鼎盛", "远航", "恒通", "嘉禾", "启明", "瑞丰", "泰和", "新元", "博雅", "中联",
    "海纳", "宏图", "锦程", "天成", "万达通", "联创", "盛世", "东方", "正泰",
)  # fmt: skip

ACTIVITY_KINDS = ("call", "visit", "follow_up", "email", "meeting")
ACTIVITY_SUBJECTS = (
    ("电话初次沟通", "电话跟进需求", "电话确认报价"),
    ("上门拜访", "现场勘查", "客户现场演示"),
    ("跟进记录：记录三项核心需求", "跟进记录：方案反馈", "周五跟进汇报"),
    ("发送产品资料", "发送报价单", "发送合同草案"),
    ("方案评审会", "合同评审会议", "决策人会议"),
)
FIRST_CONTACT_KIND_SHARES = (0.70, 0.0, 0.10, 0.20, 0.0)
LATER_KIND_SHARES = (0.30, 0.15, 0.30, 0.15, 0.10)
LARGE_DEAL_KIND_SHARES = (0.20, 0.25, 0.20, 0.10, 0.25)

COMPLAINT_KINDS = ("product_quality", "delivery", "service", "billing", "repeated_issue", "other")
COMPLAINT_KIND_SHARES = (0.25, 0.20, 0.25, 0.15, 0.05, 0.10)
HOT_SPOT_COMPLAINT_KIND_SHARES = (0.35, 0.20, 0.10, 0.05, 0.30, 0.0)
SATISFACTION_SHARES = (0.03, 0.07, 0.20, 0.40, 0.30)
HOT_SPOT_SATISFACTION_SHARES = (0.40, 0.35, 0.15, 0.07, 0.03)

# Lead volume by calendar month: the Spring Festival dip and the year-end push.
MONTH_SEASONALITY = (0.95, 0.70, 1.05, 1.00, 1.00, 1.00, 0.95, 0.95, 1.05, 1.00, 1.05, 1.10)
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.25)


def shares(values: tuple[float, ...]) -> np.ndarray:
    """Probabilities that sum to exactly one, as numpy's choice() requires."""
    array = np.asarray(values, dtype=float)
    return array / array.sum()


def column(values: tuple, position: int | None = None) -> np.ndarray:
    """One field of a catalog table as an array indexable by category number."""
    picked = values if position is None else tuple(row[position] for row in values)
    kind = object if isinstance(picked[0], str) else None
    return np.array(picked, dtype=kind)
