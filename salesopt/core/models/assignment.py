"""Who gets which lead: routing rules to teams, the choice of a rep inside a team, and the log.

Rules route a lead by its region and product line to a team (the first rule that matches wins);
inside the team a rep is chosen round-robin or least-loaded (open leads weighted by grade),
skipping reps at their capacity or on leave. A lead no rule routes, or whose team has no rep
free, waits in the unassigned queue, which the manager and the team leads always see. Every
assignment, and every lead left waiting, is logged with its reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel
from .crm import Lead
from .org import ProductLine, Region, Team


class AssignmentMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("round-robin")
    LEAST_LOADED = "least_loaded", _("least loaded")


class AssignmentPolicy(TimeStampedModel):
    """The company's one assignment policy (the row with pk 1; defaults when absent)."""

    enabled = models.BooleanField(
        _("assign new leads automatically"),
        default=True,
        help_text=_("Imported leads without an owner are assigned by the rules below."),
    )
    method = models.CharField(
        _("inside a team"),
        max_length=16,
        choices=AssignmentMethod.choices,
        default=AssignmentMethod.LEAST_LOADED,
    )
    weight_a = models.FloatField(
        _("weight of an open A lead"), default=3, validators=[MinValueValidator(0)]
    )
    weight_b = models.FloatField(
        _("weight of an open B lead"), default=2, validators=[MinValueValidator(0)]
    )
    weight_c = models.FloatField(
        _("weight of an open C lead"), default=1, validators=[MinValueValidator(0)]
    )
    remind_before_hours = models.FloatField(
        _("remind the owner (working hours before the deadline)"),
        default=0.5,
        validators=[MinValueValidator(0)],
    )
    reassign_after_hours = models.FloatField(
        _("reassign an unanswered lead (working hours after its deadline)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.25)],
        help_text=_("Empty: breached leads stay with their owner; the team lead is told."),
    )

    class Meta:
        verbose_name = _("assignment policy")
        verbose_name_plural = _("assignment policies")

    def __str__(self) -> str:
        return str(_("assignment policy"))

    @property
    def weights(self) -> dict[str, float]:
        return {"A": self.weight_a, "B": self.weight_b, "C": self.weight_c}


class AssignmentRule(TimeStampedModel):
    position = models.PositiveSmallIntegerField(_("order"), unique=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="assignment_rules"
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+"
    )
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("product lines"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"#{self.position} → {self.team}"


class RepLeave(TimeStampedModel):
    """A rep away from work: no lead is assigned to them from `starts_on` to `ends_on`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="leaves",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leaves")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="core_repleave_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.starts_on} – {self.ends_on}"


class AssignmentReason(models.TextChoices):
    RULE = "rule", _("routed by a rule")
    NO_RULE = "no_rule", _("no rule routes it")
    TEAM_FULL = "team_full", _("every rep of the team is at capacity or on leave")
    BY_HAND = "by_hand", _("assigned by hand")
    BREACH = "breach", _("reassigned after a breach")


class LeadAssignment(models.Model):
    """One assignment of a lead (or its wait in the unassigned queue), with why."""

    # The lead key has no index of its own: the index below leads with it (one index fewer
    # to fill for each of an import's 100,000 log rows).
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
    )
    at = models.DateTimeField(_("when"))
    # No index either: where round-robin resumes is kept in TeamTurn, and only deleting a
    # team looks records up by it.
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )  # fmt: skip
    # The three keys to users have no index: only deleting a user looks records up by them
    # (a rare act of an admin, which then scans the log), while every assignment would fill
    # them (an import's 60,000 at once).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=16, choices=AssignmentReason.choices)
    # The rule that routed the lead, and once it gave the lead a rep, the method and the rep's
    # load then: columns, not `detail`, since an import logs 100,000 of them at once and
    # loading them as JSON cost as much as the rest of the row.
    rule_position = models.PositiveSmallIntegerField(_("rule"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=16, choices=AssignmentMethod.choices, blank=True, default=""
    )
    load = models.FloatField(_("load then"), null=True, blank=True)
    # What else the reason's text needs: the hours of a breach.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )  # empty: salesopt's rules
    import_run = models.BigIntegerField(_("import"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-at", "-id"]
        indexes = [
            # A lead's log, newest first; the re-import keeps the last owner salesopt gave.
            models.Index(fields=["lead", "-id"], name="leadassignment_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.assigned_to_id or '-'} ({self.reason})"


class TeamTurn(models.Model):
    """Where round-robin resumes in a team: after the rep the team's last assignment went to
    (by the rules or by hand). Kept apart from the log, which then needs no index by team."""

    team = models.OneToOneField(
        Team, verbose_name=_("team"), primary_key=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    last_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last rep"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("round-robin turn")
        verbose_name_plural = _("round-robin turns")

    def __str__(self) -> str:
        return f"{self.team_id} → {self.last_rep_id or '-'}"
