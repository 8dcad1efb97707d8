"""The lead assignment page of the plan: the policy, the routing rules, the reps' capacities
and leaves, and the unassigned queue's size.

The sales manager and admins set the policy and the rules; a team lead reads them and sets
their own reps' capacities and leaves. Writes redirect back to the page with a message; a form
with errors is shown again with them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import apply_to_form
from salesopt.core.models import AssignmentRule, Profile, RepLeave, Role
from salesopt.leads import assignment_selectors as selectors
from salesopt.leads import assignment_services as services
from salesopt.leads.assignment import assignment_policy

from .assignment_forms import CapacityForm, LeaveForm, PolicyForm, RoutingRuleForm

PAGE = "planning/assignment.html"


def _context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    can_edit = access.can_edit_plan(request.user)
    policy = assignment_policy()
    context: dict[str, Any] = {
        "can_edit": can_edit,
        "policy": policy,
        "policy_form": PolicyForm(instance=policy, prefix="policy") if can_edit else None,
        "rules": selectors.routing_rules(),
        "rule_form": RoutingRuleForm(prefix="rule") if can_edit else None,
        "edit_rule": None,
        "reps": selectors.rep_loads(request.user),
        "waiting": selectors.unassigned_leads(request.user).count(),
    }
    return context | overrides


def _back(section: str = "") -> HttpResponse:
    return redirect(reverse("planning:assignment") + (f"#{section}" if section else ""))


@require_GET
def assignment(request: HttpRequest) -> HttpResponse:
    if not access.can_view_plan(request.user):
        return render(request, "planning/forbidden.html", status=403)
    overrides: dict[str, Any] = {}
    edit = request.GET.get("edit", "")
    if access.can_edit_plan(request.user) and edit.isdigit():
        rule = get_object_or_404(AssignmentRule, pk=int(edit))
        form = RoutingRuleForm(
            prefix="rule",
            initial={"team": rule.team, "regions": list(rule.regions.all()),
                     "product_lines": list(rule.product_lines.all())},
        )  # fmt: skip
        overrides |= {"edit_rule": rule, "rule_form": form}
    return render(request, PAGE, _context(request, **overrides))


@require_POST
def policy_update(request: HttpRequest) -> HttpResponse:
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    form = PolicyForm(request.POST, instance=assignment_policy(), prefix="policy")
    if form.is_valid() and apply_to_form(
        form, services.assignment_policy_update, user=request.user, **form.cleaned_data
    ):
        messages.success(request, _("The assignment policy is saved."))
        return _back("policy-section")
    return render(request, PAGE, _context(request, policy_form=form))


@require_POST
def rule_save(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk is not None else None
    form = RoutingRuleForm(request.POST, prefix="rule")
    if form.is_valid() and apply_to_form(
        form, services.assignment_rule_save, user=request.user, rule=rule, **form.cleaned_data
    ):
        messages.success(request, _("The routing rule is saved."))
        return _back("rules-section")
    return render(request, PAGE, _context(request, rule_form=form, edit_rule=rule))


@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    services.assignment_rule_delete(user=request.user, rule=rule)
    messages.success(request, _("The routing rule is deleted."))
    return _back("rules-section")


@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    up = request.POST.get("direction") == "up"
    services.assignment_rule_move(user=request.user, rule=rule, up=up)
    return _back("rules-section")


def _rep(request: HttpRequest, pk: int) -> Profile:
    """A rep the reader sees; their write rights are checked by the service."""
    return get_object_or_404(
        access.visible_profiles(request.user).filter(role=Role.SALES_REP), pk=pk
    )


def _refusal(request: HttpRequest, problem: ValidationError) -> None:
    for message in problem.messages:
        messages.error(request, message)


@require_POST
def capacity_set(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _rep(request, pk)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{profile}: {error}")
        return _back("reps-section")
    try:
        services.rep_capacity_set(
            user=request.user, profile=profile, capacity=form.cleaned_data["capacity"]
        )
    except ValidationError as problem:
        _refusal(request, problem)
    else:
        messages.success(request, _("%(rep)s's capacity is saved.") % {"rep": profile})
    return _back("reps-section")


@require_POST
def leave_add(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _rep(request, pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{profile} · {label}: {error}")
        return _back("reps-section")
    try:
        services.rep_leave_add(user=request.user, profile=profile, **form.cleaned_data)
    except ValidationError as problem:
        _refusal(request, problem)
    else:
        messages.success(request, _("%(rep)s's leave is saved.") % {"rep": profile})
    return _back("reps-section")


@require_POST
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visible = access.visible_profiles(request.user).values("user_id")
    leave = get_object_or_404(RepLeave.objects.filter(user_id__in=visible), pk=pk)
    services.rep_leave_delete(user=request.user, leave=leave)
    messages.success(request, _("The leave is deleted."))
    return _back("reps-section")


@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    counts = services.assign_queue_now(user=request.user)
    messages.success(
        request,
        _("%(assigned)s waiting leads assigned; %(waiting)s still wait.")
        % {"assigned": counts.assigned, "waiting": counts.waiting},
    )
    return _back("queue-section")
