"""Table 3 (measure execution tracking): one row per measure of the plan, edited inline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.exports import XLSX_CONTENT_TYPE

from . import exports, measure_selectors, measure_services
from .editing import EditConflictError, Editor, field_label
from .http import editor_response, execution_program
from .models import MeasureTracking

if TYPE_CHECKING:
    from planning.models import Measure

PAGE = "execution/measures.html"


@require_GET
def measure_table(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    overdue_only = request.GET.get("overdue") == "1"
    rows = measure_selectors.tracking_rows(program=program, user=request.user,
                                           overdue_only=overdue_only)  # fmt: skip
    context = {
        "program": program,
        "rows": rows,
        "overdue_only": overdue_only,
        "can_import": access.can_add_execution_rows(request.user),
        "late_count": sum(row.progress in ("overdue", "done_late") for row in rows),
        "reasons_missing": sum(row.reason_needed for row in rows),
    }
    return render(request, PAGE, context)


def _visible_measure(request: HttpRequest, pk: int) -> Measure:
    measure = measure_selectors.visible_measures(request.user, execution_program(request)).filter(
        pk=pk
    )
    found = measure.first()
    if found is None:
        raise Http404
    return found


def _row(request: HttpRequest, measure: Measure) -> HttpResponse:
    context = {"row": measure_selectors.tracking_row(measure, request.user)}
    return HttpResponse(render_to_string(f"{PAGE}#measure-row", context, request))


@require_GET
def measure_row(request: HttpRequest, pk: int) -> HttpResponse:
    return _row(request, _visible_measure(request, pk))


def _editor(
    request: HttpRequest,
    measure: Measure,
    field: str,
    *,
    value: str | None = None,
    reason: str | None = None,
    error: str = "",
    error_on_reason: bool = False,
    conflict: EditConflictError | None = None,
) -> HttpResponse:
    row = measure_selectors.tracking_row(measure, request.user)
    tracking = row.tracking
    current = {
        "actual_completion": tracking.actual_completion.isoformat()
        if tracking and tracking.actual_completion
        else "",
        "quality": tracking.quality if tracking else "",
        "reason": tracking.reason if tracking else "",
    }
    kind, options = "text", None
    if field == "actual_completion":
        kind = "date"
        reason = reason if reason is not None else current["reason"]
    elif field == "quality":
        kind, options = "select", measure_selectors.quality_options()
    editor = Editor(
        element=f"measure-{measure.pk}-{field}",
        save_url=reverse("execution:measure_cell_save", args=[measure.pk, field]),
        cancel_url=reverse("execution:measure_row", args=[measure.pk]),
        version=row.version,
        kind=kind,
        value=value if value is not None else current[field],
        label=field_label(MeasureTracking, field),
        options=options,
        maxlength=measure_services.REASON_LIMIT,
        error=error,
        conflict=conflict,
        reason=reason if field == "actual_completion" else None,
        error_on_reason=error_on_reason and field == "actual_completion",
    )
    return editor_response(request, editor)


@require_GET
def measure_cell_editor(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    measure = _visible_measure(request, pk)
    if field not in measure_selectors.TRACKED_FIELDS:
        raise Http404
    if not access.can_edit_execution_row(request.user, measure_selectors.owner_team(measure)):
        raise PermissionDenied
    return _editor(request, measure, field)


@require_POST
def measure_cell_save(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    measure = _visible_measure(request, pk)
    if field not in measure_selectors.TRACKED_FIELDS:
        raise Http404
    value, reason = request.POST.get("value", ""), request.POST.get("reason")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _editor(request, measure, field, value=value, reason=reason,
                       error=str(_("The form is out of date: open the cell again.")))  # fmt: skip
    try:
        measure_services.tracking_update(
            measure_id=measure.pk, field=field, value=value, version=version, by=request.user,
            reason=reason,
        )  # fmt: skip
    except EditConflictError as conflict:
        return _editor(request, measure, field, value=value, reason=reason, conflict=conflict)
    except ValidationError as problem:
        return _editor(request, measure, field, value=value, reason=reason,
                       error=" ".join(problem.messages),
                       error_on_reason="reason" in getattr(problem, "error_dict", {}))  # fmt: skip
    except ObjectDoesNotExist:
        raise Http404 from None
    return _row(request, _visible_measure(request, pk))


@require_GET
def measure_export(request: HttpRequest) -> HttpResponse:
    """Table 3 as XLSX, in the seed's column order and the reader's language."""
    program = execution_program(request)
    response = HttpResponse(
        exports.measures_xlsx(program=program, user=request.user), content_type=XLSX_CONTENT_TYPE
    )
    name = f"table-3-{slugify(program.name, allow_unicode=True) or program.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response


@require_GET
def measure_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The Table 3 row's changes: who, when, the column, before and after."""
    measure = _visible_measure(request, pk)
    context = {"changes": measure_selectors.tracking_history(measure)}
    return HttpResponse(render_to_string("components/row_history.html", context, request))
