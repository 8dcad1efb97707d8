"""Complaint KPIs: complaint rate, response time (median) and satisfaction.

A complaint's rep is whoever handled it (and their team); its region is the complaint's own.
The complaint rate divides by the customers with an order in the period, the very number the
repurchase rate counts, so it reads that denominator back from the snapshots written just before
(orders are computed first) instead of counting distinct customers a second time.
"""

from __future__ import annotations

from functools import partial

from salesopt.core.periods import start_of_day

from ..catalog import METRICS, Cut, Dimension, PeriodGrain, cut_label
from ..models import DIMENSION_COLUMNS
from .columnar import (
    TIMESTAMPTZ,
    Figures,
    dimension_columns,
    hours_between,
    months_of_timestamps,
    read_grouped,
    teams_of,
)
from .statements import (
    DIMENSION_LIST,
    FIGURES_TABLE,
    Context,
    Measure,
    Source,
    aggregate_query,
    create_work_table,
    drop_work_table,
    insert_joined_ratio,
    insert_measures,
    insert_medians,
)

CUBE = "kpis_work_complaint_cube"
SATISFACTION = Measure("satisfaction_score", "SUM(c.satisfaction_sum)", "SUM(c.surveyed)")


def compute_complaints(context: Context) -> None:
    _fill_cube(context)
    insert_measures(context, _cube(), METRICS["satisfaction_score"].cuts, [SATISFACTION])
    _insert_complaint_rate(context)
    drop_work_table(context, CUBE)
    _compute_response_medians(context)


def compute_complaint_rate(context: Context) -> None:
    """The complaint rate alone (a window's: it cannot be summed from months). The repurchase
    rate of the same periods must be in the figures table already (its denominators)."""
    _fill_cube(context)
    _insert_complaint_rate(context)
    drop_work_table(context, CUBE)


def compute_complaint_response_medians(context: Context) -> None:
    _compute_response_medians(context)


def _cube() -> Source:
    return Source(
        from_sql=f"{CUBE} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
        month="c.month",
        dimensions=_dimensions("c.region_id", "p.team_id", "c.rep_id"),
    )


def _insert_complaint_rate(context: Context) -> None:
    insert_joined_ratio(
        context,
        metric="complaint_rate",
        cuts=METRICS["complaint_rate"].cuts,
        numerators=partial(aggregate_query, context.dialect, _cube(), amount="SUM(c.complaints)"),
        denominators=partial(_ordering_customers, context),
    )


def _dimensions(region: str, team: str, rep: str) -> dict[Dimension, str]:
    return {
        Dimension.REGION: region,
        Dimension.PRODUCT_LINE: "NULL",
        Dimension.TEAM: team,
        Dimension.REP: rep,
        Dimension.GRADE: "NULL",
    }


def _time_range(context: Context) -> list[object]:
    return [
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
    ]


def _fill_cube(context: Context) -> None:
    created = "k.created_in_crm_at"
    select = (
        f"SELECT {context.dialect.month_of_timestamp(created)} AS month, k.region_id, "
        "k.handled_by_id AS rep_id, COUNT(*) AS complaints, "
        "SUM(k.satisfaction) AS satisfaction_sum, COUNT(k.satisfaction) AS surveyed "
        f"FROM core_complaint AS k WHERE {created} >= %s AND {created} < %s GROUP BY 1, 2, 3"
    )
    create_work_table(context, CUBE, select, _time_range(context))


def _ordering_customers(context: Context, cut: Cut, grain: PeriodGrain) -> tuple[str, list[object]]:
    """Customers with an order, per period and scope: the repurchase rate's denominator."""
    sql = (
        f"SELECT s.cut, s.grain, s.period_start AS period, {_prefixed('s', DIMENSION_LIST)}, "
        f"s.denominator AS amount FROM {FIGURES_TABLE} AS s "
        "WHERE s.metric = 'repurchase_rate' AND s.grain = %s AND s.cut = %s "
        "AND s.period_start >= %s AND s.period_start < %s"
    )
    params = [
        grain.value,
        cut_label(cut),
        context.date_param(context.start),
        context.date_param(context.end),
    ]
    return sql, params


def _prefixed(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in columns.split(", "))


def _compute_response_medians(context: Context) -> None:
    created = "k.created_in_crm_at"
    if context.dialect.is_postgres:
        _compute_response_medians_in_memory(context)
        return
    complaints = Source(
        from_sql="core_complaint AS k LEFT JOIN core_profile AS p ON p.user_id = k.handled_by_id",
        month=context.dialect.month_of_timestamp(created),
        dimensions=_dimensions("k.region_id", "p.team_id", "k.handled_by_id"),
        where=f"{created} >= %s AND {created} < %s",
        params=tuple(_time_range(context)),
    )
    hours = context.dialect.hours_between("k.first_response_at", created)
    for cut in METRICS["complaint_response_hours"].cuts:
        insert_medians(context, complaints, cut, "complaint_response_hours", hours)


def _compute_response_medians_in_memory(context: Context) -> None:
    """Every cut and grain from one read of the answered complaints (columnar.py): one
    statement instead of a sort of every complaint per cut."""
    created, answered = "k.created_in_crm_at", "k.first_response_at"
    columns = read_grouped(
        dimension_columns({Dimension.REGION: "k.region_id", Dimension.REP: "k.handled_by_id"}),
        [(f"{created} AS created", TIMESTAMPTZ), (f"{answered} AS answered", TIMESTAMPTZ)],
        f"FROM core_complaint AS k WHERE {created} >= %s AND {created} < %s "
        f"AND {answered} IS NOT NULL",
        _time_range(context),
    )
    team = DIMENSION_COLUMNS[Dimension.TEAM]
    columns[team] = teams_of(columns[DIMENSION_COLUMNS[Dimension.REP]])
    figures = Figures("complaint_response_hours")
    figures.add_medians(
        METRICS["complaint_response_hours"].cuts,
        months_of_timestamps(columns["created"], context.dialect.zone),
        {
            DIMENSION_COLUMNS[dimension]: columns[DIMENSION_COLUMNS[dimension]]
            for dimension in (Dimension.REGION, Dimension.TEAM, Dimension.REP)
        },
        hours_between(columns["answered"], columns["created"]),
        context.in_memory_grains,
    )
    figures.insert(context)
