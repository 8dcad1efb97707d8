"""Leads, column by column: who they are, who owns them, and what will happen to them.

`generate_leads` returns the full story (times in the future included); `known_leads` cuts it
at the timeline's cutoff into the rows a CRM export would hold today.

Seeded problems, each planted here:
- 华南 answers late (median ~30 h against a few hours), leaves more leads unanswered and
  qualifies fewer of them;
- large deals take ~90 days to win, small ones ~3 weeks;
- new reps win nothing before ~60 days after their hire date (one planted first win each);
- overloaded reps get several times a colleague's share of leads (weights in people.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesopt.core.working_time import default_calendar

from .catalog import (
    CAMPAIGN_PATTERNS,
    CHANNEL_SHARES,
    CHANNELS,
    COMPANY_BRANDS,
    COMPANY_SIZES,
    GIVEN_NAMES,
    GRADES,
    INDUSTRIES,
    MONTH_SEASONALITY,
    PRODUCT_LINE_TEAM,
    PRODUCT_LINES,
    REGION_TEAM,
    REGIONS,
    SLOW_REGION,
    SURNAMES,
    TEAM_PRODUCT_LINE,
    TEAM_REGION,
    TEAMS,
    URGENCIES,
    WEEKDAY_WEIGHTS,
    column,
    shares,
)
from .frames import NO_NUMBER, Frame, external_ids, labels, normalised, number_keys, select
from .people import Staff
from .timeline import DAY, HOUR, NO_TIME, Timeline

# Indexed by grade A, B, C, blank (a blank grade is -1, which numpy reads as the last slot).
# Working hours: the slow region misses A's 2 h and B's 24 h deadlines more often than not.
FAST_RESPONSE_MEDIAN_HOURS = np.array([0.5, 2.0, 4.0, 2.0])
SLOW_RESPONSE_MEDIAN_HOURS = np.array([8.0, 16.0, 24.0, 16.0])
# The pilot team answers a little slower than the fast regions once it is piloted.
PILOT_RESPONSE_FACTOR = 1.5
PILOT_TEAM = next(index for index, team in enumerate(TEAMS) if team.code == "south")
QUALIFY_PROBABILITY = np.array([0.55, 0.38, 0.20, 0.30])
WIN_PROBABILITY = np.array([0.50, 0.42, 0.30, 0.35])
UNANSWERED_SHARE = 0.04
SLOW_REGION_UNANSWERED_SHARE = 0.12
SLOW_REGION_QUALIFY_FACTOR = 0.65
BLANK_GRADE_SHARE = 0.03
# A share of leads that went nowhere is never closed as lost in the CRM: they stay "contacted".
NEVER_CLOSED_SHARE = 0.25
LARGE_DEAL_AMOUNT = 500_000
SMALLEST_ORDER, LARGEST_ORDER = 5_000, 2_000_000
# Mean days from lead to won for small, medium and large deals, with the gamma shapes.
CYCLE_MEAN_DAYS = np.array([22.0, 32.0, 90.0])
CYCLE_SHAPES = np.array([8.0, 8.0, 16.0])
PLANTED_CYCLE_DAYS = 21

INDUSTRY_NAMES = column(INDUSTRIES, 0)
SIZE_VALUES = column(COMPANY_SIZES, 0)
URGENCY_VALUES = column(URGENCIES, 0)
GRADE_VALUES = np.array([*GRADES, ""], dtype=object)
CHANNEL_NAMES = column(CHANNELS)
CITIES = np.array([region.cities for region in REGIONS], dtype=object)


def generate_leads(
    rng: np.random.Generator, timeline: Timeline, staff: Staff, *, count: int, first: int
) -> Frame:
    """`count` leads numbered from `first`; the chunk starting at 0 plants new reps' first wins."""
    leads = sample_companies(rng, count)
    leads["number"] = first + np.arange(count)
    leads["created"] = _creation_times(rng, timeline, count)
    leads["forced_owner"] = np.full(count, -1)
    leads["forced_close"] = np.full(count, NO_TIME)
    if first == 0:
        _plant_first_wins(leads, staff, timeline)
    leads["grade"] = _grades(rng, leads)
    leads["owner"] = assign_owners(rng, leads, staff, timeline)
    leads["first_response"] = _first_responses(rng, leads, staff, timeline)
    _qualify_and_close(rng, leads)
    _hold_back_new_reps(leads, staff, timeline)
    leads["name"] = _person_names(rng, count)
    leads["company_name"] = company_names(rng, leads["region"], leads["industry"])
    leads["campaign"] = _campaigns(leads, timeline)
    return leads


def sample_companies(rng: np.random.Generator, count: int) -> Frame:
    def pick(table: tuple, position: int = 1) -> np.ndarray:
        return rng.choice(len(table), size=count, p=shares(tuple(row[position] for row in table)))

    return {
        "region": rng.choice(len(REGIONS), size=count, p=shares(tuple(r.share for r in REGIONS))),
        "product_line": rng.choice(
            len(PRODUCT_LINES), size=count, p=shares(tuple(p.share for p in PRODUCT_LINES))
        ),
        "industry": pick(INDUSTRIES),
        "size": pick(COMPANY_SIZES),
        "urgency": pick(URGENCIES),
        "channel": rng.choice(len(CHANNELS), size=count, p=shares(CHANNEL_SHARES)),
    }


def _creation_times(rng: np.random.Generator, timeline: Timeline, count: int) -> np.ndarray:
    """Sorted times: business hours mostly, fewer at weekends and at the Spring Festival."""
    dates = np.datetime64(timeline.start, "D") + np.arange(timeline.history_days)
    months = dates.astype("datetime64[M]")
    growth = 1 + 0.02 * (months - months[0]).astype(np.int64)
    season = np.array(MONTH_SEASONALITY)[months.astype(np.int64) % 12]
    weekday = np.array(WEEKDAY_WEIGHTS)[(dates.astype(np.int64) + 3) % 7]  # 1970-01-01: Thu
    days = rng.choice(dates.size, size=count, p=normalised(growth * season * weekday))
    business = rng.random(count) < 0.85
    seconds = np.where(
        business, 9 * HOUR + rng.integers(0, 9 * HOUR, count), rng.integers(0, DAY, count)
    )
    first_day = timeline.day_number(timeline.start)
    return np.sort(timeline.day_starts[first_day + days] + seconds)


def _plant_first_wins(leads: Frame, staff: Staff, timeline: Timeline) -> None:
    """One small won deal per new rep, closing exactly at hire date + that rep's ramp-up."""
    reps = np.flatnonzero(staff.is_new)
    rows = np.arange(reps.size)
    first_win_day = staff.hire_day[reps] + staff.ramp_days[reps]
    teams = staff.team[reps]
    leads["created"][rows] = timeline.day_starts[first_win_day - PLANTED_CYCLE_DAYS] + 10 * HOUR
    leads["forced_close"][rows] = timeline.day_starts[first_win_day] + 15 * HOUR
    leads["forced_owner"][rows] = reps
    leads["region"][rows] = np.where(
        TEAM_REGION[teams] >= 0, TEAM_REGION[teams], leads["region"][rows]
    )
    leads["product_line"][rows] = TEAM_PRODUCT_LINE[teams]
    leads["size"][rows] = 0
    leads["urgency"][rows] = 1


def _grades(rng: np.random.Generator, leads: Frame) -> np.ndarray:
    """A / B / C from industry, company size and urgency points; a few leads left ungraded."""
    points = (
        column(INDUSTRIES, 2)[leads["industry"]]
        + column(COMPANY_SIZES, 2)[leads["size"]]
        + column(URGENCIES, 2)[leads["urgency"]]
    )
    grade = np.select([points >= 4, points >= 2], [0, 1], default=2)
    blank = (rng.random(grade.size) < BLANK_GRADE_SHARE) & (leads["forced_owner"] < 0)
    return np.where(blank, -1, grade)


def assign_owners(
    rng: np.random.Generator, leads: Frame, staff: Staff, timeline: Timeline
) -> np.ndarray:
    """A rep of the owning team by workload weight, never one hired after the lead came in."""
    line_team = PRODUCT_LINE_TEAM[leads["product_line"]]
    team = np.where(line_team >= 0, line_team, REGION_TEAM[leads["region"]])
    hired = timeline.day_starts[staff.hire_day]
    owner = np.empty(team.size, dtype=np.int64)
    for number in range(len(TEAMS)):
        rows = np.flatnonzero(team == number)
        members = staff.members(number)
        owner[rows] = rng.choice(members, size=rows.size, p=normalised(staff.weight[members]))
        early = rows[leads["created"][rows] < hired[owner[rows]]]
        veterans = members[~staff.is_new[members]]
        owner[early] = rng.choice(veterans, size=early.size, p=normalised(staff.weight[veterans]))
    return np.where(leads["forced_owner"] >= 0, leads["forced_owner"], owner)


def _first_responses(
    rng: np.random.Generator, leads: Frame, staff: Staff, timeline: Timeline
) -> np.ndarray:
    slow = leads["region"] == SLOW_REGION
    # The plan's process measure pilots graded leads and 2 h deadlines on the slow region's
    # team from the execution start (the day after the diagnosis window): from then on its
    # reps answer nearly as fast as the rest; the control team goes on as before.
    piloted = np.isin(leads["owner"], staff.members(PILOT_TEAM)) & (
        leads["created"] >= timeline.seconds(timeline.execution_start)
    )
    median = np.where(
        slow & ~piloted,
        SLOW_RESPONSE_MEDIAN_HOURS[leads["grade"]],
        FAST_RESPONSE_MEDIAN_HOURS[leads["grade"]] * PILOT_RESPONSE_FACTOR,
    )
    median = np.where(slow, median, FAST_RESPONSE_MEDIAN_HOURS[leads["grade"]])
    # Reps answer in working time: the delay is counted on the company's working calendar,
    # the clock the response deadlines run on.
    hours = np.maximum(1 / 60, median * np.exp(0.8 * rng.standard_normal(slow.size)))
    answered = _working_hours_later(leads["created"], hours)
    forced = leads["forced_owner"] >= 0
    answered = np.where(forced, leads["created"] + 2 * HOUR, answered)
    unanswered_share = np.where(slow, SLOW_REGION_UNANSWERED_SHARE, UNANSWERED_SHARE)
    unanswered = (rng.random(slow.size) < unanswered_share) & ~forced
    return np.where(unanswered, NO_TIME, answered)


def _working_hours_later(created: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Epoch seconds `hours` working hours after each of `created` (epoch seconds), on the
    calendar the demo company keeps: the default one (generation reads no database)."""
    if created.size == 0:
        return created.copy()
    starts = pd.DatetimeIndex(pd.to_datetime(created, unit="s", utc=True))
    due = default_calendar().due_many(starts, hours)
    return (due.tz_convert("UTC").as_unit("s").asi8).astype(np.int64)


def _qualify_and_close(rng: np.random.Generator, leads: Frame) -> None:
    """Qualification, deal size, cycle and outcome; lost deals close before won ones would."""
    count, grade = leads["grade"].size, leads["grade"]
    forced = leads["forced_owner"] >= 0
    answered = leads["first_response"] != NO_TIME
    responded = np.where(answered, leads["first_response"], leads["created"])
    qualify = QUALIFY_PROBABILITY[grade] * np.where(
        leads["region"] == SLOW_REGION, SLOW_REGION_QUALIFY_FACTOR, 1.0
    )
    qualified = (answered & (rng.random(count) < qualify)) | forced
    opened = responded + (rng.uniform(1, 6, count) * DAY).astype(np.int64)
    leads["amount"] = deal_amounts(rng, leads["size"], leads["product_line"])
    large = (leads["size"] >= 2) | (leads["amount"] > LARGE_DEAL_AMOUNT)
    kind = np.where(large, 2, np.minimum(leads["size"], 1))
    cycle_days = rng.gamma(CYCLE_SHAPES[kind], CYCLE_MEAN_DAYS[kind] / CYCLE_SHAPES[kind])
    cycle = np.maximum((cycle_days * DAY).astype(np.int64), opened - leads["created"] + 3 * DAY)
    won = (qualified & (rng.random(count) < WIN_PROBABILITY[grade])) | forced
    share = np.where(won, 1.0, rng.uniform(0.5, 1.1, count))
    closed = leads["created"] + np.maximum(
        (cycle * share).astype(np.int64), opened - leads["created"] + DAY
    )
    closed = np.where(forced, leads["forced_close"], closed)
    dropped = responded + (rng.uniform(15, 60, count) * DAY).astype(np.int64)
    gives_up = answered & ~qualified & (rng.random(count) >= NEVER_CLOSED_SHARE)
    leads["large"] = large
    leads["qualified"] = qualified
    leads["won"] = won
    leads["opened"] = np.where(qualified, opened, NO_TIME)
    leads["closed"] = np.where(qualified, closed, NO_TIME)
    leads["planned_close"] = np.where(forced, closed, leads["created"] + cycle)
    leads["dropped"] = np.where(gives_up, dropped, NO_TIME)


def deal_amounts(
    rng: np.random.Generator, size: np.ndarray, product_line: np.ndarray, factor: float = 1.0
) -> np.ndarray:
    """Skewed CNY amounts rounded to ¥100, by company size and product line."""
    median = (
        column(COMPANY_SIZES, 3)[size]
        * np.array([p.amount_factor for p in PRODUCT_LINES])[product_line]
    )
    amount = median * factor * np.exp(0.55 * rng.standard_normal(size.size))
    return np.clip(np.round(amount, -2), SMALLEST_ORDER, LARGEST_ORDER).astype(np.int64)


def _hold_back_new_reps(leads: Frame, staff: Staff, timeline: Timeline) -> None:
    """A new rep's deals closing before the planted first win are lost instead."""
    first_win = np.where(
        staff.is_new, timeline.day_starts[staff.hire_day + staff.ramp_days] + 15 * HOUR, 0
    )
    too_early = (
        leads["won"] & (leads["forced_owner"] < 0) & (leads["closed"] <= first_win[leads["owner"]])
    )
    leads["won"] = leads["won"] & ~too_early


def _person_names(rng: np.random.Generator, count: int) -> np.ndarray:
    surnames = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), count)]
    return surnames + np.array(GIVEN_NAMES, dtype=object)[rng.integers(0, len(GIVEN_NAMES), count)]


def company_names(rng: np.random.Generator, region: np.ndarray, industry: np.ndarray) -> np.ndarray:
    city = CITIES[region, rng.integers(0, CITIES.shape[1], region.size)]
    brand = np.array(COMPANY_BRANDS, dtype=object)[
        rng.integers(0, len(COMPANY_BRANDS), region.size)
    ]
    return city + brand + column(INDUSTRIES, 3)[industry]


def _campaigns(leads: Frame, timeline: Timeline) -> np.ndarray:
    months = (
        timeline.month_numbers(leads["created"])
        + timeline.start.year * 12
        + timeline.start.month
        - 1
    )
    keys = np.stack([leads["channel"], months // 3, leads["product_line"], leads["region"]], axis=1)

    def campaign(channel: int, quarter: int, line: int, region: int) -> str:
        pattern = CAMPAIGN_PATTERNS.get(channel, "")
        return pattern.format(
            year=quarter // 4,
            quarter=quarter % 4 + 1,
            line=PRODUCT_LINES[line].name,
            city=REGIONS[region].cities[0],
        )

    return labels(keys, campaign)


def known_leads(leads: Frame, timeline: Timeline) -> Frame:
    """The lead rows as the CRM shows them at the cutoff."""
    cutoff = timeline.cutoff
    rows = select(leads, leads["created"] < cutoff)
    responded = rows["first_response"] < cutoff
    opened = rows["opened"] < cutoff
    closed = rows["closed"] < cutoff
    won_at = np.where(closed & rows["won"], rows["closed"], NO_TIME)
    lost_at = np.where(closed & ~rows["won"], rows["closed"], NO_TIME)
    lost_at = np.where(rows["dropped"] < cutoff, rows["dropped"], lost_at)
    status = np.select(
        [~responded, won_at != NO_TIME, lost_at != NO_TIME, opened],
        ["new", "converted", "lost", "qualified"],
        default="contacted",
    ).astype(object)
    keys = number_keys(rows["number"])
    return {
        "external_id": external_ids("lead", keys),
        "name": rows["name"],
        "company_name": rows["company_name"],
        # numpy's stubs take no None for an operand; numpy makes an object array of it.
        "customer": np.where(won_at != NO_TIME, external_ids("cust", keys), None),  # type: ignore[call-overload]
        "channel": CHANNEL_NAMES[rows["channel"]],
        "campaign": rows["campaign"],
        "industry": INDUSTRY_NAMES[rows["industry"]],
        "company_size": SIZE_VALUES[rows["size"]],
        "urgency": URGENCY_VALUES[rows["urgency"]],
        "crm_grade": GRADE_VALUES[rows["grade"]],
        "region": rows["region"],
        "product_line": rows["product_line"],
        "owner": rows["owner"],
        "status": status,
        "created_in_crm_at": rows["created"],
        "first_response_at": np.where(responded, rows["first_response"], NO_TIME),
        "won_at": won_at,
        "lost_at": lost_at,
        "amount": np.where(opened, rows["amount"], NO_NUMBER),
    }
