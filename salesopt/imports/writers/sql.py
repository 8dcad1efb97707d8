"""What the writers share: the staged columns, the counts, the CSV thread and the SQL pieces
that resolve references and compare rows, in PostgreSQL's and SQLite's dialects."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import connection

from ..schema import FieldType, Reference
from ..tables import ColumnSpec

STAGING = "salesopt_import_staging"


SQLITE_BATCH_ROWS = 1_000  # SQLite binds at most 32766 parameters per statement


LARGE_REFERENCE_TABLES = {
    Reference.LEAD: "core_lead",
    Reference.CUSTOMER: "core_customer",
    Reference.OPPORTUNITY: "core_opportunity",
}


STAGING_TYPES = {
    FieldType.TEXT: "text",
    FieldType.CHOICE: "text",
    FieldType.DATETIME: "timestamptz",
    FieldType.DATE: "date",
    FieldType.DECIMAL: "numeric(14, 2)",
    FieldType.INTEGER: "integer",
    FieldType.PERCENT: "integer",
}


@dataclass(frozen=True)
class StagedColumn:
    """A staging column: resolved ids for small references, external ids for large ones."""

    spec: ColumnSpec
    reference: Reference | None

    @property
    def name(self) -> str:
        return f"{self.spec.field}_ref" if self.is_large_reference else self.spec.column

    @property
    def is_large_reference(self) -> bool:
        return self.reference in LARGE_REFERENCE_TABLES

    @property
    def is_text(self) -> bool:
        return self.spec.type in (FieldType.TEXT, FieldType.CHOICE) or self.is_large_reference

    @property
    def sql_type(self) -> str:
        if self.is_large_reference:
            return "text"
        if self.reference is not None:
            return "bigint"
        return STAGING_TYPES[self.spec.type]


@dataclass(frozen=True)
class WriteCounts:
    created: int
    updated: int
    unchanged: int


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class CsvFeeder:
    """Staged frames → CSV → the open COPY, on a thread of its own.

    Arrow converts a frame to CSV and libpq sends it without holding the GIL, so Python coerces
    the next chunk meanwhile: the stages overlap instead of following one another. At most two
    frames wait, and a write blocks while the server is behind, so memory stays flat. (psycopg's
    QueuedLibpqWriter, tried first, was no faster and queues up to 128 MB of its own.)
    """

    def __init__(self, copy: Any, to_csv: Callable[[pd.DataFrame], memoryview]) -> None:
        self._frames: queue.Queue[pd.DataFrame | None] = queue.Queue(maxsize=2)
        self._error: Exception | None = None
        self._thread = threading.Thread(
            target=self._run, args=(copy, to_csv), name="salesopt-import-csv", daemon=True
        )
        self._thread.start()

    def _run(self, copy: Any, to_csv: Callable[[pd.DataFrame], memoryview]) -> None:
        while (frame := self._frames.get()) is not None:
            if self._error is None:  # after a failure, drain the queue so `put` never blocks
                try:
                    copy.write(to_csv(frame))
                except Exception as error:
                    self._error = error

    def put(self, frame: pd.DataFrame) -> None:
        self._raise_failure()
        self._frames.put(frame)

    def close(self, *, discard: bool = False) -> None:
        """Wait until every frame went to the COPY (raise the thread's failure, if any); with
        `discard`, stop without converting what still waits."""
        if discard:
            self._error = self._error or DiscardedError()
        self._frames.put(None)
        self._thread.join()
        if not discard:
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error


class DiscardedError(Exception):
    """Internal: tells the CSV thread to drop the frames still waiting."""


def reference_join(column: StagedColumn, alias: str) -> str:
    assert column.reference is not None  # only large references are joined
    return (
        f"LEFT JOIN {LARGE_REFERENCE_TABLES[column.reference]} {alias} "
        f"ON {alias}.source = %s AND {alias}.external_id = s.{column.name}"
    )


def reference_id(column: StagedColumn, alias: str) -> str:
    """The referenced id: by external id; a customer also by its exact name, as Chinese CRMs'
    order and deal exports give it (the first such customer when two share a name).

    A blank cell names no customer: without the CASE the name lookup ran for every row of a
    leads file without a customer column, 2 s a million rows once the table has customers.
    """
    if column.reference is not Reference.CUSTOMER:
        return f"{alias}.id"
    return (
        f"COALESCE({alias}.id, CASE WHEN s.{column.name} <> '' THEN (SELECT min(named.id) "
        f"FROM core_customer named WHERE named.source = %s AND named.name = s.{column.name}) "
        "END)"
    )


def placeholders(column: StagedColumn) -> int:
    return 2 if column.reference is Reference.CUSTOMER else 1


@contextmanager
def hash_anti_join(cursor: Any) -> Iterator[None]:
    """Around the insert of new rows: a table believed empty (never analysed, or truncated)
    tempts PostgreSQL into a nested loop that rescans the table once per staged row while the
    insert grows it (a million-row first import ran for over 17 minutes). A hash anti-join
    reads the table once, before any row goes in."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET LOCAL enable_nestloop = off")
    yield
    cursor.execute("SET LOCAL enable_nestloop = on")


def values_column() -> str:
    # "values" is a reserved word in SQL; Django quotes the model field's column for us.
    return connection.ops.quote_name("values")


def sqlite_rows(frame: pd.DataFrame, columns: tuple[StagedColumn, ...]) -> list[tuple[Any, ...]]:
    """Rows as Python values stored exactly as Django stores them in SQLite (UTC, ISO text)."""
    converted = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            is_date = any(c.name == name and c.spec.type is FieldType.DATE for c in columns)
            utc = series.dt.tz_convert("UTC") if series.dt.tz is not None else series
            if is_date:
                values = utc.dt.strftime("%Y-%m-%d").astype(object)
            else:
                # Django writes microseconds only when there are some; equal text, equal value.
                seconds = utc.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
                micro = utc.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(object)
                values = seconds.where(utc.dt.microsecond.eq(0), micro)
            converted.append(values.where(series.notna(), None).tolist())
        else:
            converted.append(series.astype(object).where(series.notna(), None).tolist())
    return list(zip(*converted, strict=True))
