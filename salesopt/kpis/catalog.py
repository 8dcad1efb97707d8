"""The KPI catalog: every KPI of SPEC.md declared once, with the cuts it is stored for.

A KPI's `rollup` says how its quarter and year figures relate to its months:

- TOTAL: a plain sum (value = numerator, no denominator); quarters and years add months up.
- RATIO: numerator ÷ denominator, both sums, so quarters and years are ratios of summed months.
- MEDIAN: value = the median, numerator = the sum and denominator = the count of the values (so a
  mean can still be derived). A median cannot be rebuilt from months: each grain is computed
  from the raw rows.
- DISTINCT: a ratio whose parts count distinct customers (repurchase, complaint rate); a customer
  buying in January and March is one customer of the quarter, so each grain is computed directly.

Besides the calendar grains, a KPI is read over a `Window`: a run of whole months such as a
program's diagnosis window. Additive KPIs over a window are their months summed; MEDIAN and
DISTINCT ones are computed from the window's raw rows (kpis.windows), like any other grain.

A cut is a tuple of dimensions in catalog order, e.g. `("region", "product_line")`; `()` is the
company-wide figure. Every KPI is stored for the company, each of its dimensions alone and its
declared combinations. Additive KPIs (TOTAL, RATIO) are also stored per team × dimension and per
rep × dimension, so that a team lead or a rep can read any cut within their own scope; for MEDIAN
and DISTINCT KPIs each extra cut costs a pass over the raw rows, so scoped readers get their
team's / their own figure and the per-rep breakdown only (see selectors.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, cast

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Grain(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Window:
    """One period of whole months, [start, end): the grain a window's figures are computed in.

    Every row of the range falls in its one period, which starts on `start`.
    """

    start: dt.date
    end: dt.date
    value: ClassVar[str] = "window"

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1 or self.end <= self.start:
            raise ValueError(f"a window is whole months: {self.start} … {self.end}")


# What a recompute computes in: the calendar grains, or one window.
PeriodGrain = Grain | Window


class Dimension(StrEnum):
    """The cuts, in the order they appear in a cut tuple and in the JSON output."""

    REGION = "region"
    PRODUCT_LINE = "product_line"
    TEAM = "team"
    REP = "rep"
    GRADE = "grade"


class Unit(StrEnum):
    COUNT = "count"
    RATIO = "ratio"  # a fraction 0…1 (pages show it as a percentage)
    HOURS = "hours"
    DAYS = "days"
    CURRENCY = "currency"
    PER_REP_DAY = "per_rep_day"
    SCORE = "score"  # 1–5


class Rollup(StrEnum):
    TOTAL = "total"
    RATIO = "ratio"
    MEDIAN = "median"
    DISTINCT = "distinct"

    @property
    def is_additive(self) -> bool:
        return self in (Rollup.TOTAL, Rollup.RATIO)


Cut = tuple[Dimension, ...]

DIMENSION_LABELS: dict[Dimension, Promise] = {
    Dimension.REGION: _("region"),
    Dimension.PRODUCT_LINE: _("product line"),
    Dimension.TEAM: _("team"),
    Dimension.REP: _("rep"),
    Dimension.GRADE: _("lead grade"),
}
DIMENSION_ORDER = tuple(Dimension)
SCOPE_DIMENSIONS = (Dimension.TEAM, Dimension.REP)

LEAD_DIMENSIONS = frozenset(Dimension)
ORDER_DIMENSIONS = frozenset(
    {Dimension.REGION, Dimension.PRODUCT_LINE, Dimension.TEAM, Dimension.REP}
)
COMPLAINT_DIMENSIONS = frozenset({Dimension.REGION, Dimension.TEAM, Dimension.REP})
PEOPLE_DIMENSIONS = frozenset({Dimension.TEAM, Dimension.REP})
REGION_BY_PRODUCT_LINE: Cut = (Dimension.REGION, Dimension.PRODUCT_LINE)

# The sales funnel: salesopt.core.models.OpportunityStage's values in the order a deal moves
# through them (lost is where a deal leaves it). Reaching a stage counts as having passed every
# stage before it.
FUNNEL_STAGES: tuple[str, ...] = (
    "qualification",
    "needs_analysis",
    "proposal",
    "negotiation",
    "won",
)
FUNNEL_STAGE_LABELS: dict[str, Promise] = {
    "qualification": _("qualification"),
    "needs_analysis": _("needs analysis"),
    "proposal": _("proposal submitted"),
    "negotiation": _("contract review"),
    "won": _("won"),
}
# The stages a deal spends time in before it is won or lost.
OPEN_FUNNEL_STAGES = FUNNEL_STAGES[:-1]


def stage_conversion_key(stage: str) -> str:
    """The KPI of conversion from `stage` to the next funnel stage."""
    return f"stage_conversion_{stage}"


def time_in_stage_key(stage: str) -> str:
    return f"time_in_stage_{stage}"


def cut_label(cut: Cut) -> str:
    """How a cut is stored and named: its dimensions comma-separated ('' = company-wide)."""
    return ",".join(dimension.value for dimension in cut)


def canonical_cut(dimensions: tuple[Dimension, ...] | frozenset[Dimension]) -> Cut:
    """The dimensions in catalog order, so one cut has exactly one spelling."""
    return tuple(sorted(set(dimensions), key=DIMENSION_ORDER.index))


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    definition: Promise
    unit: Unit
    higher_is_better: bool
    rollup: Rollup
    dimensions: frozenset[Dimension]
    combinations: tuple[Cut, ...] = ()
    # Team × dimension and rep × dimension cuts for scoped readers (additive KPIs only). Off
    # for attainment: targets exist per region, product line, team, rep, region × product line.
    scoped_combinations: bool = True

    @property
    def cuts(self) -> tuple[Cut, ...]:
        """Every cut this KPI is stored for, company-wide first."""
        found: list[Cut] = [()]
        found += [(dimension,) for dimension in DIMENSION_ORDER if dimension in self.dimensions]
        found += [canonical_cut(cut) for cut in self.combinations]
        if self.rollup.is_additive and self.scoped_combinations:
            found += [
                canonical_cut((scope, other))
                for scope, other in self._scope_pairs()
                if scope in self.dimensions and other in self.dimensions
            ]
        return tuple(dict.fromkeys(found))

    @staticmethod
    def _scope_pairs() -> Iterator[tuple[Dimension, Dimension]]:
        for scope in SCOPE_DIMENSIONS:
            for other in DIMENSION_ORDER:
                if other not in SCOPE_DIMENSIONS:
                    yield scope, other

    def stores(self, cut: Cut) -> bool:
        return cut in self.cuts


def _lazy(template: Promise, **names: Promise) -> Promise:
    """`template` filled in with `names`, translated when shown."""
    return cast(Promise, format_lazy(template, **names))


def _stage_metrics() -> Iterator[Metric]:
    """Stage-to-stage conversion and time in stage, one KPI per open funnel stage."""
    for stage, following in zip(OPEN_FUNNEL_STAGES, FUNNEL_STAGES[1:], strict=True):
        names = {"stage": FUNNEL_STAGE_LABELS[stage], "next": FUNNEL_STAGE_LABELS[following]}
        yield Metric(
            key=stage_conversion_key(stage),
            label=_lazy(_("Stage conversion: {stage} → {next}"), **names),
            definition=_lazy(
                _(
                    "Of the opportunities created in the period that reached {stage}, the share "
                    "that went on to reach {next} (reaching a later stage counts as passing the "
                    "stages before it; a lost deal stops at the stage it was lost in)."
                ),
                **names,
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        )
        yield Metric(
            key=time_in_stage_key(stage),
            label=_lazy(_("Time in {stage} (mean, days)"), **names),
            definition=_lazy(
                _(
                    "Mean days from an opportunity's entry into {stage} to its move on to {next} "
                    "or its loss, over the opportunities that left {stage} in the period. Deals "
                    "whose recorded history skips the next stage are left out: how long they "
                    "spent in each stage is not known."
                ),
                **names,
            ),
            unit=Unit.DAYS,
            higher_is_better=False,
            rollup=Rollup.RATIO,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        )


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric(
            key="lead_count",
            label=_("Leads"),
            definition=_("Leads created in the period."),
            unit=Unit.COUNT,
            higher_is_better=True,
            rollup=Rollup.TOTAL,
            dimensions=LEAD_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="lead_conversion_rate",
            label=_("Lead conversion rate"),
            definition=_(
                "Leads created in the period that converted (marked converted in the CRM, or "
                "won), divided by the leads created in the period."
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=LEAD_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="first_response_hours",
            label=_("First response time (median, hours)"),
            definition=_(
                "Median hours from a lead's creation to its first response, over the leads "
                "created in the period that were answered."
            ),
            unit=Unit.HOURS,
            higher_is_better=False,
            rollup=Rollup.MEDIAN,
            dimensions=LEAD_DIMENSIONS,
        ),
        Metric(
            key="first_response_hours_mean",
            label=_("First response time (mean, hours)"),
            definition=_(
                "Mean hours from a lead's creation to its first response, over the leads "
                "created in the period that were answered."
            ),
            unit=Unit.HOURS,
            higher_is_better=False,
            rollup=Rollup.RATIO,
            dimensions=LEAD_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="sla_breach_rate",
            label=_("Response deadline breach rate"),
            definition=_(
                "Graded leads created in the period whose first response came after their due "
                "time (the grade's deadline counted in working hours on the company's calendar), "
                "or never came although the due time has passed, divided by the graded leads "
                "created in the period."
            ),
            unit=Unit.RATIO,
            higher_is_better=False,
            rollup=Rollup.RATIO,
            dimensions=LEAD_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="revenue",
            label=_("Revenue"),
            definition=_("Sum of the order amounts dated in the period; refunds count negative."),
            unit=Unit.CURRENCY,
            higher_is_better=True,
            rollup=Rollup.TOTAL,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="target_attainment",
            label=_("Target attainment"),
            definition=_(
                "Revenue divided by the sales target of the same period and scope (quarters "
                "and years add up the monthly targets)."
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
            scoped_combinations=False,
        ),
        Metric(
            key="average_order_value",
            label=_("Average order value"),
            definition=_(
                "Revenue (refunds included) divided by the number of orders with a positive "
                "amount; a refund is not an order."
            ),
            unit=Unit.CURRENCY,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="repurchase_rate",
            label=_("Repurchase rate"),
            definition=_(
                "Customers with two or more orders in the period divided by customers with at "
                "least one (orders with a positive amount)."
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.DISTINCT,
            dimensions=ORDER_DIMENSIONS,
        ),
        Metric(
            key="win_rate",
            label=_("Win rate"),
            definition=_(
                "Opportunities won divided by opportunities closed (won or lost) in the period, "
                "by closing date."
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=ORDER_DIMENSIONS,
            combinations=(REGION_BY_PRODUCT_LINE,),
        ),
        Metric(
            key="sales_cycle_days",
            label=_("Sales cycle (median, days)"),
            definition=_(
                "Median days from a lead's creation to its win, over the leads won in the period."
            ),
            unit=Unit.DAYS,
            higher_is_better=False,
            rollup=Rollup.MEDIAN,
            dimensions=LEAD_DIMENSIONS,
        ),
        Metric(
            key="activities_per_rep_day",
            label=_("Activities per rep per working day"),
            definition=_(
                "Follow-ups, calls and visits divided by rep working days: active reps times "
                "the Monday-to-Friday days of the period (up to today)."
            ),
            unit=Unit.PER_REP_DAY,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=PEOPLE_DIMENSIONS,
        ),
        Metric(
            key="complaint_rate",
            label=_("Complaint rate"),
            definition=_(
                "Complaints received in the period divided by the customers with an order in "
                "the period."
            ),
            unit=Unit.RATIO,
            higher_is_better=False,
            rollup=Rollup.DISTINCT,
            dimensions=COMPLAINT_DIMENSIONS,
        ),
        Metric(
            key="complaint_response_hours",
            label=_("Complaint response time (median, hours)"),
            definition=_(
                "Median hours from a complaint to its first response, over the complaints "
                "received in the period that were answered."
            ),
            unit=Unit.HOURS,
            higher_is_better=False,
            rollup=Rollup.MEDIAN,
            dimensions=COMPLAINT_DIMENSIONS,
        ),
        Metric(
            key="satisfaction_score",
            label=_("Satisfaction score"),
            definition=_("Mean satisfaction score (1–5) of the complaints received in the period."),
            unit=Unit.SCORE,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=COMPLAINT_DIMENSIONS,
        ),
        Metric(
            key="ramp_up_days",
            label=_("Ramp-up (median, days)"),
            definition=_(
                "Median days from a rep's hire date to their first won deal, for the reps hired "
                "in the period (cohort by hire month)."
            ),
            unit=Unit.DAYS,
            higher_is_better=False,
            rollup=Rollup.MEDIAN,
            dimensions=PEOPLE_DIMENSIONS,
        ),
        Metric(
            key="follow_up_compliance",
            label=_("Follow-up standard compliance"),
            definition=_(
                "Follow-up checklist items due in the period (the grade's standards: at first "
                "contact by the response deadline, weekly by the standard's weekday) that were "
                "done by their due time, ticked by the rep or met by a CRM activity that week, "
                "divided by the items due in the period whose due time has passed."
            ),
            unit=Unit.RATIO,
            higher_is_better=True,
            rollup=Rollup.RATIO,
            dimensions=LEAD_DIMENSIONS,
        ),
        *_stage_metrics(),
    )
}
