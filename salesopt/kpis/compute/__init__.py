"""Recompute KPI snapshots: replace a range of periods of every KPI in one locked transaction.

A recompute always covers whole calendar years: quarter and year figures are computed in the
same pass as their months, so a quarter never mixes fresh and stale months. Every figure of the
range is computed afresh into a work table; the snapshot table's slice is then made equal to it:
figures that changed or vanished are deleted, new and changed ones inserted, and a figure that
came out the same is left as it is (its `computed_at` says when it was last written). Writing
sixty thousand unchanged rows back cost more than a third of a nightly recompute. Outside the
range nothing changes. Ramp-up cohorts (by hire month) are the exception: a win in any month
changes an old cohort, so that KPI is rebuilt whole each time (a few dozen rows).

Two recomputes at once: on PostgreSQL the second waits on a transaction-level advisory lock
until the first commits, then replaces the slice again; on SQLite the database's single writer
lock serialises them. Either way the unique constraint on a figure guarantees no duplicates,
and readers see the old slice until the new one commits. The programs' window figures are
refreshed in the same transaction (windows.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import DIMENSION_COLUMNS
from . import windows
from .complaints import compute_complaints
from .deals import compute_deals
from .dialect import Dialect
from .followup import compute_follow_up
from .leads import compute_leads
from .orders import compute_orders
from .people import compute_people
from .stages import compute_stages
from .statements import (
    ADVISORY_LOCK_KEY,
    FIGURES_TABLE,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_TABLE,
    TUNING,
    Context,
    create_work_table,
    drop_work_table,
    export_snapshot,
)

# Orders before complaints: the complaint rate reads the repurchase rate's denominators.
FAMILIES: tuple[Callable[[Context], None], ...] = (
    compute_leads,
    compute_orders,
    compute_complaints,
    compute_deals,
    compute_stages,
    compute_follow_up,
    compute_people,
)
WHOLE_METRICS = ("ramp_up_days",)


@dataclass(frozen=True)
class RecomputeResult:
    start: dt.date
    end: dt.date
    rows: int
    rows_by_metric: dict[str, int]
    seconds_by_family: dict[str, float]
    seconds: float


def recompute(
    *, first_month: dt.date, last_month: dt.date, now: dt.datetime | None = None
) -> RecomputeResult:
    """Rewrite every KPI for the calendar years from `first_month` to `last_month`."""
    if first_month > last_month:
        raise ValueError(f"the range starts after it ends: {first_month} > {last_month}")
    started = time.perf_counter()
    dialect = Dialect.current(settings.SALESOPT_COMPANY_TIME_ZONE)
    start, end = dt.date(first_month.year, 1, 1), dt.date(last_month.year + 1, 1, 1)
    context = Context(dialect=dialect, start=start, end=end, now=now or timezone.now())
    family_seconds: dict[str, float] = {}
    # Inside a caller's transaction (a test's, say) other connections cannot see its rows:
    # then every read stays on this connection.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        _lock_and_tune(context)
        # Read under the lock: a window set meanwhile is computed by this recompute.
        context.windows = windows.alongside(dialect, start, end)
        if context.dialect.is_postgres and outermost:
            context.snapshot = export_snapshot()
        # Same columns and types as the snapshot table (so values round alike), no index.
        create_work_table(
            context,
            FIGURES_TABLE,
            f"SELECT {SNAPSHOT_COLUMNS} FROM {SNAPSHOT_TABLE} WHERE 1 = 0",
            [],
        )
        try:
            for family in FAMILIES:
                family_started = time.perf_counter()
                family(context)
                family_seconds[family.__name__.removeprefix("compute_")] = (
                    time.perf_counter() - family_started
                )
            waited = time.perf_counter()
            context.write_pending()
            family_seconds["background work (wait, write)"] = time.perf_counter() - waited
        finally:
            context.close()
        windows_started = time.perf_counter()
        windows.store_alongside(context)
        family_seconds["diagnosis windows"] = time.perf_counter() - windows_started
        _replace_slice(context)
        drop_work_table(context, FIGURES_TABLE)
        windows_started = time.perf_counter()
        windows.compute_remaining(context)
        family_seconds["diagnosis windows"] += time.perf_counter() - windows_started
    return RecomputeResult(
        start=context.start,
        end=context.end,
        rows=sum(context.rows_written.values()),
        rows_by_metric=dict(context.rows_written),
        seconds_by_family=family_seconds,
        seconds=time.perf_counter() - started,
    )


# What identifies a figure (the snapshot table's unique constraint, plus its cut).
_KEY = ("metric", "grain", "period_start", "cut", *DIMENSION_COLUMNS.values())
_MEASURES = ("value", "numerator", "denominator")


def _replace_slice(context: Context) -> None:
    """Make the snapshot table's slice of the range equal to the figures just computed."""
    same = "IS NOT DISTINCT FROM" if context.dialect.is_postgres else "IS"
    same_key = " AND ".join(f"f.{column} = s.{column}" for column in _KEY)
    same_measures = " AND ".join(f"f.{column} {same} s.{column}" for column in _MEASURES)
    whole = ", ".join(f"'{metric}'" for metric in WHOLE_METRICS)
    in_slice = f"((s.period_start >= %s AND s.period_start < %s) OR s.metric IN ({whole}))"
    if not context.dialect.is_postgres:
        # SQLite runs each NOT EXISTS below as a scan of the other table, per row: without an
        # index on the work table a year's recompute over existing snapshots took a minute
        # (PostgreSQL hashes both sides instead).
        context.execute(
            f"CREATE INDEX {FIGURES_TABLE}_key ON {FIGURES_TABLE} (metric, grain, period_start)"
        )
    context.execute(
        f"DELETE FROM {SNAPSHOT_TABLE} AS s WHERE {in_slice} AND NOT EXISTS "
        f"(SELECT 1 FROM {FIGURES_TABLE} AS f WHERE {same_key} AND {same_measures})",
        [context.date_param(context.start), context.date_param(context.end)],
    )
    context.execute(
        f"INSERT INTO {SNAPSHOT_TABLE} ({SNAPSHOT_COLUMNS}) "
        f"SELECT {SNAPSHOT_COLUMNS} FROM {FIGURES_TABLE} AS f WHERE NOT EXISTS "
        f"(SELECT 1 FROM {SNAPSHOT_TABLE} AS s WHERE {same_key})"
    )


def _lock_and_tune(context: Context) -> None:
    if context.dialect.is_postgres:
        context.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        for setting in TUNING:
            context.execute(setting)
