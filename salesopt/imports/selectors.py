"""Reads for the import pages: the history, and a preview of the first rows as they will land."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesopt.core import access
from salesopt.core.exports import unguard

from . import readers
from .models import ImportRun, SavedMapping
from .pipeline import Outcome, process
from .presets import PRESETS_BY_NAME
from .references import problem_reason
from .refusals import refusal_text
from .schema import KIND_LABELS, RecordKind
from .services import local_copy, plan_of, sniffed_of

PREVIEW_ROWS = 20


def visible_import_runs(user: Any) -> QuerySet[ImportRun]:
    """Imports are an admin's business; everyone else sees none."""
    if not access.can_import(user):
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("created_by", "created_by__profile")


def saved_mappings(*, kind: str = "") -> QuerySet[SavedMapping]:
    mappings = SavedMapping.objects.all()
    return mappings.filter(kind=kind) if kind else mappings


@dataclass(frozen=True)
class PreviewCell:
    text: str
    problem: str = ""


@dataclass(frozen=True)
class Preview:
    headers: tuple[str, ...]
    rows: list[tuple[int, list[PreviewCell]]]  # (row number in the file, one cell per header)
    problem_count: int
    problem: str = ""  # why the first rows cannot be read, if they cannot


def import_preview(run: ImportRun, *, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows with each cell's problem under the current mapping (nothing written).

    The problems are those of a dry run of these rows through the import's own pipeline, so
    the preview says what the check will say. Unknown names that the import is to create are
    not problems here (the preview creates nothing).
    """
    sniffed = sniffed_of(run)
    try:
        with local_copy(run) as path:
            chunk = next(iter(readers.read_chunks(path, sniffed, chunk_rows=limit)), None)
            plan = plan_of(run, path)
            if chunk is None:
                return Preview(sniffed.headers, [], 0)
            outcome = process(replace(plan, create_missing=False), run_id=None, write=False,
                              skip_invalid=True, first_rows=limit)  # fmt: skip
    except readers.UnreadableFile as unreadable:
        return Preview(sniffed.headers, [], 0, problem=refusal_text(unreadable))
    chunk, _rejected = readers.split_rejected(chunk.head(limit))
    problems = _cell_problems(outcome, tuple(chunk.columns), created=plan.create_missing)
    rows = [
        (int(row), [PreviewCell(str(chunk.at[row, header]), problems.get((row, header), ""))
                    for header in chunk.columns])
        for row in chunk.index
    ]  # fmt: skip
    return Preview(tuple(chunk.columns), rows, len(problems))


def _cell_problems(
    outcome: Outcome, headers: tuple[str, ...], *, created: bool
) -> dict[tuple[int, str], str]:
    """(row, header) → reason, from the dry run's error report. A problem of the whole row (too
    many fields) shows on its first cell; one of a field no column feeds is left to the mapping
    form, which names it."""
    unknown = problem_reason("unknown")
    problems: dict[tuple[int, str], str] = {}
    report = outcome.error_report
    if report is None:
        return problems
    with report.open(encoding="utf-8", newline="") as handle:
        for row, column, _value, reason in csv.reader(handle):
            if created and reason == unknown:
                continue  # the import creates it
            header = column or headers[0]
            if header in headers:
                problems.setdefault((int(row), header), reason)
    report.unlink(missing_ok=True)
    return problems


def error_report_rows(content: bytes) -> list[list[str]]:
    """The stored report (CSV, UTF-8 with BOM, header first) as rows for a download."""
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return [_with_number(row) for row in rows[1:]]


def _with_number(row: list[str]) -> list[Any]:
    """The row number back to a number; the stored cell may carry a formula guard."""
    number = row[0].lstrip("'")
    return [
        int(number) if number.isdigit() else number,
        *(unguard(cell) for cell in row[1:]),
    ]


@dataclass(frozen=True)
class RecognitionChoice:
    kind: str
    preset: str
    label: str


@dataclass(frozen=True)
class RecognitionSummary:
    """What the mapping page says of the recognition: the reading, how sure, why, and the
    readings to choose between when salesopt is not sure."""

    label: str
    confidence: str
    confidence_label: str
    why: str
    needs_choice: bool
    choices: list[RecognitionChoice]


CONFIDENCE_LABELS = {
    "certain": gettext_lazy("certain"),
    "high": gettext_lazy("high"),
    "medium": gettext_lazy("medium"),
    "low": gettext_lazy("low"),
    "none": gettext_lazy("none"),
}


def _reading_label(kind: str, preset: str) -> str:
    if preset in PRESETS_BY_NAME:
        return PRESETS_BY_NAME[preset].label
    return _("%(kind)s · no preset") % {"kind": KIND_LABELS[RecordKind(kind)]}


def recognition_summary(run: ImportRun) -> RecognitionSummary | None:
    """None for a run recognised before salesopt kept how (nothing to say)."""
    found = run.recognition
    if not found:
        return None
    headers = "、".join(f"“{header}”" for header in found.get("decided_by", [])[:8])
    kind_label = KIND_LABELS[RecordKind(run.kind)]
    why = {
        "template": _("The headers are those of salesopt's own template for %(kind)s: "
                      "%(headers)s.") % {"kind": kind_label, "headers": headers},
        "saved": _("A mapping saved earlier has exactly these headers."),
        "preset": _("Decided by the headers %(headers)s.") % {"headers": headers},
        "headers": _("Only the words of some headers say so: %(headers)s.")
        % {"headers": headers},
        "nothing": _("No header says what this file holds."),
        "chosen": _("You chose it."),
    }.get(found.get("reason", ""), "")  # fmt: skip
    confidence = found.get("confidence", "")
    choices = [
        RecognitionChoice(c["kind"], c["preset"], _reading_label(c["kind"], c["preset"]))
        for c in found.get("candidates", [])
    ]
    return RecognitionSummary(
        label=_reading_label(run.kind, run.preset),
        confidence=confidence,
        confidence_label=str(CONFIDENCE_LABELS.get(confidence, confidence)),
        why=str(why),
        needs_choice=bool(found.get("needs_choice")),
        choices=choices,
    )
