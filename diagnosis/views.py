"""Diagnosis pages: the workspace of the current program, its report and the Table 1 export.

Every write answers an htmx request with the partial of the section it changed (plus the
figures strip, out of band) and a plain form post with a redirect back to the workspace, so
the page works without JavaScript too. Invalid forms re-render their partial with status 200,
because htmx does not swap 4xx responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesopt.core import access
from salesopt.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes
from salesopt.core.http import HtmxHttpRequest, apply_to_form
from salesopt.core.models import Program
from salesopt.core.periods import company_today
from salesopt.core.programs import current_program, program_of_phase

from . import exports, selectors, services
from .baseline import Filters, months
from .charts import chart_html
from .dashboard import CHARTS, baseline_dashboard
from .forms import (
    BaselineWindowForm,
    DashboardFilterForm,
    DiagnosisRowEditForm,
    DiagnosisRowForm,
    FindingForm,
    InterviewFilterForm,
    InterviewForm,
    RowMoveForm,
    TeamMemberForm,
)
from .models import DiagnosisRow, ProblemDimension

PAGE = "diagnosis/landing.html"
FIGURES = "workspace-figures"


# --- scope --------------------------------------------------------------------------------


def _program(request: HttpRequest) -> Program:
    """The current program, if the user may read its diagnosis."""
    return program_of_phase(request, allowed=access.can_view_diagnosis(request.user))


def _editable_program(request: HttpRequest) -> Program:
    return program_of_phase(request, allowed=access.can_edit_diagnosis(request.user))


def _row_form(row: DiagnosisRow, data: Any = None) -> DiagnosisRowEditForm:
    initial = {name: getattr(row, name) for name in DiagnosisRowEditForm.base_fields}
    initial["dimension"] = row.dimension_label
    initial["description"] = row.shown_description
    return DiagnosisRowEditForm(
        data, initial=initial, prefix=f"row-{row.pk}", html_form_id=f"table1-row-form-{row.pk}"
    )


# --- the sections of the workspace ---------------------------------------------------------


def _team(request: HttpRequest, program: Program) -> dict[str, Any]:
    people = selectors.team_candidates(user=request.user)
    return {
        "team": selectors.team_members(program=program),
        "team_form": TeamMemberForm(people=people, prefix="team"),
    }


def _baseline(request: HttpRequest, program: Program) -> dict[str, Any]:
    initial = {"baseline_start": program.baseline_start, "baseline_end": program.baseline_end}
    return {"baseline_form": BaselineWindowForm(initial=initial, prefix="baseline")}


def _interviews(request: HttpRequest, program: Program) -> dict[str, Any]:
    people = selectors.team_candidates(user=request.user)
    initial = {"held_on": company_today(), "interviewer": request.user.pk}
    return {
        "interview_form": InterviewForm(people=people, initial=initial, prefix="interview"),
        "themes": selectors.interview_themes(program=program, user=request.user),
        **_interview_list(request, program),
    }


def _interview_list(request: HttpRequest, program: Program) -> dict[str, Any]:
    filters = InterviewFilterForm(request.GET)
    search, tag = (
        (filters.cleaned_data["q"], filters.cleaned_data["tag"]) if filters.is_valid() else ("", "")
    )
    found = selectors.interview_list(program=program, user=request.user, search=search, tag=tag)
    return {"filter_form": filters, "found": found}


def _findings(request: HttpRequest, program: Program) -> dict[str, Any]:
    return {
        "proposed_findings": selectors.proposed_findings(program=program),
        "finding_form": FindingForm(prefix="finding"),
    }


def _table1(request: HttpRequest, program: Program) -> dict[str, Any]:
    return {
        "rows": selectors.table1_rows(program=program),
        "row_add_form": DiagnosisRowForm(prefix="new-row"),
        "summary": selectors.table1_summary(program=program),
    }


def _dashboard_filters(
    request: HttpRequest, program: Program
) -> tuple[DashboardFilterForm | None, Filters | None]:
    """The filter form and the filters it gives; (None, None) without a baseline window."""
    if program.baseline_start is None or program.baseline_end is None:
        return None, None
    window = Filters(program.baseline_start, program.baseline_end, reader=request.user)
    labels = [month.strftime("%Y-%m") for month in months(window)]
    bound = any(name in request.GET for name in DashboardFilterForm.base_fields)
    form = DashboardFilterForm(
        request.GET if bound else None,
        months=labels,
        names=selectors.dashboard_filter_names(user=request.user),
    )
    form.initial = {"period_from": labels[0], "period_to": labels[-1]}
    data = form.cleaned_data if bound and form.is_valid() else {}
    first = data.get("period_from") or labels[0]
    last = data.get("period_to") or labels[-1]
    filters = Filters(
        period_from=max(dt.date.fromisoformat(f"{first}-01"), window.period_from),
        period_to=min(_month_end(last), window.period_to),
        reader=request.user,
        region=data.get("region", ""),
        product_line=data.get("product_line", ""),
        team=data.get("team", ""),
    )
    return form, filters


def _month_end(label: str) -> dt.date:
    start = dt.date.fromisoformat(f"{label}-01")
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _dashboard(request: HttpRequest, program: Program) -> dict[str, Any]:
    form, filters = _dashboard_filters(request, program)
    if filters is None:
        return {"dashboard_form": None, "charts": []}
    query = urlencode(
        {
            "period_from": filters.period_from.strftime("%Y-%m"),
            "period_to": filters.period_to.strftime("%Y-%m"),
            **filters.dimensions(),
        }
    )
    charts = [(chart, chart_html(chart)) for chart in baseline_dashboard(filters=filters)]
    return {
        "dashboard_form": form,
        "charts": charts,
        "dashboard_query": query,
        # A team lead reads their team only: the page says whose figures these are.
        "dashboard_team": access.scope_of(request.user).team,
    }


def _figures(request: HttpRequest, program: Program) -> dict[str, Any]:
    return {"figures": selectors.workspace_figures(program=program, user=request.user)}


SECTIONS: dict[str, Callable[[HttpRequest, Program], dict[str, Any]]] = {
    "team-section": _team,
    "baseline-section": _baseline,
    "interviews-section": _interviews,
    "interview-list": _interview_list,
    "findings-section": _findings,
    "table1-section": _table1,
    "table1-summary": lambda request, program: {
        "summary": selectors.table1_summary(program=program)
    },
    FIGURES: _figures,
    "baseline-dashboard": _dashboard,
    "workspace-header": lambda request, program: {},
}
# The sections the whole page is made of (the others are parts of these).
WORKSPACE = (
    "team-section",
    "baseline-section",
    "interviews-section",
    "findings-section",
    "table1-section",
    FIGURES,
    "baseline-dashboard",
)


def _common(request: HttpRequest, program: Program | None) -> dict[str, Any]:
    return {
        "program": program,
        "can_edit": access.can_edit_diagnosis(request.user),
        "dimensions": ProblemDimension.choices,
    }


def _workspace(request: HttpRequest, program: Program, **overrides: Any) -> HttpResponse:
    context = _common(request, program)
    for section in WORKSPACE:
        context |= SECTIONS[section](request, program)
    return render(request, PAGE, context | overrides)


def _partial(request: HttpRequest, program: Program, section: str, **overrides: Any) -> str:
    context = _common(request, program) | SECTIONS[section](request, program) | overrides
    return render_to_string(f"{PAGE}#{section}", context, request)


def _section(
    request: HtmxHttpRequest, program: Program, section: str, *oob: str, **overrides: Any
) -> HttpResponse:
    """The section's partial (and `oob` partials) for htmx; the whole workspace otherwise."""
    if not request.htmx:
        return _workspace(request, program, **overrides)
    html = _partial(request, program, section, **overrides)
    html += "".join(_partial(request, program, name, oob=True) for name in oob)
    return HttpResponse(html)


def _done(request: HtmxHttpRequest, program: Program, section: str, *oob: str) -> HttpResponse:
    """After a write: the fresh section for htmx; a redirect (post/redirect/get) otherwise."""
    if not request.htmx:
        return redirect(reverse("diagnosis:landing") + f"#{section}")
    return _section(request, program, section, *oob, FIGURES)


# --- pages --------------------------------------------------------------------------------


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if not access.can_view_diagnosis(request.user):
        return render(request, "diagnosis/forbidden.html", status=403)
    program = current_program(request)
    if program is None:
        return render(request, PAGE, _common(request, None))
    return _workspace(request, program)


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    context = {
        **_dashboard(request, program),
        "report": selectors.diagnosis_report(program=program, user=request.user),
        "program": program,
        "report_date": company_today(),
    }
    return render(request, "diagnosis/report.html", context)


@require_GET
def table1_export(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    response = HttpResponse(exports.table1_xlsx(program=program), content_type=XLSX_CONTENT_TYPE)
    name = f"table1-{slugify(program.name, allow_unicode=True) or program.pk}.xlsx"
    # Never None when as_attachment is True; django-stubs does not overload it.
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response


@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The baseline dashboard alone, for its filter form (the whole workspace without htmx)."""
    program = _program(request)
    return _section(request, program, "baseline-dashboard")


@require_GET
def chart_data(request: HttpRequest) -> HttpResponse:
    """One dashboard chart's numbers as CSV or XLSX (?chart=…&format=csv|xlsx, same filters)."""
    program = _program(request)
    key, file_format = request.GET.get("chart", ""), request.GET.get("format", "csv")
    _form, filters = _dashboard_filters(request, program)
    if key not in CHARTS or file_format not in ("csv", "xlsx") or filters is None:
        raise Http404(_("No such chart."))
    chart = CHARTS[key](filters)
    if file_format == "xlsx":
        body, content_type = xlsx_bytes(chart.header, chart.rows, sheet=key), XLSX_CONTENT_TYPE
    else:
        body, content_type = csv_bytes(chart.header, chart.rows), CSV_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    # Never None when as_attachment is True; django-stubs does not overload it.
    response["Content-Disposition"] = content_disposition_header(  # type: ignore[assignment]
        as_attachment=True, filename=f"{key}.{file_format}"
    )
    return response


# --- team and baseline ----------------------------------------------------------------------


@require_POST
def team_member_add(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    people = selectors.team_candidates(user=request.user)
    form = TeamMemberForm(request.POST, people=people, prefix="team")
    if form.is_valid() and apply_to_form(
        form, services.team_member_add, program=program, **form.cleaned_data
    ):
        return _done(request, program, "team-section")
    return _section(request, program, "team-section", team_form=form)


@require_POST
def team_member_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    member = get_object_or_404(selectors.team_members(program=program), pk=pk)
    services.team_member_remove(member=member)
    return _done(request, program, "team-section")


@require_POST
def baseline_update(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    form = BaselineWindowForm(request.POST, prefix="baseline")
    if form.is_valid() and apply_to_form(
        form,
        services.program_set_baseline_window,
        program=program,
        start=form.cleaned_data["baseline_start"],
        end=form.cleaned_data["baseline_end"],
    ):
        return _done(request, program, "baseline-section", "workspace-header")
    # A refused window must not leave the unsaved dates on the in-memory program.
    program.refresh_from_db(fields=["baseline_start", "baseline_end"])
    return _section(request, program, "baseline-section", baseline_form=form)


# --- interviews ---------------------------------------------------------------------------


@require_GET
def interview_list(request: HtmxHttpRequest) -> HttpResponse:
    """The search box and the theme filter ask for this list alone."""
    program = _program(request)
    return _section(request, program, "interview-list")


@require_POST
def interview_create(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    people = selectors.team_candidates(user=request.user)
    form = InterviewForm(request.POST, people=people, prefix="interview")
    if form.is_valid() and apply_to_form(
        form, services.interview_create, program=program, **form.cleaned_data
    ):
        return _done(request, program, "interviews-section")
    return _section(request, program, "interviews-section", interview_form=form)


@require_POST
def interview_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    interview = get_object_or_404(selectors.interviews(program=program, user=request.user), pk=pk)
    services.interview_delete(interview=interview)
    return _done(request, program, "interviews-section")


# --- findings -----------------------------------------------------------------------------


@require_POST
def finding_create(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    form = FindingForm(request.POST, prefix="finding")
    if form.is_valid() and apply_to_form(
        form, services.finding_create_manual, program=program, **form.cleaned_data
    ):
        return _done(request, program, "findings-section")
    return _section(request, program, "findings-section", finding_form=form)


@require_POST
def findings_refresh(request: HtmxHttpRequest) -> HttpResponse:
    """Run the finding rules over the baseline window ("Find problems in the data")."""
    program = _editable_program(request)
    try:
        services.findings_refresh(program=program, user=request.user)
    except ValidationError as problem:
        return _section(request, program, "findings-section", findings_error=problem.messages)
    return _done(request, program, "findings-section")


def _decide(request: HtmxHttpRequest, pk: int, service: Callable[..., Any]) -> HttpResponse:
    program = _editable_program(request)
    finding = get_object_or_404(selectors.program_findings(program=program), pk=pk)
    try:
        service(finding=finding, user=request.user)
    except ValidationError as problem:
        return _section(request, program, "findings-section", findings_error=problem.messages)
    return _done(request, program, "findings-section", "table1-section")


@require_POST
def finding_accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.finding_accept)


@require_POST
def finding_dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.finding_dismiss)


# --- Table 1 ------------------------------------------------------------------------------


@require_POST
def row_create(request: HtmxHttpRequest) -> HttpResponse:
    program = _editable_program(request)
    form = DiagnosisRowForm(request.POST, prefix="new-row")
    if form.is_valid() and apply_to_form(
        form, services.diagnosis_row_create, program=program, **form.cleaned_data
    ):
        return _done(request, program, "table1-section")
    return _section(request, program, "table1-section", row_add_form=form)


@require_GET
def row_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One row as text: what "cancel" swaps back in place of the row's form."""
    program = _program(request)
    row = get_object_or_404(selectors.table1_rows(program=program), pk=pk)
    if not request.htmx:
        return redirect(reverse("diagnosis:landing") + "#table1-section")
    return render(request, f"{PAGE}#table1-row", {**_common(request, program), "row": row})


@require_http_methods(["GET", "POST"])
def row_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    row = get_object_or_404(selectors.table1_rows(program=program), pk=pk)
    form = _row_form(row, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            saved = apply_to_form(
                form, services.diagnosis_row_update, row=row, by=request.user, **form.cleaned_data
            )
        except services.RowChangedError as changed:
            form = _stale_row_form(changed, request.POST)
        else:
            if saved:
                return _row_saved(request, program, row)
    context = {"row": row, "row_form": form, "editing_row_id": row.pk}
    if not request.htmx:
        return _workspace(request, program, **context)
    return render(request, f"{PAGE}#table1-row-form", {**_common(request, program), **context})


def _stale_row_form(changed: Any, posted: Any) -> DiagnosisRowEditForm:
    """What was typed, with the version now in force: saving again writes over it knowingly."""
    row = changed.row
    data = posted.copy()
    data[f"row-{row.pk}-version"] = str(row.version)
    form = _row_form(row, data)
    form.is_valid()
    when = (
        date_format(timezone.localtime(changed.changed_at), "SHORT_DATETIME_FORMAT")
        if (changed.changed_at)
        else ""
    )
    form.add_error(
        None,
        _(
            "%(who)s changed this row at %(when)s, after you opened it. Cancel to see their "
            "version, or save again to write yours over it."
        )
        % {"who": changed.changed_by, "when": when},
    )
    return form


def _row_saved(request: HtmxHttpRequest, program: Program, row: DiagnosisRow) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("diagnosis:landing") + f"#table1-row-{row.pk}")
    html: str = render_to_string(f"{PAGE}#table1-row", {**_common(request, program), "row": row})
    html += _partial(request, program, "table1-summary", oob=True)
    html += _partial(request, program, FIGURES, oob=True)
    return HttpResponse(html)


@require_GET
def row_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A Table 1 row's changes: who changed which column when, before and after."""
    program = _program(request)
    row = get_object_or_404(selectors.table1_rows(program=program), pk=pk)
    context = {"changes": selectors.table1_row_history(row)}
    return HttpResponse(render_to_string("components/row_history.html", context, request))


@require_POST
def row_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    row = get_object_or_404(selectors.table1_rows(program=program), pk=pk)
    services.diagnosis_row_delete(row=row)
    return _done(request, program, "table1-section", "findings-section")


@require_POST
def row_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    program = _editable_program(request)
    row = get_object_or_404(selectors.table1_rows(program=program), pk=pk)
    form = RowMoveForm(request.POST)
    if form.is_valid():
        services.diagnosis_row_move(row=row, offset=form.offset)
    return _done(request, program, "table1-section")
