"""seed_demo_company: build or refresh the whole demo company in one transaction."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction
from django.utils import timezone

from salesopt.core.models import (
    Activity,
    Complaint,
    Customer,
    ImportedRecord,
    Lead,
    Opportunity,
    Order,
    Profile,
    SalesTarget,
)
from salesopt.core.periods import company_today
from salesopt.leads.grading import grade_leads

from . import tables
from .activities import activities_for
from .catalog import LEAD_COUNT_AT_SCALE_ONE, SOURCE
from .complaints import complaints_for
from .deals import (
    customers_from_leads,
    known_customers,
    known_opportunities,
    known_orders,
    legacy_customers,
    legacy_orders,
    orders_of_new_customers,
)
from .frames import row_count
from .leads import generate_leads, known_leads
from .organisation import DEMO_PASSWORD, ensure_organisation, ensure_program
from .people import Staff, plan_staff
from .stage_history import seed_stage_history
from .targets import RevenueTally, monthly_targets
from .timeline import Timeline
from .write import Lookups, check_foreign_keys_per_statement, upsert

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# Leads generated and written at a time: it bounds memory (the process peaks near 300 MB at
# scale 30) and makes the progress lines.
CHUNK_LEADS = 100_000
# Customers who bought before the history starts, per generated lead.
LEGACY_CUSTOMERS_PER_LEAD = 0.04
SMALLEST_SCALE, LARGEST_SCALE = 0.01, 100.0
COUNTED_MODELS: dict[str, type[Profile] | type[ImportedRecord]] = {
    "demo users": Profile,
    "customers": Customer,
    "leads": Lead,
    "opportunities": Opportunity,
    "orders": Order,
    "activities": Activity,
    "complaints": Complaint,
    "sales targets": SalesTarget,
}

# Independent random streams, so that one part changing does not reshuffle the others.
STAFF_STREAM, LEGACY_STREAM, CHUNK_STREAM, TARGET_STREAM = 0, 1, 2, 3


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str


@dataclass(frozen=True)
class SeedSummary:
    end_month: dt.date
    program: str
    counts: dict[str, int]
    seconds: float
    logins: tuple[DemoLogin, ...]


@dataclass(frozen=True)
class _Run:
    """What every step of one seeding run shares."""

    seed: int
    timeline: Timeline
    staff: Staff
    lookups: Lookups
    tally: RevenueTally
    say: Callable[[str], None]

    def rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])


@transaction.atomic
def seed_demo_company(
    *,
    scale: float = 1.0,
    seed: int = 1,
    end_month: dt.date | None = None,
    stdout: SupportsWrite[str] | None = None,
) -> SeedSummary:
    """Upsert the demo company (same scale, seed and end month → same rows); prints progress."""
    if not SMALLEST_SCALE <= scale <= LARGEST_SCALE:
        raise ValueError(f"scale must be between {SMALLEST_SCALE} and {LARGEST_SCALE}")
    started = time.monotonic()
    check_foreign_keys_per_statement()
    today = company_today()
    timeline = Timeline.ending(end_month or today, today)
    staff = plan_staff(np.random.default_rng([seed, STAFF_STREAM]), timeline)
    organisation = ensure_organisation(staff)
    tally = RevenueTally(staff.rep_count)
    run = _Run(seed, timeline, staff, organisation.lookups, tally, _reporter(stdout, started))
    run.say(
        f"{len(staff.people)} demo users; history {timeline.start:%Y-%m}…{timeline.end_month:%Y-%m}"
    )
    lead_total = round(LEAD_COUNT_AT_SCALE_ONE * scale)
    _seed_legacy_customers(run, round(lead_total * LEGACY_CUSTOMERS_PER_LEAD))
    _seed_leads(run, lead_total)
    # The CRM's grades become the grades in force, each lead with its deadline on the calendar.
    grade_leads("source = %s", [SOURCE])
    # Every demo deal's stages dated, for stage conversion and time in stage.
    seed_stage_history(source=SOURCE, now=timezone.now())
    targets = monthly_targets(run.rng(TARGET_STREAM), tally, staff, timeline)
    upsert(tables.TARGETS, targets, run.lookups)
    program = ensure_program(timeline, organisation)
    run.say(f"{row_count(targets)} monthly targets and the program {program.name!r} written")
    return SeedSummary(
        end_month=timeline.end_month,
        program=program.name,
        counts=_demo_row_counts(),
        seconds=time.monotonic() - started,
        logins=tuple(DemoLogin(p.username, p.role, DEMO_PASSWORD) for p in staff.people),
    )


def _seed_legacy_customers(run: _Run, count: int) -> None:
    rng = run.rng(LEGACY_STREAM)
    customers = legacy_customers(rng, run.timeline, run.staff, count)
    orders = legacy_orders(rng, customers, run.timeline)
    run.tally.add(orders, run.timeline)
    upsert(tables.CUSTOMERS, known_customers(customers, run.timeline), run.lookups)
    upsert(tables.ORDERS, known_orders(orders, run.timeline), run.lookups)
    upsert(tables.COMPLAINTS, complaints_for(rng, customers, run.timeline), run.lookups)
    run.say(f"{count:,} customers from before the history, with their orders")


def _seed_leads(run: _Run, total: int) -> None:
    """Generates `total` leads; the progress counts those known by today (the summary's count:
    leads the generator dates after today are left out)."""
    written = 0
    chunks = -(-total // CHUNK_LEADS)
    for chunk, first in enumerate(range(0, total, CHUNK_LEADS)):
        count = min(CHUNK_LEADS, total - first)
        written += _seed_chunk(run, run.rng(CHUNK_STREAM, chunk), first=first, count=count)
        run.say(
            f"part {chunk + 1} of {chunks}: {written:,} leads so far, with their activities, "
            "deals and orders"
        )


def _seed_chunk(run: _Run, rng: np.random.Generator, *, first: int, count: int) -> int:
    """One chunk of leads and everything hanging off them (the order follows foreign keys);
    returns how many leads were written."""
    timeline, lookups = run.timeline, run.lookups
    leads = generate_leads(rng, timeline, run.staff, count=count, first=first)
    customers = customers_from_leads(leads)
    orders = orders_of_new_customers(rng, customers)
    run.tally.add(orders, timeline)
    upsert(tables.CUSTOMERS, known_customers(customers, timeline), lookups)
    known = known_leads(leads, timeline)
    upsert(tables.LEADS, known, lookups)
    upsert(tables.OPPORTUNITIES, known_opportunities(leads, timeline), lookups)
    upsert(tables.ORDERS, known_orders(orders, timeline), lookups)
    upsert(tables.ACTIVITIES, activities_for(rng, leads, timeline), lookups)
    upsert(tables.COMPLAINTS, complaints_for(rng, customers, timeline), lookups)
    return row_count(known)


def _demo_row_counts() -> dict[str, int]:
    return {
        label: model._default_manager.filter(source=SOURCE).count()
        for label, model in COUNTED_MODELS.items()
    }


def _reporter(stdout: SupportsWrite[str] | None, started: float) -> Callable[[str], None]:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(f"[{time.monotonic() - started:6.1f} s] {text}\n")

    return say
