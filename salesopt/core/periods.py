"""Calendar periods in the company's time zone: months and quarters as half-open date ranges."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


def company_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.SALESOPT_COMPANY_TIME_ZONE)


def company_today() -> dt.date:
    return timezone.now().astimezone(company_zone()).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the company's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=company_zone())


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_spanned(first: dt.date, last: dt.date) -> int:
    """How many calendar months `first` … `last` touch, both included (at least one)."""
    return max(1, (last.year - first.year) * 12 + last.month - first.month + 1)


def share_gone(start: dt.date, end: dt.date) -> float:
    """How much of the period [start, end) has gone by in the company's today, its today
    included: 1 for a past period, 0 for a future one."""
    days = (end - start).days
    return min(1.0, max(0.0, ((company_today() - start).days + 1) / days))


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2024-Q2` → Quarter(2024, 2); raises ValueError on anything else."""
        year, _, number = text.partition("-Q")
        quarter = cls(int(year), int(number))
        if not 1 <= quarter.number <= 4 or not 1900 < quarter.year < 3000:
            raise ValueError(text)
        return quarter

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the quarter (ranges are half-open)."""
        return add_months(self.start, 3)

    def shifted(self, quarters: int) -> Quarter:
        return Quarter.containing(add_months(self.start, 3 * quarters))

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"
