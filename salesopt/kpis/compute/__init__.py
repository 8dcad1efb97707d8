"""Recompute KPI snapshots: replace a range of periods of every KPI in one locked transaction.

A recompute always covers whole calendar years: quarter and year figures are computed in the
same pass as their months, so a quarter never mixes fresh and stale months. Inside the range
every snapshot row is deleted and rewritten; outside it nothing changes. Ramp-up cohorts (by
hire month) are the exception: a win in any month changes an old cohort, so that KPI is
rebuilt whole each time (a few dozen rows).

Two recomputes at once: on PostgreSQL the second waits on a transaction-level advisory lock
until the first commits, then replaces the slice again; on SQLite the database's single writer
lock serialises them. Either way the unique constraint on a figure guarantees no duplicates,
and readers see the old slice until the new one commits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import KpiSnapshot
from .complaints import compute_complaints
from .deals import compute_deals
from .dialect import Dialect
from .leads import compute_leads
from .orders import compute_orders
from .people import compute_people
from .statements import Context

# Orders before complaints: the complaint rate reads the repurchase rate's denominators.
FAMILIES: tuple[Callable[[Context], None], ...] = (
    compute_leads,
    compute_orders,
    compute_complaints,
    compute_deals,
    compute_people,
)
WHOLE_METRICS = ("ramp_up_days",)
# Any fixed 64-bit number, the same in every process: pg_advisory_xact_lock(key).
ADVISORY_LOCK_KEY = 7_214_530_912_004_117
# The median sorts and cube hashes of a million leads fit in memory with this (set per
# transaction only); the default 4 MB spills them to disk.
WORK_MEM = "256MB"


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
    context = Context(
        dialect=Dialect.current(settings.SALESOPT_COMPANY_TIME_ZONE),
        start=dt.date(first_month.year, 1, 1),
        end=dt.date(last_month.year + 1, 1, 1),
        now=now or timezone.now(),
    )
    family_seconds: dict[str, float] = {}
    with transaction.atomic():
        _lock_and_tune(context)
        KpiSnapshot.objects.filter(
            Q(period_start__gte=context.start, period_start__lt=context.end)
            | Q(metric__in=WHOLE_METRICS)
        ).delete()
        for family in FAMILIES:
            family_started = time.perf_counter()
            family(context)
            family_seconds[family.__name__.removeprefix("compute_")] = (
                time.perf_counter() - family_started
            )
    return RecomputeResult(
        start=context.start,
        end=context.end,
        rows=sum(context.rows_written.values()),
        rows_by_metric=dict(context.rows_written),
        seconds_by_family=family_seconds,
        seconds=time.perf_counter() - started,
    )


def _lock_and_tune(context: Context) -> None:
    if context.dialect.is_postgres:
        context.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        context.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
