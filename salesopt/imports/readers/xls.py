"""Excel 97–2003 workbooks (.xls), read with xlrd.

xlrd keeps only the cells a sheet really has (with ragged_rows), so a crafted file that puts
one cell at A1 and one at IV65536 costs kilobytes; calamine builds the dense grid between them
(1 GB for a 5.6 KB file, measured). The format caps a sheet at 65,536 × 256 cells and the file
at the upload limit, and it is not compressed, so xlrd's memory stays proportional to the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import xlrd
from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.cells import date_text, number_text
from salesopt.imports.readers.contract import (
    Chunk,
    Limits,
    SniffResult,
    UnreadableFile,
    reject_too_wide,
    too_many_columns,
)
from salesopt.imports.readers.table import Row, find_table, is_blank
from salesopt.imports.readers.xlsx import SAMPLE_ROWS, chunk_of

BOOLEANS = {0: "FALSE", 1: "TRUE"}


class DiscardedLog:
    """xlrd writes warnings about odd files to a log file: drop them."""

    def write(self, _text: str) -> int:
        return 0


def sniff_xls(path: Path, *, head: bytes, size: int, limits: Limits) -> SniffResult:
    with open_book(path) as book:
        for sheet in sheets_in_order(book):
            rows = list(itertools.islice(sheet_rows(book, sheet), SAMPLE_ROWS))
            if rows:
                refuse_a_wide_header(rows, limits.max_columns)
                # A data row past the limit is rejected when read, not a column of the table.
                narrow = [row for row in rows if reach(row[1]) <= limits.max_columns]
                return sniffed_sheet(sheet, narrow)
    raise UnreadableFile(_("The workbook has no sheet with data."), code="empty")


def sniffed_sheet(sheet: xlrd.sheet.Sheet, rows: list[Row]) -> SniffResult:
    table = find_table(rows)
    if table.sampled_data_rows == 0 and len(rows) < SAMPLE_ROWS:
        raise UnreadableFile(_("The file has a header row but no data rows."), code="header_only")
    return SniffResult(
        file_format="xls",
        encoding=None,
        delimiter=None,
        header_row=table.header_row,
        headers=table.headers,
        sheet_name=sheet.name,
        skipped_rows_above=table.skipped_rows_above,
        estimated_rows=max(sheet.nrows - table.header_row, table.sampled_data_rows),
        column_count=table.column_count,
    )


def read_xls(
    path: Path, sniffed: SniffResult, *, chunk_rows: int, limits: Limits
) -> Iterator[Chunk]:
    width = len(sniffed.headers)
    too_wide: dict[int, int] = {}

    def within_the_header(number: int, cells: list[str]) -> Row:
        if (fields := reach(cells)) > width:
            too_wide[number] = fields
            return number, [""] * width
        return number, cells[:width]

    with open_book(path) as book:
        sheet = book.sheet_by_name(sniffed.sheet_name)
        rows = (
            within_the_header(number, cells)
            for number, cells in sheet_rows(book, sheet)
            if number > sniffed.header_row
        )
        while batch := list(itertools.islice(rows, chunk_rows)):
            yield reject_too_wide(chunk_of(batch, sniffed.headers), too_wide, width)


@contextmanager
def open_book(path: Path) -> Iterator[xlrd.book.Book]:
    try:
        book = xlrd.open_workbook(
            str(path), on_demand=True, ragged_rows=True, logfile=DiscardedLog()
        )
    # xlrd parses untrusted bytes and fails in many ways (struct, index and its own errors):
    # every one of them means the same thing to the admin.
    except Exception as error:
        raise UnreadableFile(
            _(
                "This Office file is not a readable Excel workbook (%(detail)s); if it is "
                "password-protected, remove the password and upload it again."
            ),
            code="damaged",
            params={"detail": str(error)[:200]},
        ) from error
    try:
        yield book
    finally:
        book.release_resources()


def sheets_in_order(book: xlrd.book.Book) -> Iterator[xlrd.sheet.Sheet]:
    """Visible sheets first, each group in workbook order."""
    sheets = [book.sheet_by_index(index) for index in range(book.nsheets)]
    yield from (sheet for sheet in sheets if sheet.visibility == 0)
    yield from (sheet for sheet in sheets if sheet.visibility != 0)


def sheet_rows(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet) -> Iterator[Row]:
    for index in range(sheet.nrows):
        cells = [
            cell_text(book, kind, value)
            for kind, value in zip(sheet.row_types(index), sheet.row_values(index), strict=True)
        ]
        if not is_blank(cells):
            yield index + 1, cells


def cell_text(book: xlrd.book.Book, kind: int, value: object) -> str:
    """What Excel shows; formula cells hold their cached result, never evaluated here."""
    if kind == xlrd.XL_CELL_TEXT:
        return str(value)
    if kind == xlrd.XL_CELL_NUMBER:
        return number_text(float(value))  # type: ignore[arg-type]
    if kind == xlrd.XL_CELL_DATE:
        serial = float(value)  # type: ignore[arg-type]
        return date_text(serial, date1904=book.datemode == 1) or number_text(serial)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return BOOLEANS.get(int(value), "")  # type: ignore[call-overload]
    if kind == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(int(value), "#ERROR"))  # type: ignore[call-overload]
    return ""


def reach(cells: list[str]) -> int:
    """How many fields a row reaches: up to its last filled cell."""
    return next((index + 1 for index in range(len(cells) - 1, -1, -1) if cells[index].strip()), 0)


def refuse_a_wide_header(rows: list[Row], max_columns: int) -> None:
    """The first filled row (the header, or a title above it) past the column limit: no column
    of the file can be trusted."""
    number, cells = rows[0]
    if reach(cells) > max_columns:
        raise too_many_columns(number, reach(cells), max_columns)
