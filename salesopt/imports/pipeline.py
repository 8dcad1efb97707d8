"""One pass over a file: read → map → coerce → validate → stage → (write), in one transaction.

The same pass serves the dry run (validate every row, count what would change, write nothing)
and the import (write the valid rows, or nothing at all when some are invalid and the admin did
not choose to skip them). Everything happens inside one transaction, so a failure, a refusal or
a killed worker leaves the database as it was. Progress is reported through a callback the
caller writes outside the transaction.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.leads.assignment import grade_and_assign_imported

from . import readers
from .schema import RecordKind
from .stage_history import record_stage_entries
from .validation import ErrorLog, ImportPlan, RowError, RowValidator, header_of
from .writers import WriteCounts, Writer, writer_for

__all__ = ["ImportPlan", "Outcome", "RowError", "process", "read_ahead"]

# The dates the KPIs read a record by: an import touches each month any of them falls in (a
# lead's conversion month as well as its creation, an opportunity's close as well as its start),
# and only those months are recomputed.
PERIOD_FIELDS = {
    RecordKind.LEAD: ("created_at", "first_response_at", "won_at", "lost_at"),
    RecordKind.CUSTOMER: ("created_at",),
    RecordKind.ACTIVITY: ("occurred_at",),
    RecordKind.OPPORTUNITY: ("created_at", "expected_close", "closed_at"),
    RecordKind.ORDER: ("ordered_on",),
    RecordKind.COMPLAINT: ("created_at", "first_response_at", "resolved_at"),
    RecordKind.TARGET: ("period_start",),
    RecordKind.USER: ("hire_date",),
}
IMPORT_LOCK_ID = 7_262_001  # PostgreSQL advisory lock: one import writes at a time


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    wrote: bool = False
    error_count: int = 0
    error_sample: list[RowError] = field(default_factory=list)
    error_report: Path | None = None
    months: set[dt.date] = field(default_factory=set)

    def counts(self, counts: WriteCounts) -> None:
        self.created, self.updated, self.unchanged = (
            counts.created,
            counts.updated,
            counts.unchanged,
        )


class _RollbackError(Exception):
    """Internal, not an error: unwinds the transaction of a dry run or a refused file."""


def process(
    plan: ImportPlan,
    *,
    run_id: int | None,
    write: bool,
    skip_invalid: bool,
    on_progress: Callable[[int], None] = lambda rows: None,
    before_commit: Callable[[Outcome], None] | None = None,
    first_rows: int | None = None,
) -> Outcome:
    """Validate every row of the file and, when `write`, import the valid ones atomically.

    `before_commit` runs inside the transaction after a successful write, so what it records
    (the run's counts) commits together with the data or not at all.

    Nothing is written by a dry run (`write=False`), nor when some rows are invalid and
    `skip_invalid` is off: the counts then say what the import would have done. A dry run of
    the `first_rows` only is the mapping page's preview: the same checks as the import, on the
    rows it shows, without waiting for an import that holds the lock.
    """
    outcome, errors = Outcome(), ErrorLog()
    try:
        with transaction.atomic():
            _lock(wait=first_rows is None)
            staging = _stage(plan, outcome, errors, run_id=run_id, on_progress=on_progress,
                             write=write and first_rows is None,
                             first_rows=first_rows)  # fmt: skip
            outcome.rejected = len(errors.rejected_rows)
            outcome.wrote = write and (skip_invalid or not errors.rejected_rows)
            if not outcome.wrote:
                outcome.counts(staging.preview())
                raise _RollbackError
            then = _lead_process_for(plan, run_id, graded=staging.grader is not None)
            outcome.counts(staging.write(run_id=run_id, then=then))
            if plan.kind is RecordKind.OPPORTUNITY and run_id is not None:
                # The stage each changed opportunity is now in, dated (stage conversion KPIs).
                record_stage_entries(run_id)
            if before_commit is not None:
                outcome.error_report = errors.close()
                outcome.error_count, outcome.error_sample = errors.count, errors.sample
                before_commit(outcome)
    except _RollbackError:
        pass  # rolled back: nothing of this pass stays in the database
    finally:
        outcome.error_report = errors.close()
        outcome.error_count, outcome.error_sample = errors.count, errors.sample
    return outcome


def _lead_process_for(
    plan: ImportPlan, run_id: int | None, *, graded: bool
) -> Callable[[], object] | None:
    """What an import of leads runs once its rows are written, in the same transaction: the
    grades and due times and, when the CRM named no owner, an owner by the assignment rules —
    unless the rows were `graded` (and assigned) as they loaded. No lead is ever visible
    without the grade, deadline and owner the lead process gives it."""
    if plan.kind is not RecordKind.LEAD or run_id is None or graded:
        return None
    return lambda: grade_and_assign_imported(run_id, now=timezone.now())


def _lock(*, wait: bool = True) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_ID])
            # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: a million deferred
            # checks queue up and run silently at COMMIT (a minute on 1M rows). Checking them
            # per statement costs the same work without the queue.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Joining a million staged rows to the table they update: with the default 4 MB
            # each hash spilled to disk in 32 batches (4.1 s of an unchanged re-import).
            cursor.execute("SET LOCAL work_mem = '256MB'")


def _stage(
    plan: ImportPlan,
    outcome: Outcome,
    errors: ErrorLog,
    *,
    run_id: int | None,
    on_progress: Callable[[int], None],
    write: bool,
    first_rows: int | None,
) -> Writer:
    """Every valid row in the writer's staging area, every problem in the error log: one loop
    of read → validate → stage, then what only the staged rows can tell."""
    writer = writer_for(plan, write=write, run_id=run_id)
    writer.create()
    validator = RowValidator(plan, errors, before_creating=writer.end_loading)
    with writer.loading():
        sized = {"chunk_rows": first_rows} if first_rows is not None else {}
        for read_chunk in read_ahead(readers.read_chunks(plan.path, plan.sniffed, **sized)):
            if first_rows is not None:
                read_chunk = read_chunk.head(first_rows - outcome.rows)
            canonical = validator.rows(read_chunk)
            writer.load(writer.frame(validator.valid(canonical)))
            outcome.rows += len(read_chunk)
            outcome.months |= _months(canonical, plan.kind)
            on_progress(outcome.rows)
            if first_rows is not None and outcome.rows >= first_rows:
                break
    if plan.create_missing:
        writer.create_missing_customers(run_id=run_id)
    for row, name, value in writer.unresolved_references():
        errors.add(RowError(row, header_of(plan, name), value, str(_("no such record"))))
    writer.delete_rows(sorted(errors.rejected_rows))
    duplicates = writer.duplicates()
    for external_id, rows in duplicates:
        outcome.duplicates += len(rows) - 1
        for row in rows[:-1]:
            reason = _("the same id appears again in row %(row)s; the last row wins") % {
                "row": rows[-1]
            }
            errors.add(RowError(row, header_of(plan, "external_id"), external_id, reason),
                       rejects=False)  # fmt: skip
    if duplicates:
        writer.keep_last_of_duplicates()
    return writer


class _ReadFailed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_READ_DONE = object()


def read_ahead(chunks: Iterator[readers.Chunk]) -> Iterator[readers.Chunk]:
    """`chunks`, the next one parsed on a thread while the caller coerces this one (Arrow's
    CSV parser runs without the GIL). One chunk waits at most; a reading error is raised where
    the chunk would have been; stopping early stops the reader."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
            hand_over(_READ_DONE)
        except BaseException as error:  # handed to the caller, raised there
            hand_over(_ReadFailed(error))

    reader = threading.Thread(target=read, name="salesopt-import-read", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _READ_DONE:
            if isinstance(item, _ReadFailed):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join()
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # the reader's file, now that no thread runs the generator


def _months(frame: pd.DataFrame, kind: RecordKind) -> set[dt.date]:
    """The first day of every month one of the kind's PERIOD_FIELDS falls in.

    Only the distinct quarter-hours are converted to the company's zone (every zone's offset
    is a multiple of 15 minutes): a chunk holds a few thousand of them, not a million times.
    """
    found: set[dt.date] = set()
    for name in PERIOD_FIELDS.get(kind, ()):
        if name not in frame.columns or frame.empty:
            continue
        values = pd.to_datetime(frame[name]).dropna()
        if values.empty:
            continue
        aware = values.dt.tz is not None
        quarter_hours = np.unique(
            values.dt.tz_localize(None).to_numpy("datetime64[m]").astype("int64") // 15
        )
        distinct = pd.Series((quarter_hours * 15).astype("datetime64[m]"))
        if aware:
            distinct = distinct.dt.tz_localize("UTC").dt.tz_convert(
                settings.SALESOPT_COMPANY_TIME_ZONE
            )
        months = (distinct.dt.year * 12 + distinct.dt.month - 1).unique()
        found |= {dt.date(int(month) // 12, int(month) % 12 + 1, 1) for month in months}
    return found
