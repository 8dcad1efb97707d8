"""Excel cell values as the text the admin sees: numbers, dates, booleans."""

from __future__ import annotations

import datetime as dt
import re

# Built-in number formats that show a date or time; 27–36 and 50–58 are the Chinese, Japanese
# and Korean date formats (年月日) that Chinese Excel uses for its default dates.
DATE_FORMAT_IDS = frozenset(
    [*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)],
)
# Parts of a format code that are not date or time tokens: quoted text, escaped and padding
# characters, [Red] and [$-804] sections.
FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
DATE_TOKENS = re.compile(r"[ymdhs]", re.IGNORECASE)
# Excel's last day, 9999-12-31, as a serial number.
LAST_SERIAL = 2_958_465
EPOCH_1900 = dt.datetime(1899, 12, 30)  # Excel's day 0, shifted for its fictitious 1900-02-29
EPOCH_1904 = dt.datetime(1904, 1, 1)


def is_date_format(code: str) -> bool:
    first_section = FORMAT_LITERALS.sub("", code).split(";")[0]
    return bool(DATE_TOKENS.search(first_section))


def number_text(value: float) -> str:
    """Whole numbers without ".0"; others to Excel's 15 significant digits (0.1+0.2 → 0.3)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def date_text(serial: float, *, date1904: bool) -> str | None:
    """ISO 8601 for an Excel serial date: "2024-03-01 14:05:00", "2024-03-01" or "14:05:00"."""
    if not 0 <= serial <= LAST_SERIAL:
        return None
    if date1904:
        epoch = EPOCH_1904
    else:
        epoch = EPOCH_1900 if serial >= 61 else EPOCH_1900 + dt.timedelta(days=1)
    moment = epoch + dt.timedelta(seconds=round(serial * 86_400))
    if serial < 1 and not date1904:
        return moment.time().isoformat()
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.isoformat(sep=" ")
