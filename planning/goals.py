"""SMART goals: the baseline from the diagnosis window, the target, and the SMART check.

Every figure is read through the KPI reader (`kpi_window`, `kpi_series`) as the user who writes
the goal, so a goal is set against the same numbers the diagnosis showed. The check refuses what
makes a goal unusable (not measurable, not time-bound, a target that is no improvement) and warns
about what a manager may choose to keep (a target beyond the best change the data ever showed;
a goal that answers no finding). Warnings are kept as data and worded in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from salesopt.core.models import ProductLine, Program, Region, Team
from salesopt.core.periods import Quarter, company_today
from salesopt.core.templatetags.salesopt_format import EMPTY, count, money, percent
from salesopt.kpis.catalog import DIMENSION_LABELS, METRICS, Dimension, Metric, Unit
from salesopt.kpis.selectors import KpiQueryError, kpi_series, kpi_window

from .models import TargetKind

SCOPE_MODELS: dict[str, Any] = {
    Dimension.REGION.value: Region,
    Dimension.TEAM.value: Team,
    Dimension.PRODUCT_LINE.value: ProductLine,
}


@dataclass(frozen=True)
class GoalScope:
    """Where a goal applies: the company (no dimension) or one region, team or product line."""

    dimension: str = ""
    pk: int | None = None
    name: str = ""

    @classmethod
    def of(cls, goal: Any) -> GoalScope:
        for dimension in SCOPE_MODELS:
            found = getattr(goal, dimension)
            if found is not None:
                return cls(dimension, found.pk, found.name)
        return cls()

    @property
    def key(self) -> str:
        """How a form names it: `region:3`, or `company`."""
        return f"{self.dimension}:{self.pk}" if self.dimension else "company"

    def label(self) -> str:
        if not self.dimension:
            return _("the company")
        return self.name

    def fields(self) -> dict[str, Any]:
        """The goal's scope columns: the chosen one set, the others empty."""
        chosen = dict.fromkeys(SCOPE_MODELS)
        if self.dimension:
            chosen[self.dimension] = SCOPE_MODELS[self.dimension].objects.get(pk=self.pk)
        return chosen


@dataclass(frozen=True)
class Baseline:
    first: dt.date
    last: dt.date
    value: float


def baseline(*, user: Any, program: Program, metric: str, scope: GoalScope) -> Baseline:
    """The KPI over the program's diagnosis window in the scope; ValidationError when it cannot
    be measured there (not kept by that cut, or no data in the window)."""
    definition = _metric(metric)
    by = [scope.dimension] if scope.dimension else []
    if by and not definition.stores((Dimension(scope.dimension),)):
        raise ValidationError(
            {
                "scope": _("%(kpi)s is not kept by %(cut)s: choose another scope.")
                % {"kpi": definition.label, "cut": DIMENSION_LABELS[Dimension(scope.dimension)]}
            }
        )
    first, last = program.baseline_start, program.baseline_end
    try:
        series = kpi_window(user=user, metric=metric, by=by, period_from=first, period_to=last)
    except KpiQueryError:
        series = None
    value = None
    for row in series.rows if series is not None else []:
        if not by or row.dims.get(scope.dimension) == scope.name:
            value = row.value
    if value is None:
        raise ValidationError(
            {
                "metric": _(
                    "%(kpi)s has no data for %(scope)s in the diagnosis window "
                    "(%(first)s – %(last)s): the goal could not be measured."
                )
                % {"kpi": definition.label, "scope": scope.label(), "first": first, "last": last}
            }
        )
    return Baseline(first, last, value)


def checked_target(
    *,
    user: Any,
    metric: str,
    scope: GoalScope,
    baseline_value: float,
    kind: str,
    entered: float,
    deadline: dt.date | None,
    findings: int,
) -> tuple[float, list[dict[str, Any]]]:
    """The absolute target (as entered, or the baseline changed by `entered` percent) once the
    SMART check let it through, and the check's warnings."""
    if kind not in TargetKind.values:
        raise ValidationError({"target_kind": _("Give the target as a value or as a change in %.")})
    target = baseline_value * (1 + entered / 100) if kind == TargetKind.RELATIVE else entered
    warnings = check(
        user=user,
        metric=metric,
        scope=scope,
        baseline_value=baseline_value,
        target=target,
        deadline=deadline,
        findings=findings,
    )
    return target, warnings


def check(
    *,
    user: Any,
    metric: str,
    scope: GoalScope,
    baseline_value: float,
    target: float,
    deadline: dt.date | None,
    findings: int,
) -> list[dict[str, Any]]:
    """Refuse a goal that is not measurable, no improvement or not time-bound (ValidationError
    by field); return the warnings of one that stands but deserves a second look."""
    definition = _metric(metric)
    errors: dict[str, str] = {}
    if deadline is None:
        errors["deadline"] = _("Give a deadline: a goal without one is not time-bound.")
    elif deadline <= company_today():
        errors["deadline"] = _("The deadline must be after today.")
    better = target > baseline_value if definition.higher_is_better else target < baseline_value
    if not better:
        if definition.higher_is_better:
            errors["target_input"] = _(
                "Higher is better for %(kpi)s: the target must be above the baseline %(baseline)s."
            ) % {"kpi": definition.label, "baseline": shown(definition, baseline_value)}
        else:
            errors["target_input"] = _(
                "Lower is better for %(kpi)s: the target must be below the baseline %(baseline)s."
            ) % {"kpi": definition.label, "baseline": shown(definition, baseline_value)}
    if definition.unit == Unit.RATIO and not 0 <= target <= 1:
        errors["target_input"] = _("A rate's target lies between 0% and 100%.")
    if errors:
        raise ValidationError(errors)
    warnings = []
    asked = _improvement(definition, baseline_value, target)
    best = best_quarterly_change(user=user, metric=metric, scope=scope)
    if asked is not None and (best is None or asked > best["change"]):
        warnings.append({"kind": "ambitious", "asked": round(asked, 6), "best": best})
    if not findings:
        warnings.append({"kind": "no_finding"})
    return warnings


def best_quarterly_change(*, user: Any, metric: str, scope: GoalScope) -> dict[str, Any] | None:
    """The largest improvement from one quarter to the next in the KPI's whole history in the
    scope (complete quarters only), as a fraction of the earlier quarter: {change, from, to}."""
    definition = _metric(metric)
    by = [scope.dimension] if scope.dimension else []
    try:
        series = kpi_series(user=user, metric=metric, grain="quarter", by=by)
    except KpiQueryError:
        return None
    running = company_today()
    # The running quarter is partial: it is left out.
    values = [
        (row.period, row.value)
        for row in series.rows
        if (not by or row.dims.get(scope.dimension) == scope.name)
        and Quarter.containing(row.period_start).end <= running
    ]
    best: tuple[float, str, str] | None = None
    for (earlier, before), (later, after) in itertools.pairwise(values):
        change = _improvement(definition, before, after) if before and after is not None else None
        if change is not None and (best is None or change > best[0]):
            best = (change, earlier, later)
    if best is None:
        return None
    return {"change": round(best[0], 6), "from": best[1], "to": best[2]}


def warning_text(warning: dict[str, Any]) -> str:
    """A stored warning in the reader's language."""
    if warning.get("kind") == "no_finding":
        return _("It answers no finding of the diagnosis: is it relevant?")
    if warning.get("kind") == "ambitious":
        best = warning.get("best")
        asked = _percent(warning.get("asked"))
        if not best:
            return _(
                "The goal asks for an improvement of %(asked)s; the data has never shown an "
                "improvement from one quarter to the next in this scope."
            ) % {"asked": asked}
        return _(
            "The goal asks for an improvement of %(asked)s; the best the data has ever shown "
            "in this scope is %(best)s in a quarter (%(from)s → %(to)s)."
        ) % {
            "asked": asked,
            "best": _percent(best["change"]),
            "from": best["from"],
            "to": best["to"],
        }
    return str(warning)


def shown(definition: Metric, value: float | None) -> str:
    """A KPI value as pages show it: a rate in percent, money in the reader's units, hours and
    days to one decimal."""
    if value is None:
        return EMPTY
    if definition.unit == Unit.RATIO:
        return percent(value)
    if definition.unit == Unit.CURRENCY:
        return money(value)
    if definition.unit == Unit.COUNT:
        return count(round(value))
    one_decimal = number_format(value, 1, use_l10n=True, force_grouping=True)
    if definition.unit == Unit.HOURS:
        return _("%(value)s h") % {"value": one_decimal}
    if definition.unit == Unit.DAYS:
        return _("%(value)s days") % {"value": one_decimal}
    return one_decimal


def _improvement(definition: Metric, before: float, after: float) -> float | None:
    """How much better `after` is than `before`, as a fraction of `before` (negative: worse)."""
    if not before:
        return None
    change = (after - before) / abs(before)
    return change if definition.higher_is_better else -change


def _percent(value: Any) -> str:
    return percent(None if value is None else float(value))


def _metric(metric: str) -> Metric:
    definition = METRICS.get(metric)
    if definition is None:
        raise ValidationError(
            {"metric": _("Choose a KPI from the catalog: without one the goal is not measurable.")}
        )
    return definition


# Which KPI measures the problem a finding rule found, and in which scope (its rule key's
# dimension and value: `slow_response:region:华南`).
FINDING_KPIS = {
    "slow_response": "first_response_hours",
    "low_conversion": "lead_conversion_rate",
    "long_cycle": "sales_cycle_days",
    "workload_concentration": "activities_per_rep_day",
    "slow_ramp_up": "ramp_up_days",
    "missed_target": "target_attainment",
    "complaint_hot_spot": "satisfaction_score",
    "low_repurchase": "repurchase_rate",
}


def suggested_goal(rule_key: str) -> dict[str, str]:
    """The KPI and scope a goal answering a finding of that rule starts from ({} for a
    hand-logged finding): the form's initial values."""
    rule, *rest = rule_key.split(":")
    metric = FINDING_KPIS.get(rule)
    if metric is None:
        return {}
    suggestion = {"metric": metric, "scope": "company"}
    if len(rest) == 2 and rest[0] in SCOPE_MODELS:
        dimension, name = rest
        found = SCOPE_MODELS[dimension].objects.filter(name=name).first()
        if found is not None:
            suggestion["scope"] = f"{dimension}:{found.pk}"
    return suggestion
