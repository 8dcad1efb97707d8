"""A large first seed is a bulk load (indexes and keys dropped, rows inserted, all rebuilt), as
the CRM import's; the demo company it writes is the one a row-by-row upsert writes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from salesopt.core import bulk
from salesopt.core.models import Customer, Lead, Opportunity, Order

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Customer, Lead, Opportunity, Order)}


def indexes(table: str) -> set[str]:
    """Each index's definition, with the casts and brackets PostgreSQL adds when it prints a
    partial index's condition taken out: a rebuilt index prints its own reprint differently
    (`('new'::character varying)::text` becomes `'new'::text`) though it is the same index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {_unprinted(row[0]) for row in cursor.fetchall()}


def _unprinted(definition: str) -> str:
    for noise in ("::character varying", "::text[]", "::text", "(", ")"):
        definition = definition.replace(noise, "")
    return definition


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("bulk loading is PostgreSQL's")


def test_a_bulk_loaded_first_seed_equals_the_upserted_one_and_keeps_its_indexes(
    postgres, monkeypatch
):
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    upserted = counts()
    lead_indexes = indexes("core_lead")
    call_command("flush", interactive=False, verbosity=0)

    monkeypatch.setattr("salesopt.core.bulk.BULK_LOAD_MIN_ROWS", 1)  # every first load is bulk
    bulk_loaded = []
    drop = bulk.drop_indexes_and_keys

    def noted_drop(cursor, table):
        bulk_loaded.append(table)
        return drop(cursor, table)

    monkeypatch.setattr(bulk, "drop_indexes_and_keys", noted_drop)
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)

    assert {"core_lead", "core_customer", "core_order"} <= set(bulk_loaded)
    assert counts() == upserted
    assert indexes("core_lead") == lead_indexes
    # A second run upserts: nothing new, nothing lost.
    call_command("seed_demo", scale=0.02, seed=7, verbosity=0)
    assert counts() == upserted
