"""An edited export of an execution table brought back: upload, check, apply (all or none)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from salesopt.core import access
from salesopt.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes

from . import sheet_imports
from .http import execution_program
from .models import SheetImport, SheetImportStatus

# Where each table lives, to go back to once its copy is applied.
TABLE_PAGES = {"plan": "execution:landing", "2": "execution:targets", "3": "execution:measures"}


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Edited copy (.xlsx or .csv)"))


def _table_key(table: str) -> str:
    if table not in sheet_imports.TABLES:
        raise Http404
    return table


def _own_import(request: HttpRequest, pk: int) -> SheetImport:
    """A check the person made, of the current program: nobody reads another's upload."""
    program = execution_program(request)
    found = SheetImport.objects.filter(
        pk=pk, program=program, uploaded_by_id=request.user.pk
    ).first()
    if found is None:
        raise Http404
    return found


@require_POST
def sheet_upload(request: HttpRequest, table: str) -> HttpResponse:
    key = _table_key(table)
    program = execution_program(request)
    if not access.can_add_execution_rows(request.user):
        raise PermissionDenied
    form = SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the edited copy of the table to import."))
        return redirect(TABLE_PAGES[key])
    checked = sheet_imports.check_upload(
        program=program, table_key=key, uploaded=form.cleaned_data["file"], by=request.user
    )
    return redirect("execution:sheet_import", pk=checked.pk)


@require_GET
def sheet_import(request: HttpRequest, pk: int) -> HttpResponse:
    checked = _own_import(request, pk)
    context = {
        "sheet_import": checked,
        "table_title": sheet_imports.table_title(checked.table),
        "table_page": TABLE_PAGES[checked.table],
        "can_apply": checked.status == SheetImportStatus.CHECKED and bool(checked.changes),
        "problem_sample": checked.problems[:200],
    }
    return render(request, "execution/sheet_import.html", context)


@require_POST
def sheet_apply(request: HttpRequest, pk: int) -> HttpResponse:
    checked = _own_import(request, pk)
    if checked.status != SheetImportStatus.CHECKED:
        messages.error(request, _("This copy was applied or refused already: import it again."))
        return redirect("execution:sheet_import", pk=checked.pk)
    applied = sheet_imports.apply_import(sheet_import=checked, by=request.user)
    if applied.status != SheetImportStatus.APPLIED:
        messages.error(request, _(
            "Nothing was changed: the table changed since the check. The problems are listed "
            "below."
        ))  # fmt: skip
        return redirect("execution:sheet_import", pk=applied.pk)
    count = len(applied.changes)
    text = ngettext("%(count)s change from %(file)s applied.",
                    "%(count)s changes from %(file)s applied.", count)  # fmt: skip
    messages.success(request, text % {"count": count, "file": applied.file_name})
    return redirect(TABLE_PAGES[applied.table])


@require_GET
def sheet_problems(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    """Every problem of a refused copy, as XLSX or CSV (safe to open in a spreadsheet)."""
    checked = _own_import(request, pk)
    if not checked.problems or file_format not in ("xlsx", "csv"):
        raise Http404
    header = [_("row"), _("column"), _("value"), _("reason")]
    rows = [[p["row"] or "", p["column"], p["value"], p["reason"]] for p in checked.problems]
    if file_format == "xlsx":
        content, content_type = xlsx_bytes(header, rows, sheet=_("Problems")), XLSX_CONTENT_TYPE
    else:
        content, content_type = csv_bytes(header, rows), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = f"table-import-{checked.pk}-problems.{file_format}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)  # type: ignore[assignment]
    return response
