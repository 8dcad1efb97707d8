"""Writes of the import pipeline: take a file in, map it, validate it, import it, revert it.

Each service is keyword-only and owns its transaction; the heavy work runs in Celery tasks
(tasks.py) that call `import_run_validate` and `import_run_execute`.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salesopt.core.exports import csv_bytes
from salesopt.kpis.services import recompute_after_import

from . import progress, readers
from .mapping import (
    Confidence,
    Reason,
    file_combines,
    propose_mapping,
    recognise_file,
)
from .models import ImportRun, ImportStatus, SavedMapping
from .pipeline import ImportPlan, Outcome, process
from .presets import Combine, get_preset
from .presets.base import OUTCOME_FIELDS, OutcomeRule
from .presets.values import generic_value_map
from .refusals import refusal_text
from .reverting import import_run_revert as import_run_revert
from .run_state import require_status
from .schema import SCHEMAS, FieldType, RecordKind
from .uploads import SAVED_PREFIX as SAVED_PREFIX
from .uploads import _saved_columns
from .uploads import import_run_upload as import_run_upload
from .uploads import sniffed_of as sniffed_of

ERROR_REPORT_HEADER = ("row", "column", "value", "reason")

# --- mapping --------------------------------------------------------------------------------


def import_run_set_mapping(
    *,
    run: ImportRun,
    kind: str,
    columns: Mapping[str, str | None],
    preset: str = "",
    source: str = "",
    time_zone: str = "",
    day_first: bool = False,
    create_missing: bool = False,
    without_record_id: bool = False,
    outcomes: Sequence[Mapping[str, Any]] | None = None,
    save_as: str = "",
    user: Any = None,
) -> ImportRun:
    """Record the admin's mapping (header → field) after checking it; optionally save it.

    `without_record_id`: the admin confirmed that no column holds the record's id in the CRM
    (see `lacks_record_id`). `outcomes`: the columns that decide converted / won / lost
    (OutcomeRule dicts); None keeps the preset's."""
    require_status(run, ImportStatus.MAPPED, ImportStatus.VALIDATED)
    saved = (
        {"saved": int(preset.removeprefix(SAVED_PREFIX))} if preset.startswith(SAVED_PREFIX) else {}
    )
    preset = "" if saved else preset  # a saved mapping's columns come in with the form
    schema = SCHEMAS[RecordKind(kind)]
    unknown = sorted(set(columns) - set(run.sniffed["headers"]))
    problems = _mapping_problems(schema, columns, _combine_rules(run, preset))
    problems += _outcome_problems(run, RecordKind(kind), outcomes or ())
    if unknown or problems:
        raise ValidationError({"mapping": problems or [_("Unknown columns: %s") % unknown]})
    run.kind, run.preset = kind, preset
    run.source = (source or (get_preset(preset).crm if preset else run.source) or "file")[:32]
    run.time_zone = time_zone or run.time_zone
    run.create_missing = create_missing
    run.mapping = {
        "columns": dict(columns),
        "day_first": day_first,
        "without_record_id": without_record_id,
        **({"outcomes": [dict(rule) for rule in outcomes]} if outcomes is not None else {}),
        **saved,
    }
    run.status = ImportStatus.MAPPED
    with transaction.atomic():
        run.save()
        if save_as:
            SavedMapping.objects.update_or_create(
                name=save_as[:64],
                defaults={
                    "kind": kind,
                    "source": run.source,
                    "mapping": run.mapping,
                    "created_by": user,
                },
            )
    return run


def _outcome_problems(
    run: ImportRun, kind: RecordKind, outcomes: Sequence[Mapping[str, Any]]
) -> list[str]:
    decidable = OUTCOME_FIELDS.get(kind, {})
    problems = []
    for rule in outcomes:
        if rule.get("outcome") not in decidable:
            problems.append(
                _("“%s” cannot be decided for this kind of record.") % rule.get("outcome")
            )
        elif rule.get("header") not in run.sniffed["headers"]:
            problems.append(_("The file has no column “%s”.") % rule.get("header"))
    return problems


def _mapping_problems(
    schema: Any, columns: Mapping[str, str | None], combine: tuple[Combine, ...]
) -> list[str]:
    fields = [name for name in columns.values() if name]
    combined = {rule.field for rule in combine}
    problems = [_("“%s” is not a field of this kind.") % name
                for name in fields if name not in schema.field_names]  # fmt: skip
    twice = {name for name in fields if fields.count(name) > 1 and name not in combined}
    problems += [_("Two columns are mapped to “%s”.") % name for name in sorted(twice)]
    # Without an id column, the pipeline derives a stable id from the record's content.
    required = [f.name for f in schema.fields if f.required and f.name != "external_id"]
    problems += [_("Map a column to the required field “%s”.") % name
                 for name in required if name not in fields and name not in combined]  # fmt: skip
    return problems


def _combine_rules(run: ImportRun, preset: str) -> tuple[Combine, ...]:
    """The preset's rules for joining columns (first + last name), in the file's spelling."""
    return file_combines(run.sniffed["headers"], get_preset(preset).combine) if preset else ()


def chosen_preset(run: ImportRun) -> str:
    """The preset list's value for the run: a built-in preset's name, or a saved mapping."""
    saved = run.mapping.get("saved")
    return f"{SAVED_PREFIX}{saved}" if saved and not run.preset else run.preset


def import_run_repropose(*, run: ImportRun, kind: str, preset: str) -> ImportRun:
    """Switch to another kind or preset, with the column mapping that one proposes."""
    require_status(run, ImportStatus.MAPPED, ImportStatus.VALIDATED)
    if preset.startswith(SAVED_PREFIX):
        saved = SavedMapping.objects.get(pk=int(preset.removeprefix(SAVED_PREFIX)))
        run.kind, run.preset, run.source = saved.kind, "", saved.source
        run.mapping = {**saved.mapping, "columns": _saved_columns(run, saved), "saved": saved.pk}
        run.recognition = _chosen(run)
        run.status = ImportStatus.MAPPED
        run.save()
        return run
    chosen = get_preset(preset) if preset else None
    if chosen is not None and kind and kind != chosen.kind and kind != run.kind:
        # A new kind with the old kind's preset still in the list: the kind wins, with the
        # preset that fits it best (or none).
        chosen = recognise_file(run.sniffed["headers"], RecordKind(kind)).preset
    record_kind = chosen.kind if chosen else RecordKind(kind)
    mapping = propose_mapping(run.sniffed["headers"], record_kind, preset=chosen)
    run.kind, run.preset = record_kind.value, chosen.name if chosen else ""
    run.source = chosen.crm if chosen else run.source
    run.mapping = {**run.mapping, "columns": mapping.columns_dict()}
    run.recognition = _chosen(run)
    run.status = ImportStatus.MAPPED
    run.save()
    return run


def _chosen(run: ImportRun) -> dict[str, Any]:
    """The admin chose the kind and preset: nothing is left to ask."""
    return {**run.recognition, "kind": run.kind, "preset": run.preset,
            "confidence": Confidence.CERTAIN.value, "reason": Reason.CHOSEN.value,
            "needs_choice": False}  # fmt: skip


def needs_choice_text(run: ImportRun) -> str:
    return str(_("salesopt is not sure what this file holds: choose the kind of record and the "
                 "preset above before the rows are checked."))  # fmt: skip


def _require_choice_made(run: ImportRun) -> None:
    if run.recognition.get("needs_choice"):
        raise ValidationError(needs_choice_text(run), code="choose_first")


def plan_of(run: ImportRun, path: Path) -> ImportPlan:
    """The pipeline's instructions for a run, from what the admin chose."""
    kind = RecordKind(run.kind)
    preset = get_preset(run.preset) if run.preset else None
    choice_fields = [f.name for f in SCHEMAS[kind].fields if f.type is FieldType.CHOICE]
    value_maps = {
        name: preset.value_map(name) if preset else generic_value_map(kind, name)
        for name in choice_fields
    }
    return ImportPlan(
        path=path,
        sniffed=sniffed_of(run),
        kind=kind,
        source=run.source,
        columns={header: name for header, name in run.mapping["columns"].items() if name},
        value_maps=value_maps,
        combine=_combine_rules(run, run.preset),
        zone=run.time_zone,
        day_first=bool(run.mapping.get("day_first")),
        create_missing=run.create_missing,
        received_at=run.created_at,
        outcomes=outcome_rules(run),
    )


def outcome_column(run: ImportRun) -> str:
    """The file's column that says converted / won / lost unless an outcome rule does: the one
    mapped to the lead's status or the deal's stage ('' when none is)."""
    field = {RecordKind.LEAD.value: "status", RecordKind.OPPORTUNITY.value: "stage"}.get(run.kind)
    columns = run.mapping.get("columns", {})
    return next((header for header, name in columns.items() if field and name == field), "")


def outcome_rules(run: ImportRun) -> tuple[OutcomeRule, ...]:
    """The columns that decide converted / won / lost: the admin's choice on the mapping page,
    else the preset's rules for the columns the file has."""
    if "outcomes" in run.mapping:
        return tuple(OutcomeRule.from_dict(rule) for rule in run.mapping["outcomes"])
    preset = get_preset(run.preset) if run.preset else None
    return preset.outcome_rules(run.sniffed["headers"]) if preset else ()


# --- validating and importing ---------------------------------------------------------------


def import_run_validate(*, run_id: int) -> ImportRun:
    """Dry run over every row: counts of what would change, and every problem, nothing written.

    A file found unreadable further down than the upload looked ends FAILED with the reason.
    """
    run = ImportRun.objects.get(pk=run_id)
    try:
        return _validate(run)
    except readers.UnreadableFile as problem:
        return _refuse(run, problem)


def _validate(run: ImportRun) -> ImportRun:
    if run.status not in (ImportStatus.MAPPED, ImportStatus.VALIDATING):
        return run  # a redelivered task, or the admin moved on: nothing to do
    outcome = _run_pipeline(run, write=False, skip_invalid=True)
    _record(run, outcome, status=ImportStatus.VALIDATED)
    return run


def import_run_execute(*, run_id: int, skip_invalid: bool = True) -> ImportRun:
    """Import the valid rows in one transaction; the run's counts commit with the data.

    A file found unreadable further down than the upload looked ends FAILED with the reason
    (and nothing written); any other failure is recorded on the run and raised.
    """
    run = ImportRun.objects.get(pk=run_id)
    try:
        return _execute(run, skip_invalid=skip_invalid)
    except readers.UnreadableFile as problem:
        return _refuse(run, problem)


def _refuse(run: ImportRun, problem: readers.UnreadableFile) -> ImportRun:
    progress.clear(run.pk)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.FAILED, finished_at=timezone.now(), message=refusal_text(problem)
    )
    run.refresh_from_db()
    return run


def _execute(run: ImportRun, *, skip_invalid: bool) -> ImportRun:
    if run.status not in (ImportStatus.MAPPED, ImportStatus.VALIDATED, ImportStatus.IMPORTING):
        return run  # done, cancelled or reverted already: a redelivery changes nothing
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.IMPORTING, started_at=timezone.now(), message=""
    )
    run.refresh_from_db()

    def record_with_the_data(outcome: Outcome) -> None:
        if _nothing_valid(outcome):  # a run that wrote nothing is not "done", nor revertible
            message = _nothing_written_text(outcome.rows)
            _record(run, outcome, status=ImportStatus.FAILED, message=message)
            return
        _record(run, outcome, status=ImportStatus.DONE if outcome.wrote else ImportStatus.FAILED)
        if outcome.created or outcome.updated:
            # Queued when this transaction commits, never for an import that rolled back.
            recompute_after_import(months=sorted(outcome.months))

    try:
        outcome = _run_pipeline(run, write=True, skip_invalid=skip_invalid,
                                before_commit=record_with_the_data)  # fmt: skip
    except readers.UnreadableFile:
        raise  # the file's fault, not the import's: the caller records the reason
    except Exception as problem:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=str(problem)[:2000]
        )
        raise
    if not outcome.wrote:
        message = (_nothing_written_text(outcome.rows) if _nothing_valid(outcome)
                   else _("Some rows are invalid and skipping them was not allowed."))  # fmt: skip
        _record(run, outcome, status=ImportStatus.FAILED, message=message)
    return run


def _nothing_valid(outcome: Outcome) -> bool:
    return outcome.rows > 0 and outcome.rejected >= outcome.rows


def nothing_valid_text(rows: int) -> str:
    """Why a run whose every row has an error cannot import anything."""
    return ngettext(
        "The only row cannot be imported: it has an error (listed below).",
        "None of the %(count)s rows can be imported: every row has an error (listed below).",
        rows,
    ) % {"count": f"{rows:,}"}


def _nothing_written_text(rows: int) -> str:
    written = _("Nothing was written.")
    return f"{nothing_valid_text(rows)} {written}"


def _run_pipeline(
    run: ImportRun,
    *,
    write: bool,
    skip_invalid: bool,
    before_commit: Callable[[Outcome], None] | None = None,
) -> Outcome:
    progress.start(run.pk, rows_total=run.rows_total or run.sniffed.get("estimated_rows") or 0)
    with local_copy(run) as path:
        outcome = process(
            plan_of(run, path),
            run_id=run.pk,
            write=write,
            skip_invalid=skip_invalid,
            on_progress=lambda rows: progress.advance(run.pk, rows_done=rows),
            before_commit=before_commit,
        )
    progress.clear(run.pk)
    return outcome


@contextmanager
def local_copy(run: ImportRun) -> Iterator[Path]:
    """The stored file as a local path (storages may be remote); a temporary copy if needed."""
    try:
        local = Path(run.file.path)
    except NotImplementedError:  # a storage without local files
        local = None
    if local is not None:
        yield local
        return
    with tempfile.NamedTemporaryFile(delete=False) as copy:
        for chunk in run.file.chunks():
            copy.write(chunk)
    try:
        yield Path(copy.name)
    finally:
        Path(copy.name).unlink(missing_ok=True)


def _record(run: ImportRun, outcome: Outcome, *, status: str, message: str = "") -> None:
    """Store counts, the first errors and the full error report on the run."""
    run.status = status
    run.message = message
    run.rows_total = run.rows_done = outcome.rows
    run.created_count, run.updated_count = outcome.created, outcome.updated
    run.unchanged_count, run.rejected_count = outcome.unchanged, outcome.rejected
    run.duplicate_count = outcome.duplicates
    run.error_sample = [error.as_dict() for error in outcome.error_sample]
    if status in (ImportStatus.DONE, ImportStatus.FAILED):
        run.finished_at = timezone.now()
    if outcome.error_report is not None:
        _attach_error_report(run, outcome.error_report)
    run.months_touched = sorted(month.isoformat() for month in outcome.months)
    run.save()


def _attach_error_report(run: ImportRun, report: Path) -> None:
    with report.open(encoding="utf-8") as rows:
        content = csv_bytes(ERROR_REPORT_HEADER, csv.reader(rows))
    report.unlink(missing_ok=True)
    run.error_report.save(f"errors-{run.pk}.csv", ContentFile(content), save=False)


def import_run_cancel(*, run: ImportRun) -> ImportRun:
    """Drop a run that was not imported; its file stays for the history."""
    require_status(run, ImportStatus.MAPPED, ImportStatus.VALIDATED)
    run.status = ImportStatus.CANCELLED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return run


# Kinds whose records have no id of their own in a CRM export: targets are known by period and
# scope, people by e-mail.
KEYED_BY_CONTENT = frozenset({RecordKind.TARGET, RecordKind.USER})


def lacks_record_id(run: ImportRun) -> bool:
    """No column maps to the record's id, and the admin has not confirmed the file has none.

    Rows are then matched by a hash of their content (name, company, creation date…): a later
    export of an updated record hashes differently and lands as a second record.
    """
    if not run.kind or RecordKind(run.kind) in KEYED_BY_CONTENT:
        return False
    mapped = set(run.mapping.get("columns", {}).values())
    return "external_id" not in mapped and not run.mapping.get("without_record_id")


def record_id_problem(*, on_the_command_line: bool = False) -> str:
    confirm = (
        _("run again with --no-record-id to import it anyway")
        if on_the_command_line
        else _("tick “This file has no record id” to import it anyway")
    )
    return _(
        "No column holds the record's id in your CRM. Without one, rows are matched by their "
        "content, so each later export of an updated record adds a second record. Map the id "
        "column, or %(confirm)s."
    ) % {"confirm": confirm}


def _require_record_id(run: ImportRun) -> None:
    if lacks_record_id(run):
        raise ValidationError(record_id_problem(), code="no_record_id")


def import_run_start(*, run: ImportRun, skip_invalid: bool = True) -> ImportRun:
    """Queue the import of a validated run; it starts once this transaction commits."""
    from .tasks import import_run_execute_task  # tasks import services: import at call time

    require_status(run, ImportStatus.VALIDATED)
    _require_choice_made(run)
    _require_record_id(run)
    if run.nothing_valid:
        raise ValidationError(nothing_valid_text(run.rows_total), code="nothing_valid")
    run.status = ImportStatus.IMPORTING
    run.save(update_fields=["status", "updated_at"])
    progress.start(run.pk, rows_total=run.rows_total)
    import_run_execute_task.delay_on_commit(run.pk, skip_invalid=skip_invalid)
    return run


def import_run_request_validation(*, run: ImportRun) -> ImportRun:
    """Queue the dry run of a mapped run."""
    from .tasks import import_run_validate_task

    require_status(run, ImportStatus.MAPPED)
    _require_choice_made(run)
    _require_record_id(run)
    run.status = ImportStatus.VALIDATING
    run.save(update_fields=["status", "updated_at"])
    progress.start(run.pk, rows_total=run.sniffed.get("estimated_rows") or 0)
    import_run_validate_task.delay_on_commit(run.pk)
    return run
