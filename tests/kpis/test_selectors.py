"""kpi_series: the one reader, its shape, filled periods, errors and row access by role."""

from __future__ import annotations

import pytest

from salesopt.core.models import Role
from salesopt.kpis.selectors import KpiAccessError, KpiQueryError, kpi_series
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def rows_of(series):
    return [(row.period, row.dims, row.value) for row in series.rows]


def test_company_wide_series_by_month(leads, admin_user):
    series = kpi_series(
        user=admin_user, metric="lead_count", period_from="2026-10", period_to="2026-11"
    )

    assert rows_of(series) == [("2026-10", {}, 5.0), ("2026-11", {}, 4.0)]


def test_series_by_region_names_the_regions(leads, manager):
    series = kpi_series(
        user=manager,
        metric="lead_conversion_rate",
        by="region",
        period_from="2026-10",
        period_to="2026-10",
    )

    assert rows_of(series) == [
        ("2026-10", {"region": "华东"}, 0.0),
        ("2026-10", {"region": "华南"}, pytest.approx(2 / 3)),
    ]


def test_series_by_region_and_product_line_in_either_order(leads, executive):
    first = kpi_series(
        user=executive,
        metric="lead_conversion_rate",
        by=["product_line", "region"],
        period_from="2026-10",
        period_to="2026-10",
    )

    assert first.by == ("region", "product_line")
    assert rows_of(first) == [
        ("2026-10", {"region": "华东", "product_line": "云服务"}, 0.0),
        ("2026-10", {"region": "华东", "product_line": "智能门锁"}, 0.0),
        ("2026-10", {"region": "华南", "product_line": "云服务"}, 1.0),
        ("2026-10", {"region": "华南", "product_line": "智能门锁"}, 0.5),
    ]


def test_quarter_and_year_labels(leads, admin_user):
    quarters = kpi_series(
        user=admin_user,
        metric="lead_count",
        grain="quarter",
        period_from="2026-Q4",
        period_to="2026-Q4",
    )
    years = kpi_series(
        user=admin_user, metric="lead_count", grain="year", period_from="2026", period_to="2026"
    )

    assert rows_of(quarters) == [("2026-Q4", {}, 9.0)]
    assert rows_of(years) == [("2026", {}, 10.0)]


def test_a_month_range_read_by_quarter_takes_the_quarters_holding_it(leads, admin_user):
    series = kpi_series(
        user=admin_user,
        metric="lead_count",
        grain="quarter",
        period_from="2026-11",
        period_to="2026-11",
    )

    assert rows_of(series) == [("2026-Q4", {}, 9.0)]


def test_empty_periods_are_filled_zero_for_counts_and_no_value_for_rates(leads, admin_user):
    counts = kpi_series(
        user=admin_user, metric="lead_count", period_from="2026-01", period_to="2026-03"
    )
    rates = kpi_series(
        user=admin_user, metric="lead_conversion_rate", period_from="2026-01", period_to="2026-03"
    )

    assert rows_of(counts) == [("2026-01", {}, 0.0), ("2026-02", {}, 0.0), ("2026-03", {}, 1.0)]
    assert rows_of(rates) == [("2026-01", {}, None), ("2026-02", {}, None), ("2026-03", {}, 1.0)]
    assert rates.as_json()["rows"][0] == {
        "period": "2026-01",
        "dims": {},
        "value": None,
        "numerator": 0,
        "denominator": 0,
    }


def test_periods_after_the_current_one_are_not_filled(leads, admin_user):
    series = kpi_series(
        user=admin_user, metric="lead_count", period_from="2026-10", period_to="2026-12"
    )

    assert [row.period for row in series.rows] == ["2026-10", "2026-11"]


def test_team_lead_without_by_reads_their_teams_total(leads, team_lead):
    series = kpi_series(
        user=team_lead, metric="lead_count", period_from="2026-10", period_to="2026-10"
    )

    assert rows_of(series) == [("2026-10", {}, 3.0)]


def test_team_lead_by_rep_reads_only_their_teams_reps(leads, team_lead):
    series = kpi_series(
        user=team_lead,
        metric="first_response_hours",
        by="rep",
        period_from="2026-10",
        period_to="2026-10",
    )

    assert rows_of(series) == [
        ("2026-10", {"rep": "rep.south"}, 2.5),
        ("2026-10", {"rep": "rep.south2"}, 30.0),
    ]


def test_team_lead_by_team_reads_only_their_own_team(leads, team_lead, east_team):
    series = kpi_series(
        user=team_lead, metric="lead_count", by="team", period_from="2026-10", period_to="2026-10"
    )

    assert rows_of(series) == [("2026-10", {"team": "华南一组"}, 3.0)]


def test_team_lead_by_grade_reads_the_team_by_grade_cut(leads, team_lead):
    series = kpi_series(
        user=team_lead,
        metric="sla_breach_rate",
        by="grade",
        period_from="2026-10",
        period_to="2026-10",
    )

    assert rows_of(series) == [
        ("2026-10", {"grade": "A"}, 0.5),
        ("2026-10", {"grade": "B"}, 0.0),
    ]


def test_team_lead_cannot_read_a_median_by_grade_within_their_team(leads, team_lead):
    with pytest.raises(KpiQueryError, match="not available by grade within your scope"):
        kpi_series(user=team_lead, metric="first_response_hours", by="grade")


def test_rep_reads_only_their_own_figures(leads, rep):
    total = kpi_series(user=rep, metric="lead_count", period_from="2026-10", period_to="2026-10")
    by_rep = kpi_series(
        user=rep, metric="lead_count", by="rep", period_from="2026-10", period_to="2026-10"
    )
    by_grade = kpi_series(
        user=rep, metric="lead_count", by="grade", period_from="2026-10", period_to="2026-10"
    )

    assert rows_of(total) == [("2026-10", {}, 2.0)]
    assert rows_of(by_rep) == [("2026-10", {"rep": "rep.south"}, 2.0)]
    assert rows_of(by_grade) == [("2026-10", {"grade": "A"}, 2.0)]


def test_rep_is_refused_their_teams_total(leads, rep):
    with pytest.raises(KpiAccessError, match="by=team"):
        kpi_series(user=rep, metric="lead_count", by="team")


def test_a_rep_by_region_sees_no_other_reps_region(leads, east_rep):
    series = kpi_series(
        user=east_rep, metric="lead_count", by="region", period_from="2026-10", period_to="2026-10"
    )

    assert rows_of(series) == [("2026-10", {"region": "华东"}, 2.0)]


def test_a_user_without_a_role_reads_nothing(leads):
    stranger = UserFactory(username="stranger", profile=None)

    assert kpi_series(user=stranger, metric="lead_count").rows == []


def test_a_team_lead_without_a_team_reads_nothing(leads):
    lonely = UserFactory(username="lonely", profile__role=Role.TEAM_LEAD, profile__team=None)

    assert kpi_series(user=lonely, metric="lead_count").rows == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"metric": "profit"}, "unknown metric 'profit'"),
        ({"metric": "lead_count", "grain": "week"}, "unknown grain 'week'"),
        ({"metric": "lead_count", "by": "city"}, "unknown dimension"),
        ({"metric": "lead_count", "by": "region,region"}, "names a dimension twice"),
        ({"metric": "revenue", "by": "grade"}, "revenue is not available by grade"),
        ({"metric": "lead_count", "by": "team,rep"}, "not available by team × rep"),
        ({"metric": "lead_count", "period_from": "2026-13"}, "not a month"),
        ({"metric": "lead_count", "period_to": "soon"}, "not a period"),
        (
            {"metric": "lead_count", "period_from": "2026-05", "period_to": "2026-04"},
            "starts after",
        ),
    ],
)
def test_invalid_requests_raise_a_readable_error(admin_user, arguments, message):
    with pytest.raises(KpiQueryError, match=message):
        kpi_series(user=admin_user, **arguments)


def test_a_series_costs_a_few_queries(leads, admin_user, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        kpi_series(user=admin_user, metric="lead_conversion_rate", by="region,product_line")
