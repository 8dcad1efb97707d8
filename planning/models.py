"""The plan (方案设计): SMART goals on the KPI catalog, and the measures meant to move them.

A goal is a KPI in a scope (the company, a region, a team or a product line), its baseline over
the program's diagnosis window (kept with that window: the figure the goal was set against), a
target and a deadline. Measures (优化措施) are what the team does about it, along the method's
four lines; they are the unit the execution tables track and the evaluation judges, so each
carries its owner, its dates, and optionally a pilot group and a control group.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import OpportunityStage, Program, Role, TimeStampedModel
from salesopt.kpis.catalog import METRICS


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", _("a value")
    RELATIVE = "relative", _("a change in %")


class MeasureLine(models.TextChoices):
    """The method's four lines of measures."""

    GOAL = "goal", _("Goals")
    PROCESS = "process", _("Process")
    TEAM = "team", _("Team")
    TOOL = "tool", _("Tools")


class Goal(TimeStampedModel):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="goals"
    )
    metric = models.CharField(_("KPI"), max_length=48)
    # The scope: all empty for the company, else exactly one of them.
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    product_line = models.ForeignKey(
        "core.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    baseline_from = models.DateField(_("baseline from"))
    baseline_to = models.DateField(_("baseline to"))
    baseline_value = models.FloatField(_("baseline"))
    target_kind = models.CharField(
        _("target as"), max_length=16, choices=TargetKind.choices, default=TargetKind.ABSOLUTE
    )
    # As typed: the value (in the KPI's unit, a ratio as a fraction) or the change in percent.
    target_input = models.FloatField(_("target as entered"))
    target_value = models.FloatField(_("target"))
    deadline = models.DateField(_("deadline"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_goals",
    )
    findings = models.ManyToManyField(
        "diagnosis.Finding", verbose_name=_("findings it answers"), blank=True, related_name="goals"
    )
    # What the SMART check warned about, kept as data ({"kind": …, figures}) and worded in the
    # reader's language when shown.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(region__isnull=True, team__isnull=True)
                    | models.Q(region__isnull=True, product_line__isnull=True)
                    | models.Q(team__isnull=True, product_line__isnull=True)
                ),
                name="planning_goal_one_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_to__gte=models.F("baseline_from")),
                name="planning_goal_baseline_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} → {self.target_value} by {self.deadline}"

    @property
    def metric_label(self) -> str:
        definition = METRICS.get(self.metric)
        return str(definition.label) if definition is not None else self.metric


class Measure(TimeStampedModel):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="measures"
    )
    line = models.CharField(_("line"), max_length=16, choices=MeasureLine.choices)
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("what is done"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_measures",
    )
    planned_completion = models.DateField(_("planned completion"))
    goals = models.ManyToManyField(
        Goal, verbose_name=_("goals it should move"), blank=True, related_name="measures"
    )
    findings = models.ManyToManyField(
        "diagnosis.Finding",
        verbose_name=_("findings it answers"),
        blank=True,
        related_name="measures",
    )
    # The evaluation compares the pilot group with the control group from `starts_on`.
    pilot_teams = models.ManyToManyField(
        "core.Team", verbose_name=_("pilot teams"), blank=True, related_name="piloted_measures"
    )
    pilot_reps = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pilot reps"),
        blank=True,
        related_name="piloted_measures",
    )
    control_teams = models.ManyToManyField(
        "core.Team", verbose_name=_("control teams"), blank=True, related_name="control_measures"
    )
    control_reps = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("control reps"),
        blank=True,
        related_name="control_measures",
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["line", "planned_completion", "pk"]

    def __str__(self) -> str:
        return self.title


# Deal milestones and stage history ---------------------------------------------------------
#
# The stage history is CRM data and belongs beside Opportunity in core; it lives here because
# this change could not add a core migration. Its table is read by the KPI engine and written by
# the import pipeline in SQL (as they read and write core's tables), never through this module.


class StageEntry(models.Model):
    """When an opportunity first entered a stage (one row per opportunity and stage).

    `after_gap` marks an entry whose earlier path is unknown: the opportunity was first seen
    (imported, or back-filled by the migration) already past qualification, so stages between
    may be missing and the time spent before this entry cannot be attributed to one stage.
    """

    class Origin(models.TextChoices):
        IMPORT = "import", _("CRM import")
        BACKFILL = "backfill", _("back-filled")
        DEMO = "demo", _("demo")
        APP = "app", _("salesopt")

    opportunity = models.ForeignKey(
        "core.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="stage_entries",
        db_index=False,  # the unique constraint's index starts with it
    )
    stage = models.CharField(_("stage"), max_length=16, choices=OpportunityStage.choices)
    entered_at = models.DateTimeField(_("entered"))
    after_gap = models.BooleanField(_("earlier stages unknown"), default=False)
    origin = models.CharField(_("recorded by"), max_length=16, choices=Origin.choices)

    class Meta:
        verbose_name = _("stage entry")
        verbose_name_plural = _("stage entries")
        constraints = [
            # A re-import of an unchanged opportunity inserts nothing (ON CONFLICT DO NOTHING),
            # and a deal that goes back and forth keeps its first entry into each stage.
            models.UniqueConstraint(
                fields=["opportunity", "stage"], name="planning_stage_entry_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.stage} {self.entered_at:%Y-%m-%d}"


DEFAULT_MILESTONE_NAMES = {
    "proposal_submitted": _("Proposal submitted"),
    "contract_review": _("Contract review"),
    "signed": _("Signed"),
}


class DealProgress(models.Model):
    """How far an opportunity got: its stage entries summarised for the funnel KPIs.

    Rewritten from the entries by every writer of the history (salesopt.core.stage_history), so
    a KPI recompute reads one narrow row per opportunity (its dimensions copied: every writer of
    opportunities refreshes the rows it changed): the company-zone month it entered the
    pipeline and the furthest stage it reached (stage conversion), and per open stage the month
    it left it and the days it spent in it, for a move that counts (time in stage: to the next
    stage or lost, not a stage first seen after a gap).
    """

    opportunity = models.OneToOneField(
        "core.Opportunity",
        verbose_name=_("opportunity"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="progress",
    )
    # The opportunity's region, product line and owner as of the last refresh: a recompute
    # then reads this table alone (joining 250,000 opportunities cost a third of a second).
    region_id = models.BigIntegerField(null=True)
    product_line_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    entered_at = models.DateTimeField(_("entered the pipeline"))
    entered_month = models.DateField(_("month it entered the pipeline"))
    reached = models.PositiveSmallIntegerField(_("furthest stage (1 = qualification … 5 = won)"))
    qualification_left_month = models.DateField(null=True)
    qualification_days = models.FloatField(null=True)
    needs_analysis_left_month = models.DateField(null=True)
    needs_analysis_days = models.FloatField(null=True)
    proposal_left_month = models.DateField(null=True)
    proposal_days = models.FloatField(null=True)
    negotiation_left_month = models.DateField(null=True)
    negotiation_days = models.FloatField(null=True)

    class Meta:
        verbose_name = _("deal progress")
        verbose_name_plural = _("deal progress")

    def __str__(self) -> str:
        return f"{self.opportunity_id} reached {self.reached}"


class DeliverableKind(models.TextChoices):
    FILE = "file", _("a file")
    LINK = "link", _("a link")


class MilestoneDefinition(TimeStampedModel):
    """One milestone every deal passes (proposal submitted, contract review, signed).

    Its due date is `due_offset_days` after the opportunity's creation in the CRM: each
    milestone's due date stands on its own, so a late proposal does not push the contract
    review's deadline back (a deal that falls behind shows as late on every milestone after).
    Retired milestones stay for the records that completed them.
    """

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"))
    owner_role = models.CharField(_("owner role"), max_length=16, choices=Role.choices)
    deliverable_kind = models.CharField(
        _("deliverable"), max_length=8, choices=DeliverableKind.choices
    )
    due_offset_days = models.PositiveSmallIntegerField(
        _("due (days after the opportunity is created)")
    )
    active = models.BooleanField(_("in use"), default=True)
    # One of DEFAULT_MILESTONE_NAMES while the name is the default one: shown in the reader's
    # language. Renaming a milestone clears it (its name is then as typed).
    default_key = models.CharField(_("default milestone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("deal milestone")
        verbose_name_plural = _("deal milestones")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["position"],
                condition=models.Q(active=True),
                name="planning_milestone_position_unique",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(active=True),
                name="planning_milestone_name_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(due_offset_days__lte=3650), name="planning_milestone_offset"
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        default = DEFAULT_MILESTONE_NAMES.get(self.default_key)
        return str(default) if default is not None else self.name


def deliverable_path(instance: MilestoneCompletion, filename: str) -> str:
    """A random name: the uploaded name is kept for display only, never used as a path."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"milestones/{instance.opportunity_id}/{uuid.uuid4().hex}.{suffix}"


class MilestoneCompletion(TimeStampedModel):
    """A milestone done on an opportunity: when, by whom, and its deliverable."""

    opportunity = models.ForeignKey(
        "core.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="milestone_completions",
        db_index=False,  # the unique constraint's index starts with it
    )
    milestone = models.ForeignKey(
        MilestoneDefinition,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    done_at = models.DateTimeField(_("done"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=deliverable_path, blank=True, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # Decided by salesopt from the file's suffix and first bytes, never taken from the browser.
    file_content_type = models.CharField(_("file type"), max_length=100, blank=True)
    file_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone done")
        verbose_name_plural = _("milestones done")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "milestone"], name="planning_milestone_done_once"
            ),
            # Exactly one deliverable: a link or a file.
            models.CheckConstraint(
                condition=(models.Q(link="") & ~models.Q(file=""))
                | (~models.Q(link="") & models.Q(file="")),
                name="planning_milestone_one_deliverable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.opportunity_id}"
