"""GET /api/kpis/ on ninja answers as the view before it (tests/kpis/test_api.py covers the
rest): the same bytes, and parameters ninja cannot read refused as 400 `{"error"}`."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from salesopt.kpis.selectors import kpi_series

pytestmark = pytest.mark.django_db


def test_the_answer_is_the_series_as_json_byte_for_byte(client, plan, manager):
    client.force_login(manager)

    response = client.get(
        reverse("kpis:kpi-series"),
        {"metric": "first_response_hours", "by": "region", "from": "2026-07", "to": "2026-10"},
    )

    expected = kpi_series(
        user=manager, metric="first_response_hours", by="region",
        period_from="2026-07", period_to="2026-10",
    ).as_json()  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == json.dumps(expected, ensure_ascii=False).encode()
    assert "华南".encode() in response.content


def test_empty_parameters_read_as_their_defaults(client, plan, bearer):
    response = client.get(
        reverse("kpis:kpi-series"),
        {"metric": "first_response_hours", "grain": "", "by": "", "from": "", "to": ""},
        headers=bearer,
    )

    assert response.status_code == 200
    assert response.json()["grain"] == "month"
    assert response.json()["by"] == []


def test_a_parameter_ninja_refuses_is_a_400_error_not_a_422(client, plan, manager):
    client.force_login(manager)

    response = client.get(reverse("api:plan"), {"program": "first"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "the program parameter is not valid: "
        "Input should be a valid integer, unable to parse string as an integer"
    }


def test_a_missing_metric_is_named_in_the_400(client, manager):
    client.force_login(manager)

    response = client.get(reverse("kpis:kpi-series"), {"grain": "month"})

    assert response.status_code == 400
    assert response.json() == {"error": "the metric parameter is required"}


def test_a_session_beside_a_wrong_token_still_gets_401(client, plan, manager):
    """The header names the reader: a script must not read as whoever is logged in."""
    client.force_login(manager)

    response = client.get(
        reverse("kpis:kpi-series"),
        {"metric": "lead_count"},
        headers={"Authorization": "Bearer kpi_not-a-real-token"},
    )

    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response["WWW-Authenticate"] == 'Bearer realm="salesopt"'
