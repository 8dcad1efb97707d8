"""GET /api/kpis/: session or bearer token, 401 without, 400 on a bad request, JSON shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesopt.kpis.models import ApiToken
from salesopt.kpis.services import api_token_create

pytestmark = pytest.mark.django_db

OCTOBER_BY_REGION = {
    "metric": "lead_count",
    "grain": "month",
    "by": ["region"],
    "rows": [
        {
            "period": "2026-10",
            "dims": {"region": "华东"},
            "value": 2.0,
            "numerator": 2,
            "denominator": None,
        },
        {
            "period": "2026-10",
            "dims": {"region": "华南"},
            "value": 3.0,
            "numerator": 3,
            "denominator": None,
        },
    ],
}


def url(**params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('kpis:kpi-series')}?{query}"


def test_the_api_is_mounted_at_api_kpis():
    assert reverse("kpis:kpi-series") == "/api/kpis/"


def test_a_logged_in_session_reads_the_series(client, leads, manager):
    client.force_login(manager)

    response = client.get(
        url(metric="lead_count", by="region", **{"from": "2026-10"}, to="2026-10")
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == OCTOBER_BY_REGION


def test_a_bearer_token_reads_the_series(client, leads, manager):
    token = api_token_create(user=manager)

    response = client.get(
        url(metric="lead_count", by="region", **{"from": "2026-10"}, to="2026-10"),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200
    assert response.json() == OCTOBER_BY_REGION
    assert ApiToken.objects.get(user=manager).last_used_at is not None


def test_a_token_reads_with_its_users_access(client, leads, rep):
    token = api_token_create(user=rep)

    response = client.get(
        url(metric="lead_count", **{"from": "2026-10"}, to="2026-10"),
        headers={"Authorization": f"Bearer {token}"},
    )

    assert [row["value"] for row in response.json()["rows"]] == [2.0]  # rep's own two leads


def test_no_authentication_gets_401_json_not_a_login_redirect(client, leads):
    response = client.get(url(metric="lead_count"))

    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer kpi_not-a-real-token", "Bearer ", "Basic abc"])
def test_a_wrong_token_gets_401(client, leads, header):
    response = client.get(url(metric="lead_count"), headers={"Authorization": header})

    assert response.status_code == 401


def test_a_token_of_an_inactive_user_gets_401(client, leads, manager):
    token = api_token_create(user=manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    response = client.get(url(metric="lead_count"), headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "the metric parameter is required"),
        ({"metric": "profit"}, "unknown metric 'profit'"),
        ({"metric": "lead_count", "grain": "week"}, "unknown grain 'week'"),
        ({"metric": "lead_count", "by": "city"}, "unknown dimension"),
        ({"metric": "lead_count", "from": "2026-13"}, "not a month"),
    ],
)
def test_bad_parameters_get_400_with_a_message(client, manager, params, message):
    client.force_login(manager)

    response = client.get(url(**params))

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_rep_asking_for_their_teams_total_gets_403(client, leads, rep):
    client.force_login(rep)

    response = client.get(url(metric="lead_count", by="team"))

    assert response.status_code == 403
    assert "by=team" in response.json()["error"]


def test_only_get_is_allowed(client, manager):
    client.force_login(manager)

    response = client.post(url(metric="lead_count"))

    assert response.status_code == 405
