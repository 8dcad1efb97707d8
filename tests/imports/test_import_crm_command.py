"""`manage.py import_crm`: JSON on the last line, exit 0 / 1 / 2, all or nothing."""

import io
import json

import pytest
from django.core.management import call_command

from salesopt.core.models import Lead
from salesopt.imports.models import ImportRun
from salesopt.imports.readers import content as content_module
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Lead Owner,Region\n"
ROWS = (
    "00Q1,王伟,深圳市伟业科技有限公司,Web,Working - Contacted,2024-03-01 14:05,"
    "rep@example.com,华南\n"
    '00Q2,李娜,"广州, 南沙分公司",Trade Show,Open - Not Contacted,2024/3/2 9:00,,华南\n'
)
BAD_ROW = "00Q3,赵敏,某公司,Web,Open - Not Contacted,not a date,,华南\n"


@pytest.fixture(autouse=True)
def company():
    RegionFactory(name="华南", code="south")
    UserFactory(username="rep", email="rep@example.com")


def run_command(*args: str) -> tuple[int, dict, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_crm", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    lines = out.getvalue().strip().splitlines()
    return code, (json.loads(lines[-1]) if lines else {}), err.getvalue().strip()


def write(tmp_path, text: str, name: str = "leads.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_a_valid_export_imports_and_prints_the_counts(tmp_path):
    code, result, _ = run_command(write(tmp_path, HEADER + ROWS), "--preset", "salesforce.lead")

    assert code == 0
    assert result == {
        "kind": "lead",
        "source": "salesforce",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    assert Lead.objects.get(external_id="00Q1").owner.username == "rep"


def test_reimporting_the_same_file_creates_and_updates_nothing(tmp_path):
    path = write(tmp_path, HEADER + ROWS)
    run_command(path, "--preset", "salesforce.lead")

    code, result, _ = run_command(path, "--preset", "salesforce.lead")

    assert (code, result["created"], result["updated"], result["unchanged"]) == (0, 0, 0, 2)


def test_invalid_rows_exit_1_and_write_nothing(tmp_path):
    code, result, _ = run_command(write(tmp_path, HEADER + ROWS + BAD_ROW), "--preset",
                                  "salesforce.lead")  # fmt: skip

    assert code == 1
    assert Lead.objects.count() == 0
    assert result["rejected"] == 1
    assert result["errors"][0]["row"] == 4
    assert result["errors"][0]["column"] == "Created Date"
    assert result["errors"][0]["value"] == "not a date"


def test_skip_invalid_imports_the_rest(tmp_path):
    code, result, _ = run_command(
        write(tmp_path, HEADER + ROWS + BAD_ROW), "--preset", "salesforce.lead", "--skip-invalid"
    )

    assert (code, result["created"], result["rejected"]) == (0, 2, 1)
    assert Lead.objects.count() == 2


def test_dry_run_writes_nothing(tmp_path):
    code, result, _ = run_command(write(tmp_path, HEADER + ROWS), "--dry-run")

    assert (code, result["created"], Lead.objects.count()) == (0, 2, 0)


def test_gb18030_export_is_read_correctly(tmp_path):
    code, result, _ = run_command(write(tmp_path, HEADER + ROWS, encoding="gb18030"))

    assert (code, result["created"]) == (0, 2)
    assert Lead.objects.get(external_id="00Q2").company_name == "广州, 南沙分公司"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary"),
        (HEADER.encode(), "header"),
    ],
)
def test_unusable_files_exit_2_with_a_reason_and_leave_nothing(tmp_path, content, reason):
    path = tmp_path / "leads.csv"
    path.write_bytes(content)

    code, result, error = run_command(str(path))

    assert code == 2
    assert result == {}
    assert reason.lower() in error.lower()
    assert "\n" not in error
    assert ImportRun.objects.count() == 0


def test_a_missing_file_exits_2(tmp_path):
    code, _, error = run_command(str(tmp_path / "nope.csv"))

    assert (code, error.endswith("no such file")) == (2, True)


@pytest.mark.parametrize(
    ("kind", "text", "error"),
    [
        (
            "lead",
            "Lead ID,Name,Created at,First response at\n"
            "L1,王伟,2024-03-02 09:00,2024-03-01 09:00\n"
            "L2,李娜,2024-03-02 09:00,2024-03-02 10:00\n",
            {
                "row": 2,
                "column": "First response at",
                "value": "2024-03-01 09:00",
                "reason": "earlier than the lead was created",
            },
        ),
        (
            "complaint",
            "Complaint ID,Created at,Complaint Type,Satisfaction\n"
            "K1,2024-03-01,service,7\nK2,2024-03-01,service,4\n",
            {"row": 2, "column": "Satisfaction", "value": "7", "reason": "not between 1 and 5"},
        ),
        (
            "target",
            "Period start,Grain,Amount\n2024-03-01,month,-5\n2024-04-01,month,5\n",
            {"row": 2, "column": "Amount", "value": "-5", "reason": "must not be negative"},
        ),
    ],
)
def test_a_row_the_database_would_refuse_is_reported_not_fatal(tmp_path, kind, text, error):
    # The database's CHECK constraints would fail the whole import on such a row.
    path = write(tmp_path, text, name=f"{kind}.csv")

    code, result, _ = run_command(path, "--kind", kind)
    assert (code, result["errors"], result["rejected"]) == (1, [error], 1)

    code, result, _ = run_command(path, "--kind", kind, "--skip-invalid")
    assert (code, result["created"], result["rejected"]) == (0, 1, 1)


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry-run"])
def test_a_too_wide_row_past_the_sample_is_a_rejected_row_and_the_others_import(
    tmp_path, monkeypatch, dry_run
):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 256)  # the sniff sees the first rows only
    rows = "".join(
        f"00Q{number},王伟,某公司,Web,Open,2024-03-01,,华南\n" for number in range(10, 30)
    )
    path = write(tmp_path, HEADER + ROWS + rows + "00Q99,王,伟,某公司,Web,Open,2024-03-01,,华南\n")

    code, result, error = run_command(path, "--preset", "salesforce.lead", "--skip-invalid",
                                      *dry_run)  # fmt: skip

    assert (code, error) == (0, "")
    assert {"row": 24, "column": "", "value": "", "reason": "9 fields; the header has 8"} in (
        result["errors"]
    )
    assert Lead.objects.filter(external_id="00Q99").count() == 0


def test_create_missing_creates_the_unknown_regions_and_owners(tmp_path):
    text = HEADER + "00Q7,周杰,北方机械,Web,Open - Not Contacted,2024-03-05 10:20,Zhou Lei,华北\n"
    path = write(tmp_path, text)

    refused, first, _ = run_command(path, "--preset", "salesforce.lead")
    created, second, _ = run_command(path, "--preset", "salesforce.lead", "--create-missing")

    assert (refused, first["rejected"]) == (1, 1)
    assert {error["reason"] for error in first["errors"]} == {
        "unknown here; tick “create unknown” (--create-missing on the command line) to add it"
    }
    assert (created, second["created"], second["rejected"]) == (0, 1, 0)
    lead = Lead.objects.select_related("owner__profile", "region").get(external_id="00Q7")
    assert (lead.region.name, lead.owner.profile.display_name) == ("华北", "Zhou Lei")


def test_a_file_without_a_record_id_needs_no_record_id_to_import(tmp_path):
    text = "Name,Company,Lead Source,Lead Status,Created Date\n王伟,伟业科技,Web,Open,2024-03-01\n"
    path = write(tmp_path, text)

    refused, result, error = run_command(path, "--kind", "lead")
    imported, counts, _ = run_command(path, "--kind", "lead", "--no-record-id")

    assert (refused, result) == (2, {})
    assert error == (
        "No column holds the record's id in your CRM. Without one, rows are matched by their "
        "content, so each later export of an updated record adds a second record. Map the id "
        "column, or run again with --no-record-id to import it anyway."
    )
    assert (imported, counts["created"]) == (0, 1)
    assert ImportRun.objects.count() == 1  # the refused file left nothing behind
