"""The kick-off page: the manager records the meeting and the attendees' duties; each attendee
acknowledges their own. Plain forms with a redirect (a page a manager fills in once)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.http import apply_to_form
from salesopt.core.models import Program

from . import kickoff_selectors, kickoff_services
from .editing import EditConflictError
from .forms import AttendeeForm, KickOffForm
from .http import execution_program
from .models import KickOff, KickOffAttendee

PAGE = "execution/kickoff.html"


def _kickoff_form(program: Program, kickoff: KickOff | None, data: Any = None) -> KickOffForm:
    initial: dict[str, Any] = {"version": 0, "held_on": program.execution_start}
    if kickoff is not None:
        initial = {
            "version": kickoff.version,
            "held_on": kickoff.held_on,
            "place": kickoff.place,
            "notes": kickoff.notes,
            "goals": list(kickoff.goals.all()),
            "measures": list(kickoff.measures.all()),
        }
    return KickOffForm(
        data,
        initial=initial,
        goals=plan_selectors.goals(program=program),
        measures=plan_selectors.measure_choices(program=program),
        prefix="kickoff",
    )


def _attendee_form(kickoff: KickOff | None, data: Any = None) -> AttendeeForm:
    return AttendeeForm(data, users=kickoff_selectors.attendee_choices(kickoff), prefix="attendee")


def _page(request: HttpRequest, program: Program, **forms: Any) -> HttpResponse:
    kickoff = kickoff_selectors.kickoff_of(program)
    can_edit = access.can_edit_plan(request.user)
    rows = kickoff_selectors.attendances(kickoff, request.user) if kickoff else []
    context = {
        "program": program,
        "kickoff": kickoff,
        "attendances": rows,
        "acknowledged": sum(row.attendee.acknowledged_at is not None for row in rows),
        "mine": next((row for row in rows if row.mine), None),
        "can_edit": can_edit,
        "form": forms.get("form") or (_kickoff_form(program, kickoff) if can_edit else None),
        "attendee_form": forms.get("attendee_form")
        or (_attendee_form(kickoff) if can_edit and kickoff else None),
    }
    return render(request, PAGE, context)


@require_GET
def kickoff(request: HttpRequest) -> HttpResponse:
    return _page(request, execution_program(request))


@require_POST
def kickoff_save(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    current = kickoff_selectors.kickoff_of(program)
    form = _kickoff_form(program, current, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = apply_to_form(
                form, kickoff_services.kickoff_save, program=program, by=request.user,
                version=data["version"], held_on=data["held_on"], place=data["place"],
                notes=data["notes"], goals=data["goals"], measures=data["measures"],
            )  # fmt: skip
        except EditConflictError as stale:
            form.add_error(None, _("%(who)s changed the kick-off after you opened this page: "
                                   "open it again to see their version.")
                           % {"who": stale.changed_by})  # fmt: skip
            saved = False
        if saved:
            messages.success(request, _("Kick-off saved."))
            return redirect("execution:kickoff")
    return _page(request, program, form=form)


def _kickoff_or_404(program: Program) -> KickOff:
    found = kickoff_selectors.kickoff_of(program)
    if found is None:
        raise Http404
    return found


@require_POST
def attendee_add(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    kickoff = _kickoff_or_404(program)
    form = _attendee_form(kickoff, request.POST)
    if form.is_valid() and apply_to_form(
        form, kickoff_services.attendee_add, kickoff=kickoff, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("Attendee added."))
        return redirect("execution:kickoff")
    return _page(request, program, attendee_form=form)


def _attendee(program: Program, pk: int) -> KickOffAttendee:
    found = KickOffAttendee.objects.filter(pk=pk, kickoff__program=program).first()
    if found is None:
        raise Http404
    return found


@require_POST
def attendee_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attendee = _attendee(execution_program(request), pk)
    kickoff_services.attendee_remove(attendee=attendee, by=request.user)
    return redirect("execution:kickoff")


@require_POST
def attendee_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    attendee = _attendee(execution_program(request), pk)
    kickoff_services.acknowledge(attendee=attendee, by=request.user)
    messages.success(request, _("Acknowledged."))
    return redirect("execution:kickoff")
