"""Table 3 reads: each measure of the plan with how it was carried out, as the reader may see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from planning import selectors as plan_selectors
from salesopt.core import access
from salesopt.core.history import Change, row_history
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import company_today

from .editing import Cell
from .models import MeasureTracking, Quality

if TYPE_CHECKING:
    from planning.models import Measure

# The cells of Table 3 a person fills in (the measure, owner and planned completion are the plan's).
TRACKED_FIELDS = ("actual_completion", "quality", "reason")


class Progress(StrEnum):
    OPEN = "open"  # not done, not yet due
    OVERDUE = "overdue"  # not done, past its planned completion: flagged, never hidden
    DONE = "done"
    DONE_LATE = "done_late"


def visible_measures(user: Any, program: Program) -> QuerySet[Measure]:
    """The program's measures whose Table 3 row `user` reads: every one company-wide; a team
    lead's team's and the company-wide ones (owned by someone on no team); a rep's own."""
    measures = plan_selectors.measures(program=program).select_related(
        "tracking", "owner__profile__team"
    )
    return access.visible_team_rows(measures, user, team_field="owner__profile__team")


def tracking_of(measure: Measure) -> MeasureTracking | None:
    try:
        tracking: MeasureTracking = getattr(measure, "tracking")  # noqa: B009 (a reverse one-to-one)
    except MeasureTracking.DoesNotExist:
        return None
    return tracking


def progress_of(measure: Measure, tracking: MeasureTracking | None, today: dt.date) -> Progress:
    done = tracking.actual_completion if tracking is not None else None
    if done is not None:
        return Progress.DONE_LATE if done > measure.planned_completion else Progress.DONE
    return Progress.OVERDUE if measure.planned_completion < today else Progress.OPEN


def owner_team(measure: Measure) -> Any:
    profile = getattr(measure.owner, "profile", None)
    return profile.team if profile is not None else None


@dataclass(frozen=True)
class TrackingRow:
    measure: Measure
    tracking: MeasureTracking | None
    progress: Progress
    can_edit: bool

    @property
    def owner_name(self) -> str:
        return person_name(self.measure.owner)

    @property
    def version(self) -> int:
        return self.tracking.version if self.tracking is not None else 0

    @property
    def reason_needed(self) -> bool:
        """Late or not done, and nobody has said why yet."""
        late = self.progress in (Progress.OVERDUE, Progress.DONE_LATE)
        return late and not (self.tracking and self.tracking.reason)

    @property
    def progress_label(self) -> str:
        return {
            Progress.OPEN: _("under way"),
            Progress.OVERDUE: _("overdue"),
            Progress.DONE: _("done"),
            Progress.DONE_LATE: _("done late"),
        }[self.progress]

    @property
    def cells(self) -> list[Cell]:
        tracking = self.tracking
        shown = {
            "actual_completion": tracking.actual_completion.isoformat()
            if tracking and tracking.actual_completion
            else "",
            "quality": str(tracking.get_quality_display()) if tracking and tracking.quality else "",
            "reason": tracking.reason if tracking else "",
        }
        flags = {"reason": _("reason needed") if self.reason_needed else ""}
        return [
            Cell(
                f"measure-{self.measure.pk}-{field}",
                value,
                reverse("execution:measure_cell_editor", args=[self.measure.pk, field])
                if self.can_edit
                else None,
                flags.get(field, ""),
            )
            for field, value in shown.items()
        ]


def tracking_row(measure: Measure, user: Any, today: dt.date | None = None) -> TrackingRow:
    tracking = tracking_of(measure)
    return TrackingRow(
        measure,
        tracking,
        progress_of(measure, tracking, today or company_today()),
        access.can_edit_execution_row(user, owner_team(measure)),
    )


def tracking_rows(
    *, program: Program, user: Any, overdue_only: bool = False, owner: str | None = None
) -> list[TrackingRow]:
    """Table 3: one row per measure, in the plan's order; late rows flagged, never hidden."""
    today = company_today()
    measures = visible_measures(user, program).order_by("planned_completion", "pk")
    if owner and owner.isdigit():
        measures = measures.filter(owner_id=int(owner))
    rows = [tracking_row(measure, user, today) for measure in measures]
    if overdue_only:
        rows = [row for row in rows if row.progress in (Progress.OVERDUE, Progress.DONE_LATE)]
    return rows


def tracking_history(measure: Measure) -> list[Change]:
    """The Table 3 row's accepted changes, newest first (none until someone fills it in)."""
    tracking = tracking_of(measure)
    if tracking is None:
        return []
    return row_history(tracking, first=TRACKED_FIELDS)


def quality_options() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(value), str(label)) for value, label in Quality.choices]


def table_3_json(*, program: Program, user: Any) -> list[dict[str, Any]]:
    rows = []
    for row in tracking_rows(program=program, user=user):
        tracking = row.tracking
        done = tracking.actual_completion if tracking else None
        rows.append(
            {
                "measure": row.measure.pk,
                "title": row.measure.title,
                "line": row.measure.line,
                "owner": row.measure.owner.get_username(),
                "planned_completion": row.measure.planned_completion.isoformat(),
                "actual_completion": done.isoformat() if done else None,
                "quality": (tracking.quality or None) if tracking else None,
                "reason": tracking.reason if tracking else "",
                "state": str(row.progress),
                "version": row.version,
            }
        )
    return rows
