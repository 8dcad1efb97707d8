"""Pages: login everywhere, the dashboard's figures in the user's scope, the switchers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from salesopt.core.models import LeadStatus
from salesopt.core.programs import SESSION_KEY as PROGRAM_SESSION_KEY
from tests.factories import LeadFactory, OrderFactory, ProgramFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "core:home",
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
    response = client.get(reverse("core:home"), headers={"HX-Request": "true"})

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


@pytest.fixture
def quarter_data(rep, east_rep):
    """Q4 2026: 3 south leads (1 converted), 1 east lead; orders 50k + 30k − 5k refund + 20k."""
    in_q4 = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
    LeadFactory(owner=rep, created_in_crm_at=in_q4, status=LeadStatus.CONVERTED)
    LeadFactory(owner=rep, created_in_crm_at=in_q4)
    LeadFactory(owner=rep, created_in_crm_at=in_q4, won_at=in_q4 + dt.timedelta(days=3))
    LeadFactory(owner=east_rep, created_in_crm_at=in_q4)
    LeadFactory(owner=rep, created_in_crm_at=dt.datetime(2026, 9, 30, 9, tzinfo=dt.UTC))
    OrderFactory(rep=rep, amount=Decimal("50000"), ordered_on=dt.date(2026, 10, 10))
    OrderFactory(rep=rep, amount=Decimal("30000"), ordered_on=dt.date(2026, 11, 2))
    OrderFactory(rep=rep, amount=Decimal("-5000"), ordered_on=dt.date(2026, 11, 3))
    OrderFactory(rep=east_rep, amount=Decimal("20000"), ordered_on=dt.date(2026, 10, 20))
    OrderFactory(rep=rep, amount=Decimal("99999"), ordered_on=dt.date(2026, 9, 30))
    for month in (10, 11, 12):
        SalesTargetFactory(period_start=dt.date(2026, month, 1), amount=Decimal("50000"))
        SalesTargetFactory(rep=rep, period_start=dt.date(2026, month, 1), amount=Decimal("25000"))


def test_manager_dashboard_shows_company_figures_of_this_quarter(
    client, manager, quarter_data, frozen_today
):
    client.force_login(manager)

    figures = client.get(reverse("core:home")).context["figures"]

    assert figures.lead_count == 4
    assert figures.converted_count == 2
    assert figures.revenue == Decimal("95000")
    assert figures.target == Decimal("150000")
    assert figures.attainment == pytest.approx(95000 / 150000)
    assert figures.elapsed == pytest.approx(46 / 92)  # 1 Oct – 15 Nov of a 92-day quarter
    assert figures.behind_pace is False  # 63% of the target with half the quarter gone


def test_rep_dashboard_shows_only_their_own_figures(client, rep, quarter_data, frozen_today):
    client.force_login(rep)

    figures = client.get(reverse("core:home")).context["figures"]

    assert (figures.lead_count, figures.revenue, figures.target) == (
        3,
        Decimal("75000"),
        Decimal("75000"),
    )
    assert figures.attainment == pytest.approx(1.0)


def test_no_target_shows_a_dash_not_zero_percent(client, manager, frozen_today):
    client.force_login(manager)

    response = client.get(reverse("core:home"))

    assert response.context["figures"].attainment is None
    assert 'data-kpi="target_attainment"' in response.content.decode()
    assert "0.0%" not in response.content.decode()


def test_quarter_picker_returns_only_the_partial_to_htmx(
    client, manager, quarter_data, frozen_today
):
    client.force_login(manager)

    response = client.get(
        reverse("core:home"), {"quarter": "2026-Q3"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert "¥99,999" in body
    assert body.lstrip().startswith('<div id="dashboard-figures">')
    assert "<html" not in body


def test_a_malformed_quarter_falls_back_to_this_quarter_with_a_message(
    client, manager, frozen_today
):
    client.force_login(manager)

    response = client.get(reverse("core:home"), {"quarter": "2026-Q9"})

    assert str(response.context["quarter"]) == "2026-Q4"
    assert "Choose a quarter such as 2024-Q2." in response.content.decode()


def test_dashboard_query_count_is_bounded(
    client, manager, quarter_data, frozen_today, django_assert_max_num_queries
):
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        client.get(reverse("core:home"))


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

    assert response["Location"] == reverse("core:home")
