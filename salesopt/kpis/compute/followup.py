"""Follow-up standard compliance, from the leads' checklist items (core_followupitem).

A ratio of sums, so one small cube (month the item was due × region × product line × grade ×
owner) serves every cut and grain: items done by their due time ÷ items whose due time has
passed. An item not yet due counts in neither: the current week's is not late before Friday.
"""

from __future__ import annotations

from salesopt.core.periods import start_of_day

from ..catalog import METRICS, Dimension
from .statements import (
    Context,
    Measure,
    Source,
    create_work_table,
    drop_work_table,
    insert_measures,
)

CUBE = "kpis_work_follow_up_cube"
MEASURES = [Measure("follow_up_compliance", "SUM(c.on_time)", "SUM(c.due)")]


def compute_follow_up(context: Context) -> None:
    month = context.dialect.month_of_timestamp("i.due_at")
    select = (
        f"SELECT {month} AS month, l.region_id, l.product_line_id, NULLIF(l.grade, '') AS grade, "
        "l.owner_id AS rep_id, "
        "SUM(CASE WHEN i.done_at IS NOT NULL AND i.done_at <= i.due_at THEN 1 ELSE 0 END) "
        "AS on_time, COUNT(*) AS due "
        "FROM core_followupitem AS i JOIN core_lead AS l ON l.id = i.lead_id "
        "WHERE i.due_at >= %s AND i.due_at < %s AND i.due_at <= %s "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    params = [
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
        context.time_param(context.now),
    ]
    create_work_table(context, CUBE, select, params)
    source = Source(
        from_sql=f"{CUBE} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
        month="c.month",
        dimensions={
            Dimension.REGION: "c.region_id",
            Dimension.PRODUCT_LINE: "c.product_line_id",
            Dimension.TEAM: "p.team_id",
            Dimension.REP: "c.rep_id",
            Dimension.GRADE: "c.grade",
        },
    )
    insert_measures(context, source, METRICS["follow_up_compliance"].cuts, MEASURES)
    drop_work_table(context, CUBE)
