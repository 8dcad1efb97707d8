"""Reads for the home dashboard: a few headline figures of the user's scope, from the database.

These are the foundation's figures only; the KPI engine (salesopt.kpis) takes over the
definitions of SPEC.md and this module will read from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from . import access
from .models import Program, Role, SalesTarget, TargetGrain
from .periods import Quarter, add_months, company_today, start_of_day

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class HeadlineFigures:
    quarter: Quarter
    lead_count: int
    converted_count: int
    revenue: Decimal
    target: Decimal
    elapsed: float  # share of the quarter's days gone by (1.0 for a past quarter)

    @property
    def behind_pace(self) -> bool:
        """Attainment clearly below the share of the quarter that has passed."""
        return self.attainment is not None and self.attainment < 0.9 * self.elapsed

    @property
    def attainment(self) -> float | None:
        """Revenue ÷ target; None when there is no target (shown as "—", never 0%)."""
        return float(self.revenue / self.target) if self.target else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted_count / self.lead_count if self.lead_count else None


@dataclass(frozen=True)
class MonthlyRevenue:
    month: dt.date
    revenue: Decimal
    target: Decimal | None


def _own_targets(user: AbstractBaseUser) -> QuerySet[SalesTarget]:
    """The targets whose scope is the user's own: the company, their team, or themselves."""
    role = access.role_of(user)
    monthly = access.visible_targets(user).filter(grain=TargetGrain.MONTH)
    if role == Role.TEAM_LEAD:
        return monthly.filter(team=access.team_of(user), rep__isnull=True)
    if role == Role.SALES_REP:
        return monthly.filter(rep=user)
    return monthly.filter(
        region__isnull=True, product_line__isnull=True, team__isnull=True, rep__isnull=True
    )


def headline_figures(*, user: AbstractBaseUser, quarter: Quarter) -> HeadlineFigures:
    """Leads, conversion, revenue and attainment of `quarter`, in the user's scope."""
    created_from, created_to = start_of_day(quarter.start), start_of_day(quarter.end)
    leads = access.visible_leads(user).filter(
        created_in_crm_at__gte=created_from, created_in_crm_at__lt=created_to
    )
    lead_totals = leads.aggregate(
        total=Count("id"),
        converted=Count("id", filter=Q(status="converted") | Q(won_at__isnull=False)),
    )
    revenue = (
        access.visible_orders(user)
        .filter(ordered_on__gte=quarter.start, ordered_on__lt=quarter.end)
        .aggregate(total=Sum("amount"))["total"]
    )
    target = (
        _own_targets(user)
        .filter(period_start__gte=quarter.start, period_start__lt=quarter.end)
        .aggregate(total=Sum("amount"))["total"]
    )
    return HeadlineFigures(
        quarter=quarter,
        lead_count=lead_totals["total"],
        converted_count=lead_totals["converted"],
        revenue=Decimal(revenue or 0),
        target=Decimal(target or 0),
        elapsed=_elapsed_share(quarter),
    )


def _elapsed_share(quarter: Quarter) -> float:
    today = company_today()
    days = (quarter.end - quarter.start).days
    return min(1.0, max(0.0, ((today - quarter.start).days + 1) / days))


def monthly_revenue(
    *, user: AbstractBaseUser, last_month: dt.date, months: int = 12
) -> list[MonthlyRevenue]:
    """Revenue and target per month for the `months` months ending with `last_month`."""
    first = add_months(last_month, -(months - 1))
    end = add_months(last_month, 1)
    revenue_by_month = dict(
        access.visible_orders(user)
        .filter(ordered_on__gte=first, ordered_on__lt=end)
        .annotate(month=TruncMonth("ordered_on"))
        .values_list("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    target_by_month = dict(
        _own_targets(user)
        .filter(period_start__gte=first, period_start__lt=end)
        .values_list("period_start")
        .annotate(total=Sum("amount"))
        .values_list("period_start", "total")
    )
    return [
        MonthlyRevenue(
            month=month,
            revenue=Decimal(revenue_by_month.get(month) or 0),
            target=target_by_month.get(month),
        )
        for month in (add_months(first, offset) for offset in range(months))
    ]


def programs_for_switcher(*, user: AbstractBaseUser) -> QuerySet[Program]:
    return access.visible_programs(user).only("id", "name", "status")
