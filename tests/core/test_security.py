"""Hardening: login throttling with an audit trail, the Content-Security-Policy, no-store caching,
and sessions that end after inactivity and at an absolute limit."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-password-42"


@pytest.fixture
def account(manager):
    manager.set_password(PASSWORD)
    manager.save(update_fields=["password"])
    return manager


def log_in(client, username: str, password: str, **headers: str):
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )


# --- login throttling -------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, account):
    for _attempt in range(4):
        assert log_in(client, "manager", "wrong").status_code == 200
    assert log_in(client, "manager", "wrong").status_code == 429  # the fifth says so at once

    locked = log_in(client, "manager", PASSWORD)

    assert locked.status_code == 429
    assert "This account is locked after 5 wrong passwords in a row." in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_the_lockout_page_speaks_chinese(client, account):
    for _attempt in range(5):
        log_in(client, "manager", "wrong")

    locked = log_in(client, "manager", PASSWORD, **{"Accept-Language": "zh-hans"})

    assert locked.status_code == 429
    assert "密码错误次数过多" in locked.content.decode()


def test_the_lock_ends_after_the_cool_off(client, account, time_machine):
    time_machine.move_to(FROZEN_NOW, tick=False)
    for _attempt in range(5):
        log_in(client, "manager", "wrong")
    assert log_in(client, "manager", PASSWORD).status_code == 429

    time_machine.move_to(FROZEN_NOW + dt.timedelta(minutes=16), tick=False)
    response = log_in(client, "manager", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(account.pk)


def test_a_successful_login_restarts_the_count(client, account):
    for _attempt in range(4):
        log_in(client, "manager", "wrong")
    assert log_in(client, "manager", PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(4):
        log_in(client, "manager", "wrong")

    assert log_in(client, "manager", PASSWORD).status_code == 302


def test_every_attempt_leaves_an_audit_line(client, account):
    log_in(client, "manager", "wrong", **{"User-Agent": "curl/8"})
    log_in(client, "manager", PASSWORD, **{"User-Agent": "Firefox"})

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address, failure.user_agent) == (
        "manager",
        "127.0.0.1",
        "curl/8",
    )
    success = AccessLog.objects.get()
    assert (success.username, success.user_agent) == ("manager", "Firefox")


def test_one_address_trying_many_accounts_is_locked(client, account, executive):
    for number in range(5):
        log_in(client, f"someone-{number}", "guess")

    assert log_in(client, "manager", PASSWORD).status_code == 429


def test_behind_a_proxy_the_clients_address_is_read_and_cannot_be_forged(client, account, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # The client claims 6.6.6.6; the proxy appends the address it really saw.
    forged = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}

    log_in(client, "manager", "wrong", **forged)

    assert AccessFailureLog.objects.get().ip_address == "203.0.113.9"
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").exists()


# --- headers --------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_script(client, manager):
    client.force_login(manager)

    policy = client.get(reverse("overview:home"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "url",
    [
        reverse("overview:home"),
        reverse("imports:template-download", args=["lead", "en", "csv"]),
        reverse("kpis:kpi-series") + "?metric=revenue",
        reverse("login"),
    ],
)
def test_pages_exports_and_the_api_are_never_stored(admin_client_logged_in, url):
    response = admin_client_logged_in.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.fixture
def admin_client_logged_in(client, admin_user):
    client.force_login(admin_user)
    return client


# --- sessions -------------------------------------------------------------------------------


def test_a_session_ends_after_eight_hours_without_activity(client, account, time_machine):
    time_machine.move_to(FROZEN_NOW, tick=False)
    log_in(client, "manager", PASSWORD)
    time_machine.move_to(FROZEN_NOW + dt.timedelta(hours=7, minutes=59), tick=False)
    assert client.get(reverse("overview:home")).status_code == 200

    time_machine.move_to(FROZEN_NOW + dt.timedelta(hours=16), tick=False)
    response = client.get(reverse("overview:home"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert "You were logged out after 8 hours without activity. Please log in again." in login_page


def test_a_busy_session_still_ends_twelve_hours_after_the_login(client, account, time_machine):
    time_machine.move_to(FROZEN_NOW, tick=False)
    log_in(client, "manager", PASSWORD)
    for hours in range(1, 12):
        time_machine.move_to(FROZEN_NOW + dt.timedelta(hours=hours), tick=False)
        assert client.get(reverse("overview:home")).status_code == 200

    time_machine.move_to(FROZEN_NOW + dt.timedelta(hours=12, minutes=1), tick=False)
    response = client.get(reverse("overview:home"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "12 hours after logging in" in client.get(response["Location"]).content.decode()


def test_the_session_limits_are_settings(client, account, time_machine, settings):
    settings.SALESOPT_SESSION_IDLE_HOURS = 0.5
    time_machine.move_to(FROZEN_NOW, tick=False)
    log_in(client, "manager", PASSWORD)

    time_machine.move_to(FROZEN_NOW + dt.timedelta(minutes=31), tick=False)

    assert client.get(reverse("overview:home")).status_code == 302


def test_an_htmx_request_of_a_timed_out_session_reloads_the_login_page(
    client, account, time_machine
):
    time_machine.move_to(FROZEN_NOW, tick=False)
    log_in(client, "manager", PASSWORD)
    time_machine.move_to(FROZEN_NOW + dt.timedelta(hours=9), tick=False)

    response = client.get(reverse("overview:home"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"].startswith("/accounts/login/")
