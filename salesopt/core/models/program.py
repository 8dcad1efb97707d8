"""A program (优化方案): one improvement cycle through the four phases."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class ProgramStatus(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    PLANNING = "planning", _("Plan")
    EXECUTION = "execution", _("Execution")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSED = "closed", _("Closed")


class Program(TimeStampedModel):
    name = models.CharField(_("name"), max_length=128)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executive sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_programs",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_programs",
    )
    baseline_start = models.DateField(_("baseline from"))
    baseline_end = models.DateField(_("baseline to"))
    execution_start = models.DateField(_("execution starts"), null=True, blank=True)
    status = models.CharField(
        _("phase"), max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.DIAGNOSIS
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-baseline_end", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="core_program_unique_name"),
            models.CheckConstraint(
                condition=models.Q(baseline_end__gt=models.F("baseline_start")),
                name="core_program_baseline_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(execution_start__isnull=True)
                | models.Q(execution_start__gt=models.F("baseline_end")),
                name="core_program_execution_after_baseline",
            ),
        ]

    def __str__(self) -> str:
        return self.name
