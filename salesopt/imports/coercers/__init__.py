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

from collections.abc import Mapping

import pandas as pd

from salesopt.imports.coercers.base import Coerced
from salesopt.imports.coercers.dates import coerce_date, coerce_datetime
from salesopt.imports.coercers.numbers import coerce_decimal, coerce_integer, coerce_percent
from salesopt.imports.coercers.text import clean_text, coerce_choice, coerce_company_size
from salesopt.imports.schema import CanonicalField, FieldType

__all__ = [
    "Coerced",
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


def coerce_field(
    series: pd.Series,
    field: CanonicalField,
    *,
    zone: str,
    day_first: bool = False,
    value_map: Mapping[str, str] | None = None,
) -> Coerced:
    """The coercer the field's type calls for. References come back as cleaned text: matching
    them to records is the next stage's work.

    Choices and references name few distinct things across a million rows (a handful of
    statuses, regions, owners), and a column the file does not have is all blank: those are
    coerced once per distinct value and spread back (a blank column cost 0.6 s a million rows).
    So is free text whose values repeat (sources, campaigns, industries, often names and
    companies): cleaning it cell by cell took half the coercion of a leads export.
    """
    if field.type in (FieldType.CHOICE, FieldType.REFERENCE, FieldType.TEXT):
        codes, distinct = pd.factorize(series.astype("str").fillna(""), sort=False)
        if field.type is not FieldType.TEXT or len(distinct) * 2 <= len(series):
            coerced = _coerce(pd.Series(distinct, dtype="str"), field, zone=zone,
                              day_first=day_first, value_map=value_map)  # fmt: skip
            return coerced.spread(codes, series.index)
    return _coerce(series, field, zone=zone, day_first=day_first, value_map=value_map)


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
