"""The funnel page: deals per stage and the drop-off between stages, by period and cut.

Every role reads it within its scope (the KPI reader applies it: a team lead their team, a rep
their own deals); a cut the reader cannot have is a message on the page, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from salesopt.core import access
from salesopt.core.http import HtmxHttpRequest
from salesopt.core.periods import add_months, company_today

from .funnel import sales_funnel
from .funnel_chart import funnel_chart
from .milestone_forms import FunnelForm

PAGE = "planning/funnel.html"
DEFAULT_MONTHS = 6


@require_GET
def funnel(request: HtmxHttpRequest) -> HttpResponse:
    if not access.can_read_deals(request.user):
        raise PermissionDenied
    this_month = company_today().replace(day=1)
    defaults: dict[str, Any] = {
        "period_from": add_months(this_month, 1 - DEFAULT_MONTHS),
        "period_to": this_month,
    }
    teams = access.visible_teams(request.user)
    data = request.GET if request.GET else None
    form = FunnelForm(data, initial=defaults, teams=teams)
    chosen: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else defaults
    result = None
    if not form.is_bound or form.is_valid():
        result = sales_funnel(
            user=request.user,
            period_from=chosen["period_from"],
            period_to=chosen["period_to"],
            region=chosen.get("region"),
            product_line=chosen.get("product_line"),
            team=chosen.get("team"),
        )
    chart = funnel_chart(result) if result and result.steps and result.entered else ""
    context = {"form": form, "funnel": result, "chart": chart, "chosen": chosen}
    if request.htmx:
        return render(request, f"{PAGE}#funnel-section", context)
    return render(request, PAGE, context)
