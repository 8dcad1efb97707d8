"""KPI periods: the start date of a month, quarter or year, its label, and parsing user input.

Periods are calendar periods of the company's zone and are stored by their first day. Labels are
`2024-04` (month), `2024-Q2` (quarter) and `2024` (year); user input may use any of the three
forms for any grain.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from salesopt.core.periods import Quarter, add_months

from .catalog import Grain

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
MONTHS_IN = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


def period_start(grain: Grain, day: dt.date) -> dt.date:
    """The first day of the `grain` period holding `day`."""
    if grain == Grain.YEAR:
        return dt.date(day.year, 1, 1)
    if grain == Grain.QUARTER:
        return Quarter.containing(day).start
    return day.replace(day=1)


def period_end(grain: Grain, start: dt.date) -> dt.date:
    """The first day after the period starting on `start` (ranges are half-open)."""
    return add_months(start, MONTHS_IN[grain])


def period_label(grain: Grain, start: dt.date) -> str:
    if grain == Grain.YEAR:
        return f"{start.year:04d}"
    if grain == Grain.QUARTER:
        return str(Quarter.containing(start))
    return f"{start.year:04d}-{start.month:02d}"


@dataclass(frozen=True)
class ParsedPeriod:
    """A period typed by a user: its first day and the first day after it."""

    start: dt.date
    end: dt.date


def parse_period(text: str) -> ParsedPeriod:
    """`2024-04`, `2024-Q2` or `2024`; raises ValueError with a readable message otherwise."""
    text = text.strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a month: use YYYY-MM, e.g. 2024-04")
        start = dt.date(year, month, 1)
        return ParsedPeriod(start, add_months(start, 1))
    if match := _QUARTER.match(text):
        quarter = Quarter(int(match[1]), int(match[2]))
        return ParsedPeriod(quarter.start, quarter.end)
    if match := _YEAR.match(text):
        start = dt.date(int(match[1]), 1, 1)
        return ParsedPeriod(start, add_months(start, 12))
    raise ValueError(f"{text!r} is not a period: use 2024-04, 2024-Q2 or 2024")


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from `start`'s month up to (excluding) `end`."""
    months = []
    month = start.replace(day=1)
    while month < end:
        months.append(month)
        month = add_months(month, 1)
    return months


def working_days(start: dt.date, end: dt.date, today: dt.date) -> int:
    """Monday-to-Friday days in [start, end), counting no further than today (inclusive)."""
    last = min(end, today + dt.timedelta(days=1))
    if last <= start:
        return 0
    return int(np.busday_count(start, last))
