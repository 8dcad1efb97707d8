"""Abstract bases: timestamps, and the identity of a record imported from a CRM."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created in salesopt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated in salesopt"), auto_now=True)

    class Meta:
        abstract = True


class ImportedRecord(TimeStampedModel):
    """A row mirrored from a source system; (source, external_id) lets a re-import update it."""

    source = models.CharField(
        _("source system"),
        max_length=32,
        help_text=_("The system the record came from, e.g. salesforce, hubspot, demo."),
    )
    external_id = models.CharField(_("id in the source system"), max_length=128)
    # Provenance for reverting an import: the run that created the row and the last run that
    # changed it. Plain ids, not foreign keys, so the core layer does not depend on the import
    # pipeline; unindexed, because an index here would slow every COPY to serve a rare revert.
    created_by_import = models.BigIntegerField(_("created by import"), null=True, blank=True)
    changed_by_import = models.BigIntegerField(_("last changed by import"), null=True, blank=True)

    class Meta:
        abstract = True
        # A UniqueConstraint (not unique=True) avoids a second LIKE index that slows COPY.
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="%(app_label)s_%(class)s_source_external_id"
            )
        ]
