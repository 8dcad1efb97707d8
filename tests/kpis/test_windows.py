"""Window figures: a KPI over a run of whole months, read through `kpi_window`.

Medians and distinct counts over a window are computed from the window's rows, never rebuilt
from its months; additive KPIs are their months summed. The data are the hand-made sets of
conftest.py (the comments of test_compute.py list them); "now" is 2026-11-15 18:00 Shanghai.
"""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

import pytest

from salesopt.core.models import Lead, Role
from salesopt.kpis.catalog import METRICS, Window, cut_label
from salesopt.kpis.compute.windows import compute_window
from salesopt.kpis.models import KpiSnapshot, KpiWindow, KpiWindowFigure
from salesopt.kpis.selectors import KpiAccessError, KpiQueryError, kpi_window
from tests.factories import LeadFactory, ProgramFactory, UserFactory

from .conftest import hours_later, local, recompute

pytestmark = pytest.mark.django_db

Q4 = dt.date(2026, 10, 1)
NON_ADDITIVE = [key for key, metric in METRICS.items() if not metric.rollup.is_additive]


def window(user, metric, first="2026-10", last="2026-11", **options):
    series = kpi_window(user=user, metric=metric, period_from=first, period_to=last, **options)
    return [(row.dims, row.value, row.numerator, row.denominator) for row in series.rows]


def test_a_window_median_is_the_median_of_its_rows_not_of_its_months(leads, manager):
    # Oct answered [2, 3, 5, 30] (median 4), Nov [10] (median 10): the window's five values
    # have the median 5, where the median of the monthly medians would say 7.
    assert window(manager, "first_response_hours") == [({}, 5.0, Decimal(50), Decimal(5))]


def test_a_window_median_by_a_dimension(leads, manager, lock, cloud):
    # Each product line's answered leads of October and November, worked out from the rows.
    rows = window(manager, "first_response_hours", by="product_line")
    expected = {}
    for line in (lock, cloud):
        hours = [
            (lead.first_response_at - lead.created_in_crm_at).total_seconds() / 3600
            for lead in Lead.objects.filter(
                product_line=line,
                first_response_at__isnull=False,
                created_in_crm_at__gte=local(2026, 10, 1, 0),
                created_in_crm_at__lt=local(2026, 12, 1, 0),
            )
        ]
        expected[line.name] = statistics.median(hours)
    assert {dims["product_line"]: value for dims, value, _n, _d in rows} == expected


def test_a_window_repurchase_counts_each_customer_once(orders, manager):
    recompute()
    # Sep–Nov: c1 twice (Oct), c2 once, c3 in September and in November → 2 of 3 repurchased.
    # Months summed would say 1 of 4 (September 0/1, October 1/2, November 0/1).
    assert window(manager, "repurchase_rate", first="2026-09") == [
        ({}, pytest.approx(2 / 3), Decimal(2), Decimal(3))
    ]


def test_an_additive_kpi_over_a_window_is_its_months_summed(leads, manager):
    # 5 leads in October and 4 in November; 2 of the 9 converted.
    assert window(manager, "lead_count") == [({}, 9.0, Decimal(9), None)]
    assert window(manager, "lead_conversion_rate") == [
        ({}, pytest.approx(2 / 9), Decimal(2), Decimal(9))
    ]


@pytest.mark.usefixtures("complaints", "orders")
def test_a_window_of_a_quarters_months_gives_the_quarters_figures_for_every_cut(leads, manager):
    recompute()
    checked = set()
    for metric in NON_ADDITIVE:
        for cut in METRICS[metric].cuts:
            stored = KpiSnapshot.objects.filter(
                metric=metric,
                grain="quarter",
                period_start=dt.date(2026, 10, 1),
                cut=cut_label(cut),
            )
            expected = sorted(
                (float(row.numerator or 0), float(row.denominator or 0), round(row.value or 0, 9))
                for row in stored
            )
            rows = window(manager, metric, last="2026-12", by=[d.value for d in cut])
            got = sorted(
                (float(numerator or 0), float(denominator or 0), round(value or 0, 9))
                for _dims, value, numerator, denominator in rows
                if denominator
            )
            assert got == expected, (metric, cut)
            if expected:
                checked.add(metric)
    # Ramp-up has no cohort in these data: test_a_window_ramp_up_is_the_median_of_its_hires.
    assert checked == set(NON_ADDITIVE) - {"ramp_up_days"}


def test_a_window_ramp_up_is_the_median_of_its_hires(frozen_today, manager, south_team):
    # Hired Feb 10 → first win Apr 11: 60 days; Feb 20 → Mar 22: 30; Mar 3 → Mar 13: 10.
    # February–March: [10, 30, 60] → 30, where the cohorts' medians (45, 10) would say 27.5.
    LeadFactory(created_in_crm_at=local(2026, 1, 5))
    for name, hired, won in [
        ("r1", dt.date(2026, 2, 10), local(2026, 4, 11)),
        ("r2", dt.date(2026, 2, 20), local(2026, 3, 22)),
        ("r3", dt.date(2026, 3, 3), local(2026, 3, 13)),
    ]:
        new_rep = UserFactory(
            username=name,
            profile__role=Role.SALES_REP,
            profile__team=south_team,
            profile__hire_date=hired,
        )
        LeadFactory(owner=new_rep, created_in_crm_at=local(2026, 1, 6), won_at=won)
    # A program's window: computed alongside the recompute, then again on its own.
    ProgramFactory(baseline_start=dt.date(2026, 2, 1), baseline_end=dt.date(2026, 3, 31))
    recompute()

    expected = [({}, 30.0, Decimal(100), Decimal(3))]
    assert window(manager, "ramp_up_days", first="2026-02", last="2026-03") == expected
    compute_window(Window(dt.date(2026, 2, 1), dt.date(2026, 4, 1)))
    assert window(manager, "ramp_up_days", first="2026-02", last="2026-03") == expected


def test_a_team_lead_reads_their_teams_window_only(leads, team_lead, manager, south_team):
    # The team lead's team is south: L1–L3 in October ([2, 3, 30]), N-leads of the team.
    company = window(manager, "first_response_hours", by="team")
    own = window(team_lead, "first_response_hours")
    team_row = next(row for row in company if row[0]["team"] == south_team.name)
    assert own == [({}, team_row[1], team_row[2], team_row[3])]


def test_a_rep_cannot_read_a_team_window(leads, rep):
    with pytest.raises(KpiAccessError):
        kpi_window(
            user=rep, metric="first_response_hours", by="team", period_from="2026-10",
            period_to="2026-11",
        )  # fmt: skip


def test_a_window_needs_both_ends_and_a_real_range(leads, manager):
    with pytest.raises(KpiQueryError, match="both ends"):
        kpi_window(user=manager, metric="lead_count", period_from="2026-10", period_to="")
    with pytest.raises(KpiQueryError, match="starts after it ends"):
        kpi_window(user=manager, metric="lead_count", period_from="2026-11", period_to="2026-10")


def test_a_recompute_refreshes_the_program_windows_and_drops_the_others(leads, manager):
    ProgramFactory(baseline_start=dt.date(2026, 10, 1), baseline_end=dt.date(2026, 11, 14))
    recompute()
    assert window(manager, "first_response_hours")[0][1] == 5.0
    window(manager, "first_response_hours", first="2026-11")  # an ad-hoc window, stored
    assert KpiWindow.objects.count() == 2

    # Two more answers in October, of 40 h and 50 h: [2, 3, 5, 10, 30, 40, 50] → 10.
    for hours in (40, 50):
        created = local(2026, 10, 20)
        LeadFactory(created_in_crm_at=created, first_response_at=hours_later(created, hours))
    recompute()

    windows = list(KpiWindow.objects.values_list("start", "end"))
    assert windows == [(dt.date(2026, 10, 1), dt.date(2026, 12, 1))]
    assert window(manager, "first_response_hours")[0][1] == 10.0


def test_a_window_without_data_is_stored_once_and_reads_no_value(manager, db):
    assert window(manager, "first_response_hours", first="2020-01", last="2020-03") == [
        ({}, None, None, Decimal(0))
    ]
    assert KpiWindow.objects.filter(start=dt.date(2020, 1, 1)).exists()
    assert not KpiWindowFigure.objects.exists()


@pytest.mark.usefixtures("complaints", "orders")
def test_a_window_computed_alongside_a_recompute_equals_one_computed_on_its_own(leads):
    """On PostgreSQL a program window inside the recomputed years comes from the recompute's
    own reads; computed by itself it reads its rows again. Both give the same figures."""
    ProgramFactory(baseline_start=dt.date(2026, 9, 1), baseline_end=dt.date(2026, 11, 30))
    result = recompute()

    def stored():
        return sorted(
            KpiWindowFigure.objects.values_list(
                "metric", "cut", "region_id", "product_line_id", "team_id", "rep_id", "grade",
                "value", "numerator", "denominator",
            )
        )  # fmt: skip

    alongside = stored()
    compute_window(Window(dt.date(2026, 9, 1), dt.date(2026, 12, 1)))

    assert {row[0] for row in alongside} >= set(NON_ADDITIVE) - {"ramp_up_days"}
    assert stored() == alongside
    assert "diagnosis windows" in result.seconds_by_family
