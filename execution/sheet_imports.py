"""Excel back in: an edited export of an execution table, matched to its rows by row id.

The file is read by the CRM import's readers, under the same refusals of a damaged or hostile
file; nothing in it is evaluated (a formula cell gives what Excel shows, or its text). Each
changed cell is written through the table's own inline-edit service, so the checks are the
inline editor's: the same validation, permissions and history.

Which cells did the person change? The copy names the version each row was exported at; the
row's history holds the row as it was then. A cell equal to that is untouched and left alone
(a colleague's later edit of it stands); a cell that differs is the person's change, written
unless the row's cell has changed in salesopt since, too: that is a conflict, reported with
the other person's value, never written over.

The whole file is written in one transaction: one refused cell and nothing is written. The
check runs the same writes and rolls them back, so what it promises is what applying does.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesopt.core import access
from salesopt.core.exports import unguard
from salesopt.core.history import last_change
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.imports import readers
from salesopt.imports.readers.contract import human_size
from salesopt.imports.refusals import with_advice

from . import (
    measure_selectors,
    measure_services,
    selectors,
    services,
    target_selectors,
    target_services,
)
from .editing import EditConflictError
from .exports import MEASURE_COLUMNS, ROW_ID, TARGET_COLUMNS, TASK_COLUMNS, VERSION, Column
from .models import (
    MeasureTracking,
    MonthTarget,
    Quality,
    SheetImport,
    SheetImportStatus,
    Task,
    TaskStatus,
)

# An ISO date with a time of midnight (a date cell typed as a date and time), or a date typed
# as 2026/3/1, 2026.3.1 or 2026年3月1日.
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00)?$")
_TYPED_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


EXPORT_AGAIN = gettext_lazy(
    "Export the table from salesopt again, make your changes in that copy and import it."
)


class SheetRefused(Exception):  # noqa: N818 - what the person is told: the file is refused
    """The file as a whole cannot be imported (unreadable, not this table's export)."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class Table:
    """How one execution table comes back: its columns, which of them an import writes (in the
    order they are written) and which it refuses to change, and its rows."""

    key: str
    columns: tuple[Column, ...]
    written: tuple[str, ...]
    # Columns salesopt holds elsewhere (a target's amount, a measure's planned completion): a
    # changed one is refused with where to change it, never silently ignored.
    fixed: tuple[str, ...]
    # The rows `user` reads, by id; and a row as it was at `version` (None: no such version).
    rows: Callable[[Program, Any, list[int]], dict[int, Any]]
    at_version: Callable[[Any, int], Any]
    # A cell's value in the form its service takes ("" for blank), from a row / from the file.
    value: Callable[[Any, str], str]
    # (column, text, the row now, the row as exported, user) → the value its service takes.
    read: Callable[[str, str, Any, Any, Any], str]
    write: Callable[[Any, str, str, int, Any, dict[str, str]], int]


# --- reading cells -------------------------------------------------------------------------


def _date(text: str, column: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if match := _MIDNIGHT.match(text):
        return match.group(1)
    if match := _TYPED_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            pass
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError({column: _("Enter a date as YYYY-MM-DD.")}) from None


def _choice(text: str, column: str, choices: Any, message: str) -> str:
    """A choice's code from its label in either language (or the code itself)."""
    wanted = text.strip().casefold()
    if not wanted:
        return ""
    for value, label in choices:
        if wanted == str(value).casefold():
            return str(value)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                if wanted == str(label).casefold():
                    return str(value)
    raise ValidationError({column: message})


def _amount(text: str, column: str) -> str:
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({column: _("Enter an amount in yuan, e.g. 5000000.")}) from None
    if not amount.is_finite():
        raise ValidationError({column: _("Enter an amount in yuan, e.g. 5000000.")})
    return f"{amount.quantize(Decimal('0.01'))}"


def _history_at(row: Any, version: int) -> Any:
    if row.version == version:
        return row
    past = row.history.filter(version=version).order_by("-history_date", "-history_id").first()
    return past.instance if past is not None else None


# --- the execution plan table ----------------------------------------------------------------


def _task_rows(program: Program, user: Any, ids: list[int]) -> dict[int, Task]:
    tasks = selectors.visible_tasks(user).filter(program=program, pk__in=ids)
    return {task.pk: task for task in tasks.select_related("owner__profile", "team")}


def _task_value(task: Task, column: str) -> str:
    if column == "owner":
        return str(task.owner_id or "")
    value = getattr(task, column)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _task_read(column: str, text: str, task: Task, exported: Task, user: Any) -> str:
    if column in ("starts_on", "ends_on", "done_on"):
        return _date(text, column)
    if column == "status":
        return _choice(text, column, TaskStatus.choices, _("Choose a status from the list."))
    if column == "owner":
        return _owner_id(text.strip(), task, exported, user)
    return text.strip()


def _owner_id(name: str, task: Task, exported: Task, user: Any) -> str:
    """The owner a name means: the task's owner now or when exported, if the name is theirs;
    else the one person of that name whom `user` may make the task's owner."""
    if not name:
        return ""
    for known in (task, exported):
        if known.owner_id and name == person_name(known.owner):
            return str(known.owner_id)
    candidates = selectors.owner_choices(user)
    if access.role_of(user) == "team_lead":
        candidates = candidates.filter(profile__team=task.team)
    matches = [person.pk for person in candidates if person_name(person) == name]
    if len(matches) == 1:
        return str(matches[0])
    if matches:
        raise ValidationError(
            {"owner": _("More than one person has this name: choose the owner on the page.")}
        )
    raise ValidationError({"owner": _("No one of that name can own this task.")})


def _task_write(
    task: Task, column: str, raw: str, version: int, by: Any, changed: dict[str, str]
) -> int:
    written = services.task_update(task_id=task.pk, field=column, value=raw, version=version, by=by)
    return written.version


# --- Table 3 -----------------------------------------------------------------------------------


def _measure_rows(program: Program, user: Any, ids: list[int]) -> dict[int, Any]:
    measures = measure_selectors.visible_measures(user, program).filter(pk__in=ids)
    return {measure.pk: measure for measure in measures}


def _tracking_at(measure: Any, version: int) -> Any:
    tracking = MeasureTracking.objects.filter(measure=measure).first()
    if version == 0:
        return MeasureTracking(measure=measure, version=0)  # not filled in when exported
    return _history_at(tracking, version) if tracking is not None else None


def _measure_value(row: Any, column: str) -> str:
    """A Table 3 cell, from a measure (now) or from its tracking row (as it was)."""
    if column == "planned_completion":
        return row.planned_completion.isoformat()
    tracking = row if isinstance(row, MeasureTracking) else measure_selectors.tracking_of(row)
    if tracking is None:
        return ""
    value = getattr(tracking, column)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _measure_read(column: str, text: str, measure: Any, exported: Any, user: Any) -> str:
    if column in ("actual_completion", "planned_completion"):
        return _date(text, column)
    if column == "quality":
        return _choice(text, column, Quality.choices, _("Choose a quality from the list."))
    return text.strip()


def _measure_write(
    measure: Any, column: str, raw: str, version: int, by: Any, changed: dict[str, str]
) -> int:
    # A completion after the planned date needs its reason in the same write: the file's, if
    # the person wrote one (`changed` holds only what the person changed).
    reason = changed.get("reason") if column == "actual_completion" else None
    tracking = measure_services.tracking_update(
        measure_id=measure.pk, field=column, value=raw, version=version, by=by, reason=reason
    )
    return tracking.version


def _measure_version(measure: Any) -> int:
    tracking = measure_selectors.tracking_of(measure)
    return tracking.version if tracking is not None else 0


# --- Table 2 -----------------------------------------------------------------------------------


def _month_rows(program: Program, user: Any, ids: list[int]) -> dict[int, MonthTarget]:
    rows = target_selectors.visible_month_targets(user, program).filter(pk__in=ids)
    return {row.pk: row for row in rows}


def _month_value(row: MonthTarget, column: str) -> str:
    if column == "quarter_amount":
        return f"{row.quarter_target.amount}"
    if column == "month_amount":
        return f"{row.amount}"
    if column == "month":
        return row.month.strftime("%Y-%m")
    return str(getattr(row, column)).strip()


def _month_read(column: str, text: str, row: MonthTarget, exported: Any, user: Any) -> str:
    if column in ("quarter_amount", "month_amount"):
        return _amount(text, column)
    return text.strip()


def _month_write(
    row: MonthTarget, column: str, raw: str, version: int, by: Any, changed: dict[str, str]
) -> int:
    written = target_services.month_note_update(
        month_id=row.pk, field=column, value=raw, version=version, by=by
    )
    return written.version


TABLES = {
    "plan": Table(
        key="plan",
        columns=TASK_COLUMNS,
        written=services.EDITABLE_FIELDS,
        fixed=(),
        rows=_task_rows,
        at_version=_history_at,
        value=_task_value,
        read=_task_read,
        write=_task_write,
    ),
    "3": Table(
        key="3",
        columns=MEASURE_COLUMNS,
        written=measure_selectors.TRACKED_FIELDS,
        fixed=("planned_completion",),
        rows=_measure_rows,
        at_version=_tracking_at,
        value=_measure_value,
        read=_measure_read,
        write=_measure_write,
    ),
    "2": Table(
        key="2",
        columns=TARGET_COLUMNS,
        written=target_services.NOTE_FIELDS,
        fixed=("quarter_amount", "month_amount", "month"),
        rows=_month_rows,
        at_version=_history_at,
        value=_month_value,
        read=_month_read,
        write=_month_write,
    ),
}


def table_title(key: str) -> str:
    return {
        "plan": _("Execution plan"),
        "2": _("Table 2 — target decomposition and tracking"),
        "3": _("Table 3 — measure tracking"),
    }[key]


# --- reading the file --------------------------------------------------------------------------


def _normalised(header: str) -> str:
    return " ".join(header.split()).casefold()


def _header_keys(table: Table) -> dict[str, str]:
    """Every header the table's columns go by, in either language, to the column's key."""
    keys = {}
    for column in table.columns:
        for language in ("en", "zh-hans"):
            with translation.override(language):
                keys[_normalised(str(column.label))] = column.key
    return keys


@contextmanager
def _saved(uploaded: UploadedFile) -> Iterator[Path]:
    with tempfile.NamedTemporaryFile(prefix="salesopt-sheet-", suffix=".upload") as stored:
        for chunk in uploaded.chunks():
            stored.write(chunk)
        stored.flush()
        yield Path(stored.name)


def read_sheet(path: Path, table: Table) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's rows as {"row", "cells": {key: text}}, and the headers left alone."""
    limit = int(settings.SALESOPT_EXECUTION_IMPORT_MAX_BYTES)
    max_rows = int(settings.SALESOPT_EXECUTION_IMPORT_MAX_ROWS)
    try:
        sniffed = readers.sniff(path, max_bytes=limit)
        readers.check_text(path, sniffed)
        known = _header_keys(table)
        by_header = {header: known.get(_normalised(header)) for header in sniffed.headers}
        keys = set(by_header.values())
        if ROW_ID.key not in keys or VERSION.key not in keys:
            raise SheetRefused(
                _(
                    "This file is not an export of this table: it has no “%(row_id)s” and "
                    "“%(version)s” columns. Export the table from salesopt, edit that copy and "
                    "import it."
                )
                % {"row_id": ROW_ID.label, "version": VERSION.label}
            )
        rows: list[dict[str, Any]] = []
        for chunk in readers.read_chunks(path, sniffed):
            for number, record in zip(chunk.index, chunk.itertuples(index=False), strict=True):
                cells = {}
                for header, text in zip(sniffed.headers, record, strict=True):
                    key = by_header[header]
                    if key is not None and key not in cells:
                        cells[key] = _cell_text(text, sniffed.file_format)
                rows.append({"row": int(number), "cells": cells})
                if len(rows) > max_rows:
                    raise SheetRefused(
                        _(
                            "The file has more than %(limit)s rows: this table has fewer. Import "
                            "the table's own export."
                        )
                        % {"limit": f"{max_rows:,}"}
                    )
    except readers.UnreadableFile as problem:
        raise SheetRefused(with_advice(str(problem), EXPORT_AGAIN)) from problem
    ignored = [header for header, key in by_header.items() if key is None]
    return rows, ignored


def _cell_text(text: Any, file_format: str) -> str:
    text = "" if text is None or text != text else str(text)  # NaN: an empty cell
    # A CSV export guards text that could run as a formula with an apostrophe.
    return unguard(text) if file_format == "csv" else text


# --- checking and applying ---------------------------------------------------------------------


def check_upload(
    *, program: Program, table_key: str, uploaded: UploadedFile, by: Any
) -> SheetImport:
    """Read an uploaded copy and check it: the changes it makes, or why it cannot be imported.
    Nothing is written to the table; the check is kept for the person to apply."""
    if not access.can_add_execution_rows(by):
        raise PermissionDenied
    table = TABLES[table_key]
    record = SheetImport(
        program=program, table=table_key, uploaded_by=by, file_name=(uploaded.name or "")[:255]
    )
    try:
        limit = int(settings.SALESOPT_EXECUTION_IMPORT_MAX_BYTES)
        if uploaded.size is not None and uploaded.size > limit:  # refused before it is stored
            raise SheetRefused(
                _("The file is larger than the %(limit)s limit.") % {"limit": human_size(limit)}
            )
        with _saved(uploaded) as path:
            record.rows, record.ignored_columns = read_sheet(path, table)
    except SheetRefused as refused:
        record.status = SheetImportStatus.REFUSED
        record.problems = [Problem(0, "", "", str(refused)).as_dict()]
        record.save()
        return record
    _run(record, table, by, apply=False)
    return record


def apply_import(*, sheet_import: SheetImport, by: Any) -> SheetImport:
    """Write a checked copy's changes, all or none: checked again first, since the table may
    have changed since the check."""
    if sheet_import.uploaded_by_id != by.pk or sheet_import.status != SheetImportStatus.CHECKED:
        raise PermissionDenied
    _run(sheet_import, TABLES[sheet_import.table], by, apply=True)
    return sheet_import


class _Rollback(Exception):  # noqa: N818 - control flow: undo the check's writes
    pass


def _run(record: SheetImport, table: Table, by: Any, *, apply: bool) -> None:
    problems: list[Problem] = []
    changes: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            _write_rows(record, table, by, problems, changes)
            if problems or not apply:
                raise _Rollback
    except _Rollback:
        pass
    record.problems = [problem.as_dict() for problem in problems]
    record.changes = [] if problems else changes  # a refused copy changes nothing
    if problems:
        record.status = SheetImportStatus.REFUSED
    elif apply:
        record.status = SheetImportStatus.APPLIED
        record.applied_at = timezone.now()
    else:
        record.status = SheetImportStatus.CHECKED
    record.save()


def _label(table: Table, key: str) -> str:
    return next(str(column.label) for column in table.columns if column.key == key)


def _write_rows(
    record: SheetImport,
    table: Table,
    by: Any,
    problems: list[Problem],
    changes: list[dict[str, Any]],
) -> None:
    parsed = []
    seen: dict[int, int] = {}
    for row in record.rows:
        number, cells = row["row"], row["cells"]
        ids = _row_id_and_version(number, cells, table, problems)
        if ids is None:
            continue
        if ids[0] in seen:
            problems.append(
                Problem(
                    number,
                    _label(table, ROW_ID.key),
                    cells[ROW_ID.key],
                    _("This row id is also on row %(row)s: each row of the table appears once.")
                    % {"row": seen[ids[0]]},
                )
            )
            continue
        seen[ids[0]] = number
        parsed.append((number, cells, *ids))
    found = table.rows(record.program, by, [row_id for _n, _c, row_id, _v in parsed])
    for number, cells, row_id, version in parsed:
        row = found.get(row_id)
        if row is None:
            problems.append(
                Problem(
                    number,
                    _label(table, ROW_ID.key),
                    str(row_id),
                    _(
                        "No row of this table that you can see has this id: was it deleted, or "
                        "is the row from another copy?"
                    ),
                )
            )
            continue
        _write_row(table, row, number, cells, version, by, problems, changes)


def _row_id_and_version(
    number: int, cells: dict[str, str], table: Table, problems: list[Problem]
) -> tuple[int, int] | None:
    row_id, version = cells.get(ROW_ID.key, "").strip(), cells.get(VERSION.key, "").strip()
    if not row_id:
        problems.append(
            Problem(
                number,
                _label(table, ROW_ID.key),
                "",
                _(
                    "A row without its row id: the import changes the table's rows, it does "
                    "not add any. Add new rows on the page."
                ),
            )
        )
        return None
    if not row_id.isdigit():
        problems.append(
            Problem(
                number,
                _label(table, ROW_ID.key),
                row_id,
                _("A row id is a whole number, as the export wrote it."),
            )
        )
        return None
    if not version.isdigit():
        problems.append(
            Problem(
                number,
                _label(table, VERSION.key),
                version,
                _("A version is a whole number, as the export wrote it."),
            )
        )
        return None
    return int(row_id), int(version)


def _write_row(
    table: Table,
    row: Any,
    number: int,
    cells: dict[str, str],
    version: int,
    by: Any,
    problems: list[Problem],
    changes: list[dict[str, Any]],
) -> None:
    exported = table.at_version(row, version)
    if exported is None:
        problems.append(
            Problem(
                number,
                _label(table, VERSION.key),
                str(version),
                _(
                    "This row never had this version: the copy was not exported by salesopt, "
                    "or its version column was changed. Export the table again."
                ),
            )
        )
        return
    wanted: dict[str, str] = {}
    for column in (*table.fixed, *table.written):
        if column not in cells:
            continue  # the person removed the column: nothing to change
        try:
            wanted[column] = table.read(column, cells[column], row, exported, by)
        except ValidationError as error:
            problems.append(Problem(number, _label(table, column), cells[column], _message(error)))
    for column in table.fixed:
        # A month's amount as exported; the quarter's and a measure's date as they are now.
        source = exported if column in ("month_amount", "month") else row
        if column in wanted and wanted[column] != table.value(source, column):
            problems.append(
                Problem(
                    number,
                    _label(table, column),
                    cells[column],
                    _(
                        "This column is not changed by import (salesopt has %(value)s): change "
                        "it on the page."
                    )
                    % {"value": table.value(row, column) or "—"},
                )
            )
    changed = {
        column: value
        for column, value in wanted.items()
        if column not in table.fixed and value != table.value(exported, column)
    }
    at_start = {column: table.value(row, column) for column in changed}
    version_now = _measure_version(row) if table.key == "3" else row.version
    for column in _write_order(table, row, changed):
        if column not in changed:
            continue  # untouched in the copy: a colleague's later edit of it stands
        now = table.value(row, column)
        if changed[column] == now:
            continue  # already so in salesopt
        if at_start[column] != table.value(exported, column):
            problems.append(_conflict(table, row, number, column, cells[column]))
            continue
        try:
            version_now = table.write(row, column, changed[column], version_now, by, changed)
        except ValidationError as error:
            problems.append(Problem(number, _label(table, column), cells[column], _message(error)))
            continue
        except EditConflictError:
            problems.append(_conflict(table, row, number, column, cells[column]))
            continue
        except (PermissionDenied, ObjectDoesNotExist):
            problems.append(
                Problem(
                    number, _label(table, column), cells[column], _("You may not change this row.")
                )
            )
            continue
        changes.append(
            {
                "row": number,
                "row_id": row.pk,
                "column": _label(table, column),
                "before": _shown(column, now),
                "after": _shown(column, changed[column]),
            }
        )
        row = table.rows(_program_of(table, row), by, [row.pk]).get(row.pk)
        if row is None:
            return  # the change took the row out of the person's sight (a new owner)


def _program_of(table: Table, row: Any) -> Program:
    if table.key == "2":
        return row.quarter_target.program
    return row.program


def _write_order(table: Table, row: Any, wanted: dict[str, str]) -> list[str]:
    """The columns in writing order. A task moved wholly later gets its new end first, so its
    end never comes before its start in between."""
    order = list(table.written)
    if table.key == "plan" and wanted.get("starts_on", "") > row.ends_on.isoformat():
        order.remove("ends_on")
        order.insert(order.index("starts_on"), "ends_on")
    return order


def _conflict(table: Table, row: Any, number: int, column: str, text: str) -> Problem:
    who, at = last_change(measure_selectors.tracking_of(row) if table.key == "3" else row)
    when = date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else ""
    now = _shown(column, table.value(row, column)) or "—"
    return Problem(
        number,
        _label(table, column),
        text,
        _(
            "Changed in salesopt since this copy was exported, by %(who)s on %(when)s (now: "
            "%(value)s). Export the table again and make your change in the new copy."
        )
        % {"who": who, "when": when, "value": now},
    )


def _shown(column: str, raw: str) -> str:
    """A value as the page shows it: a status by its label, an owner by name."""
    if not raw:
        return ""
    if column == "status":
        return str(dict(TaskStatus.choices).get(raw, raw))
    if column == "quality":
        return str(dict(Quality.choices).get(raw, raw))
    if column == "owner":
        person = get_user_model().objects.select_related("profile").filter(pk=int(raw)).first()
        return person_name(person) if person is not None else raw
    return raw


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)
