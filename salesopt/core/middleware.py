"""Middleware of our own."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session expired gets a full-page redirect to the login page.

    Without this, htmx would swap the login page into the middle of the current page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_login_redirect = response.status_code == 302 and response.get("Location", "").startswith(
            "/accounts/login/"
        )
        if getattr(request, "htmx", False) and is_login_redirect:
            return HttpResponseClientRedirect(response["Location"])
        return response
