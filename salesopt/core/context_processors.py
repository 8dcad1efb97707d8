"""Template context every page needs: the navigation, the program switcher, the user's role."""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.http import HttpRequest

from . import access
from .models import Notification
from .programs import current_program
from .selectors import programs_for_switcher

T = TypeVar("T")


def _once(compute: Callable[[], T]) -> Callable[[], T]:
    """Lazy and computed at most once per request, however often the templates ask."""
    return cache(compute)


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    # Lazy: pages that never show the switcher (the admin, downloads) never query for it.
    return {
        "current_program": _once(lambda: current_program(request)),
        "switcher_programs": _once(lambda: list(programs_for_switcher(user=request.user))),
        "user_role": access.role_of(request.user),
        "user_can_import": access.can_import(request.user),
        "user_can_read_diagnosis": access.can_view_diagnosis(request.user),
        "user_has_lead_queue": access.scope_of(request.user).reach != access.Reach.NOTHING,
        "unread_notifications": _once(
            lambda: Notification.objects.filter(
                user_id=int(request.user.pk or 0), read_at__isnull=True
            ).count()
        ),
    }
