"""Lead grading: versions of ordered rules, each version with the date it takes effect.

A version is drafted, previewed on the company's real leads, then applied; from then on it is
fixed (the evaluation compares the leads before and after its effective date, so what graded
them must not change under it). It grades the leads created from its effective date: the first
rule whose every condition a lead meets gives its grade, else the version's default grade. A
condition left empty accepts every lead. Each grade has its response deadline in working hours.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .crm import LeadGrade
from .org import ProductLine, Region


class GradingStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPLIED = "applied", _("applied")


class GradingVersion(TimeStampedModel):
    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=GradingStatus.choices, default=GradingStatus.DRAFT
    )
    effective_from = models.DateField(_("takes effect on"))
    crm_grade_wins = models.BooleanField(
        _("the CRM's grade wins"),
        default=False,
        help_text=_("Keep the grade a lead was imported with; the rules grade only the others."),
    )
    default_grade = models.CharField(
        _("default grade"),
        max_length=1,
        choices=LeadGrade.choices,
        blank=True,
        help_text=_("For the leads no rule matches; empty leaves them ungraded."),
    )
    deadline_a_hours = models.FloatField(
        _("A: answer within (working hours)"), default=2, validators=[MinValueValidator(0.25)]
    )
    deadline_b_hours = models.FloatField(
        _("B: answer within (working hours)"), default=24, validators=[MinValueValidator(0.25)]
    )
    deadline_c_hours = models.FloatField(
        _("C: answer within (working hours)"), default=72, validators=[MinValueValidator(0.25)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("grading version")
        verbose_name_plural = _("grading versions")
        ordering = ["-number"]
        constraints = [
            # One draft at a time: the one the plan page edits.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="draft"),
                name="core_gradingversion_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def deadlines(self) -> dict[str, float]:
        return {"A": self.deadline_a_hours, "B": self.deadline_b_hours, "C": self.deadline_c_hours}

    @property
    def is_draft(self) -> bool:
        return self.status == GradingStatus.DRAFT


class GradingRule(TimeStampedModel):
    version = models.ForeignKey(
        GradingVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    grade = models.CharField(_("grade"), max_length=1, choices=LeadGrade.choices)
    # Lists of accepted values; an empty list accepts every lead.
    industries = models.JSONField(_("industries"), default=list, blank=True)
    company_sizes = models.JSONField(_("company sizes"), default=list, blank=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    channels = models.JSONField(_("lead sources"), default=list, blank=True)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+"
    )
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("product lines"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("grading rule")
        verbose_name_plural = _("grading rules")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="core_gradingrule_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.position}: {self.grade}"


class RegradeStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Regrade(TimeStampedModel):
    """Applying a version to the open leads, in the background, with its progress."""

    version = models.ForeignKey(
        GradingVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RegradeStatus.choices, default=RegradeStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("open leads"), default=0)
    done = models.PositiveIntegerField(_("graded"), default=0)
    changed = models.PositiveIntegerField(_("changed grade"), default=0)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-grade")
        verbose_name_plural = _("re-grades")
        ordering = ["-created_at"]
