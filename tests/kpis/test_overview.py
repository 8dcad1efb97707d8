"""The overview page: the quarter's headline KPIs in the reader's scope, from the snapshots."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from salesopt.core.models import LeadStatus
from salesopt.kpis.services import kpis_recompute
from tests.factories import LeadFactory, OrderFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db


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
    kpis_recompute(period_from="2026-01", period_to="2026-12")


def test_manager_dashboard_shows_company_figures_of_this_quarter(
    client, manager, quarter_data, frozen_today
):
    client.force_login(manager)

    figures = client.get(reverse("overview:home")).context["figures"]

    assert figures.lead_count == 4
    assert figures.converted_count == 2
    assert figures.revenue == Decimal("95000")
    assert figures.target == Decimal("150000")
    assert figures.attainment == pytest.approx(95000 / 150000)
    assert figures.elapsed == pytest.approx(46 / 92)  # 1 Oct – 15 Nov of a 92-day quarter
    assert figures.behind_pace is False  # 63% of the target with half the quarter gone


def test_rep_dashboard_shows_only_their_own_figures(client, rep, quarter_data, frozen_today):
    client.force_login(rep)

    figures = client.get(reverse("overview:home")).context["figures"]

    assert (figures.lead_count, figures.revenue, figures.target) == (
        3,
        Decimal("75000"),
        Decimal("75000"),
    )
    assert figures.attainment == pytest.approx(1.0)


def test_no_target_shows_a_dash_not_zero_percent(client, manager, frozen_today):
    client.force_login(manager)

    response = client.get(reverse("overview:home"))

    assert response.context["figures"].attainment is None
    assert 'data-kpi="target_attainment"' in response.content.decode()
    assert "0.0%" not in response.content.decode()


def test_quarter_picker_returns_only_the_partial_to_htmx(
    client, manager, quarter_data, frozen_today
):
    client.force_login(manager)

    response = client.get(
        reverse("overview:home"), {"quarter": "2026-Q3"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert "¥99,999" in body
    assert body.lstrip().startswith('<div id="dashboard-figures">')
    assert "<html" not in body


def test_a_malformed_quarter_falls_back_to_this_quarter_with_a_message(
    client, manager, frozen_today
):
    client.force_login(manager)

    response = client.get(reverse("overview:home"), {"quarter": "2026-Q9"})

    assert str(response.context["quarter"]) == "2026-Q4"
    assert "Choose a quarter such as 2024-Q2." in response.content.decode()


def test_dashboard_query_count_is_bounded(
    client, manager, quarter_data, frozen_today, django_assert_max_num_queries
):
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        client.get(reverse("overview:home"))
