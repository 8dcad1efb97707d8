"""Expat callbacks for xlsx sheets and the shared-string table, with caps on what they keep."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Generator
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.cells import date_text, number_text
from salesopt.imports.readers.contract import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    UnreadableFile,
)
from salesopt.imports.readers.ooxml import damaged, feed, safe_parser
from salesopt.imports.readers.table import Row

# Excel holds at most 32,767 characters in a cell; escapes such as _x000D_ take 7 characters
# for one. A longer text run is a crafted file trying to fill memory.
MAX_CAPTURED_CHARACTERS = 8 * 32_767
# The shared-string table stays in memory while a sheet is read: 64 M characters (each string
# counted 16 more for its overhead) is ~130 MB of Chinese text, 4 M strings of a short one.
MAX_SHARED_TEXT = 64_000_000
STRING_OVERHEAD = 16
ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel writes characters XML cannot hold (a carriage return) as _x000D_."""
    if "_x" not in text:
        return text
    return ESCAPED_CHARACTER.sub(lambda match: chr(int(match[1], 16)), text)


def local_name(name: str) -> str:
    # Some writers prefix the spreadsheet namespace ("x:c"); none of the elements read here
    # share a local name with an element of another namespace at the same place.
    return name[name.find(":") + 1 :]


class SharedStrings:
    """The workbook's string table, parsed only as far as the cells read so far need.

    Excel writes the table in order of first use, so the header and first rows need only its
    beginning: sniffing a large workbook reads little of it.
    """

    def __init__(self, archive: zipfile.ZipFile, member: str | None) -> None:
        self._strings: list[str] = []
        self._text_size = 0
        self._parts: list[str] = []  # the texts of the current <si>
        self._capture: list[str] | None = None
        self._captured = 0
        self._phonetic = False  # inside <rPh>, the reading aid Excel shows above Asian text
        self._blocks: Generator[bool, None, None] | None = None
        if member is not None:
            parser = safe_parser()
            parser.StartElementHandler = self._start
            parser.EndElementHandler = self._end
            parser.CharacterDataHandler = self._characters
            self._blocks = feed(archive, member, parser)

    def get(self, index: int) -> str:
        while index >= len(self._strings) and self._blocks is not None:
            if not next(self._blocks, False):
                self._blocks = None
        if index >= len(self._strings):
            raise damaged(f"no shared string {index}")
        return self._strings[index]

    def close(self) -> None:
        if self._blocks is not None:
            self._blocks.close()

    def _start(self, name: str, _attributes: dict[str, str]) -> None:
        local = local_name(name)
        if local == "si":
            self._parts = []
        elif local == "t" and not self._phonetic:
            self._capture, self._captured = [], 0
        elif local == "rPh":
            self._phonetic = True

    def _end(self, name: str) -> None:
        local = local_name(name)
        if local == "t" and self._capture is not None:
            self._parts.append("".join(self._capture))
            self._capture = None
        elif local == "rPh":
            self._phonetic = False
        elif local == "si":
            self._add(unescape("".join(self._parts)))

    def _characters(self, data: str) -> None:
        if self._capture is not None:
            self._captured += len(data)
            if self._captured > MAX_CAPTURED_CHARACTERS:
                raise damaged("a text longer than Excel allows")
            self._capture.append(data)

    def _add(self, text: str) -> None:
        self._text_size += len(text) + STRING_OVERHEAD
        if self._text_size > MAX_SHARED_TEXT:
            raise UnreadableFile(
                _(
                    "The Excel file holds more text than the import accepts (over %(limit)s "
                    "characters); refusing to read it."
                ),
                code="too_much_text",
                params={"limit": f"{MAX_SHARED_TEXT:,}"},
            )
        self._strings.append(text)


@dataclass
class CellFormatter:
    """A cell's stored value as the text the admin sees in Excel."""

    shared_strings: SharedStrings
    date_styles: frozenset[int]
    date1904: bool

    def __post_init__(self) -> None:
        # Cells name their format by the text of an index: compare texts, skip int().
        self._date_style_names = frozenset(str(index) for index in self.date_styles)

    def text(
        self, kind: str, style: str | None, value: str | None, formula: str | None, inline: str
    ) -> str:
        if kind == "s":
            return self.shared_strings.get(integer(value)) if value else ""
        if kind == "inlineStr":
            return unescape(inline)
        if kind == "str" and value is not None:
            return unescape(value)  # a formula's text result, "" included
        if not value:
            # No cached result (written by a library, not by Excel): the formula as plain text.
            return f"={formula}" if formula else ""
        if kind == "n":
            return self.number(value, style)
        if kind == "b":
            return "TRUE" if value == "1" else "FALSE"
        return unescape(value)  # "e" errors such as #N/A, "d" ISO dates

    def number(self, value: str, style: str | None) -> str:
        try:
            number = float(value)
        except ValueError as error:
            raise damaged(f"number {value[:20]!r}") from error
        if style in self._date_style_names:
            return date_text(number, date1904=self.date1904) or number_text(number)
        return number_text(number)


def integer(value: str) -> int:
    if not value.isdigit():
        raise damaged(f"index {value[:20]!r}")
    return int(value)


class SheetHandler:
    """Expat callbacks turning <sheetData> into (row number, cell texts) for each row.

    `width` caps the columns kept: with `strict`, text beyond it is refused (sniffing, where
    the width is the column limit); otherwise it is ignored (reading, where it is the table's).
    These callbacks run five times per cell, so they compare element names directly (with the
    writer's namespace prefix, found on the root element) and keep the cell's parts as fields.
    """

    def __init__(self, formatter: CellFormatter, *, width: int) -> None:
        self._formatter = formatter
        self._width = width
        self._rows: list[Row] = []
        # Rows with values past `width`, by row number → how many fields they reach: the sniff
        # refuses a header that wide, the reader rejects such a data row with its reason.
        self.too_wide: dict[int, int] = {}
        self._reach = 0
        self._row_number = 0
        self._cells: dict[int, str] = {}
        self._columns: dict[str, int] = {}
        self._column = -1
        self._kind = "n"
        self._style: str | None = None
        self._value: str | None = None
        self._formula: str | None = None
        self._inline = ""
        self._capture: list[str] | None = None
        self._captured = 0
        self._phonetic = False
        self._name_prefix("")
        self._parser: expat.XMLParserType | None = None
        self.declared_last_row = 0  # from <dimension>: an estimate only, never trusted
        self.rows_seen = 0
        self.bytes_seen = 0

    def attach(self, parser: expat.XMLParserType) -> None:
        self._parser = parser
        parser.StartElementHandler = self._start_root
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters

    def take_rows(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    def _name_prefix(self, prefix: str) -> None:
        self._c, self._v, self._f, self._t = (prefix + name for name in ("c", "v", "f", "t"))
        self._row, self._phonetic_run = prefix + "row", prefix + "rPh"
        self._dimension = prefix + "dimension"

    def _start_root(self, name: str, attributes: dict[str, str]) -> None:
        self._name_prefix(name[: name.find(":") + 1])
        if self._parser is not None:
            self._parser.StartElementHandler = self._start

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == self._c:
            reference = attributes.get("r")
            self._column = self._column_of(reference) if reference else self._column + 1
            self._reset_cell(attributes.get("t", "n"), attributes.get("s"))
        elif name == self._v or name == self._f or (name == self._t and not self._phonetic):
            self._capture, self._captured = [], 0
        elif name == self._row:
            self._start_row(attributes.get("r"))
        elif name == self._phonetic_run:
            self._phonetic = True
        elif name == self._dimension:
            self._declare(attributes.get("ref", ""))

    def _end(self, name: str) -> None:
        if name == self._c:
            self._end_cell()
        elif self._capture is not None and name in (self._v, self._f, self._t):
            text = "".join(self._capture)
            self._capture = None
            if name == self._v:
                self._value = text
            elif name == self._f:
                self._formula = text
            else:
                self._inline += text
        elif name == self._row:
            self._end_row()
        elif name == self._phonetic_run:
            self._phonetic = False

    def _characters(self, data: str) -> None:
        if self._capture is not None:
            self._captured += len(data)
            if self._captured > MAX_CAPTURED_CHARACTERS:
                raise damaged(f"a cell in row {self._row_number} longer than Excel allows")
            self._capture.append(data)

    def _reset_cell(self, kind: str, style: str | None) -> None:
        self._kind, self._style = kind, style
        self._value = None
        self._formula = None
        self._inline = ""

    def _declare(self, reference: str) -> None:
        last_row = reference.rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.declared_last_row = int(last_row) if last_row.isdigit() else 0

    def _start_row(self, reference: str | None) -> None:
        if reference is None:
            self._row_number += 1
        elif reference.isdigit():
            self._row_number = int(reference)
        else:
            raise damaged(f"row {reference[:20]!r}")
        if not 1 <= self._row_number <= EXCEL_MAX_ROWS:
            raise damaged(f"row {self._row_number}")
        self._cells = {}
        self._column = -1
        self._reach = 0

    def _end_cell(self) -> None:
        text = self._formatter.text(
            self._kind, self._style, self._value, self._formula, self._inline
        )
        if not text:
            return
        if self._column < self._width:
            self._cells[self._column] = text
        else:
            self._reach = max(self._reach, self._column + 1)

    def _end_row(self) -> None:
        self.rows_seen += 1
        if self._parser is not None:
            self.bytes_seen = self._parser.CurrentByteIndex
        if self._reach:
            self.too_wide[self._row_number] = self._reach
            self._cells = {0: "\0"}  # kept in its place; read_xlsx rejects it
        if self._cells:
            cells = [""] * (max(self._cells) + 1)
            for column, text in self._cells.items():
                cells[column] = text
            self._rows.append((self._row_number, cells))

    def _column_of(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self._columns.get(letters)
        if column is None:
            column = column_index(letters)
            self._columns[letters] = column
        return column


def column_index(letters: str) -> int:
    """A → 0, AA → 26: the inverse of column_letter, refusing what Excel cannot address."""
    if not (letters.isascii() and letters.isalpha() and letters.isupper() and len(letters) <= 3):
        raise damaged(f"cell {letters[:20]!r}")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    if index > EXCEL_MAX_COLUMNS:
        raise damaged(f"column {letters}")
    return index - 1
