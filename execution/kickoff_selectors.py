"""The kick-off as the page shows it: the meeting, its attendees and who has acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from salesopt.core.models import Program
from salesopt.core.people import person_name

from .models import KickOff, KickOffAttendee


@dataclass(frozen=True)
class Attendance:
    attendee: KickOffAttendee
    shown_name: str
    role_or_department: str
    mine: bool  # the reader is this attendee


def kickoff_of(program: Program) -> KickOff | None:
    return KickOff.objects.filter(program=program).prefetch_related("goals", "measures").first()


def attendances(kickoff: KickOff, reader: Any) -> list[Attendance]:
    rows = []
    for attendee in kickoff.attendees.select_related("user__profile", "acknowledged_for_by"):
        user = attendee.user
        profile = getattr(user, "profile", None) if user else None
        label = attendee.department or (str(profile.get_role_display()) if profile else "")
        rows.append(
            Attendance(
                attendee,
                person_name(user) if user else attendee.name,
                label,
                user is not None and user.pk == getattr(reader, "pk", None),
            )
        )
    return rows


def attendee_choices(kickoff: KickOff | None) -> QuerySet[Any]:
    """Active users not on the list yet."""
    users = get_user_model().objects.filter(is_active=True, profile__isnull=False)
    if kickoff is not None:
        users = users.exclude(kickoff_attendances__kickoff=kickoff)
    return users.select_related("profile").order_by("profile__display_name", "username")
