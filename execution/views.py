"""Execution pages: the execution plan table of the current program, edited inline.

Everyone with a role reads it within their scope (reps their own tasks, team leads their team's,
the sales manager and the executive every row); managers and admins edit every row, team leads
their own team's. A cell opens as an editor (htmx), saves on Enter and closes on Escape; a save
made on a stale copy answers with the other person's value instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.exports import XLSX_CONTENT_TYPE
from salesopt.core.http import apply_to_form
from salesopt.core.models import Program
from salesopt.core.people import person_name

from . import exports, selectors, services
from .editing import EditConflictError, Editor, field_label
from .forms import TaskForm
from .http import editor_response, execution_program
from .models import Task, TaskStatus

PAGE = "execution/landing.html"


def _task_form(request: HttpRequest, program: Program, data: Any = None) -> TaskForm:
    return TaskForm(
        data,
        owners=selectors.owner_choices(request.user),
        measures=plan_selectors.measure_choices(program=program),
        prefix="task",
    )


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "owner": request.GET.get("owner", ""),
        "status": request.GET.get("status", ""),
        "team": request.GET.get("team", ""),
        "overdue_only": request.GET.get("overdue") == "1",
    }


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    return render(request, PAGE, _context(request, program))


def _context(request: HttpRequest, program: Program, **overrides: Any) -> dict[str, Any]:
    filters = _filters(request)
    shown = selectors.task_page(program=program, user=request.user,
                                page=request.GET.get("page"), **filters)  # fmt: skip
    can_add = access.can_add_execution_rows(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "program": program,
        "rows": shown.rows,
        "page": shown.page,
        "total": shown.total,
        "overdue_count": shown.overdue,
        "filters": filters,
        "filter_query": query.urlencode(),
        "statuses": TaskStatus.choices,
        "owners": selectors.owner_choices(request.user)
        if access.role_of(request.user) != "sales_rep"
        else [],
        "teams": access.visible_teams(request.user).order_by("name"),
        "can_add": can_add,
        "can_import": can_add,
        "can_add_from_measures": access.can_edit_plan(request.user),
        "form": overrides.get("form") or (_task_form(request, program) if can_add else None),
    }


@require_POST
def task_create(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    if not access.can_add_execution_rows(request.user):
        raise PermissionDenied
    form = _task_form(request, program, request.POST)
    if form.is_valid() and apply_to_form(
        form, services.task_create, program=program, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("Task added."))
        return redirect("execution:landing")
    return render(request, PAGE, _context(request, program, form=form))


@require_POST
def tasks_from_measures(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    added = services.tasks_from_measures(program=program, by=request.user)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s task added from the plan's measures.",
                "%(count)s tasks added from the plan's measures.",
                added,
            )
            % {"count": added},
        )
    else:
        messages.info(request, _("Every measure of the plan already has a task."))
    return redirect("execution:landing")


def _visible_task(request: HttpRequest, pk: int) -> Task:
    task = (
        selectors.visible_tasks(request.user)
        .select_related("owner__profile", "team", "measure", "goal")
        .filter(pk=pk, program=execution_program(request))
        .first()
    )
    if task is None:
        raise Http404
    return task


def _row(request: HttpRequest, task: Task) -> HttpResponse:
    context = {"row": selectors.task_row(task, request.user)}
    return HttpResponse(render_to_string(f"{PAGE}#task-row", context, request))


@require_GET
def task_row(request: HttpRequest, pk: int) -> HttpResponse:
    """The row as shown (what Escape and Cancel put back)."""
    return _row(request, _visible_task(request, pk))


@require_GET
def task_cell_editor(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    task = _visible_task(request, pk)
    if field not in services.EDITABLE_FIELDS:
        raise Http404
    if not access.can_edit_execution_row(request.user, task.team):
        raise PermissionDenied
    return _editor(request, task, field, value=_editable_value(task, field))


def _editable_value(task: Task, field: str) -> str:
    value = getattr(task, f"{field}_id" if field == "owner" else field)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _editor(
    request: HttpRequest,
    task: Task,
    field: str,
    *,
    value: str,
    error: str = "",
    conflict: EditConflictError | None = None,
) -> HttpResponse:
    kind, options = "text", None
    if field == "owner":
        kind = "select"
        options = [("", "—")] + [
            (str(person.pk), person_name(person))
            for person in selectors.owner_choices(request.user)
        ]
    elif field == "status":
        kind, options = "select", [(str(v), str(label)) for v, label in TaskStatus.choices]
    elif field in ("starts_on", "ends_on", "done_on"):
        kind = "date"
    editor = Editor(
        element=f"task-{task.pk}-{field}",
        save_url=reverse("execution:task_cell_save", args=[task.pk, field]),
        cancel_url=reverse("execution:task_row", args=[task.pk]),
        version=task.version,
        kind=kind,
        value=value,
        label=field_label(Task, field),
        options=options,
        maxlength={"title": 200, "note": 500}.get(field, 300),
        error=error,
        conflict=conflict,
    )
    return editor_response(request, editor)


@require_POST
def task_cell_save(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    task = _visible_task(request, pk)
    if field not in services.EDITABLE_FIELDS:
        raise Http404
    value = request.POST.get("value", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _editor(request, task, field, value=value,
                       error=_("The form is out of date: open the cell again."))  # fmt: skip
    try:
        saved = services.task_update(
            task_id=task.pk, field=field, value=value, version=version, by=request.user
        )
    except EditConflictError as conflict:
        return _editor(request, conflict.row, field, value=value, conflict=conflict)
    except ValidationError as problem:
        return _editor(request, task, field, value=value, error=" ".join(problem.messages))
    except Task.DoesNotExist:
        raise Http404 from None
    return _row(request, _visible_task(request, saved.pk))


@require_POST
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    services.task_delete(task_id=task.pk, by=request.user)
    return HttpResponse("")


@require_GET
def task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    context = {"task": task, "changes": selectors.task_history(task)}
    return HttpResponse(render_to_string("components/row_history.html", context, request))


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The execution plan table as XLSX, in the seed's column order and the reader's language."""
    program = execution_program(request)
    response = HttpResponse(
        exports.tasks_xlsx(program=program, user=request.user), content_type=XLSX_CONTENT_TYPE
    )
    name = f"execution-plan-{slugify(program.name, allow_unicode=True) or program.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response
