"""Table 2 (target decomposition and tracking): the quarter's targets by month and by part,
with live actuals; the manager sets and splits the targets, team leads write the variance
analysis and corrective action of their rows inline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.exports import XLSX_CONTENT_TYPE
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import Quarter, company_today

from . import exports, target_selectors, target_services
from .editing import EditConflictError, Editor, field_label
from .http import editor_response, execution_program
from .models import MonthTarget, QuarterTarget, SplitMethod

PAGE = "execution/targets.html"


def _quarter(value: str | None) -> Quarter:
    try:
        return Quarter.parse(value or "")
    except ValueError:
        return Quarter.containing(company_today())


def _page_url(quarter: Quarter, **more: str) -> str:
    return f"{reverse('execution:targets')}?{urlencode({'quarter': str(quarter), **more})}"


def _members(dimension: str, user: Any) -> list[tuple[int, str]]:
    if dimension == "region":
        return [
            (r.pk, r.name)
            for r in target_selectors.PART_DIMENSIONS["region"].objects.order_by("name")
        ]
    if dimension == "team":
        return [(t.pk, t.name) for t in access.visible_teams(user).order_by("name")]
    profiles = access.visible_profiles(user).filter(role="sales_rep", user__is_active=True)
    return [(p.user_id, person_name(p.user)) for p in profiles.order_by("display_name")]


@require_GET
def targets(request: HttpRequest) -> HttpResponse:
    return _page(request, execution_program(request), _quarter(request.GET.get("quarter")))


def _page(
    request: HttpRequest, program: Program, quarter: Quarter, errors: dict[str, Any] | None = None
) -> HttpResponse:
    can_edit = access.can_edit_plan(request.user)
    rows = target_selectors.table_2_rows(program=program, user=request.user, quarter=quarter)
    whole = QuarterTarget.objects.filter(program=program, quarter_start=quarter.start,
                                         parent__isnull=True).first()  # fmt: skip
    split_by = request.POST.get("dimension") or request.GET.get("split_by") or "region"
    if split_by not in target_selectors.PART_DIMENSIONS:
        split_by = "region"
    splitting = _split_target(program, quarter, request.POST.get("of") or request.GET.get("of"))
    parts = (
        {getattr(part, f"{split_by}_id"): part.amount for part in splitting.parts.all()}
        if splitting
        else {}
    )
    context = {
        "program": program,
        "quarter": quarter,
        "previous": _page_url(quarter.shifted(-1)),
        "next": _page_url(quarter.shifted(1)),
        "rows": rows,
        "whole": whole,
        "splitting": splitting,
        "targets": QuarterTarget.objects.filter(program=program, quarter_start=quarter.start)
        .select_related("region", "team", "owner__profile")
        .order_by("parent_id", "pk"),
        # The wholes' totals: the manager's (a team lead reads their team's rows only).
        "summaries": target_selectors.parent_summaries(program, quarter) if can_edit else [],
        "below": sum(row.below for row in rows),
        "notes_missing": sum(row.notes_missing for row in rows),
        "threshold": settings.SALESOPT_ATTAINMENT_THRESHOLD,
        "can_edit": can_edit,
        "can_import": access.can_add_execution_rows(request.user),
        "methods": SplitMethod.choices,
        "split_by": split_by,
        "dimensions": [("region", _("region")), ("team", _("team")), ("owner", _("owner"))],
        "members": [
            (pk, name, request.POST.get(f"part-{pk}", "") if errors else parts.get(pk, ""))
            for pk, name in _members(split_by, request.user)
        ]
        if can_edit and splitting
        else [],
        "errors": errors or {},
        "posted": request.POST if errors else {},
        "amount_value": (request.POST.get("amount") if errors else None)
        or (f"{whole.amount:f}" if whole else ""),
        "split_value": (request.POST.get("split") if errors else None)
        or (whole.split if whole else SplitMethod.EVEN),
    }
    return render(request, PAGE, context, status=200)


@require_POST
def target_set(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    quarter = _quarter(request.POST.get("quarter"))
    hand = [request.POST.get(f"month{i}", "") for i in range(3)]
    try:
        target_services.quarter_target_set(
            program=program, by=request.user, quarter=quarter,
            amount=request.POST.get("amount", ""), split=request.POST.get("split", ""), hand=hand,
        )  # fmt: skip
    except ValidationError as problem:
        return _page(request, program, quarter, errors=_errors(problem))
    messages.success(request, _("Quarterly target saved."))
    return redirect(_page_url(quarter))


@require_POST
def parts_set(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    quarter = _quarter(request.POST.get("quarter"))
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    whole = _split_target(program, quarter, request.POST.get("of"))
    if whole is None:
        raise Http404
    amounts = {int(key[5:]): value for key, value in request.POST.items()
               if key.startswith("part-") and key[5:].isdigit()}  # fmt: skip
    dimension = request.POST.get("dimension", "")
    try:
        target_services.parts_set(target=whole, by=request.user, dimension=dimension,
                                  amounts=amounts, split=request.POST.get("split", ""))  # fmt: skip
    except ValidationError as problem:
        return _page(request, program, quarter, errors=_errors(problem))
    messages.success(request, _("The quarter is split down."))
    return redirect(_page_url(quarter, split_by=dimension, of=str(whole.pk)))


def _split_target(program: Program, quarter: Quarter, chosen: str | None) -> QuarterTarget | None:
    """The target the split-down form divides: the one chosen, else the company's."""
    targets = QuarterTarget.objects.filter(program=program, quarter_start=quarter.start)
    if chosen and chosen.isdigit():
        found = targets.filter(pk=int(chosen)).first()
        if found is not None:
            return found
    return targets.filter(parent__isnull=True).first()


def _errors(problem: ValidationError) -> dict[str, Any]:
    if hasattr(problem, "error_dict"):
        return {name: " ".join(messages_) for name, messages_ in problem.message_dict.items()}
    return {"form": " ".join(problem.messages)}


def _visible_month(request: HttpRequest, pk: int) -> MonthTarget:
    row = (
        target_selectors.visible_month_targets(request.user, execution_program(request))
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404
    return row


def _row(request: HttpRequest, month: MonthTarget) -> HttpResponse:
    context = {"row": target_selectors.table_2_row(month, request.user)}
    return HttpResponse(render_to_string(f"{PAGE}#month-row", context, request))


@require_GET
def target_row(request: HttpRequest, pk: int) -> HttpResponse:
    return _row(request, _visible_month(request, pk))


def _editor(
    request: HttpRequest, month: MonthTarget, field: str, *, value: str | None = None,
    error: str = "", conflict: EditConflictError | None = None,
) -> HttpResponse:  # fmt: skip
    editor = Editor(
        element=f"month-{month.pk}-{field}",
        save_url=reverse("execution:target_cell_save", args=[month.pk, field]),
        cancel_url=reverse("execution:target_row", args=[month.pk]),
        version=month.version, kind="text",
        value=value if value is not None else getattr(month, field),
        label=field_label(MonthTarget, field), maxlength=target_services.NOTE_LIMIT,
        error=error, conflict=conflict,
    )  # fmt: skip
    return editor_response(request, editor)


@require_GET
def target_cell_editor(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    month = _visible_month(request, pk)
    if field not in target_services.NOTE_FIELDS:
        raise Http404
    if not access.can_edit_execution_row(
        request.user, target_selectors.row_team(month.quarter_target)
    ):
        raise PermissionDenied
    return _editor(request, month, field)


@require_POST
def target_cell_save(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    month = _visible_month(request, pk)
    if field not in target_services.NOTE_FIELDS:
        raise Http404
    value = request.POST.get("value", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _editor(request, month, field, value=value,
                       error=_("The form is out of date: open the cell again."))  # fmt: skip
    try:
        target_services.month_note_update(month_id=month.pk, field=field, value=value,
                                          version=version, by=request.user)  # fmt: skip
    except EditConflictError as conflict:
        fresh = MonthTarget.objects.get(pk=month.pk)
        return _editor(request, fresh, field, value=value, conflict=conflict)
    except ValidationError as problem:
        return _editor(request, month, field, value=value, error=" ".join(problem.messages))
    return _row(request, _visible_month(request, pk))


@require_GET
def target_export(request: HttpRequest) -> HttpResponse:
    program = execution_program(request)
    quarter = _quarter(request.GET.get("quarter"))
    response = HttpResponse(
        exports.targets_xlsx(program=program, user=request.user, quarter=quarter),
        content_type=XLSX_CONTENT_TYPE,
    )
    name = f"table-2-{quarter}-{slugify(program.name, allow_unicode=True) or program.pk}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response


@require_GET
def target_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The Table 2 row's changes: who, when, the column, before and after."""
    context = {"changes": target_selectors.month_history(_visible_month(request, pk))}
    return HttpResponse(render_to_string("components/row_history.html", context, request))
