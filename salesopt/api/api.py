"""salesopt's one NinjaAPI: its routers, its readers and the shape of its refusals.

Every refusal answers `{"error": "..."}` with its status, as the KPI API always has: 400 for a
request the readers cannot answer (ninja's 422 for parameters included), 401 without a reader,
403 outside the reader's access, 404 for what the reader cannot find.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from salesopt.kpis.selectors import KpiAccessError, KpiQueryError

from . import execution, kpis, leads, plan
from .auth import READERS, reader_required, unauthorized

DESCRIPTION = """\
The KPIs, the plan, the leads and the execution tables of salesopt as JSON, each read with the
access of the user behind the request.

**Authentication**: the session of a user logged in to salesopt (this page uses it), or a
token: `Authorization: Bearer <token>`. `python manage.py create_api_token USERNAME` prints a
token once; only its hash is kept. A request with an `Authorization` header reads as that
token's user or not at all.

**Errors** answer `{"error": "..."}`: 400 for a parameter that cannot be read, 401 without
authentication, 403 outside the reader's access, 404 for an unknown program.
"""


class UnescapedJsonRenderer(JSONRenderer):
    """JSON with 华南 as 华南, not \\u534e\\u5357, as the KPI API always answered."""

    json_dumps_params = {"ensure_ascii": False}


class SalesoptApi(NinjaAPI):
    def get_content_type(self) -> str:
        # JSON is UTF-8 by definition (RFC 8259); the KPI API answered `application/json`.
        return "application/json"


api = SalesoptApi(
    title="salesopt API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READERS,
    renderer=UnescapedJsonRenderer(),
    # The validator would send our schema to an outside service and show its badge from there.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=reader_required,
)
api.add_router("/kpis/", kpis.router)
api.add_router("/plan/", plan.router)
api.add_router("/leads/", leads.router)
api.add_router("/execution/", execution.router)


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"error": message}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: Exception) -> HttpResponse:
    return unauthorized()


@api.exception_handler(ValidationError)
def _invalid_parameters(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return _refusal(request, "; ".join(_parameter_problem(item) for item in error.errors), 400)


def _parameter_problem(item: dict[str, Any]) -> str:
    """`the metric parameter is required`, or what pydantic found wrong with one."""
    name = item["loc"][-1]
    if item["type"] == "missing":
        return f"the {name} parameter is required"
    return f"the {name} parameter is not valid: {item['msg']}"


@api.exception_handler(KpiQueryError)
def _unanswerable(request: HttpRequest, error: KpiQueryError) -> HttpResponse:
    status = 403 if isinstance(error, KpiAccessError) else 400
    return _refusal(request, str(error), status)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _refusal(request, str(error) or "permission denied", 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _refusal(request, str(error) or "not found", 404)
