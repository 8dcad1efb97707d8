"""Monthly sales targets for the company, each region, product line, team and rep.

Targets are set from the revenue each month really brought (the whole month, even when the
history stops part-way through it) divided by an attainment drawn per month and product line:
95–109% for the healthy lines, 74–86% for 云服务, the line that misses its targets. Every
wider scope is the sum of the same plan, so the tables agree with each other.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .catalog import (
    HISTORY_MONTHS,
    PRODUCT_LINES,
    REGIONS,
    TEAM_PRODUCT_LINE,
    TEAM_REGION,
    TEAMS,
    WEAK_PRODUCT_LINE,
)
from .frames import Frame, concatenate
from .people import Staff
from .timeline import Timeline

HEALTHY_ATTAINMENT = (0.95, 1.09)
WEAK_ATTAINMENT = (0.74, 0.86)
# A new rep's quota in their first months, as a share of a full one.
RAMP_QUOTA = (0.3, 0.5, 0.8)


class RevenueTally:
    """Revenue per month, region, product line and rep, summed over the chunks."""

    def __init__(self, rep_count: int) -> None:
        shape = (HISTORY_MONTHS, len(REGIONS), len(PRODUCT_LINES), rep_count)
        self.revenue = np.zeros(shape)

    def add(self, orders: Frame, timeline: Timeline) -> None:
        month = timeline.month_numbers(orders["time"])
        inside = (month >= 0) & (month < HISTORY_MONTHS)
        cells = (month, orders["region"], orders["product_line"], orders["rep"])
        np.add.at(self.revenue, tuple(axis[inside] for axis in cells), orders["amount"][inside])


def monthly_targets(
    rng: np.random.Generator, tally: RevenueTally, staff: Staff, timeline: Timeline
) -> Frame:
    months = timeline.month_starts()
    weak = np.arange(len(PRODUCT_LINES)) == WEAK_PRODUCT_LINE
    size = (HISTORY_MONTHS, len(PRODUCT_LINES))
    attainment = np.where(
        weak, rng.uniform(*WEAK_ATTAINMENT, size), rng.uniform(*HEALTHY_ATTAINMENT, size)
    )
    plan = tally.revenue.sum(axis=3) / attainment[:, None, :]
    team_plan = np.stack([_team_plan(plan, team) for team in range(len(TEAMS))], axis=1)
    rep_plan = _rep_plan(team_plan, staff, timeline)
    frames = [_scope_rows(months, "company", plan.sum(axis=(1, 2)), 10_000)]
    frames += [
        _scope_rows(months, f"region-{spec.code}", plan[:, n].sum(axis=1), 10_000, region=n)
        for n, spec in enumerate(REGIONS)
    ]
    frames += [
        _scope_rows(months, f"product-{spec.code}", plan[:, :, n].sum(axis=1), 10_000, line=n)
        for n, spec in enumerate(PRODUCT_LINES)
    ]
    frames += [
        _scope_rows(months, f"team-{spec.code}", team_plan[:, n], 10_000, team=n)
        for n, spec in enumerate(TEAMS)
    ]
    frames += [
        _scope_rows(months, f"rep-{rep + 1:02d}", rep_plan[:, rep], 1_000, rep=rep)
        for rep in range(staff.rep_count)
    ]
    return concatenate(frames)


def _team_plan(plan: np.ndarray, team: int) -> np.ndarray:
    line = TEAM_PRODUCT_LINE[team]
    if TEAM_REGION[team] >= 0:
        return plan[:, TEAM_REGION[team], line]
    return plan[:, :, line].sum(axis=1)


def _rep_plan(team_plan: np.ndarray, staff: Staff, timeline: Timeline) -> np.ndarray:
    """The team's plan split by workload weight, with a lighter quota while a rep ramps up."""
    hire_month = timeline.month_numbers(timeline.day_starts[staff.hire_day])
    tenure = np.arange(HISTORY_MONTHS)[:, None] - hire_month[None, :]
    ramp = np.select(
        [tenure < 0, tenure == 0, tenure == 1, tenure == 2], [0.0, *RAMP_QUOTA], default=1.0
    )
    weight = ramp * staff.weight[None, :]
    team_weight = np.zeros((HISTORY_MONTHS, len(TEAMS)))
    for team in range(len(TEAMS)):
        team_weight[:, team] = weight[:, staff.team == team].sum(axis=1)
    return team_plan[:, staff.team] * weight / team_weight[:, staff.team]


def _scope_rows(
    months: list[dt.date],
    scope: str,
    amounts: np.ndarray,
    rounding: int,
    *,
    region: int = -1,
    line: int = -1,
    team: int = -1,
    rep: int = -1,
) -> Frame:
    count = len(months)
    return {
        "external_id": np.array(
            [f"target-{month:%Y-%m}-{scope}" for month in months], dtype=object
        ),
        "grain": np.full(count, "month", dtype=object),
        "period_start": np.array(months, dtype="datetime64[D]"),
        "region": np.full(count, region),
        "product_line": np.full(count, line),
        "team": np.full(count, team),
        "rep": np.full(count, rep),
        # A refund can make a small scope's month negative; a target never is.
        "amount": (np.round(np.maximum(amounts, 0) / rounding) * rounding).astype(np.int64),
    }
