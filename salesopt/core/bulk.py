"""Bulk loading, for the CRM import and the demo seeder alike.

A large first load into a table drops its indexes, keys and foreign keys and builds them again
at the end, inside the same transaction (as PostgreSQL's guide to populating a database
advises); the columns' defaults carry what every row shares."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as arrow_csv
from django.db import connection
from psycopg import sql


def has_rows_of(cursor: Any, table: str, source: str) -> bool:
    """Whether `table` holds any record imported from `source`."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE source = %s)", [source])
    return bool(cursor.fetchone()[0])


BULK_LOAD_MIN_ROWS = 100_000


def estimated_rows(cursor: Any, table: str) -> int:
    cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                   [table])  # fmt: skip
    return int(cursor.fetchone()[0])


@contextmanager
def bulk_load(
    cursor: Any, table: str, new_rows: int, *, min_rows: int | None = None
) -> Iterator[None]:
    """Around an insert of many rows into a table not much bigger: drop its secondary indexes
    and foreign keys first and build them again after, as PostgreSQL's guide to populating a
    database advises. Maintaining five indexes and four foreign keys row by row cost 26 s of a
    million-row insert; building them afterwards costs a few. It is all one transaction, so a
    failure or a killed worker leaves the table with its indexes as it was. The table is locked
    for writes and reads meanwhile: worth it for a first load, not for a weekly update.
    `min_rows` lowers the bar (BULK_LOAD_MIN_ROWS) where the lock is held anyway.
    """
    if not worth_bulk_loading(cursor, table, new_rows, min_rows=min_rows):
        yield
        return
    dropped = drop_indexes_and_keys(cursor, table)
    yield
    rebuild_indexes_and_keys(cursor, table, dropped)


def worth_bulk_loading(
    cursor: Any, table: str, new_rows: int, *, min_rows: int | None = None
) -> bool:
    return (
        connection.vendor == "postgresql"
        and new_rows >= (BULK_LOAD_MIN_ROWS if min_rows is None else min_rows)
        and new_rows >= estimated_rows(cursor, table)
    )


@dataclass(frozen=True)
class Dropped:
    """What `drop_indexes_and_keys` dropped, as (name, definition) pairs."""

    indexes: list[tuple[str, str]]
    unique_keys: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str]]


def drop_indexes_and_keys(cursor: Any, table: str) -> Dropped:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    # The (source, external id) key too: building it once sorted costs less than a million
    # inserts into it (0.5 s against 1.3 s here). Nothing can slip a duplicate in meanwhile:
    # the rows are deduplicated before the key comes back, only new ids are written, the table
    # is locked, and building the key again fails (rolling everything back) should one be
    # there after all.
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    unique_keys = cursor.fetchall()
    for name, _ in [*foreign_keys, *unique_keys]:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return Dropped(indexes, unique_keys, foreign_keys)


def column_defaults(cursor: Any, table: str, columns: list[str]) -> dict[str, str | None]:
    """The DEFAULT expression of each of `columns` (None: no default)."""
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [table, columns],
    )
    return dict(cursor.fetchall())


def set_column_defaults(cursor: Any, table: str, values: dict[str, Any]) -> None:
    """Column defaults for a COPY that leaves those columns out (DDL takes no parameters:
    the values go in as escaped literals)."""
    raw = connection.connection
    changes = ", ".join(
        f"ALTER COLUMN {connection.ops.quote_name(column)} SET DEFAULT "
        f"{sql.Literal(value).as_string(raw)}"
        for column, value in values.items()
    )
    cursor.execute(f"ALTER TABLE {table} {changes}")


def restore_column_defaults(cursor: Any, table: str, defaults: dict[str, str | None]) -> None:
    changes = ", ".join(
        f"ALTER COLUMN {connection.ops.quote_name(column)} "
        + (f"SET DEFAULT {expression}" if expression is not None else "DROP DEFAULT")
        for column, expression in defaults.items()
    )
    cursor.execute(f"ALTER TABLE {table} {changes}")


def rebuild_indexes_and_keys(cursor: Any, table: str, dropped: Dropped) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in dropped.indexes:
        cursor.execute(definition)
    for name, definition in [*dropped.unique_keys, *dropped.foreign_keys]:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def csv_of(frame: pd.DataFrame) -> memoryview:
    """`frame` as COPY's CSV. Arrow writes it in C++; COPY parses it in C: no Python loop per
    row."""
    # One thread: a pool started per chunk cost more than it saved, beside the other threads.
    table = utc_times_as_text(pa.Table.from_pandas(frame, preserve_index=False, nthreads=1))
    buffer = io.BytesIO()
    arrow_csv.write_csv(table, buffer, write_options=arrow_csv.WriteOptions(include_header=False))
    return buffer.getbuffer()


def utc_times_as_text(table: pa.Table) -> pa.Table:
    """Zone-aware times as UTC text with an explicit offset ("2024-03-01 06:05:00.000000+00").

    Arrow's CSV writer formats a zone-aware time at about a microsecond each, twenty times its
    cost for the rest of a row: two time columns took two thirds of a million leads' CSV. As
    plain UTC text they cost a twentieth, and the offset keeps them exact whatever the
    session's time zone.
    """
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            utc_wall_time = table.column(index).cast(pa.timestamp(field.type.unit))
            text = pc.binary_join_element_wise(utc_wall_time.cast(pa.string()), "+00", "")
            table = table.set_column(index, field.name, text)
    return table
