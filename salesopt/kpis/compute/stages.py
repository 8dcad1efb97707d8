"""Stage-to-stage conversion and time in stage, from the opportunities' stage history.

Read from the history's summary, one narrow row per opportunity (planning.models.DealProgress,
rewritten by every writer of the history and of opportunities: salesopt.core.stage_history),
so a recompute never orders the history itself (ordering the scale-30 demo's 960,000 stage
entries per opportunity cost 4.3 s; this family takes about 0.5 s). Both KPIs are ratios of
sums, so one small cube (month × region × product line × owner, a few thousand rows) serves
every cut and grain, as for the win rate:

- conversion from stage N, by the month the opportunity entered the pipeline (its first stage
  entry): opportunities that reached a stage after N ÷ those that reached N or later. The same
  cohort for every stage, so the counts read side by side are one funnel;
- time in stage N (mean days), by the month the opportunity left N: the days from its entry
  into N to its move on to the next stage or its loss (a move recorded as such, not a stage
  first seen after a gap: see salesopt.imports.stage_history). A mean rather than a median: it
  adds up from months, so its quarters, years, program windows and a team lead's team × region
  cuts come from the cube (a median would need a pass over the history per cut, grain and
  window).
"""

from __future__ import annotations

from ..catalog import (
    FUNNEL_STAGES,
    METRICS,
    OPEN_FUNNEL_STAGES,
    Dimension,
    stage_conversion_key,
    time_in_stage_key,
)
from .statements import (
    Context,
    Measure,
    Source,
    create_work_table,
    drop_work_table,
    insert_measures,
)

PROGRESS_TABLE = "planning_dealprogress"
CUBE = "kpis_work_stage_cube"
CONVERSION_MEASURES = [
    Measure(stage_conversion_key(stage), f"SUM(c.reached_{rank + 1})", f"SUM(c.reached_{rank})")
    for rank, stage in enumerate(OPEN_FUNNEL_STAGES, 1)
]
TIME_MEASURES = [
    Measure(time_in_stage_key(stage), f"SUM(c.days_{stage})", f"SUM(c.left_{stage})")
    for stage in OPEN_FUNNEL_STAGES
]
_KEYS = "g.region_id, g.product_line_id, g.owner_id"
_RANKS = range(1, len(FUNNEL_STAGES) + 1)


def compute_stages(context: Context) -> None:
    _fill_cube(context)
    dimensions = {
        Dimension.REGION: "c.region_id",
        Dimension.PRODUCT_LINE: "c.product_line_id",
        Dimension.TEAM: "c.team_id",
        Dimension.REP: "c.rep_id",
        Dimension.GRADE: "NULL",
    }
    cuts = METRICS[CONVERSION_MEASURES[0].metric].cuts
    # The pipeline entries' rows and the stage exits' rows of the cube, each KPI from its own.
    for where, measures in (
        ("c.reached_1 > 0", CONVERSION_MEASURES),
        ("c.reached_1 = 0", TIME_MEASURES),
    ):
        source = Source(
            from_sql=f"{CUBE} AS c", month="c.month", dimensions=dimensions, where=where
        )
        insert_measures(context, source, cuts, measures)
    drop_work_table(context, CUBE)


def _fill_cube(context: Context) -> None:
    """Month × region × product line × owner (and the owner's team): the deals that entered the
    pipeline and how many reached each stage; per open stage the deals that left it, with their
    days in it. A GROUP BY per month column of the summary (one pass with grouping sets cost
    more: every aggregate of every period ran in each of the five sets)."""
    columns = [f"reached_{rank}" for rank in _RANKS]
    for stage in OPEN_FUNNEL_STAGES:
        columns += [f"days_{stage}", f"left_{stage}"]
    entered = {
        f"reached_{rank}": f"SUM(CASE WHEN g.reached >= {rank} THEN 1 ELSE 0 END)"
        for rank in _RANKS
    }
    exits = []
    for stage in OPEN_FUNNEL_STAGES:
        left = {f"days_{stage}": f"SUM(g.{stage}_days)", f"left_{stage}": f"COUNT(g.{stage}_days)"}
        exits.append(_part(f"g.{stage}_left_month", columns, left))
    # The four stages' exits summed into one row per month and owner (a fifth of the rows for
    # the time-in-stage statement to group).
    totals = ", ".join(f"SUM(x.{column}) AS {column}" for column in columns)
    merged = (
        f"SELECT x.month, x.region_id, x.product_line_id, x.rep_id, {totals} "
        f"FROM ({' UNION ALL '.join(exits)}) AS x "
        "GROUP BY x.month, x.region_id, x.product_line_id, x.rep_id"
    )
    parts = [_part("g.entered_month", columns, entered), merged]
    params = [context.date_param(context.start), context.date_param(context.end)]
    select = (
        f"SELECT u.*, p.team_id FROM ({' UNION ALL '.join(parts)}) AS u "
        "LEFT JOIN core_profile AS p ON p.user_id = u.rep_id"
    )
    create_work_table(context, CUBE, select, params * (1 + len(exits)))


def _part(month: str, columns: list[str], values: dict[str, str]) -> str:
    chosen = ", ".join(f"{values.get(column, '0')} AS {column}" for column in columns)
    return (
        f"SELECT {month} AS month, {_KEYS} AS rep_id, {chosen} FROM {PROGRESS_TABLE} AS g "
        f"WHERE {month} >= %s AND {month} < %s GROUP BY {month}, {_KEYS}"
    )
