"""Excel 2007+ workbooks (.xlsx, .xlsm), read by a bounded, streaming parser.

Not pandas.read_excel, openpyxl or calamine: they trust the sheet's declared size or build the
whole grid in memory (a 5 KB crafted file drove read_excel to 11 GB). Here the archive is
checked before anything is inflated (member count, declared sizes, compression ratio; Python's
zipfile never inflates past a member's declared size), any DTD is refused so no entity can
expand, and expat streams the sheet row by row: memory holds the rows of one chunk and the part
of the shared-string table read so far.
"""

from __future__ import annotations

import itertools
import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.cells import DATE_FORMAT_IDS, is_date_format
from salesopt.imports.readers.contract import (
    Chunk,
    Limits,
    SniffResult,
    UnreadableFile,
    human_size,
    reject_too_wide,
    too_many_columns,
)
from salesopt.imports.readers.ooxml import archive_errors, damaged, feed, safe_parser
from salesopt.imports.readers.table import Row, Table, find_table, is_blank
from salesopt.imports.readers.xlsx_cells import CellFormatter, SharedStrings, SheetHandler

# The zip's central directory is read whole by zipfile: a crafted one with millions of entries
# costs gigabytes before any check could run. Real workbooks have tens of parts.
MAX_ARCHIVE_MEMBERS = 10_000
END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
# Real sheets compress 10–25 to 1 (a 50,000-row sheet of one repeated value: 24 to 1); a
# decompression bomb, hundreds to thousands to 1. Small parts are left out of the ratio check.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 2**20
# workbook.xml, relationships and styles.xml are parsed whole: bloated ones reach a few MB.
MAX_METADATA_PART_BYTES = 32 * 2**20
# Rows read from a sheet to find the header and the table's width.
SAMPLE_ROWS = 200


@dataclass(frozen=True)
class Relationship:
    id: str
    kind: str  # the last word of the relationship type: "worksheet", "styles", …
    member: str


@dataclass(frozen=True)
class Sheet:
    name: str
    member: str


@dataclass
class Workbook:
    archive: zipfile.ZipFile
    sheets: list[Sheet]  # visible sheets first, each group in workbook order
    formatter: CellFormatter


def sniff_xlsx(path: Path, *, head: bytes, size: int, limits: Limits) -> SniffResult:
    with open_workbook(path, limits) as workbook:
        for sheet in workbook.sheets:
            handler = SheetHandler(workbook.formatter, width=limits.max_columns)
            rows = list(itertools.islice(sheet_rows(workbook, sheet, handler), SAMPLE_ROWS))
            # Rows wider than the column limit: the first one (the header, or a title above it)
            # refuses the file; a data row is left out of the sample and rejected when read.
            if rows and (first := rows[0][0]) in handler.too_wide:
                raise too_many_columns(first, handler.too_wide[first], limits.max_columns)
            rows = [row for row in rows if row[0] not in handler.too_wide]
            if rows:
                table = find_table(rows)
                complete = len(rows) < SAMPLE_ROWS
                if complete and table.sampled_data_rows == 0:
                    raise UnreadableFile(
                        _("The file has a header row but no data rows."), code="header_only"
                    )
                sheet_size = workbook.archive.getinfo(sheet.member).file_size
                estimated = table.sampled_data_rows if complete else estimate(handler, sheet_size)
                return sniffed_sheet(sheet, table, estimated_rows=estimated)
    raise UnreadableFile(_("The workbook has no sheet with data."), code="empty")


def estimate(handler: SheetHandler, sheet_size: int) -> int | None:
    """Rows in the sheet: its declared size if it has one, else extrapolated from the sample."""
    if handler.declared_last_row:
        return handler.declared_last_row
    if handler.bytes_seen:
        return round(handler.rows_seen * sheet_size / handler.bytes_seen)
    return None


def sniffed_sheet(sheet: Sheet, table: Table, *, estimated_rows: int | None) -> SniffResult:
    if estimated_rows is not None:
        estimated_rows = max(estimated_rows - table.header_row, table.sampled_data_rows)
    return SniffResult(
        file_format="xlsx",
        encoding=None,
        delimiter=None,
        header_row=table.header_row,
        headers=table.headers,
        sheet_name=sheet.name,
        skipped_rows_above=table.skipped_rows_above,
        estimated_rows=estimated_rows,
        column_count=table.column_count,
    )


def read_xlsx(
    path: Path, sniffed: SniffResult, *, chunk_rows: int, limits: Limits
) -> Iterator[Chunk]:
    width = len(sniffed.headers)
    with open_workbook(path, limits) as workbook:
        sheet = next((sheet for sheet in workbook.sheets if sheet.name == sniffed.sheet_name), None)
        if sheet is None:
            raise damaged(f"no sheet {sniffed.sheet_name!r}")
        handler = SheetHandler(workbook.formatter, width=width)
        rows = (row for row in sheet_rows(workbook, sheet, handler) if row[0] > sniffed.header_row)
        while batch := list(itertools.islice(rows, chunk_rows)):
            yield reject_too_wide(chunk_of(batch, sniffed.headers), handler.too_wide, width)


def chunk_of(batch: list[Row], headers: tuple[str, ...]) -> Chunk:
    width = len(headers)
    cells = [row if len(row) == width else [*row, *[""] * (width - len(row))] for _, row in batch]
    index = pd.Index([number for number, _row in batch], name="row", dtype="int64")
    return pd.DataFrame(cells, columns=list(headers), index=index, dtype="str")


@contextmanager
def open_workbook(path: Path, limits: Limits) -> Iterator[Workbook]:
    check_central_directory(path)
    with archive_errors():
        archive = zipfile.ZipFile(path)
    with archive:
        # Only opening and loading are covered: an error in the caller's block is its own.
        with archive_errors():
            check_members(archive, limits)
            workbook = load_workbook(archive)
        try:
            yield workbook
        finally:
            workbook.formatter.shared_strings.close()


def check_central_directory(path: Path) -> None:
    # The end record sits in the last 22 bytes plus a comment of at most 64 KB.
    with path.open("rb") as stream:
        stream.seek(0, 2)
        stream.seek(max(0, stream.tell() - 22 - 2**16))
        tail = stream.read()
    end = tail.rfind(END_OF_CENTRAL_DIRECTORY)
    if end == -1 or len(tail) - end < 22:
        raise damaged("no zip directory")
    members = int.from_bytes(tail[end + 10 : end + 12], "little")
    if members > MAX_ARCHIVE_MEMBERS:
        raise damaged(f"{members} parts")


def check_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an archive whose declared sizes or compression ratios give a bomb away."""
    unpacked = 0
    for member in archive.infolist():
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableFile(
                _(
                    "Part of the Excel file (%(part)s) expands %(ratio)s times when unpacked, "
                    "which only a crafted file does; refusing to read it."
                ),
                code="compression_ratio",
                params={"part": member.filename, "ratio": round(ratio)},
            )
    if unpacked > limits.max_unpacked_bytes:
        raise UnreadableFile(
            _("The Excel file expands to more than %(limit)s when unpacked; refusing to read it."),
            code="unpacked_too_large",
            params={"limit": human_size(limits.max_unpacked_bytes)},
        )


def load_workbook(archive: zipfile.ZipFile) -> Workbook:
    main = main_part(archive)
    parts = relationships(archive, relationships_of(main))
    worksheets = {part.id: part.member for part in parts if part.kind == "worksheet"}
    sheets, date1904 = workbook_sheets(archive, main, worksheets)
    styles = next((part.member for part in parts if part.kind == "styles"), None)
    strings = next((part.member for part in parts if part.kind == "sharedStrings"), None)
    formatter = CellFormatter(
        shared_strings=SharedStrings(archive, strings),
        date_styles=date_styles(archive, styles) if styles else frozenset(),
        date1904=date1904,
    )
    return Workbook(archive=archive, sheets=sheets, formatter=formatter)


def main_part(archive: zipfile.ZipFile) -> str:
    """The workbook part named by the package's relationships: a zip without one is no xlsx."""
    main = next(
        (
            part.member
            for part in relationships(archive, "_rels/.rels")
            if part.kind == "officeDocument"
        ),
        "",
    )
    if main not in archive.NameToInfo:
        raise UnreadableFile(
            _("This looks like a binary file (%(kind)s), not a CSV or Excel table."),
            code="binary",
            params={"kind": _("ZIP archive")},
        )
    if main.endswith(".bin"):
        raise UnreadableFile(
            _("Excel binary workbooks (.xlsb) are not supported; save the file as .xlsx or CSV."),
            code="xlsb",
        )
    return main


def relationships_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def relationships(archive: zipfile.ZipFile, rels: str) -> list[Relationship]:
    """The internal relationships of a part, targets resolved to member paths."""
    folder = posixpath.dirname(posixpath.dirname(rels))
    found: list[Relationship] = []
    for _name, attributes in metadata_elements(archive, rels, {"Relationship"}):
        target = attributes.get("Target", "")
        if attributes.get("TargetMode") == "External" or not target:
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found.append(
            Relationship(
                id=attributes.get("Id", ""),
                kind=attributes.get("Type", "").rpartition("/")[2],
                member=posixpath.normpath(member),
            )
        )
    return found


def workbook_sheets(
    archive: zipfile.ZipFile, main: str, worksheets: dict[str, str]
) -> tuple[list[Sheet], bool]:
    """The workbook's worksheets (visible ones first) and whether it counts dates from 1904."""
    visible: list[Sheet] = []
    hidden: list[Sheet] = []
    date1904 = False
    for name, attributes in metadata_elements(archive, main, {"sheet", "workbookPr"}):
        if name == "workbookPr":
            date1904 = attributes.get("date1904", "").lower() in {"1", "true"}
            continue
        # The relationship id is "r:id" with whatever prefix the writer chose.
        relation = next((value for key, value in attributes.items() if key.endswith(":id")), "")
        member = worksheets.get(relation)
        if member in archive.NameToInfo:
            sheet = Sheet(name=attributes.get("name", ""), member=member)
            (visible if attributes.get("state", "visible") == "visible" else hidden).append(sheet)
    return visible + hidden, date1904


def date_styles(archive: zipfile.ZipFile, styles: str) -> frozenset[int]:
    """Indexes of the cell formats (`s` attribute of a cell) that show a date or time."""
    custom_dates: set[int] = set()
    custom: set[int] = set()
    dates: set[int] = set()
    index = 0
    in_cell_formats = False
    for name, attributes in metadata_elements(archive, styles, {"numFmt", "cellXfs", "xf"}):
        if name == "numFmt":
            number_format = int_attribute(attributes, "numFmtId")
            custom.add(number_format)
            if is_date_format(attributes.get("formatCode", "")):
                custom_dates.add(number_format)
        elif name == "cellXfs":
            in_cell_formats = True
        elif in_cell_formats and name == "xf":
            number_format = int_attribute(attributes, "numFmtId")
            builtin_date = number_format in DATE_FORMAT_IDS and number_format not in custom
            if builtin_date or number_format in custom_dates:
                dates.add(index)
            index += 1
    return frozenset(dates)


def int_attribute(attributes: dict[str, str], name: str) -> int:
    value = attributes.get(name, "0")
    if not value.isdigit():
        raise damaged(f"{name}={value[:20]!r}")
    return int(value)


def metadata_elements(
    archive: zipfile.ZipFile, member: str, wanted: set[str]
) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of the wanted elements of a small part; [] when it is absent."""
    info = archive.NameToInfo.get(member)
    if info is None:
        return []
    if info.file_size > MAX_METADATA_PART_BYTES:
        raise damaged(f"{member} is {human_size(info.file_size)}")
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name[name.find(":") + 1 :]
        if local in wanted:
            found.append((local, attributes))

    parser = safe_parser()
    parser.StartElementHandler = start
    for _block in feed(archive, member, parser):
        pass
    return found


def sheet_rows(workbook: Workbook, sheet: Sheet, handler: SheetHandler) -> Iterator[Row]:
    """(row number, cells) of each row with a non-empty cell, in file order."""
    parser = safe_parser()
    handler.attach(parser)
    for _block in feed(workbook.archive, sheet.member, parser):
        finished = handler.take_rows()
        yield from (row for row in finished if not is_blank(row[1]))
