"""Opportunities, customers and orders: won leads become customers, customers buy again.

Customers and orders are generated in full (future included) so that the targets can be set
from a whole month's revenue; `known_*` cut them at the cutoff for writing.
"""

from __future__ import annotations

import numpy as np

from .catalog import PRODUCT_LINES, column
from .frames import (
    Frame,
    concatenate,
    cumulative_within_groups,
    external_ids,
    group_positions,
    number_keys,
    select,
)
from .leads import (
    INDUSTRY_NAMES,
    SIZE_VALUES,
    assign_owners,
    company_names,
    deal_amounts,
    sample_companies,
)
from .people import Staff
from .timeline import DAY, NO_TIME, Timeline

NEW_CUSTOMER_REPEAT_SHARE = 0.33
LEGACY_CUSTOMER_REPEAT_SHARE = 0.80
REPEAT_GAP_MEAN_DAYS = 110.0
MOST_REPEAT_ORDERS = 6
# Repeat orders are add-ons and renewals, smaller than the first deal.
REPEAT_AMOUNT_FACTOR = 0.45
REFUND_SHARE = 0.02
# Stage of an open deal by how far it has come from opening to its planned close.
OPEN_STAGES = np.array(["qualification", "needs_analysis", "proposal", "negotiation"], dtype=object)
STAGE_PROBABILITY = {
    "qualification": 10,
    "needs_analysis": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
}
LINE_NAMES = column(tuple(line.name for line in PRODUCT_LINES))


def known_opportunities(leads: Frame, timeline: Timeline) -> Frame:
    """One opportunity per qualified lead, as the CRM shows it at the cutoff."""
    rows = select(leads, leads["opened"] < timeline.cutoff)
    closed = rows["closed"] < timeline.cutoff
    progress = (timeline.cutoff - rows["opened"]) / np.maximum(rows["closed"] - rows["opened"], 1)
    open_stage = OPEN_STAGES[np.minimum((progress * 4).astype(np.int64), 3)]
    stage = np.where(closed, np.where(rows["won"], "won", "lost"), open_stage).astype(object)
    keys = number_keys(rows["number"])
    return {
        "external_id": external_ids("opp", keys),
        "name": rows["company_name"] + "-" + LINE_NAMES[rows["product_line"]] + "项目",
        "lead": external_ids("lead", keys),
        # numpy's stubs take no None for an operand; numpy makes an object array of it.
        "customer": np.where(closed & rows["won"], external_ids("cust", keys), None),  # type: ignore[call-overload]
        "owner": rows["owner"],
        "region": rows["region"],
        "product_line": rows["product_line"],
        "stage": stage,
        "amount": rows["amount"],
        "probability": np.array([STAGE_PROBABILITY[name] for name in stage], dtype=np.int64),
        "created_in_crm_at": rows["opened"],
        "expected_close": timeline.dates(rows["planned_close"]),
        "closed_at": np.where(closed, rows["closed"], NO_TIME),
    }


def customers_from_leads(leads: Frame) -> Frame:
    """Every won lead becomes a customer on the day it was won (future ones included)."""
    rows = select(leads, leads["won"])
    keys = number_keys(rows["number"])
    return {
        "key": keys,
        "name": rows["company_name"],
        "industry": rows["industry"],
        "size": rows["size"],
        "region": rows["region"],
        "product_line": rows["product_line"],
        "owner": rows["owner"],
        "first_seen": rows["closed"],
        "first_amount": rows["amount"],
        "opportunity": external_ids("opp", keys),
    }


def legacy_customers(
    rng: np.random.Generator, timeline: Timeline, staff: Staff, count: int
) -> Frame:
    """Customers won before the history starts, who keep buying during it."""
    customers = sample_companies(rng, count)
    customers["created"] = np.full(count, timeline.history_start)
    customers["forced_owner"] = np.full(count, -1)
    first_seen = timeline.history_start - (rng.uniform(60, 900, count) * DAY).astype(np.int64)
    return {
        "key": np.array([f"legacy-{n:06d}" for n in range(count)], dtype=object),
        "name": company_names(rng, customers["region"], customers["industry"]),
        "industry": customers["industry"],
        "size": customers["size"],
        "region": customers["region"],
        "product_line": customers["product_line"],
        "owner": assign_owners(rng, customers, staff, timeline),
        "first_seen": first_seen,
        "first_amount": np.zeros(count, dtype=np.int64),
        "opportunity": np.full(count, None, dtype=object),
    }


def orders_of_new_customers(rng: np.random.Generator, customers: Frame) -> Frame:
    """The first order of each won deal, a few refunds of it, and the repeat orders after it."""
    first = _orders(customers, np.arange(customers["key"].size))
    first["external_id"] = external_ids("order", customers["key"], np.zeros_like(first["time"]))
    first["amount"] = customers["first_amount"]
    first["time"] = customers["first_seen"]
    refunded = np.flatnonzero(rng.random(customers["key"].size) < REFUND_SHARE)
    refunds = select(first, refunded)
    refunds["external_id"] = external_ids(
        "order", customers["key"][refunded], np.full(refunded.size, "r")
    )
    refunds["amount"] = -np.round(
        refunds["amount"] * rng.uniform(0.2, 1.0, refunded.size), -2
    ).astype(np.int64)
    refunds["time"] = refunds["time"] + (rng.uniform(7, 45, refunded.size) * DAY).astype(np.int64)
    repeats = repeat_orders(rng, customers, customers["first_seen"], NEW_CUSTOMER_REPEAT_SHARE)
    return concatenate([first, refunds, repeats])


def repeat_orders(
    rng: np.random.Generator, customers: Frame, anchor: np.ndarray, repeat_share: float
) -> Frame:
    """A renewal process: some customers order again every ~110 days, a few times."""
    count = customers["key"].size
    repeaters = rng.random(count) < repeat_share
    repeats = np.where(repeaters, np.minimum(rng.geometric(0.5, count), MOST_REPEAT_ORDERS), 0)
    parents, positions = group_positions(repeats)
    gaps = rng.gamma(3.0, REPEAT_GAP_MEAN_DAYS / 3.0, parents.size) * DAY
    orders = _orders(customers, parents)
    orders["external_id"] = external_ids("order", customers["key"][parents], positions + 1)
    orders["opportunity"] = np.full(parents.size, None, dtype=object)
    orders["amount"] = deal_amounts(
        rng, customers["size"][parents], customers["product_line"][parents], REPEAT_AMOUNT_FACTOR
    )
    orders["time"] = anchor[parents] + cumulative_within_groups(gaps, repeats).astype(np.int64)
    return orders


def _orders(customers: Frame, rows: np.ndarray) -> Frame:
    return {
        "external_id": np.empty(rows.size, dtype=object),
        "customer": external_ids("cust", customers["key"][rows]),
        "opportunity": customers["opportunity"][rows],
        "rep": customers["owner"][rows],
        "region": customers["region"][rows],
        "product_line": customers["product_line"][rows],
        "amount": np.zeros(rows.size, dtype=np.int64),
        "time": np.zeros(rows.size, dtype=np.int64),
    }


def legacy_orders(rng: np.random.Generator, customers: Frame, timeline: Timeline) -> Frame:
    """Legacy customers' orders inside the history (their first orders predate it)."""
    last_order = timeline.history_start - (rng.uniform(0, 150, customers["key"].size) * DAY)
    orders = repeat_orders(
        rng, customers, last_order.astype(np.int64), LEGACY_CUSTOMER_REPEAT_SHARE
    )
    return select(orders, orders["time"] >= timeline.history_start)


def known_customers(customers: Frame, timeline: Timeline) -> Frame:
    rows = select(customers, customers["first_seen"] < timeline.cutoff)
    return {
        "external_id": external_ids("cust", rows["key"]),
        "name": rows["name"],
        "industry": INDUSTRY_NAMES[rows["industry"]],
        "company_size": SIZE_VALUES[rows["size"]],
        "region": rows["region"],
        "owner": rows["owner"],
        "first_seen_at": rows["first_seen"],
    }


def known_orders(orders: Frame, timeline: Timeline) -> Frame:
    rows = select(orders, orders["time"] < timeline.cutoff)
    rows["ordered_on"] = timeline.dates(rows.pop("time"))
    return rows
