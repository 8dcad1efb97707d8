"""The writer: upsert in place, re-import is a no-op, previous values kept, duplicates, refs."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from salesopt.core.models import Activity, Lead
from salesopt.imports.models import PreviousValues
from salesopt.imports.schema import RecordKind, Reference
from salesopt.imports.writers import StagingTable
from tests.conftest import require
from tests.factories import ImportRunFactory, LeadFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LEAD_REFERENCES = {
    "region": Reference.REGION,
    "product_line": Reference.PRODUCT_LINE,
    "owner": Reference.USER,
    "customer": Reference.CUSTOMER,
}


def lead_frame(rows: list[dict]) -> pd.DataFrame:
    defaults = {
        "company_name": "",
        "channel": "",
        "campaign": "",
        "industry": "",
        "company_size": "",
        "urgency": "",
        "crm_grade": "",
        "region_id": pd.NA,
        "product_line_id": pd.NA,
        "owner_id": pd.NA,
        "status": "new",
        "first_response_at": pd.NaT,
        "won_at": pd.NaT,
        "lost_at": pd.NaT,
        "amount": None,
        "customer_ref": "",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    for column in ("region_id", "product_line_id", "owner_id"):
        frame[column] = frame[column].astype("Int64")
    for column in ("created_in_crm_at", "first_response_at", "won_at", "lost_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def import_leads(frame: pd.DataFrame, *, run_id=None, source="crm"):
    staging = StagingTable(RecordKind.LEAD, source=source, references=LEAD_REFERENCES)
    with transaction.atomic():
        staging.create()
        staging.load(frame)
        duplicates = staging.duplicates()
        staging.keep_last_of_duplicates()
        counts = staging.write(run_id=run_id)
        staging.drop()
    return counts, duplicates


def two_leads(**changes) -> pd.DataFrame:
    region = RegionFactory(name="华南", code="south")
    return lead_frame(
        [
            {
                "row_number": 2,
                "external_id": "L1",
                "name": "王伟",
                "region_id": region.pk,
                "created_in_crm_at": "2024-03-01 06:05:00+00:00",
                "amount": "12800.00",
                **changes,
            },
            {
                "row_number": 3,
                "external_id": "L2",
                "name": '=HYPERLINK("http://x","y")',
                "created_in_crm_at": "2024-03-02 01:00:00+00:00",
            },
        ]
    )


def test_first_import_creates_every_row_with_its_values():
    counts, _ = import_leads(two_leads())

    first = Lead.objects.get(external_id="L1")
    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    assert first.name == "王伟"
    assert first.region.name == "华南"
    assert first.amount == Decimal("12800.00")
    assert first.created_in_crm_at == dt.datetime(2024, 3, 1, 6, 5, tzinfo=dt.UTC)
    assert Lead.objects.get(external_id="L2").name == '=HYPERLINK("http://x","y")'


@pytest.mark.postgres
def test_times_keep_their_instant_whatever_the_session_time_zone():
    # They travel to the COPY as UTC text with an explicit offset, to the microsecond, so a
    # session in another zone (or a frame in the company's zone) reads them the same.
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    frame = two_leads(first_response_at="2024-03-01 14:35:00.123456+08:00")
    frame["created_in_crm_at"] = frame["created_in_crm_at"].dt.tz_convert("Asia/Shanghai")
    staging = StagingTable(RecordKind.LEAD, source="crm", references=LEAD_REFERENCES)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TIME ZONE 'America/New_York'")
        staging.create()
        staging.load(frame)
        staging.write(run_id=None)

    first = Lead.objects.get(external_id="L1")
    assert first.created_in_crm_at == dt.datetime(2024, 3, 1, 6, 5, tzinfo=dt.UTC)
    assert first.first_response_at == dt.datetime(2024, 3, 1, 6, 35, 0, 123456, tzinfo=dt.UTC)
    assert Lead.objects.get(external_id="L2").first_response_at is None


def test_reimporting_the_same_rows_changes_nothing():
    frame = two_leads()
    import_leads(frame)
    before = list(Lead.objects.order_by("id").values("id", "updated_at"))

    counts, _ = import_leads(frame)

    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)
    assert list(Lead.objects.order_by("id").values("id", "updated_at")) == before


def test_a_changed_row_is_updated_in_place_and_its_previous_values_kept():
    first_run, second_run = ImportRunFactory(), ImportRunFactory()
    import_leads(two_leads(), run_id=first_run.pk)
    original_id = Lead.objects.get(external_id="L1").pk

    counts, _ = import_leads(two_leads(name="王伟 (VIP)", amount="13000.00"), run_id=second_run.pk)

    lead = Lead.objects.get(external_id="L1")
    previous = PreviousValues.objects.get(run=second_run).values
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 1)
    assert (lead.pk, lead.name, lead.amount) == (original_id, "王伟 (VIP)", Decimal("13000.00"))
    assert lead.changed_by_import == second_run.pk
    assert lead.created_by_import == first_run.pk
    assert previous["name"] == "王伟"
    assert Decimal(str(previous["amount"])) == Decimal("12800.00")


def test_the_same_id_twice_in_a_file_keeps_the_last_row():
    frame = lead_frame(
        [
            {
                "row_number": 2,
                "external_id": "L1",
                "name": "first",
                "created_in_crm_at": "2024-03-01",
            },
            {
                "row_number": 5,
                "external_id": "L1",
                "name": "last",
                "created_in_crm_at": "2024-03-01",
            },
        ]
    )

    counts, duplicates = import_leads(frame)

    assert duplicates == [("L1", [2, 5])]
    assert counts.created == 1
    assert Lead.objects.get(external_id="L1").name == "last"


def test_a_large_reference_is_resolved_by_external_id_in_the_same_source():
    LeadFactory(source="crm", external_id="L9")
    LeadFactory(source="other", external_id="L8")
    rep = UserFactory(username="rep")
    staging = StagingTable(
        RecordKind.ACTIVITY,
        source="crm",
        references={"rep": Reference.USER, "lead": Reference.LEAD, "customer": Reference.CUSTOMER},
    )
    frame = pd.DataFrame(
        {
            "row_number": [2, 3],
            "external_id": ["A1", "A2"],
            "kind": ["call", "visit"],
            "rep_id": pd.array([rep.pk, None], dtype="Int64"),
            "lead_ref": ["L9", "L8"],
            "customer_ref": ["", ""],
            "occurred_at": pd.to_datetime(["2024-03-01 08:00", "2024-03-02 08:00"], utc=True),
            "subject": ["", ""],
        }
    )
    with transaction.atomic():
        staging.create()
        staging.load(frame)
        unresolved = staging.unresolved_references()
        staging.delete_rows([row for row, _, _ in unresolved])
        staging.write(run_id=None)

    assert unresolved == [(3, "lead", "L8")]
    assert Activity.objects.get().lead.external_id == "L9"


@pytest.mark.postgres
def test_a_chunk_that_fails_on_its_way_into_the_copy_aborts_it_and_is_reported(monkeypatch):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    staging = StagingTable(RecordKind.LEAD, source="crm", references=LEAD_REFERENCES)
    frame = two_leads()
    to_csv = staging._csv
    converted = []

    def failing_on_the_second_chunk(chunk):
        converted.append(len(chunk))
        if len(converted) == 2:
            raise ValueError("this chunk cannot be written")
        return to_csv(chunk)

    monkeypatch.setattr(staging, "_csv", failing_on_the_second_chunk)

    with pytest.raises(ValueError, match="cannot be written"), transaction.atomic():
        staging.create()
        with staging.loading():
            for _chunk in range(3):
                staging.load(frame)
        staging.write(run_id=None)

    assert not Lead.objects.exists()
    with connection.cursor() as cursor:  # the aborted COPY left the connection usable
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def table_shape(table: str) -> tuple[set, set, set]:
    """The table's index definitions, constraint definitions and column defaults, by name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef "
            "WHERE adrelid = %s::regclass",
            [table],
        )
        return indexes, constraints, set(cursor.fetchall())


@pytest.mark.postgres
def test_a_bulk_first_load_gives_the_table_back_with_every_index_and_constraint(monkeypatch):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    monkeypatch.setattr("salesopt.core.bulk.BULK_LOAD_MIN_ROWS", 1)
    before = table_shape("core_lead")
    statements = []

    def record(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        counts, _ = import_leads(two_leads())

    assert counts.created == 2
    assert any("DROP INDEX" in sql for sql in statements), "the bulk path did not run"
    assert table_shape("core_lead") == before
    # The (source, external id) key, built again, still refuses a duplicate.
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(source="crm", external_id="L1", name="dup",
                            created_in_crm_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))  # fmt: skip
