"""Celery tasks of the lead process: thin wrappers that call services and return small dicts."""

from __future__ import annotations

from celery import shared_task

from . import services
from .followup import items_refresh
from .reminders import remind


@shared_task(acks_late=True)
def regrade_task(regrade_id: int) -> dict[str, object]:
    """Apply a grading draft to the open leads; safe to deliver twice."""
    regrade = services.regrade_run(regrade_id=regrade_id)
    return {"regrade": regrade.pk, "status": regrade.status, "changed": regrade.changed}


@shared_task(acks_late=True)
def remind_task() -> dict[str, int]:
    """The beat job: checklists, reminders, breach notices, reassignments; safe to run twice
    at once."""
    added = items_refresh()
    return {**remind().__dict__, "checklist_items": added}


@shared_task(acks_late=True)
def refresh_deadlines_task() -> dict[str, int]:
    """The open leads' due times after a change of the working calendar; idempotent."""
    counts = services.deadlines_refresh()
    return {"leads": counts.leads, "written": counts.written}
