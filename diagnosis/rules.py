"""Finding rules: read the baseline snapshots (through kpi_series) and propose problems.

Each rule returns `Proposal`s; `services.findings_refresh` hands them to `finding_propose`, which
creates or refreshes one finding per rule key. Thresholds are the SALESOPT_FINDING_* settings.
Impacts are per quarter: a segment converting below the company rate is priced as its leads per
quarter × (company rate − segment rate) × the company's average order value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from .baseline import WINDOW, Filters, Total, figures, months, read, totals, window_figure
from .dashboard import top_share
from .finding_texts import finding_text
from .models import ImpactLevel, ProblemDimension


@dataclass(frozen=True)
class Proposal:
    """A problem a rule found: what it is made of; its words are written when it is read."""

    rule_key: str
    text_params: dict[str, Any]
    dimension: str
    impact_level: str
    impact_amount: Decimal | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self._text()[0]

    @property
    def description(self) -> str:
        return self._text()[1]

    def _text(self) -> tuple[str, str]:
        text = finding_text(self.rule_key, self.text_params)
        assert text is not None, f"no text for rule {self.rule_key}"
        return text


@dataclass(frozen=True)
class Context:
    """Company figures several rules price their impact with."""

    filters: Filters
    quarters: float
    company_conversion: float | None
    order_value: float | None


def _amount(value: float | None) -> Decimal | None:
    return None if value is None or value <= 0 else Decimal(round(value, 2)).quantize(Decimal(1))


def _lost_revenue(total: Total, context: Context) -> float | None:
    """Revenue per quarter if the segment's leads converted at the company rate."""
    rate = total.ratio()
    if rate is None or context.company_conversion is None or context.order_value is None:
        return None
    leads_per_quarter = total.denominator / context.quarters
    return leads_per_quarter * (context.company_conversion - rate) * context.order_value


def slow_response(context: Context) -> list[Proposal]:
    breaches = figures(
        "sla_breach_rate", read("sla_breach_rate", by=["region"], filters=context.filters)
    )
    hours = figures(
        "first_response_hours",
        read("first_response_hours", by=["region"], filters=context.filters, grain=WINDOW),
    )
    conversions = totals(read("lead_conversion_rate", by=["region"], filters=context.filters))
    limit = settings.SALESOPT_FINDING_SLA_BREACH_RATE
    deadline = settings.SALESOPT_GRADE_SLA_HOURS.get("A")
    found = []
    for (region,), rate in breaches.items():
        if rate is None or rate < limit:
            continue
        median = hours.get((region,))
        conversion = conversions.get((region,), Total())
        found.append(
            Proposal(
                rule_key=f"slow_response:region:{region}",
                text_params={
                    "region": region,
                    "hours": median or 0,
                    "deadline": deadline,
                    "rate": rate,
                    "limit": limit,
                },
                dimension=ProblemDimension.LEAD_MANAGEMENT,
                impact_level=ImpactLevel.HIGH,
                impact_amount=_amount(_lost_revenue(conversion, context)),
                evidence={
                    "median_first_response_hours": round(median or 0, 1),
                    "sla_breach_rate": round(rate, 6),
                    "conversion_rate": round(conversion.ratio() or 0, 6),
                    "company_conversion_rate": round(context.company_conversion or 0, 6),
                },
            )
        )
    return found


def low_conversion(context: Context) -> list[Proposal]:
    segments = totals(
        read("lead_conversion_rate", by=["region", "product_line"], filters=context.filters)
    )
    company = context.company_conversion
    if company is None:
        return []
    ceiling = company * (1 - settings.SALESOPT_FINDING_CONVERSION_GAP)
    found = []
    for (region, product_line), total in segments.items():
        rate = total.ratio()
        if rate is None or rate >= ceiling:
            continue
        if total.denominator < settings.SALESOPT_FINDING_MIN_SEGMENT_LEADS:
            continue
        found.append(
            Proposal(
                rule_key=f"low_conversion:{region}/{product_line}",
                text_params={
                    "region": region,
                    "product_line": product_line,
                    "rate": rate,
                    "company": company,
                    "gap": settings.SALESOPT_FINDING_CONVERSION_GAP,
                },
                dimension=ProblemDimension.CUSTOMER_CONVERSION,
                impact_level=ImpactLevel.MEDIUM,
                impact_amount=_amount(_lost_revenue(total, context)),
                evidence={
                    "leads": int(total.denominator),
                    "conversion_rate": round(rate, 6),
                    "company_conversion_rate": round(company, 6),
                },
            )
        )
    return found


def long_cycles(context: Context) -> list[Proposal]:
    # Deal size is not a KPI dimension: lead grade is the cut that stands for large deals.
    cycles = figures(
        "sales_cycle_days",
        read("sales_cycle_days", by=["grade"], filters=context.filters, grain=WINDOW),
    )
    company = window_figure("sales_cycle_days", context.filters)
    limit = settings.SALESOPT_FINDING_SALES_CYCLE_DAYS
    found = []
    for (grade,), days in cycles.items():
        if days is None or days <= limit:
            continue
        found.append(
            Proposal(
                rule_key=f"long_cycle:grade:{grade}",
                text_params={"grade": grade, "days": days, "company": company or 0, "limit": limit},
                dimension=ProblemDimension.SALES_PROCESS,
                impact_level=ImpactLevel.HIGH,
                evidence={
                    "median_cycle_days": round(days, 1),
                    "company_median_cycle_days": round(company or 0, 1),
                    "threshold_days": limit,
                },
            )
        )
    return found


def workload_concentration(context: Context) -> list[Proposal]:
    activity = totals(read("activities_per_rep_day", by=["rep"], filters=context.filters))
    share = top_share([total.numerator for total in activity.values()])
    if share is None or share < settings.SALESOPT_FINDING_TOP_REP_SHARE:
        return []
    return [
        Proposal(
            rule_key="workload_concentration",
            text_params={"share": share, "limit": settings.SALESOPT_FINDING_TOP_REP_SHARE},
            dimension=ProblemDimension.TEAM_COLLABORATION,
            impact_level=ImpactLevel.MEDIUM,
            evidence={"top_20_percent_share": round(share, 6), "reps": len(activity)},
        )
    ]


def slow_ramp_up(context: Context) -> list[Proposal]:
    days = window_figure("ramp_up_days", context.filters)
    limit = settings.SALESOPT_FINDING_RAMP_UP_DAYS
    if days is None or days <= limit:
        return []
    return [
        Proposal(
            rule_key="slow_ramp_up",
            text_params={"days": days, "limit": limit},
            dimension=ProblemDimension.TEAM_CAPABILITY,
            impact_level=ImpactLevel.MEDIUM,
            evidence={"median_ramp_up_days": round(days, 1), "threshold_days": limit},
        )
    ]


def missed_targets(context: Context) -> list[Proposal]:
    limit = settings.SALESOPT_FINDING_ATTAINMENT
    found = []
    for dimension in ("region", "product_line"):
        segments = totals(read("target_attainment", by=[dimension], filters=context.filters))
        for (name,), total in segments.items():
            rate = total.ratio()
            if rate is None or rate >= limit:
                continue
            gap = (total.denominator - total.numerator) / context.quarters
            found.append(
                Proposal(
                    rule_key=f"missed_target:{dimension}:{name}",
                    text_params={"name": name, "rate": rate, "limit": limit, "gap": gap},
                    dimension=ProblemDimension.TARGET_ATTAINMENT,
                    impact_level=ImpactLevel.HIGH,
                    impact_amount=_amount(gap),
                    evidence={
                        "attainment": round(rate, 6),
                        "revenue": round(total.numerator),
                        "target": round(total.denominator),
                    },
                )
            )
    return found


def complaint_hot_spots(context: Context) -> list[Proposal]:
    scores = totals(read("satisfaction_score", by=["region"], filters=context.filters))
    limit = settings.SALESOPT_FINDING_SATISFACTION
    found = []
    for (region,), total in scores.items():
        score = total.ratio()
        if score is None or score >= limit:
            continue
        found.append(
            Proposal(
                rule_key=f"complaint_hot_spot:region:{region}",
                text_params={"region": region, "score": score, "limit": limit},
                dimension=ProblemDimension.CUSTOMER_SERVICE,
                impact_level=ImpactLevel.MEDIUM,
                evidence={
                    "satisfaction_score": round(score, 2),
                    "complaints": int(total.denominator),
                },
            )
        )
    return found


def low_repurchase(context: Context) -> list[Proposal]:
    rate = window_figure("repurchase_rate", context.filters)
    limit = settings.SALESOPT_FINDING_REPURCHASE_RATE
    if rate is None or rate >= limit:
        return []
    return [
        Proposal(
            rule_key="low_repurchase",
            text_params={"rate": rate, "limit": limit},
            dimension=ProblemDimension.CUSTOMER_CONVERSION,
            impact_level=ImpactLevel.LOW,
            evidence={"repurchase_rate": round(rate, 6)},
        )
    ]


RULES: tuple[Callable[[Context], list[Proposal]], ...] = (
    slow_response,
    low_conversion,
    long_cycles,
    workload_concentration,
    slow_ramp_up,
    missed_targets,
    complaint_hot_spots,
    low_repurchase,
)


def context_for(filters: Filters) -> Context:
    conversion = totals(read("lead_conversion_rate", filters=filters)).get(())
    order_value = totals(read("average_order_value", filters=filters)).get(())
    return Context(
        filters=filters,
        quarters=max(len(months(filters)), 1) / 3,
        company_conversion=conversion.ratio() if conversion else None,
        order_value=order_value.ratio() if order_value else None,
    )


def proposals(filters: Filters) -> list[Proposal]:
    """Every rule's proposals over the filters' range."""
    context = context_for(filters)
    return [proposal for rule in RULES for proposal in rule(context)]
