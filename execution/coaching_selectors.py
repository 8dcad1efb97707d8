"""New-rep coaching: each team lead's daily list of their new reps' follow-up records that need
a word — missing (due and not done), late (done after they were due), or short of the standard
(ticked with nothing recorded) — with the coaching recorded on them.

A rep is new for SALESOPT_NEW_REP_DAYS after their hire date; the list holds the records due
in the last SALESOPT_COACHING_LOOKBACK_DAYS, up to now. Who is listed goes through
core.access: a team lead their own team's reps, company-wide readers every team's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesopt.core import access
from salesopt.core.models import FollowUpItem, Profile, Role
from salesopt.core.people import person_name
from salesopt.core.periods import company_today

from .models import Coaching


class RecordState(StrEnum):
    MISSING = "missing"
    LATE = "late"
    BELOW_STANDARD = "below_standard"


STATE_LABELS = {
    RecordState.MISSING: _("missing"),
    RecordState.LATE: _("late"),
    RecordState.BELOW_STANDARD: _("nothing recorded"),
}


def new_reps(user: Any, today: dt.date | None = None) -> QuerySet[Profile]:
    """The active reps hired in the last SALESOPT_NEW_REP_DAYS whom `user` may coach or read."""
    if not access.can_read_coaching(user):
        return Profile.objects.none()
    since = (today or company_today()) - dt.timedelta(days=settings.SALESOPT_NEW_REP_DAYS)
    return (
        access.visible_profiles(user)
        .filter(role=Role.SALES_REP, user__is_active=True, hire_date__gte=since)
        .order_by("team__name", "hire_date", "display_name")
    )


@dataclass(frozen=True)
class Record:
    item: FollowUpItem
    state: RecordState
    coached_on: dt.date | None  # the latest coaching that took it up

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def hours_late(self) -> float | None:
        if self.state != RecordState.LATE or self.item.done_at is None:
            return None
        return (self.item.done_at - self.item.due_at).total_seconds() / 3600


@dataclass(frozen=True)
class RepCoaching:
    profile: Profile
    records: list[Record]
    coachings: list[Coaching]
    can_coach: bool
    days_in: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return person_name(self.profile.user)

    @property
    def to_coach(self) -> int:
        """Records no coaching has taken up yet."""
        return sum(record.coached_on is None for record in self.records)


def _state(item: FollowUpItem) -> RecordState:
    if item.done_at is None:
        return RecordState.MISSING
    if item.done_at > item.due_at:
        return RecordState.LATE
    return RecordState.BELOW_STANDARD


def records_needing_coaching(rep_ids: list[int], now: dt.datetime) -> QuerySet[FollowUpItem]:
    since = now - dt.timedelta(days=settings.SALESOPT_COACHING_LOOKBACK_DAYS)
    return (
        FollowUpItem.objects.filter(lead__owner_id__in=rep_ids, due_at__gte=since, due_at__lte=now)
        .filter(
            Q(done_at__isnull=True)
            | Q(done_at__gt=F("due_at"))
            # Ticked by hand with nothing written: the standard asks for a record.
            | (Q(note="") & Q(met_by=""))
        )
        .select_related("lead", "standard")
        .order_by("due_at", "pk")
    )


def coaching_list(user: Any, *, rep_id: int | None = None) -> list[RepCoaching]:
    """`user`'s new reps (or the one `rep_id`), each with the records that need coaching."""
    today, now = company_today(), timezone.now()
    profiles = list(new_reps(user, today).select_related("user", "team"))
    if rep_id is not None:
        profiles = [profile for profile in profiles if profile.user_id == rep_id]
    ids = [profile.user_id for profile in profiles]
    items = list(records_needing_coaching(ids, now))
    coached: dict[int, dt.date] = {}
    for item_id, day in Coaching.items.through.objects.filter(
        followupitem_id__in=[item.pk for item in items]
    ).values_list("followupitem_id", "coaching__held_on"):
        coached[item_id] = max(day, coached.get(item_id, day))
    coachings: dict[int, list[Coaching]] = {}
    for coaching in Coaching.objects.filter(rep_id__in=ids).select_related("coach__profile"):
        coachings.setdefault(coaching.rep_id, []).append(coaching)
    by_rep: dict[int, list[Record]] = {}
    for item in items:
        by_rep.setdefault(item.lead.owner_id or 0, []).append(
            Record(item, _state(item), coached.get(item.pk))
        )
    result = []
    for profile in profiles:
        records = by_rep.get(profile.user_id, [])
        counts = {state.value: sum(r.state == state for r in records) for state in RecordState}
        result.append(
            RepCoaching(
                profile=profile,
                records=records,
                coachings=coachings.get(profile.user_id, [])[:5],
                can_coach=access.can_coach(user, profile.user),
                days_in=(today - profile.hire_date).days if profile.hire_date else 0,
                counts=counts,
            )
        )
    return result
