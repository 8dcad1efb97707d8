"""Deal milestone pages: the list the sales manager edits, the deals with their milestones, and
marking one done with its deliverable.

The list: sales managers and admins edit it; executives and team leads read it (reps see the
milestones on their own deals). Deals: every role, within the opportunities it sees
(salesopt.core.access); a milestone is marked done by its owner role or a role above it on the
deal's side. Writes answer htmx with the section they changed and a plain post with a redirect;
an invalid form re-renders its section with 200, a refused role gets 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import HtmxHttpRequest, apply_to_form
from salesopt.core.models import Opportunity

from . import milestone_selectors as selectors
from . import milestone_services as services
from .milestone_forms import DeliverableForm, MilestoneForm
from .models import MilestoneCompletion, MilestoneDefinition

LIST_PAGE = "planning/milestone_list.html"
DEALS_PAGE = "planning/deal_list.html"
DEAL_PAGE = "planning/deal_detail.html"


# The milestone list ------------------------------------------------------------------------


def _list_context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    can_edit = access.can_edit_plan(request.user)
    milestones = list(selectors.milestone_definitions())
    bound = overrides.pop("bound", None)
    items = [
        (milestone, bound if bound and bound.prefix == f"m{milestone.pk}" else None)
        for milestone in milestones
    ]
    if can_edit:
        items = [
            (milestone, form or MilestoneForm.of(milestone, prefix=f"m{milestone.pk}"))
            for milestone, form in items
        ]
    context = {
        "can_edit": can_edit,
        "items": items,
        "create_form": MilestoneForm(prefix="new"),
        "max_file_bytes": services.max_file_bytes(),
        "file_types": sorted(services.DELIVERABLE_TYPES),
    }
    return context | overrides


def _list_section(request: HtmxHttpRequest, **overrides: Any) -> HttpResponse:
    context = _list_context(request, **overrides)
    if not request.htmx:
        return render(request, LIST_PAGE, context)
    return HttpResponse(render_to_string(f"{LIST_PAGE}#milestones-section", context, request))


def _list_done(request: HtmxHttpRequest) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("planning:milestone-list"))
    return _list_section(request)


def _editable(request: HttpRequest, pk: int | None = None) -> MilestoneDefinition | None:
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    if pk is None:
        return None
    return get_object_or_404(MilestoneDefinition, pk=pk, active=True)


@require_GET
def milestone_list(request: HtmxHttpRequest) -> HttpResponse:
    if not access.can_view_plan(request.user):
        return render(request, "planning/forbidden.html", status=403)
    return render(request, LIST_PAGE, _list_context(request))


@require_POST
def milestone_create(request: HtmxHttpRequest) -> HttpResponse:
    _editable(request)
    form = MilestoneForm(request.POST, prefix="new")
    if form.is_valid() and apply_to_form(
        form, services.milestone_create, user=request.user, **form.cleaned_data
    ):
        return _list_done(request)
    return _list_section(request, create_form=form)


@require_POST
def milestone_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = _editable(request, pk)
    form = MilestoneForm(request.POST, prefix=f"m{pk}")
    if form.is_valid() and apply_to_form(
        form, services.milestone_update, user=request.user, milestone=milestone, **form.cleaned_data
    ):
        return _list_done(request)
    return _list_section(request, bound=form)


@require_POST
def milestone_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = _editable(request, pk)
    assert milestone is not None
    up = request.POST.get("direction") == "up"
    services.milestone_move(user=request.user, milestone=milestone, up=up)
    return _list_done(request)


@require_POST
def milestone_retire(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    milestone = _editable(request, pk)
    assert milestone is not None
    services.milestone_retire(user=request.user, milestone=milestone)
    return _list_done(request)


# Deals and their milestones ----------------------------------------------------------------


def _deal(request: HttpRequest, pk: int) -> Opportunity:
    if not access.can_read_deals(request.user):
        raise PermissionDenied
    try:
        return selectors.visible_deal(user=request.user, pk=pk)
    except Opportunity.DoesNotExist:
        raise Http404 from None


@require_GET
def deal_list(request: HtmxHttpRequest) -> HttpResponse:
    if not access.can_read_deals(request.user):
        raise PermissionDenied
    late_only = request.GET.get("late") == "1"
    show_closed = request.GET.get("closed") == "1"
    page, deals = selectors.deal_page(
        user=request.user,
        now=timezone.now(),
        late_only=late_only,
        open_only=not show_closed,
        page=request.GET.get("page", 1),
    )
    context = {
        "page": page,
        "deals": deals,
        "late_only": late_only,
        "show_closed": show_closed,
        "milestones": list(selectors.milestone_definitions()),
    }
    return render(request, DEALS_PAGE, context)


def _deal_context(request: HttpRequest, deal: Opportunity, **overrides: Any) -> dict[str, Any]:
    milestones = selectors.deal_milestones(opportunity=deal, now=timezone.now())
    bound = overrides.pop("bound", None)
    rows = []
    for state in milestones.states:
        can_mark = state.completion is None and access.can_complete_milestone(
            request.user, deal, state.milestone.owner_role
        )
        form = None
        if can_mark:
            same = bound is not None and bound.prefix == f"d{state.milestone.pk}"
            form = bound if same else DeliverableForm(prefix=f"d{state.milestone.pk}")
        rows.append((state, form))
    context = {
        "deal": deal,
        "milestones": milestones,
        "rows": rows,
        "max_file_bytes": services.max_file_bytes(),
        "file_types": sorted(services.DELIVERABLE_TYPES),
    }
    return context | overrides


@require_GET
def deal_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk)
    return render(request, DEAL_PAGE, _deal_context(request, deal))


@require_POST
def milestone_done(request: HtmxHttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    deal = _deal(request, pk)
    milestone = get_object_or_404(MilestoneDefinition, pk=milestone_pk, active=True)
    if not access.can_complete_milestone(request.user, deal, milestone.owner_role):
        raise PermissionDenied
    form = DeliverableForm(request.POST, request.FILES, prefix=f"d{milestone.pk}")
    done = form.is_valid() and apply_to_form(
        form,
        services.milestone_complete,
        user=request.user,
        opportunity=deal,
        milestone=milestone,
        link=form.cleaned_data["link"],
        file=form.cleaned_data["file"],
    )
    if done and not request.htmx:
        return redirect(reverse("planning:deal-detail", args=[deal.pk]))
    context = _deal_context(request, deal, bound=None if done else form)
    if not request.htmx:
        return render(request, DEAL_PAGE, context)
    return HttpResponse(render_to_string(f"{DEAL_PAGE}#deal-milestones", context, request))


@require_GET
def deliverable_file(request: HttpRequest, pk: int, milestone_pk: int) -> FileResponse:
    deal = _deal(request, pk)
    completion = get_object_or_404(
        MilestoneCompletion, opportunity=deal, milestone_id=milestone_pk, file__gt=""
    )
    response = FileResponse(
        completion.file.open("rb"),
        as_attachment=True,
        filename=completion.file_name,
        content_type=completion.file_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
