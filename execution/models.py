"""The execution phase's records: the execution plan table's tasks.

Every row edited inline carries a version number (optimistic concurrency: an edit made on a
stale copy is refused with the other person's value, never silently lost) and a field history
(django-simple-history: who, when, before, after) that the row shows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesopt.core.models import Program, Team
from salesopt.core.models.base import TimeStampedModel


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class Task(TimeStampedModel):
    """One row of the execution plan table (seed: task, owner, start, end, deliverable,
    resources), with its status and the measure and goal it serves."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="tasks"
    )
    measure = models.ForeignKey(
        "planning.Measure",
        verbose_name=_("measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    goal = models.ForeignKey(
        "planning.Goal",
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="execution_tasks",
    )
    # Whose row it is: that team's lead keeps it up to date. Empty: a company-wide task,
    # which only the sales manager (and admins) edit.
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="execution_tasks",
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    deliverable = models.CharField(_("deliverable"), max_length=300, blank=True)
    resources = models.CharField(_("resources needed"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # What the weekly review needs to know: progress, or why the task is late.
    note = models.CharField(_("notes (why late)"), max_length=500, blank=True)
    # Raised by every accepted edit: an edit must name the version it was made on.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The manager of the row's historical versions (simple_history adds it as `history`).
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["ends_on", "starts_on", "pk"]
        indexes = [models.Index(fields=["program", "ends_on"], name="task_program_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="execution_task_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="done", done_on__isnull=False)
                | (~models.Q(status="done") & models.Q(done_on__isnull=True)),
                name="execution_task_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Quality(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    GOOD = "good", _("good")
    FAIR = "fair", _("fair")
    POOR = "poor", _("poor")


class MeasureTracking(TimeStampedModel):
    """Table 3 (优化方案执行跟踪表): how one measure of the plan was carried out. The measure,
    its owner and planned completion are the plan's; this row holds what happened."""

    measure = models.OneToOneField(
        "planning.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="tracking",
    )
    actual_completion = models.DateField(_("actual completion"), null=True, blank=True)
    quality = models.CharField(_("quality"), max_length=16, choices=Quality.choices, blank=True)
    reason = models.TextField(_("reason if late or not done"), blank=True)
    # As on every inline-edited row: raised by every accepted edit.
    version = models.PositiveIntegerField(_("version"), default=1)
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("measure tracking")
        verbose_name_plural = _("measure tracking")

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.actual_completion or '-'}"


class KickOff(TimeStampedModel):
    """The kick-off meeting (启动会) of a program's execution: when and where, the goals and
    measures presented, and who attended with their duties."""

    program = models.OneToOneField(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="kickoff"
    )
    held_on = models.DateField(_("meeting date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    goals = models.ManyToManyField(
        "planning.Goal", verbose_name=_("goals presented"), blank=True, related_name="+"
    )
    measures = models.ManyToManyField(
        "planning.Measure", verbose_name=_("measures presented"), blank=True, related_name="+"
    )
    # The manager's form names the version it was opened on (as every edited row).
    version = models.PositiveIntegerField(_("version"), default=1)
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("kick-off")
        verbose_name_plural = _("kick-offs")

    def __str__(self) -> str:
        return f"{self.program} {self.held_on}"


class KickOffAttendee(TimeStampedModel):
    """Someone at the kick-off with their duty: a salesopt user, who acknowledges it in the app,
    or a guest from another department, whose acknowledgement the manager records."""

    kickoff = models.ForeignKey(
        KickOff, verbose_name=_("kick-off"), on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kickoff_attendances",
    )
    name = models.CharField(_("name"), max_length=120, blank=True)  # a guest's
    department = models.CharField(_("department"), max_length=120, blank=True)
    duty = models.TextField(_("duty"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # Empty: the attendee acknowledged it themselves; else who recorded a guest's.
    acknowledged_for_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kick-off attendee")
        verbose_name_plural = _("kick-off attendees")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kickoff", "user"],
                condition=models.Q(user__isnull=False),
                name="execution_kickoff_attendee_once",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(name=""),
                name="execution_kickoff_attendee_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.user)


class SplitMethod(models.TextChoices):
    EVEN = "even", _("evenly")
    SEASONAL = "seasonal", _("by last year's months")
    HAND = "hand", _("by hand")


class QuarterTarget(TimeStampedModel):
    """A quarter's revenue target for one scope (the company, a region, a team or an owner),
    split into its three months (Table 2's rows) and maybe down into parts (its children),
    which add up to it."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="targets"
    )
    quarter_start = models.DateField(_("quarter"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quarter_targets",
    )
    amount = models.DecimalField(_("quarterly target"), max_digits=14, decimal_places=2)
    split = models.CharField(
        _("split into months"), max_length=16, choices=SplitMethod.choices,
        default=SplitMethod.EVEN,
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1)
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("quarterly target")
        verbose_name_plural = _("quarterly targets")
        ordering = ["quarter_start", "pk"]

    def __str__(self) -> str:
        return f"{self.quarter_start:%Y-%m} {self.amount}"


class MonthTarget(TimeStampedModel):
    """One row of Table 2 (销售目标分解与跟踪表): a month's target for a scope, and when it falls
    short, the variance analysis and the corrective action."""

    quarter_target = models.ForeignKey(
        QuarterTarget, verbose_name=_("quarterly target"), on_delete=models.CASCADE,
        related_name="months",
    )  # fmt: skip
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("monthly target"), max_digits=14, decimal_places=2)
    variance_note = models.TextField(_("variance analysis"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("monthly target")
        verbose_name_plural = _("monthly targets")
        ordering = ["month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quarter_target", "month"], name="month_target_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class WeeklyReview(TimeStampedModel):
    """The weekly progress review (周例会) of one week of a program's execution: its notes and
    decisions, and once closed, the figures as they were reviewed (a later import does not
    change them)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="reviews"
    )
    week_start = models.DateField(_("week of"))  # a Monday
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The figures at closing: what was reviewed, whatever the data says later.
    frozen = models.JSONField(_("figures as reviewed"), null=True, blank=True)
    summary_sent_at = models.DateTimeField(_("summary sent"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at", "frozen"])

    class Meta:
        verbose_name = _("weekly review")
        verbose_name_plural = _("weekly reviews")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["program", "week_start"], name="weekly_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.week_start}"


class ReviewDecision(TimeStampedModel):
    """A decision taken at a weekly review, with who carries it out and by when."""

    review = models.ForeignKey(
        WeeklyReview, verbose_name=_("weekly review"), on_delete=models.CASCADE,
        related_name="decisions",
    )  # fmt: skip
    text = models.CharField(_("decision"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_decisions",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class SheetImportStatus(models.TextChoices):
    CHECKED = "checked", _("checked, not applied")
    APPLIED = "applied", _("applied")
    REFUSED = "refused", _("refused")


class SheetImport(TimeStampedModel):
    """An edited export of an execution table brought back: the cells it read, the changes its
    check found (shown before anything is written) and the problems that refuse it."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="sheet_imports"
    )
    table = models.CharField(_("table"), max_length=8)  # "plan", "2" or "3", as the JSON names
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="sheet_imports",
    )
    file_name = models.CharField(_("file"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=SheetImportStatus.choices)
    # The file's rows as read: [{"row": number in the file, "cells": {column key: text}}].
    rows = models.JSONField(default=list)
    # [{"row", "row_id", "column", "before", "after"}], in the file's order.
    changes = models.JSONField(default=list)
    # [{"row", "column", "value", "reason"}]: any one refuses the whole file.
    problems = models.JSONField(default=list)
    # Headers the import does not know, left alone (a scratch column someone added).
    ignored_columns = models.JSONField(default=list)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("table import")
        verbose_name_plural = _("table imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.table}: {self.file_name}"


class Coaching(TimeStampedModel):
    """A team lead's coaching of a new rep (新人带教): what was said, on the follow-up records
    that were missing, late or short of the standard."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="coachings_received",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coached by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="coachings_given",
    )
    held_on = models.DateField(_("coached on"))
    note = models.TextField(_("what was coached"))
    items = models.ManyToManyField(
        "core.FollowUpItem", verbose_name=_("follow-up records"), blank=True,
        related_name="coachings",
    )  # fmt: skip

    class Meta:
        verbose_name = _("coaching")
        verbose_name_plural = _("coaching")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["rep", "held_on"], name="coaching_rep_day")]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.held_on}"
