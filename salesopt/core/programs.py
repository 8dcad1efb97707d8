"""The program a user is working on: chosen in the switcher, remembered in the session."""

from __future__ import annotations

from django.http import HttpRequest

from . import access
from .models import Program

SESSION_KEY = "salesopt_current_program_id"


def current_program(request: HttpRequest) -> Program | None:
    """The program chosen in the switcher, else the most recent one the user may see."""
    programs = access.visible_programs(request.user)
    chosen_id = request.session.get(SESSION_KEY)
    chosen = programs.filter(pk=chosen_id).first() if chosen_id else None
    return chosen or programs.first()


def choose_program(request: HttpRequest, program_id: int) -> Program | None:
    """Remember `program_id` for this session if the user may see it; None if not."""
    program = access.visible_programs(request.user).filter(pk=program_id).first()
    if program is not None:
        request.session[SESSION_KEY] = program.pk
    return program
