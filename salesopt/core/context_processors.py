"""Template context every page needs: the navigation, the program switcher, the user's role."""

from typing import Any

from django.http import HttpRequest

from . import access
from .programs import current_program
from .selectors import programs_for_switcher


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    # Lazy: pages that never show the switcher (the admin, JSON) never query for it.
    return {
        "current_program": lambda: current_program(request),
        "switcher_programs": lambda: list(programs_for_switcher(user=request.user)),
        "user_role": access.role_of(request.user),
        "user_can_import": access.can_import(request.user),
    }
