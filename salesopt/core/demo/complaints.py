"""Complaints from customers, with a hot spot: 安防监控 customers in 华北.

There, customers complain four times as often, mostly about quality and issues reported
again, wait about a day for an answer and rate the handling poorly; elsewhere answers come in
a few hours and most scores are 4 or 5.
"""

from __future__ import annotations

import numpy as np

from .catalog import (
    COMPLAINT_HOT_SPOT,
    COMPLAINT_KIND_SHARES,
    COMPLAINT_KINDS,
    HOT_SPOT_COMPLAINT_KIND_SHARES,
    HOT_SPOT_SATISFACTION_SHARES,
    SATISFACTION_SHARES,
    column,
    shares,
)
from .frames import NO_NUMBER, Frame, external_ids, group_positions, select
from .timeline import DAY, HOUR, NO_TIME, Timeline

COMPLAINT_SHARE, HOT_SPOT_COMPLAINT_SHARE = 0.08, 0.5
EXTRA_COMPLAINTS, HOT_SPOT_EXTRA_COMPLAINTS = 0.2, 1.2
RESPONSE_MEDIAN_HOURS, HOT_SPOT_RESPONSE_MEDIAN_HOURS = 5.0, 28.0
RESOLUTION_MEAN_DAYS, HOT_SPOT_RESOLUTION_MEAN_DAYS = 2.0, 7.0
# Customers who never answer the satisfaction survey.
NO_SURVEY_SHARE = 0.15
KIND_VALUES = column(COMPLAINT_KINDS)


def complaints_for(rng: np.random.Generator, customers: Frame, timeline: Timeline) -> Frame:
    """The complaints known at the cutoff, for one chunk's customers."""
    region, line = COMPLAINT_HOT_SPOT
    hot_customer = (customers["region"] == region) & (customers["product_line"] == line)
    count = customers["key"].size
    complains = rng.random(count) < np.where(
        hot_customer, HOT_SPOT_COMPLAINT_SHARE, COMPLAINT_SHARE
    )
    extra = rng.poisson(np.where(hot_customer, HOT_SPOT_EXTRA_COMPLAINTS, EXTRA_COMPLAINTS))
    parents, positions = group_positions(np.where(complains, 1 + extra, 0))
    hot = hot_customer[parents]
    since = np.maximum(customers["first_seen"], timeline.history_start)[parents]
    created = since + (rng.uniform(3, 200, parents.size) * DAY).astype(np.int64)
    response_hours = np.where(hot, HOT_SPOT_RESPONSE_MEDIAN_HOURS, RESPONSE_MEDIAN_HOURS)
    response_hours = response_hours * np.exp(0.9 * rng.standard_normal(parents.size))
    responded = created + np.maximum(60, (response_hours * HOUR).astype(np.int64))
    resolution_days = np.where(hot, HOT_SPOT_RESOLUTION_MEAN_DAYS, RESOLUTION_MEAN_DAYS)
    resolved = responded + (rng.gamma(2.0, resolution_days / 2.0) * DAY).astype(np.int64)
    complaints = {
        "external_id": external_ids("complaint", customers["key"][parents], positions),
        "customer": external_ids("cust", customers["key"][parents]),
        "kind": KIND_VALUES[_pick(rng, hot, COMPLAINT_KIND_SHARES, HOT_SPOT_COMPLAINT_KIND_SHARES)],
        "region": customers["region"][parents],
        "handled_by": customers["owner"][parents],
        "created_in_crm_at": created,
        "first_response_at": responded,
        "resolved_at": resolved,
        "satisfaction": 1 + _pick(rng, hot, SATISFACTION_SHARES, HOT_SPOT_SATISFACTION_SHARES),
    }
    surveyed = rng.random(parents.size) >= NO_SURVEY_SHARE
    return _known(complaints, surveyed, timeline)


def _pick(
    rng: np.random.Generator, hot: np.ndarray, usual: tuple[float, ...], hot_spot: tuple[float, ...]
) -> np.ndarray:
    normal = rng.choice(len(usual), size=hot.size, p=shares(usual))
    return np.where(hot, rng.choice(len(hot_spot), size=hot.size, p=shares(hot_spot)), normal)


def _known(complaints: Frame, surveyed: np.ndarray, timeline: Timeline) -> Frame:
    cutoff = timeline.cutoff
    resolved = complaints["resolved_at"] < cutoff
    complaints["first_response_at"] = np.where(
        complaints["first_response_at"] < cutoff, complaints["first_response_at"], NO_TIME
    )
    complaints["resolved_at"] = np.where(resolved, complaints["resolved_at"], NO_TIME)
    complaints["satisfaction"] = np.where(
        resolved & surveyed, complaints["satisfaction"], NO_NUMBER
    )
    return select(complaints, complaints["created_in_crm_at"] < cutoff)
