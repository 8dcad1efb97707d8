"""The lead grading page of the plan: the version in force, the draft, its preview, applying it.

Sales managers and admins write the draft; executives and team leads read what is in force.
Writes answer htmx with the draft section and a plain post with a redirect; a refused write
re-renders the section with its message (200).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import HtmxHttpRequest, apply_to_form
from salesopt.core.models import GradingRule, GradingStatus, GradingVersion
from salesopt.leads import selectors, services

from .grading_forms import DraftForm, RuleForm

PAGE = "planning/grading.html"


def _require_view(request: HttpRequest) -> None:
    if not access.can_view_plan(request.user):
        raise PermissionDenied


def _draft(request: HttpRequest) -> GradingVersion:
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    return services.grading_draft(user=request.user)


def _existing_draft() -> GradingVersion | None:
    return GradingVersion.objects.filter(status=GradingStatus.DRAFT).first()


def _context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    can_edit = access.can_edit_plan(request.user)
    in_force = services.version_in_force()
    draft = _existing_draft() if can_edit else None
    context: dict[str, Any] = {
        "can_edit": can_edit,
        "in_force": in_force,
        "in_force_rules": selectors.rules_with_text(in_force),
        "upcoming": services.latest_applied(),
        "draft": draft,
        "draft_rules": selectors.rules_with_text(draft),
        "draft_form": DraftForm(instance=draft, prefix="draft") if draft else None,
        "rule_form": RuleForm(prefix="rule"),
        "edit_rule": None,
        "regrade": selectors.latest_regrade(),
        "preview": None,
    }
    return context | overrides


def _section(request: HtmxHttpRequest, name: str, **overrides: Any) -> HttpResponse:
    context = _context(request, **overrides)
    if not request.htmx:
        return render(request, PAGE, context)
    return HttpResponse(render_to_string(f"{PAGE}#{name}", context, request))


def _done(request: HtmxHttpRequest) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("planning:grading") + "#draft-section")
    return _section(request, "draft-section")


@require_GET
def grading(request: HtmxHttpRequest) -> HttpResponse:
    if not access.can_view_plan(request.user):
        return render(request, "planning/forbidden.html", status=403)
    overrides: dict[str, Any] = {}
    edit = request.GET.get("edit", "")
    draft = _existing_draft()
    if access.can_edit_plan(request.user) and draft is not None and edit.isdigit():
        rule = get_object_or_404(GradingRule, pk=int(edit), version=draft)
        overrides |= {"edit_rule": rule, "rule_form": RuleForm.of(rule, prefix="rule")}
    return render(request, PAGE, _context(request, **overrides))


@require_POST
def draft_start(request: HtmxHttpRequest) -> HttpResponse:
    _draft(request)
    return _done(request)


@require_POST
def draft_update(request: HtmxHttpRequest) -> HttpResponse:
    draft = _draft(request)
    form = DraftForm(request.POST, instance=GradingVersion.objects.get(pk=draft.pk), prefix="draft")
    if form.is_valid() and apply_to_form(
        form, services.grading_draft_update, version=draft, **form.cleaned_data
    ):
        return _done(request)
    return _section(request, "draft-section", draft_form=form)


@require_POST
def rule_save(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    draft = _draft(request)
    rule = get_object_or_404(GradingRule, pk=pk, version=draft) if pk is not None else None
    form = RuleForm(request.POST, prefix="rule")
    if form.is_valid() and apply_to_form(
        form, services.grading_rule_save, version=draft, rule=rule, **form.cleaned_data
    ):
        return _done(request)
    return _section(request, "draft-section", rule_form=form, edit_rule=rule)


@require_POST
def rule_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request)
    rule = get_object_or_404(GradingRule, pk=pk, version=draft)
    return _refused_or_done(request, services.grading_rule_delete, version=draft, rule=rule)


@require_POST
def rule_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request)
    rule = get_object_or_404(GradingRule, pk=pk, version=draft)
    up = request.POST.get("direction") == "up"
    return _refused_or_done(request, services.grading_rule_move, version=draft, rule=rule, up=up)


def _refused_or_done(request: HtmxHttpRequest, service: Any, **arguments: Any) -> HttpResponse:
    form = RuleForm(prefix="rule")
    if apply_to_form(form, service, **arguments):
        return _done(request)
    return _section(request, "draft-section", refusal=form.non_field_errors())


@require_GET
def preview(request: HtmxHttpRequest) -> HttpResponse:
    draft = _draft(request)
    return _section(request, "preview-section", preview=selectors.grading_preview(version=draft))


@require_POST
def apply(request: HtmxHttpRequest) -> HttpResponse:
    draft = _draft(request)
    form = RuleForm(prefix="rule")
    if not apply_to_form(form, services.grading_version_apply, version=draft, user=request.user):
        return _section(request, "draft-section", refusal=form.non_field_errors())
    if not request.htmx:
        return redirect(reverse("planning:grading") + "#regrade-section")
    response = HttpResponse()
    response["HX-Redirect"] = reverse("planning:grading")
    return response


@require_GET
def regrade_progress(request: HtmxHttpRequest) -> HttpResponse:
    _require_view(request)
    return _section(request, "regrade-section")
