"""KPI test helpers: company-zone times, a recompute, and reading one stored figure.

Every expected number in these tests is worked out by hand from the rows the test creates;
the helpers only shorten the set-up and the look-up.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from salesopt.core.models import LeadStatus
from salesopt.kpis.compute import RecomputeResult
from salesopt.kpis.models import KpiSnapshot
from salesopt.kpis.services import kpis_recompute
from tests.factories import (
    ComplaintFactory,
    CustomerFactory,
    LeadFactory,
    OrderFactory,
    ProductLineFactory,
    RegionFactory,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A time in the company's zone (Asia/Shanghai, UTC+8)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def hours_later(start: dt.datetime, hours: float) -> dt.datetime:
    return start + dt.timedelta(hours=hours)


def recompute(first: str = "2026-01", last: str = "2026-12") -> RecomputeResult:
    return kpis_recompute(period_from=first, period_to=last)


def figure(
    metric: str,
    grain: str,
    period: dt.date,
    *,
    region: int = 0,
    product_line: int = 0,
    team: int = 0,
    rep: int = 0,
    grade: str = "",
) -> tuple[float | None, Decimal | None, Decimal | None] | None:
    """(value, numerator, denominator) of one stored figure, or None when there is no row."""
    row = (
        KpiSnapshot.objects.filter(
            metric=metric,
            grain=grain,
            period_start=period,
            region_id=region,
            product_line_id=product_line,
            team_id=team,
            rep_id=rep,
            grade=grade,
        )
        .values_list("value", "numerator", "denominator")
        .first()
    )
    return None if row is None else (row[0], row[1], row[2])


def value_of(metric: str, grain: str, period: dt.date, **dimensions: int | str) -> float | None:
    found = figure(metric, grain, period, **dimensions)  # type: ignore[arg-type]
    assert found is not None, f"no {metric} {grain} {period} {dimensions}"
    return found[0]


@pytest.fixture
def lock(db):
    return ProductLineFactory(name="智能门锁", code="smart-lock")


@pytest.fixture
def cloud(db):
    return ProductLineFactory(name="云服务", code="cloud")


@pytest.fixture
def north(db):
    return RegionFactory(name="华北", code="north")


def lead(owner, region, line, grade, created, *, response_hours=None, **fields):
    answered = None if response_hours is None else hours_later(created, response_hours)
    return LeadFactory(
        owner=owner,
        region=region,
        product_line=line,
        grade=grade,
        created_in_crm_at=created,
        first_response_at=answered,
        **fields,
    )


@pytest.fixture
def leads(frozen_today, rep, other_rep, east_rep, south, east, lock, cloud):
    """October: 5 leads; November: 4; March: 1. Response hours in brackets.

    Due times count working hours on the default calendar: Monday–Friday 09:00–18:00 in
    Shanghai, without China's holidays (National Day 2026: Oct 1–7 off, Oct 10 worked).

    Oct  L1 rep/south/lock/A  [2] converted; created 2026-09-30 18:00 UTC = Oct 1 02:00 in
         Shanghai (an October lead, on a holiday: due Oct 8 11:00): on time
         L2 rep/south/lock/A  Mon Oct 12 10:00, due 12:00 [3 → 13:00, late]
         L3 other_rep/south/cloud/B Oct 3 (holiday) [30, on time: due Oct 10 15:00] won
         L4 east_rep/east/lock/C [never; due Oct 20 long ago: breach]
         L5 east_rep/east/cloud/ungraded [5]
    Nov  N1 east_rep/east/lock/ungraded [10]
         N2 rep/south/lock/B created Fri Nov 13 08:00, unanswered, due Tue 15:00: no breach
         N3 rep/south/lock/A created Fri Nov 13 17:00, unanswered, due Mon 10:00: no breach
         N4 rep/south/lock/A created Fri Nov 13 15:00, unanswered, due 17:00 < now: breach
    Mar  M1 rep/south/lock/C [1] converted
    """
    converted = LeadStatus.CONVERTED
    utc_oct_1 = dt.datetime(2026, 9, 30, 18, 0, tzinfo=dt.UTC)
    lead(rep, south, lock, "A", utc_oct_1, response_hours=2, status=converted)
    lead(rep, south, lock, "A", local(2026, 10, 12, 10), response_hours=3)
    lead(
        other_rep,
        south,
        cloud,
        "B",
        local(2026, 10, 3),
        response_hours=30,
        won_at=local(2026, 10, 13, 21),
    )
    lead(east_rep, east, lock, "C", local(2026, 10, 4))
    lead(east_rep, east, cloud, "", local(2026, 10, 5), response_hours=5)
    lead(east_rep, east, lock, "", local(2026, 11, 2, 10), response_hours=10)
    lead(rep, south, lock, "B", local(2026, 11, 13, 8))
    lead(rep, south, lock, "A", local(2026, 11, 13, 17))
    lead(rep, south, lock, "A", local(2026, 11, 13, 15))
    lead(rep, south, lock, "C", local(2026, 3, 10), response_hours=1, status=converted)
    recompute()


@pytest.fixture
def orders(frozen_today, rep, other_rep, east_rep, south, east, lock, cloud):
    """c1 buys twice in October, c2 once plus a refund, c3 in September and November.

    Oct  1000 + 500 (c1, rep, south/lock) + 2000 − 300 (c2, other_rep, south/cloud) = 3200,
         3 orders (the refund is not an order); repurchase: c1 of {c1, c2} → 1/2
    Nov  1500 (c3, east_rep, east/lock)        Sep  700 (c3, east_rep, east/lock)
    """
    c1, c2, c3 = CustomerFactory(), CustomerFactory(), CustomerFactory()
    south_lock = {"region": south, "product_line": lock}
    OrderFactory(
        customer=c1,
        rep=rep,
        **south_lock,
        amount=Decimal("1000.00"),
        ordered_on=dt.date(2026, 10, 5),
    )
    OrderFactory(
        customer=c1,
        rep=rep,
        **south_lock,
        amount=Decimal("500.00"),
        ordered_on=dt.date(2026, 10, 20),
    )
    south_cloud = {"region": south, "product_line": cloud}
    OrderFactory(
        customer=c2,
        rep=other_rep,
        **south_cloud,
        amount=Decimal("2000.00"),
        ordered_on=dt.date(2026, 10, 7),
    )
    OrderFactory(
        customer=c2,
        rep=other_rep,
        **south_cloud,
        amount=Decimal("-300.00"),
        ordered_on=dt.date(2026, 10, 25),
    )
    east_lock = {"region": east, "product_line": lock}
    OrderFactory(
        customer=c3,
        rep=east_rep,
        **east_lock,
        amount=Decimal("1500.00"),
        ordered_on=dt.date(2026, 11, 3),
    )
    OrderFactory(
        customer=c3,
        rep=east_rep,
        **east_lock,
        amount=Decimal("700.00"),
        ordered_on=dt.date(2026, 9, 10),
    )
    return c1, c2, c3


@pytest.fixture
def complaints(orders, rep, other_rep, east_rep, south, east):
    """Oct: K1 (c1, south, rep, 4 h, score 2), K2 (c2, south, other_rep, 1 h, score 4),
    K3 (c3, east, east_rep, never answered, no score). Customers with an October order: c1, c2.
    """
    c1, c2, c3 = orders
    created = local(2026, 10, 8, 10)
    ComplaintFactory(
        customer=c1,
        region=south,
        handled_by=rep,
        created_in_crm_at=created,
        first_response_at=hours_later(created, 4),
        satisfaction=2,
    )
    created = local(2026, 10, 9, 10)
    ComplaintFactory(
        customer=c2,
        region=south,
        handled_by=other_rep,
        created_in_crm_at=created,
        first_response_at=hours_later(created, 1),
        satisfaction=4,
    )
    ComplaintFactory(
        customer=c3, region=east, handled_by=east_rep, created_in_crm_at=local(2026, 10, 12, 10)
    )
    recompute()
