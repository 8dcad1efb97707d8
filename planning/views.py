"""Plan pages: the goals and measures of the current program.

Sales managers and admins write the plan; executives and team leads read it (a team lead sees
the figures of their own team's goals only). Writes answer htmx with the section they changed
and a plain post with a redirect, as the diagnosis does; invalid forms re-render with 200.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.exports import XLSX_CONTENT_TYPE
from salesopt.core.http import HtmxHttpRequest, apply_to_form
from salesopt.core.models import Program
from salesopt.core.programs import current_program, program_of_phase
from salesopt.leads import grading
from salesopt.leads import selectors as grading_selectors
from salesopt.leads import services as grading_services

from . import exports, selectors, services
from .forms import GoalEditForm, GoalForm, MeasureForm
from .goals import suggested_goal

PAGE = "planning/landing.html"
SECTIONS = ("goals-section", "measures-section")


def _program(request: HttpRequest) -> Program:
    """The current program, if the user may read its plan."""
    return program_of_phase(request, allowed=access.can_view_plan(request.user))


def _editable_program(request: HttpRequest) -> Program:
    return program_of_phase(request, allowed=access.can_edit_plan(request.user))


def _goal_form(request: HttpRequest, program: Program, data: Any = None, **kwargs: Any) -> GoalForm:
    return GoalForm(
        data,
        owners=selectors.owner_choices(user=request.user),
        findings=selectors.accepted_findings(program=program),
        prefix="goal",
        **kwargs,
    )


def _measure_form(
    request: HttpRequest, program: Program, data: Any = None, prefix: str = "measure", **kwargs: Any
) -> MeasureForm:
    return MeasureForm(
        data,
        owners=selectors.owner_choices(user=request.user),
        reps=selectors.rep_choices(user=request.user),
        goals=selectors.goals(program=program),
        findings=selectors.accepted_findings(program=program),
        prefix=prefix,
        **kwargs,
    )


def _context(request: HttpRequest, program: Program, **overrides: Any) -> dict[str, Any]:
    can_edit = access.can_edit_plan(request.user)
    bound = overrides.pop("goal_edit_form", None)
    goal_items = []
    for row in selectors.goal_rows(program=program, user=request.user):
        form = None
        if can_edit:
            same = bound is not None and bound.goal.pk == row.goal.pk
            form = bound if same else _goal_edit_form(request, program, row.goal)
        goal_items.append((row, form))
    measures = list(selectors.measures(program=program))
    bound_measure = overrides.pop("measure_edit_form", None)
    measure_forms = []
    if can_edit:
        for measure in measures:
            same = bound_measure is not None and bound_measure.prefix == f"measure-{measure.pk}"
            measure_forms.append(
                (measure, bound_measure if same else _measure_edit_form(request, program, measure))
            )
    context: dict[str, Any] = {
        "program": program,
        "can_edit": can_edit,
        "goal_items": goal_items,
        "measures": measures,
        "measure_forms": measure_forms,
        "findings": selectors.accepted_findings(program=program),
        "grading": grading_services.version_in_force(),
        "default_deadlines": {
            grade: f"{hours:g}" for grade, hours in grading.default_deadlines().items()
        },
    }
    if can_edit:
        initial = {"owner": request.user.pk} | _suggestion(request, program)
        context["goal_form"] = _goal_form(request, program, initial=initial)
        context["measure_form"] = _measure_form(
            request, program, initial={"owner": request.user.pk}
        )
    context["grading_rules"] = grading_selectors.rules_with_text(context["grading"])
    return context | overrides


def _measure_edit_form(
    request: HttpRequest, program: Program, measure: Any, data: Any = None
) -> MeasureForm:
    initial = {
        name: getattr(measure, name)
        for name in ("line", "title", "description", "planned_completion", "starts_on")
    }
    initial["owner"] = measure.owner_id
    for name in ("goals", "findings", "pilot_teams", "pilot_reps", "control_teams", "control_reps"):
        initial[name] = [item.pk for item in getattr(measure, name).all()]
    return _measure_form(request, program, data, prefix=f"measure-{measure.pk}", initial=initial)


def _goal_edit_form(
    request: HttpRequest, program: Program, goal: Any, data: Any = None
) -> GoalEditForm:
    return GoalEditForm(
        data,
        goal=goal,
        owners=selectors.owner_choices(user=request.user),
        findings=selectors.accepted_findings(program=program),
    )


def _suggestion(request: HttpRequest, program: Program) -> dict[str, Any]:
    """?finding=ID: the goal form starts from that accepted finding's KPI and scope."""
    finding_id = request.GET.get("finding", "")
    if not finding_id.isdigit():
        return {}
    finding = selectors.accepted_findings(program=program).filter(pk=finding_id).first()
    if finding is None:
        return {}
    return {**suggested_goal(finding.rule_key), "findings": [finding.pk]}


def _section(
    request: HtmxHttpRequest, program: Program, section: str, **overrides: Any
) -> HttpResponse:
    context = _context(request, program, **overrides)
    if not request.htmx:
        return render(request, PAGE, context)
    return HttpResponse(render_to_string(f"{PAGE}#{section}", context, request))


def _done(request: HtmxHttpRequest, program: Program, section: str) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("planning:landing") + f"#{section}")
    # A new goal is a new choice of the measure form: both sections are sent.
    html = "".join(
        render_to_string(
            f"{PAGE}#{name}", _context(request, program) | {"oob": name != section}, request
        )
        for name in SECTIONS
    )
    return HttpResponse(html)


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if not access.can_view_plan(request.user):
        return render(request, "planning/forbidden.html", status=403)
    program = current_program(request)
    if program is None:
        return render(request, PAGE, {"program": None})
    return render(request, PAGE, _context(request, program))


@require_GET
def plan_export(request: HttpRequest) -> HttpResponse:
    """The plan as XLSX: goals and measures, in the reader's language."""
    program = _program(request)
    response = HttpResponse(
        exports.plan_xlsx(program=program, user=request.user), content_type=XLSX_CONTENT_TYPE
    )
    name = f"plan-{slugify(program.name, allow_unicode=True) or program.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response


@require_POST
def goal_create(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    form = _goal_form(request, program, request.POST)
    if form.is_valid() and apply_to_form(
        form,
        services.goal_create,
        program=program,
        user=request.user,
        metric=form.cleaned_data["metric"],
        scope=form.cleaned_data["scope"],
        target_kind=form.cleaned_data["target_kind"],
        target_input=form.cleaned_data["target_input"],
        deadline=form.cleaned_data["deadline"],
        owner=form.cleaned_data["owner"],
        findings=list(form.cleaned_data["findings"]),
    ):
        return _done(request, program, "goals-section")
    return _section(request, program, "goals-section", goal_form=form)


@require_POST
def goal_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    goal = get_object_or_404(selectors.goals(program=program), pk=pk)
    form = _goal_edit_form(request, program, goal, request.POST)
    if form.is_valid() and apply_to_form(
        form, services.goal_update, goal=goal, user=request.user, **form.cleaned_data
    ):
        return _done(request, program, "goals-section")
    return _section(request, program, "goals-section", goal_edit_form=form)


@require_POST
def goal_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    services.goal_delete(goal=get_object_or_404(selectors.goals(program=program), pk=pk))
    return _done(request, program, "goals-section")


@require_POST
def measure_create(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    form = _measure_form(request, program, request.POST)
    if form.is_valid() and apply_to_form(
        form, services.measure_create, program=program, **form.cleaned_data
    ):
        return _done(request, program, "measures-section")
    return _section(request, program, "measures-section", measure_form=form)


@require_POST
def measure_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    measure = get_object_or_404(selectors.measures(program=program), pk=pk)
    form = _measure_edit_form(request, program, measure, request.POST)
    if form.is_valid() and apply_to_form(
        form, services.measure_update, measure=measure, **form.cleaned_data
    ):
        return _done(request, program, "measures-section")
    return _section(request, program, "measures-section", measure_edit_form=form)


@require_POST
def measure_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    services.measure_delete(measure=get_object_or_404(selectors.measures(program=program), pk=pk))
    return _done(request, program, "measures-section")
