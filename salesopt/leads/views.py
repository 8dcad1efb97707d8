"""The lead queues ("My leads", the team's, its breaches, the unassigned) and a lead's page.

The queue refreshes itself every minute (htmx), so the time left counts down while it is open.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.http import HtmxHttpRequest
from salesopt.core.models import FollowUpItem, LeadGrade, Notification
from salesopt.core.periods import add_months, company_today
from salesopt.kpis.periods import parse_period

from . import assignment_selectors as selectors
from . import assignment_services as services
from . import followup
from .reminders import notification_text
from .selectors import breach_of, grade_reason

PAGE = "leads/queue.html"


@require_GET
def queue(request: HtmxHttpRequest) -> HttpResponse:
    views = selectors.queue_views(request.user)
    if not views:
        return render(request, "planning/forbidden.html", status=403)
    view = request.GET.get("view", views[0])
    if view not in views:
        view = views[0]
    grade = request.GET.get("grade", "")
    owner = request.GET.get("owner", "")
    overdue_only = request.GET.get("overdue") == "1"
    now = timezone.now()
    rows, page = selectors.queue_rows(
        user=request.user, view=view, now=now, grade=grade or None, owner=owner or None,
        overdue_only=overdue_only, page=request.GET.get("page"),
    )  # fmt: skip
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "views": views,
        "view": view,
        "rows": rows,
        "page": page,
        "total": page.paginator.count if page is not None else 0,
        # The page links keep the filters.
        "filters": filters.urlencode(),
        "grade": grade,
        "owner": owner,
        "overdue_only": overdue_only,
        "grades": [*LeadGrade.choices, ("none", _("ungraded"))],
        "owners": (
            access.visible_profiles(request.user).filter(role="sales_rep").order_by("display_name")
            if view in (selectors.QueueView.TEAM, selectors.QueueView.BREACHES)
            else []
        ),
        "now": now,
    }
    if request.htmx and request.htmx.target == "queue-rows":
        return HttpResponse(render_to_string(f"{PAGE}#queue-rows", context, request))
    return render(request, PAGE, context)


@require_GET
def lead_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    if lead is None:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "leads/lead.html",
        {
            "lead": lead,
            "grade_reason": grade_reason(lead),
            "breach": breach_of(lead, now),
            "time_left": selectors.time_left(lead, now),
            "log": selectors.lead_log(lead),
            "reps": selectors.assignable_reps(request.user, lead),
            "checklist": selectors.checklist(lead, now=now),
            "can_tick": followup.can_tick(request.user, lead),
        },
    )


@require_POST
def checklist_tick(request: HtmxHttpRequest, pk: int, item: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    if lead is None:
        raise Http404
    entry = get_object_or_404(FollowUpItem.objects.select_related("lead"), pk=item, lead=lead)
    done = request.POST.get("done") == "1"
    try:
        followup.item_tick(
            user=request.user, item=entry, done=done, note=request.POST.get("note", "")
        )
    except ValidationError as problem:
        for message in problem.messages:
            messages.error(request, message)
    return redirect(reverse("leads:lead", args=[lead.pk]) + "#checklist")


@require_POST
def lead_assign(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_for(request.user, pk)
    if lead is None:
        raise Http404
    rep_id = request.POST.get("rep", "")
    if not rep_id.isdigit():
        messages.error(request, _("Choose the rep to give this lead to."))
        return redirect("leads:lead", pk=lead.pk)
    to = get_object_or_404(access.visible_profiles(request.user), pk=int(rep_id))
    try:
        services.lead_assign_by_hand(user=request.user, lead=lead, to=to)
    except PermissionDenied:
        messages.error(request, _("You may not give this lead to %(rep)s.") % {"rep": to})
    except ValidationError as problem:
        for message in problem.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The lead is now %(rep)s's.") % {"rep": to})
    back = request.POST.get("next", "")
    if back.startswith(reverse("leads:queue")):
        return redirect(back)
    return redirect("leads:lead", pk=lead.pk)


def _unread(request: HtmxHttpRequest) -> int:
    return Notification.objects.filter(
        user_id=int(request.user.pk or 0), read_at__isnull=True
    ).count()


@require_GET
def bell(request: HtmxHttpRequest) -> HttpResponse:
    """The bell's count, polled by the top bar."""
    return render(request, "leads/bell.html", {"unread_notifications": _unread(request)})


@require_GET
def notifications(request: HtmxHttpRequest) -> HttpResponse:
    latest = list(
        Notification.objects.filter(user_id=int(request.user.pk or 0))
        .select_related("lead")
        .order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "leads/notifications.html",
        {
            "notifications": [(item, notification_text(item)) for item in latest],
            "unread": _unread(request),
        },
    )


@require_POST
def notifications_read(request: HtmxHttpRequest) -> HttpResponse:
    Notification.objects.filter(user_id=int(request.user.pk or 0), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("leads:notifications")


@require_GET
def compliance(request: HtmxHttpRequest) -> HttpResponse:
    """Response-deadline and follow-up compliance per region, team or rep, over whole months
    (the last three by default)."""
    if access.scope_of(request.user).reach == access.Reach.NOTHING:
        return render(request, "planning/forbidden.html", status=403)
    by = request.GET.get("by", "team")
    if by not in selectors.COMPLIANCE_CUTS:
        by = "team"
    this_month = company_today().replace(day=1)
    first, last = add_months(this_month, -2), this_month
    problem = ""
    try:
        if request.GET.get("from"):
            first = parse_period(request.GET["from"]).start
        if request.GET.get("to"):
            last = parse_period(request.GET["to"]).start
    except ValueError:
        problem = _("Months are written YYYY-MM, e.g. 2026-09.")
    if last < first:
        first, last = last, first
    rows = selectors.sla_compliance(user=request.user, by=by, first_month=first, last_month=last)
    return render(
        request,
        "leads/compliance.html",
        {"rows": rows, "by": by, "cuts": selectors.COMPLIANCE_CUTS, "first": first,
         "last": last, "problem": problem},
    )  # fmt: skip
