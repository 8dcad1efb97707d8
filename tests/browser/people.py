"""What a person does on every browser test's way in: log in, switch the language."""

from __future__ import annotations

from playwright.sync_api import Page

DEMO_PASSWORD = "salesopt-demo"


def log_in(page: Page, live_server, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def in_chinese(page: Page) -> None:
    """Switch to Simplified Chinese through the top bar's language switcher."""
    page.locator("#language-switcher-select").select_option("zh-hans")
