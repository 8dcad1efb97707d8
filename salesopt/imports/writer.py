"""The last stage: land validated rows in the database, fast, in place, and revertible.

Rows stream into a temporary staging table (PostgreSQL: one COPY for the whole file, fed by a
thread of its own, so the server parses and stores one chunk while Python coerces the next;
SQLite: batched inserts). A few set-based statements then do the rest inside the caller's
transaction: references to large tables (leads, customers, opportunities) are resolved by joins,
duplicate ids keep their last row, the values of rows about to change are kept for a revert,
changed rows are updated and new rows inserted. A row equal to the database's is not touched
(`IS DISTINCT FROM`), so re-importing the same file writes nothing. The two dialects differ only
in loading, row comparison and JSON.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as arrow_csv
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg import sql

from .schema import SCHEMAS, FieldType, RecordKind, Reference
from .tables import TABLES, ColumnSpec, TableSpec

STAGING = "salesopt_import_staging"
SQLITE_BATCH_ROWS = 1_000  # SQLite binds at most 32766 parameters per statement
LARGE_REFERENCE_TABLES = {
    Reference.LEAD: "core_lead",
    Reference.CUSTOMER: "core_customer",
    Reference.OPPORTUNITY: "core_opportunity",
}
_STAGING_TYPES = {
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
        return _STAGING_TYPES[self.spec.type]


@dataclass(frozen=True)
class WriteCounts:
    created: int
    updated: int
    unchanged: int


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


class _CsvFeeder:
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
            self._error = self._error or _DiscardedError()
        self._frames.put(None)
        self._thread.join()
        if not discard:
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error


class _DiscardedError(Exception):
    """Internal: tells the CSV thread to drop the frames still waiting."""


class StagingTable:
    """The temporary table one import loads into, and the statements that write from it."""

    def __init__(self, kind: RecordKind, *, source: str, references: dict[str, Reference]) -> None:
        self.kind = kind
        self.source = source
        self.table: TableSpec = TABLES[kind]
        self.columns = tuple(
            StagedColumn(spec, references.get(spec.field)) for spec in self.table.columns
        )
        self.names = ("row_number", "external_id", *(column.name for column in self.columns))
        # Every placeholder of the reference joins binds the same value, the source.
        self._source_placeholders = sum(
            _placeholders(column) for column in self.columns if column.is_large_reference
        )
        self._stream: Any = None  # the open COPY, between `load` and `end_loading`
        self._stream_stack: ExitStack | None = None
        self._feeder: _CsvFeeder | None = None
        # Whether any staged row names a lead, customer or deal: if none does, there is
        # nothing to look up (a pass over every staged row saved).
        self._names_large_references = False

    # --- loading ----------------------------------------------------------------------------

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The staged columns holding text: a blank is '' in the database, never NULL."""
        return ("external_id", *(column.name for column in self.columns if column.is_text))

    def frame(self, canonical: pd.DataFrame) -> pd.DataFrame:
        """Staging columns from canonical fields (indexed by row number, references as ids).

        Blank text stays missing here: the COPY reads it as '' (FORCE_NOT_NULL), SQLite's
        inserts fill it in. Filling every text column of every chunk cost the main thread
        0.4 s a million rows.
        """
        staged = {
            "row_number": pd.Series(canonical.index, index=canonical.index, dtype="int64"),
            "external_id": canonical["external_id"].astype("str"),
        }
        for column in self.columns:
            values = canonical[column.spec.field]
            if column.is_text:
                values = values.astype("str")
                if column.spec.blank_default is not None:
                    default = column.spec.blank_default
                    values = values.fillna(default)
                    values = values.where(values.ne(""), default)
            elif column.spec.blank_default is not None:
                number = float(column.spec.blank_default)
                is_integer = pd.api.types.is_integer_dtype(values.dtype)
                values = values.fillna(int(number) if is_integer else number)
            staged[column.name] = values
        return pd.DataFrame(staged, index=canonical.index)

    def create(self) -> None:
        definitions = ", ".join(f"{column.name} {column.sql_type}" for column in self.columns)
        suffix = " ON COMMIT DROP" if _is_postgres() else ""
        with self._cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} "
                f"(row_number bigint NOT NULL, external_id text NOT NULL, {definitions}){suffix}"
            )

    def load(self, frame: pd.DataFrame) -> None:
        """Append rows; `frame` holds the staging columns (see `names`), already valid.

        On PostgreSQL the rows go into a COPY that stays open across calls: no other statement
        may run on the connection until `end_loading` (use `loading()` around the calls).
        """
        if frame.empty:
            return
        if not self._names_large_references:
            self._names_large_references = any(
                frame[column.name].fillna("").astype("str").ne("").any()
                for column in self.columns
                if column.is_large_reference
            )
        if _is_postgres():
            self._csv_feeder().put(frame)
        else:
            self._insert(frame)

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Around the `load` calls: ends the COPY at the end, or aborts it on an error (the
        caller's transaction then rolls back without a half-loaded staging table)."""
        try:
            yield
        except BaseException as error:
            self.end_loading(error)
            raise
        self.end_loading()

    def end_loading(self, error: BaseException | None = None) -> None:
        """Finish the open COPY, if any, waiting for the server to store what was queued; or,
        after `error`, abort it. A failure of the CSV thread aborts the COPY and is raised."""
        feeder, stack = self._feeder, self._stream_stack
        self._feeder, self._stream_stack, self._stream = None, None, None
        if feeder is not None:
            try:
                feeder.close(discard=error is not None)
            except Exception as feeding_error:
                if stack is not None:
                    stack.__exit__(type(feeding_error), feeding_error, feeding_error.__traceback__)
                raise
        if stack is not None:
            if error is None:
                stack.close()
            else:
                stack.__exit__(type(error), error, error.__traceback__)

    def _csv_feeder(self) -> _CsvFeeder:
        if self._feeder is None:
            self._feeder = _CsvFeeder(self._copy_stream(), self._csv)
        return self._feeder

    def _cursor(self) -> Any:
        """A cursor for a statement of its own: the COPY of `load`, if still open, ends first."""
        self.end_loading()
        return connection.cursor()

    def _copy_stream(self) -> Any:
        if self._stream is None:
            stack = ExitStack()
            cursor = stack.enter_context(connection.connection.cursor())
            table, columns = self._copy_target()
            text_columns = set(self.text_columns)
            text = [name for name in columns if name in text_columns]
            self._stream = stack.enter_context(
                cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN "
                    f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(text)}))"
                )
            )
            self._stream_stack = stack
        return self._stream

    def _copy_target(self) -> tuple[str, tuple[str, ...]]:
        """The table the COPY of `load` writes into, and its columns."""
        return STAGING, self.names

    def _csv(self, frame: pd.DataFrame) -> memoryview:
        return _csv_of(frame[list(self.names)])

    def _insert(self, frame: pd.DataFrame) -> None:
        filled = frame.fillna(dict.fromkeys(self.text_columns, ""))
        rows = _sqlite_rows(filled[list(self.names)], self.columns)
        placeholders = ", ".join(["%s"] * len(self.names))
        statement = f"INSERT INTO {STAGING} ({', '.join(self.names)}) VALUES ({placeholders})"
        with self._cursor() as cursor:
            for start in range(0, len(rows), SQLITE_BATCH_ROWS):
                cursor.executemany(statement, rows[start : start + SQLITE_BATCH_ROWS])

    def drop(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")

    # --- checks before writing --------------------------------------------------------------

    def unresolved_references(self) -> list[tuple[int, str, str]]:
        """(row, canonical field, value) of each large reference that names no record."""
        problems: list[tuple[int, str, str]] = []
        if not self._names_large_references:
            return problems
        with self._cursor() as cursor:
            for column in self.columns:
                if not column.is_large_reference:
                    continue
                cursor.execute(
                    f"SELECT s.row_number, s.{column.name} FROM {STAGING} s "
                    f"{_reference_join(column, 'r')} "
                    f"WHERE s.{column.name} <> '' AND {_reference_id(column, 'r')} IS NULL "
                    f"ORDER BY s.row_number",
                    [self.source] * _placeholders(column),
                )
                problems += [(row, column.spec.field, value) for row, value in cursor.fetchall()]
        return problems

    def create_missing_customers(self, *, run_id: int | None) -> int:
        """Customers named in the file but unknown here, created by name (orders and deals in
        Chinese CRMs' exports name their customer rather than give its id)."""
        column = next((c for c in self.columns if c.reference is Reference.CUSTOMER), None)
        if column is None or not self._names_large_references:
            return 0
        now = timezone.now()
        with self._cursor() as cursor:
            cursor.execute(
                "INSERT INTO core_customer (source, external_id, name, industry, company_size, "
                "created_at, updated_at, created_by_import, changed_by_import) "
                "SELECT %s, 'name:' || substr(missing.name, 1, 120), missing.name, '', '', "
                "%s, %s, %s, %s FROM (SELECT DISTINCT s." + column.name + " AS name "
                f"FROM {STAGING} s {_reference_join(column, 'r')} "
                f"WHERE s.{column.name} <> '' AND {_reference_id(column, 'r')} IS NULL) missing",
                [self.source, now, now, run_id, run_id, *[self.source] * _placeholders(column)],
            )
            return int(cursor.rowcount)

    def delete_rows(self, row_numbers: list[int]) -> None:
        with self._cursor() as cursor:
            for start in range(0, len(row_numbers), SQLITE_BATCH_ROWS):
                batch = row_numbers[start : start + SQLITE_BATCH_ROWS]
                placeholders = ", ".join(["%s"] * len(batch))
                cursor.execute(f"DELETE FROM {STAGING} WHERE row_number IN ({placeholders})", batch)

    def duplicates(self) -> list[tuple[str, list[int]]]:
        """Ids that occur on more than one row, with their rows; the last row wins."""
        with self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) - count(DISTINCT external_id) FROM {STAGING}")
            if not cursor.fetchone()[0]:
                return []
            cursor.execute(
                f"SELECT external_id, row_number FROM {STAGING} WHERE external_id IN "
                f"(SELECT external_id FROM {STAGING} GROUP BY external_id HAVING count(*) > 1) "
                f"ORDER BY external_id, row_number"
            )
            rows: dict[str, list[int]] = {}
            for external_id, row_number in cursor.fetchall():
                rows.setdefault(external_id, []).append(row_number)
        return list(rows.items())

    def keep_last_of_duplicates(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {STAGING} WHERE EXISTS (SELECT 1 FROM {STAGING} later "
                f"WHERE later.external_id = {STAGING}.external_id "
                f"AND later.row_number > {STAGING}.row_number)"
            )

    def row_count(self) -> int:
        with self._cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {STAGING}")
            return int(cursor.fetchone()[0])

    # --- writing ----------------------------------------------------------------------------

    def write(self, *, run_id: int | None) -> WriteCounts:
        """Update changed rows (keeping their previous values), insert new ones; count both."""
        self._analyze()
        total = self.row_count()
        new_rows, changed_rows = self._new_and_changed()
        # Each statement below joins every staged row to the table: skipped when it has
        # nothing to do (an unchanged re-import skips both).
        updated = self._update_changed(run_id) if changed_rows else 0
        created = self._insert_new(run_id, new_rows) if new_rows else 0
        return WriteCounts(created=created, updated=updated, unchanged=total - created - updated)

    def _analyze(self) -> None:
        """Statistics for the planner: temporary tables are never analysed automatically, and
        without them PostgreSQL plans a million staged rows as a few hundred."""
        if _is_postgres():
            with self._cursor() as cursor:
                # A sample of 3,000 rows rather than 30,000: the plans need the row count and
                # rough value counts, not fine histograms (0.35 s a million rows before).
                cursor.execute("SET LOCAL default_statistics_target = 10")
                cursor.execute(f"ANALYZE {STAGING}")
                cursor.execute("RESET default_statistics_target")

    def preview(self) -> WriteCounts:
        """What `write` would do, without writing: for the dry run."""
        total = self.row_count()
        created, updated = self._new_and_changed()
        return WriteCounts(created=created, updated=updated, unchanged=total - created - updated)

    def _new_and_changed(self) -> tuple[int, int]:
        """How many staged rows are new, and how many differ from their row: one join."""
        with self._cursor() as cursor:
            # A first import of this source: every staged row is new, no need to compare them.
            if not _has_rows_of(cursor, self.table.table, self.source):
                return self.row_count(), 0
            cursor.execute(
                "SELECT count(*) FILTER (WHERE t.id IS NULL), "
                f"count(*) FILTER (WHERE t.id IS NOT NULL AND {self._differs('t', 'r')}) "
                f"FROM ({self._resolved_select()}) r LEFT JOIN {self.table.table} t "
                "ON t.source = %s AND t.external_id = r.external_id",
                self._params(self.source),
            )
            new_rows, changed_rows = cursor.fetchone()
        return new_rows, changed_rows

    def _resolved_select(self) -> str:
        """Staging rows with large references swapped for ids (parameter: the source)."""
        selects = ["s.row_number", "s.external_id"]
        joins = []
        for index, column in enumerate(self.columns):
            if column.is_large_reference:
                alias = f"ref{index}"
                joins.append(_reference_join(column, alias))
                selects.append(f"{_reference_id(column, alias)} AS {column.spec.column}")
            else:
                selects.append(f"s.{column.name}")
        return f"SELECT {', '.join(selects)} FROM {STAGING} s {' '.join(joins)}"

    def _params(self, *extra: object) -> list[object]:
        return [self.source] * self._source_placeholders + list(extra)

    def _existing(self, alias: str) -> str:
        return (
            f"SELECT 1 FROM {self.table.table} t WHERE t.source = %s "
            f"AND t.external_id = {alias}.external_id"
        )

    def _differs(self, left: str, right: str) -> str:
        columns = self.table.value_columns
        if _is_postgres():
            left_row = ", ".join(f"{left}.{c}" for c in columns)
            right_row = ", ".join(f"{right}.{c}" for c in columns)
            return f"ROW({left_row}) IS DISTINCT FROM ROW({right_row})"
        return "NOT (" + " AND ".join(f"{left}.{c} IS {right}.{c}" for c in columns) + ")"

    def _json_of(self, alias: str) -> str:
        columns = [*self.table.value_columns, "updated_at", "changed_by_import"]
        function = "jsonb_build_object" if _is_postgres() else "json_object"
        pairs = ", ".join(f"'{column}', {alias}.{column}" for column in columns)
        return f"{function}({pairs})"

    def _update_changed(self, run_id: int | None) -> int:
        if _is_postgres() and run_id is not None:
            return self._update_changed_keeping_previous(run_id)
        resolved = self._resolved_select()
        with self._cursor() as cursor:
            if run_id is not None:
                cursor.execute(
                    f"INSERT INTO imports_previousvalues (run_id, record_id, {_values_column()}) "
                    f"SELECT %s, t.id, {self._json_of('t')} FROM {self.table.table} t "
                    f"JOIN ({resolved}) r ON t.source = %s AND t.external_id = r.external_id "
                    f"WHERE {self._differs('t', 'r')}",
                    [run_id, *self._params(self.source)],
                )
            cursor.execute(
                f"UPDATE {self.table.table} SET {self._assignments()}, updated_at = %s, "
                f"changed_by_import = %s FROM ({resolved}) r "
                f"WHERE {self.table.table}.source = %s "
                f"AND {self.table.table}.external_id = r.external_id "
                f"AND {self._differs(self.table.table, 'r')}",
                [timezone.now(), run_id, *self._params(self.source)],
            )
            return int(cursor.rowcount)

    def _update_changed_keeping_previous(self, run_id: int) -> int:
        """PostgreSQL: one pass that updates the changed rows and keeps their previous values.

        Joining the table to itself (`previous`) in UPDATE … FROM reads each row as it was
        before the update, so RETURNING hands back the old values: the comparison with the
        file runs once instead of twice (a re-import of a million unchanged rows saves ~2 s).
        """
        table = self.table.table
        with self._cursor() as cursor:
            cursor.execute(
                f"WITH changed AS (UPDATE {table} SET {self._assignments()}, updated_at = %s, "
                f"changed_by_import = %s FROM ({self._resolved_select()}) r, {table} previous "
                f"WHERE {table}.source = %s AND {table}.external_id = r.external_id "
                f"AND previous.id = {table}.id AND {self._differs(table, 'r')} "
                f"RETURNING {table}.id, {self._json_of('previous')} AS old_values) "
                f"INSERT INTO imports_previousvalues (run_id, record_id, {_values_column()}) "
                f"SELECT %s, id, old_values FROM changed",
                [timezone.now(), run_id, *self._params(self.source), run_id],
            )
            return int(cursor.rowcount)

    def _assignments(self) -> str:
        return ", ".join(f"{column} = r.{column}" for column in self.table.value_columns)

    def _insert_new(self, run_id: int | None, new_rows: int) -> int:
        columns = self.table.value_columns
        now = timezone.now()
        with (
            self._cursor() as cursor,
            _bulk_load(cursor, self.table.table, new_rows),
            _hash_anti_join(cursor),
        ):
            cursor.execute(
                f"INSERT INTO {self.table.table} (source, external_id, {', '.join(columns)}, "
                f"created_at, updated_at, created_by_import, changed_by_import) "
                f"SELECT %s, r.external_id, {', '.join(f'r.{c}' for c in columns)}, "
                f"%s, %s, %s, %s FROM ({self._resolved_select()}) r "
                f"WHERE NOT EXISTS ({self._existing('r')})",
                [self.source, now, now, run_id, run_id, *self._params(self.source)],
            )
            return int(cursor.rowcount)


class DirectLoad(StagingTable):
    """A large first load of a source, COPYed straight into the record table (PostgreSQL).

    With no row of the source in the table yet, every row is new: the staging table and the
    `INSERT … SELECT` out of it (3.7 s of a million leads, row by row where COPY writes in
    batches) would only copy the rows a second time. The table's indexes, key and foreign keys
    are dropped first and built again at the end, inside the import's transaction, as for any
    bulk load. Ids repeated in the file are found in the table, and their earlier rows deleted,
    before the (source, external id) key comes back. Only for files whose large references
    (leads, customers, deals) are not mapped: those are resolved by joins to the staged rows.
    """

    def __init__(self, kind: RecordKind, *, source: str, references: dict[str, Reference],
                 run_id: int | None) -> None:  # fmt: skip
        super().__init__(kind, source=source, references=references)
        self._loaded: list[np.ndarray] = []  # row numbers, in the order the COPY wrote them
        self._removed = 0
        self._dropped: _Dropped | None = None
        self._earlier_of_duplicates: list[int] = []
        self._all_ids: np.ndarray | None = None
        # What every row shares goes in as the columns' defaults for the load, not as text in
        # every CSV row: formatting and parsing two timestamps a row cost the CSV thread and
        # the server more than the rest of a lead.
        now = timezone.now()
        self._shared = {"source": self.source, "created_at": now, "updated_at": now,
                        "created_by_import": run_id, "changed_by_import": run_id}  # fmt: skip
        self._defaults_before: dict[str, str | None] | None = None
        self._target_columns = (
            "external_id",
            *(c.spec.column for c in self.columns if not c.is_large_reference),
        )

    @classmethod
    def suits(cls, kind: RecordKind, *, source: str, estimated_rows: int,
              mapped_fields: set[str]) -> bool:  # fmt: skip
        """A first load of `source`, large enough to bulk-load, without large references."""
        if connection.vendor != "postgresql" or kind not in TABLES:
            return False
        schema_references = {f.name: f.references for f in SCHEMAS[kind].fields}
        if any(schema_references.get(name) in LARGE_REFERENCE_TABLES for name in mapped_fields):
            return False
        table = TABLES[kind].table
        with connection.cursor() as cursor:
            if not worth_bulk_loading(cursor, table, estimated_rows):
                return False
            return not _has_rows_of(cursor, table, source)

    def create(self) -> None:
        with self._cursor() as cursor:
            self._dropped = _drop_indexes_and_keys(cursor, self.table.table)
            self._defaults_before = _column_defaults(cursor, self.table.table, list(self._shared))
            _set_column_defaults(cursor, self.table.table, self._shared)

    def load(self, frame: pd.DataFrame) -> None:
        if not frame.empty:
            self._loaded.append(frame["row_number"].to_numpy(dtype=np.int64))
        super().load(frame)

    def _copy_target(self) -> tuple[str, tuple[str, ...]]:
        return self.table.table, self._target_columns

    def _csv(self, frame: pd.DataFrame) -> memoryview:
        # A staged column is named as the table's, large references aside (which `suits` rules
        # out of a direct load).
        return _csv_of(frame[list(self._target_columns)])

    def drop(self) -> None:
        """Nothing to drop: there is no staging table."""

    # --- checks before writing --------------------------------------------------------------

    def unresolved_references(self) -> list[tuple[int, str, str]]:
        return []  # `suits` admits no large reference

    def create_missing_customers(self, *, run_id: int | None) -> int:
        return 0  # nor customers named by the file

    def _loaded_rows(self) -> np.ndarray:
        """The row numbers written, in file order (ascending), as the COPY wrote them."""
        return np.concatenate(self._loaded) if self._loaded else np.empty(0, np.int64)

    def _ids(self) -> np.ndarray:
        """The record id of each written row, aligned with `_loaded_rows` (read once, before
        any row is deleted). A session's identity values only grow, so ascending ids follow
        the order the COPY wrote the rows in; nothing else writes to the locked table."""
        if self._all_ids is None:
            with self._cursor() as cursor:
                cursor.execute(
                    f"SELECT min(id), max(id), count(*) FROM {self.table.table} WHERE source = %s",
                    [self.source],
                )
                first, last, count = cursor.fetchone()
                sent = self._loaded_rows().size
                if count != sent:
                    raise RuntimeError(f"{count} rows in the table, {sent} sent")
                if not count or last - first + 1 == count:
                    self._all_ids = np.arange(first or 0, (last or -1) + 1, dtype=np.int64)
                else:
                    cursor.execute(
                        f"SELECT id FROM {self.table.table} WHERE source = %s ORDER BY id",
                        [self.source],
                    )
                    self._all_ids = np.array([row[0] for row in cursor.fetchall()], np.int64)
        return self._all_ids

    def delete_rows(self, row_numbers: list[int]) -> None:
        """Rows refused after they were written are deleted (`suits` leaves none: the refusals
        of coercion and validation come before a chunk is written)."""
        if not row_numbers:
            return
        loaded = self._loaded_rows()
        wanted = np.unique(np.array(row_numbers, dtype=np.int64))
        positions = np.searchsorted(loaded, wanted).clip(max=max(loaded.size - 1, 0))
        written = positions[loaded[positions] == wanted] if loaded.size else positions[:0]
        if written.size:
            self._delete_ids(self._ids()[written])

    def duplicates(self) -> list[tuple[str, list[int]]]:
        if self._key_builds():
            return []  # the key took every row: no id is repeated
        with self._cursor() as cursor:
            # Counting first: gathering the ids of every group cost three times as much.
            cursor.execute(
                f"SELECT external_id FROM {self.table.table} WHERE source = %s "
                "GROUP BY external_id HAVING count(*) > 1",
                [self.source],
            )
            external_ids = [row[0] for row in cursor.fetchall()]
            if not external_ids:
                return []
            cursor.execute(
                f"SELECT external_id, array_agg(id ORDER BY id) FROM {self.table.table} "
                "WHERE source = %s AND external_id = ANY(%s) GROUP BY external_id "
                "ORDER BY external_id",
                [self.source, external_ids],
            )
            repeated = cursor.fetchall()
        loaded, ids = self._loaded_rows(), self._ids()
        self._earlier_of_duplicates = [i for _, same in repeated for i in same[:-1]]
        return [
            (external_id, loaded[np.searchsorted(ids, same)].tolist())
            for external_id, same in repeated
        ]

    def _key_builds(self) -> bool:
        """Build the (source, external id) key again, in a savepoint; whether it took the rows.

        Building it is needed anyway, and with no id repeated (the usual file) it is also the
        check: 0.6 s, against 1.4 s for grouping a million ids to look for repeats first.
        """
        if self._dropped is None or not self._dropped.unique_keys:
            return False
        try:
            with transaction.atomic(), self._cursor() as cursor:
                for name, definition in self._dropped.unique_keys:
                    cursor.execute(
                        f'ALTER TABLE {self.table.table} ADD CONSTRAINT "{name}" {definition}'
                    )
        except IntegrityError:
            return False  # a repeated id: the savepoint is rolled back, the key still dropped
        self._dropped = replace(self._dropped, unique_keys=[])
        return True

    def keep_last_of_duplicates(self) -> None:
        self._delete_ids(np.array(self._earlier_of_duplicates, dtype=np.int64))

    def _delete_ids(self, ids: np.ndarray) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table.table} WHERE id = ANY(%s)", [ids.tolist()])
            self._removed += cursor.rowcount

    def row_count(self) -> int:
        return self._loaded_rows().size - self._removed

    # --- writing ----------------------------------------------------------------------------

    def write(self, *, run_id: int | None) -> WriteCounts:
        """Build the table's indexes, key and foreign keys again; every row was new."""
        if self._defaults_before is not None:
            with self._cursor() as cursor:
                _restore_column_defaults(cursor, self.table.table, self._defaults_before)
            self._defaults_before = None
        if self._dropped is not None:
            with self._cursor() as cursor:
                _rebuild_indexes_and_keys(cursor, self.table.table, self._dropped)
            self._dropped = None
        return WriteCounts(created=self.row_count(), updated=0, unchanged=0)

    def preview(self) -> WriteCounts:
        return WriteCounts(created=self.row_count(), updated=0, unchanged=0)


def _has_rows_of(cursor: Any, table: str, source: str) -> bool:
    """Whether `table` holds any record imported from `source`."""
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE source = %s)", [source])
    return bool(cursor.fetchone()[0])


def _csv_of(frame: pd.DataFrame) -> memoryview:
    """`frame` as COPY's CSV. Arrow writes it in C++; COPY parses it in C: no Python loop per
    row."""
    # One thread: a pool started per chunk cost more than it saved, beside the other threads.
    table = _utc_times_as_text(pa.Table.from_pandas(frame, preserve_index=False, nthreads=1))
    buffer = io.BytesIO()
    arrow_csv.write_csv(table, buffer, write_options=arrow_csv.WriteOptions(include_header=False))
    return buffer.getbuffer()


def _utc_times_as_text(table: pa.Table) -> pa.Table:
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


def _reference_join(column: StagedColumn, alias: str) -> str:
    assert column.reference is not None  # only large references are joined
    return (
        f"LEFT JOIN {LARGE_REFERENCE_TABLES[column.reference]} {alias} "
        f"ON {alias}.source = %s AND {alias}.external_id = s.{column.name}"
    )


def _reference_id(column: StagedColumn, alias: str) -> str:
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


def _placeholders(column: StagedColumn) -> int:
    return 2 if column.reference is Reference.CUSTOMER else 1


BULK_LOAD_MIN_ROWS = 100_000


def _estimated_rows(cursor: Any, table: str) -> int:
    cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                   [table])  # fmt: skip
    return int(cursor.fetchone()[0])


@contextmanager
def _bulk_load(cursor: Any, table: str, new_rows: int) -> Iterator[None]:
    """Around an insert of many rows into a table not much bigger: drop its secondary indexes
    and foreign keys first and build them again after, as PostgreSQL's guide to populating a
    database advises. Maintaining five indexes and four foreign keys row by row cost 26 s of a
    million-row insert; building them afterwards costs a few. It is all one transaction, so a
    failure or a killed worker leaves the table with its indexes as it was. The table is locked
    for writes and reads meanwhile: worth it for a first load, not for a weekly update.
    """
    if not worth_bulk_loading(cursor, table, new_rows):
        yield
        return
    dropped = _drop_indexes_and_keys(cursor, table)
    yield
    _rebuild_indexes_and_keys(cursor, table, dropped)


def worth_bulk_loading(cursor: Any, table: str, new_rows: int) -> bool:
    return (
        connection.vendor == "postgresql"
        and new_rows >= BULK_LOAD_MIN_ROWS
        and new_rows >= _estimated_rows(cursor, table)
    )


@dataclass(frozen=True)
class _Dropped:
    """What `_drop_indexes_and_keys` dropped, as (name, definition) pairs."""

    indexes: list[tuple[str, str]]
    unique_keys: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str]]


def _drop_indexes_and_keys(cursor: Any, table: str) -> _Dropped:
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
    return _Dropped(indexes, unique_keys, foreign_keys)


def _column_defaults(cursor: Any, table: str, columns: list[str]) -> dict[str, str | None]:
    """The DEFAULT expression of each of `columns` (None: no default)."""
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [table, columns],
    )
    return dict(cursor.fetchall())


def _set_column_defaults(cursor: Any, table: str, values: dict[str, Any]) -> None:
    """Column defaults for a COPY that leaves those columns out (DDL takes no parameters:
    the values go in as escaped literals)."""
    raw = connection.connection
    changes = ", ".join(
        f"ALTER COLUMN {connection.ops.quote_name(column)} SET DEFAULT "
        f"{sql.Literal(value).as_string(raw)}"
        for column, value in values.items()
    )
    cursor.execute(f"ALTER TABLE {table} {changes}")


def _restore_column_defaults(cursor: Any, table: str, defaults: dict[str, str | None]) -> None:
    changes = ", ".join(
        f"ALTER COLUMN {connection.ops.quote_name(column)} "
        + (f"SET DEFAULT {expression}" if expression is not None else "DROP DEFAULT")
        for column, expression in defaults.items()
    )
    cursor.execute(f"ALTER TABLE {table} {changes}")


def _rebuild_indexes_and_keys(cursor: Any, table: str, dropped: _Dropped) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in dropped.indexes:
        cursor.execute(definition)
    for name, definition in [*dropped.unique_keys, *dropped.foreign_keys]:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def _hash_anti_join(cursor: Any) -> Iterator[None]:
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


def _values_column() -> str:
    # "values" is a reserved word in SQL; Django quotes the model field's column for us.
    return connection.ops.quote_name("values")


def _sqlite_rows(frame: pd.DataFrame, columns: tuple[StagedColumn, ...]) -> list[tuple[Any, ...]]:
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
