"""One window, one figure; each chart applies every filter it can and names the ones it cannot.

The demo company on its baseline window, as the sales manager reads it: the chart readings, the
findings and Table 1 must give the same number for the same window, and a filtered dashboard
must never show figures narrowed by a filter it says it left out (or the reverse).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from diagnosis.baseline import Filters, read, running_share
from diagnosis.dashboard import baseline_dashboard
from diagnosis.models import Finding
from diagnosis.services import finding_accept, findings_refresh, program_set_baseline_window
from salesopt.core.models import Profile, Program, Role, Team
from salesopt.core.templatetags.salesopt_format import percent
from salesopt.kpis.selectors import kpi_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(demo_program):
    return get_user_model().objects.get(username="demo.manager")


def window_filters(user, **dimensions: str) -> Filters:
    program = Program.objects.get()
    return Filters(program.baseline_start, program.baseline_end, reader=user, **dimensions)


def charts(user, **dimensions: str):
    return {
        chart.key: chart for chart in baseline_dashboard(filters=window_filters(user, **dimensions))
    }


def test_the_attainment_reading_the_finding_and_table_1_give_one_figure(client, manager):
    reading = charts(manager)["attainment-product-line"].reading
    worst, shown = re.match(r"Lowest attainment: (\S+) at ([\d.]+%)", reading).groups()

    findings_refresh(program=Program.objects.get(), user=manager)
    finding = Finding.objects.get(rule_key=f"missed_target:product_line:{worst}")
    row = finding_accept(finding=finding, user=manager)

    assert percent(finding.evidence["attainment"]) == shown
    client.force_login(manager)
    page = client.get(reverse("diagnosis:landing")).content.decode()
    assert f"{worst} reached {shown} of its target over the baseline" in page
    assert row.description_from_finding


def test_a_quarter_cut_by_the_window_sums_only_the_window_months(manager, demo_program):
    # The demo's own window is whole quarters (Oct 2025 – Sep 2026 on 15 November): one that
    # is not, Nov 2025 – Oct 2026.
    program_set_baseline_window(program=demo_program, start=dt.date(2025, 11, 1),
                                end=dt.date(2026, 10, 31))  # fmt: skip
    rows = charts(manager)["attainment-product-line"].rows
    labels = {period for _line, period, _value in rows}

    # The window Nov 2025 – Oct 2026: Q4 2025 and Q4 2026 are cut by it, and say so.
    assert "2025-Q4 (2 of 3 months)" in labels
    assert "2026-Q4 (1 of 3 months)" in labels
    assert "2026-Q2" in labels


def test_the_running_month_is_judged_against_the_target_already_due(manager):
    november = dt.date(2026, 11, 1)  # the clock is pinned on 15 November 2026
    filters = Filters(november, dt.date(2026, 11, 30), reader=manager)
    stored = kpi_series(
        user=manager, metric="target_attainment", period_from="2026-11", period_to="2026-11"
    ).rows[0]

    paced = read("target_attainment", filters=filters).rows[0]

    assert running_share(november) == 15 / 30
    assert paced.numerator == stored.numerator
    assert float(paced.denominator) == pytest.approx(float(stored.denominator) / 2)
    assert paced.value == pytest.approx(stored.value * 2)


def test_a_team_filter_narrows_what_it_can_and_names_what_it_cannot(manager):
    team = Team.objects.filter(region__name="华北").order_by("name").first()
    lead = Profile.objects.get(team=team, role=Role.TEAM_LEAD).user

    narrowed = charts(manager, team=team.name)

    for chart in narrowed.values():
        assert "company-wide" not in chart.note
        assert ("team" in chart.note) == ("team" in chart.unapplied), chart.key
    # Attainment is kept by region or by team, not by both: the region chart says so.
    assert "team" in narrowed["attainment-region"].unapplied
    assert len({row[0] for row in narrowed["attainment-region"].rows}) > 1
    # The workload chart shows the team's reps, as the team's own lead sees them.
    assert narrowed["workload"].note == ""
    assert narrowed["workload"].rows == charts(lead)["workload"].rows
    assert len(narrowed["workload"].rows) < len(charts(manager)["workload"].rows)
    # The funnel is kept by team: narrowed, and the same as the team lead's own.
    assert narrowed["funnel"].note == ""
    assert narrowed["funnel"].rows == charts(lead)["funnel"].rows


def test_a_region_filter_keeps_the_product_line_chart_and_says_why_it_is_wider(manager):
    chart = charts(manager, region="华北")["attainment-product-line"]

    assert chart.rows
    assert chart.reading != "No target in the period."
    assert "region" in chart.note and "no target" in chart.note


def test_the_grade_chart_never_contradicts_the_region_chart(manager):
    south = charts(manager, region="华南")
    grade = south["response-grade"]
    region = south["response-region"]

    assert {row[0] for row in region.rows} == {"华南"}
    if "region" in grade.unapplied:
        assert "region" in grade.note
    else:
        # Narrowed by region, its A-grade median is 华南's own, not the company's.
        company = charts(manager)["response-grade"]
        assert grade.rows != company.rows
