"""Writing the execution plan table: rows created by hand or from the plan's measures, and
inline edits of one cell at a time that never lose anyone's change.

An edit names the row's version it was made on (execution.editing): an edit made on a copy
someone else has changed since is refused with an EditConflictError that carries their value,
who made it and when, so the person can keep theirs or write over it knowingly. Every accepted
write is in the row's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.models import Program, Team
from salesopt.core.people import person_name
from salesopt.core.periods import company_today

from .editing import EditConflictError as EditConflictError
from .editing import conflict, save_edit, typed_date, typed_text
from .models import Task, TaskStatus
from .selectors import visible_tasks

# The cells a person edits inline, in the table's column order.
EDITABLE_FIELDS = (
    "title",
    "owner",
    "starts_on",
    "ends_on",
    "deliverable",
    "resources",
    "status",
    "done_on",
    "note",
)


def task_create(
    *,
    program: Program,
    by: Any,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    owner: Any = None,
    team: Team | None = None,
    deliverable: str = "",
    resources: str = "",
    measure: Any = None,
    goal: Any = None,
) -> Task:
    """A row written by hand. A team lead's rows are their team's, with an owner from it."""
    if not access.can_add_execution_rows(by):
        raise PermissionDenied
    own_team = access.team_of(by) if access.role_of(by) == "team_lead" else None
    if own_team is not None:
        team = own_team
        if owner is not None and access.team_of(owner) != own_team:
            raise ValidationError({"owner": _("Choose someone on your own team.")})
    elif owner is not None and team is None:
        team = access.team_of(owner)
    _check_dates(starts_on, ends_on)
    _check_links(program, measure, goal)
    task = Task(program=program, title=title.strip(), owner=owner, team=team,
                starts_on=starts_on, ends_on=ends_on, deliverable=deliverable.strip(),
                resources=resources.strip(), measure=measure, goal=goal)  # fmt: skip
    if not task.title:
        raise ValidationError({"title": _("Say what the task is.")})
    task._history_user = by  # type: ignore[attr-defined]
    task.save()
    return task


def tasks_from_measures(*, program: Program, by: Any) -> int:
    """One task for each of the program's measures that has none yet: the measure's title,
    owner and planned completion, starting when the measure (or the execution) starts.
    Returns how many rows were added."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    today = company_today()
    added = 0
    with transaction.atomic():
        for measure in plan_selectors.measures(program=program).filter(tasks__isnull=True):
            starts = measure.starts_on or program.execution_start or today
            ends = max(measure.planned_completion, starts)
            task = Task(program=program, measure=measure, goal=measure.goals.first(),
                        title=measure.title, owner=measure.owner,
                        team=access.team_of(measure.owner) if measure.owner else None,
                        starts_on=starts, ends_on=ends)  # fmt: skip
            task._history_user = by  # type: ignore[attr-defined]
            task.save()
            added += 1
    return added


def task_update(*, task_id: int, field: str, value: str, version: int, by: Any) -> Task:
    """Write one cell of a row, as edited on version `version` of it.

    PermissionDenied when `by` may not edit the row; ValidationError (under the field's name)
    for a value that does not fit; EditConflictError when the row has changed since that version.
    Nothing is written unless all checks pass."""
    if field not in EDITABLE_FIELDS:
        raise ValidationError({field: _("This column cannot be edited.")})
    with transaction.atomic():
        task = (
            visible_tasks(by)
            .select_for_update(of=("self",))
            .select_related("owner__profile", "team")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise Task.DoesNotExist
        if not access.can_edit_execution_row(by, task.team):
            raise PermissionDenied
        if task.version != version:
            raise conflict(task, field, shown_value(task, field))
        _apply(task, field, value, by)
        save_edit(task, by)
    return task


def task_delete(*, task_id: int, by: Any) -> None:
    with transaction.atomic():
        task = visible_tasks(by).select_for_update(of=("self",)).filter(pk=task_id).first()
        if task is None:
            raise Task.DoesNotExist
        if not access.can_edit_execution_row(by, task.team):
            raise PermissionDenied
        task._history_user = by  # type: ignore[attr-defined]
        task.delete()


def shown_value(task: Task, field: str) -> str:
    """A cell as the table shows it."""
    value = getattr(task, field)
    if field == "owner":
        return person_name(value) if value is not None else ""
    if field == "status":
        return str(task.get_status_display())
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _apply(task: Task, field: str, raw: str, by: Any) -> None:
    value = raw.strip()
    if field == "title":
        if not value:
            raise ValidationError({field: _("Say what the task is.")})
        task.title = typed_text(field, value, limit=200)
    elif field in ("deliverable", "resources"):
        setattr(task, field, typed_text(field, value, limit=300))
    elif field == "note":
        task.note = typed_text(field, value, limit=500)
    elif field == "owner":
        task.owner = _owner(value, task, by)
        if task.owner is not None and access.role_of(by) != "team_lead":
            task.team = access.team_of(task.owner) or task.team
    elif field in ("starts_on", "ends_on"):
        setattr(task, field, typed_date(field, value))
        _check_dates(task.starts_on, task.ends_on, field=field)
    elif field == "status":
        if value not in TaskStatus.values:
            raise ValidationError({field: _("Choose a status from the list.")})
        if value == TaskStatus.DONE and task.status != TaskStatus.DONE:
            task.done_on = company_today()
        elif value != TaskStatus.DONE:
            task.done_on = None
        task.status = value
    elif field == "done_on":
        if task.status != TaskStatus.DONE:
            raise ValidationError({field: _("Mark the task done first.")})
        day = typed_date(field, value)
        if day is not None and day > company_today():
            raise ValidationError({field: _("A task cannot be done in the future.")})
        task.done_on = day


def _owner(value: str, task: Task, by: Any) -> Any:
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({"owner": _("Choose an owner from the list.")})
    candidates = access.visible_profiles(by).filter(user__is_active=True)
    if access.role_of(by) == "team_lead":
        candidates = candidates.filter(team=task.team)
    profile = candidates.filter(user_id=int(value)).first()
    if profile is None:
        raise ValidationError({"owner": _("Choose an owner from the list.")})
    return get_user_model().objects.get(pk=profile.user_id)


def _check_dates(starts_on: dt.date, ends_on: dt.date, *, field: str = "ends_on") -> None:
    if ends_on < starts_on:
        raise ValidationError({field: _("The end cannot come before the start.")})


def _check_links(program: Program, measure: Any, goal: Any) -> None:
    if measure is not None and measure.program_id != program.pk:
        raise ValidationError({"measure": _("Choose a measure of this program.")})
    if goal is not None and goal.program_id != program.pk:
        raise ValidationError({"goal": _("Choose a goal of this program.")})
