"""A whole import from a file on disk in this process: `manage.py import_crm`'s entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from . import readers
from .mapping import (
    propose_mapping,
)
from .models import ImportRun
from .presets import get_preset
from .refusals import refusal_text
from .services import (
    _execute,
    _refuse,
    _validate,
    import_run_set_mapping,
    lacks_record_id,
    record_id_problem,
)
from .uploads import import_run_upload


def import_file(
    *,
    path: Path,
    kind: str = "",
    preset: str = "",
    time_zone: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    create_missing: bool = False,
    without_record_id: bool = False,
    user: Any = None,
) -> ImportRun:
    """A whole import from a file on disk, in this process: the command line's entry point."""
    with path.open("rb") as handle:
        run = import_run_upload(
            user=user, uploaded=File(handle, name=path.name), kind=kind, time_zone=time_zone
        )
    try:
        _map_as_proposed(run, preset=preset, time_zone=time_zone, create_missing=create_missing,
                         without_record_id=without_record_id)  # fmt: skip
        if lacks_record_id(run):
            raise ValidationError(record_id_problem(on_the_command_line=True), "no_record_id")
    except ValidationError:
        run.file.delete(save=False)
        run.delete()  # a file we cannot map leaves nothing behind
        raise
    try:
        return _validate(run) if dry_run else _execute(run, skip_invalid=skip_invalid)
    except readers.UnreadableFile as problem:
        _refuse(run, problem)
        raise ValidationError(refusal_text(problem), code=problem.code) from problem


def _map_as_proposed(
    run: ImportRun, *, preset: str, time_zone: str, create_missing: bool, without_record_id: bool
) -> None:
    if not preset and run.recognition.get("needs_choice"):
        raise ValidationError(_unsure_on_the_command_line(run), code="choose_first")
    if preset:
        chosen = get_preset(preset)
        proposal = propose_mapping(run.sniffed["headers"], chosen.kind, preset=chosen)
        columns, kind = proposal.columns_dict(), chosen.kind.value
    else:
        columns, kind, preset = run.mapping["columns"], run.kind, run.preset
    import_run_set_mapping(run=run, kind=kind, preset=preset, columns=columns,
                           time_zone=time_zone, create_missing=create_missing,
                           without_record_id=without_record_id)  # fmt: skip


def _unsure_on_the_command_line(run: ImportRun) -> str:
    candidates = run.recognition.get("candidates", [])
    presets = [c["preset"] for c in candidates if c["preset"]]
    if presets:
        text = _("salesopt is not sure what this file holds: it could be read with any of "
                 "%(presets)s. Run again with --preset.")  # fmt: skip
        return text % {"presets": ", ".join(presets)}
    kinds = [c["kind"] for c in candidates]
    return _("salesopt is not sure what this file holds: it could be %(kinds)s. "
             "Run again with --kind.") % {"kinds": ", ".join(kinds)}  # fmt: skip
