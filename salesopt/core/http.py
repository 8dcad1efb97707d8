"""Request types for annotating views."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware, which sets `request.htmx`."""

    htmx: HtmxDetails
