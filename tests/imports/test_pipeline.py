"""One pass over a file: validation before any write, all or nothing, re-import is a no-op."""

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection
from django.utils import timezone

from salesopt.core.models import Lead, Region
from salesopt.imports import readers
from salesopt.imports.pipeline import ImportPlan, _months, process, read_ahead
from salesopt.imports.presets import Combine
from salesopt.imports.schema import RecordKind
from salesopt.imports.writers import StagingTable
from tests.conftest import require
from tests.factories import CustomerFactory, ImportRunFactory, RegionFactory, UserFactory

from .test_writer import table_shape

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("load_path")]

HEADER = "Lead ID,Name,Created,Region,Owner,Amount,Status\n"
GOOD_ROWS = (
    'L1,王伟,2024/3/1 14:05,华南,rep@example.com,"¥12,800.00",Working - Contacted\n'
    'L2,=HYPERLINK("http://x"),2024-03-02 09:00,华南,,1.5万,Closed - Converted\n'
)
BAD_ROWS = "L3,李娜,yesterday,华中,nobody@example.com,abc,Open\n"
COLUMNS = {
    "Lead ID": "external_id",
    "Name": "name",
    "Created": "created_at",
    "Region": "region",
    "Owner": "owner",
    "Amount": "amount",
    "Status": "status",
}
STATUSES = {"Working - Contacted": "contacted", "Closed - Converted": "converted", "Open": "new"}


@pytest.fixture
def known_people():
    RegionFactory(name="华南", code="south")
    return UserFactory(username="rep", email="rep@example.com")


def plan_for(tmp_path, text: str, **options) -> ImportPlan:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return ImportPlan(
        path=path,
        sniffed=readers.sniff(path),
        kind=RecordKind.LEAD,
        source="salesforce",
        columns=COLUMNS,
        value_maps={"status": STATUSES},
        zone="Asia/Shanghai",
        **options,
    )


def test_valid_file_imports_every_row_with_coerced_values(tmp_path, known_people):
    outcome = process(plan_for(tmp_path, HEADER + GOOD_ROWS), run_id=None, write=True,
                      skip_invalid=False)  # fmt: skip

    first = Lead.objects.get(external_id="L1")
    assert (outcome.rows, outcome.created, outcome.updated, outcome.rejected) == (2, 2, 0, 0)
    assert first.created_in_crm_at == dt.datetime(2024, 3, 1, 6, 5, tzinfo=dt.UTC)
    assert (first.amount, first.status, first.owner) == (
        Decimal("12800.00"),
        "contacted",
        known_people,
    )
    assert Lead.objects.get(external_id="L2").amount == Decimal("15000.00")
    assert Lead.objects.get(external_id="L2").name == '=HYPERLINK("http://x")'
    assert outcome.months == {dt.date(2024, 3, 1)}


def test_invalid_rows_without_skip_write_nothing_and_say_why(tmp_path, known_people):
    outcome = process(plan_for(tmp_path, HEADER + GOOD_ROWS + BAD_ROWS), run_id=None,
                      write=True, skip_invalid=False)  # fmt: skip

    reasons = {(error.row, error.column): error.reason for error in outcome.error_sample}
    assert Lead.objects.count() == 0
    assert outcome.wrote is False
    assert (outcome.rejected, outcome.created) == (1, 2)  # the counts of what would happen
    assert set(reasons) == {(4, "Created"), (4, "Region"), (4, "Owner"), (4, "Amount")}
    assert (
        reasons[(4, "Region")]
        == "unknown here; tick “create unknown” (--create-missing on the command line) to add it"
    )


def test_skip_invalid_imports_the_valid_rows_only(tmp_path, known_people):
    outcome = process(plan_for(tmp_path, HEADER + GOOD_ROWS + BAD_ROWS), run_id=None,
                      write=True, skip_invalid=True)  # fmt: skip

    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["L1", "L2"]
    assert (outcome.created, outcome.rejected) == (2, 1)
    assert outcome.error_report.read_text(encoding="utf-8").count("\n") == 4


def test_dry_run_validates_and_counts_but_writes_nothing(tmp_path, known_people):
    outcome = process(plan_for(tmp_path, HEADER + GOOD_ROWS), run_id=None, write=False,
                      skip_invalid=False)  # fmt: skip

    assert (outcome.created, outcome.wrote) == (2, False)
    assert Lead.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing(tmp_path, known_people):
    plan = plan_for(tmp_path, HEADER + GOOD_ROWS)
    process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)

    again = process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_create_missing_adds_unknown_regions_and_owners(tmp_path, known_people):
    row = "L4,赵敏,2024-03-05 10:00,华中,新人 张三,100,Open\n"

    outcome = process(plan_for(tmp_path, HEADER + row, create_missing=True), run_id=None,
                      write=True, skip_invalid=False)  # fmt: skip

    lead = Lead.objects.get(external_id="L4")
    assert outcome.rejected == 0
    assert lead.region == Region.objects.get(name="华中")
    assert lead.owner.profile.display_name == "新人 张三"
    assert not lead.owner.has_usable_password()


def test_duplicate_ids_keep_the_last_row_and_the_report_says_so(tmp_path, known_people):
    rows = GOOD_ROWS + "L1,王伟 (new),2024-03-01 14:05,华南,,1,Open\n"

    outcome = process(plan_for(tmp_path, HEADER + rows), run_id=None, write=True,
                      skip_invalid=False)  # fmt: skip

    assert Lead.objects.get(external_id="L1").name == "王伟 (new)"
    assert outcome.duplicates == 1
    assert outcome.error_sample[0].reason == "the same id appears again in row 4; the last row wins"


def test_an_export_without_an_id_column_gets_stable_ids(tmp_path, known_people):
    text = "Name,Created,Region\n王伟,2024-03-01 14:05,华南\n李娜,2024-03-02 09:00,华南\n"
    path = tmp_path / "no-ids.csv"
    path.write_text(text, encoding="utf-8")
    plan = ImportPlan(
        path=path,
        sniffed=readers.sniff(path),
        kind=RecordKind.LEAD,
        source="odoo",
        columns={"Name": "name", "Created": "created_at", "Region": "region"},
        value_maps={},
    )
    first = process(plan, run_id=None, write=True, skip_invalid=False)

    again = process(plan, run_id=None, write=True, skip_invalid=False)

    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    assert all(i.startswith("row-") for i in Lead.objects.values_list("external_id", flat=True))


def test_first_and_last_name_columns_are_joined(tmp_path, known_people):
    text = "Lead ID,First Name,Last Name,Created\nL1,Lei,Wang,2024-03-01\nL2,磊,王,2024-03-01\n"
    path = tmp_path / "names.csv"
    path.write_text(text, encoding="utf-8")
    plan = ImportPlan(
        path=path,
        sniffed=readers.sniff(path),
        kind=RecordKind.LEAD,
        source="salesforce",
        columns={
            "Lead ID": "external_id",
            "First Name": "name",
            "Last Name": "name",
            "Created": "created_at",
        },
        value_maps={},
        combine=(Combine("name", ("First Name", "Last Name"), cjk_reversed=True),),
    )

    process(plan, run_id=None, write=True, skip_invalid=False)

    assert dict(Lead.objects.values_list("external_id", "name")) == {"L1": "Lei Wang", "L2": "王磊"}


def chunks_of(monkeypatch, rows: int) -> None:
    """Read files `rows` at a time, so a small file streams as several chunks (one COPY)."""
    read_chunks = readers.read_chunks
    monkeypatch.setattr(
        readers, "read_chunks", lambda path, sniffed: read_chunks(path, sniffed, chunk_rows=rows)
    )


def test_a_file_refused_after_some_chunks_were_staged_writes_nothing(
    tmp_path, known_people, monkeypatch
):
    chunks_of(monkeypatch, 10_000)
    # The bad row in the middle: past the parser's first read-ahead buffer, and out of the
    # head and tail that the sniff checks, so it surfaces mid-stream.
    rows = "".join(f"L{n},王伟,2024-03-02 09:00,华南,,100,Open\n" for n in range(60_000))
    loaded = []
    load = StagingTable.load

    def counted_load(table, frame):
        loaded.append(len(frame))
        load(table, frame)

    monkeypatch.setattr(StagingTable, "load", counted_load)

    # A quote never closed refuses the file when the parser reaches it (a row that is merely
    # too wide is a rejected row, see test_a_row_with_thousands_of_fields_is_a_rejected_row).
    never_closed = 'L-open,"never closed,2024-03-02 09:00,华南,,100,Open\n'
    with pytest.raises(readers.UnreadableFile):
        process(plan_for(tmp_path, HEADER + rows + never_closed + rows),
                run_id=None, write=True, skip_invalid=True)  # fmt: skip

    assert len(loaded) > 1, "the refusal came before a COPY was under way"
    assert not Lead.objects.exists()
    # The aborted COPY left the connection usable: the next import goes through.
    first_rows = "".join(rows.splitlines(keepends=True)[:1_000])
    outcome = process(plan_for(tmp_path, HEADER + first_rows), run_id=None, write=True,
                      skip_invalid=False)  # fmt: skip
    assert outcome.created == Lead.objects.count() == 1_000


def test_a_row_with_thousands_of_fields_is_a_rejected_row(tmp_path, known_people):
    wide = ",".join(["x"] * 12_000) + "\n"
    text = HEADER + GOOD_ROWS + wide + "L4,赵敏,2024-03-03 10:00,华南,,100,Open\n"

    outcome = process(plan_for(tmp_path, text), run_id=None, write=True, skip_invalid=True)

    assert (outcome.rows, outcome.created, outcome.rejected) == (4, 3, 1)
    assert [error.as_dict() for error in outcome.error_sample] == [
        {"row": 4, "column": "", "value": "", "reason": "12,000 fields; the header has 7"}
    ]
    assert set(Lead.objects.values_list("external_id", flat=True)) == {"L1", "L2", "L4"}


def test_create_missing_works_across_chunks(tmp_path, known_people, monkeypatch):
    chunks_of(monkeypatch, 2)
    rows = "".join(
        f"L{n},王伟,2024-03-02 09:00,{region},,100,Open\n"
        for n, region in enumerate(["华南", "华南", "华东", "华南", "西南", "华东"], start=20)
    )

    outcome = process(plan_for(tmp_path, HEADER + rows, create_missing=True), run_id=None,
                      write=True, skip_invalid=False)  # fmt: skip

    assert outcome.created == 6
    assert set(Region.objects.values_list("name", flat=True)) == {"华南", "华东", "西南"}


def test_read_ahead_hands_over_every_chunk_in_order_then_the_readers_error():
    def chunks():
        yield "first"
        yield "second"
        raise readers.UnreadableFile("Row 3 could not be read.", code="malformed")

    received = []
    with pytest.raises(readers.UnreadableFile, match="Row 3"):
        for chunk in read_ahead(chunks()):
            received.append(chunk)

    assert received == ["first", "second"]


def test_stopping_early_stops_the_reader_and_closes_its_file():
    closed = threading.Event()

    def endless():
        try:
            while True:
                yield "chunk"
        finally:
            closed.set()

    chunks = read_ahead(endless())
    assert next(chunks) == "chunk"
    chunks.close()

    assert closed.is_set()
    assert not [t for t in threading.enumerate() if t.name == "salesopt-import-read"]


def test_a_large_first_load_goes_straight_into_its_table_and_gives_it_back_whole(
    tmp_path, known_people, load_path
):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    before = table_shape("core_lead")
    rows = GOOD_ROWS + BAD_ROWS + "L1,王伟 (new),2024-03-01 14:05,华南,,1,Open\n"
    statements = []

    def record(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    run, started = ImportRunFactory(), timezone.now()
    with connection.execute_wrapper(record):
        outcome = process(plan_for(tmp_path, HEADER + rows), run_id=run.pk,
                          write=True, skip_invalid=True)  # fmt: skip

    went_direct = not any("salesopt_import_staging" in sql for sql in statements)
    assert went_direct == (load_path == "direct")
    assert (outcome.created, outcome.rejected, outcome.duplicates) == (2, 1, 1)
    assert dict(Lead.objects.values_list("external_id", "name")) == {
        "L1": "王伟 (new)",
        "L2": '=HYPERLINK("http://x")',
    }
    # What every row shares (the direct load gives it as the columns' defaults).
    shared = set(Lead.objects.values_list("source", "created_by_import", "changed_by_import"))
    assert shared == {("salesforce", run.pk, run.pk)}
    stamps = set(Lead.objects.values_list("created_at", "updated_at"))
    assert len(stamps) == 1 and started <= min(next(iter(stamps))) <= timezone.now()
    duplicate = next(e for e in outcome.error_sample if e.value == "L1")
    assert (duplicate.row, duplicate.reason) == (
        2, "the same id appears again in row 5; the last row wins"
    )  # fmt: skip
    assert table_shape("core_lead") == before
    # The key came back: a second import of the source is staged, and changes nothing.
    again = process(plan_for(tmp_path, HEADER + rows), run_id=None, write=True,
                    skip_invalid=True)  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_file_with_a_customer_column_is_staged_even_on_a_large_first_load(
    tmp_path, known_people, load_path
):
    # Customers are matched by joins to the staged rows (by id, then by name).
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    customer = CustomerFactory(source="salesforce", external_id="C9", name="华南科技")
    text = "Lead ID,Name,Created,Account\nL1,王伟,2024-03-01,C9\nL2,李娜,2024-03-01,华南科技\n"
    columns = {"Lead ID": "external_id", "Name": "name", "Created": "created_at",
               "Account": "customer"}  # fmt: skip
    plan = dataclasses.replace(plan_for(tmp_path, text), columns=columns)

    process(plan, run_id=None, write=True, skip_invalid=False)

    assert set(Lead.objects.values_list("customer", flat=True)) == {customer.pk}


def test_a_salesforce_id_matches_its_record_in_its_15_and_18_character_forms(
    tmp_path, known_people
):
    report = HEADER + "00Q5g00000A1bCd,王伟,2024-03-01 09:00,华南,,100,Open\n"
    data_loader = HEADER + "00Q5g00000A1bCdEAJ,王伟,2024-03-01 09:00,华南,,100,Open\n"

    first = process(plan_for(tmp_path, report), run_id=None, write=True, skip_invalid=False)
    again = process(plan_for(tmp_path, data_loader), run_id=None, write=True, skip_invalid=False)

    assert (first.created, again.created, again.unchanged) == (1, 0, 1)
    assert list(Lead.objects.values_list("external_id", flat=True)) == ["00Q5g00000A1bCdEAJ"]


def test_an_id_in_scientific_notation_is_a_rejected_row(tmp_path, known_people):
    text = HEADER + GOOD_ROWS + "8.01234E+14,李娜,2024-03-03 10:00,华南,,100,Open\n"

    outcome = process(plan_for(tmp_path, text), run_id=None, write=True, skip_invalid=True)

    assert (outcome.created, outcome.rejected) == (2, 1)
    assert outcome.error_sample[0].as_dict() == {
        "row": 4, "column": "Lead ID", "value": "8.01234E+14",
        "reason": "an id that Excel turned into scientific notation: its digits are lost; "
                  "export the column as text",
    }  # fmt: skip


def test_a_creation_date_after_the_upload_is_a_rejected_row(tmp_path, known_people):
    uploaded = dt.datetime(2026, 11, 15, 1, 45, tzinfo=dt.UTC)  # 09:45 in Shanghai
    rows = (
        "L1,王伟,2026-11-15 23:00,华南,,100,Open\n"  # later that day: within the tolerance
        "L2,李娜,2026-11-20 09:00,华南,,100,Open\n"  # five days after the upload
    )

    outcome = process(plan_for(tmp_path, HEADER + rows, received_at=uploaded), run_id=None,
                      write=True, skip_invalid=True)  # fmt: skip

    assert (outcome.created, outcome.rejected) == (1, 1)
    assert outcome.error_sample[0].as_dict() == {
        "row": 3, "column": "Created", "value": "2026-11-20 09:00",
        "reason": "in the future: later than the upload (2026-11-15 09:45)",
    }  # fmt: skip


def test_an_import_touches_every_month_the_kpis_read_its_records_by():
    # An opportunity created in January and won in March: its win counts in March.
    deals = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-10 09:00"]).tz_localize("UTC"),
            "expected_close": [dt.date(2024, 2, 28)],
            "closed_at": pd.to_datetime(["2024-03-05 23:30"]).tz_localize("UTC"),
        }
    )

    assert _months(deals, RecordKind.OPPORTUNITY) == {
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 1),  # 07:30 on 6 March in Shanghai
    }
