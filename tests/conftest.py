"""Shared fixtures: one user per role, a program, a frozen clock, and the skip policy.

Tests that need a real server (Redis) or a browser skip with a visible reason on a laptop that
lacks it; under CI (SALESOPT_REQUIRE_ALL_TESTS=1) the same condition fails the test instead, so
CI always runs the whole suite.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings
from django.utils import translation

from salesopt.core.models import Role
from tests.factories import ProgramFactory, RegionFactory, TeamFactory, UserFactory

pytest_plugins = ["tests.celery_fixtures"]


def require(condition: bool, reason: str) -> None:
    """Skip (laptop) or fail (CI) the running test when `condition` is false."""
    if condition:
        return
    if os.environ.get("SALESOPT_REQUIRE_ALL_TESTS") == "1" or getattr(
        settings, "SALESOPT_REQUIRE_ALL_TESTS", False
    ):
        pytest.fail(f"required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request in Chinese must not leak into the next test."""
    translation.activate("en")
    yield
    translation.deactivate()


# "Now" for every test that needs a today: 18:00 in Shanghai on Sunday 2026-11-15, in Q4.
FROZEN_NOW = dt.datetime(2026, 11, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["staged", "direct"])
def load_path(request, monkeypatch):
    """Run a test both ways an import can write: rows staged and then written by SQL, and
    (PostgreSQL) a large first load COPYed straight into its table — and its assignment log
    loaded the same way — which a test's small file qualifies for once the bar is lowered.
    Use it with `pytest.mark.usefixtures`."""
    if request.param == "direct":
        monkeypatch.setattr("salesopt.core.bulk.BULK_LOAD_MIN_ROWS", 1)
    return request.param


@pytest.fixture
def frozen_today(time_machine) -> dt.date:
    """Pin the clock (datetime, date.today, time.time: everything the code reads) at FROZEN_NOW.

    Tests that pin figures or months rely on it, so the suite passes whatever day it runs.
    Browser tests must not use it: the browser's clock is not moved, so session cookies set by
    a server living in the past would reach the browser already expired.
    """
    time_machine.move_to(FROZEN_NOW, tick=False)
    return FROZEN_NOW.date()


@pytest.fixture
def south(db):
    return RegionFactory(name="华南", code="south")


@pytest.fixture
def east(db):
    return RegionFactory(name="华东", code="east")


@pytest.fixture
def south_team(south):
    return TeamFactory(name="华南一组", region=south)


@pytest.fixture
def east_team(east):
    return TeamFactory(name="华东一组", region=east)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", profile__role=Role.ADMIN, is_staff=True)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", profile__role=Role.SALES_MANAGER)


@pytest.fixture
def executive(db):
    return UserFactory(username="executive", profile__role=Role.EXECUTIVE)


@pytest.fixture
def team_lead(south_team):
    user = UserFactory(
        username="lead.south", profile__role=Role.TEAM_LEAD, profile__team=south_team
    )
    south_team.lead = user
    south_team.save(update_fields=["lead"])
    return user


@pytest.fixture
def rep(south_team):
    return UserFactory(username="rep.south", profile__role=Role.SALES_REP, profile__team=south_team)


@pytest.fixture
def other_rep(south_team):
    return UserFactory(
        username="rep.south2", profile__role=Role.SALES_REP, profile__team=south_team
    )


@pytest.fixture
def east_rep(east_team):
    return UserFactory(username="rep.east", profile__role=Role.SALES_REP, profile__team=east_team)


@pytest.fixture
def program(manager, executive):
    return ProgramFactory(manager=manager, sponsor=executive)


@pytest.fixture
def default_milestones(db):
    """The deal milestones migration 0003 writes, again: a browser test before this one may
    have emptied every table (transactional tests flush the database)."""
    from planning.milestone_services import milestones_ensure_defaults

    milestones_ensure_defaults()
