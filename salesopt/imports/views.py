"""Import pages: upload, map and preview, validate, import with live progress, history, revert."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
    HttpResponseStopPolling,
)

from salesopt.core import access
from salesopt.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes
from salesopt.core.http import HtmxHttpRequest

from . import progress, selectors, services
from .forms import MappingForm, StartImportForm, UploadForm
from .models import ImportRun, ImportStatus
from .presets import PRESETS_BY_NAME, example_rows, template_headers
from .schema import KIND_LABELS, RecordKind

RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def _require_importer(request: HttpRequest) -> None:
    if not access.can_import(request.user):
        raise PermissionDenied


def _run_for(request: HttpRequest, pk: int) -> ImportRun:
    _require_importer(request)
    return get_object_or_404(selectors.visible_import_runs(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_run_upload(
                user=request.user,
                uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as problem:
            form.add_error(None, problem)  # keyed by field ("file") or for the whole form
        else:
            return redirect("imports:run-detail", pk=run.pk)
    runs = selectors.visible_import_runs(request.user)[:100]
    context = {"form": form, "runs": runs, "kinds": list(KIND_LABELS.items())}
    return render(request, "imports/run_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    if request.method == "POST" and "choose" in request.POST:
        return _choose(request, run)
    if request.method == "POST" and _chose_another_preset(run, request.POST):
        return _repropose(request, run)
    form = _mapping_form(run, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_run_set_mapping(
                run=run,
                kind=form.cleaned_data["kind"],
                preset=form.cleaned_data["preset"],
                columns=form.columns(),
                time_zone=form.cleaned_data["time_zone"],
                day_first=form.cleaned_data["day_first"],
                create_missing=form.cleaned_data["create_missing"],
                without_record_id=form.cleaned_data["without_record_id"],
                outcomes=form.outcomes(),
                save_as=form.cleaned_data["save_as"],
                user=request.user,
            )
        except ValidationError as problem:
            if getattr(problem, "code", None) == "wrong_status":
                return _moved_on(request, run, problem)
            form.add_error(None, problem.messages)  # the service keys them by "mapping"
        else:
            if "validate" in request.POST:
                try:
                    services.import_run_request_validation(run=run)
                except ValidationError as problem:  # the kind or preset is still to choose
                    form.add_error(None, problem.messages)
                else:
                    url = reverse("imports:run-detail", kwargs={"pk": run.pk})
                    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            else:
                form = _mapping_form(run, None)
    # htmx swaps no 4xx response, so an invalid mapping it posted comes back as 200.
    status = 400 if form.errors and not request.htmx else 200
    return render(request, _template(request), _detail_context(run, form), status=status)


def _repropose(request: HtmxHttpRequest, run: ImportRun) -> HttpResponse:
    kind, preset = request.POST.get("kind", run.kind), request.POST.get("preset", "")
    try:
        services.import_run_repropose(run=run, kind=kind, preset=preset)
    except ValidationError as problem:
        return _moved_on(request, run, problem)
    return render(request, _template(request), _detail_context(run, _mapping_form(run, None)))


def _choose(request: HtmxHttpRequest, run: ImportRun) -> HttpResponse:
    """The admin picked one of the readings salesopt was unsure between (or another one)."""
    kind, preset = request.POST.get("kind", ""), request.POST.get("preset", "")
    if kind not in {choice.value for choice in RecordKind} or not _offered(preset):
        messages.error(request, _("Choose a kind of record and a preset from the lists."))
        return redirect("imports:run-detail", pk=run.pk)
    return _repropose(request, run)


def _moved_on(request: HtmxHttpRequest, run: ImportRun, problem: ValidationError) -> HttpResponse:
    """The run was checked, imported or cancelled meanwhile: its page says so, form or not."""
    messages.error(request, " ".join(problem.messages))
    url = reverse("imports:run-detail", kwargs={"pk": run.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _chose_another_preset(run: ImportRun, data: Any) -> bool:
    """A new kind or preset: propose its mapping afresh rather than validate the old one."""
    current = services.chosen_preset(run)
    kind, preset = data.get("kind", run.kind), data.get("preset", current)
    known = kind in {choice.value for choice in RecordKind} and _offered(preset)
    return known and (kind != run.kind or preset != current)


def _offered(preset: str) -> bool:
    """Whether the preset list can hold this value: none, a built-in preset or a saved one."""
    saved = preset.removeprefix(services.SAVED_PREFIX)
    if saved != preset:
        return saved.isdigit() and selectors.saved_mappings().filter(pk=int(saved)).exists()
    return not preset or preset in PRESETS_BY_NAME


def _template(request: HtmxHttpRequest) -> str:
    return "imports/run_detail.html#mapping" if request.htmx else "imports/run_detail.html"


def _mapping_form(run: ImportRun, data: Any) -> MappingForm:
    posted = (data or {}).get("kind")
    kinds = {choice.value for choice in RecordKind}
    kind = RecordKind(posted if posted in kinds else run.kind)  # the form refuses an unknown one
    columns = run.mapping.get("columns", {})
    rules = services.outcome_rules(run) if kind.value == run.kind else ()
    initial = {
        "kind": run.kind,
        "preset": services.chosen_preset(run),
        "time_zone": run.time_zone,
        "day_first": run.mapping.get("day_first", False),
        "create_missing": run.create_missing,
        "without_record_id": run.mapping.get("without_record_id", False),
        **{f"column_{i}": columns.get(h) or "" for i, h in enumerate(run.sniffed["headers"])},
    }
    return MappingForm(
        data,
        initial=initial,
        headers=tuple(run.sniffed["headers"]),
        kind=kind,
        outcome_rules=rules,
    )


def _detail_context(run: ImportRun, form: MappingForm) -> dict[str, Any]:
    editable = run.status in (ImportStatus.MAPPED, ImportStatus.VALIDATED)
    return {
        "run": run,
        "form": form,
        "preview": selectors.import_preview(run) if editable and not form.errors else None,
        "recognition": selectors.recognition_summary(run) if editable else None,
        "nothing_valid": services.nothing_valid_text(run.rows_total) if run.nothing_valid else "",
        "lacks_record_id": editable and services.lacks_record_id(run),
        "outcome_column": services.outcome_column(run),
        "start_form": StartImportForm(),
        "progress": progress.read(run.pk) if run.status in RUNNING else None,
        "running": run.status in RUNNING,
    }


@require_GET
def run_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx every second while the run works; reloads the page when it is done."""
    run = _run_for(request, pk)
    if run.status not in RUNNING:
        return HttpResponseClientRefresh() if request.htmx else HttpResponseStopPolling()
    context = {"run": run, "progress": progress.read(run.pk), "running": True}
    return render(request, "imports/run_detail.html#progress", context)


@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    form = StartImportForm(request.POST)
    form.is_valid()
    try:
        services.import_run_start(
            run=run, skip_invalid=form.cleaned_data.get("skip_invalid", False)
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    return redirect("imports:run-detail", pk=run.pk)


@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    try:
        services.import_run_cancel(run=run)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("imports:run-list")


@require_POST
def run_revert(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request, pk)
    try:
        services.import_run_revert(run=run, user=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, _("The import was reverted."))
    return redirect("imports:run-detail", pk=run.pk)


@require_GET
def run_errors(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    """The full error report, as CSV or XLSX; both are safe to open in a spreadsheet."""
    run = _run_for(request, pk)
    if not run.error_report:
        raise Http404
    with run.error_report.open("rb") as stored:
        rows = selectors.error_report_rows(stored.read())
    header = [_("row"), _("column"), _("value"), _("reason")]
    name = f"import-{run.pk}-errors"
    return _download(header, rows, name=name, file_format=file_format, sheet=_("Errors"))


@require_GET
def template_download(
    request: HttpRequest, kind: str, language: str, file_format: str
) -> HttpResponse:
    """salesopt's own import template for one kind of record, in English or Chinese."""
    try:
        record_kind = RecordKind(kind)
    except ValueError:
        raise Http404 from None
    header = template_headers(record_kind, language)
    rows = example_rows(record_kind, language)
    name = f"salesopt-{kind}-template-{language}"
    return _download(header, rows, name=name, file_format=file_format, sheet=kind)


def _download(
    header: list[str], rows: Any, *, name: str, file_format: str, sheet: str
) -> HttpResponse:
    if file_format == "xlsx":
        content, content_type = xlsx_bytes(header, rows, sheet=sheet), XLSX_CONTENT_TYPE
    else:
        content, content_type = csv_bytes(header, rows), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
