"""Middleware of our own."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .periods import company_zone


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


class NoStoreMiddleware:
    """Every response (pages, partials, exports, the API) is marked `Cache-Control: no-store`.

    They all hold company data: no browser, proxy or shared computer may keep a copy. Static
    files are served before this runs (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


# Session keys: when the user logged in, and when they were last seen (epoch seconds).
SESSION_STARTED = "salesopt_session_started"
SESSION_LAST_SEEN = "salesopt_session_last_seen"
# The last-seen stamp is rewritten at most this often, so a busy page does not save the
# session on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def stamp_session_start(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """At login: the session starts now and was last seen now."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Logs out a session idle for SALESOPT_SESSION_IDLE_HOURS, or older than
    SALESOPT_SESSION_MAX_HOURS since its login, and says why on the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = timezone.now().timestamp()
        session = request.session
        started = session.setdefault(SESSION_STARTED, now)
        last_seen = session.get(SESSION_LAST_SEEN, now)
        if now - last_seen > settings.SALESOPT_SESSION_IDLE_HOURS * 3600:
            reason = _("You were logged out after %(hours)s hours without activity.") % {
                "hours": f"{settings.SALESOPT_SESSION_IDLE_HOURS:g}"
            }
        elif now - started > settings.SALESOPT_SESSION_MAX_HOURS * 3600:
            reason = _("You were logged out %(hours)s hours after logging in.") % {
                "hours": f"{settings.SALESOPT_SESSION_MAX_HOURS:g}"
            }
        else:
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
            return
        logout(request)
        messages.info(request, reason + " " + _("Please log in again."))


class CompanyTimeZoneMiddleware:
    """Pages show times in the company's zone (deadlines, reviews, imports), as its people
    read a clock; the database keeps UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(company_zone()):
            return self.get_response(request)
