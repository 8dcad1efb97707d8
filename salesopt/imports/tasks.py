"""Celery tasks of the import pipeline: thin wrappers around the services.

Both are safe to run twice: the run's status makes a redelivered task a no-op, and an import
killed halfway left nothing in the database (its transaction never committed), so running it
again starts from a clean slate.
"""

from typing import Any

from celery import shared_task

from . import services


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]  # celery ships no types
def import_run_validate_task(run_id: int) -> dict[str, Any]:
    run = services.import_run_validate(run_id=run_id)
    return {"run": run.pk, "status": run.status}


@shared_task(acks_late=True)  # type: ignore[untyped-decorator]  # celery ships no types
def import_run_execute_task(run_id: int, skip_invalid: bool = True) -> dict[str, Any]:
    run = services.import_run_execute(run_id=run_id, skip_invalid=skip_invalid)
    return {"run": run.pk, "status": run.status, "created": run.created_count,
            "updated": run.updated_count}  # fmt: skip
