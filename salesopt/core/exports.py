"""Spreadsheet exports that are safe to open: no cell is ever read as a formula.

A value from an imported file may start with `=`, `+`, `-`, `@`, `|`, a tab, a line break or
NUL, or hold such a character right after its first line break; Excel and LibreOffice could run
it as a formula or a DDE command (OWASP "CSV injection"). In CSV, `safe_cell` prefixes such text
with an apostrophe, the convention spreadsheets display as plain text. In XLSX the cell keeps
the exact text, typed as a string and styled with Excel's quote prefix (what Excel itself
stores when one types an apostrophe first); characters XML cannot hold (control characters
such as BEL, VT or NUL) are removed and line breaks written as LF, as Excel writes them.
Numbers, dates and blanks pass unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# OWASP's list, with `|` (a DDE command: `|cmd`) and NUL (OWASP ASVS 1.2.10).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "|", "\t", "\r", "\n", "\0")
LINE_BREAK = re.compile(r"\r\n?|\n")
# What a sheet title may not hold (Excel's rule), besides the characters XML cannot hold.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def could_run(text: str) -> bool:
    """Whether a spreadsheet could read the text as a formula: it starts with a trigger, or its
    first line break is followed by one."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    line_break = LINE_BREAK.search(text)
    return line_break is not None and text[line_break.end() :].startswith(FORMULA_TRIGGERS)


def needs_guard(text: str) -> bool:
    """Whether the text is written behind an apostrophe in CSV. Apostrophes before something
    that could run count as part of it, so `unguard` can tell a guard from the text's own."""
    return could_run(text.lstrip("'"))


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a CSV cell."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    text = str(value)
    return "'" + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """The text `safe_cell` was given, from what it returned."""
    if text.startswith("'") and needs_guard(text[1:]):
        return text[1:]
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, its header row and its rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> bytes:
    """A one-sheet workbook written in streaming mode; text cells are stored as strings."""
    return xlsx_workbook([Sheet(sheet, header, rows)])


def xlsx_workbook(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of `sheets`, in streaming mode; text cells are stored as strings."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_sheet_title(sheet.title))
        header_cells = []
        for title in sheet.header:
            cell = _text_cell(worksheet, str(title))
            cell.font = bold
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            worksheet.append([_xlsx_value(worksheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(worksheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; callers pass local times
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    return _text_cell(worksheet, str(value))


def _text_cell(worksheet: Any, text: str) -> Any:
    """A cell holding exactly `text` (less what XML cannot hold), never read as a formula."""
    # XML reads a CR back as LF anyway; LF is the line break Excel itself writes in a cell.
    text = LINE_BREAK.sub("\n", ILLEGAL_CHARACTERS_RE.sub("", text))
    # openpyxl would store a leading "=" as a formula; an explicit string type never is.
    cell = WriteOnlyCell(worksheet, value=text)
    cell.data_type = "s"
    if could_run(text):
        cell.quotePrefix = True  # Excel shows and edits it as text, even after a double-click
    return cell


def _sheet_title(title: str) -> str:
    cleaned = SHEET_TITLE_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).strip("' ")
    return cleaned[:31] or "Sheet1"
