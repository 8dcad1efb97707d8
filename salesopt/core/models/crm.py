"""The CRM mirror: what admins import from their CRM exports, and every KPI is computed from.

Each index is named after the query it serves; the KPI queries group a million leads by month and
one dimension, so the indexes lead with the dimension and end with the date.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import ImportedRecord
from .org import ProductLine, Region


class CompanySize(models.TextChoices):
    SMALL = "small", _("small (< 50)")
    MEDIUM = "medium", _("medium (50–499)")
    LARGE = "large", _("large (500–1999)")
    ENTERPRISE = "enterprise", _("enterprise (2000+)")


class Urgency(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class LeadGrade(models.TextChoices):
    A = "A", _("A (focus)")
    B = "B", _("B (regular)")
    C = "C", _("C (nurture)")


class LeadStatus(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    QUALIFIED = "qualified", _("qualified")
    CONVERTED = "converted", _("converted")
    LOST = "lost", _("lost")


# Leads still being worked: the queues, the reminders and a re-grade act on these only.
OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class Customer(ImportedRecord):
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize.choices, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    first_seen_at = models.DateTimeField(_("created in the CRM"), null=True, blank=True)

    class Meta(ImportedRecord.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # imports of orders and deals that name their customer instead of giving its id.
            models.Index(fields=["source", "name"], name="customer_source_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Lead(ImportedRecord):
    name = models.CharField(_("contact name"), max_length=200)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    channel = models.CharField(
        _("lead source"), max_length=64, blank=True, help_text=_("Where the lead came from.")
    )
    campaign = models.CharField(_("campaign"), max_length=128, blank=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    # The grade in force: the CRM's, or the grading rules' (salesopt.leads.grading decides).
    # db_default: imports insert leads without it, and grade them in the same transaction.
    grade = models.CharField(
        _("grade"), max_length=1, choices=LeadGrade.choices, blank=True, db_default=""
    )
    crm_grade = models.CharField(
        _("grade in the CRM"), max_length=1, choices=LeadGrade.choices, blank=True
    )
    # What gave the grade: a rule of a version, a version's default (no rule), or neither (the
    # CRM's grade). Applied versions are never deleted, so the reason can always be shown.
    grading_version = models.ForeignKey(
        "core.GradingVersion",
        verbose_name=_("graded by version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query reads leads by version
    )
    grade_rule = models.ForeignKey(
        "core.GradingRule",
        verbose_name=_("graded by rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no query reads leads by rule
    )
    # The first response is due by then: the grade's deadline in working hours after creation.
    due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # no query reads leads by region: see the indexes below
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # no query reads leads by product line: see the indexes below
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,  # covered by the composite index below
    )
    # The team the assignment rules routed the lead to: whose unassigned queue it waits in
    # while no rep of that team is free. Empty: no rule routes it (every queue shows it).
    routed_team = models.ForeignKey(
        "core.Team",
        verbose_name=_("routed to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the queues read ownerless open leads through lead_open_owner_due
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    created_in_crm_at = models.DateTimeField(_("created"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta(ImportedRecord.Meta):
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            *ImportedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(first_response_at__isnull=True)
                | models.Q(first_response_at__gte=models.F("created_in_crm_at")),
                name="core_lead_response_after_creation",
            ),
        ]
        # The KPI recompute reads a range of months and groups every cut (region, product
        # line, grade, team, rep) in one scan of that range, so only the month range needs an
        # index; per-dimension indexes cost every import (3 s a million rows) and served no
        # query. Pages read KPI snapshots, never raw leads by dimension.
        indexes = [
            # KPI recompute of the months an import touched: leads created in a date range.
            models.Index(fields=["created_in_crm_at"], name="lead_created"),
            # a rep's own leads (and a team's, through their owners), newest first.
            models.Index(fields=["owner", "created_in_crm_at"], name="lead_owner_created"),
            # The queues: a rep's (or a team's) open leads by deadline. Partial, so the closed
            # bulk of history costs imports nothing here.
            models.Index(
                fields=["owner", "due_at"],
                name="lead_open_owner_due",
                condition=models.Q(status__in=OPEN_LEAD_STATUSES),
            ),
            # A team's queue, soonest due first: the first page is read in deadline order,
            # keeping the team's leads (without it, every open lead of the team is sorted).
            models.Index(
                fields=["due_at", "id"],
                name="lead_open_due",
                condition=models.Q(status__in=OPEN_LEAD_STATUSES),
            ),
            # The reminder job: open leads not yet answered, by deadline.
            models.Index(
                fields=["due_at"],
                name="lead_unanswered_due",
                condition=models.Q(status__in=OPEN_LEAD_STATUSES, first_response_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    CALL = "call", _("call")
    VISIT = "visit", _("visit")
    FOLLOW_UP = "follow_up", _("follow-up")
    EMAIL = "email", _("email")
    MEETING = "meeting", _("meeting")


class Activity(ImportedRecord):
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,  # covered by the composite index below
    )
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,  # covered by the composite index below
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.CASCADE
    )
    occurred_at = models.DateTimeField(_("time"))
    # Follow-up notes (跟进内容) run to paragraphs in Chinese CRMs' exports.
    subject = models.TextField(_("subject"), blank=True)

    class Meta(ImportedRecord.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            # first response: the earliest activity of each lead.
            models.Index(fields=["lead", "occurred_at"], name="activity_lead_time"),
            # workload: activities per rep per working day.
            models.Index(fields=["rep", "occurred_at"], name="activity_rep_time"),
        ]


class OpportunityStage(models.TextChoices):
    QUALIFICATION = "qualification", _("qualification")
    NEEDS_ANALYSIS = "needs_analysis", _("needs analysis")
    PROPOSAL = "proposal", _("proposal submitted")
    NEGOTIATION = "negotiation", _("contract review")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class Opportunity(ImportedRecord):
    name = models.CharField(_("name"), max_length=200)
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        db_index=False,  # covered by the composite index below
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    stage = models.CharField(_("stage"), max_length=16, choices=OpportunityStage.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created_in_crm_at = models.DateTimeField(_("created"))
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(ImportedRecord.Meta):
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            *ImportedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="core_opportunity_probability_pct"
            ),
        ]
        indexes = [
            # win rate: opportunities closed in a period, by stage won/lost.
            models.Index(fields=["closed_at", "stage"], name="opportunity_closed_stage"),
            models.Index(fields=["owner", "closed_at"], name="opportunity_owner_closed"),
        ]

    def __str__(self) -> str:
        return self.name


class Order(ImportedRecord):
    """An order or, with a negative amount, a refund."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by the composite index below
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,  # covered by the composite index below
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by the composite index below
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # covered by the composite index below
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    ordered_on = models.DateField(_("order date"))

    class Meta(ImportedRecord.Meta):
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            # revenue and attainment by month, company-wide and by region / product line / rep.
            models.Index(fields=["ordered_on"], name="order_date"),
            models.Index(fields=["region", "ordered_on"], name="order_region_date"),
            models.Index(fields=["product_line", "ordered_on"], name="order_pline_date"),
            models.Index(fields=["rep", "ordered_on"], name="order_rep_date"),
            # repurchase: customers with two or more orders in a period.
            models.Index(fields=["customer", "ordered_on"], name="order_customer_date"),
        ]


class ComplaintKind(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("product quality")
    DELIVERY = "delivery", _("delivery")
    SERVICE = "service", _("service attitude")
    BILLING = "billing", _("billing")
    REPEATED_ISSUE = "repeated_issue", _("issue reported again")
    OTHER = "other", _("other")


class Complaint(ImportedRecord):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("type"), max_length=16, choices=ComplaintKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    created_in_crm_at = models.DateTimeField(_("created"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta(ImportedRecord.Meta):
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            *ImportedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="core_complaint_satisfaction_1_to_5",
            ),
        ]
        indexes = [
            # complaints by month and type; complaint rate joins customers with orders.
            models.Index(fields=["created_in_crm_at", "kind"], name="complaint_created_kind"),
            models.Index(fields=["customer"], name="complaint_customer"),
        ]


class TargetGrain(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


class SalesTarget(ImportedRecord):
    """A revenue target for one period and one scope; a scope left empty means "all"."""

    grain = models.CharField(_("period type"), max_length=8, choices=TargetGrain.choices)
    period_start = models.DateField(_("period start"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_targets",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta(ImportedRecord.Meta):
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            *ImportedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="core_salestarget_amount_not_negative"
            ),
        ]
        indexes = [
            # attainment: the targets of a period type over a range of periods.
            models.Index(fields=["grain", "period_start"], name="target_grain_period"),
        ]
