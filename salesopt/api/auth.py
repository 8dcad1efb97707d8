"""Who reads the API: an `Authorization: Bearer <token>` header, else the browser's session.

A request that carries an Authorization header is read as that token's user or not at all,
even with a session cookie beside it, so a script never reads as whoever is logged in in the
browser it runs from. The API's views opt out of LoginRequiredMiddleware (which would answer a
script with a redirect to the login page) and answer 401 JSON themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import HttpBearer, SessionAuth

from salesopt.kpis.tokens import user_for_bearer

AUTHENTICATION_REQUIRED = "authentication required"


class BearerToken(HttpBearer):
    openapi_description = (
        "`Authorization: Bearer <token>`; `manage.py create_api_token USERNAME` prints one. "
        "It reads with that user's access."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # The token module parses the header itself, exactly as the KPI API always did.
        user = user_for_bearer(request.headers["Authorization"])
        if user is not None:
            # The selectors behind the API read request.user (the program chosen, its scope).
            request.user = user
        return user


class BrowserSession(SessionAuth):
    openapi_description = "The session of a user logged in to salesopt in the same browser."

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.headers.get("Authorization"):
            return None
        return super().authenticate(request, key)


READERS = [BearerToken(), BrowserSession()]


def api_reader(request: HttpRequest) -> Any:
    """The user the request reads as, or None."""
    return next((user for auth in READERS if (user := auth(request))), None)


def unauthorized() -> HttpResponse:
    response = JsonResponse({"error": AUTHENTICATION_REQUIRED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="salesopt"'
    return response


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the docs page: only for a reader of the API (ninja's docs_decorator)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if api_reader(request) is None:
            return unauthorized()
        return view(request, *args, **kwargs)

    return checked
