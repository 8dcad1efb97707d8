"""Dates and times: the shapes CRM exports write them in, read column-wise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import NamedTuple, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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

DATETIME_ERROR = _("not a date we recognise (expected e.g. 2024-03-01 14:05)")
DATE_ERROR = _("not a date we recognise (expected e.g. 2024-03-01)")

NAT = np.datetime64("NaT", "us")


def _year_first(separator: str) -> tuple[str, ...]:
    """24-hour formats only: pandas reads year-first dates with any of these separators on its
    fast ISO path, ten times faster than %m/%d/%Y or %I:%M %p (see `_twelve_hour`)."""
    date = f"%Y{separator}%m{separator}%d"
    return (f"{date} %H:%M:%S", f"{date} %H:%M", date)


# (marker, pattern, replacement): each rewrite runs only on the values holding its marker.
_CHINESE_DATE = (
    ("年", r"([0-9]{4})[ ]*年[ ]*([0-9]{1,2})[ ]*月[ ]*([0-9]{1,2})[ ]*[日号]?[ ]*", r"\1-\2-\3 "),
    ("秒", r"([0-9]{1,2})[ ]*[时点][ ]*([0-9]{1,2})[ ]*分[ ]*([0-9]{1,2})[ ]*秒", r"\1:\2:\3"),
    ("[时点]", r"([0-9]{1,2})[ ]*[时点][ ]*([0-9]{1,2})[ ]*分?", r"\1:\2"),
    ("午", r"(上午|下午)[ ]*([0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)", r"\2 \1"),
    ("上午", "上午", "AM"),
    ("下午", "下午", "PM"),
)


def _replace(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    return text.str.replace(pattern, replacement, regex=True)


def _rewrite_chinese(part: pd.Series) -> pd.Series:
    for marker, pattern, replacement in _CHINESE_DATE:
        has = as_mask(part.str.contains(marker, regex=True))
        part = on_rows(part, has, partial(_replace, pattern=pattern, replacement=replacement))
    return part.str.strip()


# ICU's en_US date-time, which Salesforce uses since Spring '24: "4/1/2024, 3:47 PM" (a comma
# after the date; CLDR 42 and later also put a narrow no-break space before AM/PM).
_ICU_COMMA = r"^([0-9]{1,2}/[0-9]{1,2}/[0-9]{4}),[ ]*"
_NARROW_SPACE = "[\u202f\u2009]"


def _normalise_date_text(text: pd.Series) -> pd.Series:
    """Full-width folded, one space between parts; 2024年3月1日 下午2:05 → 2024-3-1 2:05 PM;
    4/1/2024, 3:47 PM → 4/1/2024 3:47 PM."""
    text = fold_width(text)
    narrow = as_mask(text.str.contains(_NARROW_SPACE, regex=True))
    text = on_rows(text, narrow, partial(_replace, pattern=_NARROW_SPACE, replacement=" "))
    spaced = as_mask(text.str.contains("[\t\n\r\x0b\x0c\u00a0]|  ", regex=True))
    text = on_rows(text, spaced, partial(_replace, pattern=SPACES, replacement=" "))
    comma = as_mask(text.str.contains(",", regex=False))
    text = on_rows(text, comma, partial(_replace, pattern=_ICU_COMMA, replacement=r"\1 "))
    chinese = as_mask(text.str.contains("[年月日时点分秒午]", regex=True))
    return on_rows(text, chinese, _rewrite_chinese)


def _to_datetime(text: pd.Series, fmt: str, aware: bool) -> np.ndarray:
    parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=aware)
    if aware:
        parsed = parsed.dt.tz_localize(None)
    return cast(np.ndarray, parsed.to_numpy(dtype="datetime64[us]"))


def _by_sample(text: pd.Series, formats: Sequence[str]) -> list[str]:
    """Formats ordered by how many of the first 500 values they read: a format that reads
    nothing still costs a full pass over the column, so the likely one goes first."""
    sample = text.iloc[:500]
    hits = {fmt: int((~np.isnat(_to_datetime(sample, fmt, False))).sum()) for fmt in formats}
    return sorted(formats, key=lambda fmt: -hits[fmt])


def _strptime(text: pd.Series, formats: Sequence[str], aware: bool = False) -> np.ndarray:
    """Try each format on the values the earlier formats left unparsed."""
    out = np.full(len(text), NAT)
    left = np.ones(len(text), dtype=bool)
    ordered = _by_sample(text, formats) if len(formats) > 1 and len(text) > 500 else formats
    for fmt in ordered:
        positions = np.flatnonzero(left)
        if not positions.size:
            break
        parsed = _to_datetime(text.iloc[positions], fmt, aware)
        done = ~np.isnat(parsed)
        out[positions[done]] = parsed[done]
        left[positions[done]] = False
    return out


def _twelve_hour(text: pd.Series, read: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
    """Read "2:05 PM" as 2:05 on the 24-hour clock, then move it by twelve hours."""
    upper = text.str.upper()
    pm, am = as_mask(upper.str.endswith("PM")), as_mask(upper.str.endswith("AM"))
    if not (pm.any() or am.any()):
        return read(text)
    values = read(text.str.replace("[ ]*[AaPp][Mm]$", "", regex=True))
    hours = (values - values.astype("datetime64[D]")).astype("timedelta64[h]").astype("int64")
    impossible = (pm | am) & ((hours > 12) | (hours == 0))
    shift = np.where(pm & (hours < 12), 12, 0) - np.where(am & (hours == 12), 12, 0)
    return np.where(impossible, NAT, values + shift.astype("timedelta64[h]"))


def _read_year_first(text: pd.Series, separator: str) -> np.ndarray:
    return _twelve_hour(text, partial(_strptime, formats=_year_first(separator)))


def _read_month_first(text: pd.Series, day_first: bool) -> np.ndarray:
    """3/1/2024 (1/3/2024 with `day_first`) rewritten year first: see `_year_first`."""
    order = r"\3/\2/\1" if day_first else r"\3/\1/\2"
    moved = text.str.replace(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", order, regex=True)
    return _read_year_first(moved, "/")


def _read_dotted(text: pd.Series) -> np.ndarray:
    moved = text.str.replace(r"^([0-9]{4})[.]([0-9]{1,2})[.]([0-9]{1,2})", r"\1/\2/\3", regex=True)
    return _read_year_first(moved, "/")


def _with_offset(text: pd.Series) -> np.ndarray:
    """ISO 8601 with Z or ±hh:mm → UTC."""
    glued = text.str.replace(r"[ ]+(Z|[+-][0-9])", r"\1", regex=True)
    return _strptime(glued, ("ISO8601",), aware=True)


def _excel_serial(text: pd.Series) -> np.ndarray:
    """Excel day numbers (days since 1899-12-30), to the nearest second; 1954–2119 only."""
    days = text.astype("float64").to_numpy()
    plausible = (days >= 20_000) & (days <= 80_000)
    seconds = np.rint(np.where(plausible, days, 0) * 86_400).astype("int64")
    values = np.datetime64("1899-12-30", "us") + seconds.astype("timedelta64[s]")
    return np.where(plausible, values, NAT)


def _epoch(text: pd.Series, unit: str) -> np.ndarray:
    since_epoch = text.astype("int64").to_numpy().astype(f"datetime64[{unit}]")
    return cast(np.ndarray, since_epoch.astype("datetime64[us]"))


class _Reader(NamedTuple):
    test: str  # the shape a value must have before `read` sees it
    read: Callable[[pd.Series], np.ndarray]
    aware: bool = False  # `read` returns UTC, not wall time


_TIME = "(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)"


def _readers(day_first: bool) -> tuple[_Reader, ...]:
    def formats(*names: str) -> Callable[[pd.Series], np.ndarray]:
        return partial(_strptime, formats=names)

    return (
        _Reader(rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_TIME}?$", formats("ISO8601")),
        _Reader(rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_TIME}[ ]?(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})$",
                _with_offset, aware=True),
        _Reader(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", partial(_read_year_first, separator="-")),
        _Reader(r"^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}", partial(_read_year_first, separator="/")),
        _Reader(r"^[0-9]{4}[.][0-9]{1,2}[.][0-9]{1,2}", _read_dotted),
        _Reader(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}",
                partial(_read_month_first, day_first=day_first)),
        _Reader(r"^[0-9]{8}$", formats("%Y%m%d")),
        _Reader(r"^[0-9]{14}$", formats("%Y%m%d%H%M%S")),
        _Reader(r"^[0-9]{5}(?:[.][0-9]+)?$", _excel_serial),
        _Reader(r"^[0-9]{13}$", partial(_epoch, unit="ms"), aware=True),
        _Reader(r"^[0-9]{10}$", partial(_epoch, unit="s"), aware=True),
    )  # fmt: skip


class _Parsed(NamedTuple):
    values: np.ndarray  # datetime64[us]: wall time, or UTC where `aware`
    aware: np.ndarray
    failed: np.ndarray


def _read_shapes(text: pd.Series, day_first: bool) -> _Parsed:
    """Each reader sees only the values still unread that have its shape: most exports use
    one shape, so after the first reader the others run on a small remainder."""
    values = np.full(len(text), NAT)
    aware = np.zeros(len(text), dtype=bool)
    remaining = as_mask(text != "")
    for reader in _readers(day_first):
        positions = np.flatnonzero(remaining)
        if not positions.size:
            break
        candidates = positions[as_mask(text.iloc[positions].str.match(reader.test))]
        if not candidates.size:
            continue
        parsed = reader.read(text.iloc[candidates])
        done = ~np.isnat(parsed)
        values[candidates[done]] = parsed[done]
        aware[candidates[done]] = reader.aware
        remaining[candidates[done]] = False
    return _Parsed(values, aware, remaining)


# Anything but digits, Latin letters and : / . + - and single spaces needs normalising first.
_UNUSUAL_DATE = "[^0-9A-Za-z:/.+ -]|  "


# The shapes most exports write, which Arrow's ISO 8601 cast reads strictly (2024-02-30 is
# refused, not rolled over) in a tenth of the careful readers' time.
_ARROW_ISO_LENGTHS = (10, 16, 19)  # 2024-03-01, 2024-03-01 14:05, 2024-03-01 14:05:00 (or T)
_ARROW_ISO_YEARS = (np.datetime64("1900-01-01", "us"), np.datetime64("2200-01-01", "us"))


def _arrow_iso_wall_times(series: pd.Series) -> np.ndarray | None:
    """Wall times (NaT where blank) when every filled cell has one of the common ISO 8601
    shapes, zero-padded and in 1900–2199; None otherwise, and the careful readers read the
    column (a chunk is all or nothing, so one odd cell costs one extra Arrow pass)."""
    cells = pa.array(series.astype("str").array)
    lengths = pc.fill_null(pc.utf8_length(cells), 0).to_numpy(zero_copy_only=False)
    filled = lengths > 0
    if not filled.any() or not np.isin(lengths[filled], _ARROW_ISO_LENGTHS).all():
        return None
    blanked = pc.if_else(pa.array(filled), cells, pa.scalar(None, cells.type))
    try:
        wall: np.ndarray = pc.cast(blanked, pa.timestamp("us")).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None
    read = wall[filled]
    if read.min() < _ARROW_ISO_YEARS[0] or read.max() >= _ARROW_ISO_YEARS[1]:
        return None
    return wall


def _parse_datetimes(series: pd.Series, day_first: bool) -> _Parsed:
    wall = _arrow_iso_wall_times(series)
    if wall is not None:
        nothing = np.zeros(len(wall), dtype=bool)
        return _Parsed(wall, nothing, nothing)
    text = prepare(series)
    unusual = as_mask(text.str.contains(_UNUSUAL_DATE, regex=True))
    return _read_shapes(on_rows(text, unusual, _normalise_date_text), day_first)


def _localize(wall: np.ndarray, zone: str) -> np.ndarray:
    """Wall times in `zone` → UTC. Ambiguous autumn hours read as standard time (the later of
    the two instants), spring-gap times move forward to the end of the gap: an import must not
    fail on a DST edge. Arrow does it in a fifth of pandas' time."""
    aware = pc.assume_timezone(
        pa.array(wall, type=pa.timestamp("us")),
        timezone=zone,
        ambiguous="latest",
        nonexistent="latest",
    )
    return cast(np.ndarray, aware.to_numpy(zero_copy_only=False))


def _wall_time(utc: np.ndarray, zone: str) -> np.ndarray:
    index = pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(zone).tz_localize(None)
    return cast(np.ndarray, index.to_numpy(dtype="datetime64[us]"))


def coerce_datetime(series: pd.Series, *, zone: str, day_first: bool = False) -> Coerced:
    """Aware UTC datetimes; times without an offset are read as wall time in `zone`.

    Reads ISO 8601 with or without offset/Z, 2024-3-1 14:05, 2024/3/1 14:05, 2024.03.01,
    3/1/2024 2:05 PM (1/3/2024 with `day_first`), 2024年3月1日 下午2:05, 20240301, Excel day
    numbers (45352.5868) and Unix epoch seconds / milliseconds (10 / 13 digits, UTC).
    """
    parsed = _parse_datetimes(series, day_first)
    values = parsed.values.copy()
    naive = ~parsed.aware & ~np.isnat(values)
    if naive.any():
        values[naive] = _localize(values[naive], zone)
    result = pd.Series(values, index=series.index, dtype="datetime64[us]").dt.tz_localize("UTC")
    errors = errors_where(series.index, parsed.failed, DATETIME_ERROR)
    return Coerced(result, errors, parsed.failed)


def coerce_date(series: pd.Series, *, zone: str = "UTC", day_first: bool = False) -> Coerced:
    """Calendar dates (datetime64 at midnight). A time is dropped; a value with an offset is
    first moved to `zone`, so 2024-03-01T20:00:00Z is 2024-03-02 in Asia/Shanghai."""
    parsed = _parse_datetimes(series, day_first)
    values = parsed.values.copy()
    if parsed.aware.any():
        values[parsed.aware] = _wall_time(values[parsed.aware], zone)
    days = values.astype("datetime64[D]").astype("datetime64[us]")
    result = pd.Series(days, index=series.index, dtype="datetime64[us]")
    return Coerced(result, errors_where(series.index, parsed.failed, DATE_ERROR), parsed.failed)
