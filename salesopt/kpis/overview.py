"""The overview page's figures: this quarter's headline KPIs and revenue against target by
month, in the reader's scope, read through `kpi_series` like every other page (one definition
of each KPI everywhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from salesopt.core.periods import Quarter, add_months, share_gone

from .selectors import KpiPoint, kpi_series

if TYPE_CHECKING:
    from salesopt.core.access import AnyUser


@dataclass(frozen=True)
class HeadlineFigures:
    quarter: Quarter
    lead_count: int
    converted_count: int
    revenue: Decimal
    target: Decimal
    elapsed: float  # share of the quarter's days gone by (1.0 for a past quarter)

    @property
    def attainment(self) -> float | None:
        """Revenue ÷ target; None when there is no target (shown as "—", never 0%)."""
        return float(self.revenue / self.target) if self.target else None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted_count / self.lead_count if self.lead_count else None

    @property
    def behind_pace(self) -> bool:
        """Attainment clearly below the share of the quarter that has passed."""
        return self.attainment is not None and self.attainment < 0.9 * self.elapsed


@dataclass(frozen=True)
class MonthlyRevenue:
    month: dt.date
    revenue: Decimal
    target: Decimal | None


def _points(user: AnyUser, metric: str, grain: str, first: str, last: str) -> list[KpiPoint]:
    return kpi_series(user=user, metric=metric, grain=grain, period_from=first, period_to=last).rows


def _decimal(value: Decimal | float | None) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def headline_figures(*, user: AnyUser, quarter: Quarter) -> HeadlineFigures:
    """Leads, conversion, revenue and attainment of `quarter`, in the user's scope."""
    period = str(quarter)
    conversion = _points(user, "lead_conversion_rate", "quarter", period, period)
    revenue = _points(user, "revenue", "quarter", period, period)
    attainment = _points(user, "target_attainment", "quarter", period, period)
    return HeadlineFigures(
        quarter=quarter,
        lead_count=int(conversion[0].denominator or 0) if conversion else 0,
        converted_count=int(conversion[0].numerator or 0) if conversion else 0,
        revenue=_decimal(revenue[0].value) if revenue else Decimal(0),
        target=_decimal(attainment[0].denominator) if attainment else Decimal(0),
        elapsed=share_gone(quarter.start, quarter.end),
    )


def monthly_revenue(
    *, user: AnyUser, last_month: dt.date, months: int = 12
) -> list[MonthlyRevenue]:
    """Revenue and target per month for the `months` months ending with `last_month`."""
    first = add_months(last_month, -(months - 1))
    span = (f"{first:%Y-%m}", f"{last_month:%Y-%m}")
    revenue = {p.period_start: p.value for p in _points(user, "revenue", "month", *span)}
    targets = {
        p.period_start: p.denominator
        for p in _points(user, "target_attainment", "month", *span)
        if p.denominator
    }
    return [
        MonthlyRevenue(
            month=month,
            revenue=_decimal(revenue.get(month)),
            target=_decimal(targets[month]) if month in targets else None,
        )
        for month in (add_months(first, offset) for offset in range(months))
    ]
