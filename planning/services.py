"""Plan writes: goals (checked SMART against the diagnosis window) and measures.

Every write validates all it needs before it changes a row, in one transaction, so a refused
goal or measure leaves the plan as it was. Errors are ValidationErrors by form field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salesopt.core.models import Program, Team

from . import goals as goal_rules
from .goals import GoalScope
from .models import Goal, Measure, MeasureLine


@transaction.atomic
def goal_create(
    *,
    program: Program,
    user: Any,
    metric: str,
    scope: GoalScope,
    target_kind: str,
    target_input: float,
    deadline: dt.date | None,
    owner: Any,
    findings: Sequence[Any] = (),
) -> Goal:
    """A goal on `metric` in `scope`, its baseline read from the program's diagnosis window."""
    base = goal_rules.baseline(user=user, program=program, metric=metric, scope=scope)
    target, warnings = goal_rules.checked_target(
        user=user,
        metric=metric,
        scope=scope,
        baseline_value=base.value,
        kind=target_kind,
        entered=target_input,
        deadline=deadline,
        findings=len(findings),
    )
    assert deadline is not None  # check() refuses a goal without one
    goal = Goal.objects.create(
        program=program,
        metric=metric,
        **scope.fields(),
        baseline_from=base.first,
        baseline_to=base.last,
        baseline_value=base.value,
        target_kind=target_kind,
        target_input=target_input,
        target_value=target,
        deadline=deadline,
        owner=owner,
        warnings=warnings,
    )
    goal.findings.set(findings)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    user: Any,
    target_kind: str,
    target_input: float,
    deadline: dt.date | None,
    owner: Any,
    findings: Sequence[Any] = (),
) -> Goal:
    """A new target, deadline, owner or findings for a goal, checked again against the baseline
    it was set on (its KPI and scope stay: another KPI or scope is another goal)."""
    target, warnings = goal_rules.checked_target(
        user=user,
        metric=goal.metric,
        scope=GoalScope.of(goal),
        baseline_value=goal.baseline_value,
        kind=target_kind,
        entered=target_input,
        deadline=deadline,
        findings=len(findings),
    )
    assert deadline is not None  # check() refuses a goal without one
    goal.target_kind, goal.target_input, goal.target_value = target_kind, target_input, target
    goal.deadline, goal.owner, goal.warnings = deadline, owner, warnings
    goal.save()
    goal.findings.set(findings)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal) -> None:
    goal.delete()


@transaction.atomic
def measure_create(*, program: Program, **fields: Any) -> Measure:
    """A new measure of the program; `fields` as `measure_update` takes them."""
    return measure_update(measure=Measure(program=program), **fields)


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    line: str,
    title: str,
    owner: Any,
    planned_completion: dt.date,
    description: str = "",
    goals: Iterable[Goal] = (),
    findings: Iterable[Any] = (),
    pilot_teams: Iterable[Team] = (),
    pilot_reps: Iterable[Any] = (),
    control_teams: Iterable[Team] = (),
    control_reps: Iterable[Any] = (),
    starts_on: dt.date | None = None,
) -> Measure:
    """The measure as written (new or edited), checked first: a refused one changes nothing."""
    groups = {
        "pilot_teams": list(pilot_teams),
        "pilot_reps": list(pilot_reps),
        "control_teams": list(control_teams),
        "control_reps": list(control_reps),
    }
    _check_measure(measure.program, line, title, planned_completion, starts_on, groups)
    measure.line, measure.title, measure.description = line, title.strip(), description
    measure.owner, measure.planned_completion = owner, planned_completion
    measure.starts_on = starts_on
    measure.save()
    measure.goals.set(goals)
    measure.findings.set(findings)
    for name, members in groups.items():
        getattr(measure, name).set(members)
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure) -> None:
    measure.delete()


def _check_measure(
    program: Program,
    line: str,
    title: str,
    planned_completion: dt.date,
    starts_on: dt.date | None,
    groups: dict[str, list[Any]],
) -> None:
    errors: dict[str, str] = {}
    if line not in MeasureLine.values:
        errors["line"] = _("Choose one of the four lines: goals, process, team, tools.")
    if not title.strip():
        errors["title"] = _("Say what the measure is.")
    piloted = groups["pilot_teams"] or groups["pilot_reps"]
    controlled = groups["control_teams"] or groups["control_reps"]
    if controlled and not piloted:
        errors["pilot_teams"] = _("A control group is compared with a pilot group: choose one.")
    if piloted and not starts_on:
        errors["starts_on"] = _("A pilot needs the date it starts: the evaluation counts from it.")
    if starts_on and starts_on <= program.baseline_end:
        errors["starts_on"] = _("A measure starts after the diagnosis window.")
    if starts_on and planned_completion < starts_on:
        errors["planned_completion"] = _("The planned completion comes after the start.")
    both_teams = set(groups["pilot_teams"]) & set(groups["control_teams"])
    both_reps = set(groups["pilot_reps"]) & set(groups["control_reps"])
    if both_teams or both_reps:
        names = [team.name for team in both_teams] + [str(rep) for rep in both_reps]
        errors["control_teams"] = _("Pilot and control must not overlap: %(names)s is in both.") % {
            "names": "、".join(sorted(names))
        }
    pilot_team_ids = {team.pk for team in groups["pilot_teams"]}
    control_team_ids = {team.pk for team in groups["control_teams"]}
    for rep in groups["control_reps"]:
        team_id = getattr(getattr(rep, "profile", None), "team_id", None)
        if team_id in pilot_team_ids:
            errors["control_reps"] = _("%(rep)s belongs to a pilot team.") % {"rep": rep}
    for rep in groups["pilot_reps"]:
        team_id = getattr(getattr(rep, "profile", None), "team_id", None)
        if team_id in control_team_ids:
            errors["pilot_reps"] = _("%(rep)s belongs to a control team.") % {"rep": rep}
    if errors:
        raise ValidationError(errors)
