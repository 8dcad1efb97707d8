"""CSV and other delimited text: sniffed from a sample, streamed with Arrow's CSV reader."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as arrow_csv
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
from salesopt.imports.readers.contract import (
    TEXT,
    Chunk,
    Limits,
    SniffResult,
    UnreadableFile,
    human_size,
)
from salesopt.imports.readers.table import Row, column_letter, find_table

DELIMITERS = (",", ";", "\t", "|")
# Records parsed with each candidate delimiter to judge which one splits rows consistently.
DELIMITER_SAMPLE_RECORDS = 50
# pandas hands the parser this much at a time; the line-length guard checks each read.
READ_BUFFER_BYTES = 2**20

OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def sniff_delimited(path: Path, *, head: bytes, size: int, limits: Limits) -> SniffResult:
    at_end = len(head) == size
    check_line_lengths(head, limit=limits.max_row_bytes, at_end=at_end)
    encoding = detect_encoding(head, at_end=at_end)
    text = decode_sample(head, encoding, at_end=at_end)
    # Python's csv refuses cells over 128 KB; a row may hold up to the row limit.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_row_bytes))
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
        counts: Counter[int] = Counter()
        try:
            for record, _index in zip(reader, range(DELIMITER_SAMPLE_RECORDS), strict=False):
                if any(cell.strip() for cell in record):
                    counts[len(record)] += 1
        except csv.Error:
            pass  # judged on the records before (sample_rows reports the row, if it matters)
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
    """Chunks of `chunk_rows` records below the header, blank ones included.

    Arrow's CSV reader parses the file: in C++, without the GIL and without a Python string per
    cell (pandas' C parser took four times the CPU and held every cell of a chunk as a Python
    object). A block is one row's limit (Arrow refuses a record longer than a block or two),
    and its background reads are paced to a few blocks ahead of the parser (ReadPacer).
    """
    headers = list(sniffed.headers)
    dropped = [f"\0dropped {index}" for index in range(len(headers), sniffed.column_count)]
    records = ArrowRecords(
        [*headers, *dropped], header_row=sniffed.header_row, delimiter=sniffed.delimiter or ","
    )
    encoding, bom_length = arrow_encoding(sniffed.encoding or "utf-8")
    with path.open("rb") as raw:
        newline = line_break(raw.read(SNIFF_BYTES))
        raw.seek(bom_length)
        block_size = max(limits.max_row_bytes, 2**16)
        pacer = ReadPacer(block_size)
        guard = LineLengthGuard(raw, limit=limits.max_row_bytes, newline=newline, pacer=pacer)
        try:
            batches = arrow_csv.open_csv(
                io.BufferedReader(guard, buffer_size=READ_BUFFER_BYTES),
                read_options=arrow_csv.ReadOptions(
                    block_size=block_size,
                    use_threads=False,  # the pipeline's threads already fill both cores
                    column_names=records.names,
                    encoding=encoding,
                ),
                parse_options=arrow_csv.ParseOptions(
                    delimiter=sniffed.delimiter or ",",
                    newlines_in_values=True,
                    ignore_empty_lines=False,  # a blank line is a row in Excel: keep numbering
                    invalid_row_handler=records.invalid_row,
                ),
                convert_options=arrow_csv.ConvertOptions(
                    column_types=dict.fromkeys(records.names, pa.large_string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            chunks = records.chunks(paced(batches, pacer), chunk_rows)
            yield from without_stray_values(chunks, sniffed, headers)
        except pa.ArrowInvalid as error:
            raise read_error(str(error), path, sniffed, records, limits) from error
        except UnicodeDecodeError as error:
            raise not_valid_text(sniffed.encoding or "utf-8") from error
        finally:
            pacer.stop()  # a read still waiting goes on, finds the file closed, and ends
        if guard.quotes % 2:
            # An odd number of quotes: a stray one in an unquoted cell (read as text), or a
            # quoted value never closed, which Arrow ends silently at the end of the file.
            check_quotes_close(path, sniffed)


def paced(batches: Iterator[pa.RecordBatch], pacer: ReadPacer) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        pacer.took_batch()
        yield batch


def arrow_encoding(encoding: str) -> tuple[str, int]:
    """Arrow decodes UTF-8 itself and other codecs through Python's: skip the BOM ourselves."""
    if encoding in ("utf-8", "utf-8-sig"):
        return "utf8", 3 if encoding == "utf-8-sig" else 0
    return encoding, 0


class ArrowRecords:
    """Arrow's batches as chunks indexed by row number, and what Arrow could not read.

    Arrow numbers records as Excel numbers rows (a quoted line break does not start a row),
    but hands the numbers over only with the rows it cannot read as the header's columns:
    those come to `invalid_row` and are set aside; the rows of each batch are numbered by
    counting on from the previous batch, past the numbers set aside. A short row (trailing
    empty cells left out, as some exports do) is padded and put back in its place; a row with
    more cells than the header, or one that opens a quote and never closes it, refuses the
    file. Rows down to the header row (title, notes, the header itself, possibly spanning
    lines) are read as records too and dropped: Arrow's own row skipping counts lines.
    """

    def __init__(self, names: list[str], *, header_row: int, delimiter: str) -> None:
        self.names = names
        self.header_row = header_row
        self.delimiter = delimiter
        self.next_number = 1
        self.set_aside: dict[int, list[str] | None] = {}  # None: above the data, dropped
        self.problem: UnreadableFile | None = None
        self.last_number = 0  # of the last row Arrow handed over, for errors without a number

    def invalid_row(self, row: Any) -> str:
        """Arrow's invalid-row handler (it must not raise: the problem is kept for later)."""
        if row.number <= self.header_row:
            self.set_aside[row.number] = None
        elif row.actual_columns > row.expected_columns:
            self.problem = self.problem or UnreadableFile(
                _(
                    "Row %(row)s has %(count)s cells but the header row has %(expected)s; a "
                    "value probably contains the delimiter without quotes."
                ),
                code="ragged_row",
                params={
                    "row": row.number,
                    "count": row.actual_columns,
                    "expected": row.expected_columns,
                },
            )
        elif row.text.count('"') % 2:
            self.problem = self.problem or open_quote(row.number)
        else:
            cells = next(csv.reader(io.StringIO(row.text, newline=""), delimiter=self.delimiter),
                         [])  # fmt: skip
            self.set_aside[row.number] = cells + [""] * (row.expected_columns - len(cells))
        return "skip"

    def chunks(self, batches: Iterator[pa.RecordBatch], chunk_rows: int) -> Iterator[Chunk]:
        held: list[pa.RecordBatch] = []
        numbers: list[np.ndarray] = []
        padded: list[tuple[int, list[str]]] = []
        count = 0
        for batch in batches:
            self._raise_problem()
            batch_numbers, batch_padded = self._number(batch.num_rows)
            above_data = int(np.searchsorted(batch_numbers, self.header_row, side="right"))
            if above_data:
                batch, batch_numbers = batch.slice(above_data), batch_numbers[above_data:]
            held.append(batch)
            numbers.append(batch_numbers)
            padded += batch_padded
            count += len(batch_numbers)
            while count >= chunk_rows:
                table, row_numbers = pa.Table.from_batches(held), np.concatenate(numbers)
                last = row_numbers[chunk_rows - 1]
                yield self._frame(table.slice(0, chunk_rows), row_numbers[:chunk_rows],
                                  [row for row in padded if row[0] <= last])  # fmt: skip
                padded = [row for row in padded if row[0] > last]
                held, numbers = table.slice(chunk_rows).to_batches(), [row_numbers[chunk_rows:]]
                count -= chunk_rows
        self._raise_problem()
        _rest, trailing = self._number(0)  # rows set aside after the last batch
        padded += trailing
        if count or padded:
            table = pa.Table.from_batches(held, schema=self._schema())
            yield self._frame(table, np.concatenate([*numbers, np.empty(0, np.int64)]), padded)

    def _number(self, rows: int) -> tuple[np.ndarray, list[tuple[int, list[str]]]]:
        """The row numbers of the next `rows` rows Arrow handed over, and the padded rows set
        aside among them (all of those left, when `rows` is 0: the end of the file)."""
        if not self.set_aside:
            numbers = np.arange(self.next_number, self.next_number + rows, dtype=np.int64)
        else:
            aside = np.fromiter(self.set_aside, dtype=np.int64)
            span = np.arange(self.next_number, self.next_number + rows + len(aside))
            numbers = span[~np.isin(span, aside)][:rows]
        end = int(numbers[-1]) if rows else max(self.set_aside, default=0)
        self.next_number = max(self.next_number, end + 1)
        self.last_number = max(self.last_number, end)
        mine = sorted(number for number in self.set_aside if number <= end)
        padded = [(number, cells) for number in mine
                  if (cells := self.set_aside.pop(number)) is not None]  # fmt: skip
        return numbers, padded

    def _frame(
        self, table: pa.Table, numbers: np.ndarray, padded: list[tuple[int, list[str]]]
    ) -> Chunk:
        # One buffer per column (a copy of a few MB): pandas and Arrow then work on one array
        # each, not on the reader's one-megabyte blocks.
        frame = table.combine_chunks().to_pandas(types_mapper={pa.large_string(): TEXT}.get)
        frame.index = pd.Index(numbers, dtype=np.int64, name="row")
        if padded:
            short = pd.DataFrame([cells for _number, cells in padded], columns=self.names,
                                 index=pd.Index([n for n, _cells in padded], name="row"),
                                 dtype="str")  # fmt: skip
            frame = pd.concat([frame, short]).sort_index()
        return frame

    def _schema(self) -> pa.Schema:
        return pa.schema([(name, pa.large_string()) for name in self.names])

    def _raise_problem(self) -> None:
        if self.problem is not None:
            raise self.problem


def without_stray_values(
    frames: Iterator[Chunk], sniffed: SniffResult, headers: list[str]
) -> Iterator[Chunk]:
    """The chunks without the columns past the headers, which must hold nothing."""
    for frame in frames:
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


def open_quote(row: int) -> UnreadableFile:
    return UnreadableFile(
        _("A quoted value starting in row %(row)s is never closed."),
        code="open_quote",
        params={"row": row},
    )


def read_error(
    message: str, path: Path, sniffed: SniffResult, records: ArrowRecords, limits: Limits
) -> Exception:
    """Arrow's refusal, as the admin's reason."""
    if "invalid UTF8" in message:
        return not_valid_text(sniffed.encoding or "utf-8")
    if "straddl" in message:
        # A row longer than a block, or a quote left open that swallowed the rest of the file.
        check_quotes_close(path, sniffed)
        return UnreadableFile(
            _("A row after row %(row)s is longer than the %(limit)s allowed for one row."),
            code="row_too_long",
            params={
                "row": max(records.last_number, sniffed.header_row),
                "limit": human_size(limits.max_row_bytes),
            },
        )
    return malformed(max(records.last_number, sniffed.header_row) + 1, message.strip())


def check_quotes_close(path: Path, sniffed: SniffResult) -> None:
    """Raise `open_quote` if a quoted value runs to the end of the file. pandas' parser, which
    reads stray quotes in unquoted cells as text as Arrow does, tells an open quote apart and
    names its row; it runs only on files with an odd number of quotes."""
    encoding, bom_length = pandas_encoding(sniffed.encoding or "utf-8")
    with path.open("rb") as raw:
        raw.seek(bom_length)
        reader = pd.read_csv(raw, encoding=encoding, sep=sniffed.delimiter, header=None,
                             skiprows=sniffed.header_row, usecols=[0], dtype=str,
                             na_filter=False, skip_blank_lines=False, engine="c",
                             on_bad_lines="skip", chunksize=100_000)  # fmt: skip
        try:
            with reader:
                for _chunk in reader:
                    pass
        except pd.errors.ParserError as error:
            unclosed = OPEN_QUOTE.search(str(error))
            if unclosed:
                raise open_quote(int(unclosed[1]) + 1) from error


def pandas_encoding(encoding: str) -> tuple[str, int]:
    # pandas wraps every encoding but UTF-8 in a slower text layer: skip the BOM ourselves.
    if encoding == "utf-8-sig":
        return "utf-8", 3
    return encoding, 0


class ReadPacer:
    """Keeps Arrow's background reads a few blocks ahead of the batches taken.

    Arrow's streaming CSV reader reads up to 32 blocks ahead on a thread of its own: 32 MB
    held at 1 MB a block (the row limit), for a parser that needs the next one or two. Its
    reads wait here until the consumer has caught up, and after `patience` seconds go on
    anyway: pacing must never be able to stall the reader.
    """

    def __init__(self, block_size: int, *, blocks_ahead: int = 4, patience: float = 1.0) -> None:
        self._ahead_bytes = block_size * blocks_ahead
        self._block_size = block_size
        self._patience = patience
        self._taken = 0  # batches handed to the consumer
        self._stopped = False
        self._changed = threading.Condition()

    def wait_to_read(self, bytes_read: int) -> None:
        with self._changed:
            self._changed.wait_for(
                lambda: (
                    self._stopped or bytes_read < self._taken * self._block_size + self._ahead_bytes
                ),
                timeout=self._patience,
            )

    def took_batch(self) -> None:
        with self._changed:
            self._taken += 1
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


class LineLengthGuard(io.RawIOBase):
    """Refuses a line longer than the limit as the file streams, before the parser buffers it;
    paces the reads when given a `pacer`."""

    def __init__(
        self, raw: BinaryIO, *, limit: int, newline: bytes, pacer: ReadPacer | None = None
    ) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._newline = newline
        self._pacer = pacer
        self._bytes = 0  # read so far
        self._run = 0  # bytes since the last newline
        self._newlines = 0  # newlines before the current run
        # Quote bytes read so far: exact in UTF-8 and GB encodings; in UTF-16 an odd count may
        # be a false alarm, which only costs a second look (check_quotes_close).
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        # Reading at most `limit` bytes at a time means only runs across reads can exceed it.
        if self._pacer is not None:
            self._pacer.wait_to_read(self._bytes)
        data = self._raw.read(min(len(buffer), self._limit))
        self._bytes += len(data)
        self._check(data)
        buffer[: len(data)] = data
        return len(data)

    def _check(self, data: bytes) -> None:
        self.quotes += data.count(b'"')
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
