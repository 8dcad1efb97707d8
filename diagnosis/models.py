"""The diagnosis phase: the team, interview notes, findings and Table 1 (销售现状诊断表)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesopt.core.models import Program, TimeStampedModel

from .evidence import evidence_figures
from .finding_texts import finding_text


class Duty(models.TextChoices):
    DATA_COLLECTION = "data_collection", _("data collection")
    INTERVIEWS = "interviews", _("interviews")
    ISSUE_LOG = "issue_log", _("issue log")


class IntervieweeGroup(models.TextChoices):
    SALES_REP = "sales_rep", _("sales rep")
    MARKETING = "marketing", _("marketing")
    FINANCE = "finance", _("finance")
    AFTER_SALES = "after_sales", _("after-sales")
    OTHER = "other", _("other")


class InterviewTopic(models.TextChoices):
    """The fixed interview tags of the method; free tags may be added next to them."""

    PROCESS_BLOCKER = "process_blocker", _("process blocker")
    RESOURCE_NEED = "resource_need", _("resource need")
    LEAD_QUALITY = "lead_quality", _("lead quality")
    RECURRING_ISSUE = "recurring_issue", _("recurring issue")


class ImpactLevel(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class ProblemDimension(models.TextChoices):
    """Dimensions the method names; a finding or row may also carry a dimension of its own.

    A known dimension is stored by key so that Table 1 reads in each reader's language; free
    text is stored as typed.
    """

    LEAD_MANAGEMENT = "lead_management", _("Lead management")
    CUSTOMER_CONVERSION = "customer_conversion", _("Customer conversion")
    TEAM_COLLABORATION = "team_collaboration", _("Team collaboration")
    TARGET_ATTAINMENT = "target_attainment", _("Target attainment")
    SALES_PROCESS = "sales_process", _("Sales process")
    TEAM_CAPABILITY = "team_capability", _("Team capability")
    TOOLS_AND_DATA = "tools_and_data", _("Tools and data")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")


class FindingSource(models.TextChoices):
    DATA = "data", _("from the data")
    MANUAL = "manual", _("logged by hand")


class FindingStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    DISMISSED = "dismissed", _("dismissed")


def dimension_label(value: str) -> str:
    """The reader's label of a known dimension key; free text as typed."""
    if value in ProblemDimension.values:
        return str(ProblemDimension(value).label)
    return value


def tag_label(name: str) -> str:
    """The reader's label of a fixed interview tag; a free tag as typed."""
    if name in InterviewTopic.values:
        return str(InterviewTopic(name).label)
    return name


def validate_evidence_link(value: str) -> None:
    """A page of salesopt ("/…") or an http(s) address; never `javascript:` or `//host`."""
    is_local = value.startswith("/") and not value.startswith("//")
    if not (is_local or value.startswith(("https://", "http://"))):
        raise ValidationError(
            _("Give a link that starts with https://, http:// or / (a salesopt page)."),
            code="invalid_link",
        )


class DiagnosisTeamMember(TimeStampedModel):
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="diagnosis_team",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="diagnosis_memberships",
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    is_leader = models.BooleanField(_("team leader"), default=False)

    class Meta:
        verbose_name = _("diagnosis team member")
        verbose_name_plural = _("diagnosis team members")
        ordering = ["-is_leader", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], name="diagnosis_member_unique_program_user"
            ),
            # One leader per program; the service demotes the old leader in the same transaction.
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(is_leader=True),
                name="diagnosis_member_one_leader_per_program",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_duty_display()}"


class Interview(TimeStampedModel):
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="interviews"
    )
    interviewee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diagnosis_interviews_given",
    )
    # People outside salesopt (a marketing representative, a finance contact) by name.
    interviewee_name = models.CharField(_("interviewee's name"), max_length=128, blank=True)
    interviewee_group = models.CharField(
        _("role or department"), max_length=16, choices=IntervieweeGroup.choices
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diagnosis_interviews_held",
    )
    held_on = models.DateField(_("held on"))
    notes = models.TextField(_("notes"))

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interviewee__isnull=False) | ~models.Q(interviewee_name=""),
                name="diagnosis_interview_has_interviewee",
            ),
        ]
        indexes = [
            # The workspace's interview list: a program's notes, newest first.
            models.Index(fields=["program", "-held_on"], name="diagnosis_interview_program"),
        ]

    def __str__(self) -> str:
        return f"{self.interviewee_display} · {self.held_on}"

    @property
    def interviewee_display(self) -> str:
        if self.interviewee_id is None:
            return self.interviewee_name
        return str(getattr(self.interviewee, "profile", None) or self.interviewee)


class InterviewTag(models.Model):
    """A tag on an interview: a fixed InterviewTopic key, or a free tag as typed."""

    interview = models.ForeignKey(
        Interview, verbose_name=_("interview"), on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        verbose_name = _("interview tag")
        verbose_name_plural = _("interview tags")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "name"], name="diagnosis_interviewtag_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return tag_label(self.name)

    @property
    def is_fixed(self) -> bool:
        return self.name in InterviewTopic.values


class Finding(TimeStampedModel):
    """A problem found in the data (by a KPI rule) or logged by hand, waiting for a decision."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="findings"
    )
    source = models.CharField(_("source"), max_length=8, choices=FindingSource.choices)
    # The KPI rule that raised it; a re-run of the rule updates this row instead of adding one.
    rule_key = models.CharField(_("rule"), max_length=64, blank=True)
    title = models.CharField(_("finding"), max_length=200)
    dimension = models.CharField(_("problem dimension"), max_length=64)
    description = models.TextField(_("problem description"), blank=True)
    impact_level = models.CharField(
        _("impact level"), max_length=8, choices=ImpactLevel.choices, default=ImpactLevel.MEDIUM
    )
    impact_amount = models.DecimalField(
        _("impact per quarter"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The figures behind the finding as the rule computed them, e.g. {"median_hours": 52.5}.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    # What a rule's words are made of (segment names, figures, thresholds): the title and
    # description are written from them in the reader's language (diagnosis/finding_texts.py);
    # `title` and `description` keep the text as first written, and a hand-logged finding's.
    text_params = models.JSONField(_("text parameters"), default=dict, blank=True)
    evidence_url = models.CharField(
        _("evidence link"), max_length=500, blank=True, validators=[validate_evidence_link]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "rule_key"],
                condition=models.Q(source="data"),
                name="diagnosis_finding_unique_rule_per_program",
            ),
            models.CheckConstraint(
                condition=(models.Q(source="data") & ~models.Q(rule_key=""))
                | (models.Q(source="manual") & models.Q(rule_key="")),
                name="diagnosis_finding_rule_key_matches_source",
            ),
            models.CheckConstraint(
                condition=models.Q(impact_amount__isnull=True) | models.Q(impact_amount__gte=0),
                name="diagnosis_finding_impact_not_negative",
            ),
        ]
        indexes = [
            # The workspace's "proposed findings" list of one program.
            models.Index(fields=["program", "status"], name="diagnosis_finding_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def dimension_label(self) -> str:
        return dimension_label(self.dimension)

    def _written(self) -> tuple[str, str] | None:
        if self.source != FindingSource.DATA:
            return None
        return finding_text(self.rule_key, self.text_params)

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (a hand-logged finding's, as typed)."""
        written = self._written()
        return written[0] if written else self.title

    @property
    def shown_description(self) -> str:
        written = self._written()
        return written[1] if written else self.description

    @property
    def evidence_figures(self) -> list[tuple[str, str]]:
        """The evidence as the reader reads it: labelled in their language, with units."""
        return evidence_figures(self.evidence or {})


class DiagnosisRow(TimeStampedModel):
    """One row of Table 1: problem → impact → cause."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="diagnosis_rows"
    )
    # The finding the row was accepted from; the row is a copy the manager may then edit.
    finding = models.OneToOneField(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="table_row",
    )
    dimension = models.CharField(_("problem dimension"), max_length=64)
    description = models.TextField(_("problem description"))
    # True while the description is the accepted finding's own words: it is then written in
    # each reader's language; editing the description makes it the manager's text.
    description_from_finding = models.BooleanField(_("description from the finding"), default=False)
    impact_level = models.CharField(_("impact level"), max_length=8, choices=ImpactLevel.choices)
    root_cause = models.TextField(_("root cause"), blank=True)
    impact_amount = models.DecimalField(
        _("impact per quarter"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evidence_url = models.CharField(
        _("evidence link"), max_length=500, blank=True, validators=[validate_evidence_link]
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # As on every row edited in place: raised by every accepted edit, so that an edit made on
    # a stale copy is refused rather than written over a colleague's (diagnosis.services).
    version = models.PositiveIntegerField(_("version"), default=1)
    # Who changed which column when, before and after (django-simple-history), shown on the row.
    history: Any = HistoricalRecords(excluded_fields=["created_at", "updated_at", "position"])

    class Meta:
        verbose_name = _("Table 1 row")
        verbose_name_plural = _("Table 1 rows")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(impact_amount__isnull=True) | models.Q(impact_amount__gte=0),
                name="diagnosis_row_impact_not_negative",
            ),
        ]
        indexes = [
            # Table 1 of one program in its order (workspace, report, export).
            models.Index(fields=["program", "position"], name="diagnosis_row_program_position"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_label}: {self.description[:60]}"

    @property
    def dimension_label(self) -> str:
        return dimension_label(self.dimension)

    @property
    def shown_description(self) -> str:
        """The description in the reader's language while it is the finding's own words."""
        if self.description_from_finding and self.finding is not None:
            return self.finding.shown_description or self.description
        return self.description
