"""The stage history's summary per opportunity, refreshed by every writer of the history.

The stage history (one row per opportunity and stage it entered: planning.models.StageEntry)
is written by the import pipeline, the demo seeder and a migration's back-fill; each then calls
`refresh_progress` for the opportunities it touched. The summary (planning.models.DealProgress)
holds what the funnel KPIs read, so a KPI recompute scans one row per opportunity instead of
ordering the whole history: when the deal entered the pipeline, the furthest funnel stage it
reached (its company-zone month: the KPI engine's months), and per open stage the month it left
it and the days it spent in it, for a move that counts for time in stage (to the next stage, or
lost, and not first seen after a gap). The zone is SALESOPT_COMPANY_TIME_ZONE; changing it
means running `refresh_progress("1 = 1")` once, as the KPIs are recomputed then too.

Both tables are the planning app's (they could not be core's in the change that made them);
like core's tables they are written here in SQL, which the layers below the phase apps share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection

STAGE_ENTRY_TABLE = "planning_stageentry"
PROGRESS_TABLE = "planning_dealprogress"
# The funnel, in order (core.models.OpportunityStage; lost is where a deal leaves it).
FUNNEL = ("qualification", "needs_analysis", "proposal", "negotiation", "won")
OPEN_STAGES = FUNNEL[:-1]
LOST = "lost"

_RANK = (
    "CASE e.stage "
    + " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(FUNNEL, 1))
    + " ELSE 0 END"
)


def _columns() -> list[str]:
    columns = ["region_id", "product_line_id", "owner_id", "entered_at", "entered_month", "reached"]
    for stage in OPEN_STAGES:
        columns += [f"{stage}_left_month", f"{stage}_days"]
    return columns


def _per_deal() -> list[str]:
    """Per opportunity, from its ordered entries `h`: the pipeline entry, the furthest stage,
    and per open stage its entry and its counted exit."""
    parts = ["MIN(h.entered_at) AS entered_at", "MAX(h.rank) AS reached"]
    for stage, following in zip(OPEN_STAGES, FUNNEL[1:], strict=True):
        parts.append(f"MIN(CASE WHEN h.stage = '{stage}' THEN h.entered_at END) AS {stage}_in")
        parts.append(
            f"MIN(CASE WHEN h.stage = '{stage}' AND h.next_stage IN ('{following}', '{LOST}') "
            f"AND h.next_gap = 0 THEN h.next_at END) AS {stage}_out"
        )
    return parts


def _summary_values() -> list[str]:
    values = ["o.region_id", "o.product_line_id", "o.owner_id"]
    values += ["d.entered_at", _month("d.entered_at"), "d.reached"]
    for stage in OPEN_STAGES:
        values += [_month(f"d.{stage}_out"), _days(f"d.{stage}_out", f"d.{stage}_in")]
    return values


def _month(column: str) -> str:
    """The first day of the company-zone month of a timestamp (as the KPI engine counts)."""
    zone = settings.SALESOPT_COMPANY_TIME_ZONE
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column} AT TIME ZONE '{zone}')::date"
    return (
        f"date(django_datetime_cast_date({column}, '{zone}', '{connection.timezone_name}'), "
        "'start of month')"
    )


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"((date_part('epoch', {later}) - date_part('epoch', {earlier})) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def refresh_progress(where: str, params: Sequence[Any] = ()) -> None:
    """Rewrite the summary of the opportunities `where` selects (a condition on `o`, a
    core_opportunity row, written by the caller from constants; values in `params`)."""
    columns = _columns()
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    ordered = (
        f"SELECT e.opportunity_id, e.stage, e.entered_at, {_RANK} AS rank, "  # noqa: S608
        "LEAD(e.stage) OVER history AS next_stage, LEAD(e.entered_at) OVER history AS next_at, "
        "CASE WHEN LEAD(e.after_gap) OVER history THEN 1 ELSE 0 END AS next_gap "
        f"FROM {STAGE_ENTRY_TABLE} AS e WHERE e.opportunity_id IN "
        f"(SELECT o.id FROM core_opportunity AS o WHERE {where}) "
        f"WINDOW history AS (PARTITION BY e.opportunity_id ORDER BY e.entered_at, {_RANK})"
    )
    per_deal = (
        f"SELECT h.opportunity_id, {', '.join(_per_deal())} FROM ({ordered}) AS h "  # noqa: S608
        "GROUP BY h.opportunity_id"
    )
    sql = (
        f"INSERT INTO {PROGRESS_TABLE} (opportunity_id, {', '.join(columns)}) "  # noqa: S608
        f"SELECT d.opportunity_id, {', '.join(_summary_values())} FROM ({per_deal}) AS d "
        "JOIN core_opportunity AS o ON o.id = d.opportunity_id "
        # SQLite parses ON CONFLICT after a SELECT only when the SELECT has a WHERE.
        f"WHERE 1 = 1 ON CONFLICT (opportunity_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
