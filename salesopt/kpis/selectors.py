"""The one KPI reader: `kpi_series` (by month, quarter or year) and `kpi_window` (over a run of
whole months), for every page, export, the API and the command.

It reads stored figures only (a handful of indexed rows), never the CRM tables (a window read
for the first time is computed first, then read the same way), and applies row access the same
way salesopt.core.access does:

- admins, sales managers and executives read any stored cut;
- a team lead reads within their own team: `by=rep` gives their team's reps, `by=team` their
  team alone, no `by` their team's total, and any other `by` (region, grade, …) the stored
  team × that-dimension cut filtered to their team;
- a rep reads their own figures the same way (`by=rep` or no `by`: themselves; `by=grade`:
  rep × grade); `by=team` is refused (a team total includes colleagues' rows);
- a user without a role (or a team lead without a team) reads nothing.

A cut that is not stored for a KPI (see catalog.Metric.cuts) is an error naming the ones that
are, not an empty series. Periods without a stored row in the range (nothing happened) are
filled in: 0 for totals, no value ("—") for ratios and medians.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from salesopt.core import access
from salesopt.core.models import ProductLine, Region, Team
from salesopt.core.periods import add_months, company_today

from .catalog import (
    METRICS,
    Cut,
    Dimension,
    Grain,
    Metric,
    PeriodGrain,
    Rollup,
    Window,
    canonical_cut,
    cut_label,
)
from .compute.windows import ensure_window
from .models import DIMENSION_COLUMNS, KpiSnapshot, KpiWindowFigure
from .periods import ParsedPeriod, parse_period, period_end, period_label, period_start
from .presentation import number

if TYPE_CHECKING:
    from salesopt.core.access import AnyUser


class KpiQueryError(ValueError):
    """A request the catalog cannot answer: unknown metric, grain, cut or period."""


class KpiAccessError(KpiQueryError):
    """A cut outside the reader's scope (a rep asking for their team's total)."""


@dataclass(frozen=True)
class KpiPoint:
    period_start: dt.date
    period: str
    dims: dict[str, str]
    value: float | None
    numerator: Decimal | None
    denominator: Decimal | None

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "dims": self.dims,
            "value": self.value,
            "numerator": number(self.numerator),
            "denominator": number(self.denominator),
        }


@dataclass(frozen=True)
class KpiSeries:
    metric: Metric
    grain: PeriodGrain
    by: Cut
    rows: list[KpiPoint] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric.key,
            "grain": self.grain.value,
            "by": [dimension.value for dimension in self.by],
            "rows": [row.as_json() for row in self.rows],
        }


@dataclass(frozen=True)
class _ReadPlan:
    """Which stored cut answers the request, the scope filter on it, the dimensions shown."""

    cut: Cut
    scope: Q
    shown: Cut


def kpi_series(
    *,
    user: AnyUser,
    metric: str,
    grain: str = Grain.MONTH.value,
    by: str | Sequence[str] | None = None,
    period_from: str | dt.date | None = None,
    period_to: str | dt.date | None = None,
    reps_of_team: str | None = None,
) -> KpiSeries:
    """One KPI per period (and per value of the `by` dimensions) within the user's scope.

    `reps_of_team` (a team's name) keeps a by=rep read to that team's current members, as a
    team lead reads it: the rep cut is not stored per team, and a rep belongs to one team.
    """
    definition, grain_value, cut = _parse_request(metric, grain, by)
    first, end = _parse_range(grain_value, period_from, period_to)
    plan = _read_plan(user, definition, cut, reps_of_team)
    if plan is None:
        return KpiSeries(definition, grain_value, cut)
    rows = _points(definition, grain_value, cut, _fetch(definition, grain_value, plan, first, end))
    return KpiSeries(
        definition, grain_value, cut, _filled(definition, grain_value, cut, rows, first, end)
    )


def kpi_window(
    *,
    user: AnyUser,
    metric: str,
    period_from: str | dt.date,
    period_to: str | dt.date,
    by: str | Sequence[str] | None = None,
    reps_of_team: str | None = None,
) -> KpiSeries:
    """One KPI over the whole months holding `period_from` … `period_to`: one row per value of
    the `by` dimensions, in the user's scope, like `kpi_series`.

    Additive KPIs are their months summed (a ratio of summed parts); medians and distinct
    counts are computed from the window's own rows (compute/windows.py), never rebuilt from
    months. A range not read before is computed on this first read.
    """
    definition, _grain, cut = _parse_request(metric, Grain.MONTH.value, by)
    first, end = _parse_range(Grain.MONTH, period_from, period_to)
    if first is None or end is None:
        raise KpiQueryError("a window needs both ends: period_from and period_to")
    window = Window(first, end)
    plan = _read_plan(user, definition, cut, reps_of_team)
    if plan is None:
        return KpiSeries(definition, window, cut)
    if definition.rollup.is_additive:
        rows = _summed(definition, window, cut, _fetch(definition, Grain.MONTH, plan, first, end))
    else:
        ensure_window(window)
        rows = _points(definition, window, cut, _fetch_window(definition, window, plan))
    if not cut and not rows:
        rows = [_empty_point(definition, window, window.start, {})]
    return KpiSeries(definition, window, cut, rows)


def _fetch_window(metric: Metric, window: Window, plan: _ReadPlan) -> list[tuple[Any, ...]]:
    """Rows shaped as `_fetch`'s, from the window figures."""
    figures = KpiWindowFigure.objects.filter(
        plan.scope,
        window__start=window.start,
        window__end=window.end,
        metric=metric.key,
        cut=cut_label(plan.cut),
    )
    columns = [DIMENSION_COLUMNS[dimension] for dimension in plan.shown]
    return list(figures.values_list("window__start", *columns, "value", "numerator", "denominator"))


def _summed(
    metric: Metric, window: Window, cut: Cut, fetched: list[tuple[Any, ...]]
) -> list[KpiPoint]:
    """An additive KPI's months added up per value of the cut."""
    parts: dict[tuple[Any, ...], list[Decimal]] = {}
    for row in fetched:
        summed = parts.setdefault(tuple(row[1:-3]), [Decimal(0), Decimal(0)])
        summed[0] += row[-2] or 0
        summed[1] += row[-1] or 0
    rows = []
    for keys, (numerator, denominator) in parts.items():
        if metric.rollup == Rollup.TOTAL:
            rows.append((window.start, *keys, float(numerator), numerator, None))
        else:
            value = float(numerator / denominator) if denominator else None
            rows.append((window.start, *keys, value, numerator, denominator))
    return _points(metric, window, cut, rows)


def _fetch(
    metric: Metric, grain: Grain, plan: _ReadPlan, first: dt.date | None, end: dt.date | None
) -> list[tuple[Any, ...]]:
    """(period start, <ids of the shown dimensions>, value, numerator, denominator) rows."""
    snapshots = KpiSnapshot.objects.filter(
        plan.scope, metric=metric.key, grain=grain.value, cut=cut_label(plan.cut)
    )
    if first is not None:
        snapshots = snapshots.filter(period_start__gte=first)
    if end is not None:
        snapshots = snapshots.filter(period_start__lt=end)
    columns = [DIMENSION_COLUMNS[dimension] for dimension in plan.shown]
    return list(
        snapshots.values_list("period_start", *columns, "value", "numerator", "denominator")
    )


def _parse_request(
    metric: str, grain: str, by: str | Sequence[str] | None
) -> tuple[Metric, Grain, Cut]:
    definition = METRICS.get(metric)
    if definition is None:
        raise KpiQueryError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")
    try:
        grain_value = Grain(grain)
    except ValueError:
        known = ", ".join(g.value for g in Grain)
        raise KpiQueryError(f"unknown grain {grain!r}; use one of {known}") from None
    names = [part.strip() for part in by.split(",")] if isinstance(by, str) else list(by or [])
    names = [name for name in names if name]
    try:
        dimensions = [Dimension(name) for name in names]
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise KpiQueryError(f"unknown dimension in by={names}; use {known}") from None
    if len(set(dimensions)) != len(dimensions):
        raise KpiQueryError(f"by={names} names a dimension twice")
    return definition, grain_value, canonical_cut(tuple(dimensions))


def _parse_range(
    grain: Grain, period_from: str | dt.date | None, period_to: str | dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """[first period start, end) of the `grain` periods that hold `from` … `to` (inclusive).

    Each bound is a label (2024-04, 2024-Q2, 2024) or a date (the period holding that day).
    """
    try:
        first = _parsed(period_from).start if period_from else None
        last = _parsed(period_to) if period_to else None
    except ValueError as error:
        raise KpiQueryError(str(error)) from None
    if first is not None and last is not None and first >= last.end:
        raise KpiQueryError(f"the range starts after it ends: from={period_from} to={period_to}")
    start = period_start(grain, first) if first is not None else None
    end = period_end(grain, period_start(grain, last.end - dt.timedelta(days=1))) if last else None
    return start, end


def _parsed(value: str | dt.date) -> ParsedPeriod:
    if isinstance(value, dt.date):
        return ParsedPeriod(value, value + dt.timedelta(days=1))
    return parse_period(value)


def _read_plan(
    user: AnyUser, metric: Metric, cut: Cut, reps_of_team: str | None = None
) -> _ReadPlan | None:
    plan = _scoped_plan(user, metric, cut)
    if plan is None or reps_of_team is None:
        return plan
    if Dimension.REP not in cut:
        raise KpiQueryError("reps_of_team needs a read by rep")
    members = access.visible_profiles(user).filter(team__name=reps_of_team)
    return replace(plan, scope=plan.scope & Q(rep_id__in=members.values("user_id")))


def _scoped_plan(user: AnyUser, metric: Metric, cut: Cut) -> _ReadPlan | None:
    scope = access.scope_of(user)
    if scope.reach == access.Reach.COMPANY:
        plan = _ReadPlan(cut, Q(), cut)
    elif scope.reach == access.Reach.TEAM:
        plan = _team_plan(user, scope, cut)
    elif scope.reach == access.Reach.OWN:
        plan = _rep_plan(scope, cut)
    else:
        return None
    if not metric.stores(plan.cut):
        raise KpiQueryError(_unavailable(metric, cut, scoped=plan.cut != cut))
    return plan


def _team_plan(user: AnyUser, scope: access.Scope, cut: Cut) -> _ReadPlan:
    assert scope.team is not None
    if Dimension.REP in cut:
        members = access.visible_profiles(user).values("user_id")
        return _ReadPlan(cut, Q(rep_id__in=members), cut)
    return _ReadPlan(canonical_cut((*cut, Dimension.TEAM)), Q(team_id=scope.team.pk), cut)


def _rep_plan(scope: access.Scope, cut: Cut) -> _ReadPlan:
    if Dimension.TEAM in cut:
        raise KpiAccessError("a sales rep reads their own figures only: by=team is not available")
    return _ReadPlan(canonical_cut((*cut, Dimension.REP)), Q(rep_id=scope.user.pk), cut)


def _unavailable(metric: Metric, cut: Cut, *, scoped: bool) -> str:
    asked = " × ".join(d.value for d in cut) or "company-wide"
    stored = "; ".join(" × ".join(d.value for d in c) or "company-wide" for c in metric.cuts)
    where = " within your scope" if scoped else ""
    return f"{metric.key} is not available by {asked}{where}; stored cuts: {stored}"


def _points(
    metric: Metric, grain: PeriodGrain, cut: Cut, fetched: list[tuple[Any, ...]]
) -> list[KpiPoint]:
    names = _display_names(cut, fetched)
    points = []
    for row in fetched:
        start, keys, (value, numerator, denominator) = row[0], row[1:-3], row[-3:]
        dims = {d.value: names[d].get(key, str(key)) for d, key in zip(cut, keys, strict=True)}
        points.append(KpiPoint(start, _label(grain, start), dims, value, numerator, denominator))
    return sorted(points, key=lambda point: (point.period_start, list(point.dims.values())))


def _display_names(cut: Cut, fetched: list[tuple[Any, ...]]) -> dict[Dimension, dict[Any, str]]:
    """Names for the ids in the fetched rows: one small query per dimension of the cut."""
    names: dict[Dimension, dict[Any, str]] = {}
    for position, dimension in enumerate(cut, start=1):
        keys = {row[position] for row in fetched}
        names[dimension] = _names_of(dimension, keys)
    return names


def _names_of(dimension: Dimension, keys: Iterable[Any]) -> dict[Any, str]:
    if dimension == Dimension.GRADE:
        return {key: str(key) for key in keys}
    if dimension == Dimension.REP:
        users = get_user_model().objects.filter(pk__in=keys).select_related("profile")
        return {user.pk: _rep_name(user) for user in users}
    named: dict[Dimension, QuerySet[Any]] = {
        Dimension.REGION: Region.objects.all(),
        Dimension.PRODUCT_LINE: ProductLine.objects.all(),
        Dimension.TEAM: Team.objects.all(),
    }
    return dict(named[dimension].filter(pk__in=keys).values_list("pk", "name"))


def _rep_name(user: Any) -> str:
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile is not None else "") or user.get_username()


def _filled(
    metric: Metric,
    grain: Grain,
    cut: Cut,
    rows: list[KpiPoint],
    first: dt.date | None,
    end: dt.date | None,
) -> list[KpiPoint]:
    """Add the periods of the range (up to the current one) that have no row, per dims.

    A series without `by` always has its one (empty) dims; a cut only has the dimension values
    found in the range, since which regions or reps "should" have had figures is unknown.
    """
    groups = [()] if not cut else list(dict.fromkeys(tuple(row.dims.items()) for row in rows))
    if not groups or (not rows and (first is None or end is None)):
        return rows
    start = period_start(grain, first or rows[0].period_start)
    stop = end or period_end(grain, rows[-1].period_start)
    stop = min(stop, period_end(grain, period_start(grain, company_today())))
    present = {(row.period_start, tuple(row.dims.items())) for row in rows}
    filled = list(rows)
    while start < stop:
        filled += [
            _empty_point(metric, grain, start, dict(dims))
            for dims in groups
            if (start, dims) not in present
        ]
        start = period_end(grain, start)
    return sorted(filled, key=lambda point: (point.period_start, list(point.dims.values())))


def _label(grain: PeriodGrain, start: dt.date) -> str:
    """`2024-04`, `2024-Q2`, `2024`, or a window's months: `2024-01…2024-12`."""
    if isinstance(grain, Window):
        last = add_months(grain.end, -1)
        return f"{period_label(Grain.MONTH, grain.start)}…{period_label(Grain.MONTH, last)}"
    return period_label(grain, start)


def _empty_point(
    metric: Metric, grain: PeriodGrain, start: dt.date, dims: dict[str, str]
) -> KpiPoint:
    label = _label(grain, start)
    if metric.rollup == Rollup.TOTAL:
        return KpiPoint(start, label, dims, 0.0, Decimal(0), None)
    numerator = None if metric.rollup == Rollup.MEDIAN else Decimal(0)
    return KpiPoint(start, label, dims, None, numerator, Decimal(0))
