"""Lead KPIs: lead count, conversion, first response (median and mean), SLA breaches, cycle.

The additive ones come from one pass over the leads of the range into a small cube (month ×
region × product line × owner × grade: about 5,000 rows for a million leads); every cut is then
a GROUP BY over that cube, joined to the owners' teams. Medians need every value: on PostgreSQL
the answered and the won leads are read once, as binary strings, and every cut's medians are
worked out in memory (columnar.py), on a connection and a thread of their own when the
recompute has a snapshot to share; on SQLite they go through a narrow work table that each
median cut sorts.

A lead's team is its owner's team today (owner → profile → team), as in salesopt.core.access.
"""

from __future__ import annotations

import numpy as np

from salesopt.core.models import LeadStatus
from salesopt.core.periods import start_of_day

from ..catalog import METRICS, Cut, Dimension
from ..models import DIMENSION_COLUMNS
from .columnar import (
    TIMESTAMPTZ,
    Figures,
    Subset,
    dimension_columns,
    hours_between,
    months_of_timestamps,
    read_grouped_subsets,
    teams_of,
)
from .dialect import Dialect
from .statements import (
    Context,
    Measure,
    Source,
    create_work_table,
    drop_work_table,
    insert_measures,
    insert_medians,
)

CUBE = "kpis_work_lead_cube"
RESPONSES = "kpis_work_lead_responses"
WINS = "kpis_work_lead_wins"
# SQLite's median work tables: straight from core_lead (joined to the owner's profile as p),
# NULL where a lead has none.
RAW_DIMENSIONS = (
    "l.region_id, l.product_line_id, p.team_id, l.owner_id AS rep_id, NULLIF(l.grade, '') AS grade"
)
# The same as plain columns, for the binary read of the medians (columnar.py); the team is
# looked up from the owner after the read.
DIMENSION_SOURCES = {
    Dimension.REGION: "l.region_id",
    Dimension.PRODUCT_LINE: "l.product_line_id",
    Dimension.REP: "l.owner_id",
    Dimension.GRADE: "l.grade",
}
LEADS_AND_OWNERS = "core_lead AS l LEFT JOIN core_profile AS p ON p.user_id = l.owner_id"
ADDITIVE_MEASURES = (
    Measure("lead_count", "SUM(w.leads)"),
    Measure("lead_conversion_rate", "SUM(w.converted)", "SUM(w.leads)"),
    Measure("first_response_hours_mean", "SUM(w.response_hours)", "SUM(w.answered)"),
    Measure("sla_breach_rate", "SUM(w.breached)", "SUM(w.graded)"),
)
CONVERTED = f"(l.status = '{LeadStatus.CONVERTED.value}' OR l.won_at IS NOT NULL)"


def compute_leads(context: Context) -> None:
    if context.dialect.is_postgres:
        # Started first: with a snapshot to read through, it runs beside the cube's statements.
        _compute_medians_in_memory(context)
    _fill_cube(context)
    # A lead's team is its owner's: joined to the cube's few thousand rows, not to every lead.
    cube = Source(
        from_sql=f"{CUBE} AS w LEFT JOIN core_profile AS p ON p.user_id = w.rep_id",
        month="w.month",
        dimensions={**_work_source(CUBE).dimensions, Dimension.TEAM: "p.team_id"},
    )
    insert_measures(context, cube, _cuts(), ADDITIVE_MEASURES)
    drop_work_table(context, CUBE)
    if not context.dialect.is_postgres:
        _compute_medians_in_work_tables(context)


def compute_lead_medians(context: Context) -> None:
    """First response and sales cycle only: the lead KPIs a window cannot sum from months."""
    if context.dialect.is_postgres:
        _compute_medians_in_memory(context)
    else:
        _compute_medians_in_work_tables(context)


def _compute_medians_in_work_tables(context: Context) -> None:
    dialect = context.dialect
    _compute_medians(
        context, RESPONSES, "l.created_in_crm_at", _response_hours(dialect), "first_response_hours"
    )
    _compute_medians(context, WINS, "l.won_at", _cycle_days(dialect), "sales_cycle_days")


def _compute_medians_in_memory(context: Context) -> None:
    """First response (by month created) and sales cycle (by month won), from one read, worked
    out on a thread (columnar.py)."""
    created, answered, won = "l.created_in_crm_at", "l.first_response_at", "l.won_at"

    responded = f"{created} >= %s AND {created} < %s AND {answered} IS NOT NULL"
    won_in_range = f"{won} >= %s AND {won} < %s"

    def read() -> dict[str, dict[str, np.ndarray]]:
        subsets = read_grouped_subsets(
            dimension_columns(DIMENSION_SOURCES),
            {
                "responded": Subset(
                    responded,
                    [(f"{created} AS at", TIMESTAMPTZ), (f"{answered} AS answered", TIMESTAMPTZ)],
                    _time_range(context),
                ),
                "won": Subset(
                    won_in_range,
                    [(f"{won} AS at", TIMESTAMPTZ), (f"{created} AS created", TIMESTAMPTZ)],
                    _time_range(context),
                ),
            },
            f"FROM core_lead AS l WHERE ({responded}) OR ({won_in_range})",
            _time_range(context) * 2,
        )
        # The owner's team looked up per row here: joining the profiles in SQL cost a fifth
        # of the read.
        for columns in subsets.values():
            columns[DIMENSION_COLUMNS[Dimension.TEAM]] = teams_of(columns["rep_id"])
        return subsets

    context.read_in_background(read, lambda subsets: _medians(context, subsets))


def _medians(context: Context, subsets: dict[str, dict[str, np.ndarray]]) -> list[Figures]:
    """First response hours by month created, sales cycle days by month won."""
    responded, won = subsets["responded"], subsets["won"]
    medians = []
    for metric, columns, values in (
        ("first_response_hours", responded, hours_between(responded["answered"], responded["at"])),
        ("sales_cycle_days", won, hours_between(won["at"], won["created"]) / 24.0),
    ):
        figures = Figures(metric)
        figures.add_medians(
            METRICS[metric].cuts,
            months_of_timestamps(columns["at"], context.dialect.zone),
            {name: columns[name] for name in DIMENSION_COLUMNS.values()},
            values,
            context.in_memory_grains,
        )
        medians.append(figures)
    return medians


def _compute_medians(context: Context, table: str, timestamp: str, value: str, metric: str) -> None:
    """Median, sum and count of `value` per period of `timestamp`, for every cut (SQLite)."""
    _fill_values(context, table, timestamp, value)
    for cut in METRICS[metric].cuts:
        insert_medians(context, _work_source(table), cut, metric, "w.x")
    drop_work_table(context, table)


def _work_source(table: str) -> Source:
    """A work table of this module: a month column and the five dimension columns."""
    dimensions = {dimension: f"w.{column}" for dimension, column in DIMENSION_COLUMNS.items()}
    return Source(from_sql=f"{table} AS w", month="w.month", dimensions=dimensions)


def _cuts() -> list[Cut]:
    """Every cut of the additive lead KPIs, each once."""
    return list(dict.fromkeys(cut for m in ADDITIVE_MEASURES for cut in METRICS[m.metric].cuts))


def _fill_cube(context: Context) -> None:
    dialect = context.dialect
    created, answered = "l.created_in_crm_at", "l.first_response_at"
    select = (
        f"SELECT {dialect.month_of_timestamp(created)} AS month, l.region_id, "
        "l.product_line_id, l.owner_id AS rep_id, NULLIF(l.grade, '') AS grade, "
        "COUNT(*) AS leads, "
        f"COUNT(*) FILTER (WHERE {CONVERTED}) AS converted, COUNT({answered}) AS answered, "
        # Rounded: parallel workers add the floats in a different order each time, and the
        # last bits that changes would make an unchanged figure look changed to the merge.
        f"{dialect.rounded(f'SUM({_response_hours(dialect)})', 6)} AS response_hours, "
        "COUNT(l.due_at) AS graded, "
        f"COUNT(*) FILTER (WHERE {_breached(dialect)}) AS breached "
        f"FROM core_lead AS l WHERE {created} >= %s AND {created} < %s "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    params = [context.time_param(context.now), *_time_range(context)]
    create_work_table(context, CUBE, select, params)


def _response_hours(dialect: Dialect) -> str:
    return dialect.hours_between("l.first_response_at", "l.created_in_crm_at")


def _cycle_days(dialect: Dialect) -> str:
    return f"({dialect.hours_between('l.won_at', 'l.created_in_crm_at')} / 24.0)"


def _fill_values(context: Context, table: str, timestamp: str, value: str) -> None:
    """One narrow row (month of `timestamp`, dimensions, x) per lead with a value in range."""
    month = context.dialect.month_of_timestamp(timestamp)
    select = (
        f"SELECT {month} AS month, {RAW_DIMENSIONS}, {value} AS x "
        f"FROM {LEADS_AND_OWNERS} WHERE {timestamp} >= %s AND {timestamp} < %s "
        f"AND {value} IS NOT NULL"
    )
    create_work_table(context, table, select, _time_range(context))


def _breached(dialect: Dialect) -> str:
    """Answered after its due time, or unanswered with the due time already past (at `now`).
    A lead's due time is its grade's deadline in working hours (salesopt.leads.grading)."""
    due, answered = "l.due_at", "l.first_response_at"
    now = dialect.timestamp_parameter()
    late, overdue = dialect.after(answered, due), dialect.after(now, due)
    return f"({due} IS NOT NULL AND ({late} OR ({answered} IS NULL AND {overdue})))"


def _time_range(context: Context) -> list[object]:
    """The range as company-zone midnights: [first day of the first month, first after)."""
    return [
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
    ]
