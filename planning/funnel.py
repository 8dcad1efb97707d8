"""The sales funnel: how many deals reached each stage, and where they dropped out.

Read entirely through the KPI reader (salesopt.kpis.selectors.kpi_window), from the stage
conversion and time in stage KPIs: the deals of a period are those that entered the pipeline
in it (the conversion KPIs' cohort), so the counts of every stage are the same deals, and the
drop-off between two stages is one minus the conversion KPI. A filter is a cut the KPIs are
stored for, read within the reader's scope (a team lead's team, a rep's own deals).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salesopt.core.models import ProductLine, Region, Team
from salesopt.kpis.catalog import (
    FUNNEL_STAGE_LABELS,
    FUNNEL_STAGES,
    OPEN_FUNNEL_STAGES,
    Dimension,
    stage_conversion_key,
    time_in_stage_key,
)
from salesopt.kpis.selectors import KpiPoint, KpiQueryError, kpi_window


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    label: str
    reached: int
    # To the next stage (None for won, or when nobody reached this one).
    conversion: float | None
    mean_days: float | None

    @property
    def drop_off(self) -> float | None:
        return None if self.conversion is None else 1 - self.conversion


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    error: str = ""

    @property
    def entered(self) -> int:
        return self.steps[0].reached if self.steps else 0

    @property
    def win_share(self) -> float | None:
        return self.steps[-1].reached / self.entered if self.entered else None


def sales_funnel(
    *,
    user: Any,
    period_from: dt.date,
    period_to: dt.date,
    region: Region | None = None,
    product_line: ProductLine | None = None,
    team: Team | None = None,
) -> Funnel:
    """The funnel of the deals that entered the pipeline from `period_from`'s month to
    `period_to`'s, within `user`'s scope and the filters; `error` says why a cut is refused."""
    chosen = {
        Dimension.REGION: region,
        Dimension.PRODUCT_LINE: product_line,
        Dimension.TEAM: team,
    }
    wanted = {dimension.value: item.name for dimension, item in chosen.items() if item}
    try:
        conversions = [
            _row(user, stage_conversion_key(stage), period_from, period_to, wanted)
            for stage in OPEN_FUNNEL_STAGES
        ]
        times = [
            _row(user, time_in_stage_key(stage), period_from, period_to, wanted)
            for stage in OPEN_FUNNEL_STAGES
        ]
    except KpiQueryError as problem:
        return Funnel(steps=[], error=str(problem))
    reached = [_count(row.denominator) if row else 0 for row in conversions]
    reached.append(_count(conversions[-1].numerator) if conversions[-1] else 0)
    # Won is the last stage: no conversion onwards, no time spent in it.
    conversions.append(None)
    times.append(None)
    steps = [
        FunnelStep(
            stage,
            str(FUNNEL_STAGE_LABELS[stage]),
            reached[index],
            _value(conversions[index]),
            _value(times[index]),
        )
        for index, stage in enumerate(FUNNEL_STAGES)
    ]
    return Funnel(steps=steps)


def _value(row: KpiPoint | None) -> float | None:
    return row.value if row is not None else None


def _row(
    user: Any, metric: str, first: dt.date, last: dt.date, wanted: dict[str, str]
) -> KpiPoint | None:
    series = kpi_window(
        user=user, metric=metric, period_from=first, period_to=last, by=list(wanted)
    )
    return next((row for row in series.rows if row.dims == wanted), None)


def _count(value: Decimal | None) -> int:
    return int(value or 0)
