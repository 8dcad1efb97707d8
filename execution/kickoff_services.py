"""The kick-off: recorded by the sales manager, acknowledged by each attendee.

The manager writes the meeting (date, place, notes, the goals and measures presented) and the
attendees with their duties; each attendee who has a salesopt account acknowledges their duty
themselves, a guest from another department has theirs recorded by the manager (who recorded
it is kept). A form opened on an older version of the meeting is refused, never written over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import Program

from .editing import conflict, save_edit
from .models import KickOff, KickOffAttendee


def kickoff_save(
    *,
    program: Program,
    by: Any,
    version: int,
    held_on: dt.date,
    place: str = "",
    notes: str = "",
    goals: Any = (),
    measures: Any = (),
) -> KickOff:
    """Write the kick-off as edited on `version` of it (0: there was none yet)."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    if program.execution_start and held_on > program.execution_start + dt.timedelta(days=31):
        raise ValidationError(
            {"held_on": _("The kick-off opens the execution: hold it by its first month.")}
        )
    for item in (*goals, *measures):
        if item.program_id != program.pk:
            raise ValidationError(_("Present the goals and measures of this program only."))
    with transaction.atomic():
        kickoff = KickOff.objects.select_for_update().filter(program=program).first()
        if kickoff is None:
            if version != 0:  # opened on a kick-off that is gone
                raise ValidationError(_("The form is out of date: open the page again."))
            kickoff = KickOff(program=program, held_on=held_on, version=0)
        if kickoff.version != version:
            raise conflict(kickoff, "held_on", kickoff.held_on.isoformat())
        kickoff.held_on, kickoff.place, kickoff.notes = held_on, place.strip(), notes.strip()
        save_edit(kickoff, by)
        kickoff.goals.set(goals)
        kickoff.measures.set(measures)
    return kickoff


def attendee_add(
    *, kickoff: KickOff, by: Any, duty: str, user: Any = None, name: str = "",
    department: str = "",
) -> KickOffAttendee:  # fmt: skip
    """An attendee with their duty: a user, or a guest named with their department."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    if not duty.strip():
        raise ValidationError({"duty": _("Say what this person is responsible for.")})
    if user is None and not name.strip():
        raise ValidationError({"name": _("Choose a user, or name the guest.")})
    try:
        with transaction.atomic():
            return KickOffAttendee.objects.create(
                kickoff=kickoff, user=user, name="" if user else name.strip(),
                department=department.strip(), duty=duty.strip(),
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"user": _("This person is on the list already.")}) from None


def attendee_remove(*, attendee: KickOffAttendee, by: Any) -> None:
    if not access.can_edit_plan(by):
        raise PermissionDenied
    attendee.delete()


def acknowledge(*, attendee: KickOffAttendee, by: Any) -> KickOffAttendee:
    """The attendee confirms their duty; the manager records a guest's. Once is enough: a second
    acknowledgement keeps the first time."""
    own = attendee.user_id is not None and attendee.user_id == getattr(by, "pk", None)
    for_guest = attendee.user_id is None and access.can_edit_plan(by)
    if not (own or for_guest):
        raise PermissionDenied
    with transaction.atomic():
        KickOffAttendee.objects.filter(pk=attendee.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_for_by=None if own else by
        )
    attendee.refresh_from_db()
    return attendee
