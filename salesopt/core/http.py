"""Request types for annotating views, and the one way a view hands a form to a service."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware, which sets `request.htmx`."""

    htmx: HtmxDetails


def apply_to_form(form: BaseForm, service: Callable[..., Any], **arguments: Any) -> bool:
    """Call `service`; its ValidationError becomes the form's errors (by field where the form
    has that field). True when it succeeded."""
    try:
        service(**arguments)
    except ValidationError as problem:
        if not hasattr(problem, "error_dict"):  # raised without a field: the form's own error
            form.add_error(None, problem.messages)
            return False
        for field, messages in problem.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return False
    return True
