"""The one check every step of a run makes first: is the run still where that step starts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ImportRun


def require_status(run: ImportRun, *allowed: str) -> None:
    if run.status not in allowed:
        raise ValidationError(
            _("This import is %(status)s; that step is no longer possible.")
            % {"status": run.get_status_display()},
            code="wrong_status",
        )
