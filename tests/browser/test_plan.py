"""A sales manager writes a goal from an accepted finding and sees its baseline, then a
measure piloted on one team against another; in both languages."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from diagnosis.models import Finding
from diagnosis.services import finding_accept, findings_refresh
from salesopt.core.models import Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accepted_finding():
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    program = Program.objects.get()
    findings_refresh(program=program, user=program.manager)
    finding = Finding.objects.get(rule_key="slow_response:region:华南")
    finding_accept(finding=finding, user=program.manager)
    return finding


def log_in(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("demo.manager")
    page.get_by_label("Password").fill("salesopt-demo")
    page.get_by_role("button", name="Log in").click()


def test_manager_writes_a_goal_from_a_finding_and_a_piloted_measure(
    live_server, page: Page, accepted_finding, screenshot_path
):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/plan/")
    page.get_by_role("link", name="Slow lead response in 华南").click()

    form = page.locator("#goal-form")
    expect(form.get_by_label("KPI")).to_have_value("first_response_hours")
    form.get_by_label("target as").select_option("relative")
    form.locator("#id_goal-target_input").fill("-50")
    form.get_by_label("deadline").fill("2027-06-30")
    form.get_by_role("button", name="Add the goal").click()

    goal = page.locator("#goals-section .goal").first
    expect(goal).to_contain_text("First response time")
    expect(goal).to_contain_text("华南")
    expect(goal).to_contain_text("Baseline")
    expect(goal.locator(".goal-chart .main-svg").first).to_be_visible()
    page.screenshot(path=screenshot_path("plan-goal"), full_page=True)

    measures = page.locator("#measures-section")
    measures.locator("summary").click()
    measures.get_by_label("line").select_option("process")
    measures.locator("#id_measure-title").fill("A leads answered within 2 working hours")
    measures.get_by_label("planned completion").fill("2027-03-31")
    measures.locator("#id_measure-pilot_teams").get_by_label("华南区域组").check()
    measures.locator("#id_measure-control_teams").get_by_label("华南区域组").check()
    measures.get_by_label("starts on").fill("2027-01-04")
    measures.get_by_role("button", name="Add the measure").click()
    expect(measures).to_contain_text("Pilot and control must not overlap")

    measures.locator("#id_measure-control_teams").get_by_label("华南区域组").uncheck()
    measures.locator("#id_measure-control_teams").get_by_label("华东区域组").check()
    measures.get_by_role("button", name="Add the measure").click()
    expect(measures.locator("tbody")).to_contain_text("A leads answered within 2 working hours")
    page.screenshot(path=screenshot_path("plan-measure"), full_page=True)

    page.goto(f"{live_server.url}/plan/")
    page.locator("#language-switcher-select").select_option("zh-hans")
    expect(page.locator("#goals-section")).to_contain_text("基线")
    page.screenshot(path=screenshot_path("plan-zh"), full_page=True)
