"""Header synonyms, English and Chinese, for files no preset knows.

Each canonical field lists the headers exports commonly use for it, most specific first: when
several headers of one file could feed a field, the earlier synonym wins. The same word can mean
different things per kind ("Amount" of a deal, of an order, of a target; "类型" of an activity
or a complaint), so kind-specific synonyms come before the shared ones. Headers are compared
normalised (`normalise_header`): case, spaces, punctuation and full-width forms do not matter.
"""

from __future__ import annotations

from salesopt.imports.schema import RecordKind

_PEOPLE = ("Owner", "Record Owner", "Assigned To", "Salesperson", "Sales Rep", "Sales Person",
           "负责人", "所有人", "销售", "销售员", "销售代表", "业务员", "客户经理",
           "归属人")  # fmt: skip

# A record's customer, matched by its id in the source system, then by exact name.
_CUSTOMER = ("Account Name", "Account", "Account ID", "Customer", "Customer Name", "Company",
             "客户名称", "客户", "关联客户", "公司名称")  # fmt: skip

SHARED: dict[str, tuple[str, ...]] = {
    "external_id": ("External ID", "Record ID", "ID", "编号", "记录ID", "外部ID", "外部编号",
                    "数据ID", "唯一编号"),
    "name": ("Name", "名称"),
    "channel": ("Lead Source", "Source", "Channel", "Original Source", "线索来源", "来源",
                "来源渠道", "渠道", "获客渠道", "客户来源"),
    "campaign": ("Campaign", "Campaign Name", "Campaign Source", "市场活动", "活动名称",
                 "营销活动"),
    "industry": ("Industry", "行业", "所属行业", "客户行业"),
    "company_size": ("Company Size", "No. of Employees", "Employees", "Number of Employees",
                     "公司规模", "企业规模", "员工人数", "人员规模", "总人数"),
    "urgency": ("Urgency", "Priority", "紧急程度", "紧急度", "优先级"),
    # Not "Rating": Salesforce rates Hot/Warm/Cold (its preset maps that), Zoho rates the
    # lead's business (Active, Shut Down), so a bare "Rating" is too ambiguous to guess.
    "grade": ("Grade", "Lead Grade", "等级", "线索等级", "客户等级", "评级"),
    "region": ("Region", "Sales Region", "Territory", "State/Region", "Province",
               "Billing State/Province", "区域", "地区", "大区", "所属区域", "销售区域", "省份",
               "省"),
    "product_line": ("Product Line", "Product Family", "Product", "产品线", "产品", "意向产品",
                     "产品类别"),
    "owner": _PEOPLE,
    "rep": _PEOPLE,
    "handled_by": ("Handled By", "Case Owner", "处理人", "受理人", *_PEOPLE),
    "status": ("Lead Status", "Status", "线索状态", "状态", "跟进状态", "客户跟进状态"),
    "created_at": ("Created Date", "Create Date", "Created Time", "Created On", "Created At",
                   "Creation Date", "Date Created", "创建时间", "创建日期", "录入时间",
                   "新建时间"),
    "first_response_at": ("First Response", "First Response Time", "First Contact",
                          "First Activity", "首次响应时间", "首次跟进时间", "首次联系时间",
                          "首次响应"),
    "won_at": ("Won Date", "Converted Date", "Conversion Date", "转化时间", "转换时间",
               "成交时间", "赢单时间", "成交日期"),
    "lost_at": ("Lost Date", "丢单时间", "输单时间", "失效时间"),
    "amount": ("Amount", "金额"),
    "lead": ("Lead", "Lead ID", "线索", "关联线索", "源线索"),
    "opportunity": ("Opportunity", "Opportunity ID", "Deal", "商机", "关联商机", "商机编号"),
    "email": ("Email", "E-mail", "Email Address", "邮箱", "电子邮件", "电子邮箱"),
    "team": ("Team", "Sales Team", "团队", "小组", "销售团队", "所属团队", "所属部门"),
}  # fmt: skip

BY_KIND: dict[RecordKind, dict[str, tuple[str, ...]]] = {
    RecordKind.LEAD: {
        "external_id": ("Lead ID", "线索编号", "线索ID"),
        "name": ("Full Name", "Lead Name", "Contact Name", "姓名", "联系人", "联系人姓名",
                 "线索名称", "客户姓名"),
        "company_name": ("Company", "Company Name", "Company / Account", "Organization",
                         "公司名称", "公司", "企业名称", "单位名称", "客户名称"),
        "customer": ("Converted Account", "Converted Account ID", "转换客户", "关联客户"),
        "owner": ("Lead Owner", "Contact Owner", "线索负责人"),
        "amount": ("Expected Revenue", "Estimated Amount", "预计金额", "预估金额", "意向金额"),
    },
    RecordKind.CUSTOMER: {
        "external_id": ("Account ID", "Customer ID", "Company ID", "客户编号", "客户ID"),
        "name": ("Account Name", "Customer Name", "Company Name", "Company", "客户名称",
                 "公司名称", "企业名称", "客户"),
        "owner": ("Account Owner", "Company Owner", "Customer Owner", "客户负责人"),
    },
    RecordKind.OPPORTUNITY: {
        "external_id": ("Opportunity ID", "Deal ID", "商机编号", "机会编号", "商机ID"),
        "name": ("Opportunity Name", "Deal Name", "Opportunity", "Deal", "商机名称", "机会名称",
                 "商机", "项目名称"),
        "customer": _CUSTOMER,
        "owner": ("Opportunity Owner", "Deal Owner", "商机负责人"),
        "stage": ("Stage", "Deal Stage", "Sales Stage", "Opportunity Stage", "阶段", "销售阶段",
                  "商机阶段"),
        "amount": ("Opportunity Amount", "Deal Amount", "Expected Revenue", "商机金额",
                   "销售金额", "预计成交金额", "预计金额"),
        "probability": ("Probability (%)", "Probability", "Win Probability", "Deal probability",
                        "赢率", "成交概率", "赢单率", "可能性"),
        "expected_close": ("Close Date", "Closing Date", "Expected Close Date",
                           "Expected Closing", "预计成交日期", "结单日期", "预计结单日期",
                           "预计签约日期"),
        "closed_at": ("Closed Date", "Closed On", "Actual Close Date", "实际结单日期",
                      "实际成交日期", "关闭日期"),
    },
    RecordKind.ACTIVITY: {
        "external_id": ("Activity ID", "Task ID", "Call ID", "跟进记录编号", "活动编号"),
        "kind": ("Activity Type", "Type", "Call Type", "Task Subtype", "跟进方式", "拜访方式",
                 "活动类型", "联系方式", "类型"),
        "occurred_at": ("Activity Date", "Date", "Call Start Time", "Start", "Due Date",
                        "跟进时间", "拜访时间", "活动时间", "日期", "时间", "创建时间"),
        "subject": ("Subject", "Summary", "Call Title", "Comments", "Description", "Notes",
                    "主题", "跟进内容", "拜访内容", "内容", "摘要", "备注"),
        "rep": ("Activity assigned to", "跟进人", "拜访人", "执行人", "创建人"),
        "customer": _CUSTOMER,
    },
    RecordKind.ORDER: {
        "external_id": ("Order Number", "Order ID", "SO Number", "Order Reference", "订单编号",
                        "订单号", "销售订单编号", "合同编号"),
        "amount": ("Order Amount", "Grand Total", "Total", "Total Amount", "订单金额",
                   "订单总额", "合同金额", "成交金额", "总金额"),
        "ordered_on": ("Order Date", "Ordered On", "Order Start Date", "Date Ordered",
                       "下单日期", "下单时间", "订单日期", "签约日期"),
        "customer": _CUSTOMER,
    },
    RecordKind.COMPLAINT: {
        "customer": ("投诉客户", *_CUSTOMER),
        "external_id": ("Case Number", "Ticket ID", "Complaint ID", "工单编号", "投诉编号"),
        "kind": ("Complaint Type", "Case Type", "Case Reason", "Category", "Type", "投诉类型",
                 "问题类型", "投诉分类", "类型"),
        "resolved_at": ("Resolved At", "Resolved", "Resolution Date", "Closed Date", "解决时间",
                        "处理完成时间", "结案时间", "关闭时间"),
        "satisfaction": ("Satisfaction", "Satisfaction Score", "CSAT", "满意度", "满意度评分",
                         "客户满意度"),
        "first_response_at": ("首次回复时间", "首次处理时间"),
    },
    RecordKind.TARGET: {
        "external_id": ("Target ID", "目标编号"),
        "grain": ("Period Type", "Grain", "周期类型", "目标周期", "考核周期"),
        "period_start": ("Period Start", "Start Date", "Month", "开始日期", "目标月份", "月份",
                         "周期开始日期"),
        "amount": ("Target Amount", "Target", "Quota", "目标金额", "目标", "指标", "销售目标"),
    },
    RecordKind.USER: {
        "external_id": ("User ID", "Employee ID", "Employee Number", "工号", "员工编号",
                        "用户ID"),
        "name": ("Full Name", "User Name", "Employee Name", "姓名", "员工姓名", "用户名"),
        "role": ("Role", "角色", "系统角色"),
        "hire_date": ("Hire Date", "Start Date", "Date of Joining", "入职日期", "入职时间"),
    },
}  # fmt: skip


def synonyms_for(kind: RecordKind, field_name: str) -> tuple[str, ...]:
    """Kind-specific synonyms first, then the shared ones."""
    return BY_KIND.get(kind, {}).get(field_name, ()) + SHARED.get(field_name, ())
