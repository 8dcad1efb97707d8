"""The Diagnosis page's downloads, the API and the `kpis` command give the same figures.

All three read through salesopt.kpis.selectors.kpi_series; these tests hold them to it on the
demo company, series by series, for the charts that show a stored series as it is.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from salesopt.core.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, demo_program):
    client.force_login(get_user_model().objects.get(username="demo.manager"))
    return client


def download(client, chart: str) -> list[list[str]]:
    response = client.get(reverse("diagnosis:chart-data"), {"chart": chart, "format": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def window() -> dict[str, str]:
    program = Program.objects.get()
    return {
        "from": program.baseline_start.strftime("%Y-%m"),
        "to": program.baseline_end.strftime("%Y-%m"),
    }


def from_api(client, metric: str, **query: str) -> dict:
    response = client.get(reverse("kpis:kpi-series"), {"metric": metric, **window(), **query})
    assert response.status_code == 200
    return response.json()


def from_command(metric: str, *arguments: str) -> dict:
    out = io.StringIO()
    span = window()
    call_command(
        "kpis", "--metric", metric, "--from", span["from"], "--to", span["to"], *arguments,
        "--json", stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


def cell(value: float | None, digits: int) -> str:
    """A figure as the chart download writes it (rounded; no value: an empty cell)."""
    return "" if value is None else str(round(value, digits))


def test_attainment_by_region_and_month_agrees(manager_client):
    api = from_api(manager_client, "target_attainment", grain="month", by="region")
    command = from_command("target_attainment", "--grain", "month", "--by", "region")

    assert api == command
    assert api["rows"], "the demo company has targets in its baseline window"
    expected = sorted(
        [row["dims"]["region"], row["period"], cell(row["value"], 4)] for row in api["rows"]
    )
    assert sorted(download(manager_client, "attainment-region")) == expected


def test_monthly_trends_agree(manager_client):
    series = {}
    for metric, digits in (
        ("lead_conversion_rate", 4),
        ("average_order_value", 2),
        ("repurchase_rate", 4),
    ):
        api = from_api(manager_client, metric, grain="month")
        assert api == from_command(metric, "--grain", "month")
        series[metric] = {row["period"]: cell(row["value"], digits) for row in api["rows"]}

    downloaded = download(manager_client, "trends")

    assert downloaded
    for period, conversion, order_value, repurchase in downloaded:
        assert conversion == series["lead_conversion_rate"].get(period, "")
        assert order_value == series["average_order_value"].get(period, "")
        assert repurchase == series["repurchase_rate"].get(period, "")
    assert {row[0] for row in downloaded} == set().union(*(set(s) for s in series.values()))
