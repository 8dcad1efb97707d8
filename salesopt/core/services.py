"""Writes of the core layer. Each is keyword-only, typed and runs in its own transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Profile


@transaction.atomic
def sessions_purge_expired() -> int:
    """Delete login sessions that have expired; returns how many were deleted."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@transaction.atomic
def profiles_activate(*, profiles: QuerySet[Profile]) -> int:
    """Let people an import created (inactive until now) into the pickers of active staff.

    They stay marked as created by an import; returns how many were activated.
    """
    users = get_user_model().objects.filter(pk__in=profiles.values("user"), is_active=False)
    return users.update(is_active=True)
