"""A sales manager logs in, switches to Chinese, and reads the dashboard chart."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_company():
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)


def test_manager_logs_in_switches_to_chinese_and_sees_the_chart(
    live_server, page: Page, demo_company, screenshot_path
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.wait_for_load_state("load")
    assert [url for url in requested if "plotly" in url] == []  # no chart, no plotly.js
    page.get_by_label("Username").fill("demo.manager")
    page.get_by_label("Password").fill("salesopt-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("#chart-revenue-vs-target .main-svg").first).to_be_visible()
    assert len([url for url in requested if "plotly.min" in url]) == 1

    page.locator("#language-switcher-select").select_option("zh-hans")

    expect(page.get_by_role("heading", name="概览")).to_be_visible()
    expect(page.get_by_role("link", name="现状诊断")).to_be_visible()
    chart = page.locator("#chart-revenue-vs-target")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".bars path").first).to_be_visible()
    expect(page.locator('[data-kpi="revenue"] .kpi-value')).to_contain_text("¥")
    page.screenshot(path=screenshot_path("dashboard-zh"), full_page=True)


def test_quarter_picker_swaps_the_figures_without_a_reload(
    live_server, page: Page, demo_company, screenshot_path
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("demo.manager")
    page.get_by_label("Password").fill("salesopt-demo")
    page.get_by_role("button", name="Log in").click()
    page.evaluate("window.__notReloaded = true")
    revenue = page.locator('[data-kpi="revenue"] .kpi-value')
    before = revenue.inner_text()

    page.locator("#quarter-select").select_option(index=1)

    expect(revenue).not_to_have_text(before)
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("#chart-revenue-vs-target .main-svg").first).to_be_visible()
    page.screenshot(path=screenshot_path("dashboard-previous-quarter"), full_page=True)
