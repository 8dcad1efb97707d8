"""Table 2 reads: each month's target for its scope with the actual revenue, the attainment and,
when a finished month falls short, what drove the gap.

Actuals come from the KPI reader (salesopt.kpis.selectors: one definition of revenue, in the
reader's scope), one read per kind of scope for the quarter. The gap of a month below its
threshold is split among its drivers — leads × conversion × order value, each against the
scope's monthly pace in the program's diagnosis window — by the logarithmic mean (LMDI): each
driver's share is the logarithmic mean of actual and target times the log of its change; what
the three do not explain (a target set above the baseline's pace, and revenue that does not
come from the month's leads) is the remainder.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.history import Change, row_history
from salesopt.core.models import Program, Region, Team
from salesopt.core.people import person_name
from salesopt.core.periods import Quarter, add_months, company_today, months_spanned
from salesopt.kpis.selectors import kpi_series, kpi_window

from .editing import Cell
from .models import MonthTarget, QuarterTarget

PART_DIMENSIONS: dict[str, Any] = {"region": Region, "team": Team, "owner": get_user_model()}
# The KPI reader's dimension for each kind of scope (None: the company).
_KPI_BY = {"company": None, "region": "region", "team": "team", "owner": "rep"}
DRIVERS = ("lead_count", "lead_conversion_rate", "average_order_value")


def scope_kind(target: QuarterTarget) -> str:
    if target.owner_id:
        return "owner"
    if target.team_id:
        return "team"
    return "region" if target.region_id else "company"


def scope_name(target: QuarterTarget) -> str:
    """The name the KPI reader gives the scope's dimension value."""
    if target.owner_id:
        return person_name(target.owner)
    if target.team_id:
        return target.team.name  # type: ignore[union-attr]
    return target.region.name if target.region_id else ""  # type: ignore[union-attr]


def row_team(target: QuarterTarget) -> Team | None:
    """The team whose lead keeps the row: the target's team, or its owner's."""
    if target.team_id:
        return target.team
    if target.owner_id:
        profile = getattr(target.owner, "profile", None)
        return profile.team if profile is not None else None
    return None


def visible_month_targets(user: Any, program: Program) -> QuerySet[MonthTarget]:
    """Table 2's rows `user` reads: all company-wide; a team lead their team's and its
    members'; a rep their own. (Not the company's or a region's rows: their actuals would be
    read in the team lead's scope.)"""
    rows = MonthTarget.objects.filter(quarter_target__program=program).select_related(
        "quarter_target__region", "quarter_target__team",
        "quarter_target__owner__profile__team", "quarter_target__parent",
    )  # fmt: skip
    scope = access.scope_of(user)
    if scope.reach == access.Reach.COMPANY:
        return rows
    if scope.reach == access.Reach.TEAM:
        return rows.filter(
            Q(quarter_target__team=scope.team) | Q(quarter_target__owner__profile__team=scope.team)
        )
    if scope.reach == access.Reach.OWN:
        return rows.filter(quarter_target__owner=scope.user)
    return rows.none()


@dataclass(frozen=True)
class Driver:
    metric: str
    label: str
    now: float
    baseline: float
    effect: float  # yuan of the gap this driver explains (negative: it cost revenue)
    share: float  # of the gap

    @property
    def share_shown(self) -> str:
        return _("%(share)s of the gap") % {"share": f"{self.share:.0%}"}


@dataclass(frozen=True)
class Table2Row:
    month: MonthTarget
    target: QuarterTarget
    actual: Decimal | None
    finished: bool  # the month is over: its attainment is final
    can_edit: bool
    threshold: float
    drivers: list[Driver] = field(default_factory=list)
    remainder: float | None = None  # the part of the gap the drivers do not explain

    @property
    def attainment(self) -> float | None:
        if self.actual is None or not self.month.amount:
            return None
        return float(self.actual / self.month.amount)

    @property
    def attainment_shown(self) -> str:
        return f"{self.attainment:.1%}" if self.attainment is not None else ""

    @property
    def below(self) -> bool:
        return self.finished and self.attainment is not None and self.attainment < self.threshold

    @property
    def notes_missing(self) -> bool:
        return self.below and not (self.month.variance_note and self.month.corrective_action)

    @property
    def owner_name(self) -> str:
        return person_name(self.target.owner) if self.target.owner_id else ""

    @property
    def region_name(self) -> str:
        """The row's region: its own, or that of the whole it is part of."""
        target = self.target
        while target is not None:
            if target.region_id:
                return target.region.name  # type: ignore[union-attr]
            target = target.parent  # type: ignore[assignment]
        return ""

    @property
    def team_name(self) -> str:
        team = row_team(self.target)
        return team.name if team is not None else ""

    @property
    def cells(self) -> list[Cell]:
        missing = _("needed") if self.below else ""
        return [
            Cell(
                f"month-{self.month.pk}-{name}",
                getattr(self.month, name),
                reverse("execution:target_cell_editor", args=[self.month.pk, name])
                if self.can_edit
                else None,
                missing if not getattr(self.month, name) else "",
            )
            for name in ("variance_note", "corrective_action")
        ]


class _Actuals:
    """The reader's monthly figures of a KPI per kind of scope, read once each."""

    def __init__(self, user: Any, first: dt.date, last: dt.date) -> None:
        self.user, self.first, self.last = user, first, last
        self._read: dict[tuple[str, str], dict[tuple[dt.date, str], float | None]] = {}

    def value(self, metric: str, target: QuarterTarget, month: dt.date) -> float | None:
        kind = scope_kind(target)
        key = (metric, kind)
        if key not in self._read:
            series = kpi_series(user=self.user, metric=metric, grain="month", by=_KPI_BY[kind],
                                period_from=self.first, period_to=self.last)  # fmt: skip
            self._read[key] = {
                (point.period_start, next(iter(point.dims.values()), "")): point.value
                for point in series.rows
            }
        return self._read[key].get((month, scope_name(target)))

    def baseline(self, metric: str, target: QuarterTarget, program: Program) -> float | None:
        """The KPI over the program's diagnosis window for the target's scope (a count as its
        monthly pace), read once per KPI and kind of scope."""
        kind = scope_kind(target)
        key = (f"window:{metric}", kind)
        if key not in self._read:
            series = kpi_window(user=self.user, metric=metric, by=_KPI_BY[kind],
                                period_from=program.baseline_start,
                                period_to=program.baseline_end)  # fmt: skip
            months = months_spanned(program.baseline_start, program.baseline_end)
            per = months if metric == "lead_count" else 1
            self._read[key] = {
                (program.baseline_start, next(iter(point.dims.values()), "")): (
                    point.value / per if point.value is not None else None
                )
                for point in series.rows
            }
        return self._read[key].get((program.baseline_start, scope_name(target)))


def table_2_rows(*, program: Program, user: Any, quarter: Quarter) -> list[Table2Row]:
    """The quarter's rows, the company's first, then each part under its whole, by month."""
    months = list(
        visible_month_targets(user, program).filter(quarter_target__quarter_start=quarter.start)
    )
    if not months:
        return []
    actuals = _Actuals(user, quarter.start, add_months(quarter.start, 2))
    rows = [_row(month, user, actuals, program) for month in months]
    return sorted(rows, key=_order)


def table_2_row(month: MonthTarget, user: Any) -> Table2Row:
    start = month.quarter_target.quarter_start
    actuals = _Actuals(user, start, add_months(start, 2))
    return _row(month, user, actuals, month.quarter_target.program)


_KIND_ORDER = {"company": 0, "region": 1, "team": 2, "owner": 3}


def _order(row: Table2Row) -> tuple[Any, ...]:
    """Wholes before their parts (the company, then regions, teams, owners), then by month."""
    kind = scope_kind(row.target)
    return (_KIND_ORDER[kind], row.region_name, scope_name(row.target), row.target.pk,
            row.month.month)  # fmt: skip


def _row(month: MonthTarget, user: Any, actuals: _Actuals, program: Program) -> Table2Row:
    target = month.quarter_target
    revenue = actuals.value("revenue", target, month.month)
    actual = Decimal(str(round(revenue, 2))) if revenue is not None else None
    finished = add_months(month.month, 1) <= company_today()
    row = Table2Row(
        month, target, actual, finished, access.can_edit_execution_row(user, row_team(target)),
        settings.SALESOPT_ATTAINMENT_THRESHOLD,
    )  # fmt: skip
    if row.below and actual is not None:
        drivers, remainder = _drivers(row, actuals, program)
        row = replace(row, drivers=drivers, remainder=remainder)
    return row


def gap_drivers(
    actual: float, target: float, changes: dict[str, tuple[float, float]]
) -> tuple[dict[str, float], float]:
    """The gap `actual − target` split among drivers by the logarithmic mean: driver → (now,
    baseline) gives effect = L(actual, target) × ln(now / baseline), where L(a, b) = (a − b) /
    ln(a / b). Returns each driver's effect in yuan and what they leave unexplained."""
    gap = actual - target
    if actual <= 0 or target <= 0 or gap == 0:
        return {}, gap
    mean = gap / math.log(actual / target)
    effects = {
        metric: mean * math.log(now / baseline)
        for metric, (now, baseline) in changes.items()
        if now > 0 and baseline > 0
    }
    return effects, gap - sum(effects.values())


def _drivers(
    row: Table2Row, actuals: _Actuals, program: Program
) -> tuple[list[Driver], float | None]:
    changes: dict[str, tuple[float, float]] = {}
    for metric in DRIVERS:
        now = actuals.value(metric, row.target, row.month.month)
        baseline = actuals.baseline(metric, row.target, program)
        if now is None or baseline is None:
            return [], None
        changes[metric] = (now, baseline)
    effects, remainder = gap_drivers(float(row.actual or 0), float(row.month.amount), changes)
    gap = float((row.actual or 0) - row.month.amount)
    labels = {"lead_count": _("leads"), "lead_conversion_rate": _("conversion"),
              "average_order_value": _("order value")}  # fmt: skip
    drivers = [
        Driver(
            metric,
            labels[metric],
            changes[metric][0],
            changes[metric][1],
            effect,
            effect / gap if gap else 0.0,
        )
        for metric, effect in effects.items()
    ]
    return drivers, remainder


def last_years_shares(target: QuarterTarget) -> list[float] | None:
    """The shares the same three months of last year had of their quarter's revenue in the
    target's scope; None unless each of them had revenue."""
    start = add_months(target.quarter_start, -12)
    actuals = _Actuals(access.command_line_reader(), start, add_months(start, 2))
    values = [actuals.value("revenue", target, add_months(start, i)) or 0.0 for i in range(3)]
    # A month without revenue is most often a month before the data begins: its share of 0
    # would put the whole quarter on the other months.
    if min(values) <= 0:
        return None
    return values


def month_history(month: MonthTarget) -> list[Change]:
    """The Table 2 row's accepted changes, newest first: its target, analysis and action."""
    return row_history(month, first=("amount", "variance_note", "corrective_action"))


def quarters_of(program: Program) -> list[Quarter]:
    starts = QuarterTarget.objects.filter(program=program).values_list("quarter_start", flat=True)
    return sorted({Quarter.containing(start) for start in starts}, key=lambda q: q.start)


def parent_summaries(program: Program, quarter: Quarter) -> list[tuple[QuarterTarget, Decimal]]:
    """Each whole of the quarter with the sum of its parts (equal, or its parts are none)."""
    wholes = QuarterTarget.objects.filter(program=program, quarter_start=quarter.start,
                                          parts__isnull=False).distinct()  # fmt: skip
    return [(whole, sum((part.amount for part in whole.parts.all()), Decimal(0)))
            for whole in wholes]  # fmt: skip


def table_2_json(*, program: Program, user: Any, quarter: Quarter) -> list[dict[str, Any]]:
    rows = []
    for row in table_2_rows(program=program, user=user, quarter=quarter):
        target = row.target
        rows.append({
            "id": row.month.pk,
            "quarter": str(quarter),
            "quarter_target": float(target.amount),
            "month": row.month.month.strftime("%Y-%m"),
            "region": row.region_name or None,
            "team": row.team_name or None,
            "owner": target.owner.get_username() if target.owner_id else None,  # type: ignore[union-attr]
            "target": float(row.month.amount),
            "actual": float(row.actual) if row.actual is not None else None,
            "attainment": round(row.attainment, 4) if row.attainment is not None else None,
            "variance_note": row.month.variance_note,
            "corrective_action": row.month.corrective_action,
            "version": row.month.version,
        })  # fmt: skip
    return rows
