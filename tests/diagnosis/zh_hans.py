"""Simplified Chinese of every message the diagnosis app adds (to merge into the project catalog).

Plain keys are msgids; a (singular, plural) key is a plural entry, whose one Chinese form is
msgstr[0] (Chinese has nplurals=1). Until the project catalog holds them, the `chinese` fixture
lays these under it, so the Chinese tests run against the real gettext machinery.
"""

MESSAGES: dict[str | tuple[str, str], str] = {
    # diagnosis/exports.py
    "Problem dimension": "问题维度",
    "Problem description": "具体问题描述",
    "Impact level (high / medium / low)": "影响程度（高/中/低）",
    "Root cause analysis": "根本原因分析",
    "Impact per quarter (%(currency)s)": "每季度影响（%(currency)s）",
    "Evidence": "证据",
    "Table 1": "表1",
    # diagnosis/forms.py
    "member": "成员",
    "duty": "职责",
    "team leader": "诊断负责人",
    "interviewee": "受访人",
    "or their name": "或填写姓名",
    "For someone without a salesopt account.": "适用于没有 salesopt 账号的人员。",
    "role or department": "岗位或部门",
    "interviewer": "访谈人",
    "held on": "访谈日期",
    "notes": "访谈记录",
    "tags": "标签",
    "other tags": "其他标签",
    "Separated by commas, e.g. approvals, CRM training.": "用逗号分隔，例如：审批、CRM 培训。",
    "Search the notes": "搜索访谈记录",
    "tag": "标签",
    "problem dimension": "问题维度",
    "problem description": "具体问题描述",
    "impact level": "影响程度",
    "impact per quarter": "每季度影响",
    "root cause": "根本原因",
    "evidence link": "证据链接",
    "issue": "问题",
    # diagnosis/models.py
    "data collection": "数据收集",
    "interviews": "访谈",
    "issue log": "问题记录",
    "marketing": "市场部",
    "finance": "财务部",
    "after-sales": "售后",
    "process blocker": "流程障碍",
    "resource need": "资源需求",
    "lead quality": "线索质量",
    "recurring issue": "反复出现的问题",
    "Lead management": "线索管理",
    "Customer conversion": "客户转化",
    "Team collaboration": "团队协作",
    "Sales process": "销售流程",
    "Team capability": "团队能力",
    "Tools and data": "工具与数据",
    "Customer service": "客户服务",
    "from the data": "来自数据",
    "logged by hand": "手工记录",
    "proposed": "待确认",
    "accepted": "已采纳",
    "dismissed": "已忽略",
    "Give a link that starts with https://, http:// or / (a salesopt page).": (
        "请填写以 https://、http:// 或 /（salesopt 页面）开头的链接。"
    ),
    "diagnosis team member": "诊断小组成员",
    "diagnosis team members": "诊断小组成员",
    "interviewee's name": "受访人姓名",
    "interview": "访谈",
    "interview tag": "访谈标签",
    "interview tags": "访谈标签",
    "source": "来源",
    "rule": "规则",
    "finding": "诊断发现",
    "evidence": "证据",
    "decided by": "决定人",
    "decided at": "决定时间",
    "findings": "诊断发现",
    "position": "顺序",
    "Table 1 row": "表1行",
    "Table 1 rows": "表1行",
    # diagnosis/services.py
    "The baseline window must cover %(min)s to %(max)s months.": (
        "基线期须为 %(min)s 至 %(max)s 个月。"
    ),
    "The baseline is history: it cannot end after today.": "基线期是历史数据，不能晚于今天结束。",
    "The baseline must end before execution starts.": "基线期须在执行开始前结束。",
    "Choose one of the duties.": "请选择一项职责。",
    "Someone else was just made leader; try again.": "刚刚有其他人被设为负责人，请重试。",
    "Choose tags from the list.": "请从列表中选择标签。",
    "A tag has at most %(max)s characters.": "每个标签最多 %(max)s 个字符。",
    "Choose a person or type the interviewee's name.": "请选择人员或填写受访人姓名。",
    "Choose a role or department.": "请选择岗位或部门。",
    "Write down what was said.": "请记录访谈内容。",
    "An interview cannot be recorded before it is held.": "访谈尚未进行，不能提前记录。",
    "Name the problem dimension.": "请填写问题维度。",
    "Choose high, medium or low.": "请选择高、中或低。",
    "Give the impact as a positive amount.": "影响金额须为正数。",
    "Describe the problem.": "请描述问题。",
    "A finding from the data names its rule.": "来自数据的诊断发现须注明规则。",
    "Name the issue.": "请填写问题。",
    "This finding has already been decided.": "该诊断发现已处理。",
    # diagnosis/views.py
    "There is no program yet.": "还没有优化方案。",
    # templates/diagnosis/forbidden.html
    "The diagnosis is not open to your role": "您的角色无权查看现状诊断",
    "Interview notes are confidential: the diagnosis is read by sales managers, team leads and "
    "executives. Your sales manager shares its results at the kick-off meeting.": (
        "访谈记录属于保密内容：现状诊断仅供销售负责人、小组长和高管查看。"
        "销售负责人会在启动会上分享诊断结果。"
    ),
    "Back to the overview": "返回概览",
    # templates/diagnosis/landing.html
    "Diagnosis report": "现状诊断报告",
    "Table 1 (XLSX)": "表1（XLSX）",
    "A diagnosis belongs to an optimization program. Once an admin or sales manager has created "
    "one, its workspace opens here.": (
        "现状诊断隶属于一个优化方案。管理员或销售负责人创建方案后，诊断工作台将在此打开。"
    ),
    "Where does the sales machine leak? The baseline figures, the interviews and the findings "
    "lead to Table 1: problem → impact → cause.": (
        "销售体系的漏洞在哪里？基线数据、访谈和诊断发现汇总为表1：问题 → 影响 → 原因。"
    ),
    "Baseline window": "基线期",
    ("%(counter)s month", "%(counter)s months"): "%(counter)s 个月",
    "Diagnosis team": "诊断小组",
    ("person on the team", "people on the team"): "位成员",
    "Interviews": "访谈",
    ("%(counter)s recurring theme", "%(counter)s recurring themes"): "%(counter)s 个反复出现的主题",
    (
        "%(counter)s high impact · %(amount)s per quarter",
        "%(counter)s high impact · %(amount)s per quarter",
    ): "%(counter)s 项高影响 · 每季度 %(amount)s",
    "Baseline figures": "基线数据",
    "Attainment, lead conversion, response times, workload and complaints over the baseline "
    "window will be charted here from the imported CRM data.": (
        "基线期内的目标达成、线索转化、响应时间、工作量和客诉，将根据导入的 CRM 数据在此绘制图表。"
    ),
    "Proposed findings": "待确认的诊断发现",
    "Problems found in the data over the baseline window, and issues logged by hand. Accept one "
    "to add it to Table 1.": "从基线期数据中发现的问题，以及手工记录的问题。采纳后即加入表1。",
    "Impact: %(amount)s per quarter": "影响：每季度 %(amount)s",
    "See the evidence": "查看证据",
    "Accept into Table 1": "采纳到表1",
    "Dismiss": "忽略",
    "No finding waits for a decision.": "没有待处理的诊断发现。",
    "Log an issue by hand": "手工记录问题",
    "Log the issue": "记录问题",
    "Table 1 — diagnosis table": "表1 — 销售现状诊断表",
    ("%(counter)s problem", "%(counter)s problems"): "%(counter)s 个问题",
    "%(amount)s per quarter": "每季度 %(amount)s",
    "Impact level": "影响程度",
    "Impact per quarter": "每季度影响",
    "Root cause": "根本原因",
    "Actions": "操作",
    "No problem in Table 1 yet: accept a finding or add a row.": (
        "表1 还没有问题：请采纳诊断发现或添加一行。"
    ),
    "Add a row": "添加一行",
    "Add to Table 1": "加入表1",
    "Recurring themes": "反复出现的主题",
    "Search the notes, people and tags": "搜索访谈记录、人员和标签",
    "Search": "搜索",
    ("%(counter)s interview", "%(counter)s interviews"): "%(counter)s 次访谈",
    "the newest %(shown)s shown": "显示最近 %(shown)s 次",
    "show all": "显示全部",
    "by %(name)s": "访谈人：%(name)s",
    "Delete these interview notes?": "删除这条访谈记录？",
    "Delete": "删除",
    "No interview matches.": "没有匹配的访谈。",
    "No interview notes yet.": "还没有访谈记录。",
    "Add interview notes": "添加访谈记录",
    "Save the notes": "保存访谈记录",
    "Member": "成员",
    "Duty": "职责",
    "leader": "负责人",
    "Remove": "移除",
    "No one on the team yet: a leader (the sales manager) and members for data collection, "
    "interviews and the issue log.": (
        "小组还没有成员：需要一名负责人（销售负责人），以及负责数据收集、访谈和问题记录的成员。"
    ),
    "Add or update": "添加或更新",
    "6 to 12 months of history: the baseline figures and the findings are computed over this "
    "window.": "6 至 12 个月的历史数据：基线数据和诊断发现都按此期间计算。",
    "Save the window": "保存基线期",
    "to analyse": "待分析",
    "Edit": "编辑",
    "Move up": "上移",
    "Move down": "下移",
    "Delete this row of Table 1?": "删除表1中的这一行？",
    "Save": "保存",
    "Cancel": "取消",
    # templates/diagnosis/report.html
    "Baseline %(start)s – %(end)s": "基线期 %(start)s – %(end)s",
    "sales manager: %(name)s": "销售负责人：%(name)s",
    "executive sponsor: %(name)s": "高层发起人：%(name)s",
    "As of %(day)s": "截至 %(day)s",
    "Print": "打印",
    "Back to the workspace": "返回工作台",
    "Problems in Table 1": "表1中的问题",
    "%(high)s high · %(medium)s medium · %(low)s low": "高 %(high)s · 中 %(medium)s · 低 %(low)s",
    "Estimated impact": "预估影响",
    "per quarter, where the impact is known": "每季度（仅计已知影响）",
    ("%(counter)s person on the diagnosis team", "%(counter)s people on the diagnosis team"): (
        "诊断小组 %(counter)s 人"
    ),
    "Table 1 is empty.": "表1 为空。",
    "Findings behind the table": "表1 背后的诊断发现",
    "No finding has been accepted yet.": "还没有采纳的诊断发现。",
    "Interview themes": "访谈主题",
    "No one on the team yet.": "小组还没有成员。",
}
