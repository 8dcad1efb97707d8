"""Reminders and escalation: the beat job that watches the response deadlines.

Every few minutes (salesopt.leads.tasks.remind_task) it finds the open, unanswered leads that
are near their deadline (the owner is reminded) or past it (the owner and their team lead are
told), and, when the policy says so, reassigns a lead still unanswered some working hours after
its deadline to a colleague of its owner (once per lead: after that the team lead decides).

Each notification exists once: its key names the lead and the deadline, and a unique
constraint with INSERT … ON CONFLICT DO NOTHING makes a second run (two workers, a redelivered
task) add nothing. The run holds an advisory lock, so reassignments never race either. E-mails
go out after the commit, claimed first in a batch (emailed_at set, rows another mailer is
claiming skipped), so each is sent once even when two mailers run, over one connection.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    AssignmentReason,
    Lead,
    LeadAssignment,
    Notification,
    NotificationKind,
    Team,
)
from salesopt.core.periods import company_zone
from salesopt.core.working_time import company_calendar

from .assignment import assignment_policy, reassign_entries, write_entries

logger = logging.getLogger(__name__)

REMINDER_LOCK_ID = 7_262_002  # PostgreSQL advisory lock: one reminder run at a time


@dataclass(frozen=True)
class ReminderCounts:
    due_soon: int = 0
    overdue: int = 0
    team_breaches: int = 0
    reassigned: int = 0
    emailed: int = 0


@dataclass(frozen=True)
class _Notice:
    user_id: int
    kind: str
    key: str
    lead_id: int | None
    detail: dict[str, Any]


def remind(*, now: dt.datetime | None = None) -> ReminderCounts:
    """One run of the job: notify, escalate, reassign, then mail what is new."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REMINDER_LOCK_ID])
        counts = _notify_and_escalate(now)
    emailed = send_pending_emails(now=now)
    return ReminderCounts(**{**counts.__dict__, "emailed": emailed})


def _unanswered() -> Any:
    return Lead.objects.filter(
        status__in=OPEN_LEAD_STATUSES,
        first_response_at__isnull=True,
        due_at__isnull=False,
        owner__isnull=False,
    )


def _notify_and_escalate(now: dt.datetime) -> ReminderCounts:
    policy = assignment_policy()
    soon = now + dt.timedelta(hours=policy.remind_before_hours)
    due_soon = list(
        _unanswered()
        .filter(due_at__gte=now, due_at__lte=soon)
        .values_list("pk", "owner_id", "due_at", "name")
    )
    # Deadlines missed long ago are in the breach list, not news: no notification for them.
    recent = now - dt.timedelta(days=settings.SALESOPT_NOTIFY_MISSED_WITHIN_DAYS)
    overdue = list(
        _unanswered()
        .filter(due_at__lt=now, due_at__gte=recent)
        .values_list("pk", "owner_id", "due_at", "name", "owner__profile__team_id", "grade")
    )
    team_leads = dict(Team.objects.filter(lead__isnull=False).values_list("pk", "lead_id"))
    notices = [
        _Notice(owner, NotificationKind.DUE_SOON, f"due_soon:{pk}:{due.isoformat()}", pk,
                {"lead": name, "due_at": due.isoformat()})
        for pk, owner, due, name in due_soon
    ]  # fmt: skip
    for pk, owner, due, name, team_id, _grade in overdue:
        detail = {"lead": name, "due_at": due.isoformat()}
        notices.append(
            _Notice(owner, NotificationKind.OVERDUE, f"overdue:{pk}:{due.isoformat()}", pk, detail)
        )
        lead_of_team = team_leads.get(team_id)
        if lead_of_team is not None and lead_of_team != owner:
            notices.append(
                _Notice(lead_of_team, NotificationKind.TEAM_BREACH,
                        f"team_breach:{pk}:{due.isoformat()}", pk, {**detail, "owner": owner})
            )  # fmt: skip
    created = _insert(notices, now=now)
    reassigned = _reassign_breached(overdue, now=now, policy=policy)
    return ReminderCounts(
        due_soon=created.get(NotificationKind.DUE_SOON, 0),
        overdue=created.get(NotificationKind.OVERDUE, 0),
        team_breaches=created.get(NotificationKind.TEAM_BREACH, 0),
        reassigned=reassigned,
    )


def _reassign_breached(overdue: list[tuple[Any, ...]], *, now: dt.datetime, policy: Any) -> int:
    """Overdue by the policy's working hours: to a free colleague, once per lead."""
    hours = policy.reassign_after_hours
    if not hours or not overdue:
        return 0
    calendar = company_calendar()
    starts = pd.DatetimeIndex([row[2] for row in overdue])
    limits = calendar.due_many(starts, np.full(len(overdue), float(hours)))
    late = [row for row, limit in zip(overdue, limits, strict=True) if limit <= now]
    already = set(
        LeadAssignment.objects.filter(
            lead_id__in=[row[0] for row in late], reason=AssignmentReason.BREACH
        ).values_list("lead_id", flat=True)
    )
    candidates = [(pk, owner, team, grade) for pk, owner, _d, _n, team, grade in late
                  if pk not in already]  # fmt: skip
    entries = reassign_entries(
        candidates,
        policy=policy,
        today=now.astimezone(company_zone()).date(),
        detail={"hours": hours},
    )
    write_entries(entries, now=now, by=None, import_run=None)
    names = dict(Lead.objects.filter(pk__in=[e.lead_id for e in entries]).values_list("pk", "name"))
    notices = []
    for entry in entries:
        detail = {"lead": names.get(entry.lead_id, ""), "hours": hours}
        notices.append(
            _Notice(entry.previous_owner or 0, NotificationKind.REASSIGNED_AWAY,
                    f"reassigned_away:{entry.lead_id}", entry.lead_id, detail)
        )  # fmt: skip
        notices.append(
            _Notice(entry.assigned_to or 0, NotificationKind.ASSIGNED,
                    f"assigned:{entry.lead_id}:breach", entry.lead_id, detail)
        )  # fmt: skip
    _insert([n for n in notices if n.user_id], now=now)
    return len(entries)


def _insert(notices: list[_Notice], *, now: dt.datetime) -> dict[str, int]:
    """Add the notifications not there yet; how many of each kind were new."""
    created: dict[str, int] = {}
    if not notices:
        return created
    columns = "user_id, kind, key, lead_id, detail, created_at"
    conflict = "ON CONFLICT (user_id, key) DO NOTHING RETURNING kind"
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each run offers every notice of the window again (most exist already): one
            # statement over arrays, rather than thousands of bound values to parse (100 ms
            # of a 200 ms run over a million leads).
            cursor.execute(
                f"INSERT INTO core_notification ({columns}) "  # noqa: S608
                "SELECT u.user_id, u.kind, u.key, u.lead_id, u.detail::jsonb, %s FROM unnest("
                "%s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::text[]) "
                f"AS u(user_id, kind, key, lead_id, detail) {conflict}",
                [at, [n.user_id for n in notices], [str(n.kind) for n in notices],
                 [n.key for n in notices], [n.lead_id for n in notices],
                 [json.dumps(n.detail) for n in notices]],
            )  # fmt: skip
            kinds = [kind for (kind,) in cursor.fetchall()]
        else:
            kinds = []
            for start in range(0, len(notices), 1000):
                batch = notices[start : start + 1000]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
                params: list[Any] = []
                for notice in batch:
                    params += [notice.user_id, str(notice.kind), notice.key, notice.lead_id,
                               json.dumps(notice.detail), at]  # fmt: skip
                cursor.execute(
                    f"INSERT INTO core_notification ({columns}) VALUES {values} {conflict}",  # noqa: S608
                    params,
                )
                kinds += [kind for (kind,) in cursor.fetchall()]
    for kind in kinds:
        created[kind] = created.get(kind, 0) + 1
    return created


def notification_text(notification: Notification) -> str:
    """What a notification says, in the reader's language."""
    detail = notification.detail or {}
    lead = detail.get("lead", "")
    due = _local_time(detail.get("due_at"))
    kind = notification.kind
    if kind == NotificationKind.DUE_SOON:
        return _("Lead %(lead)s is due at %(due)s: answer it now.") % {"lead": lead, "due": due}
    if kind == NotificationKind.OVERDUE:
        return _("Lead %(lead)s missed its deadline (%(due)s) and is still unanswered.") % {
            "lead": lead, "due": due,
        }  # fmt: skip
    if kind == NotificationKind.TEAM_BREACH:
        return _("Your team missed a deadline: lead %(lead)s, due %(due)s, is unanswered.") % {
            "lead": lead, "due": due,
        }  # fmt: skip
    if kind == NotificationKind.REASSIGNED_AWAY:
        return _("Lead %(lead)s went to a colleague: unanswered %(hours)s working hours after "
                 "its deadline.") % {"lead": lead, "hours": detail.get("hours", "?")}  # fmt: skip
    if detail.get("hours"):
        return _("Lead %(lead)s is now yours: its owner missed the deadline.") % {"lead": lead}
    return _("Lead %(lead)s was given to you by %(by)s.") % {
        "lead": notification.lead.name if notification.lead else lead,
        "by": detail.get("by", "—"),
    }


def _local_time(value: str | None) -> str:
    if not value:
        return "—"
    moment = dt.datetime.fromisoformat(value).astimezone(company_zone())
    return moment.strftime("%Y-%m-%d %H:%M")


MAIL_BATCH = 500  # per run: a backlog drains over the next runs, the bell shows it at once


def send_pending_emails(*, now: dt.datetime) -> int:
    """Mail each notification not mailed yet to its user, once: claim a batch, send it over
    one connection to the mail server, release what could not be sent for the next run."""
    with transaction.atomic():
        # Rows another mailer is claiming are skipped, not waited for; once it commits they
        # are no longer pending. So two mailers never send the same notification.
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(emailed_at__isnull=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:MAIL_BATCH]
        )
        Notification.objects.filter(pk__in=claimed).update(emailed_at=now)
    if not claimed:
        return 0
    mails = [
        (notification.pk, _mail(notification))
        for notification in Notification.objects.filter(pk__in=claimed)
        .select_related("user__profile", "lead")
        .order_by("created_at", "pk")
        # Nobody to mail: the bell shows it.
        if notification.user.email and notification.user.is_active
    ]
    sent: set[int] = set()
    try:
        with get_connection() as mailer:
            for pk, mail in mails:
                try:
                    mailer.send_messages([mail])
                except Exception:  # this address refused: the next run tries it again
                    logger.warning("could not mail notification %s", pk, exc_info=True)
                else:
                    sent.add(pk)
    except Exception:  # the mail server is down: every one is tried again next run
        logger.warning("could not reach the mail server", exc_info=True)
    unsent = [pk for pk, _ in mails if pk not in sent]
    if unsent:
        Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
    return len(sent)


def _mail(notification: Notification) -> EmailMessage:
    # We do not know which language a reader prefers: both, Chinese first.
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(notification_text(notification))
    return EmailMessage(
        subject=f"salesopt: {texts[0][:80]}",
        body="\n\n".join(texts),
        to=[notification.user.email],
    )
