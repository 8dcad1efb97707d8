"""What every coercer shares: the result type, text preparation, row masks, error columns.

Regular expressions in this package use [0-9] and explicit space classes, never \\d or \\s:
on non-ASCII data pandas hands \\d and \\s over to Python's `re`, row by row (ten times
slower than Arrow's RE2, which runs the rest when pyarrow is installed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesopt.imports.readers.contract import TEXT


class Coerced(NamedTuple):
    values: pd.Series
    errors: pd.Series  # None, or the reason the cell failed
    # Which cells failed, where the coercer knows it: finding out from `errors` means looking
    # at every object in the column (most of a millisecond per 20,000 cells).
    failed_cells: np.ndarray | None = None

    @property
    def failed(self) -> pd.Series:
        if self.failed_cells is not None:
            return pd.Series(self.failed_cells, index=self.errors.index)
        return self.errors.notna()

    def spread(self, positions: np.ndarray, index: pd.Index) -> Coerced:
        """These results taken at `positions` (one per row of `index`): the coercion of a few
        distinct values, given back to every row that holds one of them. (On the arrays, not
        the Series: it runs per column and chunk, and pandas' take and set_axis doubled it.)"""
        failed = self.failed.to_numpy()
        errors = (
            self.errors.to_numpy()[positions]
            if failed.any()
            else np.full(len(positions), None, dtype=object)
        )
        values = self.values.array.take(positions)
        return Coerced(
            pd.Series(values, index=index, name=self.values.name, copy=False),
            pd.Series(errors, index=index, name=self.errors.name, dtype=object, copy=False),
            failed[positions],
        )


SPACES = "[ \t\n\r\x0b\x0c\u00a0\u3000]+"


def factorized_text(series: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct values as text): Arrow's dictionary encoding, a missing cell as ""
    (half the time of pd.factorize on Arrow-backed text)."""
    cells = pa.array(series.astype("str").array)
    if isinstance(cells, pa.ChunkedArray):  # one dictionary for the column, not one per chunk
        cells = cells.combine_chunks()
    encoded = pc.dictionary_encode(pc.fill_null(cells, ""))
    return (
        encoded.indices.to_numpy(zero_copy_only=False),
        pd.Series(encoded.dictionary.to_pandas(types_mapper=lambda _type: TEXT)),
    )


def prepare(series: pd.Series) -> pd.Series:
    """Stripped text on a fresh 0…n-1 index (so row masks line up), missing cells blank."""
    return series.astype("str").fillna("").str.strip().reset_index(drop=True)


def on_rows(
    text: pd.Series, rows: np.ndarray, transform: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    """`transform` applied to the marked rows only: rare shapes must not cost a full pass."""
    if not rows.any():
        return text
    changed = text.copy()
    changed[rows] = transform(text[rows])
    return changed


def as_mask(result: pd.Series) -> np.ndarray:
    return cast(np.ndarray, result.to_numpy(dtype=bool, na_value=False).copy())


# Full-width forms (０-９, ，．（）％, ￥), NBSP, the ideographic space and the minus sign: the
# characters NFKC turns into what the number and date readers expect.
_WIDE = "[\uff01-\uff5e\uffe5\u00a0\u3000\u2212]"


def fold_width(text: pd.Series) -> pd.Series:
    """NFKC on the rows that hold full-width characters; other rows skip it."""
    wide = as_mask(text.str.contains(_WIDE, regex=True))
    return on_rows(text, wide, lambda part: part.str.normalize("NFKC").str.replace("−", "-"))


def errors_where(index: pd.Index, mask: np.ndarray, reason: object) -> pd.Series:
    if not mask.any():  # the usual column: no choosing cell by cell
        return pd.Series(np.full(len(index), None, dtype=object), index=index, dtype=object)
    # Wrapped in a one-element array so numpy never iterates the lazy string as a sequence.
    holder = np.empty(1, dtype=object)
    holder[0] = reason
    # numpy's stubs take no None for an operand; numpy itself makes it an object array.
    choices = np.where(mask, holder, None)  # type: ignore[call-overload]
    return pd.Series(choices, index=index, dtype=object)


def merge_errors(index: pd.Index, *parts: tuple[np.ndarray, object]) -> pd.Series:
    errors = np.full(len(index), None, dtype=object)
    for mask, reason in parts:
        if mask.any():
            errors = np.where(mask, errors_where(index, mask, reason).to_numpy(), errors)
    return pd.Series(errors, index=index, dtype=object)
