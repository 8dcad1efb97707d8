"""Playwright drives Debian's Chromium (never a downloaded browser) against live_server."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import require

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is fine (the tests are not async code).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(
        Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH) is not None,
        f"no Chromium at {CHROMIUM_PATH} (apt-get install chromium)",
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser: the test switches to Chinese through the UI like a person would.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def screenshot_path():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda name: str(SCREENSHOTS / f"{name}.png")


@pytest.fixture(autouse=True)
def no_blocked_script_and_no_script_error(request):
    """Every browser test fails on a console error (a Content-Security-Policy violation, a
    missing file) or an uncaught script error: the pages must work under the policy, with no
    inline script, and quietly."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    problems: list[str] = []
    # Any console error: a CSP violation, a missing file (the favicon's 404 once), a failed
    # request.
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield
    assert problems == []


@pytest.fixture
def demo_with_plan():
    """A small demo company with its KPIs and its plan: the lead process in force."""
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    call_command("seed_demo_plan", verbosity=0)
