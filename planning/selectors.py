"""Plan reads: the goals with their progress, the measures, and the choices of the forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from diagnosis import selectors as diagnosis_selectors
from salesopt.core import access
from salesopt.core.models import Program, Role
from salesopt.core.working_time import company_calendar
from salesopt.kpis.catalog import METRICS
from salesopt.leads.grading import default_deadlines
from salesopt.leads.services import version_in_force

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


def measure_choices(*, program: Program) -> QuerySet[Measure]:
    """The program's measures to choose from in a form: their titles, nothing related (a form's
    select iterates its queryset, prefetches and all, each time it is drawn)."""
    return Measure.objects.filter(program=program).only("pk", "title", "program_id")


def measure_locked(pk: int) -> Measure | None:
    """The measure, locked for the rest of the transaction (the execution tables edit its rows
    under it)."""
    return Measure.objects.select_for_update(of=("self",)).filter(pk=pk).first()


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


def plan_json(*, program: Program, user: Any) -> dict[str, Any]:
    """The plan as one object under stable English keys (the command, and the API to come)."""
    goal_items = []
    for row in goal_rows(program=program, user=user):
        goal = row.goal
        scope = row.scope
        goal_items.append(
            {
                "id": goal.pk,
                "kpi": goal.metric,
                "scope": (
                    {"dimension": scope.dimension, "id": scope.pk, "name": scope.name}
                    if scope.dimension
                    else {"dimension": "company"}
                ),
                "baseline": {
                    "from": goal.baseline_from.isoformat(),
                    "to": goal.baseline_to.isoformat(),
                    "value": goal.baseline_value,
                },
                "target": goal.target_value,
                "deadline": goal.deadline.isoformat(),
                "owner": goal.owner.get_username(),
                "status": row.progress.status.value if row.progress.visible else None,
                "current": row.progress.current if row.progress.visible else None,
                "findings": [finding.pk for finding in goal.findings.all()],
                "warnings": [warning.get("kind") for warning in goal.warnings],
            }
        )
    measure_items = [
        {
            "id": measure.pk,
            "line": measure.line,
            "title": measure.title,
            "owner": measure.owner.get_username(),
            "planned_completion": measure.planned_completion.isoformat(),
            "goals": [goal.pk for goal in measure.goals.all()],
            "findings": [finding.pk for finding in measure.findings.all()],
            "pilot": _group(measure.pilot_teams.all(), measure.pilot_reps.all()),
            "control": _group(measure.control_teams.all(), measure.control_reps.all()),
            "starts": measure.starts_on.isoformat() if measure.starts_on else None,
        }
        for measure in measures(program=program)
    ]
    return {
        "program": program.pk,
        "goals": goal_items,
        "measures": measure_items,
        "lead_policy": lead_policy_json(),
    }


def _group(teams: Any, reps: Any) -> dict[str, list[str]]:
    return {"teams": [team.name for team in teams], "reps": [rep.get_username() for rep in reps]}


def lead_policy_json() -> dict[str, Any]:
    """The grading version in force, its response deadlines (working hours) and the calendar
    they count on; before any version, the default deadlines and null version."""
    calendar = company_calendar()
    version = version_in_force()
    deadlines = version.deadlines if version else default_deadlines()
    return {
        "version": version.number if version else None,
        "effective_from": version.effective_from.isoformat() if version else None,
        "crm_grade_wins": version.crm_grade_wins if version else True,
        "deadlines": {grade: float(hours) for grade, hours in sorted(deadlines.items())},
        "calendar": {
            "zone": calendar.zone,
            "opens": calendar.opens.strftime("%H:%M"),
            "closes": calendar.closes.strftime("%H:%M"),
            "weekdays": sorted(day + 1 for day in calendar.weekdays),
            "china_holidays": calendar.china_holidays,
            "days_off": sorted(day.isoformat() for day in calendar.days_off),
            "working_days": sorted(day.isoformat() for day in calendar.working_days),
        },
    }
