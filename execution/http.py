"""What the execution pages share: the program they show, and answering an inline editor (the
editor cell, retargeted onto itself when it is refused)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_htmx.http import reswap, retarget

from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.programs import program_of_phase

from .editing import Editor


def execution_program(request: HttpRequest) -> Program:
    """The current program, for an execution page: every role reads these (in its scope)."""
    return program_of_phase(request, allowed=access.role_of(request.user) is not None)


def editor_response(request: HttpRequest, editor: Editor) -> HttpResponse:
    """The editor cell. Its form posts to replace the whole row; a refusal (a bad value, a
    stale copy) replaces the editor cell only, so what was typed stays in the box."""
    response = HttpResponse(
        render_to_string("execution/cell_editor.html", {"editor": editor}, request)
    )
    if editor.error or editor.conflict:
        response = retarget(response, f"#{editor.element}")
        response = reswap(response, "outerHTML")
    return response
