"""Response deadlines on the business calendar, worked out by hand from the State Council's
holiday notices (2025: National Day 1–8 October, make-up working days Sunday 28 September and
Saturday 11 October; 2026: Spring Festival 15–23 February with make-up Saturdays 14 and 28
February; National Day 1–7 October with make-up Sunday 20 September and Saturday 10 October).
The company works Monday to Friday, 09:00–18:00 in Shanghai: nine working hours a day.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from salesopt.core.working_time import NoWorkingTimeError, WorkingCalendar, calendar_from

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar()


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "hours", "due", "why"),
    [
        # Friday 26 September 2025, 19:30, after closing; Saturday is a weekend day, but Sunday
        # 28 September is a make-up working day: A's 2 h run 09:00–11:00 that Sunday.
        (at(2025, 9, 26, 19, 30), 2, at(2025, 9, 28, 11), "Friday evening before Golden Week"),
        # Wednesday 30 September 2026, 17:00, B (24 h): 1 h that day; 1–7 October off; 8 and 9
        # October 9 h each (19 h); Saturday 10 October is a make-up day: 5 h more → 14:00.
        (at(2026, 9, 30, 17), 24, at(2026, 10, 10, 14), "into and through Golden Week"),
        # Saturday 14 February 2026 is a make-up working day: 10:00 + 2 h = 12:00 that day.
        (at(2026, 2, 14, 10), 2, at(2026, 2, 14, 12), "on a make-up Saturday"),
        # The same Saturday at 17:00, B (24 h): 1 h; 15 Feb (Sunday) and 16–23 Feb off (the
        # 21st and 22nd a weekend); 24 and 25 Feb 9 h each (19 h); 26 Feb 5 h → 14:00.
        (at(2026, 2, 14, 17), 24, at(2026, 2, 26, 14), "across the Spring Festival"),
        # Tuesday 17:55 with A's 2 h: 5 minutes today, 1 h 55 tomorrow from 09:00.
        (at(2026, 11, 10, 17, 55), 2, at(2026, 11, 11, 10, 55), "17:55 with 2 h"),
        # Friday 17:55: the rest on Monday.
        (at(2026, 11, 13, 17, 55), 2, at(2026, 11, 16, 10, 55), "17:55 on a Friday"),
        # Before opening: the clock starts at 09:00.
        (at(2026, 11, 10, 7), 2, at(2026, 11, 10, 11), "before opening"),
        # A deadline exactly at closing time stays on that day.
        (at(2026, 11, 10, 16), 2, at(2026, 11, 10, 18), "due at closing"),
        # C (72 h = 8 working days) from Monday 09:00: through Wednesday 18:00 of next week.
        (at(2026, 11, 2, 9), 72, at(2026, 11, 11, 18), "72 h are eight working days"),
    ],
)
def test_deadlines_on_the_official_calendar(start, hours, due, why):
    assert CALENDAR.due(start, hours) == due, why


def test_the_company_s_own_day_off_and_extra_working_day():
    calendar = calendar_from(
        zone="Asia/Shanghai", opens=dt.time(9), closes=dt.time(18), weekdays=range(5),
        china_holidays=True,
        exceptions=[(dt.date(2026, 11, 11), False), (dt.date(2026, 11, 14), True)],
    )  # fmt: skip

    # Tuesday 17:55: Wednesday the 11th is the company's day off → Thursday 10:55.
    assert calendar.due(at(2026, 11, 10, 17, 55), 2) == at(2026, 11, 12, 10, 55)
    # Friday 17:55: Saturday the 14th is an extra working day → Saturday 10:55.
    assert calendar.due(at(2026, 11, 13, 17, 55), 2) == at(2026, 11, 14, 10, 55)


def test_without_china_s_holidays_golden_week_is_worked():
    calendar = WorkingCalendar(china_holidays=False)

    # 30 September 2026 17:00 + 2 h: 1 h, then Thursday 1 October 09:00–10:00.
    assert calendar.due(at(2026, 9, 30, 17), 2) == at(2026, 10, 1, 10)


def test_other_hours_and_days():
    # A shop open Monday to Saturday, 08:30–12:30 (4 h a day).
    calendar = WorkingCalendar(opens=dt.time(8, 30), closes=dt.time(12, 30),
                               weekdays=frozenset(range(6)), china_holidays=False)  # fmt: skip

    # Saturday 12:00 + 2 h: 30 minutes, Sunday off, Monday 08:30 + 1 h 30 → 10:00.
    assert calendar.due(at(2026, 11, 14, 12), 2) == at(2026, 11, 16, 10)


@pytest.mark.parametrize(
    ("opens", "closes", "weekdays"),
    [(dt.time(18), dt.time(9), range(5)), (dt.time(9), dt.time(9), range(5)),
     (dt.time(9), dt.time(18), [])],
)  # fmt: skip
def test_a_calendar_with_no_working_hours_is_refused(opens, closes, weekdays):
    with pytest.raises(NoWorkingTimeError):
        calendar_from(zone="Asia/Shanghai", opens=opens, closes=closes, weekdays=weekdays,
                      china_holidays=True)  # fmt: skip


def slow_due(calendar, start, hours):
    """The same deadline walked day by day: a reference for the vectorised version."""
    left = dt.timedelta(hours=hours)
    day = start.astimezone(SHANGHAI).date()
    while True:
        if calendar.is_working_day(day):
            opens = dt.datetime.combine(day, calendar.opens, SHANGHAI)
            closes = dt.datetime.combine(day, calendar.closes, SHANGHAI)
            begin = max(opens, start)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += dt.timedelta(days=1)


def test_many_deadlines_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 400 * 86400, 300)
    starts = [at(2025, 9, 1, 0) + dt.timedelta(seconds=int(s)) for s in seconds]
    hours = rng.choice([0.5, 2.0, 24.0, 72.0], 300)

    found = CALENDAR.due_many(pd.DatetimeIndex(starts), hours)

    expected = [slow_due(CALENDAR, start, h) for start, h in zip(starts, hours, strict=True)]
    assert [moment.to_pydatetime() for moment in found] == expected


@pytest.mark.django_db
def test_the_company_calendar_is_read_from_its_settings_and_exceptions():
    from salesopt.core.models import BusinessCalendar, CalendarException
    from salesopt.core.working_time import company_calendar

    assert company_calendar() == WorkingCalendar()  # the defaults until an admin sets one
    BusinessCalendar.objects.create(pk=1, opens=dt.time(8), closes=dt.time(17), weekdays="123456")
    CalendarException.objects.create(day=dt.date(2026, 11, 11), note="公司年会")

    calendar = company_calendar()

    # Tuesday 16:55 + 2 h: 5 minutes, the 11th off, Thursday 08:00 + 1 h 55.
    assert calendar.due(at(2026, 11, 10, 16, 55), 2) == at(2026, 11, 12, 9, 55)
    assert calendar.is_working_day(dt.date(2026, 11, 14))  # Saturday is a working weekday


@pytest.mark.django_db
def test_a_stored_calendar_without_working_hours_is_refused():
    from django.core.exceptions import ValidationError

    from salesopt.core.models import BusinessCalendar

    with pytest.raises(ValidationError, match="no working hours"):
        BusinessCalendar(opens=dt.time(18), closes=dt.time(9)).full_clean()
    with pytest.raises(ValidationError, match="1 Monday to 7 Sunday"):
        BusinessCalendar(weekdays="0").full_clean()
