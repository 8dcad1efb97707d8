"""Find the table inside a sheet of rows: the header row, clean headers, the totals row."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from salesopt.imports.readers.contract import Chunk, UnreadableFile

# Title rows, notes and blank rows above the header are looked through up to this many rows.
HEADER_SEARCH_ROWS = 30
# The header fills at least this share of the table's widest row...
HEADER_MIN_FILL = 0.6
# ...and spans at least this share of the typical width of the rows below it.
HEADER_MIN_SPAN = 0.75

NUMBER = re.compile(r"[(（]?[-+]?[¥$€£]?\s*[-+]?\d[\d,，]*(\.\d+)?\s*(%|万|元)?[)）]?")
DATE = re.compile(r"\d{1,4}[-/.年]\d{1,2}([-/.月]\d{1,4}日?)?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")
# The first filled cell of a totals row, compared without spaces, case or a trailing colon.
TOTALS_LABELS = frozenset(
    {"合计", "总计", "总合计", "小计", "合計", "總計", "小計", "total", "totals", "grandtotal"}
    | {"sum", "subtotal"}
)
WHITESPACE = re.compile(r"[\s\u3000\ufeff]+")

Row = tuple[int, list[str]]  # (1-based row number in the file, cell texts)


@dataclass(frozen=True)
class Table:
    header_row: int  # 1-based row number in the file
    skipped_rows_above: int  # non-blank rows above the header
    headers: tuple[str, ...]
    column_count: int  # cells per row in the file, at least len(headers)
    sampled_data_rows: int  # non-blank rows below the header in the sample


def looks_like_value(text: str) -> bool:
    """A number, amount or date: what data rows hold and header rows do not."""
    text = text.strip()
    return bool(NUMBER.fullmatch(text) or DATE.fullmatch(text))


def is_blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def filled(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


def span(cells: Sequence[str]) -> int:
    """1 + the index of the last filled cell: the width the row really uses."""
    for index in range(len(cells) - 1, -1, -1):
        if cells[index].strip():
            return index + 1
    return 0


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how Excel names a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def find_table(rows: Sequence[Row]) -> Table:
    """The header among the sampled rows, and the table's width from there down."""
    rows = [row for row in rows if filled(row[1])]
    if not rows:
        raise UnreadableFile(_("The file is empty."), code="empty")
    position = find_header_position(rows[:HEADER_SEARCH_ROWS])
    header_number, header_cells = rows[position]
    column_count = max(len(cells) for _number, cells in rows[position:])
    padded = [*header_cells, *[""] * (column_count - len(header_cells))]
    return Table(
        header_row=header_number,
        skipped_rows_above=position,
        headers=clean_headers(padded, keep=kept_columns(padded, rows[position + 1 :])),
        column_count=column_count,
        sampled_data_rows=len(rows) - position - 1,
    )


def find_header_position(rows: Sequence[Row]) -> int:
    table_width = max(filled(cells) for _number, cells in rows)
    minimum_fill = 1 if table_width == 1 else max(2, math.ceil(HEADER_MIN_FILL * table_width))
    for position, (_number, cells) in enumerate(rows):
        texts = [cell.strip() for cell in cells if cell.strip()]
        if len(texts) < minimum_fill or len(set(texts)) < min(2, len(texts)):
            continue
        if sum(map(looks_like_value, texts)) * 2 > len(texts):
            continue
        below = Counter(span(cells) for _number, cells in rows[position + 1 : position + 11])
        if below and span(cells) < HEADER_MIN_SPAN * below.most_common(1)[0][0]:
            continue
        return position
    raise UnreadableFile(
        _(
            "No header row found in the first %(rows)s rows: expected a row of column names "
            "above the data."
        ),
        code="no_header",
        params={"rows": HEADER_SEARCH_ROWS},
    )


def kept_columns(header_cells: Sequence[str], data_rows: Sequence[Row]) -> int:
    """Columns up to the last one with a header or data: trailing empty columns are noise."""
    kept = span(header_cells)
    for _number, cells in data_rows:
        kept = max(kept, span(cells))
    return kept


def clean_headers(cells: Sequence[str], *, keep: int) -> tuple[str, ...]:
    """Stripped, one line, unique ("Amount", "Amount (2)"), blank ones named by column letter."""
    headers: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells[:keep]):
        name = WHITESPACE.sub(" ", cell).strip() or f"Column {column_letter(index)}"
        unique, counter = name, 1
        while unique.casefold() in seen:
            counter += 1
            unique = f"{name} ({counter})"
        seen.add(unique.casefold())
        headers.append(unique)
    return tuple(headers)


def is_totals_row(cells: Sequence[str]) -> bool:
    """First filled cell says Total/合计 and every other filled cell is a number."""
    texts = [cell.strip() for cell in cells if cell.strip()]
    if not texts:
        return False
    label = WHITESPACE.sub("", texts[0]).rstrip(":：").casefold()
    return label in TOTALS_LABELS and all(NUMBER.fullmatch(text) for text in texts[1:])


def drop_blank_rows(frames: Iterator[Chunk]) -> Iterator[Chunk]:
    """Skip rows whose cells are all empty or spaces, as Excel shows them: blank."""
    for frame in frames:
        # Only rows whose first cell is empty or starts with a space (sorts before "!") or is a
        # full-width space may be blank: two vectorised comparisons, then a look at those few.
        first = frame.iloc[:, 0]
        candidates = frame.loc[(first < "!") | (first == "\u3000")]
        if len(candidates):
            blank = candidates.apply(lambda column: column.str.strip() == "").all(axis=1)
            frame = frame.drop(index=blank.index[blank])
        if not frame.empty:
            yield frame


def drop_trailing_totals(frames: Iterator[Chunk]) -> Iterator[Chunk]:
    """Drop the totals rows that end the file; a totals-like row followed by data is kept.

    The rows that end a chunk and look like totals are held back until the next chunk shows
    whether more data follows, then passed on as a small chunk of their own.
    """
    held: Chunk | None = None
    for frame in frames:
        if held is not None:
            yield held
        trailing = count_trailing_totals(frame)
        held = frame.iloc[len(frame) - trailing :] if trailing else None
        if trailing < len(frame):
            yield frame.iloc[: len(frame) - trailing] if trailing else frame


def count_trailing_totals(frame: Chunk) -> int:
    count = 0
    while count < len(frame) and is_totals_row(frame.iloc[len(frame) - 1 - count].tolist()):
        count += 1
    return count
