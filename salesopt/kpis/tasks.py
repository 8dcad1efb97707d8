"""Celery tasks of the KPI engine: thin wrappers that call services and return small dicts."""

from __future__ import annotations

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
