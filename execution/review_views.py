"""Weekly progress reviews: the list of weeks, and one week's review — its figures (frozen
once closed), notes and decisions. The sales manager runs them; the executive and team leads
read them (the figures for company-wide readers only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.periods import company_today
from salesopt.core.programs import program_of_phase

from . import review_selectors, review_services, selectors
from .editing import EditConflictError
from .models import WeeklyReview


def _day(value: str | None) -> dt.date | None:
    """A typed YYYY-MM-DD date, None when it is none (2026-13-01 included)."""
    try:
        return parse_date((value or "").strip())
    except ValueError:
        return None


def _program(request: HttpRequest) -> Program:
    return program_of_phase(request, allowed=review_selectors.can_read_reviews(request.user))


@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    context = {
        "program": program,
        "reviews": review_selectors.reviews_of(program),
        "this_week": review_selectors.monday_of(company_today()),
        "can_edit": access.can_edit_plan(request.user),
    }
    return render(request, "execution/reviews.html", context)


@require_POST
def review_open(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    day = _day(request.POST.get("week")) or company_today()
    try:
        review = review_services.review_open(program=program, by=request.user, week_of=day)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect("execution:reviews")
    return redirect("execution:review", week=review.week_start.isoformat())


def _review(request: HttpRequest, week: str) -> WeeklyReview:
    day = _day(week) if len(week) == 10 else None
    review = (
        review_selectors.reviews_of(_program(request)).filter(week_start=day).first()
        if day
        else None
    )
    if review is None:
        raise Http404
    return review


def _page(request: HttpRequest, review: WeeklyReview, **extra: Any) -> HttpResponse:
    figures = (
        review_selectors.review_figures(review) if access.sees_whole_company(request.user) else None
    )
    attainment = (figures or {}).get("attainment") or {}
    share = attainment.get("attainment")
    context = {
        "program": review.program,
        "review": review,
        "figures": figures,
        "attainment_shown": f"{share:.1%}" if share is not None else "—",
        "decisions": review.decisions.select_related("owner__profile"),
        "owners": selectors.owner_choices(request.user),
        "can_edit": access.can_edit_plan(request.user) and review.closed_at is None,
        "week_end": review.week_start + dt.timedelta(days=6),
        **extra,
    }
    return render(request, "execution/review.html", context)


@require_GET
def review(request: HttpRequest, week: str) -> HttpResponse:
    return _page(request, _review(request, week))


@require_POST
def review_notes(request: HttpRequest, week: str) -> HttpResponse:
    found = _review(request, week)
    try:
        version = int(request.POST.get("version", ""))
        review_services.review_notes_save(
            review=found, by=request.user, notes=request.POST.get("notes", ""), version=version
        )
    except ValueError:
        return _page(request, found, error=_("The form is out of date: open the page again."))
    except EditConflictError as stale:
        return _page(
            request,
            found,
            error=_(
                "%(who)s changed the notes after you opened this page: your text is below, theirs "
                "is saved."
            )
            % {"who": stale.changed_by},
            typed_notes=request.POST.get("notes", ""),
        )
    except ValidationError as problem:
        return _page(request, found, error=" ".join(problem.messages))
    messages.success(request, _("Notes saved."))
    return redirect("execution:review", week=week)


@require_POST
def decision_add(request: HttpRequest, week: str) -> HttpResponse:
    found = _review(request, week)
    owner_id = request.POST.get("owner", "")
    owner = (
        selectors.owner_choices(request.user).filter(pk=int(owner_id)).first()
        if owner_id.isdigit()
        else None
    )
    due = _day(request.POST.get("due_on"))
    if request.POST.get("due_on", "").strip() and due is None:
        return _page(request, found, error=_("Enter a date as YYYY-MM-DD."))
    try:
        review_services.decision_add(
            review=found,
            by=request.user,
            text=request.POST.get("text", ""),
            owner=owner,
            due_on=due,
        )
    except ValidationError as problem:
        return _page(request, found, error=" ".join(problem.messages))
    return redirect("execution:review", week=week)


@require_POST
def review_close(request: HttpRequest, week: str) -> HttpResponse:
    found = _review(request, week)
    try:
        review_services.review_close(review=found, by=request.user)
    except ValidationError as problem:
        return _page(request, found, error=" ".join(problem.messages))
    messages.success(request, _("Review closed: its figures are kept as reviewed."))
    return redirect("execution:review", week=week)
