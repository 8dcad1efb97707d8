"""New-rep coaching: the team lead's daily list, and recording a coaching on a rep's card."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import HtmxHttpRequest
from salesopt.core.periods import company_today

from . import coaching_selectors, coaching_services
from .http import execution_program

PAGE = "execution/coaching.html"


@require_GET
def coaching(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    if not access.can_read_coaching(request.user):
        raise PermissionDenied
    reps = coaching_selectors.coaching_list(request.user)
    team = request.GET.get("team", "")
    if team.isdigit():
        reps = [rep for rep in reps if rep.profile.team_id == int(team)]
    context = {
        "program": program,
        "reps": reps,
        "today": company_today(),
        "teams": access.visible_teams(request.user).order_by("name"),
        "team": team,
        "rep_count": len(reps),
        "to_coach": sum(rep.to_coach for rep in reps),
        "new_rep_days": settings.SALESOPT_NEW_REP_DAYS,
        "lookback_days": settings.SALESOPT_COACHING_LOOKBACK_DAYS,
    }
    return render(request, PAGE, context)


@require_POST
def coaching_record(request: HtmxHttpRequest, rep_id: int) -> HttpResponse:
    execution_program(request)
    held_on_text = request.POST.get("held_on", "").strip()
    held_on = None
    errors: dict[str, str] = {}
    if held_on_text:
        try:
            held_on = parse_date(held_on_text)
        except ValueError:
            held_on = None
        if held_on is None:
            errors["held_on"] = _("Enter a date as YYYY-MM-DD.")
    item_ids = [int(value) for value in request.POST.getlist("items") if value.isdigit()]
    if not errors:
        try:
            coaching_services.coaching_record(by=request.user, rep_id=rep_id,
                                              note=request.POST.get("note", ""),
                                              item_ids=item_ids, held_on=held_on)  # fmt: skip
        except ObjectDoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            errors = {
                key: " ".join(str(m) for m in value) for key, value in error.message_dict.items()
            }
    if not request.htmx:
        if errors:
            for message in errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("Coaching recorded."))
        return redirect("execution:coaching")
    every = coaching_selectors.coaching_list(request.user)
    found = [card for card in every if card.profile.user_id == rep_id]
    if not found:
        raise Http404
    team = request.POST.get("team", "")
    if team.isdigit():  # the page's team filter: its count is of that team's reps
        every = [card for card in every if card.profile.team_id == int(team)]
    context = {
        "team": team,
        "rep": found[0],
        "today": company_today(),
        "errors": errors,
        "typed": request.POST.get("note", "") if errors else "",
        "saved": not errors,
    }
    card = render_to_string(f"{PAGE}#rep-card", context, request)
    # The page's count of records to take up, swapped in beside the card (out of band).
    summary = {"oob": True, "rep_count": len(every), "to_coach": sum(c.to_coach for c in every)}
    return HttpResponse(card + render_to_string(f"{PAGE}#coaching-summary", summary, request))
