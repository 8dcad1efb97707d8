"""Recording the coaching of a new rep: what was said, on which of their follow-up records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import FollowUpItem
from salesopt.core.periods import company_today

from .coaching_selectors import new_reps
from .editing import typed_text
from .models import Coaching

NOTE_LIMIT = 2000


def coaching_record(
    *, by: Any, rep_id: int, note: str, item_ids: list[int], held_on: dt.date | None = None
) -> Coaching:
    """A coaching of one of `by`'s new reps, on some of the rep's follow-up records.

    ObjectDoesNotExist for a rep `by` does not read as a new rep; PermissionDenied for one they
    may not coach; ValidationError for an empty note, a day in the future, or records that are
    not the rep's."""
    today = company_today()
    profile = new_reps(by, today).filter(user_id=rep_id).select_related("user").first()
    if profile is None:
        raise ObjectDoesNotExist
    if not access.can_coach(by, profile.user):
        raise PermissionDenied
    text = typed_text("note", note, limit=NOTE_LIMIT)
    if not text:
        raise ValidationError({"note": _("Say what you went through with the rep.")})
    day = held_on or today
    if day > today:
        raise ValidationError({"held_on": _("A coaching cannot be recorded ahead of its day.")})
    items = list(FollowUpItem.objects.filter(pk__in=item_ids, lead__owner_id=rep_id))
    if len(items) != len(set(item_ids)):
        raise ValidationError({"items": _("Choose among this rep's own follow-up records.")})
    with transaction.atomic():
        coaching = Coaching.objects.create(rep=profile.user, coach=by, held_on=day, note=text)
        coaching.items.set(items)
    return coaching
