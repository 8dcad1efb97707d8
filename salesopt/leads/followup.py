"""Follow-up standards and the checklist items they put on leads, set-wise.

`items_refresh` (run by the beat job) keeps the checklists in step with the standards:
- a first-contact item per lead a standard applies to, due at the lead's response deadline
  (moved when a re-grade moves the deadline, as long as it is not done);
- a weekly item per open lead for this week's weekday (end of that day, company time), so the
  rep sees it on the checklist from the start of the week;
- a weekly item left open is met by any activity the CRM recorded for the lead in the seven
  days up to its due time.
`weekly_items_backfill` writes the weekly items of past weeks (for the leads open then), which
the demo uses so the compliance KPI has history. Everything is INSERT … SELECT with ON CONFLICT
DO NOTHING: running twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    FollowUpCadence,
    FollowUpItem,
    FollowUpStandard,
    Lead,
    Role,
)
from salesopt.core.periods import company_zone, start_of_day

_OPEN = tuple(str(status) for status in OPEN_LEAD_STATUSES)
_OPEN_SQL = ", ".join(f"'{status}'" for status in _OPEN)  # fixed choices, not input
WEEK = dt.timedelta(days=7)


def standard_save(
    *,
    user: Any,
    standard: FollowUpStandard | None = None,
    grade: str,
    text: str,
    cadence: str,
    weekday: int,
    effective_from: dt.date,
    active: bool = True,
) -> FollowUpStandard:
    if not access.can_edit_plan(user):
        raise PermissionDenied
    standard = standard or FollowUpStandard()
    standard.grade, standard.text, standard.cadence = grade, text.strip(), cadence
    standard.weekday, standard.effective_from, standard.active = weekday, effective_from, active
    standard.full_clean()
    standard.save()
    return standard


def standard_delete(*, user: Any, standard: FollowUpStandard) -> None:
    """A standard with items done keeps them (the KPI's history): it is retired, not deleted."""
    if not access.can_edit_plan(user):
        raise PermissionDenied
    if standard.items.filter(done_at__isnull=False).exists():
        standard.active = False
        standard.save(update_fields=["active", "updated_at"])
        standard.items.filter(done_at__isnull=True, due_at__gt=timezone.now()).delete()
        return
    standard.delete()


def week_due(day: dt.date, weekday: int) -> dt.datetime:
    """The last second of `weekday` (1 Monday … 7 Sunday) in the week of `day`, company time
    (shown as 23:59 of that day)."""
    monday = day - dt.timedelta(days=day.isoweekday() - 1)
    return start_of_day(monday + dt.timedelta(days=weekday)) - dt.timedelta(seconds=1)


@transaction.atomic
def items_refresh(*, now: dt.datetime | None = None) -> int:
    """Bring every checklist up to date; how many items were added."""
    now = now or timezone.now()
    added = _first_contact_items()
    today = now.astimezone(company_zone()).date()
    for standard in FollowUpStandard.objects.filter(active=True, cadence=FollowUpCadence.WEEKLY):
        added += _weekly_items(standard, week_due(today, standard.weekday), open_now=True)
    _met_by_activities()
    return added


def weekly_items_backfill(*, first: dt.date, last: dt.date) -> int:
    """The weekly items of the weeks from `first` to `last`, for the leads open in each."""
    added = 0
    for standard in FollowUpStandard.objects.filter(active=True, cadence=FollowUpCadence.WEEKLY):
        due = week_due(max(first, standard.effective_from), standard.weekday)
        while due.astimezone(company_zone()).date() <= last:
            added += _weekly_items(standard, due, open_now=False)
            due += WEEK
    _met_by_activities()
    return added


def _moment(value: dt.datetime) -> Any:
    """A time as a raw query's parameter: as the ORM stores it (UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def _execute(sql: str, params: Iterable[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return max(int(cursor.rowcount), 0)


def _first_contact_items() -> int:
    # An item not done whose deadline a re-grade moved, or whose grade no longer applies, goes;
    # the insert below gives the lead its item anew.
    _execute(
        "DELETE FROM core_followupitem WHERE done_at IS NULL AND id IN ("
        "SELECT i.id FROM core_followupitem i JOIN core_followupstandard s ON s.id = i.standard_id "
        "JOIN core_lead l ON l.id = i.lead_id WHERE s.cadence = %s AND ("
        "l.due_at IS NULL OR l.due_at <> i.due_at OR (s.grade <> '' AND s.grade <> l.grade)))",
        [FollowUpCadence.FIRST_CONTACT.value],
    )
    effective = _start_of_effective_day("s.effective_from")
    return _execute(
        "INSERT INTO core_followupitem (lead_id, standard_id, due_at, met_by, note) "  # noqa: S608
        "SELECT l.id, s.id, l.due_at, '', '' FROM core_followupstandard s "
        "JOIN core_lead l ON (s.grade = '' OR s.grade = l.grade) AND l.due_at IS NOT NULL "
        f"AND l.created_in_crm_at >= {effective} "
        "WHERE s.active AND s.cadence = %s "
        "ON CONFLICT (lead_id, standard_id, due_at) DO NOTHING",
        [FollowUpCadence.FIRST_CONTACT.value],
    )


def _start_of_effective_day(column: str) -> str:
    """SQL for midnight (company time) starting the date in `column`."""
    if connection.vendor == "postgresql":
        zone = company_zone().key
        return f"({column}::timestamp AT TIME ZONE '{zone}')"
    offset = start_of_day(dt.date(2026, 1, 1)).utcoffset() or dt.timedelta()
    hours = -offset.total_seconds() / 3600
    return f"datetime({column}, '{hours:+.0f} hours')"


def _weekly_items(standard: FollowUpStandard, due: dt.datetime, *, open_now: bool) -> int:
    """Items due at `due` for the leads open in the week before it (now, or back then)."""
    if due.astimezone(company_zone()).date() <= standard.effective_from:
        return 0
    if open_now:
        still_open = f"l.status IN ({_OPEN_SQL})"
        params: list[Any] = []
    else:
        # Open in that week: not closed before it began (a closed lead without a close time
        # counts as closed).
        still_open = f"(l.status IN ({_OPEN_SQL}) OR COALESCE(l.won_at, l.lost_at) >= %s)"
        params = [due - WEEK]
    grade = "" if not standard.grade else "AND l.grade = %s "
    return _execute(
        "INSERT INTO core_followupitem (lead_id, standard_id, due_at, met_by, note) "  # noqa: S608
        "SELECT l.id, %s, %s, '', '' FROM core_lead l "
        f"WHERE l.created_in_crm_at < %s AND l.created_in_crm_at >= %s AND {still_open} "
        f"{grade}ON CONFLICT (lead_id, standard_id, due_at) DO NOTHING",
        [standard.pk, _moment(due), _moment(due), _moment(start_of_day(standard.effective_from)),
         *(_moment(param) for param in params),
         *([standard.grade] if standard.grade else [])],
    )  # fmt: skip


def _met_by_activities() -> None:
    """An open weekly item is met by an activity of its lead in the seven days before it."""
    window = (
        "a.lead_id = core_followupitem.lead_id AND a.occurred_at <= core_followupitem.due_at "
        "AND a.occurred_at > core_followupitem.due_at - INTERVAL '7 days'"
        if connection.vendor == "postgresql"
        else "a.lead_id = core_followupitem.lead_id AND a.occurred_at <= core_followupitem.due_at "
        "AND a.occurred_at > datetime(core_followupitem.due_at, '-7 days')"
    )
    _execute(
        "UPDATE core_followupitem SET met_by = 'activity', "  # noqa: S608
        f"done_at = (SELECT MIN(a.occurred_at) FROM core_activity a WHERE {window}) "
        "WHERE done_at IS NULL AND standard_id IN "
        "(SELECT id FROM core_followupstandard WHERE cadence = %s) "
        f"AND EXISTS (SELECT 1 FROM core_activity a WHERE {window})",
        [FollowUpCadence.WEEKLY.value],
    )


def can_tick(user: Any, lead: Lead) -> bool:
    """The lead's owner, their team lead, and the manager keep its checklist."""
    if access.can_edit_plan(user):
        return True
    if lead.owner_id is not None and lead.owner_id == getattr(user, "pk", None):
        return True
    return (
        access.role_of(user) == Role.TEAM_LEAD
        and access.visible_leads(user).filter(pk=lead.pk).exists()
    )


def item_tick(
    *, user: Any, item: FollowUpItem, done: bool, note: str = "", now: dt.datetime | None = None
) -> FollowUpItem:
    if not can_tick(user, item.lead):
        raise PermissionDenied
    if not done and item.met_by == "activity":
        raise ValidationError(
            _("A CRM activity met this item; it stays done."), code="met_by_activity"
        )
    item.done_at = (now or timezone.now()) if done else None
    item.done_by = user if done else None
    item.note = note.strip()[:500] if done else ""
    item.save(update_fields=["done_at", "done_by", "note"])
    return item
