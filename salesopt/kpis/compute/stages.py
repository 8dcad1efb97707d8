"""Stage-to-stage conversion and time in stage, from the opportunities' stage history.

Both are ratios of sums, so a small cube per question (month × region × product line × owner,
a few thousand rows) serves every cut and grain, as for the win rate:

- conversion from stage N, by the month the opportunity entered the pipeline (its first stage
  entry): opportunities that reached a stage after N ÷ those that reached N or later. The same
  cohort for every stage, so the counts read side by side are one funnel;
- time in stage N (mean days), by the month the opportunity left N: the days from its entry
  into N to the next entry in its history, when that next entry is the stage right after N, or
  lost, and was recorded as a move (not first seen after a gap: see
  salesopt.imports.stage_history). A mean rather than a median: it adds up from months, so its
  quarters, years, program windows and a team lead's team × region cuts come from the cube
  (a median would need a pass over the history per cut, grain and window).

The stage history is the planning app's table (planning.models.StageEntry); like core's
tables it is read here in SQL.
"""

from __future__ import annotations

from salesopt.core.periods import start_of_day

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

STAGE_ENTRY_TABLE = "planning_stageentry"
CONVERSION_CUBE = "kpis_work_stage_conversion_cube"
TIME_CUBE = "kpis_work_stage_time_cube"
LOST = "lost"
# A stage's place in the funnel (1 = qualification … 5 = won); lost is no place.
_RANK = (
    "CASE e.stage "
    + " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(FUNNEL_STAGES, 1))
    + " ELSE 0 END"
)
CONVERSION_MEASURES = [
    Measure(stage_conversion_key(stage), f"SUM(c.reached_{rank + 1})", f"SUM(c.reached_{rank})")
    for rank, stage in enumerate(OPEN_FUNNEL_STAGES, 1)
]
TIME_MEASURES = [
    Measure(time_in_stage_key(stage), f"SUM(c.days_{rank})", f"SUM(c.left_{rank})")
    for rank, stage in enumerate(OPEN_FUNNEL_STAGES, 1)
]


def compute_stages(context: Context) -> None:
    _fill_conversion_cube(context)
    _fill_time_cube(context)
    for cube, measures in ((CONVERSION_CUBE, CONVERSION_MEASURES), (TIME_CUBE, TIME_MEASURES)):
        source = Source(
            from_sql=f"{cube} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
            month="c.month",
            dimensions={
                Dimension.REGION: "c.region_id",
                Dimension.PRODUCT_LINE: "c.product_line_id",
                Dimension.TEAM: "p.team_id",
                Dimension.REP: "c.rep_id",
                Dimension.GRADE: "NULL",
            },
        )
        insert_measures(context, source, METRICS[measures[0].metric].cuts, measures)
        drop_work_table(context, cube)


def _range_params(context: Context) -> list[object]:
    return [
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
    ]


def _fill_conversion_cube(context: Context) -> None:
    reached = ", ".join(
        f"SUM(CASE WHEN h.reached >= {rank} THEN 1 ELSE 0 END) AS reached_{rank}"
        for rank in range(1, len(FUNNEL_STAGES) + 1)
    )
    select = (
        f"SELECT {context.dialect.month_of_timestamp('h.first_at')} AS month, o.region_id, "
        f"o.product_line_id, o.owner_id AS rep_id, {reached} "
        f"FROM (SELECT e.opportunity_id, MIN(e.entered_at) AS first_at, MAX({_RANK}) AS reached "
        f"FROM {STAGE_ENTRY_TABLE} AS e GROUP BY e.opportunity_id) AS h "
        "JOIN core_opportunity AS o ON o.id = h.opportunity_id "
        "WHERE h.first_at >= %s AND h.first_at < %s GROUP BY 1, 2, 3, 4"
    )
    create_work_table(context, CONVERSION_CUBE, select, _range_params(context))


def _fill_time_cube(context: Context) -> None:
    days = context.dialect.hours_between("s.next_at", "s.entered_at") + " / 24.0"
    sums = []
    for rank, stage in enumerate(OPEN_FUNNEL_STAGES, 1):
        sums.append(f"SUM(CASE WHEN s.stage = '{stage}' THEN {days} ELSE 0 END) AS days_{rank}")
        sums.append(f"SUM(CASE WHEN s.stage = '{stage}' THEN 1 ELSE 0 END) AS left_{rank}")
    moves = " OR ".join(
        f"(s.stage = '{stage}' AND s.next_stage IN ('{following}', '{LOST}'))"
        for stage, following in zip(OPEN_FUNNEL_STAGES, FUNNEL_STAGES[1:], strict=True)
    )
    select = (
        f"SELECT {context.dialect.month_of_timestamp('s.next_at')} AS month, o.region_id, "
        f"o.product_line_id, o.owner_id AS rep_id, {', '.join(sums)} "
        "FROM (SELECT e.opportunity_id, e.stage, e.entered_at, "
        "LEAD(e.stage) OVER history AS next_stage, LEAD(e.entered_at) OVER history AS next_at, "
        "LEAD(e.after_gap) OVER history AS next_after_gap "
        f"FROM {STAGE_ENTRY_TABLE} AS e "
        f"WINDOW history AS (PARTITION BY e.opportunity_id ORDER BY e.entered_at, {_RANK})) AS s "
        "JOIN core_opportunity AS o ON o.id = s.opportunity_id "
        f"WHERE s.next_at >= %s AND s.next_at < %s AND NOT s.next_after_gap AND ({moves}) "
        "GROUP BY 1, 2, 3, 4"
    )
    create_work_table(context, TIME_CUBE, select, _range_params(context))
