"""A weekly review's figures: the week's tasks due, overdue and done, the measures late, the
quarter's attainment to date, and the response-deadline and follow-up compliance trends.

Live until the review is closed; a closed review shows the figures frozen at its closing.
They are company-wide figures, read as the sales manager reads them (through the KPI reader's
scope), and shown to company-wide readers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import Quarter, add_months, company_today
from salesopt.kpis.selectors import kpi_series

from . import measure_selectors
from .models import QuarterTarget, Task, TaskStatus, WeeklyReview

WEEK = dt.timedelta(days=7)
TREND_MONTHS = 4


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def can_read_reviews(user: Any) -> bool:
    """The manager, admins and the executive read the reviews; team leads attend and read them
    too (their figures only for the company-wide readers)."""
    return access.can_view_plan(user)


def reviews_of(program: Program) -> QuerySet[WeeklyReview]:
    return WeeklyReview.objects.filter(program=program).select_related("closed_by__profile")


def figures(program: Program, week_start: dt.date) -> dict[str, Any]:
    """The week's figures as JSON-ready values (the form they are frozen in)."""
    week_end = week_start + WEEK
    reader = program.manager or access.command_line_reader()
    tasks = Task.objects.filter(program=program).select_related("owner__profile")
    due = tasks.filter(ends_on__gte=week_start, ends_on__lt=week_end)
    overdue = tasks.filter(ends_on__lt=min(week_end, company_today() + dt.timedelta(days=1)))
    overdue = overdue.exclude(status=TaskStatus.DONE)
    done = tasks.filter(done_on__gte=week_start, done_on__lt=week_end)

    def listed(rows: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": t.pk,
                "task": t.title,
                "owner": person_name(t.owner) if t.owner else "",
                "end": t.ends_on.isoformat(),
                "note": t.note,
            }
            for t in rows
        ]

    late_measures = [
        {
            "id": row.measure.pk,
            "measure": row.measure.title,
            "state": str(row.progress),
            "reason": row.tracking.reason if row.tracking else "",
        }
        for row in measure_selectors.tracking_rows(program=program, user=reader)
        if row.progress in ("overdue", "done_late")
    ]
    return {
        "week_start": week_start.isoformat(),
        "tasks_due": listed(due),
        "tasks_overdue": listed(overdue),
        "tasks_done": listed(done),
        "measures_late": late_measures,
        "attainment": _attainment_to_date(program, reader, week_end),
        "trends": {
            metric: _trend(reader, metric, week_start)
            for metric in ("sla_breach_rate", "follow_up_compliance")
        },
    }


def _attainment_to_date(program: Program, reader: Any, until: dt.date) -> dict[str, Any] | None:
    """The company's revenue this quarter up to the review's week ÷ the quarter's target."""
    quarter = Quarter.containing(until - dt.timedelta(days=1))
    target = QuarterTarget.objects.filter(
        program=program, quarter_start=quarter.start, parent__isnull=True
    ).first()
    if target is None:
        return None
    series = kpi_series(
        user=reader,
        metric="revenue",
        grain="month",
        period_from=quarter.start,
        period_to=add_months(quarter.start, 2),
    )
    actual = sum(point.value or 0.0 for point in series.rows if point.period_start < until)
    return {
        "quarter": str(quarter),
        "target": float(target.amount),
        "actual": round(actual, 2),
        "attainment": round(actual / float(target.amount), 4) if target.amount else None,
    }


def _trend(reader: Any, metric: str, week_start: dt.date) -> list[dict[str, Any]]:
    last = week_start.replace(day=1)
    series = kpi_series(
        user=reader,
        metric=metric,
        grain="month",
        period_from=add_months(last, -(TREND_MONTHS - 1)),
        period_to=last,
    )
    return [
        {"month": point.period_start.strftime("%Y-%m"), "value": point.value}
        for point in series.rows
    ]


def review_figures(review: WeeklyReview) -> dict[str, Any]:
    """What the review page shows: the frozen figures once closed, else today's."""
    if review.closed_at is not None and review.frozen is not None:
        return dict(review.frozen)
    return figures(review.program, review.week_start)
