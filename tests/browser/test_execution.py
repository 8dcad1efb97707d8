"""The execution plan table, as people use it: the manager turns the plan's measures into tasks;
a team lead and the manager edit the same cell at once, and the one who saves second is shown
the other's value instead of overwriting it, then writes over it knowingly; the history keeps
both; Escape closes an editor; the table in Chinese."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.people import in_chinese, log_in, wait_until_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PILOT_TASK = "线索分 A/B/C 三级，A 类线索 2 个工作小时内响应"


def test_two_people_editing_one_row_never_lose_an_edit(
    live_server, page: Page, browser: Browser, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("button", name="Add a task for each measure of the plan").click()
    expect(page.locator(".messages")).to_contain_text("4 tasks added from the plan's measures.")
    expect(page.locator("#task-table tbody tr")).to_have_count(4)

    lead_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    lead_page = lead_context.new_page()
    log_in(lead_page, live_server, "demo.lead.south")
    lead_page.goto(f"{live_server.url}/execution/")
    lead_row = lead_page.locator("#task-table tbody tr", has_text=PILOT_TASK)
    # The team lead edits their team's row; the manager's company-wide rows are read only.
    expect(lead_page.locator("#task-table tbody tr")).to_have_count(4)
    expect(lead_page.locator("#task-table .cell-button")).not_to_have_count(0)
    shared = lead_page.locator("#task-table tbody tr", has_text="季度目标按月")
    expect(shared.locator(".cell-button")).to_have_count(0)

    # Both open the deliverable cell of the pilot task.
    lead_row.locator("td[id$='-deliverable'] .cell-button").click()
    manager_row = page.locator("#task-table tbody tr", has_text=PILOT_TASK)
    manager_row.locator("td[id$='-deliverable'] .cell-button").click()
    # The manager saves first, with Enter.
    manager_editor = manager_row.locator("td.editing input[name=value]")
    manager_editor.fill("分级标准 v1（经理）")
    manager_editor.press("Enter")
    expect(manager_row.locator("td[id$='-deliverable']")).to_contain_text("分级标准 v1（经理）")

    # The team lead saves on the copy they opened before: refused, with the manager's value.
    lead_editor = lead_row.locator("td.editing input[name=value]")
    lead_editor.fill("分级标准草案（组长）")
    lead_editor.press("Enter")
    conflict = lead_row.locator(".conflict")
    expect(conflict).to_contain_text("after you opened it")
    expect(conflict).to_contain_text("分级标准 v1（经理）")
    expect(lead_editor).to_have_value("分级标准草案（组长）")
    lead_page.screenshot(path=screenshot_path("execution-conflict"), full_page=True)
    lead_row.get_by_role("button", name="Save mine over theirs").click()
    expect(lead_row.locator("td[id$='-deliverable']")).to_contain_text("分级标准草案（组长）")

    # Both values are in the row's history, with who wrote them.
    lead_row.locator("details.history summary").click()
    history = lead_row.locator(".history-list")
    expect(history).to_contain_text("分级标准 v1（经理）")
    expect(history).to_contain_text("分级标准草案（组长）")

    # Escape closes an editor without saving.
    lead_row.locator("td[id$='-resources'] .cell-button").click()
    lead_row.locator("td.editing input[name=value]").fill("不会保存")
    lead_row.locator("td.editing input[name=value]").press("Escape")
    expect(lead_row.locator("td.editing")).to_have_count(0)
    expect(lead_row).not_to_contain_text("不会保存")

    # A bad date is refused in the cell, in words.
    lead_row.locator("td[id$='-ends_on'] .cell-button").click()
    lead_row.locator("td.editing input[name=value]").fill("2020-01-01")
    lead_row.locator("td.editing input[name=value]").press("Enter")
    expect(lead_row.locator(".field-error")).to_have_text("The end cannot come before the start.")
    lead_page.screenshot(path=screenshot_path("execution-plan"), full_page=True)

    in_chinese(lead_page)
    expect(lead_page.locator("h2").first).to_have_text("执行计划表")
    expect(lead_page.locator("#task-table thead")).to_contain_text("交付物")
    lead_page.screenshot(path=screenshot_path("execution-plan-zh"), full_page=True)
    lead_context.close()


def test_team_lead_records_a_late_measure_with_its_reason_and_exports_table_3(
    live_server, page: Page, demo_with_plan, screenshot_path, tmp_path
):
    import datetime as dt

    from openpyxl import load_workbook

    from planning.models import Measure

    # The pilot measure was planned to be done a week ago (the demo plans it ahead).
    week_ago = dt.date.today() - dt.timedelta(days=7)
    Measure.objects.filter(title=PILOT_TASK).update(planned_completion=week_ago)
    log_in(page, live_server, "demo.lead.south")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("link", name="Table 3 — measure tracking").click()

    row = page.locator("#measure-table tbody tr", has_text=PILOT_TASK)
    expect(row).to_contain_text("overdue")
    expect(row).to_contain_text("reason needed")
    row.locator("td[id$='-actual_completion'] .cell-button").click()
    row.locator("td.editing input[name=value]").fill(dt.date.today().isoformat())
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".field-error")).to_contain_text("needs the reason")
    wait_until_settled(page)
    # The refusal is about the reason: the cursor waits there, the date typed is kept.
    reason = row.locator("td.editing input[name=reason]")
    expect(reason).to_be_focused()
    expect(row.locator("td.editing input[name=value]")).to_have_value(dt.date.today().isoformat())
    reason.fill("CRM 字段配置等待 IT 排期")
    reason.press("Enter")
    expect(row.locator("td.editing")).to_have_count(0)
    expect(row.locator("td[id$='-reason']")).to_have_text("CRM 字段配置等待 IT 排期")
    expect(row.locator("td:not(.cell) > .status")).to_have_text("done late")
    row.locator("td[id$='-quality'] .cell-button").click()
    row.locator("td.editing select[name=value]").select_option("good")
    row.get_by_role("button", name="Save").click()
    expect(row.locator("td.editing")).to_have_count(0)
    expect(row.locator("td[id$='-quality']")).to_have_text("good")
    page.screenshot(path=screenshot_path("execution-table-3"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export to Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    rows = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert rows[0][:6] == ["measure", "owner", "planned completion", "actual completion",
                           "quality", "reason if late or not done"]  # fmt: skip
    pilot = next(line for line in rows if line[0] == PILOT_TASK)
    assert pilot[4:7] == ["good", "CRM 字段配置等待 IT 排期", "done late"]

    in_chinese(page)
    expect(page.locator("h2").first).to_have_text("表3 — 优化方案执行跟踪表")
    page.screenshot(path=screenshot_path("execution-table-3-zh"), full_page=True)


def test_manager_records_the_kickoff_and_a_rep_acknowledges_their_duty(
    live_server, page: Page, browser: Browser, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("link", name="Kick-off").click()
    form = page.locator("form[action$='/kickoff/save/']")
    form.get_by_label("place").fill("总部 3 楼大会议室")
    form.locator("#id_kickoff-measures").get_by_label(PILOT_TASK).check()
    form.get_by_role("button", name="Save the kick-off").click()
    expect(page.locator(".messages")).to_contain_text("Kick-off saved.")
    expect(page.locator("dl.facts")).to_contain_text(PILOT_TASK)

    page.locator("summary", has_text="Add an attendee").click()
    adding = page.locator("form[action$='/kickoff/attendees/']")
    from django.contrib.auth import get_user_model

    rep_name = get_user_model().objects.get(username="demo.rep.01").profile.display_name
    adding.get_by_label("salesopt user").select_option(label=rep_name)
    adding.get_by_label("duty").fill("A 类线索 2 个工作小时内响应，每周五写跟进记录")
    adding.get_by_role("button", name="Add the attendee").click()
    page.locator("summary", has_text="Add an attendee").click()
    adding.get_by_label("or a guest's name").fill("周敏")
    adding.get_by_label("department").fill("市场部")
    adding.get_by_label("duty").fill("每月按来源报告线索质量")
    adding.get_by_role("button", name="Add the attendee").click()
    guest = page.locator("#attendee-table tr", has_text="周敏")
    guest.get_by_role("button", name="record their acknowledgement").click()
    expect(guest).to_contain_text("recorded by")
    expect(page.locator("#kickoff h3")).to_contain_text("1 of 2 acknowledged")

    rep_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    rep_page = rep_context.new_page()
    log_in(rep_page, live_server, "demo.rep.01")
    rep_page.goto(f"{live_server.url}/execution/kickoff/")
    expect(rep_page.locator("#my-duty")).to_contain_text("每周五写跟进记录")
    rep_page.get_by_role("button", name="I have read my duty and take it on").click()
    expect(rep_page.locator("#my-duty")).to_contain_text("You acknowledged it on")
    expect(rep_page.locator("#kickoff h3")).to_contain_text("2 of 2 acknowledged")
    rep_page.screenshot(path=screenshot_path("execution-kickoff"), full_page=True)
    in_chinese(rep_page)
    expect(rep_page.locator("#kickoff h2")).to_have_text("启动会")
    rep_page.screenshot(path=screenshot_path("execution-kickoff-zh"), full_page=True)
    rep_context.close()


def test_team_lead_writes_the_variance_analysis_of_a_table_2_row_inline(
    live_server, page: Page, browser: Browser, demo_with_plan, screenshot_path
):
    from django.core.management import call_command

    call_command("seed_demo_execution", verbosity=0)
    log_in(page, live_server, "demo.lead.south")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("link", name="Table 2 — targets").click()
    rows = page.locator("#target-table tbody tr")
    expect(rows.first).to_contain_text("华南")  # their reps' rows, in 华南
    expect(page.locator("#target-table")).not_to_contain_text("the company")
    row = rows.first
    element = row.locator("td[id$='-variance_note']").get_attribute("id")

    # The manager, in a second browser, opens the same row's variance analysis.
    manager_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    manager_page = manager_context.new_page()
    log_in(manager_page, live_server, "demo.manager")
    manager_page.goto(f"{live_server.url}/execution/targets/")
    manager_cell = manager_page.locator(f"#{element}")
    manager_cell.locator(".cell-button").click()

    row.locator("td[id$='-variance_note'] .cell-button").click()
    row.locator("td.editing input[name=value]").fill("竞品促销，两个大客户推迟签约")
    row.locator("td.editing input[name=value]").press("Enter")
    expect(row.locator("td[id$='-variance_note']")).to_contain_text("竞品促销，两个大客户推迟签约")

    # The manager saves on the copy opened before: refused, shown the team lead's analysis.
    manager_editor = manager_page.locator(f"#{element} input[name=value]")
    manager_editor.fill("经理的分析")
    manager_editor.press("Enter")
    conflict = manager_page.locator(f"#{element} .conflict")
    expect(conflict).to_contain_text("after you opened it")
    expect(conflict).to_contain_text("竞品促销，两个大客户推迟签约")
    manager_page.screenshot(path=screenshot_path("execution-table-2-conflict"), full_page=True)
    manager_context.close()
    row.locator("td[id$='-corrective_action'] .cell-button").click()
    row.locator("td.editing input[name=value]").fill("下周加大高端客户拜访")
    row.locator("td.editing input[name=value]").press("Enter")
    expect(row.locator("td[id$='-corrective_action']")).to_contain_text("下周加大高端客户拜访")
    page.screenshot(path=screenshot_path("execution-table-2"), full_page=True)
    in_chinese(page)
    expect(page.locator("#targets h2")).to_have_text("表2 — 销售目标分解与跟踪表")
    page.screenshot(path=screenshot_path("execution-table-2-zh"), full_page=True)


def test_manager_sets_a_quarter_and_splits_it_down_so_that_the_parts_add_up(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/execution/targets/?quarter=2027-Q1")
    page.get_by_label("company target for 2027-Q1 (¥)").fill("5000000")
    page.get_by_label("split into months").select_option("even")
    page.get_by_role("button", name="Save the quarterly target").click()
    expect(page.locator(".messages")).to_contain_text("Quarterly target saved.")
    expect(page.locator("#target-table tbody tr")).to_have_count(3)

    # Not split yet: the split form is open.
    page.get_by_label("华南 (¥)").fill("3000000")
    page.get_by_label("华东 (¥)").fill("1000000")
    page.get_by_role("button", name="Save the split").click()
    expect(page.locator(".form-errors")).to_contain_text("¥1,000,000.00 short")
    # What was typed is still there: only the missing part needs adding.
    expect(page.get_by_label("华南 (¥)")).to_have_value("3000000")
    page.get_by_label("华北 (¥)").fill("1000000")
    page.get_by_role("button", name="Save the split").click()
    expect(page.locator(".messages")).to_contain_text("The quarter is split down.")
    expect(page.locator("#targets")).to_contain_text("Parts: ¥5,000,000.00 of ¥5,000,000.00")
    page.screenshot(path=screenshot_path("execution-table-2-split"), full_page=True)


def test_manager_runs_and_closes_a_weekly_review(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("link", name="Weekly reviews").click()
    page.get_by_role("button", name="Open the review of that week").click()
    expect(page.locator("#review h2")).to_contain_text("Weekly review")
    page.get_by_label("Notes").fill("分级规则已生效，CRM 提醒晚两天上线。")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.locator(".messages")).to_contain_text("Notes saved.")
    page.get_by_label("decision").fill("周五前开通 CRM 接口权限")
    page.get_by_role("button", name="Add the decision").click()
    expect(page.locator("#decisions")).to_contain_text("周五前开通 CRM 接口权限")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close the review").click()
    expect(page.locator(".messages")).to_contain_text("Review closed")
    expect(page.locator("#review")).to_contain_text("the figures below are as they were reviewed")
    expect(page.get_by_role("button", name="Close the review")).to_have_count(0)
    page.screenshot(path=screenshot_path("execution-review"), full_page=True)
    in_chinese(page)
    page.screenshot(path=screenshot_path("execution-review-zh"), full_page=True)


def test_team_lead_edits_the_plan_in_excel_and_imports_it_back(
    live_server, page: Page, demo_with_plan, screenshot_path, tmp_path
):
    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from execution import services
    from salesopt.core.models import Program

    manager = get_user_model().objects.get(username="demo.manager")
    services.tasks_from_measures(program=Program.objects.get(), by=manager)
    log_in(page, live_server, "demo.lead.south")
    page.goto(f"{live_server.url}/execution/")
    in_chinese(page)
    expect(page.locator("h2").first).to_have_text("执行计划表")
    with page.expect_download() as download:
        page.locator("a[href$='/execution/tasks/export.xlsx']").click()
    exported = tmp_path / "plan.xlsx"
    download.value.save_as(exported)

    # In the spreadsheet: the pilot task's deliverable and notes, in the Chinese headers.
    book = load_workbook(exported)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    pilot = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == PILOT_TASK)
    sheet.cell(pilot, header.index("交付物") + 1, "A/B/C 分级标准 v2")
    sheet.cell(pilot, header.index("备注（延期原因）") + 1, '=HYPERLINK("http://x","y")')
    edited = tmp_path / "plan-edited.xlsx"
    book.save(edited)

    page.locator("#sheet-upload-plan input[type=file]").set_input_files(str(edited))
    page.locator("#sheet-upload-plan button").click()
    changes = page.locator("#sheet-changes")
    expect(changes).to_contain_text("A/B/C 分级标准 v2")
    expect(changes.locator("tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_path("execution-import-check-zh"), full_page=True)
    page.locator("#sheet-apply").click()
    expect(page.locator(".messages")).to_contain_text("plan-edited.xlsx")
    row = page.locator("#task-table tbody tr", has_text=PILOT_TASK)
    expect(row).to_contain_text("A/B/C 分级标准 v2")
    expect(row).to_contain_text('=HYPERLINK("http://x","y")')  # shown as text, not a link
    expect(row.locator("a[href='http://x']")).to_have_count(0)

    # The old copy again, now stale and with a bad date: refused, nothing written, each problem
    # in its row and column.
    sheet.cell(pilot, header.index("结束") + 1, "下周五")
    book.save(edited)
    page.locator("#sheet-upload-plan input[type=file]").set_input_files(str(edited))
    page.locator("#sheet-upload-plan button").click()
    expect(page.locator("#sheet-refused")).to_be_visible()
    problems = page.locator("#sheet-problems")
    expect(problems).to_contain_text("请按 YYYY-MM-DD 输入日期")
    page.screenshot(path=screenshot_path("execution-import-refused-zh"), full_page=True)


def test_team_lead_coaches_a_new_rep_on_their_follow_up_records(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    from django.core.management import call_command

    call_command("seed_demo_execution", verbosity=0)
    log_in(page, live_server, "demo.lead.south")
    page.goto(f"{live_server.url}/execution/")
    page.get_by_role("link", name="New-rep coaching").click()
    card = page.locator(".coaching-card").first
    expect(card).to_contain_text("missing")
    expect(card).to_contain_text("nothing recorded")
    expect(card.locator(".coaching-history summary")).to_contain_text("1 coaching recorded")

    # The records not yet taken up come ticked; the lead writes what was said and records it.
    expect(card.locator("input[name=items]:checked")).not_to_have_count(0)
    expect(card.locator("input[name=items]:not(:checked)")).to_have_count(1)  # the coached one
    card.locator("textarea[name=note]").fill("跟进当天写记录：预算、时间、决策人缺一不可")
    card.get_by_role("button", name="Record the coaching").click()
    card = page.locator(".coaching-card").first
    expect(card).to_contain_text("Coaching recorded.")
    expect(card.locator(".coaching-history")).to_contain_text("跟进当天写记录")
    expect(card.locator("input[name=items]:checked")).to_have_count(0)
    expect(page.locator("#coaching-summary")).to_contain_text("0 records to take up")
    page.screenshot(path=screenshot_path("execution-coaching"), full_page=True)

    in_chinese(page)
    expect(page.locator("h2").first).to_have_text("新人带教")
    expect(page.locator(".coaching-card").first).to_contain_text("未写记录")
    page.screenshot(path=screenshot_path("execution-coaching-zh"), full_page=True)
