"""The preview, the dry run and the import give the same reasons for the same rows: validation
lives in one place (salesopt.imports.validation) and the preview is a dry run of its rows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from salesopt.imports import selectors, services
from salesopt.imports.models import ImportRun
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "Lead ID,Last Name,Company,Lead Source,Lead Status,Create Date,First Response,Customer,Region\n"
)
ROWS = (
    # Fine.
    "00Q1,Wang,Huanan Tech,Web,Open - Not Contacted,2024-03-01 09:00,2024-03-01 10:00,,华南\n"
    # Answered before it was created: a rule the database also holds (ROW_RULES).
    "00Q2,Li,Donghai,Web,Open - Not Contacted,2024-03-02 09:00,2024-03-01 08:00,,华南\n"
    # A customer id no record has: found by the writer's join, not by a coercer.
    "00Q3,Liu,Liu Bros,Web,Open - Not Contacted,2024-03-03 09:00,,C-404,华南\n"
)


def test_the_preview_gives_the_reasons_the_check_gives(
    admin_client, django_capture_on_commit_callbacks
):
    RegionFactory(name="华南", code="south")
    upload = SimpleUploadedFile("leads.csv", (HEADER + ROWS).encode(), content_type="text/csv")
    admin_client.post(reverse("imports:run-list"), {"file": upload, "kind": "lead"})
    run = ImportRun.objects.get()
    columns = {
        "Lead ID": "external_id", "Last Name": "name", "Company": "company_name",
        "Lead Source": "channel", "Lead Status": "status", "Create Date": "created_at",
        "First Response": "first_response_at", "Customer": "customer", "Region": "region",
    }  # fmt: skip
    services.import_run_set_mapping(run=run, kind="lead", preset="salesforce.lead",
                                    columns=columns)  # fmt: skip

    preview = selectors.import_preview(run)
    shown = {
        (row, header): cell.problem
        for row, cells in preview.rows
        for header, cell in zip(preview.headers, cells, strict=True)
        if cell.problem
    }
    checked = services.import_run_validate(run_id=run.pk)
    reported = {(e["row"], e["column"] or "Lead ID"): e["reason"] for e in checked.error_sample}

    assert shown == reported
    assert shown == {
        (3, "First Response"): "earlier than the lead was created",
        (4, "Customer"): "no such record",
    }
