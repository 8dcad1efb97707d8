"""Writes of the core layer. Each is keyword-only, typed and runs in its own transaction."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone


@transaction.atomic
def sessions_purge_expired() -> int:
    """Delete login sessions that have expired; returns how many were deleted."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
