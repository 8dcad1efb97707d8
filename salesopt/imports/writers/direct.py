"""A large first load of a source, COPYed straight into its record table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from salesopt.core.bulk import (
    Dropped,
    column_defaults,
    csv_of,
    drop_indexes_and_keys,
    has_rows_of,
    rebuild_indexes_and_keys,
    restore_column_defaults,
    set_column_defaults,
    worth_bulk_loading,
)
from salesopt.leads.assignment import StreamAssigner
from salesopt.leads.grading import GRADED_COLUMNS, StreamGrader

from ..schema import SCHEMAS, RecordKind, Reference
from ..tables import TABLES
from .sql import (
    LARGE_REFERENCE_TABLES,
    WriteCounts,
)
from .staging import StagingTable


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
        self._deleted: list[np.ndarray] = []  # the ids of rows deleted after they were written
        self.assigner: StreamAssigner | None = None
        self._dropped: Dropped | None = None
        self._earlier_of_duplicates: list[int] = []
        self._all_ids: np.ndarray | None = None
        self._id_before: int | None = None
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
            return not has_rows_of(cursor, table, source)

    def create(self) -> None:
        if self.kind is RecordKind.LEAD:
            # Every row is new: graded and assigned as it streams, rather than rewritten
            # afterwards.
            self.grader = StreamGrader.in_force()
            self._target_columns = (*self._target_columns, *GRADED_COLUMNS)
            self.assigner = StreamAssigner.in_force(now=timezone.now())
            if self.assigner is not None:
                self._target_columns = (*self._target_columns, "routed_team_id")
        with self._cursor() as cursor:
            self._dropped = drop_indexes_and_keys(cursor, self.table.table)
            self._id_before = self._last_id_given(cursor)  # the table is locked from here
            self._defaults_before = column_defaults(cursor, self.table.table, list(self._shared))
            set_column_defaults(cursor, self.table.table, self._shared)

    def load(self, frame: pd.DataFrame) -> None:
        if not frame.empty:
            self._loaded.append(frame["row_number"].to_numpy(dtype=np.int64))
        super().load(frame)

    def _copy_target(self) -> tuple[str, tuple[str, ...]]:
        return self.table.table, self._target_columns

    def _csv(self, frame: pd.DataFrame) -> memoryview:
        # A staged column is named as the table's, large references aside (which `suits` rules
        # out of a direct load).
        if self.grader is not None:
            frame = pd.concat([frame, self.grader.columns(frame)], axis=1)
        if self.assigner is not None:
            routed = self.assigner.columns(frame)
            frame = frame.assign(
                owner_id=routed["owner_id"], routed_team_id=routed["routed_team_id"]
            )
        return csv_of(frame[list(self._target_columns)])

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

    def _last_id_given(self, cursor: Any) -> int:
        """The last value the table's id sequence gave (0: none yet)."""
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table.table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}"
        )
        return int(cursor.fetchone()[0])

    def _ids(self) -> np.ndarray:
        """The record id of each written row, aligned with `_loaded_rows` (read once, before
        any row is deleted). A session's identity values only grow, so ascending ids follow
        the order the COPY wrote the rows in; nothing else writes to the locked table. When
        the sequence moved by exactly the rows sent, they took the values in between (no scan
        of the new rows: 20 ms of 100,000); otherwise the ids are read."""
        sent = self._loaded_rows().size
        if self._all_ids is None and self._id_before is not None:
            with self._cursor() as cursor:
                if self._last_id_given(cursor) - self._id_before == sent:
                    self._all_ids = np.arange(self._id_before + 1, self._id_before + sent + 1,
                                              dtype=np.int64)  # fmt: skip
        if self._all_ids is None:
            with self._cursor() as cursor:
                cursor.execute(
                    f"SELECT min(id), max(id), count(*) FROM {self.table.table} WHERE source = %s",
                    [self.source],
                )
                first, last, count = cursor.fetchone()
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
        self._deleted.append(ids)

    def _lead_ids_of(self, row_numbers: np.ndarray) -> np.ndarray:
        """The record id each row number was written as; 0 for a row deleted since."""
        loaded = self._loaded_rows()
        ids = self._ids()[np.searchsorted(loaded, row_numbers)]
        if self._deleted:
            ids[np.isin(ids, np.concatenate(self._deleted))] = 0
        return ids

    def row_count(self) -> int:
        return self._loaded_rows().size - self._removed

    # --- writing ----------------------------------------------------------------------------

    def write(self, *, run_id: int | None, then: Callable[[], object] | None = None) -> WriteCounts:
        """Build the table's indexes, key and foreign keys again; every row was new."""
        if self._defaults_before is not None:
            with self._cursor() as cursor:
                restore_column_defaults(cursor, self.table.table, self._defaults_before)
            self._defaults_before = None
        if self.assigner is not None:
            # The decisions made as the rows streamed, now that the rows have ids.
            self.assigner.write_log(self._lead_ids_of, import_run=run_id)
        if then is not None:
            then()
        if self._dropped is not None:
            with self._cursor() as cursor:
                rebuild_indexes_and_keys(cursor, self.table.table, self._dropped)
            self._dropped = None
        return WriteCounts(created=self.row_count(), updated=0, unchanged=0)

    def preview(self) -> WriteCounts:
        return WriteCounts(created=self.row_count(), updated=0, unchanged=0)
