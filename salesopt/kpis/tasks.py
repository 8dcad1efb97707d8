"""Celery tasks of the KPI engine: thin wrappers that call services and return small dicts."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import services


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]  # celery ships no types
def recompute_kpis_task(
    period_from: str | None = None, period_to: str | None = None
) -> dict[str, object]:
    """Recompute every KPI for the years spanning the months (defaults: the last 18 months).

    Safe to run twice or concurrently: each run replaces its slice under a lock.
    """
    result = services.kpis_recompute(period_from=period_from, period_to=period_to)
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "rows": result.rows,
        "seconds": round(result.seconds, 2),
    }


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]
def compute_window_task(first_day: str, last_day: str) -> dict[str, object]:
    """The window figures of a program's diagnosis window (safe to repeat: they are replaced)."""
    rows = services.window_figures_compute(
        first_day=dt.date.fromisoformat(first_day), last_day=dt.date.fromisoformat(last_day)
    )
    return {"from": first_day, "to": last_day, "rows": rows}
