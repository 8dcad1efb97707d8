"""The record of each import: what file, how it was read and mapped, what it changed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salesopt.core.models import TimeStampedModel

from .schema import KIND_LABELS

KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    MAPPED = "mapped", _("mapped")
    VALIDATING = "validating", _("validating")
    VALIDATED = "validated", _("validated")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    REVERTED = "reverted", _("reverted")


class ImportRun(TimeStampedModel):
    """One file taken through uploaded → mapped → validated → importing → done / failed."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    kind = models.CharField(_("kind of record"), max_length=16, choices=KIND_CHOICES, blank=True)
    source = models.CharField(_("source system"), max_length=32, blank=True)
    preset = models.CharField(_("preset"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("size (bytes)"))
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    time_zone = models.CharField(_("time zone of naive times"), max_length=64)
    sniffed = models.JSONField(_("how the file was read"), default=dict, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # How the kind and preset were recognised (mapping.Recognition.to_dict): how sure, why, and
    # the close candidates the admin must choose between before the rows are checked.
    recognition = models.JSONField(_("recognition"), default=dict, blank=True)
    create_missing = models.BooleanField(
        _("create unknown regions, product lines and owners"), default=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    message = models.TextField(_("message"), blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicate ids in the file"), default=0)
    error_sample = models.JSONField(_("first errors"), default=list, blank=True)
    # First days of the months the import's records fall in: the KPIs to recompute.
    months_touched = models.JSONField(_("months touched"), default=list, blank=True)
    error_report = models.FileField(
        _("error report"), upload_to="imports/errors/%Y/%m/", blank=True, max_length=255
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reverted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revert_skipped = models.JSONField(_("left alone by the revert"), default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [
            # the history page: newest first.
            models.Index(fields=["-created_at"], name="importrun_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="imports_importrun_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind})"

    @property
    def nothing_valid(self) -> bool:
        """Every row of the file has an error: there is nothing to import."""
        return self.rows_total > 0 and self.rejected_count >= self.rows_total

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class PreviousValues(models.Model):
    """A record's values just before an import updated it, so the import can be reverted."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="previous_values")
    record_id = models.BigIntegerField()
    values = models.JSONField()

    class Meta:
        verbose_name = _("previous values")
        verbose_name_plural = _("previous values")
        constraints = [
            models.UniqueConstraint(fields=["run", "record_id"], name="imports_previous_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.record_id}"


class SavedMapping(TimeStampedModel):
    """A column mapping an admin saved under a name, offered again for files like it."""

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind of record"), max_length=16, choices=KIND_CHOICES)
    source = models.CharField(_("source system"), max_length=32)
    mapping = models.JSONField(_("column mapping"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="imports_savedmapping_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
