"""The KPI catalog and KPI periods: every SPEC key declared once, cuts, labels, parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from salesopt.core.models import OpportunityStage
from salesopt.kpis.catalog import FUNNEL_STAGES, METRICS, Dimension, Grain, Rollup, Unit
from salesopt.kpis.periods import parse_period, period_label, period_start, working_days

SPEC_KEYS = [
    "lead_count",
    "lead_conversion_rate",
    "first_response_hours",
    "sla_breach_rate",
    "revenue",
    "target_attainment",
    "average_order_value",
    "repurchase_rate",
    "win_rate",
    "sales_cycle_days",
    "activities_per_rep_day",
    "complaint_rate",
    "complaint_response_hours",
    "satisfaction_score",
    "ramp_up_days",
]
REGION, PRODUCT_LINE, TEAM, REP, GRADE = (
    Dimension.REGION,
    Dimension.PRODUCT_LINE,
    Dimension.TEAM,
    Dimension.REP,
    Dimension.GRADE,
)


# Issue 13, deal milestones: conversion from each open funnel stage to the next, time in it.
STAGE_KEYS = [
    f"{kind}_{stage}"
    for kind in ("stage_conversion", "time_in_stage")
    for stage in ("qualification", "needs_analysis", "proposal", "negotiation")
]


# Issue 13, follow-up standards: the share of follow-up items done by their due time.
FOLLOW_UP_KEYS = ["follow_up_compliance"]


def test_every_spec_kpi_is_declared_plus_the_mean_response_time_and_the_lead_process_kpis():
    expected = [*SPEC_KEYS, "first_response_hours_mean", *STAGE_KEYS, *FOLLOW_UP_KEYS]
    assert sorted(METRICS) == sorted(expected)


def test_the_funnel_stages_are_the_opportunity_stages_in_order():
    assert [*FUNNEL_STAGES, "lost"] == list(OpportunityStage.values)


@pytest.mark.parametrize("key", sorted(METRICS))
def test_every_kpi_has_a_label_a_unit_a_direction_and_the_company_cut_first(key):
    metric = METRICS[key]

    assert str(metric.label)
    assert str(metric.definition)
    assert isinstance(metric.unit, Unit)
    assert isinstance(metric.higher_is_better, bool)
    assert metric.cuts[0] == ()


def test_medians_and_distinct_counts_are_not_rolled_up_from_months():
    assert {key for key, m in METRICS.items() if not m.rollup.is_additive} == {
        "first_response_hours",
        "sales_cycle_days",
        "complaint_response_hours",
        "ramp_up_days",
        "repurchase_rate",
        "complaint_rate",
    }
    assert METRICS["ramp_up_days"].rollup == Rollup.MEDIAN


def test_conversion_and_attainment_are_stored_by_region_and_product_line():
    assert METRICS["lead_conversion_rate"].stores((REGION, PRODUCT_LINE))
    assert METRICS["target_attainment"].stores((REGION, PRODUCT_LINE))


def test_additive_lead_kpis_are_stored_per_team_and_per_rep_for_scoped_readers():
    cuts = METRICS["lead_count"].cuts

    assert cuts == (
        (),
        (REGION,),
        (PRODUCT_LINE,),
        (TEAM,),
        (REP,),
        (GRADE,),
        (REGION, PRODUCT_LINE),
        (REGION, TEAM),
        (PRODUCT_LINE, TEAM),
        (TEAM, GRADE),
        (REGION, REP),
        (PRODUCT_LINE, REP),
        (REP, GRADE),
    )


def test_medians_are_stored_for_the_single_cuts_only():
    assert METRICS["first_response_hours"].cuts == (
        (),
        (REGION,),
        (PRODUCT_LINE,),
        (TEAM,),
        (REP,),
        (GRADE,),
    )


def test_attainment_has_no_team_by_region_cut_because_targets_have_none():
    assert not METRICS["target_attainment"].stores((REGION, TEAM))


def test_kpis_only_have_the_dimensions_their_data_has():
    assert GRADE not in METRICS["revenue"].dimensions
    assert METRICS["activities_per_rep_day"].dimensions == {TEAM, REP}
    assert METRICS["complaint_rate"].dimensions == {REGION, TEAM, REP}


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-04", dt.date(2024, 4, 1), dt.date(2024, 5, 1)),
        ("2024-12", dt.date(2024, 12, 1), dt.date(2025, 1, 1)),
        ("2024-Q2", dt.date(2024, 4, 1), dt.date(2024, 7, 1)),
        ("2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
    ],
)
def test_periods_parse_as_months_quarters_or_years(text, start, end):
    parsed = parse_period(text)

    assert (parsed.start, parsed.end) == (start, end)


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "24-04", "April", "2024-4-1", ""])
def test_malformed_periods_are_refused(text):
    with pytest.raises(ValueError, match="2024-04"):
        parse_period(text)


def test_period_labels_and_starts():
    day = dt.date(2024, 5, 17)

    assert period_label(Grain.MONTH, period_start(Grain.MONTH, day)) == "2024-05"
    assert period_label(Grain.QUARTER, period_start(Grain.QUARTER, day)) == "2024-Q2"
    assert period_label(Grain.YEAR, period_start(Grain.YEAR, day)) == "2024"


def test_working_days_are_monday_to_friday_up_to_today():
    october, november, december = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    sunday_15th = dt.date(2026, 11, 15)

    assert working_days(october, november, sunday_15th) == 22
    assert working_days(november, december, sunday_15th) == 10  # 2–6 and 9–13 November
    assert working_days(december, dt.date(2027, 1, 1), sunday_15th) == 0
