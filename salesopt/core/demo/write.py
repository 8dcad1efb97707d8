"""Upsert column frames into the CRM tables, keyed by (source="demo", external_id).

PostgreSQL: COPY into a temporary staging table, then one `INSERT … SELECT … ON CONFLICT DO
UPDATE … WHERE … IS DISTINCT FROM …`, which also turns other demo rows' external ids into
foreign keys with joins; an unchanged row is not rewritten, so a second run changes nothing. A
large first seed of a table is a bulk load, as the CRM import's is (salesopt.core.bulk): its
indexes and keys are dropped, the rows inserted, and everything built again once.
SQLite: `bulk_create(update_conflicts=True)` in batches, foreign keys mapped in Python with one
query per referenced table.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Model

from salesopt.core.bulk import bulk_load, has_rows_of

from .catalog import SOURCE
from .frames import NO_NUMBER, Frame, row_count
from .timeline import NO_TIME

# Objects built per bulk_create call; Django splits them further for SQLite's parameter limit.
SQLITE_BATCH_SIZE = 5_000

Lookups = dict[str, np.ndarray]


class Kind(enum.Enum):
    TEXT = enum.auto()
    INTEGER = enum.auto()
    INDEX = enum.auto()  # a number the lookups turn into a database id
    REFERENCE = enum.auto()  # another demo row's external id
    TIME = enum.auto()
    DATE = enum.auto()
    MONEY = enum.auto()


STAGING_TYPES = {
    Kind.TEXT: "text",
    Kind.INTEGER: "integer",
    Kind.INDEX: "bigint",
    Kind.REFERENCE: "text",
    Kind.TIME: "timestamptz",
    Kind.DATE: "date",
    Kind.MONEY: "numeric(14, 2)",
}


@dataclass(frozen=True)
class Column:
    field: str
    kind: Kind
    lookup: str = ""


@dataclass(frozen=True)
class Table:
    model: type[Model]
    columns: tuple[Column, ...]

    def field(self, column: Column) -> Any:
        return self.model._meta.get_field(column.field)


def check_foreign_keys_per_statement() -> None:
    """Check foreign keys as each upsert ends, not all at commit.

    Django declares PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED: a million-lead seed
    would otherwise queue millions of checks and spend a silent minute in COMMIT.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def upsert(table: Table, frame: Frame, lookups: Lookups) -> int:
    """Insert or update the frame's rows; returns the rows written (PostgreSQL) or sent."""
    if not row_count(frame):
        return 0
    if connection.vendor == "postgresql":
        return _copy_upsert(table, frame, lookups)
    return _bulk_upsert(table, frame, lookups)


def _copy_upsert(table: Table, frame: Frame, lookups: Lookups) -> int:
    quote = connection.ops.quote_name
    stage = quote(f"demo_stage_{table.model._meta.db_table}")
    definitions = ", ".join(f"{quote(c.field)} {STAGING_TYPES[c.kind]}" for c in table.columns)
    names = ", ".join(quote(c.field) for c in table.columns)
    columns = [frame["external_id"].tolist()]
    columns += [_postgres_values(c, frame[c.field], lookups) for c in table.columns]
    target = table.model._meta.db_table  # plain: pg_indexes and regclass look it up as is
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} (external_id text, {definitions})")
        with cursor.copy(f"COPY {stage} (external_id, {names}) FROM STDIN") as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
        if has_rows_of(cursor, target, SOURCE):
            cursor.execute(_insert_sql(table, stage), {"source": SOURCE})
        else:
            # A first seed: every row is new, so no conflict to resolve, and a large one is a
            # bulk load (the unique key comes back at the end and would refuse a duplicate).
            with bulk_load(cursor, target, row_count(frame)):
                cursor.execute(_insert_sql(table, stage, first=True), {"source": SOURCE})
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE {stage}")
    return written


def _insert_sql(table: Table, stage: str, *, first: bool = False) -> str:
    quote = connection.ops.quote_name
    target = quote(table.model._meta.db_table)
    targets, selects, joins = [], [], []
    for number, column in enumerate(table.columns):
        field = table.field(column)
        targets.append(quote(field.column))
        if column.kind is Kind.REFERENCE:
            alias = f"reference_{number}"
            joins.append(
                f"LEFT JOIN {quote(field.related_model._meta.db_table)} {alias}"
                f" ON {alias}.source = %(source)s AND {alias}.external_id = s.{quote(column.field)}"
            )
            selects.append(f"{alias}.id")
        else:
            selects.append(f"s.{quote(column.field)}")
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*targets, "updated_at"])
    current = ", ".join(f"{target}.{name}" for name in targets)
    incoming = ", ".join(f"EXCLUDED.{name}" for name in targets)
    columns = ", ".join(targets)
    # The wall clock, not now() (the transaction's start): a row rewritten later in the same
    # transaction, or by a second run inside a test's transaction, shows a later updated_at.
    stamp = "clock_timestamp()"
    # Identifiers come from model metadata and values are parameters: nothing user-supplied.
    insert = (
        f"INSERT INTO {target} (source, external_id, created_at, updated_at, {columns})"  # noqa: S608
        f" SELECT %(source)s, s.external_id, {stamp}, {stamp}, {', '.join(selects)}"
        f" FROM {stage} s {' '.join(joins)}"
    )
    if first:
        return insert
    return (
        f"{insert} ON CONFLICT (source, external_id) DO UPDATE SET {updates}"
        f" WHERE ({current}) IS DISTINCT FROM ({incoming})"
    )


def _postgres_values(column: Column, values: np.ndarray, lookups: Lookups) -> list:
    """Plain Python values for COPY; times go as UTC ISO text, so the session zone is moot."""
    if column.kind is Kind.TIME:
        missing = values == NO_TIME
        seconds = np.where(missing, 0, values).astype("datetime64[s]")
        texts = np.datetime_as_string(seconds, unit="s", timezone="UTC").astype(object)
        return _with_nulls(texts, missing)
    if column.kind is Kind.DATE:
        missing = np.isnat(values)
        return _with_nulls(np.datetime_as_string(values).astype(object), missing)
    return _common_values(column, values, lookups)


def _common_values(column: Column, values: np.ndarray, lookups: Lookups) -> list:
    if column.kind is Kind.INDEX:
        ids = lookups[column.lookup][np.maximum(values, 0)]
        return _with_nulls(ids.astype(object), values < 0)
    if column.kind in (Kind.INTEGER, Kind.MONEY):
        return _with_nulls(values.astype(object), values == NO_NUMBER)
    return values.tolist()


def _with_nulls(values: np.ndarray, missing: np.ndarray) -> list:
    values = values.astype(object)
    values[missing] = None
    return values.tolist()


def _bulk_upsert(table: Table, frame: Frame, lookups: Lookups) -> int:
    model = table.model
    attnames = ["external_id", *(table.field(column).attname for column in table.columns)]
    columns = [frame["external_id"].tolist()]
    columns += [
        _sqlite_values(table, column, frame[column.field], lookups) for column in table.columns
    ]
    for batch in _batches(zip(*columns, strict=True), SQLITE_BATCH_SIZE):
        model._default_manager.bulk_create(
            [model(source=SOURCE, **dict(zip(attnames, row, strict=True))) for row in batch],
            update_conflicts=True,
            unique_fields=["source", "external_id"],
            update_fields=[column.field for column in table.columns],
        )
    return row_count(frame)


def _sqlite_values(table: Table, column: Column, values: np.ndarray, lookups: Lookups) -> list:
    if column.kind is Kind.TIME:
        return [
            None if seconds == NO_TIME else dt.datetime.fromtimestamp(seconds, dt.UTC)
            for seconds in values.tolist()
        ]
    if column.kind is Kind.DATE:
        return values.astype(object).tolist()
    if column.kind is Kind.MONEY:
        return [None if amount == NO_NUMBER else Decimal(amount) for amount in values.tolist()]
    if column.kind is Kind.REFERENCE:
        ids = _reference_ids(table.field(column).related_model, values)
        return [ids.get(reference) for reference in values.tolist()]
    return _common_values(column, values, lookups)


def _reference_ids(model: type[Model], references: np.ndarray) -> dict[str, int]:
    """Database ids of the referenced demo rows, in one range query (external ids sort)."""
    present = [reference for reference in references.tolist() if reference is not None]
    if not present:
        return {}
    rows = model._default_manager.filter(
        source=SOURCE, external_id__gte=min(present), external_id__lte=max(present)
    )
    return dict(rows.values_list("external_id", "id"))


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
