"""Every page, in English and in Chinese, at desktop and at phone width (390 px): nothing wider
than the screen (tables scroll inside themselves), and a screenshot of each to look at."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from salesopt.imports.models import ImportRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PAGES = {
    "overview": "/",
    "diagnosis": "/diagnosis/",
    "diagnosis-report": "/diagnosis/report/",
    "plan": "/plan/",
    "execution": "/execution/",
    "evaluation": "/evaluation/",
    "imports": "/imports/",
}


@pytest.fixture
def demo_company():
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("salesopt-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("nav")).to_be_visible()


def switch_to_chinese(page: Page) -> None:
    page.locator("#language-switcher-select").first.select_option("zh-hans")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# The elements that reach past the screen, outside any box that scrolls or clips them.
OFFENDERS = r"""() => {
    const width = window.innerWidth, found = [];
    const clipping = ["auto", "scroll", "hidden", "clip"];
    const scrolls = (el) => clipping.includes(getComputedStyle(el).overflowX);
    const walk = (el) => {
        for (const child of el.children) {
            if (scrolls(child)) continue;
            const box = child.getBoundingClientRect();
            // Its box, or content spilling out of it (a word too long to wrap, say).
            const reach = box.left + Math.max(box.width, child.scrollWidth);
            if (box.width === 0) walk(child);  // display: contents, or nothing drawn
            else if (reach > width + 1) {
                const inner = found.length;
                walk(child);
                if (found.length === inner) {
                    found.push(child.tagName.toLowerCase() + (child.id ? "#" + child.id : "") +
                               (child.className && typeof child.className === "string"
                                ? "." + child.className.trim().split(/\s+/).join(".") : "") +
                               " " + Math.round(reach - box.left) + "px at y " +
                               Math.round(box.top + window.scrollY) + " in " +
                               (child.parentElement.id || child.parentElement.className));
                }
            } else walk(child);
        }
    };
    walk(document.body);
    return found.slice(0, 5);
}"""


def test_every_page_fits_a_phone_in_both_languages(
    live_server, page: Page, demo_company, screenshot_path, tmp_path
):
    log_in(page, live_server.url, "demo.admin")
    # An import to show: the history's row and its detail page.
    upload = tmp_path / "leads.csv"
    upload.write_text("Lead ID,Name,Created Date\nL1,王伟,2024-03-01\n", encoding="utf-8")
    page.goto(f"{live_server.url}/imports/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and recognise").click()
    expect(page.locator("h1")).to_have_text("leads.csv")
    pages = {**PAGES, "import-detail": f"/imports/{ImportRun.objects.get().pk}/"}

    too_wide = []
    for language in ("en", "zh"):
        if language == "zh":
            switch_to_chinese(page)
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("load")
                if (extra := overflow(page)) > 0:
                    offenders = ", ".join(page.evaluate(OFFENDERS))
                    too_wide.append(f"{name} {language} {size_name}: {extra}px ({offenders})")
                page.screenshot(
                    path=screenshot_path(f"page-{name}-{language}-{size_name}"), full_page=True
                )

    assert too_wide == [], "\n".join(too_wide)
