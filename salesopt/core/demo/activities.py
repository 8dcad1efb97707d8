"""Calls, visits, follow-ups, e-mails and meetings on each answered lead.

The first activity of a lead is its first response (first_response_at is defined as the time
of that activity); the rest fall between it and the lead's close. Activities follow leads, so
the overloaded reps carry the same outsized share of them.
"""

from __future__ import annotations

import numpy as np

from .catalog import (
    ACTIVITY_KINDS,
    ACTIVITY_SUBJECTS,
    FIRST_CONTACT_KIND_SHARES,
    LARGE_DEAL_KIND_SHARES,
    LATER_KIND_SHARES,
    column,
    shares,
)
from .frames import Frame, external_ids, group_positions, number_keys, select
from .timeline import DAY, NO_TIME, Timeline

MOST_ACTIVITIES_PER_LEAD = 40
# A lead that went nowhere and was never closed is still worked for about a month.
OPEN_LEAD_DAYS = 30
KIND_VALUES = column(ACTIVITY_KINDS)
SUBJECTS = np.array(ACTIVITY_SUBJECTS, dtype=object)


def activities_for(rng: np.random.Generator, leads: Frame, timeline: Timeline) -> Frame:
    """The activities known at the cutoff, for the leads of one chunk."""
    answered = leads["first_response"] != NO_TIME
    counts = np.where(answered, _activity_counts(rng, leads), 0)
    parents, positions = group_positions(counts)
    first = leads["first_response"][parents]
    spread = _last_activity_times(leads)[parents] - first
    times = np.where(
        positions == 0, first, first + (rng.random(parents.size) * spread).astype(np.int64)
    )
    times = times[np.lexsort((times, parents))]
    kinds = _kinds(rng, positions, leads["large"][parents])
    won_known = leads["won"] & (leads["closed"] < timeline.cutoff)
    keys = number_keys(leads["number"])
    activities = {
        "external_id": external_ids("act", keys[parents], np.char.zfill(positions.astype(str), 2)),
        "kind": KIND_VALUES[kinds],
        "rep": leads["owner"][parents],
        "lead": external_ids("lead", keys)[parents],
        # numpy's stubs take no None for an operand; numpy makes an object array of it.
        "customer": np.where(won_known, external_ids("cust", keys), None)[parents],  # type: ignore[call-overload]
        "occurred_at": times,
        "subject": SUBJECTS[kinds, rng.integers(0, SUBJECTS.shape[1], kinds.size)],
    }
    return select(activities, times < timeline.cutoff)


def _activity_counts(rng: np.random.Generator, leads: Frame) -> np.ndarray:
    """More touches on deals that went further, and on large deals most of all."""
    count = leads["grade"].size
    lost_deal = leads["qualified"] & ~leads["won"]
    extra = np.select(
        [leads["won"], lost_deal],
        [3 + rng.poisson(3.0, count), 2 + rng.poisson(2.5, count)],
        default=rng.poisson(1.0, count),
    )
    extra = extra + np.where(leads["large"] & leads["qualified"], rng.poisson(4.0, count), 0)
    return np.minimum(1 + extra, MOST_ACTIVITIES_PER_LEAD)


def _last_activity_times(leads: Frame) -> np.ndarray:
    responded = np.where(leads["first_response"] != NO_TIME, leads["first_response"], 0)
    still_open = responded + OPEN_LEAD_DAYS * DAY
    last = np.where(leads["dropped"] != NO_TIME, leads["dropped"], still_open)
    return np.where(leads["qualified"], leads["closed"], last)


def _kinds(rng: np.random.Generator, positions: np.ndarray, large: np.ndarray) -> np.ndarray:
    count = positions.size
    first = rng.choice(len(ACTIVITY_KINDS), size=count, p=shares(FIRST_CONTACT_KIND_SHARES))
    later = rng.choice(len(ACTIVITY_KINDS), size=count, p=shares(LATER_KIND_SHARES))
    later_large = rng.choice(len(ACTIVITY_KINDS), size=count, p=shares(LARGE_DEAL_KIND_SHARES))
    return np.where(positions == 0, first, np.where(large, later_large, later))
