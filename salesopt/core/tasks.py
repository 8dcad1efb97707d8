"""Celery tasks of the core layer: thin wrappers that call services and return small dicts."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def purge_expired_sessions_task() -> dict[str, int]:
    return {"deleted": services.sessions_purge_expired()}
