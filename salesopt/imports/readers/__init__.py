"""The first stage of the import: read an untrusted CSV or Excel file as rows of text.

`sniff(path)` recognises the format, encoding, delimiter and header row and refuses what it
cannot read safely (`UnreadableFile` with a one-line reason); `read_chunks(path, sniffed)`
then streams the data rows below the header as chunks of text, never the whole file at once.

Cells are text exactly as the file holds them; nothing is evaluated. A formula cell in Excel
gives its cached result (what Excel shows), or its formula as text ("=1+1") when the file
has none; a CSV cell such as "=HYPERLINK(...)" or "+cmd" is plain text. Excel dates come out
as ISO 8601 text: "2024-03-01 14:05:00", "2024-03-01" for a whole day, "14:05:00" for a
time of day. Blank rows are skipped (their numbers are not reused), and rows at the end of the
file whose first cell says Total/合计 and whose other cells are numbers are dropped.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.content import file_format_of, not_valid_text, read_head
from salesopt.imports.readers.contract import (
    Chunk,
    Limits,
    SniffResult,
    UnreadableFile,
    human_size,
    split_rejected,
)
from salesopt.imports.readers.delimited import read_delimited, sniff_delimited
from salesopt.imports.readers.table import drop_blank_rows, drop_trailing_totals
from salesopt.imports.readers.xls import read_xls, sniff_xls
from salesopt.imports.readers.xlsx import read_xlsx, sniff_xlsx

__all__ = [
    "Chunk",
    "SniffResult",
    "UnreadableFile",
    "check_text",
    "read_chunks",
    "sniff",
    "split_rejected",
]

# Rows per chunk: ~20 MB of text cells for a 15-column export; the totals look-ahead may hold a
# second chunk's worth at most briefly.
DEFAULT_CHUNK_ROWS = 20_000

SNIFFERS = {"csv": sniff_delimited, "xlsx": sniff_xlsx, "xls": sniff_xls}
READERS = {"csv": read_delimited, "xlsx": read_xlsx, "xls": read_xls}


def sniff(path: Path, *, max_bytes: int | None = None) -> SniffResult:
    """Recognise the file's layout from its beginning; raise UnreadableFile with the reason."""
    limits = Limits.from_settings(max_bytes=max_bytes)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(_("The file is empty."), code="empty")
    if size > limits.max_bytes:
        raise UnreadableFile(
            _("The file is larger than the %(limit)s limit."),
            code="too_large",
            params={"limit": human_size(limits.max_bytes)},
        )
    head = read_head(path)
    file_format = file_format_of(head)
    return SNIFFERS[file_format](path, head=head, size=size, limits=limits)


def check_text(path: Path, sniffed: SniffResult) -> None:
    """Refuse a text file whose bytes past the sniffed sample are not valid in its encoding.

    The sniff judges the encoding on the first megabyte; an export that switches encoding
    further down would otherwise be refused only once the import reads that far. Decoding
    the whole file costs about a second for 200 MB of GB18030, half that for UTF-8.
    """
    if sniffed.file_format != "csv" or not sniffed.encoding:
        return
    decoder = codecs.getincrementaldecoder(sniffed.encoding)(errors="strict")
    with path.open("rb") as stream:
        try:
            while block := stream.read(2**20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise not_valid_text(sniffed.encoding) from error


def read_chunks(
    path: Path, sniffed: SniffResult, *, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[Chunk]:
    """The data rows below the header, `chunk_rows` at a time (fewer after skipped rows).

    Each chunk is a DataFrame of `str` columns named `sniffed.headers`, "" for an empty cell,
    indexed by the 1-based row number in the file. A problem found deeper in the file than the
    sniff looked (a row with more cells than the header, a line over the length limit, bytes
    that are not valid in the encoding) raises UnreadableFile while iterating.
    """
    limits = Limits.from_settings()
    frames = READERS[sniffed.file_format](path, sniffed, chunk_rows=chunk_rows, limits=limits)
    return _at_most(limits.max_rows, drop_trailing_totals(drop_blank_rows(frames)))


def _at_most(max_rows: int, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """The chunks, refusing the file once its data rows pass `max_rows` (a setting)."""
    rows = 0
    for chunk in chunks:
        rows += len(chunk)
        if rows > max_rows:
            raise UnreadableFile(
                _("The file has more than %(limit)s data rows; import it in parts."),
                code="too_many_rows",
                params={"limit": f"{max_rows:,}"},
            )
        yield chunk
