"""The baseline dashboard's data: one table per chart, with its one-line reading.

Each chart is drawn from its table (diagnosis/charts.py) and the same table is what its CSV/XLSX
download holds, so the numbers downloaded are the numbers charted. 16 kpi_series reads a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from salesopt.core.templatetags.salesopt_format import count, money, percent
from salesopt.kpis.catalog import DIMENSION_LABELS, Dimension

from .baseline import (
    WINDOW,
    Filters,
    Read,
    Unapplied,
    by_quarter,
    figure,
    figures,
    range_grain,
    read,
    totals,
)

WORKLOAD_TOP_SHARE = 0.2  # "the busiest 20% of reps"


@dataclass(frozen=True)
class ChartData:
    key: str
    title: str
    reading: str
    header: list[str]
    rows: list[list[Any]]
    # The filters the chart could not apply (its figures then cover those the reader's whole
    # scope), and why.
    unapplied: tuple[str, ...] = ()
    why: Unapplied = Unapplied.NOT_KEPT
    # The reader's scope can read these figures at all (a team lead cannot read medians by
    # region, stored company-wide only).
    available: bool = True

    @property
    def filtered(self) -> bool:
        return not self.unapplied

    @property
    def note(self) -> str:
        """Which filters the chart leaves out and why; '' when it applies them all."""
        if not self.unapplied:
            return ""
        names = "、".join(str(DIMENSION_LABELS[Dimension(name)]) for name in self.unapplied)
        if self.why == Unapplied.NO_TARGET:
            return _("Not narrowed by %(filters)s: no target is set by that cut.") % {
                "filters": names
            }
        return _("Not narrowed by %(filters)s: these figures are not kept by that cut.") % {
            "filters": names
        }


def _flags(*reads: Read) -> tuple[tuple[str, ...], Unapplied, bool]:
    """(unapplied filters, why, available) of a chart drawn from these reads."""
    unapplied = tuple(dict.fromkeys(name for found in reads for name in found.unapplied))
    why = next(
        (found.why for found in reads if found.why == Unapplied.NO_TARGET), Unapplied.NOT_KEPT
    )
    return unapplied, why, all(found.available for found in reads)


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} h"


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def funnel(filters: Filters) -> ChartData:
    leads = read("lead_count", filters=filters)
    converted = read("lead_conversion_rate", filters=filters)
    won = read("win_rate", filters=filters)
    lead_total = totals(leads).get((), None)
    conversion = totals(converted).get((), None)
    wins = totals(won).get((), None)
    lead_count = int(lead_total.numerator) if lead_total else 0
    converted_count = int(conversion.numerator) if conversion else 0
    rows = [
        [_("Leads"), lead_count],
        [_("Converted leads"), converted_count],
    ]
    reading = _(
        "%(leads)s leads, %(converted)s converted (%(rate)s); %(won)s of %(closed)s closed "
        "opportunities won (%(win_rate)s)."
    ) % {
        "leads": count(lead_count),
        "converted": count(converted_count),
        "rate": percent(conversion.ratio() if conversion else None),
        "won": count(int(wins.numerator) if wins else 0),
        "closed": count(int(wins.denominator) if wins else 0),
        "win_rate": percent(wins.ratio() if wins else None),
    }
    return ChartData(
        "funnel",
        _("From lead to won"),
        reading,
        [_("Stage"), _("Count")],
        rows,
        *_flags(leads, converted, won),
    )


def _attainment(
    filters: Filters, *, key: str, title: str, by: str, quarterly: bool, label: str
) -> ChartData:
    """Monthly attainment, or summed per quarter over the window's own months; the running
    month judged against its target so far (baseline._paced)."""
    found = read("target_attainment", by=[by], filters=filters)
    applied = [name for name in filters.dimensions() if name not in found.unapplied]
    if applied and not any(point.denominator for point in found.rows):
        # No target is set by this cut (targets by region × product line, say): say so and
        # show the figures without those filters rather than an empty chart.
        found = replace(
            read("target_attainment", by=[by], filters=filters.without(*applied)),
            unapplied=tuple(filters.dimensions()),
            why=Unapplied.NO_TARGET,
        )
    if quarterly:
        rows = [[part.key[0], part.label, _round(part.ratio())] for part in by_quarter(found)]
    else:
        rows = [[point.dims[by], point.period, _round(point.value)] for point in found.rows]
    overall = figures("target_attainment", found)
    scored = {name[0]: value for name, value in overall.items() if value is not None}
    if scored:
        worst = min(scored, key=lambda name: scored[name])
        reading = _("Lowest attainment: %(name)s at %(value)s of target over the period.") % {
            "name": worst,
            "value": percent(scored[worst]),
        }
    else:
        reading = _("No target in the period.")
    return ChartData(
        key, title, reading, [label, _("Period"), _("Target attainment")], rows, *_flags(found)
    )


def attainment_by_region(filters: Filters) -> ChartData:
    return _attainment(
        filters,
        key="attainment-region",
        title=_("Target attainment by region and month"),
        by="region",
        quarterly=False,
        label=_("Region"),
    )


def attainment_by_product_line(filters: Filters) -> ChartData:
    return _attainment(
        filters,
        key="attainment-product-line",
        title=_("Target attainment by product line and quarter"),
        by="product_line",
        quarterly=True,
        label=_("Product line"),
    )


def trends(filters: Filters) -> ChartData:
    reads = [
        read(metric, filters=filters)
        for metric in ("lead_conversion_rate", "average_order_value", "repurchase_rate")
    ]
    by_month: dict[str, list[Any]] = {}
    for column, found in enumerate(reads):
        for point in found.rows:
            by_month.setdefault(point.period, [point.period, None, None, None])[column + 1] = (
                _round(point.value, 2 if column == 1 else 4)
            )
    rows = list(by_month.values())
    conversion = figure("lead_conversion_rate", totals(reads[0]).get(()))
    order_value = figure("average_order_value", totals(reads[1]).get(()))
    reading = _(
        "Over the period %(conversion)s of leads converted and the average order was %(aov)s."
    ) % {"conversion": percent(conversion), "aov": money(order_value)}
    return ChartData(
        "trends",
        _("Conversion, average order value and repurchase by month"),
        reading,
        [_("Month"), _("Lead conversion rate"), _("Average order value"), _("Repurchase rate")],
        rows,
        *_flags(*reads),
    )


def response_by_grade(filters: Filters) -> ChartData:
    found = read("first_response_hours", by=["grade"], filters=filters)
    deadlines = settings.SALESOPT_GRADE_SLA_HOURS
    rows = [
        [
            point.dims["grade"],
            point.period,
            _round(point.value, 1),
            deadlines.get(point.dims["grade"]),
        ]
        for point in found.rows
    ]
    medians = figures(
        "first_response_hours",
        read("first_response_hours", by=["grade"], filters=filters, grain=WINDOW),
    )
    grade_a = medians.get(("A",))
    reading = _(
        "A-grade leads get a first answer in a median %(hours)s against a %(deadline)s deadline."
    ) % {"hours": _hours(grade_a), "deadline": _hours(deadlines.get("A"))}
    return ChartData(
        "response-grade",
        _("First response time by lead grade against its deadline"),
        reading,
        [_("Lead grade"), _("Month"), _("Median hours"), _("Deadline (hours)")],
        rows,
        *_flags(found),
    )


def response_by_region(filters: Filters) -> ChartData:
    hours = read("first_response_hours", by=["region"], filters=filters, grain=WINDOW)
    breaches = read("sla_breach_rate", by=["region"], filters=filters)
    medians = figures("first_response_hours", hours)
    rates = figures("sla_breach_rate", breaches)
    names = sorted(set(medians) | set(rates))
    rows = [[name[0], _round(medians.get(name), 1), _round(rates.get(name))] for name in names]
    timed = {name[0]: median for name in names if (median := medians.get(name)) is not None}
    if timed:
        slowest = max(timed, key=lambda name: timed[name])
        reading = _(
            "%(region)s answers leads in a median %(hours)s against a %(deadline)s A-grade "
            "deadline; %(rate)s of its graded leads miss their deadline."
        ) % {
            "region": slowest,
            "hours": _hours(timed[slowest]),
            "deadline": _hours(settings.SALESOPT_GRADE_SLA_HOURS.get("A")),
            "rate": percent(rates.get((slowest,))),
        }
    else:
        reading = _("No answered lead in the period.")
    return ChartData(
        "response-region",
        _("First response and deadline breaches by region"),
        reading,
        [_("Region"), _("Median hours"), _("Deadline breach rate")],
        rows,
        *_flags(hours, breaches),
    )


def top_share(activity_counts: list[float]) -> float | None:
    """The share of all activities carried by the busiest 20% of reps (at least one rep)."""
    total = sum(activity_counts)
    if not activity_counts or not total:
        return None
    busiest = sorted(activity_counts, reverse=True)
    top = max(1, round(len(busiest) * WORKLOAD_TOP_SHARE))
    return sum(busiest[:top]) / total


def workload(filters: Filters) -> ChartData:
    activities = read("activities_per_rep_day", by=["rep"], filters=filters)
    # Both columns must cover the same reps: revenue leaves out the filters activities could
    # not apply.
    revenue = read("revenue", by=["rep"], filters=filters.without(*activities.unapplied))
    activity_totals = totals(activities)
    revenues = figures("revenue", revenue)
    rows: list[list[Any]] = sorted(
        (
            [name[0], _round(total.ratio(), 2), int(total.numerator), revenues.get(name)]
            for name, total in activity_totals.items()
        ),
        key=lambda row: -(row[2] or 0),
    )
    share = top_share([row[2] for row in rows])
    reading = _("The busiest 20%% of reps carry %(share)s of all activities.") % {
        "share": percent(share)
    }
    return ChartData(
        "workload",
        _("Rep workload against results"),
        reading,
        [_("Rep"), _("Activities per working day"), _("Activities"), _("Revenue")],
        rows,
        *_flags(activities, revenue),
    )


def complaints(filters: Filters) -> ChartData:
    reads = {
        metric: read(metric, by=["region"], filters=filters, grain=range_grain(metric))
        for metric in ("complaint_rate", "complaint_response_hours", "satisfaction_score")
    }
    values = {metric: figures(metric, found) for metric, found in reads.items()}
    names = sorted(set().union(*values.values()))
    rows = [[name[0], *(_round(values[metric].get(name), 3) for metric in reads)] for name in names]
    scores = {
        name[0]: score for name, score in values["satisfaction_score"].items() if score is not None
    }
    if scores:
        lowest = min(scores, key=lambda name: scores[name])
        reading = _("Least satisfied customers: %(region)s, %(score).1f of 5.") % {
            "region": lowest,
            "score": scores[lowest],
        }
    elif rows:
        reading = _("No satisfaction score in the period.")
    else:
        reading = _("No complaint in the period.")
    return ChartData(
        "complaints",
        _("Complaints by region"),
        reading,
        [
            _("Region"),
            _("Complaint rate"),
            _("Complaint response (median hours)"),
            _("Satisfaction score"),
        ],
        rows,
        *_flags(*reads.values()),
    )


CHARTS: dict[str, Callable[[Filters], ChartData]] = {
    "funnel": funnel,
    "attainment-region": attainment_by_region,
    "attainment-product-line": attainment_by_product_line,
    "trends": trends,
    "response-grade": response_by_grade,
    "response-region": response_by_region,
    "workload": workload,
    "complaints": complaints,
}


def baseline_dashboard(*, filters: Filters) -> list[ChartData]:
    """Every chart's table and reading for the filters (16 kpi_series reads)."""
    return [build(filters) for build in CHARTS.values()]
