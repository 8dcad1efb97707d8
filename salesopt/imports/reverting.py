"""Reverting an import: remove what it created, restore what it changed, say what it kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core.models import FollowUpItem, ImportedRecord, LeadAssignment, Notification
from salesopt.leads.grading import grade_leads

from .models import ImportRun, ImportStatus
from .run_state import require_status
from .schema import RecordKind
from .tables import MODELS

REVERT_SKIPPED_KEPT = 500  # rows listed on the run; the count covers them all


@transaction.atomic
def import_run_revert(*, run: ImportRun, user: Any) -> ImportRun:
    """Undo an import: remove what it created, restore what it updated.

    A record changed since (by a later import or by hand) is left alone and listed, and so is a
    created record that other records now refer to (removing it would remove them too).
    """
    require_status(run, ImportStatus.DONE)
    if run.kind == RecordKind.USER:
        raise ValidationError(_("An import of users cannot be reverted."), code="users")
    model = MODELS[RecordKind(run.kind)]
    skipped: list[dict[str, str]] = []
    skipped += _remove_created(model, run)
    skipped += _restore_updated(model, run)
    if run.kind == RecordKind.LEAD:
        # The restored CRM grades and conditions grade the leads again.
        grade_leads("changed_by_import = %s", [run.pk])
    run.status = ImportStatus.REVERTED
    run.reverted_at, run.reverted_by = timezone.now(), user
    run.revert_skipped = skipped[:REVERT_SKIPPED_KEPT]
    run.message = (
        _("%(count)s records were left alone.") % {"count": f"{len(skipped):,}"} if skipped else ""
    )
    run.save()
    return run


def _changed_since(run: ImportRun) -> Q:
    return ~Q(changed_by_import=run.pk) | Q(updated_at__gt=run.finished_at)


def _remove_created(model: type[ImportedRecord], run: ImportRun) -> list[dict[str, str]]:
    created = model._default_manager.filter(created_by_import=run.pk)
    changed = created.filter(_changed_since(run))
    referenced = created.exclude(pk__in=changed).filter(_referenced_elsewhere(model))
    skipped = [_skip(record, _("changed since this import")) for record in changed]
    skipped += [_skip(record, _("other records refer to it")) for record in referenced]
    created.exclude(pk__in=changed).exclude(pk__in=referenced).delete()
    return skipped


# What salesopt keeps about a lead of its own (assignments, notifications, checklist): deleted
# with the lead, and no reason to keep it.
_DERIVED = frozenset({FollowUpItem, LeadAssignment, Notification})


def _referenced_elsewhere(model: type[Model]) -> Q:
    """Any reverse relation pointing at the record (a lead's activities, a customer's orders)."""
    condition = Q(pk__in=[])
    for relation in model._meta.related_objects:
        if relation.related_model in _DERIVED:
            continue
        condition |= Q(**{f"{relation.name}__isnull": False})
    return condition


def _restore_updated(model: type[ImportedRecord], run: ImportRun) -> list[dict[str, str]]:
    skipped = []
    for previous in run.previous_values.iterator(chunk_size=2000):
        record = model._default_manager.filter(pk=previous.record_id).first()
        if record is None:
            continue
        if model._default_manager.filter(pk=record.pk).filter(_changed_since(run)).exists():
            skipped.append(_skip(record, _("changed since this import")))
            continue
        model._default_manager.filter(pk=record.pk).update(**_field_values(model, previous.values))
    return skipped


def _field_values(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """Stored column values back to model attributes (region_id stays region_id)."""
    by_column = {field.column: field.attname for field in model._meta.concrete_fields}
    return {by_column[column]: value for column, value in values.items() if column in by_column}


def _skip(record: Model, reason: str) -> dict[str, str]:
    return {"external_id": getattr(record, "external_id", str(record.pk)), "reason": str(reason)}
