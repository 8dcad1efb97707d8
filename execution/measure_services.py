"""Writing Table 3: how each measure of the plan was carried out, one cell at a time, under the
same version check as every inline-edited row (execution.editing).

A measure done after its planned completion, or not done once that date has passed, needs the
reason: the actual completion is refused without it, and the reason cannot be emptied then.
The row is written the first time someone fills it in (until then it is version 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.periods import company_today

from .editing import conflict, save_edit, typed_date, typed_text
from .measure_selectors import TRACKED_FIELDS, owner_team, visible_measures
from .models import MeasureTracking, Quality

if TYPE_CHECKING:
    from planning.models import Measure

REASON_LIMIT = 1000


def tracking_update(
    *,
    measure_id: int,
    field: str,
    value: str,
    version: int,
    by: Any,
    reason: str | None = None,
) -> MeasureTracking:
    """Write one cell of a measure's Table 3 row, as edited on version `version` of it (0: the
    row did not exist yet). `reason`, with the actual completion, is the reason for a late one.

    PermissionDenied when `by` may not edit it, ObjectDoesNotExist when they may not see it,
    ValidationError for a value that does not fit, EditConflictError for a stale copy."""
    if field not in TRACKED_FIELDS:
        raise ValidationError({field: _("This column cannot be edited.")})
    with transaction.atomic():
        # The measure's row is the lock: the tracking row may not exist yet.
        measure = plan_selectors.measure_locked(measure_id)
        measure = (
            visible_measures(by, measure.program).filter(pk=measure_id).first() if measure else None
        )
        if measure is None:
            raise ObjectDoesNotExist
        if not access.can_edit_execution_row(by, owner_team(measure)):
            raise PermissionDenied
        tracking = MeasureTracking.objects.filter(measure=measure).first()
        if tracking is None:
            tracking = MeasureTracking(measure=measure, version=0)
        if tracking.version != version:
            raise conflict(tracking, field, _shown(tracking, field))
        _apply(measure, tracking, field, value, reason)
        save_edit(tracking, by)
    return tracking


def _apply(
    measure: Measure, tracking: MeasureTracking, field: str, raw: str, reason: str | None
) -> None:
    today = company_today()
    if field == "actual_completion":
        day = typed_date(field, raw, required=False)
        if day is not None and day > today:
            raise ValidationError({field: _("A measure cannot be done in the future.")})
        if reason is not None:
            tracking.reason = typed_text("reason", reason, limit=REASON_LIMIT)
        tracking.actual_completion = day
        if day is None:
            tracking.quality = ""  # not done: nothing to rate
        late = (day or today) > measure.planned_completion
        if late and not tracking.reason:
            raise ValidationError(
                {"reason": _("A measure done after its planned completion needs the reason.")}
                if day is not None
                else {"reason": _("A measure past its planned completion needs the reason.")}
            )
    elif field == "quality":
        if raw and raw not in Quality.values:
            raise ValidationError({field: _("Choose a quality from the list.")})
        if raw and tracking.actual_completion is None:
            raise ValidationError({field: _("Rate the quality once the measure is done.")})
        tracking.quality = raw
    elif field == "reason":
        text = typed_text(field, raw, limit=REASON_LIMIT)
        done = tracking.actual_completion
        if not text and (done or today) > measure.planned_completion:
            raise ValidationError(
                {field: _("A measure that is late or not done needs its reason.")}
            )
        tracking.reason = text


def _shown(tracking: MeasureTracking, field: str) -> str:
    if field == "actual_completion":
        return tracking.actual_completion.isoformat() if tracking.actual_completion else ""
    if field == "quality":
        return str(tracking.get_quality_display()) if tracking.quality else ""
    return tracking.reason
