"""Follow-up standards: what a rep must record on a lead, and when, per grade.

A standard is due either once, at first contact (by the lead's response deadline, e.g. "record
the customer's three core needs"), or every week on a weekday while the lead is open (e.g. "a
follow-up record every Friday"). Each due occasion is an item on the lead's checklist; the rep
ticks it, and a weekly item is also met by any activity the CRM recorded for the lead that week.
Their share done on time is the follow_up_compliance KPI, per rep, team, region and grade.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .crm import Lead, LeadGrade


class FollowUpCadence(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("at first contact")
    WEEKLY = "weekly", _("every week")


class FollowUpStandard(TimeStampedModel):
    grade = models.CharField(
        _("grade"), max_length=1, choices=LeadGrade.choices, blank=True,
        help_text=_("Empty: every grade."),
    )  # fmt: skip
    text = models.CharField(_("what to record"), max_length=200)
    cadence = models.CharField(_("when"), max_length=16, choices=FollowUpCadence.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday (weekly)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("1 Monday … 7 Sunday: the day the weekly record is due by."),
    )
    effective_from = models.DateField(
        _("applies to leads from"), help_text=_("Leads created before keep no checklist for it.")
    )
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        verbose_name = _("follow-up standard")
        verbose_name_plural = _("follow-up standards")
        ordering = ["grade", "cadence", "pk"]

    def __str__(self) -> str:
        return self.text


class FollowUpItem(models.Model):
    """One due occasion of a standard on a lead: done, on time or late, or still open."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="follow_up_items"
    )
    standard = models.ForeignKey(
        FollowUpStandard, verbose_name=_("standard"), on_delete=models.CASCADE,
        related_name="items",
    )  # fmt: skip
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # Empty when ticked by hand; "activity" when a CRM activity of that week met it.
    met_by = models.CharField(_("met by"), max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "standard", "due_at"], name="core_followupitem_once"
            ),
        ]
        indexes = [
            # The KPI recompute reads items by the month they were due.
            models.Index(fields=["due_at"], name="followupitem_due"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.standard_id} @ {self.due_at:%Y-%m-%d}"
