"""Choices and free text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from salesopt.imports.coercers.base import (
    SPACES,
    Coerced,
    as_mask,
    errors_where,
    fold_width,
    on_rows,
    prepare,
)
from salesopt.imports.presets.base import normalise_value


def coerce_choice(
    series: pd.Series, value_map: Mapping[str, str], choices: Sequence[str]
) -> Coerced:
    """Canonical choices through the value map (case- and whitespace-insensitive); a canonical
    code is accepted as itself. Python runs once per distinct value, not per row."""
    text = prepare(series)
    lookup = {normalise_value(raw): canonical for raw, canonical in value_map.items()}
    lookup |= {normalise_value(choice): choice for choice in choices}
    codes, uniques = pd.factorize(text)
    mapped = [lookup.get(normalise_value(value)) if value else None for value in uniques]
    unknown = [bool(value) and to is None for value, to in zip(uniques, mapped, strict=True)]
    values = np.array([*mapped, None], dtype=object)[codes]
    failed = np.array([*unknown, False], dtype=bool)[codes]
    reason = format_lazy(_("not one of: {choices}"), choices=", ".join(choices))
    return Coerced(
        pd.Series(values, index=series.index, dtype="str"),
        errors_where(series.index, failed, reason),
        failed,
    )


_SIZE_BOUNDS = ((2000, "enterprise"), (500, "large"), (50, "medium"))


def coerce_company_size(
    series: pd.Series, value_map: Mapping[str, str], choices: Sequence[str]
) -> Coerced:
    """Head counts ("250", "1,200", "100-499人", "10000人以上" by their first number) fall into
    the model's bands (< 50, 50–499, 500–1999, 2000+); words go through the value map."""
    text = fold_width(prepare(series))
    counted = as_mask(text.str.match("^[0-9]"))
    first = text.where(counted, "0").str.replace("^([0-9][0-9,]*).*$", r"\1", regex=True)
    count = first.str.replace(",", "", regex=False).str.slice(0, 12).astype("int64").to_numpy()
    bands = np.select(
        [count >= bound for bound, _size in _SIZE_BOUNDS],
        [size for _bound, size in _SIZE_BOUNDS],
        default="small",
    )
    worded = coerce_choice(text.where(~counted, ""), value_map, choices)
    values = np.where(counted, bands, worded.values.to_numpy(dtype=object, na_value=None))
    result = pd.Series(values, index=series.index, dtype="str")
    return Coerced(result, worded.errors.set_axis(series.index))


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # PostgreSQL text refuses NUL; the rest is noise
# A control character or whitespace other than single spaces: one pass finds the rows to tidy.
_UNTIDY = r"[\x00-\x1f\x7f" "\u00a0\u3000" "]|  "  # (RE2 reads \x escapes, not \u)


def _tidy(part: pd.Series) -> pd.Series:
    """Control characters dropped, then runs of whitespace made one space."""
    return part.str.replace(_CONTROL, "", regex=True).str.replace(SPACES, " ", regex=True)


def clean_text(series: pd.Series, max_length: int) -> Coerced:
    """Stripped text with inner whitespace collapsed. Formula-like text (=HYPERLINK(…), +cmd,
    @SUM(…)) is kept verbatim: it is data here, never evaluated."""
    text = series.astype("str").fillna("").reset_index(drop=True)
    text = on_rows(text, as_mask(text.str.contains(_UNTIDY, regex=True)), _tidy)
    text = text.str.strip()
    too_long = as_mask(text.str.len() > max_length)
    values = text.where(~too_long & as_mask(text != "")).set_axis(series.index)
    reason = format_lazy(_("longer than {max_length} characters"), max_length=max_length)
    return Coerced(values, errors_where(series.index, too_long, reason), too_long)
