"""The execution plan table, as people use it: the manager turns the plan's measures into tasks;
a team lead and the manager edit the same cell at once, and the one who saves second is shown
the other's value instead of overwriting it, then writes over it knowingly; the history keeps
both; Escape closes an editor; the table in Chinese."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.people import in_chinese, log_in

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
    row.locator("td.editing input[name=reason]").fill("CRM 字段配置等待 IT 排期")
    row.locator("td.editing input[name=reason]").press("Enter")
    expect(row).to_contain_text("done late")
    expect(row).to_contain_text("CRM 字段配置等待 IT 排期")
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
