"""Evaluation phase pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from salesopt.core.programs import current_program


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/landing.html", {"program": current_program(request)})
