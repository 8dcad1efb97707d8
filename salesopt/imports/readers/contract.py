"""What the reader stage hands to the next stages: the sniff result, chunks, limits and errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

import pandas as pd
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A chunk of data rows: one `str` column per header (in `SniffResult.headers` order), "" for an
# empty cell, and an integer index named "row" holding each row's 1-based row number in the
# file, the number the admin sees in Excel, so an error can point at it.
Chunk: TypeAlias = pd.DataFrame
# A chunk holds this extra column only when some of its rows cannot be read as records (more
# fields than the header): those rows carry the reason here, every other cell empty, and the
# pipeline rejects them with it while the other rows import. `split_rejected` takes it off.
REJECTED_COLUMN = "\0rejected"
# The "str" dtype of a chunk's columns (and of text the coercers build from Arrow arrays).
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))

# Excel's own grid: a sheet that claims more is damaged or crafted.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class SniffResult:
    """What the reader recognised in a file, shown to the admin before the import runs."""

    file_format: str  # "csv" | "xlsx" | "xls"
    encoding: str | None  # a Python codec name ("utf-8-sig", "gb18030", "utf-16"); None for Excel
    delimiter: str | None  # ",", ";", "\t" or "|"; None for Excel
    header_row: int  # 1-based row number of the header in the file (as Excel numbers rows)
    headers: tuple[str, ...]  # cleaned and unique: "Amount", "Amount (2)"; "Column D" if blank
    sheet_name: str | None
    skipped_rows_above: int  # title and note rows with content above the header
    estimated_rows: int | None  # data rows, estimated from the file size and a sample
    # Cells per row as the file lays them out; columns past `len(headers)` had no header and no
    # data in the sample (trailing delimiters, formatted but empty Excel columns) and are dropped.
    column_count: int
    # Bytes at the end of the file that are not records (a Salesforce report's footer).
    footer_bytes: int = 0


class UnreadableFile(Exception):  # noqa: N818 - named for what the admin is told, as the brief asks
    """A file the import refuses or cannot read, with a one-line reason for the admin.

    Like Django's ValidationError: `message` is a lazy translation, `params` fill it in when
    the message is shown (`str(error)` renders it in the active language), and `code` is a
    stable machine-readable name for tests and the import service.
    """

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Limits:
    """The reader's limits, from `SALESOPT_IMPORT_*` settings (another module declares them)."""

    max_bytes: int
    max_columns: int
    max_row_bytes: int
    max_unpacked_bytes: int
    max_rows: int = 5_000_000

    @classmethod
    def from_settings(cls, *, max_bytes: int | None = None) -> Limits:
        if max_bytes is None:
            max_bytes = int(getattr(settings, "SALESOPT_IMPORT_MAX_BYTES", 200 * 2**20))
        return cls(
            max_bytes=max_bytes,
            max_columns=int(getattr(settings, "SALESOPT_IMPORT_MAX_COLUMNS", 500)),
            max_row_bytes=int(getattr(settings, "SALESOPT_IMPORT_MAX_ROW_BYTES", 2**20)),
            max_unpacked_bytes=int(getattr(settings, "SALESOPT_IMPORT_MAX_UNPACKED_BYTES", 2**30)),
            max_rows=int(getattr(settings, "SALESOPT_IMPORT_MAX_ROWS", 5_000_000)),
        )


def human_size(size: int) -> str:
    """200 MB, 1 KB, 300 B: limits as the admin reads them."""
    for unit, factor in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"


def split_rejected(chunk: Chunk) -> tuple[Chunk, list[tuple[int, str]]]:
    """The chunk without its rejected rows, and those rows' (row number, reason)."""
    if REJECTED_COLUMN not in chunk.columns:
        return chunk, []
    reasons = chunk[REJECTED_COLUMN]
    rejected = reasons.ne("").to_numpy()
    found = [(int(row), str(reasons[row])) for row in chunk.index[rejected]]
    return chunk.loc[~rejected].drop(columns=REJECTED_COLUMN), found


def too_many_columns(row: int, count: int, limit: int) -> UnreadableFile:
    """The refusal of a header (or a title above it) wider than the column limit."""
    return UnreadableFile(
        _("Row %(row)s has %(count)s cells; at most %(limit)s columns are allowed."),
        code="too_many_columns",
        params={"row": row, "count": count, "limit": limit},
    )


def too_wide_reason(count: int, width: int) -> str:
    """Why a data row with more fields than its header is rejected."""
    return str(_("%(count)s fields; the header has %(expected)s")) % {
        "count": f"{count:,}",
        "expected": f"{width:,}",
    }


def reject_too_wide(chunk: Chunk, too_wide: dict[int, int], width: int) -> Chunk:
    """Rows with values past the header (row number → fields they reach, taken out of
    `too_wide`): every cell blanked, the reason in REJECTED_COLUMN."""
    wide = [number for number in chunk.index if number in too_wide]
    if not wide:
        return chunk
    chunk.loc[wide, :] = ""
    reasons = [too_wide_reason(too_wide.pop(number), width) for number in wide]
    chunk[REJECTED_COLUMN] = ""
    chunk.loc[wide, REJECTED_COLUMN] = reasons
    return chunk
