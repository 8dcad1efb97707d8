"""KPI snapshots and window figures (what pages read), and API tokens (for scripts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalog import Dimension, Grain

# "All" in a dimension column: 0 for ids, '' for the grade. A sentinel, not NULL, so that the
# unique constraint holds on SQLite and PostgreSQL alike (NULLs are distinct in a unique index,
# and SQLite has no NULLS NOT DISTINCT) and reads filter by plain equality.
ALL = 0
ALL_GRADES = ""
# The snapshot column holding each dimension (plain columns: see KpiSnapshot).
DIMENSION_COLUMNS: dict[Dimension, str] = {
    Dimension.REGION: "region_id",
    Dimension.PRODUCT_LINE: "product_line_id",
    Dimension.TEAM: "team_id",
    Dimension.REP: "rep_id",
    Dimension.GRADE: "grade",
}


class KpiFigure(models.Model):
    """What every stored KPI figure holds: a metric, a cut and its dimension values, the value."""

    metric = models.CharField(_("metric"), max_length=48)
    # Which dimensions this row is cut by, comma-separated in catalog order ('' = company-wide).
    # Redundant with the columns below (set = cut by it), but it makes every read one equality.
    cut = models.CharField(_("cut"), max_length=64, blank=True)
    # Plain ids, not foreign keys: snapshots are derived data, rebuilt wholesale, and 0 means all.
    region_id = models.BigIntegerField(_("region"), default=ALL)
    product_line_id = models.BigIntegerField(_("product line"), default=ALL)
    team_id = models.BigIntegerField(_("team"), default=ALL)
    rep_id = models.BigIntegerField(_("rep"), default=ALL)
    grade = models.CharField(_("lead grade"), max_length=1, blank=True, default=ALL_GRADES)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


class KpiSnapshot(KpiFigure):
    """One KPI figure: a metric for one period and one combination of dimension values."""

    grain = models.CharField(
        _("period type"), max_length=8, choices=[(grain.value, grain.value) for grain in Grain]
    )
    period_start = models.DateField(_("period start"))

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            # Two recomputes can never leave the same figure twice; also serves the slice
            # deletes (metric, grain, period range).
            models.UniqueConstraint(
                fields=[
                    "metric",
                    "grain",
                    "period_start",
                    "region_id",
                    "product_line_id",
                    "team_id",
                    "rep_id",
                    "grade",
                ],
                name="kpis_snapshot_unique_figure",
            ),
        ]
        indexes = [
            # kpi_series: one metric, grain and cut over a range of periods.
            models.Index(
                fields=["metric", "grain", "cut", "period_start"], name="kpis_snapshot_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.grain} {self.period_start} [{self.cut}] = {self.value}"


class KpiWindow(models.Model):
    """A window of whole months, [start, end), whose medians and distinct counts are stored.

    Kept for the programs' diagnosis windows, refreshed by every recompute; any other window is
    computed when first read and dropped by the next recompute (compute/windows.py). A window
    with no figure at all (no data in it) is still a row: it was computed.
    """

    start = models.DateField(_("window start"))
    end = models.DateField(_("window end"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("KPI window")
        verbose_name_plural = _("KPI windows")
        constraints = [
            models.UniqueConstraint(fields=["start", "end"], name="kpis_window_unique_range"),
        ]

    def __str__(self) -> str:
        return f"{self.start}…{self.end}"


class KpiWindowFigure(KpiFigure):
    """A median or distinct-count KPI over a window, computed from the window's rows (a median
    of monthly medians is not the window's median)."""

    window = models.ForeignKey(
        KpiWindow, verbose_name=_("window"), on_delete=models.CASCADE, related_name="figures"
    )

    class Meta:
        verbose_name = _("KPI window figure")
        verbose_name_plural = _("KPI window figures")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "window",
                    "metric",
                    "region_id",
                    "product_line_id",
                    "team_id",
                    "rep_id",
                    "grade",
                ],
                name="kpis_window_unique_figure",
            ),
        ]
        indexes = [
            models.Index(fields=["window", "metric", "cut"], name="kpis_window_read"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.window_id} [{self.cut}] = {self.value}"


class ApiToken(models.Model):
    """A bearer token for the KPI API; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="kpi_api_tokens",
    )
    # SHA-256 suffices: tokens are 256 random bits, so there is nothing to brute-force that a
    # slow password hash would protect, and a lookup by hash stays one index probe.
    token_hash = models.CharField(_("token hash"), max_length=64)
    prefix = models.CharField(
        _("token prefix"), max_length=12, help_text=_("The first characters, to recognise it.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="kpis_apitoken_unique_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
