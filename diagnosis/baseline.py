"""Baseline KPI reads for the dashboard and the finding rules, all through `kpi_series`.

Every read is made as a user (`Filters.reader`), so the KPI reader applies that user's scope
(salesopt.core.access): a sales manager reads the company, a team lead their team only.

Filters (region, product line, team) narrow a read by adding their dimension to the cut when
the KPI stores that cut within the reader's scope; when it does not, the read drops the filters
and says so (`filtered` is False), so a chart never pretends to be narrowed. A cut the reader's
scope cannot answer at all (a team lead asking for attainment by region, which is stored
company-wide only) gives no rows and `available` False.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from salesopt.kpis.catalog import METRICS, Dimension, Rollup, canonical_cut
from salesopt.kpis.periods import month_starts
from salesopt.kpis.selectors import KpiPoint, KpiQueryError, KpiSeries, kpi_series


@dataclass(frozen=True)
class Filters:
    """A baseline read: the range, the reader whose scope applies, and the chosen filters."""

    period_from: dt.date
    period_to: dt.date
    reader: Any
    region: str = ""
    product_line: str = ""
    team: str = ""

    def dimensions(self) -> dict[str, str]:
        chosen = {
            Dimension.REGION.value: self.region,
            Dimension.PRODUCT_LINE.value: self.product_line,
            Dimension.TEAM.value: self.team,
        }
        return {name: value for name, value in chosen.items() if value}

    def unfiltered(self) -> Filters:
        return Filters(self.period_from, self.period_to, self.reader)


@dataclass(frozen=True)
class Read:
    """The rows of one read, keyed by the requested `by` dimensions only."""

    rows: list[KpiPoint]
    by: tuple[str, ...]
    filtered: bool
    available: bool = True

    def key(self, point: KpiPoint) -> tuple[str, ...]:
        return tuple(point.dims[name] for name in self.by)


@dataclass
class Total:
    """A segment over the whole range: summed parts and the monthly values."""

    numerator: float = 0.0
    denominator: float = 0.0
    values: list[float] = field(default_factory=list)

    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def median(self) -> float | None:
        """The typical month's median (a median cannot be rebuilt from monthly medians)."""
        return statistics.median(self.values) if self.values else None


def read(metric: str, *, by: Sequence[str] = (), filters: Filters, grain: str = "month") -> Read:
    """One kpi_series call, narrowed by the filters the KPI's stored cuts allow."""
    wanted = filters.dimensions()
    extra = {name: value for name, value in wanted.items() if name not in by}
    series = _series(metric, (*by, *extra), filters, grain) if extra else None
    filtered = series is not None or not extra
    if series is None:
        series = _series(metric, tuple(by), filters, grain)
        extra = {}
    if series is None:
        return Read([], tuple(by), filtered=True, available=False)
    inside = {name: value for name, value in wanted.items() if name in by}
    rows = [
        point
        for point in series.rows
        if all(point.dims.get(name) == value for name, value in {**extra, **inside}.items())
    ]
    return Read(rows, tuple(by), filtered)


def _series(metric: str, names: Sequence[str], filters: Filters, grain: str) -> KpiSeries | None:
    """The series by `names`, or None when that cut is not stored within the reader's scope."""
    cut = canonical_cut(tuple(Dimension(name) for name in names))
    if not METRICS[metric].stores(cut):
        return None
    try:
        return kpi_series(
            user=filters.reader,
            metric=metric,
            grain=grain,
            by=[dimension.value for dimension in cut],
            period_from=filters.period_from,
            period_to=filters.period_to,
        )
    except KpiQueryError:
        # Stored company-wide but not per team or per rep (medians, attainment): a scoped
        # reader cannot read it. Range errors cannot happen: the window was validated.
        return None


def totals(found: Read) -> dict[tuple[str, ...], Total]:
    """Per `by` key: summed numerators and denominators, and the monthly values."""
    summed: dict[tuple[str, ...], Total] = {}
    for point in found.rows:
        total = summed.setdefault(found.key(point), Total())
        total.numerator += float(point.numerator or 0)
        total.denominator += float(point.denominator or 0)
        if point.value is not None:
            total.values.append(point.value)
    return summed


def figure(metric: str, total: Total | None) -> float | None:
    """The segment's figure over the range: a ratio of sums, a sum, or the typical median."""
    if total is None:
        return None
    rollup = METRICS[metric].rollup
    if rollup == Rollup.TOTAL:
        return total.numerator
    if rollup == Rollup.MEDIAN:
        return total.median()
    # DISTINCT parts summed over months count a customer once per month they appear in: the
    # rate per customer-month, which is what a month-by-month reading compares.
    return total.ratio()


def figures(metric: str, found: Read) -> dict[tuple[str, ...], float | None]:
    return {key: figure(metric, total) for key, total in totals(found).items()}


def months(filters: Filters) -> list[dt.date]:
    """The months the range covers (its last day's month included)."""
    return month_starts(filters.period_from, filters.period_to + dt.timedelta(days=1))
