"""Taking a file in: store it under a random name, sniff it, recognise it, propose a mapping."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from . import readers
from .mapping import (
    Confidence,
    Reason,
    Recognition,
    propose_mapping,
    recognise_file,
)
from .models import ImportRun, ImportStatus, SavedMapping
from .readers.contract import human_size
from .refusals import SPLIT, refusal_text, with_advice
from .schema import RecordKind

SAVED_PREFIX = "saved:"  # a saved mapping in the preset list, by id
# Suffixes a stored upload keeps (lowercased); any other is stored as the format it holds.
KNOWN_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls")


def import_run_upload(
    *, user: Any, uploaded: File[bytes], kind: str = "", time_zone: str = ""
) -> ImportRun:
    """Keep an uploaded file and propose how to read it; ValidationError if it is unusable.

    A refused file leaves nothing behind: no run, no stored file. The file is stored under a
    random name; the name it came with is kept for display only.
    """
    with _received(uploaded) as (path, digest):
        try:
            sniffed = readers.sniff(path)
            readers.check_text(path, sniffed)
        except readers.UnreadableFile as problem:
            raise ValidationError({"file": refusal_text(problem)}, code=problem.code) from problem
        proposal = _propose(sniffed, kind)
        run = ImportRun(
            created_by=user,
            file_name=Path(uploaded.name or "upload").name[:255],
            file_size=path.stat().st_size,
            file_sha256=digest,
            time_zone=time_zone or settings.SALESOPT_COMPANY_TIME_ZONE,
            sniffed=_sniffed_dict(sniffed),
            status=ImportStatus.MAPPED,
            **proposal,
        )
        with path.open("rb") as stored:
            run.file.save(_stored_name(run.file_name, sniffed), File(stored), save=False)
        try:
            run.save()
        except BaseException:
            run.file.delete(save=False)
            raise
    return run


def _stored_name(file_name: str, sniffed: readers.SniffResult) -> str:
    """A random name with the file's suffix: nothing the uploader chose reaches the disk."""
    suffix = Path(file_name).suffix.lower()
    return uuid.uuid4().hex + (suffix if suffix in KNOWN_SUFFIXES else f".{sniffed.file_format}")


@contextmanager
def _received(uploaded: File[bytes]) -> Iterator[tuple[Path, str]]:
    """The upload on disk, size-checked and hashed while it is written; removed afterwards."""
    limit = settings.SALESOPT_IMPORT_MAX_BYTES
    if (uploaded.size or 0) > limit:
        message = _("The file is larger than the %(limit)s limit.") % {"limit": human_size(limit)}
        raise ValidationError({"file": with_advice(message, SPLIT)}, code="too_large")
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(delete=False, prefix="salesopt-upload-") as temporary:
        path = Path(temporary.name)
        try:
            for chunk in uploaded.chunks():
                digest.update(chunk)
                temporary.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    try:
        yield path, digest.hexdigest()
    finally:
        path.unlink(missing_ok=True)


def _sniffed_dict(sniffed: readers.SniffResult) -> dict[str, Any]:
    return {
        "file_format": sniffed.file_format,
        "encoding": sniffed.encoding,
        "delimiter": sniffed.delimiter,
        "header_row": sniffed.header_row,
        "headers": list(sniffed.headers),
        "sheet_name": sniffed.sheet_name,
        "skipped_rows_above": sniffed.skipped_rows_above,
        "estimated_rows": sniffed.estimated_rows,
        "column_count": sniffed.column_count,
        "footer_bytes": sniffed.footer_bytes,
    }


def sniffed_of(run: ImportRun) -> readers.SniffResult:
    values = dict(run.sniffed)
    values["headers"] = tuple(values["headers"])
    return readers.SniffResult(**values)


def _propose(sniffed: readers.SniffResult, kind: str) -> dict[str, Any]:
    """Kind, preset, source and column mapping: a saved mapping made for exactly these
    headers first, then the best built-in preset, then synonyms."""
    saved = _saved_mapping_for(sniffed.headers, kind)
    if saved is not None:
        mapping = {**saved.mapping, "saved": saved.pk}
        recognition = Recognition(RecordKind(saved.kind), None, Confidence.CERTAIN, Reason.SAVED,
                                  decided_by=tuple(sniffed.headers))  # fmt: skip
        return {"kind": saved.kind, "preset": "", "source": saved.source, "mapping": mapping,
                "recognition": recognition.to_dict()}  # fmt: skip
    recognition = recognise_file(sniffed.headers, RecordKind(kind) if kind else None)
    preset = recognition.preset
    proposal = propose_mapping(sniffed.headers, recognition.kind, preset=preset)
    return {
        "kind": recognition.kind.value,
        "preset": preset.name if preset else "",
        "source": preset.crm if preset else "file",
        "mapping": {"columns": proposal.columns_dict(), "day_first": False},
        "recognition": recognition.to_dict(),
    }


def _saved_mapping_for(headers: tuple[str, ...], kind: str) -> SavedMapping | None:
    candidates = SavedMapping.objects.filter(kind=kind) if kind else SavedMapping.objects.all()
    for saved in candidates.order_by("-updated_at"):
        if set(saved.mapping.get("columns", {})) == set(headers):
            return saved
    return None


def _saved_columns(run: ImportRun, saved: SavedMapping) -> dict[str, str | None]:
    """A saved mapping applied to this file: its columns where the headers match, synonyms for
    the rest."""
    base = propose_mapping(run.sniffed["headers"], RecordKind(saved.kind)).columns_dict()
    columns = saved.mapping.get("columns", {})
    return {header: columns.get(header, field) for header, field in base.items()}
