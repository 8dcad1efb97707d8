"""Win rate: opportunities won ÷ opportunities closed (won or lost), by closing month.

Only closed opportunities count, so a cube of closings per month, region, product line and owner
(a few thousand rows) serves every cut and grain. Open opportunities have no closing date.
"""

from __future__ import annotations

from salesopt.core.models import OpportunityStage
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

CUBE = "kpis_work_opportunity_cube"
WIN_RATE = Measure("win_rate", "SUM(c.won)", "SUM(c.closed)")


def compute_deals(context: Context) -> None:
    _fill_cube(context)
    cube = Source(
        from_sql=f"{CUBE} AS c LEFT JOIN core_profile AS p ON p.user_id = c.rep_id",
        month="c.month",
        dimensions={
            Dimension.REGION: "c.region_id",
            Dimension.PRODUCT_LINE: "c.product_line_id",
            Dimension.TEAM: "p.team_id",
            Dimension.REP: "c.rep_id",
            Dimension.GRADE: "NULL",
        },
    )
    insert_measures(context, cube, METRICS["win_rate"].cuts, [WIN_RATE])
    drop_work_table(context, CUBE)


def _fill_cube(context: Context) -> None:
    closed = "o.closed_at"
    won, lost = OpportunityStage.WON.value, OpportunityStage.LOST.value
    select = (
        f"SELECT {context.dialect.month_of_timestamp(closed)} AS month, o.region_id, "
        "o.product_line_id, o.owner_id AS rep_id, "
        f"COUNT(*) FILTER (WHERE o.stage = '{won}') AS won, COUNT(*) AS closed "
        f"FROM core_opportunity AS o WHERE o.stage IN ('{won}', '{lost}') "
        f"AND {closed} >= %s AND {closed} < %s GROUP BY 1, 2, 3, 4"
    )
    params = [
        context.time_param(start_of_day(context.start)),
        context.time_param(start_of_day(context.end)),
    ]
    create_work_table(context, CUBE, select, params)
