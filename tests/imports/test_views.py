"""The import pages: admin only, upload → map → check every row → import → summary → revert."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from salesopt.core.models import Lead
from salesopt.imports.models import ImportRun, ImportStatus
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

EXPORT = (
    "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Region\n"
    "00Q1,王伟,伟业科技,Web,Working - Contacted,2024-03-01 14:05,华南\n"
    '00Q2,"=HYPERLINK(""http://evil"",""x"")",某公司,Web,Open - Not Contacted,'
    "2024-03-02 09:00,华南\n"
    "00Q3,赵敏,某公司,Web,Open - Not Contacted,not a date,华南\n"
)


@pytest.fixture
def admin_client(client, admin_user):
    RegionFactory(name="华南", code="south")
    client.force_login(admin_user)
    return client


def upload(client, content: str = EXPORT, name: str = "leads.csv", encoding: str = "utf-8"):
    file = SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")
    return client.post(reverse("imports:run-list"), {"file": file})


@pytest.mark.parametrize("role_fixture", ["manager", "team_lead", "rep", "executive"])
def test_only_admins_reach_the_import_pages(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))

    assert client.get(reverse("imports:run-list")).status_code == 403
    response = upload(client)

    assert response.status_code == 403
    assert ImportRun.objects.count() == 0


def test_upload_recognises_the_crm_and_proposes_the_mapping(admin_client):
    response = upload(admin_client)

    run = ImportRun.objects.get()
    assert response["Location"] == reverse("imports:run-detail", kwargs={"pk": run.pk})
    assert (run.kind, run.source, run.preset) == ("lead", "salesforce", "salesforce.lead")
    assert run.status == "mapped"
    assert run.mapping["columns"]["Lead ID"] == "external_id"
    assert run.mapping["columns"]["Created Date"] == "created_at"


def test_the_preview_marks_the_bad_cell_with_its_reason(admin_client):
    upload(admin_client)
    run = ImportRun.objects.get()

    body = admin_client.get(reverse("imports:run-detail", kwargs={"pk": run.pk})).content.decode()

    assert 'class="cell-problem"' in body
    assert "not a date" in body
    assert "=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)" in body  # text, escaped


def test_a_hostile_upload_is_refused_with_a_reason_and_leaves_nothing(admin_client):
    response = upload(admin_client, content="", name="empty.csv")

    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_check_import_revert_end_to_end(admin_client, django_capture_on_commit_callbacks):
    upload(admin_client)
    run = ImportRun.objects.get()
    detail = reverse("imports:run-detail", kwargs={"pk": run.pk})
    form = {"kind": "lead", "preset": "salesforce.lead", "time_zone": "Asia/Shanghai",
            "validate": "1"}  # fmt: skip
    form |= {
        f"column_{i}": name
        for i, name in enumerate(
            ["external_id", "name", "company_name", "channel", "status", "created_at", "region"]
        )
    }

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(detail, form)
    run.refresh_from_db()
    assert (run.status, run.created_count, run.rejected_count) == ("validated", 2, 1)
    assert Lead.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports:run-start", kwargs={"pk": run.pk}),
                          {"skip_invalid": "on"})  # fmt: skip
    run.refresh_from_db()
    assert (run.status, run.created_count, run.rejected_count) == ("done", 2, 1)
    assert Lead.objects.count() == 2

    admin_client.post(reverse("imports:run-revert", kwargs={"pk": run.pk}))
    run.refresh_from_db()
    assert run.status == ImportStatus.REVERTED
    assert Lead.objects.count() == 0


def test_error_report_downloads_neutralise_formulas(
    admin_client, django_capture_on_commit_callbacks
):
    hostile = EXPORT.replace("not a date", "=cmd|' /C calc'!A0")
    upload(admin_client, content=hostile)
    run = ImportRun.objects.get()
    form = {"kind": "lead", "preset": "salesforce.lead", "time_zone": "Asia/Shanghai",
            "validate": "1"}  # fmt: skip
    form |= {
        f"column_{i}": name
        for i, name in enumerate(
            ["external_id", "name", "company_name", "channel", "status", "created_at", "region"]
        )
    }
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports:run-detail", kwargs={"pk": run.pk}), form)

    xlsx = admin_client.get(
        reverse("imports:run-errors", kwargs={"pk": run.pk, "file_format": "xlsx"})
    )
    csv_body = admin_client.get(
        reverse("imports:run-errors", kwargs={"pk": run.pk, "file_format": "csv"})
    )

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == ["row", "column", "value", "reason"]
    assert sheet["A2"].value == 4
    assert sheet["C2"].value == "=cmd|' /C calc'!A0"
    assert (sheet["C2"].data_type, sheet["C2"].quotePrefix) == ("s", True)
    assert "\n4,Created Date,'=cmd|' /C calc'!A0," in csv_body.content.decode("utf-8-sig")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_template_downloads_in_both_languages(admin_client, language):
    response = admin_client.get(reverse("imports:template-download",
                                        kwargs={"kind": "lead", "language": language,
                                                "file_format": "xlsx"}))  # fmt: skip

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response.status_code == 200
    assert sheet.max_row == 3
    assert (sheet["A1"].value == "外部编号") is (language == "zh") or sheet["A1"].value
