"""The baseline dashboard, its downloads and the "Find problems in the data" button."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from diagnosis.dashboard import top_share
from diagnosis.models import Finding
from salesopt.core.models import Profile, Team
from tests.diagnosis.test_rules import SEEDED_PROBLEMS
from tests.diagnosis.test_views import DASHBOARD_QUERIES

CHART_IDS = [
    "chart-funnel",
    "chart-attainment-region",
    "chart-attainment-product-line",
    "chart-trends",
    "chart-response-grade",
    "chart-response-region",
    "chart-workload",
    "chart-complaints",
]


@pytest.fixture
def demo_manager(demo_program):
    return get_user_model().objects.get(username="demo.manager")


def test_top_share_takes_the_busiest_fifth():
    assert top_share([50, 10, 10, 10, 10, 5, 5, 0, 0, 0]) == 0.6
    assert top_share([]) is None
    assert top_share([0, 0]) is None


@pytest.mark.django_db
def test_the_workspace_shows_every_chart_with_its_reading(client, demo_manager):
    client.force_login(demo_manager)

    body = client.get(reverse("diagnosis:landing")).content.decode()

    for element_id in CHART_IDS:
        assert f'id="{element_id}"' in body
    assert "华南 answers leads in a median 72 h against a 2 h A-grade deadline" in body
    assert "Lowest attainment: 华北 at 91.7% of target over the period." in body


@pytest.mark.django_db
def test_the_region_filter_swaps_the_dashboard_partial(client, demo_manager):
    client.force_login(demo_manager)

    response = client.get(
        reverse("diagnosis:dashboard"), {"region": "华北"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="baseline-dashboard"')
    assert 'id="findings-section"' not in body
    assert "华北 answers leads in a median" in body
    assert "华南 answers" not in body


@pytest.mark.django_db
def test_an_invalid_range_falls_back_to_the_window(client, demo_manager):
    client.force_login(demo_manager)

    response = client.get(
        reverse("diagnosis:dashboard"),
        {"period_from": "2026-09", "period_to": "2025-11"},
        headers={"HX-Request": "true"},
    )

    assert "The last month comes before the first." in response.content.decode()


@pytest.mark.django_db
def test_the_dashboard_query_count_is_bounded(client, demo_manager, django_assert_max_num_queries):
    client.force_login(demo_manager)

    with django_assert_max_num_queries(DASHBOARD_QUERIES + 6):
        response = client.get(reverse("diagnosis:dashboard"), headers={"HX-Request": "true"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_chart_downloads_as_csv(client, demo_manager):
    client.force_login(demo_manager)

    response = client.get(reverse("diagnosis:chart-data"), {"chart": "funnel", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Stage", "Count"], ["Leads", "986"], ["Converted leads", "124"]]


@pytest.mark.django_db
def test_a_chart_downloads_as_xlsx_with_the_filters(client, demo_manager):
    client.force_login(demo_manager)

    response = client.get(
        reverse("diagnosis:chart-data"),
        {"chart": "response-region", "format": "xlsx", "region": "华南"},
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows == [["Region", "Median hours", "Deadline breach rate"], ["华南", 71.8, 0.4392]]


@pytest.mark.django_db
def test_an_unknown_chart_is_not_found(client, demo_manager):
    client.force_login(demo_manager)

    response = client.get(reverse("diagnosis:chart-data"), {"chart": "nope", "format": "csv"})

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_button_proposes_findings(client, demo_manager):
    client.force_login(demo_manager)

    response = client.post(reverse("diagnosis:findings-refresh"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "Slow lead response in 华南" in body
    assert "云服务 misses its targets" in body
    assert set(Finding.objects.filter(source="data").values_list("rule_key", flat=True)) >= (
        SEEDED_PROBLEMS
    )


@pytest.mark.django_db
def test_a_rep_cannot_refresh_findings(client, demo_program):
    client.force_login(get_user_model().objects.get(username="demo.rep.01"))

    response = client.post(reverse("diagnosis:findings-refresh"))

    assert response.status_code == 403
    assert Finding.objects.filter(source="data").count() == 0


@pytest.mark.django_db
def test_the_report_shows_the_charts(client, demo_manager):
    client.force_login(demo_manager)

    body = client.get(reverse("diagnosis:report")).content.decode()

    assert 'id="report-charts"' in body
    assert 'id="chart-workload"' in body


# --- a team lead reads their own team only ----------------------------------------------------


@pytest.fixture
def south_lead_client(client, demo_program):
    client.force_login(get_user_model().objects.get(username="demo.lead.south"))
    return client


def chart_rows(client, chart: str, **query: str) -> list[list[str]]:
    response = client.get(
        reverse("diagnosis:chart-data"), {"chart": chart, "format": "csv", **query}
    )
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def team_member_names(team_name: str) -> set[str]:
    team = Team.objects.get(name=team_name)
    return set(Profile.objects.filter(team=team).values_list("display_name", flat=True))


def funnel_counts(client, **query: str) -> dict[str, int]:
    return {stage: int(count) for stage, count in chart_rows(client, "funnel", **query)}


@pytest.mark.django_db
def test_a_team_lead_sees_the_workload_of_their_own_reps_only(south_lead_client):
    reps = {row[0] for row in chart_rows(south_lead_client, "workload")}

    assert reps
    assert reps <= team_member_names("华南区域组")


@pytest.mark.django_db
def test_a_team_lead_cannot_read_another_teams_funnel(client, south_lead_client, demo_manager):
    own = funnel_counts(south_lead_client)
    asked_for_east = funnel_counts(south_lead_client, team="华东区域组")
    client.force_login(demo_manager)
    east = funnel_counts(client, team="华东区域组")
    south = funnel_counts(client, team="华南区域组")

    assert own == south
    assert asked_for_east == south
    assert east != south


@pytest.mark.django_db
def test_the_team_leads_dashboard_says_whose_figures_it_shows(south_lead_client):
    body = south_lead_client.get(reverse("diagnosis:landing")).content.decode()

    assert "The figures of your team, 华南区域组." in body
    assert '<option value="华东区域组"' not in body
    # Attainment by region is kept company-wide only: said, not drawn from other teams' rows.
    assert "Not available for a team" in body
    assert "Lowest attainment" not in body
