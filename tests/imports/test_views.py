"""The import pages: admin only, upload → map → check every row → import → summary → revert."""

import html
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from salesopt.core.models import Lead
from salesopt.imports.models import ImportRun, ImportStatus
from salesopt.imports.readers import content as content_module
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


def upload(
    client,
    content: str = EXPORT,
    name: str = "leads.csv",
    encoding: str = "utf-8",
    raw: bytes | None = None,
):
    data = content.encode(encoding) if raw is None else raw
    file = SimpleUploadedFile(name, data, content_type="text/csv")
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


def test_an_upload_is_stored_under_a_random_name_and_shown_under_its_own(
    admin_client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)

    upload(admin_client, name="../Leads March.CSV")

    run = ImportRun.objects.get()
    stored = Path(run.file.name)
    assert run.file_name == "Leads March.CSV"
    assert (
        stored.parent.parent.parent,
        re.fullmatch(r"[0-9a-f]{32}\.csv", stored.name) is not None,
    ) == (
        Path("imports"),
        True,
    )
    assert [path.name for path in tmp_path.rglob("*") if path.is_file()] == [stored.name]
    body = admin_client.get(reverse("imports:run-list")).content.decode()
    assert ">Leads March.CSV</a>" in body
    detail = admin_client.get(reverse("imports:run-detail", kwargs={"pk": run.pk}))
    assert "<h1>Leads March.CSV</h1>" in detail.content.decode()


def test_an_xlsx_uploaded_as_csv_is_stored_as_what_its_name_says_and_read_as_excel(
    admin_client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    book = Workbook()
    book.active.append(["Lead ID", "Name", "Created Date"])
    book.active.append(["00Q1", "王伟", "2024-03-01 14:05"])
    content = io.BytesIO()
    book.save(content)

    response = upload(admin_client, content="", name="leads.bin", raw=content.getvalue())

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert (Path(run.file.name).suffix, run.sniffed["file_format"]) == (".xlsx", "xlsx")
    detail = admin_client.get(reverse("imports:run-detail", kwargs={"pk": run.pk}))
    assert "王伟" in detail.content.decode()


# --- an incomplete or unknown mapping -------------------------------------------------------

MAPPED = ["external_id", "name", "company_name", "channel", "status", "created_at", "region"]


def mapping_post(**changes: str | None) -> dict[str, str]:
    form = {"kind": "lead", "preset": "salesforce.lead", "time_zone": "Asia/Shanghai",
            "validate": "1"} | {f"column_{i}": name for i, name in enumerate(MAPPED)}  # fmt: skip
    form |= changes
    return {name: value for name, value in form.items() if value is not None}


def run_state(run: ImportRun) -> tuple:
    run.refresh_from_db()
    return (run.status, run.kind, run.preset, run.source, run.mapping, run.time_zone,
            run.create_missing)  # fmt: skip


def page_errors(body: str) -> list[str]:
    """The text of each error the page shows, its spaces and tags collapsed."""
    found = re.findall(r'class="form-errors"[^>]*>(.*?)</(?:p|div)>', body, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for text in found]


def not_a_choice(value: str) -> str:
    return f"Select a valid choice. {value} is not one of the available choices."


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"kind": None}, "This field is required."),
        ({"kind": "planet"}, not_a_choice("planet")),
        ({"time_zone": None}, "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone (e.g. Asia/Shanghai)."),
        ({"column_2": "salary"}, not_a_choice("salary")),
        ({"preset": "no.such.preset"}, not_a_choice("no.such.preset")),
        ({"preset": "saved:999"}, not_a_choice("saved:999")),
        ({"preset": "saved:x"}, not_a_choice("saved:x")),
        ({"column_1": ""}, "Map a column to the required field “name”."),
        ({"column_1": "created_at"}, "Two columns are mapped to “created_at”."),
    ],
    ids=["no-kind", "unknown-kind", "no-time-zone", "unknown-time-zone", "not-a-field",
         "unknown-preset", "saved-mapping-gone", "saved-mapping-not-an-id", "required-unmapped",
         "mapped-twice"],
)  # fmt: skip
def test_an_incomplete_mapping_is_shown_with_its_error_and_changes_nothing(
    admin_client, changes, error
):
    upload(admin_client)
    run = ImportRun.objects.get()
    before = run_state(run)

    response = admin_client.post(
        reverse("imports:run-detail", kwargs={"pk": run.pk}), mapping_post(**changes)
    )

    assert response.status_code == 400
    assert error in page_errors(response.content.decode())
    assert run_state(run) == before


def test_an_incomplete_mapping_posted_by_htmx_swaps_the_form_back_with_its_error(admin_client):
    upload(admin_client)
    run = ImportRun.objects.get()
    before = run_state(run)

    response = admin_client.post(
        reverse("imports:run-detail", kwargs={"pk": run.pk}),
        mapping_post(column_1=""),
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert (
        response.status_code,
        body.lstrip().startswith('<section class="card" id="mapping"'),
    ) == (
        200,
        True,
    )
    assert "Map a column to the required field “name”." in page_errors(body)
    assert run_state(run) == before


def test_a_cancelled_run_refuses_another_preset_or_mapping_with_a_reason(admin_client):
    upload(admin_client)
    run = ImportRun.objects.get()
    admin_client.post(reverse("imports:run-cancel", kwargs={"pk": run.pk}))
    before = run_state(run)

    detail = reverse("imports:run-detail", kwargs={"pk": run.pk})

    another_preset = admin_client.post(detail, {"kind": "customer", "preset": ""}, follow=True)
    a_mapping = admin_client.post(detail, mapping_post(), follow=True)

    for response in (another_preset, a_mapping):
        assert response.redirect_chain == [(detail, 302)]
        assert (
            '<li class="message error">This import is cancelled; that step is no longer possible.'
            in response.content.decode()
        )
    assert run_state(run)[0] == "cancelled"
    assert run_state(run) == before


# --- the preview ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "reason"), [("en", "required, but empty"), ("zh-hans", "必填，但为空")],
    ids=["en", "zh-hans"],
)  # fmt: skip
def test_the_preview_marks_a_blank_required_cell_in_the_first_rows(admin_client, language, reason):
    upload(admin_client, content=EXPORT.replace("00Q1,王伟,", "00Q1,,"))
    run = ImportRun.objects.get()

    response = admin_client.get(
        reverse("imports:run-detail", kwargs={"pk": run.pk}), headers={"accept-language": language}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-problem="{reason}"></td>' in body


# --- the history of imports from the command line -------------------------------------------


@pytest.mark.parametrize(
    ("language", "by"), [("en", "command line"), ("zh-hans", "命令行")], ids=["en", "zh-hans"]
)
def test_an_import_from_the_command_line_shows_in_the_history(admin_client, tmp_path, language, by):
    path = tmp_path / "leads.csv"
    path.write_text(EXPORT, encoding="utf-8")
    call_command("import_crm", str(path), "--skip-invalid", stdout=io.StringIO())
    run = ImportRun.objects.get()
    headers = {"accept-language": language}

    history = admin_client.get(reverse("imports:run-list"), headers=headers)
    detail = admin_client.get(reverse("imports:run-detail", kwargs={"pk": run.pk}), headers=headers)
    errors = admin_client.get(
        reverse("imports:run-errors", kwargs={"pk": run.pk, "file_format": "xlsx"}), headers=headers
    )

    assert (run.created_by, run.status, run.rejected_count) == (None, "done", 1)
    assert (history.status_code, detail.status_code, errors.status_code) == (200, 200, 200)
    assert f"<td>{by}</td>" in history.content.decode()
    assert "<h1>leads.csv</h1>" in detail.content.decode()


def test_a_too_wide_row_past_the_sampled_start_is_a_rejected_row_of_the_check(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 512)  # the sniff sees the first rows only
    rows = "".join(
        f"00Q{number},王伟,某公司,Web,Open - Not Contacted,2024-03-01 09:00,华南\n"
        for number in range(10, 40)
    )
    upload(admin_client, content=EXPORT + rows + "00Q99,王,伟,某公司,Web,Open,2024-03-01,华南\n")
    run = ImportRun.objects.get()
    detail = reverse("imports:run-detail", kwargs={"pk": run.pk})

    with django_capture_on_commit_callbacks(execute=True):
        check = admin_client.post(detail, mapping_post())
    run.refresh_from_db()
    summary = admin_client.get(detail).content.decode()

    assert check.status_code == 302
    wide_row = {"row": 35, "column": "", "value": "", "reason": "8 fields; the header has 7"}
    assert (run.status, run.rows_total) == ("validated", 34)
    assert wide_row in run.error_sample
    assert "8 fields; the header has 7" in summary
    assert Lead.objects.count() == 0


def test_a_mapping_without_a_record_id_is_checked_only_once_the_admin_confirms_it(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client)
    run = ImportRun.objects.get()
    detail = reverse("imports:run-detail", kwargs={"pk": run.pk})

    refused = admin_client.post(detail, mapping_post(column_0=""))  # "Lead ID" ignored
    body = refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(detail, mapping_post(column_0="", without_record_id="on"))
    run.refresh_from_db()

    assert refused.status_code == 400
    assert 'id="no-record-id"' in body
    assert (
        "No column holds the record's id in your CRM. Without one, rows are matched by their "
        "content, so each later export of an updated record adds a second record. Map the id "
        "column, or tick “This file has no record id” to import it anyway."
    ) in page_errors(body)
    assert confirmed.status_code == 302
    assert (run.status, run.mapping["without_record_id"]) == ("validated", True)
