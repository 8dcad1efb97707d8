"""Answering an inline editor: the editor cell, retargeted onto itself when it is refused."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_htmx.http import reswap, retarget

from .editing import Editor


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
