"""Execution reads: the execution plan table as the reader may see it, and each row's history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, Q, QuerySet, When
from django.urls import reverse
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.history import Change, row_history
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import company_today

from .editing import Cell
from .models import Task, TaskStatus


def visible_tasks(user: Any) -> QuerySet[Task]:
    return access.visible_team_rows(Task.objects.all(), user)


@dataclass(frozen=True)
class TaskRow:
    task: Task
    overdue: bool  # past its end and not done: flagged, never hidden
    can_edit: bool

    @property
    def owner_name(self) -> str:
        return person_name(self.task.owner) if self.task.owner else ""

    @property
    def cells(self) -> list[Cell]:
        """The editable cells, in the table's column order."""
        task = self.task
        shown = {
            "title": task.title,
            "owner": self.owner_name,
            "starts_on": task.starts_on.isoformat(),
            "ends_on": task.ends_on.isoformat(),
            "deliverable": task.deliverable,
            "resources": task.resources,
            "status": str(task.get_status_display()),
            "done_on": task.done_on.isoformat() if task.done_on else "",
            "note": task.note,
        }
        return [
            Cell(
                f"task-{task.pk}-{field}",
                value,
                reverse("execution:task_cell_editor", args=[task.pk, field])
                if self.can_edit
                else None,
                _("overdue") if field == "ends_on" and self.overdue else "",
            )
            for field, value in shown.items()
        ]


def _filtered_tasks(
    *,
    program: Program,
    user: Any,
    owner: str | None,
    status: str | None,
    team: str | None,
    overdue_only: bool,
    today: dt.date,
) -> QuerySet[Task]:
    tasks = (
        visible_tasks(user)
        .filter(program=program)
        .select_related("owner__profile", "team", "measure", "goal")
    )
    if owner and owner.isdigit():
        tasks = tasks.filter(owner_id=int(owner))
    if status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    if team and team.isdigit():
        tasks = tasks.filter(team_id=int(team))
    if overdue_only:
        tasks = tasks.filter(ends_on__lt=today).exclude(status=TaskStatus.DONE)
    return tasks


def task_rows(
    *,
    program: Program,
    user: Any,
    owner: str | None = None,
    status: str | None = None,
    team: str | None = None,
    overdue_only: bool = False,
) -> list[TaskRow]:
    """The program's tasks `user` may read, soonest end first, narrowed by the filters (all of
    them: the export and the API)."""
    today = company_today()
    tasks = _filtered_tasks(program=program, user=user, owner=owner, status=status, team=team,
                            overdue_only=overdue_only, today=today)  # fmt: skip
    return [
        TaskRow(task, _overdue(task, today), access.can_edit_execution_row(user, task.team))
        for task in tasks
    ]


PLAN_PAGE_ROWS = 50


@dataclass(frozen=True)
class TaskPage:
    rows: list[TaskRow]
    page: Page[Task]
    overdue: int  # of all the filtered tasks, not this page's only

    @property
    def total(self) -> int:
        return self.page.paginator.count


def task_page(
    *,
    program: Program,
    user: Any,
    page: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    team: str | None = None,
    overdue_only: bool = False,
) -> TaskPage:
    """A page of the table as the page shows it: the open tasks first, soonest end (so overdue)
    first, then the done ones, most recent first; 50 a page. A year of weekly tasks is hundreds
    of rows: the page draws fifty of them and says how many there are."""
    today = company_today()
    tasks = _filtered_tasks(program=program, user=user, owner=owner, status=status, team=team,
                            overdue_only=overdue_only, today=today)  # fmt: skip
    done = Q(status=TaskStatus.DONE)
    ordered = tasks.order_by(
        Case(When(done, then=1), default=0),
        Case(When(~done, then=F("ends_on"))).asc(nulls_last=True),
        F("ends_on").desc(),
        "pk",
    )
    shown = Paginator(ordered, PLAN_PAGE_ROWS).get_page(page)
    overdue = tasks.filter(ends_on__lt=today).exclude(done).count()
    rows = [
        TaskRow(task, _overdue(task, today), access.can_edit_execution_row(user, task.team))
        for task in shown
    ]
    return TaskPage(rows, shown, overdue)


def task_row(task: Task, user: Any) -> TaskRow:
    return TaskRow(task, _overdue(task, company_today()),
                   access.can_edit_execution_row(user, task.team))  # fmt: skip


def _overdue(task: Task, today: dt.date) -> bool:
    return task.status != TaskStatus.DONE and task.ends_on < today


def task_history(task: Task) -> list[Change]:
    """Every accepted change of the row, newest first; its creation shows its title."""
    return row_history(task, first=("title",))


def owner_choices(user: Any) -> QuerySet[Any]:
    """Whom `user` may make a task's owner: active people they see (a team lead: their team)."""
    profiles = access.visible_profiles(user).filter(user__is_active=True)
    if access.role_of(user) == "team_lead":
        profiles = profiles.filter(team=access.team_of(user))
    return (
        get_user_model()
        .objects.filter(profile__in=profiles)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


# Tables as JSON (the API and `manage.py execution`): stable English keys, codes not labels.
TABLES = ("plan", "2", "3")


def plan_rows_json(*, program: Program, user: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": row.task.pk,
            "task": row.task.title,
            "owner": row.task.owner.get_username() if row.task.owner else None,
            "start": row.task.starts_on.isoformat(),
            "end": row.task.ends_on.isoformat(),
            "deliverable": row.task.deliverable,
            "resources": row.task.resources,
            "status": row.task.status,
            "done_on": row.task.done_on.isoformat() if row.task.done_on else None,
            "notes": row.task.note,
            "overdue": row.overdue,
            "measure": row.task.measure_id,
            "goal": row.task.goal_id,
            "team": row.task.team.name if row.task.team else None,
            "version": row.task.version,
        }
        for row in task_rows(program=program, user=user)
    ]
