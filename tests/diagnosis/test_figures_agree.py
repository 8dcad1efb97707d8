"""The Diagnosis page's downloads, the API and the `kpis` command give the same figures.

All three read through salesopt.kpis.selectors (kpi_series, kpi_window); these tests hold them
to it on the demo company, series by series, for the charts that show a stored series as it is,
and hold the window's medians and distinct counts to figures worked out from the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from diagnosis.models import Finding
from diagnosis.services import findings_refresh
from salesopt.core.models import Complaint, Lead, Order, Program, Region
from salesopt.core.periods import start_of_day

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


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


def window_rows(model, moment: str, first, last):
    """Rows whose `moment` falls in the program's window (company-zone days, both ends in)."""
    return model.objects.filter(
        **{f"{moment}__gte": start_of_day(first), f"{moment}__lt": start_of_day(last) + DAY}
    )


def test_window_medians_are_the_medians_of_the_rows(manager_client):
    """The chart, its reading and the finding give the median of the window's answered leads,
    worked out here from the rows, not a median of monthly medians."""
    program = Program.objects.get()
    first, last = program.baseline_start.replace(day=1), program.baseline_end
    hours: dict[str, list[float]] = {}
    for lead in (
        window_rows(Lead, "created_in_crm_at", first, last)
        .filter(first_response_at__isnull=False, region__isnull=False)
        .select_related("region")
    ):
        answered = (lead.first_response_at - lead.created_in_crm_at).total_seconds() / 3600
        hours.setdefault(lead.region.name, []).append(answered)
    medians = {region: statistics.median(values) for region, values in hours.items()}

    charted = {row[0]: float(row[1]) for row in download(manager_client, "response-region")}
    assert charted == {region: round(median, 1) for region, median in medians.items()}
    findings_refresh(program=program, user=program.manager)
    evidence = Finding.objects.get(rule_key="slow_response:region:华南").evidence
    assert evidence["median_first_response_hours"] == round(medians["华南"], 1)


def test_window_sales_cycle_and_complaint_figures_are_worked_out_from_the_rows(manager_client):
    program = Program.objects.get()
    first, last = program.baseline_start.replace(day=1), program.baseline_end
    cycles: dict[str, list[float]] = {}
    for lead in window_rows(Lead, "won_at", first, last).exclude(grade=""):
        days = (lead.won_at - lead.created_in_crm_at).total_seconds() / 86400
        cycles.setdefault(lead.grade, []).append(days)
    findings_refresh(program=program, user=program.manager)
    evidence = Finding.objects.get(rule_key="long_cycle:grade:A").evidence
    assert evidence["median_cycle_days"] == round(statistics.median(cycles["A"]), 1)

    # Complaint rate by region: complaints ÷ distinct customers with a positive order in the
    # window and region (one customer buying in two months counts once).
    complaints = window_rows(Complaint, "created_in_crm_at", first, last)
    buyers = Order.objects.filter(
        ordered_on__gte=first, ordered_on__lte=last, amount__gt=0, customer__isnull=False
    )
    expected = {}
    for region in Region.objects.all():
        customers = buyers.filter(region=region).values("customer").distinct().count()
        if customers:
            expected[region.name] = round(complaints.filter(region=region).count() / customers, 3)
    charted = {row[0]: float(row[1]) for row in download(manager_client, "complaints") if row[1]}
    assert charted == expected
