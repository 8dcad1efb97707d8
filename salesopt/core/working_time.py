"""Working time: when a response deadline of N working hours falls, on the company's calendar.

A working day is Monday to Friday (or the company's own days) from opening to closing time in
the company's zone, minus China's public holidays and plus its make-up working days (调休), as
the `holidays` library publishes them from the State Council's notices (it knows the make-up
Saturdays and Sundays; chinese-calendar refuses any year it has no notice for), and with the
company's own exceptions on top: a day off, or an extra working day.

`due_many` works for a million leads at once: the working intervals of the span are laid end to
end on one axis of working seconds (numpy), each start is placed on it by a binary search, the
deadline added, and the point mapped back to a time. No Python loop runs per lead.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd
from django.conf import settings

from .models import BusinessCalendar, CalendarException

ALL_WEEKDAYS = frozenset(range(7))
MONDAY_TO_FRIDAY = frozenset(range(5))
_CHUNK_DAYS = 62


class NoWorkingTimeError(ValueError):
    """A calendar with no working hours (closing not after opening, or no working weekday)."""


@lru_cache(maxsize=64)
def _china(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """China's public days off and its make-up working days of a year."""
    calendar = holidays.China(years=[year])
    days_off = frozenset(day for day in calendar if day.year == year)
    make_up = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, make_up


@dataclass(frozen=True)
class WorkingCalendar:
    zone: str = "Asia/Shanghai"
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(18, 0)
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    china_holidays: bool = True
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise NoWorkingTimeError("the working day must close after it opens")
        if not self.weekdays and not self.working_days:
            raise NoWorkingTimeError("a calendar needs at least one working weekday")
        zoneinfo.ZoneInfo(self.zone)

    @property
    def hours_a_day(self) -> float:
        opens = dt.datetime.combine(dt.date(2000, 1, 1), self.opens)
        return (dt.datetime.combine(dt.date(2000, 1, 1), self.closes) - opens).seconds / 3600

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        if self.china_holidays:
            public_days_off, make_up = _china(day.year)
            if day in public_days_off:
                return False
            if day in make_up:
                return True
        return day.weekday() in self.weekdays

    def due(self, start: dt.datetime, hours: float) -> dt.datetime:
        """`hours` working hours after `start` (an aware time), in the company's zone."""
        found = self.due_many(pd.DatetimeIndex([start]), np.array([hours], dtype=float))
        return found[0].to_pydatetime()

    def due_many(self, starts: pd.DatetimeIndex, hours: np.ndarray) -> pd.DatetimeIndex:
        """`hours[i]` working hours after `starts[i]` (aware times), in the company's zone."""
        zone = zoneinfo.ZoneInfo(self.zone)
        if len(starts) == 0:
            return pd.DatetimeIndex([], tz=zone)
        moments = starts.tz_convert("UTC").as_unit("us").asi8 / 1e6  # seconds since the epoch
        needed = np.asarray(hours, dtype=float) * 3600.0
        first = pd.Timestamp(moments.min(), unit="s", tz="UTC").tz_convert(zone).date()
        last = pd.Timestamp(moments.max(), unit="s", tz="UTC").tz_convert(zone).date()
        opens, closes = self._intervals(first - dt.timedelta(days=1), last, needed.max())
        lengths = closes - opens
        before = np.concatenate(([0.0], np.cumsum(lengths)[:-1]))  # working seconds before each
        # The interval a start falls in, or the next one: the first that closes after it.
        at = np.searchsorted(closes, moments, side="right")
        position = before[at] + np.clip(moments - opens[at], 0, None)
        target = position + needed
        # The interval the deadline falls in: a deadline at a closing time stays on that day.
        ends = before + lengths
        into = np.searchsorted(ends, target, side="left")
        due_seconds = opens[into] + (target - before[into])
        due = pd.to_datetime(np.round(due_seconds * 1e6).astype(np.int64), unit="us", utc=True)
        return due.tz_convert(zone)

    def _intervals(
        self, first: dt.date, last: dt.date, most_seconds: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Opening and closing times (epoch seconds) of the working days from `first`, through
        `last` and on until `most_seconds` of working time lie beyond `last`."""
        zone = zoneinfo.ZoneInfo(self.zone)
        days: list[dt.date] = []
        beyond = 0.0
        day = first
        while day <= last or beyond <= most_seconds:
            for _ in range(_CHUNK_DAYS):
                if self.is_working_day(day):
                    days.append(day)
                    if day > last:
                        beyond += self.hours_a_day * 3600
                day += dt.timedelta(days=1)
            if day > last + dt.timedelta(days=3660):
                raise NoWorkingTimeError("no working day in the next ten years")
        opens = np.array(
            [dt.datetime.combine(d, self.opens, zone).timestamp() for d in days], dtype=float
        )
        closes = np.array(
            [dt.datetime.combine(d, self.closes, zone).timestamp() for d in days], dtype=float
        )
        return opens, closes


def company_calendar() -> WorkingCalendar:
    """The company's calendar as stored (the defaults until an admin sets one)."""
    stored = BusinessCalendar.objects.filter(pk=1).first()
    if stored is None:
        return default_calendar(
            exceptions=CalendarException.objects.values_list("day", "is_working_day")
        )
    return _calendar_of(stored, CalendarException.objects.values_list("day", "is_working_day"))


def default_calendar(exceptions: Iterable[tuple[dt.date, bool]] = ()) -> WorkingCalendar:
    """The calendar of a company that has set none (no database read)."""
    return _calendar_of(BusinessCalendar(), exceptions)


def _calendar_of(
    stored: BusinessCalendar, exceptions: Iterable[tuple[dt.date, bool]]
) -> WorkingCalendar:
    return calendar_from(
        zone=settings.SALESOPT_COMPANY_TIME_ZONE,
        opens=stored.opens,
        closes=stored.closes,
        weekdays=[int(digit) - 1 for digit in stored.weekdays],
        china_holidays=stored.china_holidays,
        exceptions=exceptions,
    )


def calendar_from(
    *,
    zone: str,
    opens: dt.time,
    closes: dt.time,
    weekdays: Iterable[int],
    china_holidays: bool,
    exceptions: Iterable[tuple[dt.date, bool]] = (),
) -> WorkingCalendar:
    """A calendar from stored settings; `exceptions` are (day, is a working day)."""
    listed = list(exceptions)
    return WorkingCalendar(
        zone=zone,
        opens=opens,
        closes=closes,
        weekdays=frozenset(weekdays),
        china_holidays=china_holidays,
        days_off=frozenset(day for day, working in listed if not working),
        working_days=frozenset(day for day, working in listed if working),
    )
