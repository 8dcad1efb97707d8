"""Plan reads: the goals with their progress, the measures, and the choices of the forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from diagnosis import selectors as diagnosis_selectors
from salesopt.core import access
from salesopt.core.models import Program, Role
from salesopt.kpis.catalog import METRICS

from .charts import goal_chart
from .goals import GoalScope, shown, warning_text
from .models import Goal, Measure
from .progress import GoalProgress, goal_progress


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    scope: GoalScope
    progress: GoalProgress
    chart: str
    warnings: list[str]

    @property
    def kpi(self) -> str:
        return str(METRICS[self.goal.metric].label)

    @property
    def baseline(self) -> str:
        return shown(METRICS[self.goal.metric], self.goal.baseline_value)

    @property
    def target(self) -> str:
        return shown(METRICS[self.goal.metric], self.goal.target_value)

    @property
    def current(self) -> str:
        return shown(METRICS[self.goal.metric], self.progress.current)

    @property
    def projected(self) -> str:
        return shown(METRICS[self.goal.metric], self.progress.projected)


def goals(*, program: Program) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(program=program)
        .select_related("owner__profile", "region", "team", "product_line", "program")
        .prefetch_related("findings")
    )


def goal_rows(*, program: Program, user: Any) -> list[GoalRow]:
    rows = []
    for goal in goals(program=program):
        progress = goal_progress(goal, user=user)
        rows.append(
            GoalRow(
                goal,
                GoalScope.of(goal),
                progress,
                goal_chart(goal, progress) if progress.visible else "",
                [warning_text(warning) for warning in goal.warnings],
            )
        )
    return rows


def measures(*, program: Program) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(program=program)
        .select_related("owner__profile")
        .prefetch_related(
            "goals", "findings", "pilot_teams", "pilot_reps__profile", "control_teams",
            "control_reps__profile",
        )
    )  # fmt: skip


def accepted_findings(*, program: Program) -> QuerySet[Any]:
    return diagnosis_selectors.accepted_findings(program=program)


def owner_choices(*, user: Any) -> QuerySet[Any]:
    """Who can own a goal or a measure: active staff with a role other than admin."""
    roles = [Role.SALES_MANAGER, Role.TEAM_LEAD, Role.SALES_REP, Role.EXECUTIVE]
    visible = access.visible_profiles(user).filter(role__in=roles, user__is_active=True)
    return (
        get_user_model()
        .objects.filter(pk__in=visible.values("user_id"))
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


def rep_choices(*, user: Any) -> QuerySet[Any]:
    visible = access.visible_profiles(user).filter(role=Role.SALES_REP, user__is_active=True)
    return (
        get_user_model()
        .objects.filter(pk__in=visible.values("user_id"))
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )
