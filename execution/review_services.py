"""Weekly reviews: opened for a week, annotated, given decisions, and closed — which freezes
the figures reviewed and mails the executive sponsor a summary, once."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.people import person_name

from .editing import conflict, save_edit, typed_text
from .models import ReviewDecision, WeeklyReview
from .review_selectors import figures, monday_of

logger = logging.getLogger(__name__)


def review_open(*, program: Program, by: Any, week_of: dt.date) -> WeeklyReview:
    """The review of the week holding `week_of` (opened if there was none)."""
    if not access.can_edit_plan(by):
        raise PermissionDenied
    week_start = monday_of(week_of)
    if program.execution_start and week_start + dt.timedelta(days=7) <= program.execution_start:
        raise ValidationError(_("That week ends before the execution starts."))
    try:
        with transaction.atomic():
            review, _created = WeeklyReview.objects.get_or_create(
                program=program, week_start=week_start
            )
    except IntegrityError:  # opened by someone else at the same moment
        review = WeeklyReview.objects.get(program=program, week_start=week_start)
    return review


def _editable(review: WeeklyReview, by: Any) -> None:
    if not access.can_edit_plan(by):
        raise PermissionDenied
    if review.closed_at is not None:
        raise ValidationError(_("This review is closed: what was reviewed stays as it was."))


def review_notes_save(*, review: WeeklyReview, by: Any, notes: str, version: int) -> WeeklyReview:
    with transaction.atomic():
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        _editable(review, by)
        if review.version != version:
            raise conflict(review, "notes", review.notes)
        review.notes = typed_text("notes", notes, limit=5000)
        save_edit(review, by)
    return review


def decision_add(
    *, review: WeeklyReview, by: Any, text: str, owner: Any = None, due_on: dt.date | None = None
) -> ReviewDecision:
    review = WeeklyReview.objects.get(pk=review.pk)  # closed since the page was drawn?
    _editable(review, by)
    if not text.strip():
        raise ValidationError({"text": _("Say what was decided.")})
    return ReviewDecision.objects.create(
        review=review, text=typed_text("text", text, limit=500), owner=owner, due_on=due_on
    )


def review_close(*, review: WeeklyReview, by: Any) -> WeeklyReview:
    """Freeze the week's figures and mail the sponsor the summary (after the commit, once)."""
    with transaction.atomic():
        review = WeeklyReview.objects.select_for_update().get(pk=review.pk)
        _editable(review, by)
        review.frozen = figures(review.program, review.week_start)
        review.closed_at, review.closed_by = timezone.now(), by
        save_edit(review, by)
        transaction.on_commit(lambda: send_summary(review_id=review.pk))
    return review


def send_summary(*, review_id: int) -> bool:
    """Mail the sponsor the closed review's summary, unless it went already."""
    claimed = WeeklyReview.objects.filter(
        pk=review_id, summary_sent_at__isnull=True, closed_at__isnull=False
    ).update(summary_sent_at=timezone.now())
    if not claimed:
        return False
    review = WeeklyReview.objects.select_related("program__sponsor").get(pk=review_id)
    sponsor = review.program.sponsor
    if sponsor is None or not sponsor.email:
        return False
    texts = []
    for language in ("zh-hans", "en"):  # the sponsor's language is not known: both
        with translation.override(language):
            texts.append(summary_text(review))
    try:
        send_mail(
            subject=f"salesopt: {texts[0].splitlines()[0]}",
            message="\n\n".join(texts),
            from_email=None,
            recipient_list=[sponsor.email],
        )
    except Exception:  # the mail server is down: the summary is still on the page
        logger.warning("could not mail the summary of review %s", review_id, exc_info=True)
        WeeklyReview.objects.filter(pk=review_id).update(summary_sent_at=None)
        return False
    return True


def summary_text(review: WeeklyReview) -> str:
    data = review.frozen or {}
    lines = [
        _("Weekly review of %(program)s, week of %(week)s")
        % {"program": review.program.name, "week": review.week_start.isoformat()}
    ]
    attainment = data.get("attainment")
    if attainment and attainment.get("attainment") is not None:
        lines.append(
            _("Attainment to date (%(quarter)s): %(share)s of ¥%(target)s")
            % {
                "quarter": attainment["quarter"],
                "share": f"{attainment['attainment']:.1%}",
                "target": f"{attainment['target']:,.0f}",
            }
        )
    lines.append(
        _("Tasks due this week: %(due)s; done: %(done)s; overdue: %(overdue)s")
        % {
            "due": len(data.get("tasks_due", [])),
            "done": len(data.get("tasks_done", [])),
            "overdue": len(data.get("tasks_overdue", [])),
        }
    )
    for task in data.get("tasks_overdue", []):
        lines.append(f"  · {task['task']} ({task['owner']}) {task['note']}".rstrip())
    decisions = list(review.decisions.select_related("owner__profile"))
    if decisions:
        lines.append(_("Decisions:"))
        lines += [
            f"  · {d.text}"
            + (f" — {person_name(d.owner)}" if d.owner else "")
            + (f", {d.due_on.isoformat()}" if d.due_on else "")
            for d in decisions
        ]
    if review.notes:
        lines.append(review.notes)
    return "\n".join(lines)
