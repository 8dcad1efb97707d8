"""Core pages: the home dashboard, the program switcher, the health check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import charts, selectors
from .forms import ProgramChoiceForm, QuarterForm
from .periods import Quarter, add_months, company_today
from .programs import choose_program

QUARTERS_IN_PICKER = 6


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = QuarterForm(request.GET)
    this_quarter = Quarter.containing(company_today())
    quarter = (form.cleaned_data["quarter"] if form.is_valid() else None) or this_quarter
    if quarter > this_quarter:
        quarter = this_quarter
    figures = selectors.headline_figures(user=request.user, quarter=quarter)
    # The chart ends with the chosen quarter's last month, or this month while it runs.
    last_month = min(add_months(quarter.start, 2), company_today().replace(day=1))
    months = selectors.monthly_revenue(user=request.user, last_month=last_month)
    context = {
        "figures": figures,
        "quarter": quarter,
        "quarter_choices": [this_quarter.shifted(-offset) for offset in range(QUARTERS_IN_PICKER)],
        "quarter_error": form.errors.get("quarter"),
        "revenue_chart": charts.revenue_vs_target(months),
    }
    template = "core/home.html#dashboard-figures" if request.htmx else "core/home.html"
    return render(request, template, context)


@require_POST
def switch_program(request: HttpRequest) -> HttpResponse:
    form = ProgramChoiceForm(request.POST)
    program = choose_program(request, form.cleaned_data["program"]) if form.is_valid() else None
    if program is None:
        messages.error(request, _("That program does not exist or is not yours to see."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "core:home"
    return redirect(next_url)


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer and docker compose: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
