"""The demo's clock: times are int64 seconds since the epoch (UTC), days are local day numbers.

Everything is generated for the whole end month, then cut at `cutoff`: what has not happened by
then is left out or left open. A partial current month therefore holds a subset of the data a
full month would, and targets can be set from the full month's revenue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from salesopt.core.periods import add_months, start_of_day

from .catalog import HISTORY_MONTHS

HOUR = 3600
DAY = 24 * HOUR
# The largest int64: a missing time compares as "after every cutoff", so it is never known.
NO_TIME = np.iinfo(np.int64).max
# Established reps were hired up to this long before the history starts.
DAYS_BEFORE_HISTORY = 2200
DAYS_AFTER_HISTORY = 800
# The plan's execution starts with the first day of a month at least this long before the
# cutoff, so that the demo holds that many weeks of it (their weekly reviews, the pilot's first
# effect); the diagnosis window is the twelve months before it.
EXECUTION_WEEKS = 4


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end_month: dt.date
    full_end: dt.date
    cutoff: int
    origin: dt.date
    day_starts: np.ndarray
    execution_start: dt.date

    @classmethod
    def ending(cls, end_month: dt.date, today: dt.date) -> Timeline:
        """18 months of history ending with `end_month`; the current month stops at today."""
        end_month = end_month.replace(day=1)
        if end_month > today:
            raise ValueError(f"the end month {end_month:%Y-%m} is in the future")
        start = add_months(end_month, -(HISTORY_MONTHS - 1))
        full_end = add_months(end_month, 1)
        origin = start - dt.timedelta(days=DAYS_BEFORE_HISTORY)
        day_count = (full_end - origin).days + DAYS_AFTER_HISTORY
        # A loop over ~3000 days: the zone's offset may change (DST), so ask zoneinfo each day.
        day_starts = np.array(
            [start_of_day(origin + dt.timedelta(days=n)).timestamp() for n in range(day_count)],
            dtype=np.int64,
        )
        cutoff_day = min(today, full_end)
        cutoff = int(day_starts[(cutoff_day - origin).days])
        weeks_before = cutoff_day - dt.timedelta(weeks=EXECUTION_WEEKS)
        execution_start = min(end_month, weeks_before.replace(day=1))
        return cls(start, end_month, full_end, cutoff, origin, day_starts, execution_start)

    def day_number(self, day: dt.date) -> int:
        return (day - self.origin).days

    def seconds(self, day: dt.date) -> int:
        return int(self.day_starts[self.day_number(day)])

    @property
    def history_days(self) -> int:
        return (self.full_end - self.start).days

    @property
    def history_start(self) -> int:
        return self.seconds(self.start)

    @property
    def history_end(self) -> int:
        return self.seconds(self.full_end)

    def day_numbers(self, times: np.ndarray) -> np.ndarray:
        """The local day of each time (missing times map to the last known day)."""
        found = np.searchsorted(self.day_starts, times, side="right") - 1
        return np.clip(found, 0, self.day_starts.size - 1)

    def dates(self, times: np.ndarray) -> np.ndarray:
        """Local calendar dates as datetime64[D]; NaT where the time is missing."""
        origin = np.datetime64(self.origin, "D")
        dates = origin + self.day_numbers(times).astype("timedelta64[D]")
        return np.where(times == NO_TIME, np.datetime64("NaT", "D"), dates)

    def month_numbers(self, times: np.ndarray) -> np.ndarray:
        """Months since the start of history (0 … 17 inside it, anything outside otherwise)."""
        months = self.dates(times).astype("datetime64[M]")
        return (months - np.datetime64(self.start, "M")).astype(np.int64)

    def month_starts(self) -> list[dt.date]:
        return [add_months(self.start, offset) for offset in range(HISTORY_MONTHS)]
