"""Core pages: the program switcher, the health check and the login lockout page."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .forms import ProgramChoiceForm
from .programs import choose_program


@require_POST
def switch_program(request: HttpRequest) -> HttpResponse:
    form = ProgramChoiceForm(request.POST)
    program = choose_program(request, form.cleaned_data["program"]) if form.is_valid() else None
    if program is None:
        messages.error(request, _("That program does not exist or is not yours to see."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "overview:home"
    return redirect(next_url)


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer and docker compose: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a login attempt on a locked username gets (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
