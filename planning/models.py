"""The plan (方案设计): SMART goals on the KPI catalog, and the measures meant to move them.

A goal is a KPI in a scope (the company, a region, a team or a product line), its baseline over
the program's diagnosis window (kept with that window: the figure the goal was set against), a
target and a deadline. Measures (优化措施) are what the team does about it, along the method's
four lines; they are the unit the execution tables track and the evaluation judges, so each
carries its owner, its dates, and optionally a pilot group and a control group.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import Program, TimeStampedModel
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
