"""CSV and other delimited text: sniffed from a sample, streamed with pandas' C parser."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.content import (
    SNIFF_BYTES,
    check_line_lengths,
    decode_sample,
    detect_encoding,
    line_break,
    line_too_long,
    not_valid_text,
    refuse_control_characters,
)
from salesopt.imports.readers.contract import Chunk, Limits, SniffResult, UnreadableFile
from salesopt.imports.readers.table import Row, column_letter, find_table

DELIMITERS = (",", ";", "\t", "|")
# Records parsed with each candidate delimiter to judge which one splits rows consistently.
DELIMITER_SAMPLE_RECORDS = 50
# pandas hands the parser this much at a time; the line-length guard checks each read.
READ_BUFFER_BYTES = 2**20

RAGGED_ROW = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def sniff_delimited(path: Path, *, head: bytes, size: int, limits: Limits) -> SniffResult:
    at_end = len(head) == size
    check_line_lengths(head, limit=limits.max_row_bytes, at_end=at_end)
    encoding = detect_encoding(head, at_end=at_end)
    text = decode_sample(head, encoding, at_end=at_end)
    refuse_control_characters(text)
    delimiter = detect_delimiter(text)
    rows = sample_rows(text, delimiter, at_end=at_end, max_columns=limits.max_columns)
    table = find_table(rows)
    if at_end and table.sampled_data_rows == 0:
        raise UnreadableFile(_("The file has a header row but no data rows."), code="header_only")
    estimated_rows = (
        table.sampled_data_rows
        if at_end
        else round(len(rows) * size / len(head)) - table.header_row
    )
    return SniffResult(
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_row=table.header_row,
        headers=table.headers,
        sheet_name=None,
        skipped_rows_above=table.skipped_rows_above,
        estimated_rows=max(estimated_rows, table.sampled_data_rows),
        column_count=table.column_count,
    )


def detect_delimiter(text: str) -> str:
    """The candidate that splits the most records into the same number (> 1) of cells.

    csv.Sniffer is unreliable on Chinese text; counting cells per record (quotes respected)
    over the first records is not. Ties go to the wider split, then to the comma.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        counts = Counter(
            len(record)
            for record, _index in zip(reader, range(DELIMITER_SAMPLE_RECORDS), strict=False)
            if any(cell.strip() for cell in record)
        )
        if not counts:
            continue
        width, frequency = counts.most_common(1)[0]
        score = (frequency, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def sample_rows(text: str, delimiter: str, *, at_end: bool, max_columns: int) -> list[Row]:
    """The sample's complete records, numbered from 1 as Excel numbers the rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[Row] = []
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > max_columns:
                raise UnreadableFile(
                    _("Row %(row)s has %(count)s cells; at most %(limit)s columns are allowed."),
                    code="too_many_columns",
                    params={"row": number, "count": len(record), "limit": max_columns},
                )
            rows.append((number, record))
    except csv.Error as error:
        raise malformed(len(rows) + 1, str(error)) from error
    # Without the end of the file the last record may be cut short.
    return rows if at_end or len(rows) < 2 else rows[:-1]


def malformed(row: int, detail: str) -> UnreadableFile:
    return UnreadableFile(
        _("Row %(row)s could not be read (%(detail)s)."),
        code="malformed",
        params={"row": row, "detail": detail},
    )


def read_delimited(
    path: Path, sniffed: SniffResult, *, chunk_rows: int, limits: Limits
) -> Iterator[Chunk]:
    """Chunks of `chunk_rows` records below the header, blank ones included."""
    headers = list(sniffed.headers)
    dropped = [f"\0dropped {index}" for index in range(len(headers), sniffed.column_count)]
    encoding, bom_length = pandas_encoding(sniffed.encoding or "utf-8")
    with path.open("rb") as raw:
        newline = line_break(raw.read(SNIFF_BYTES))
        raw.seek(bom_length)
        reader = pd.read_csv(
            guarded(raw, limits.max_row_bytes, newline),
            encoding=encoding,
            sep=sniffed.delimiter,
            header=None,
            names=[*headers, *dropped],
            skiprows=sniffed.header_row,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # a blank line is a row in Excel: keep the numbering
            index_col=False,
            engine="c",
            chunksize=chunk_rows,
        )
        with reader:
            yield from numbered(translated(reader, sniffed), sniffed, headers)


def pandas_encoding(encoding: str) -> tuple[str, int]:
    # pandas wraps every encoding but UTF-8 in a slower text layer: skip the BOM ourselves.
    if encoding == "utf-8-sig":
        return "utf-8", 3
    return encoding, 0


def guarded(raw: BinaryIO, max_row_bytes: int, newline: bytes) -> io.BufferedReader:
    guard = LineLengthGuard(raw, limit=max_row_bytes, newline=newline)
    return io.BufferedReader(guard, buffer_size=READ_BUFFER_BYTES)


def numbered(frames: Iterator[Chunk], sniffed: SniffResult, headers: list[str]) -> Iterator[Chunk]:
    next_row = sniffed.header_row + 1
    for frame in frames:
        frame.index = pd.RangeIndex(next_row, next_row + len(frame), name="row")
        next_row += len(frame)
        if frame.shape[1] > len(headers):
            refuse_values_without_header(frame, sniffed)
            frame = frame.iloc[:, : len(headers)]
        yield frame


def refuse_values_without_header(frame: Chunk, sniffed: SniffResult) -> None:
    """Columns with neither header nor data in the sample are dropped; data there later is an
    error, not a silent loss."""
    extra = frame.iloc[:, len(sniffed.headers) :]
    rows = extra.index[(extra != "").any(axis=1)]
    if len(rows):
        raise UnreadableFile(
            _(
                "Row %(row)s has a value in column %(column)s, which has no header; add a "
                "header or remove the value."
            ),
            code="value_without_header",
            params={
                "row": rows[0],
                "column": column_letter(
                    len(sniffed.headers) + int((extra.loc[rows[0]] != "").to_numpy().argmax())
                ),
            },
        )


def translated(frames: Iterator[Chunk], sniffed: SniffResult) -> Iterator[Chunk]:
    """pandas' parser errors, as the admin's reason with the row number."""
    iterator = iter(frames)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            return
        except pd.errors.ParserError as error:
            raise parser_error(str(error), sniffed) from error
        except UnicodeDecodeError as error:
            raise not_valid_text(sniffed.encoding or "utf-8") from error
        yield frame


def parser_error(message: str, sniffed: SniffResult) -> UnreadableFile:
    ragged = RAGGED_ROW.search(message)
    if ragged:
        return UnreadableFile(
            _(
                "Row %(row)s has %(count)s cells but the header row has %(expected)s; a value "
                "probably contains the delimiter without quotes."
            ),
            code="ragged_row",
            params={"row": ragged[2], "count": ragged[3], "expected": sniffed.column_count},
        )
    open_quote = OPEN_QUOTE.search(message)
    if open_quote:
        return UnreadableFile(
            _("A quoted value starting in row %(row)s is never closed."),
            code="open_quote",
            params={"row": int(open_quote[1]) + 1},
        )
    return malformed(sniffed.header_row + 1, message.strip())


class LineLengthGuard(io.RawIOBase):
    """Refuses a line longer than the limit as the file streams, before pandas buffers it."""

    def __init__(self, raw: BinaryIO, *, limit: int, newline: bytes) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._newline = newline
        self._run = 0  # bytes since the last newline
        self._newlines = 0  # newlines before the current run

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # Reading at most `limit` bytes at a time means only runs across reads can exceed it.
        data = self._raw.read(min(len(buffer), self._limit))
        self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def _check(self, data: bytes) -> None:
        first = data.find(self._newline)
        if first == -1:
            self._run += len(data)
        else:
            if self._run + first > self._limit:
                raise line_too_long(self._newlines + 1, self._limit)
            self._newlines += data.count(self._newline)
            self._run = len(data) - data.rfind(self._newline) - 1
        if self._run > self._limit:
            raise line_too_long(self._newlines + 1, self._limit)
