"""The demo deals' stage histories: when each demo opportunity entered every stage it reached.

A demo deal opens in qualification and moves on at fixed shares of its life (from opening to
its close, or to its planned close while it is open), each shifted by up to ten points by the
deal's id so no two deals move in step: needs analysis at about a quarter, the proposal at about
half, contract review at about three quarters. A won deal passes every stage; a lost one stops
in qualification (35%), needs analysis (25%), after its proposal (25%) or in contract review
(15%); an open one has reached the stage it is in. One INSERT … SELECT over the opportunities,
idempotent (ON CONFLICT DO NOTHING), in the planning app's stage history table (written in SQL,
as the import pipeline writes it: see salesopt.imports.stage_history).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from ..stage_history import refresh_progress

STAGE_ENTRY_TABLE = "planning_stageentry"
# stage, place in the funnel, a prime that spreads its shift over the deals.
_MOVES = (("needs_analysis", 2, 7), ("proposal", 3, 11), ("negotiation", 4, 13))
_REACHED = (
    "CASE o.stage WHEN 'won' THEN 5 WHEN 'negotiation' THEN 4 WHEN 'proposal' THEN 3 "
    "WHEN 'needs_analysis' THEN 2 WHEN 'qualification' THEN 1 "
    "ELSE 1 + CASE WHEN o.id %% 20 >= 7 THEN 1 ELSE 0 END + CASE WHEN o.id %% 20 >= 12 THEN 1 "
    "ELSE 0 END + CASE WHEN o.id %% 20 >= 17 THEN 1 ELSE 0 END END"
)


def seed_stage_history(*, source: str, now: dt.datetime) -> int:
    """Write the stage entries of every opportunity from `source`; returns the rows added."""
    moves = " UNION ALL ".join(
        f"SELECT '{stage}' AS stage, {rank} AS place, {prime} AS prime"
        for stage, rank, prime in _MOVES
    )
    share = "((s.place - 1) / 4.0 + ((o.id * s.prime) %% 97) / 1000.0)"
    entered = _moved_at(share)
    statements = (  # spliced from this module's constants only
        f"SELECT o.id, s.stage, {entered} FROM core_opportunity AS o CROSS JOIN ({moves}) AS s "  # noqa: S608
        f"WHERE o.source = %s AND ({_REACHED}) >= s.place",
        "SELECT o.id, 'qualification', o.created_in_crm_at FROM core_opportunity AS o "
        "WHERE o.source = %s",
        "SELECT o.id, o.stage, o.closed_at FROM core_opportunity AS o "
        "WHERE o.source = %s AND o.stage IN ('won', 'lost') AND o.closed_at IS NOT NULL",
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    added = 0
    with connection.cursor() as cursor:
        for index, select in enumerate(statements):
            cursor.execute(
                f"INSERT INTO {STAGE_ENTRY_TABLE} "  # noqa: S608 (constants of this module)
                "(opportunity_id, stage, entered_at, after_gap, origin) "
                # SQLite parses ON CONFLICT after a SELECT only when the SELECT has a WHERE.
                f"SELECT entries.*, %s, 'demo' FROM ({select}) AS entries WHERE 1 = 1 "
                "ON CONFLICT (opportunity_id, stage) DO NOTHING",
                [False, *([moment] * entered.count("%s") if index == 0 else []), source],
            )
            added += max(cursor.rowcount, 0)
    refresh_progress("o.source = %s", [source])
    return added


def _moved_at(share: str) -> str:
    """When a deal entered a stage: `share` of the way through its life, never after now."""
    if connection.vendor == "postgresql":
        end = "COALESCE(o.closed_at, o.expected_close::timestamptz, %s::timestamptz)"
        moved = f"o.created_in_crm_at + ({end} - o.created_in_crm_at) * {share}"
        return f"GREATEST(o.created_in_crm_at, LEAST({moved}, %s::timestamptz))"
    end = "julianday(COALESCE(o.closed_at, o.expected_close, %s))"
    moved = f"julianday(o.created_in_crm_at) + ({end} - julianday(o.created_in_crm_at)) * {share}"
    return f"datetime(MAX(julianday(o.created_in_crm_at), MIN({moved}, julianday(%s))))"
