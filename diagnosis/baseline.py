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
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.periods import Quarter, add_months, share_gone
from salesopt.kpis.catalog import METRICS, Dimension, Rollup, canonical_cut
from salesopt.kpis.periods import month_starts
from salesopt.kpis.selectors import KpiPoint, KpiQueryError, KpiSeries, kpi_series, kpi_window


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

    def without(self, *names: str) -> Filters:
        """The same read with the named filters (region, product_line, team) left out."""
        kept = {name: value for name, value in self.dimensions().items() if name not in names}
        return Filters(self.period_from, self.period_to, self.reader, **kept)


class Unapplied(StrEnum):
    """Why a filter was left out of a read."""

    NOT_KEPT = "not_kept"  # the KPI is not kept by that cut (medians by team × grade, say)
    NO_TARGET = "no_target"  # no target is set by that cut (targets by region × product line)


# The grain of a read over the whole range as one period (kpi_window).
WINDOW = "window"


@dataclass(frozen=True)
class Read:
    """The rows of one read, keyed by the requested `by` dimensions only, and the filters the
    stored cuts did not let it apply (the chart says which, and why)."""

    rows: list[KpiPoint]
    by: tuple[str, ...]
    grain: str = "month"
    unapplied: tuple[str, ...] = ()
    why: Unapplied = Unapplied.NOT_KEPT
    available: bool = True

    @property
    def filtered(self) -> bool:
        return not self.unapplied

    def key(self, point: KpiPoint) -> tuple[str, ...]:
        return tuple(point.dims[name] for name in self.by)


@dataclass
class Total:
    """A segment over the whole range: its parts summed over the read's periods, and the value
    of a window read (its one period)."""

    numerator: float = 0.0
    denominator: float = 0.0
    value: float | None = None

    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def read(metric: str, *, by: Sequence[str] = (), filters: Filters, grain: str = "month") -> Read:
    """One KPI read (kpi_series by month or quarter, kpi_window for grain "window"), narrowed
    by as many of the filters as the stored cuts allow.

    Filters on a `by` dimension only pick rows; the others add their dimension to the cut. When
    the cut with all of them is not kept, the largest subset that is kept applies, and the rest
    are named in `unapplied`.
    """
    wanted = filters.dimensions()
    extra = [name for name in wanted if name not in by]
    # A team filter on a read by rep keeps that team's reps, as a team lead reads them.
    reps_of_team = wanted.get("team") if "rep" in by and "team" in extra else None
    if reps_of_team is not None:
        extra.remove("team")
    for applied in _subsets_largest_first(extra):
        series = _series(metric, (*by, *applied), filters, grain, reps_of_team)
        if series is not None:
            break
    else:
        return Read([], tuple(by), grain, available=False)
    chosen = {name: value for name, value in wanted.items() if name in by or name in applied}
    rows = [
        _paced(metric, grain, point)
        for point in series.rows
        if all(point.dims.get(name) == value for name, value in chosen.items())
    ]
    return Read(rows, tuple(by), grain, tuple(name for name in extra if name not in applied))


def _subsets_largest_first(names: Sequence[str]) -> list[tuple[str, ...]]:
    return [
        subset
        for size in range(len(names), -1, -1)
        for subset in itertools.combinations(names, size)
    ]


def running_share(month: dt.date) -> float:
    """How much of the month has gone by today: 1 for a past month, 0 for a future one."""
    return share_gone(month, add_months(month, 1))


def _paced(metric: str, grain: str, point: KpiPoint) -> KpiPoint:
    """A running month's attainment is judged against the share of its target already due.

    The month's revenue so far against its whole target would read as a miss every time; the
    overview judges the running quarter the same way. Every later sum (a quarter, the window,
    a finding) adds these paced targets, so the chart, its reading and the findings agree.
    """
    if metric != "target_attainment" or grain != "month" or point.denominator is None:
        # A window read of attainment would sum whole targets: the diagnosis sums paced months.
        return point
    share = running_share(point.period_start)
    if share == 1.0:
        return point
    due = point.denominator * Decimal(str(round(share, 6)))
    value = float(point.numerator or 0) / float(due) if due else None
    return replace(point, denominator=due, value=value)


@dataclass(frozen=True)
class QuarterPart:
    """A quarter's months inside the range: summed, and how many of its three there are."""

    key: tuple[str, ...]
    quarter: str
    numerator: float
    denominator: float
    months: int

    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def label(self) -> str:
        """`2025-Q4`, or `2025-Q4 (2 of 3 months)` when the range holds only part of it."""
        if self.months == 3:
            return self.quarter
        return _("%(quarter)s (%(months)s of 3 months)") % {
            "quarter": self.quarter,
            "months": self.months,
        }


def by_quarter(found: Read) -> list[QuarterPart]:
    """Monthly ratio parts summed per quarter, only over the months the read holds.

    A quarter read straight from the snapshots would add the months outside the window (and a
    running quarter's months still to come).
    """
    parts: dict[tuple[tuple[str, ...], str], list[float]] = {}
    for point in found.rows:
        quarter = str(Quarter.containing(point.period_start))
        summed = parts.setdefault((found.key(point), quarter), [0.0, 0.0, 0])
        summed[0] += float(point.numerator or 0)
        summed[1] += float(point.denominator or 0)
        summed[2] += 1
    return [
        QuarterPart(key, quarter, numerator, denominator, int(count))
        for (key, quarter), (numerator, denominator, count) in parts.items()
    ]


def _series(
    metric: str, names: Sequence[str], filters: Filters, grain: str, reps_of_team: str | None
) -> KpiSeries | None:
    """The series by `names`, or None when that cut is not stored within the reader's scope."""
    cut = canonical_cut(tuple(Dimension(name) for name in names))
    if not METRICS[metric].stores(cut):
        return None
    reader = kpi_window if grain == WINDOW else partial(kpi_series, grain=grain)
    try:
        return reader(
            user=filters.reader,
            metric=metric,
            by=[dimension.value for dimension in cut],
            period_from=filters.period_from,
            period_to=filters.period_to,
            reps_of_team=reps_of_team,
        )
    except KpiQueryError:
        # Stored company-wide but not per team or per rep (medians, attainment): a scoped
        # reader cannot read it. Range errors cannot happen: the window was validated.
        return None


def totals(found: Read) -> dict[tuple[str, ...], Total]:
    """Per `by` key: numerators and denominators summed over the read's periods (a window read
    has one), and the window's value."""
    summed: dict[tuple[str, ...], Total] = {}
    for point in found.rows:
        total = summed.setdefault(found.key(point), Total())
        total.numerator += float(point.numerator or 0)
        total.denominator += float(point.denominator or 0)
        if found.grain == WINDOW:
            total.value = point.value
    return summed


def figure(metric: str, total: Total | None) -> float | None:
    """The segment's figure over the range: a sum, a ratio of sums, or a window's median or
    distinct ratio (which cannot be rebuilt from months: read them with grain "window")."""
    if total is None:
        return None
    rollup = METRICS[metric].rollup
    if rollup == Rollup.TOTAL:
        return total.numerator
    if rollup == Rollup.RATIO:
        return total.ratio()
    return total.value


def figures(metric: str, found: Read) -> dict[tuple[str, ...], float | None]:
    if not METRICS[metric].rollup.is_additive and found.grain != WINDOW:
        raise ValueError(f"{metric} over a range is a window read: read(…, grain='window')")
    return {key: figure(metric, total) for key, total in totals(found).items()}


def range_grain(metric: str) -> str:
    """How to read a KPI for one figure over the range: its months summed (and the running
    month paced) when they add up, else the window itself."""
    return "month" if METRICS[metric].rollup.is_additive else WINDOW


def window_figure(metric: str, filters: Filters) -> float | None:
    """The company-wide (or filtered) figure of any KPI over the range."""
    found = read(metric, filters=filters, grain=range_grain(metric))
    return figure(metric, totals(found).get(()))


def months(filters: Filters) -> list[dt.date]:
    """The months the range covers (its last day's month included)."""
    return month_starts(filters.period_from, filters.period_to + dt.timedelta(days=1))
