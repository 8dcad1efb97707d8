"""Coercers: a column of export text → typed values, and a reason for every cell that fails.

Pure, column-wise functions on pandas Series of text, where the empty string is blank. Each
returns `Coerced(values, errors)` aligned with the input: blanks stay blank (NaN / NaT / <NA>,
never an error — whether a field may be blank is validation's business), and `errors` holds
None or a short translatable reason shown in the preview and the error report.

A million rows must coerce in well under a second per column, so nothing here calls a Python
function per row: pandas / numpy operations on whole columns, regular expressions that work in
both Python's `re` and RE2 (pandas runs them in Arrow when pyarrow is installed), and Python
only per *distinct* value (choices).

Modules: `dates` (datetime, date), `numbers` (amounts, percentages, whole numbers), `text`
(choices, company sizes, free text); `coerce_field` picks the one a canonical field needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesopt.imports.coercers.base import Coerced, factorized_text
from salesopt.imports.coercers.dates import coerce_date, coerce_datetime
from salesopt.imports.coercers.numbers import coerce_decimal, coerce_integer, coerce_percent
from salesopt.imports.coercers.text import clean_text, coerce_choice, coerce_company_size
from salesopt.imports.schema import CanonicalField, FieldType

__all__ = [
    "Coerced",
    "Memo",
    "clean_text",
    "coerce_choice",
    "coerce_company_size",
    "coerce_date",
    "coerce_datetime",
    "coerce_decimal",
    "coerce_field",
    "coerce_integer",
    "coerce_percent",
]


# A memo keeps the coercion of at most this many distinct values of a column, and is used
# for a chunk holding at most MEMO_DISTINCT_PER_CHUNK of them (choices, references, repeated
# text: not names or ids, which would only fill it).
MEMO_SIZE = 10_000
MEMO_DISTINCT_PER_CHUNK = 1_000

# A column's coerced distinct values, across the chunks of one import: raw → (value, error).
Memo = dict[str, tuple[object, object]]


def coerce_field(
    series: pd.Series,
    field: CanonicalField,
    *,
    zone: str,
    day_first: bool = False,
    value_map: Mapping[str, str] | None = None,
    memo: Memo | None = None,
) -> Coerced:
    """The coercer the field's type calls for. References come back as cleaned text: matching
    them to records is the next stage's work.

    Choices and references name few distinct things across a million rows (a handful of
    statuses, regions, owners), and a column the file does not have is all blank: those are
    coerced once per distinct value and spread back (a blank column cost 0.6 s a million rows).
    So is free text whose values repeat (sources, campaigns, industries, often names and
    companies): cleaning it cell by cell took half the coercion of a leads export. With a
    `memo` (one per column, kept by the caller for the whole file, with the same zone, day
    order and value map), the values an earlier chunk coerced are not coerced again: a few
    pandas calls on four regions cost 2-3 ms a chunk, whatever the chunk's length.
    """
    named = field.type in (FieldType.CHOICE, FieldType.REFERENCE)
    if named or (field.type is FieldType.TEXT and _repeats(series)):
        codes, distinct = factorized_text(series)
        if named or len(distinct) * 2 <= len(series):

            def coerce(values: pd.Series) -> Coerced:
                return _coerce(values, field, zone=zone, day_first=day_first,
                               value_map=value_map)  # fmt: skip

            if memo is None or len(distinct) > MEMO_DISTINCT_PER_CHUNK:
                return coerce(distinct).spread(codes, series.index)
            return _remembered(distinct, memo, coerce).spread(codes, series.index)
    return _coerce(series, field, zone=zone, day_first=day_first, value_map=value_map)


# Free text is worth coercing per distinct value when its values repeat; whether they do is
# judged on a sample, so that ids and descriptions skip the factorising (2 ms a chunk).
REPEAT_SAMPLE = 500


def _repeats(series: pd.Series) -> bool:
    """Whether at most half of the first values of `series` are distinct (a guess that only
    decides how the column is coerced, never the result)."""
    sample = pa.array(series.iloc[:REPEAT_SAMPLE].astype("str").array)
    distinct: int = pc.count_distinct(sample, mode="all").as_py()
    return distinct * 2 <= len(sample)


def _remembered(distinct: pd.Series, memo: Memo, coerce: Callable[[pd.Series], Coerced]) -> Coerced:
    """The coercion of `distinct` values, from `memo` where it holds them; the others are
    coerced now and, while the memo has room, remembered. (Choices, references and text all
    come back as text.)"""
    unseen = [value for value in distinct.tolist() if value not in memo]
    coerced: Memo = {}
    if unseen:
        fresh = coerce(pd.Series(unseen, dtype="str"))
        pairs = zip(fresh.values.tolist(), fresh.errors.tolist(), strict=True)
        coerced = dict(zip(unseen, pairs, strict=True))
        if len(memo) + len(unseen) <= MEMO_SIZE:
            memo.update(coerced)
    results = [coerced.get(value) or memo[value] for value in distinct.tolist()]
    errors = [error for _value, error in results]
    return Coerced(
        pd.Series([value for value, _error in results], dtype="str"),
        pd.Series(errors, dtype=object),
        np.array([error is not None for error in errors], dtype=bool),
    )


def _coerce(
    series: pd.Series,
    field: CanonicalField,
    *,
    zone: str,
    day_first: bool,
    value_map: Mapping[str, str] | None,
) -> Coerced:
    match field.type:
        case FieldType.DATETIME:
            return coerce_datetime(series, zone=zone, day_first=day_first)
        case FieldType.DATE:
            return coerce_date(series, zone=zone, day_first=day_first)
        case FieldType.DECIMAL:
            return coerce_decimal(series)
        case FieldType.PERCENT:
            return coerce_percent(series)
        case FieldType.INTEGER:
            return coerce_integer(series)
        case FieldType.CHOICE if field.name == "company_size":
            return coerce_company_size(series, value_map or {}, field.choices)
        case FieldType.CHOICE:
            return coerce_choice(series, value_map or {}, field.choices)
        case _:
            return clean_text(series, field.max_length or 254)
