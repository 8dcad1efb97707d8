"""The KPI API: `GET /api/kpis/?metric=&grain=&by=&from=&to=` → the series as JSON.

A browser session or an `Authorization: Bearer <token>` header (see create_api_token) identifies
the reader; LoginRequiredMiddleware would answer a script with a redirect to the login page, so
the view opts out of it and answers 401 JSON itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .selectors import KpiAccessError, KpiQueryError, kpi_series
from .tokens import user_for_bearer


@login_not_required
@require_GET
def kpi_api(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    user = user_for_bearer(header) if header else request.user
    if user is None or not user.is_authenticated:
        response = JsonResponse({"error": "authentication required"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="salesopt"'
        return response
    if "metric" not in request.GET:
        return JsonResponse({"error": "the metric parameter is required"}, status=400)
    try:
        series = kpi_series(
            user=user,
            metric=request.GET["metric"],
            grain=request.GET.get("grain") or "month",
            by=request.GET.get("by") or None,
            period_from=request.GET.get("from") or None,
            period_to=request.GET.get("to") or None,
        )
    except KpiAccessError as error:
        return JsonResponse({"error": str(error)}, status=403)
    except KpiQueryError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(series.as_json(), json_dumps_params={"ensure_ascii": False})
