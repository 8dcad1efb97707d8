"""The program a user is working on: chosen in the switcher, remembered in the session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

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


def program_of_phase(request: HttpRequest, *, allowed: bool) -> Program:
    """The current program for a phase page the user is `allowed` to open: PermissionDenied
    when not allowed, 404 when there is no program yet."""
    if not allowed:
        raise PermissionDenied
    program = current_program(request)
    if program is None:
        raise Http404(_("There is no program yet."))
    return program


def program_for_command(program_id: int) -> Program:
    """The program a management command names by id; CommandError listing the programs there
    are when no program has it."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        known = ", ".join(
            f"{pk} ({name})" for pk, name in Program.objects.values_list("pk", "name")
        )
        raise CommandError(f"no program with id {program_id}; programs: {known or 'none'}")
    return program
