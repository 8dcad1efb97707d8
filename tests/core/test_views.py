"""Pages: login everywhere, the dashboard's figures in the user's scope, the switchers."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from salesopt.core.programs import SESSION_KEY as PROGRAM_SESSION_KEY
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "overview:home",
    "diagnosis:landing",
    "planning:landing",
    "execution:landing",
    "evaluation:landing",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_needs_a_login(client, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_program_switch_needs_a_login(client, program):
    response = client.post(reverse("core:program-switch"), {"program": program.pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert PROGRAM_SESSION_KEY not in client.session


@pytest.mark.parametrize("page", PAGES)
def test_every_phase_page_renders_for_a_manager(client, manager, program, page, frozen_today):
    client.force_login(manager)

    response = client.get(reverse(page))

    assert response.status_code == 200
    assert program.name in response.content.decode()


def test_expired_session_on_an_htmx_request_redirects_the_whole_page(client):
    response = client.get(reverse("overview:home"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_health_check_needs_no_login(client):
    response = client.get(reverse("health"))

    assert response.json() == {"status": "ok"}


def test_login_with_the_right_password(client, manager):
    response = client.post(
        reverse("login"), {"username": "manager", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(manager.pk)


def test_login_with_a_wrong_password_is_refused(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "nope"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_admin_site_is_for_admins_only(client, admin_user, manager):
    client.force_login(manager)
    assert client.get("/admin/").status_code == 302

    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_program_switcher_remembers_the_choice(client, manager, program):
    other = ProgramFactory(name="2025 Q1 试点")
    client.force_login(manager)

    client.post(reverse("core:program-switch"), {"program": other.pk, "next": "/diagnosis/"})

    assert client.session[PROGRAM_SESSION_KEY] == other.pk
    assert client.get(reverse("diagnosis:landing")).context["program"] == other


def test_switching_to_a_missing_program_is_refused_and_changes_nothing(client, manager, program):
    client.force_login(manager)
    client.post(reverse("core:program-switch"), {"program": program.pk})

    response = client.post(reverse("core:program-switch"), {"program": 999999}, follow=True)

    assert client.session[PROGRAM_SESSION_KEY] == program.pk
    assert "That program does not exist or is not yours to see." in response.content.decode()


def test_switcher_ignores_an_offsite_next_url(client, manager, program):
    client.force_login(manager)

    response = client.post(
        reverse("core:program-switch"), {"program": program.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("overview:home")
