"""The organisation: regions, product lines, teams and the people in them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TimeStampedModel


class Region(TimeStampedModel):
    name = models.CharField(_("name"), max_length=64)
    code = models.SlugField(_("code"), max_length=32)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="core_region_unique_name"),
            models.UniqueConstraint(fields=["code"], name="core_region_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductLine(TimeStampedModel):
    name = models.CharField(_("name"), max_length=64)
    code = models.SlugField(_("code"), max_length=32)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="core_productline_unique_name"),
            models.UniqueConstraint(fields=["code"], name="core_productline_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    REGION = "region", _("by region")
    PRODUCT_LINE = "product_line", _("by product line")


class Team(TimeStampedModel):
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("organised"), max_length=16, choices=TeamKind.choices)
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
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="core_team_unique_name"),
            models.CheckConstraint(
                condition=(models.Q(kind="region", region__isnull=False))
                | (models.Q(kind="product_line", product_line__isnull=False)),
                name="core_team_scope_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("admin")
    SALES_MANAGER = "sales_manager", _("sales manager")
    TEAM_LEAD = "team_lead", _("team lead")
    SALES_REP = "sales_rep", _("sales rep")
    EXECUTIVE = "executive", _("executive")


class Profile(TimeStampedModel):
    """What salesopt knows of a user beyond login: role, team, hire date, CRM identity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    # Users are imported too (so owners in CRM exports can be matched); blank for local users.
    source = models.CharField(_("source system"), max_length=32, blank=True)
    external_id = models.CharField(_("id in the source system"), max_length=128, blank=True)
    # An owner named in an imported file and created by it ("create unknown"): their user is
    # inactive, so no picker of active staff offers them, until an admin activates them.
    created_by_import = models.BooleanField(_("created by import"), default=False)
    # Assignment skips a rep holding this many open leads; empty: no cap.
    lead_capacity = models.PositiveIntegerField(
        _("open leads at most"),
        null=True,
        blank=True,
        help_text=_("Automatic assignment skips the rep at this many open leads; empty: no cap."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="core_profile_source_external_id",
            ),
        ]
        indexes = [
            # Team scoping: "the reps of this team" for every team lead query.
            models.Index(fields=["team", "role"], name="core_profile_team_role"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
