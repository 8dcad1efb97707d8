"""The lead process as people use it, on the demo company: the manager changes the grading
rules, previews and applies them; a rep works their queue and ticks the follow-up checklist;
a team lead hears of a breach through the bell and assigns a lead from the unassigned queue.
Each in English, then in Chinese through the language switcher."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from salesopt.core.models import Lead, Role
from salesopt.leads.reminders import remind
from tests.browser.people import in_chinese, log_in
from tests.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_edits_the_grading_rules_previews_and_applies_them(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    log_in(page, live_server, "demo.manager")
    page.goto(f"{live_server.url}/plan/")
    page.get_by_role("link", name="Edit the grading rules and deadlines").click()
    page.get_by_role("button", name="Draft a new version").click()
    draft = page.locator("#draft-section")
    expect(draft).to_contain_text("Draft: version 2")

    draft.locator("#rule-form summary").click()
    draft.locator("#id_rule-grade").select_option("A")
    draft.locator("#id_rule-industries").fill("能源")
    draft.get_by_role("button", name="Add the rule").click()
    expect(draft).to_contain_text("industry 能源")

    page.get_by_role("button", name="Preview on the real leads").click()
    preview = page.locator("#preview-section")
    expect(preview.locator("#preview-grades")).to_be_visible()
    expect(preview).to_contain_text("Applying it re-grades")
    page.screenshot(path=screenshot_path("grading-preview"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Apply version 2").click()
    expect(page.locator("#regrade-section")).to_contain_text("Version 2 applied")
    expect(page.locator("#in-force-section")).to_contain_text("能源")
    page.screenshot(path=screenshot_path("grading-applied"), full_page=True)

    in_chinese(page)
    expect(page.locator("#regrade-section")).to_contain_text("版本 2 已应用")
    page.screenshot(path=screenshot_path("grading-applied-zh"), full_page=True)


def test_rep_works_their_queue_and_ticks_the_follow_up_checklist(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    fresh = Lead.objects.get(external_id="today-0")  # 周婷: an A lead, due within hours
    owner = fresh.owner.username
    log_in(page, live_server, owner)
    page.get_by_role("link", name="My leads").click()
    queue = page.locator("#queue-table")
    expect(queue).to_contain_text("周婷")
    expect(queue.locator("tr", has_text="周婷")).to_contain_text("left")
    page.screenshot(path=screenshot_path("my-leads"), full_page=True)

    page.get_by_label("grade").select_option("A")
    page.get_by_role("button", name="Filter").click()
    expect(queue.locator("tbody tr td:first-child").first).to_have_text("A")

    queue.get_by_role("link", name="周婷").click()
    checklist = page.locator("#checklist")
    item = checklist.locator("li", has_text="三大核心需求")
    item.get_by_placeholder("note (optional)").fill("预算 50 万，年底前上线，决策人为 CTO")
    item.get_by_role(
        "button", name="Mark as done: 首次联系时记录客户三大核心需求（预算、时间、决策人）"
    ).click()
    expect(checklist.locator("li", has_text="三大核心需求")).to_contain_text("预算 50 万")
    expect(checklist).to_contain_text("☑")
    page.screenshot(path=screenshot_path("lead-checklist"), full_page=True)

    in_chinese(page)
    expect(page.locator("#checklist")).to_contain_text("跟进清单")
    page.screenshot(path=screenshot_path("lead-checklist-zh"), full_page=True)


def test_team_lead_hears_of_a_breach_and_assigns_a_waiting_lead(
    live_server, page: Page, demo_with_plan, screenshot_path
):
    team_lead = get_user_model().objects.get(username="demo.lead.south")
    rep = (
        get_user_model()
        .objects.filter(profile__team=team_lead.profile.team, profile__role=Role.SALES_REP)
        .order_by("pk")
        .last()
    )
    late = LeadFactory(owner=rep, crm_grade="A", name="超时的客户",
                       created_in_crm_at=timezone.now() - dt.timedelta(days=1))  # fmt: skip
    Lead.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(minutes=30))
    remind()

    log_in(page, live_server, "demo.lead.south")
    bell = page.locator("#bell")
    expect(bell.locator(".bell-count")).to_be_visible()
    bell.click()
    notice = page.locator("#notification-list li", has_text="超时的客户")
    expect(notice).to_contain_text("Your team missed a deadline")
    page.screenshot(path=screenshot_path("notifications"), full_page=True)
    notice.get_by_role("link").click()
    expect(page.locator("#lead-facts")).to_contain_text("overdue")

    page.locator(".phase-nav .nav-leads").click()
    page.get_by_role("link", name="Unassigned").click()
    waiting = page.locator("#queue-table tr", has_text="何静")
    expect(waiting).to_contain_text("no assignment rule routes")
    page.screenshot(path=screenshot_path("unassigned-queue"), full_page=True)
    waiting.get_by_role("link", name="何静").click()
    page.get_by_label("rep").select_option(label=f"{rep.profile} · {rep.profile.team}")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text(f"The lead is now {rep.profile}'s.")
    expect(page.locator("#assignment-log")).to_contain_text("Assigned by hand by")

    in_chinese(page)
    expect(page.locator("#assignment-log")).to_contain_text("分配记录")
    page.screenshot(path=screenshot_path("lead-assigned-zh"), full_page=True)
    page.locator(".phase-nav .nav-leads").click()
    page.get_by_role("link", name="待分配").click()
    page.screenshot(path=screenshot_path("unassigned-queue-zh"), full_page=True)
