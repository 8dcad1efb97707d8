"""A goal's progress from the live snapshots: where it stands, where it is heading, its status.

Tracking starts with the program's execution (or, before one is set, the month after the
diagnosis window). The current figure is the KPI over the months since then (`kpi_window`:
medians of the rows, never of the months); the trajectory is a straight line fitted through the
monthly figures and carried to the deadline's month. Status:

- met: the current figure reaches the target;
- missed: the deadline has passed without it;
- on track: the trajectory reaches the target by the deadline;
- at risk: it does not;
- not started: no month of tracking has begun.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesopt.core import access
from salesopt.core.periods import add_months, company_today
from salesopt.kpis.catalog import METRICS
from salesopt.kpis.selectors import KpiQueryError, kpi_series, kpi_window

from .goals import GoalScope
from .models import Goal


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    MISSED = "missed", _("missed")
    MET = "met", _("met")


@dataclass(frozen=True)
class GoalProgress:
    status: GoalStatus
    tracked_from: dt.date
    current: float | None = None
    projected: float | None = None
    months: list[tuple[str, float | None]] = field(default_factory=list)
    # False when the goal's scope lies outside what the reader may see (a team lead reading a
    # company-wide goal): its figures are then not shown at all.
    visible: bool = True


def tracked_from(goal: Goal) -> dt.date:
    program = goal.program
    if program.execution_start is not None:
        return program.execution_start.replace(day=1)
    return add_months(program.baseline_end.replace(day=1), 1)


def may_read_figures(user: Any, goal: Goal) -> bool:
    """Company-wide readers see every goal's figures; a team lead only their own team's."""
    scope = access.scope_of(user)
    if scope.reach == access.Reach.COMPANY:
        return True
    return (
        scope.reach == access.Reach.TEAM
        and scope.team is not None
        and goal.team_id == scope.team.pk
    )


def goal_progress(goal: Goal, *, user: Any, today: dt.date | None = None) -> GoalProgress:
    today = today or company_today()
    start = tracked_from(goal)
    if not may_read_figures(user, goal):
        return GoalProgress(GoalStatus.NOT_STARTED, start, visible=False)
    current_month = today.replace(day=1)
    if current_month < start:
        return GoalProgress(GoalStatus.NOT_STARTED, start)
    last = min(current_month, goal.deadline.replace(day=1))
    scope = GoalScope.of(goal)
    by = [scope.dimension] if scope.dimension else []
    try:
        whole = kpi_window(user=user, metric=goal.metric, by=by, period_from=start, period_to=last)
        monthly = kpi_series(
            user=user, metric=goal.metric, by=by, period_from=start, period_to=last
        )
    except KpiQueryError:
        return GoalProgress(GoalStatus.NOT_STARTED, start, visible=False)
    current = next((row.value for row in whole.rows if _in_scope(row.dims, scope)), None)
    months = [(row.period, row.value) for row in monthly.rows if _in_scope(row.dims, scope)]
    projected = _projection(months, start, goal.deadline)
    return GoalProgress(_status(goal, current, projected, today), start, current, projected, months)


def _in_scope(dims: dict[str, str], scope: GoalScope) -> bool:
    return not scope.dimension or dims.get(scope.dimension) == scope.name


def _projection(
    months: list[tuple[str, float | None]], start: dt.date, deadline: dt.date
) -> float | None:
    """The least-squares line through the monthly figures, at the deadline's month."""
    known = [(index, value) for index, (_label, value) in enumerate(months) if value is not None]
    if not known:
        return None
    if len(known) == 1:
        return known[0][1]
    xs = np.array([index for index, _value in known], dtype=float)
    ys = np.array([value for _index, value in known], dtype=float)
    slope, intercept = np.polyfit(xs, ys, 1)
    deadline_index = (deadline.year - start.year) * 12 + deadline.month - start.month
    return float(slope * deadline_index + intercept)


def _reaches(goal: Goal, value: float | None) -> bool:
    if value is None:
        return False
    if METRICS[goal.metric].higher_is_better:
        return value >= goal.target_value
    return value <= goal.target_value


def _status(
    goal: Goal, current: float | None, projected: float | None, today: dt.date
) -> GoalStatus:
    if current is None:
        return GoalStatus.NOT_STARTED
    if _reaches(goal, current):
        return GoalStatus.MET
    if today > goal.deadline:
        return GoalStatus.MISSED
    return GoalStatus.ON_TRACK if _reaches(goal, projected) else GoalStatus.AT_RISK
