"""A change of the working calendar moves the open leads' deadlines: queued once it commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def calendar_changed(sender: Any, **kwargs: Any) -> None:
    from .tasks import refresh_deadlines_task  # tasks import services: import at call time

    transaction.on_commit(refresh_deadlines_task.delay)
