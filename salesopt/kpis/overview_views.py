"""The overview page: this quarter's headline KPIs of the reader's scope, and the month chart."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from salesopt.core.forms import QuarterForm
from salesopt.core.http import HtmxHttpRequest
from salesopt.core.periods import Quarter, add_months, company_today

from . import charts, overview

QUARTERS_IN_PICKER = 6


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    form = QuarterForm(request.GET)
    this_quarter = Quarter.containing(company_today())
    quarter = (form.cleaned_data["quarter"] if form.is_valid() else None) or this_quarter
    if quarter > this_quarter:
        quarter = this_quarter
    figures = overview.headline_figures(user=request.user, quarter=quarter)
    # The chart ends with the chosen quarter's last month, or this month while it runs.
    last_month = min(add_months(quarter.start, 2), company_today().replace(day=1))
    months = overview.monthly_revenue(user=request.user, last_month=last_month)
    context = {
        "figures": figures,
        "quarter": quarter,
        "quarter_choices": [this_quarter.shifted(-offset) for offset in range(QUARTERS_IN_PICKER)],
        "quarter_error": form.errors.get("quarter"),
        "revenue_chart": charts.revenue_vs_target(months),
    }
    template = "kpis/overview.html#dashboard-figures" if request.htmx else "kpis/overview.html"
    return render(request, template, context)
