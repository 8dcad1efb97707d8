"""What a person does on every browser test's way in: log in, switch the language; and the pause
a person takes without thinking before typing into what a page has just drawn."""

from __future__ import annotations

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "salesopt-demo"


def log_in(page: Page, live_server, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def in_chinese(page: Page) -> None:
    """Switch to Simplified Chinese through the top bar's language switcher."""
    page.locator("#language-switcher-select").select_option("zh-hans")


def wait_until_settled(page: Page) -> None:
    """htmx wires up and focuses (autofocus) the content it swapped in 20 ms after drawing it. A
    person never types within those 20 ms; a test can, and its keys then land in the field htmx
    focuses a moment later. Wait until htmx has finished with every swapped element."""
    expect(page.locator(".htmx-added")).to_have_count(0)
