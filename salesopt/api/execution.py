"""`GET /api/execution/plan/` and `/api/execution/table-3/` (`?program=ID`): the execution
plan and Table 3 as `manage.py execution --json` prints them; `/api/execution/kickoff/`: the
kick-off with its attendees. Every role reads them within its scope, as on the pages (reps
their own rows); without `program`, the program the pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from execution import kickoff_selectors, review_selectors
from execution.measure_selectors import table_3_json
from execution.selectors import plan_rows_json
from execution.target_selectors import table_2_json
from salesopt.core import access
from salesopt.core.periods import Quarter, company_today
from salesopt.kpis.selectors import KpiQueryError

from .plan import ProgramQuery, _program
from .schemas import ErrorOut

router = Router(tags=["Execution"])
REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class TaskOut(Schema):
    id: int
    task: str
    owner: str | None = Field(description="The owner's username.")
    start: dt.date
    end: dt.date
    deliverable: str
    resources: str
    status: str = Field(description="not_started, in_progress or done.")
    done_on: dt.date | None
    notes: str
    overdue: bool = Field(description="Past its end and not done.")
    measure: int | None
    goal: int | None
    team: str | None
    version: int = Field(description="The row's version: an edit names the one it was made on.")


class PlanTableOut(Schema):
    program: int
    table: str
    rows: list[TaskOut]


class MeasureTrackingOut(Schema):
    measure: int
    title: str
    line: str
    owner: str
    planned_completion: dt.date
    actual_completion: dt.date | None
    quality: str | None = Field(description="excellent, good, fair or poor.")
    reason: str = Field(description="Why it is late or not done.")
    state: str = Field(description="open, overdue, done or done_late.")
    version: int


class MeasureTableOut(Schema):
    program: int
    table: str
    rows: list[MeasureTrackingOut]


class MonthTargetOut(Schema):
    id: int
    quarter: str = Field(description="2026-Q1")
    quarter_target: float
    month: str = Field(description="YYYY-MM")
    region: str | None
    team: str | None
    owner: str | None = Field(description="The owner's username.")
    target: float
    actual: float | None = Field(description="The month's revenue, from the KPI snapshots.")
    attainment: float | None = Field(description="actual ÷ target, a fraction.")
    variance_note: str
    corrective_action: str
    version: int


class TargetTableOut(Schema):
    program: int
    table: str
    rows: list[MonthTargetOut]


class QuarterQuery(ProgramQuery):
    quarter: str | None = Field(None, description="2026-Q1; by default the current quarter.")


class DecisionOut(Schema):
    text: str
    owner: str | None = Field(description="The owner's username.")
    due_on: dt.date | None


class ReviewOut(Schema):
    week_start: dt.date = Field(description="The Monday of the week reviewed.")
    closed_at: dt.datetime | None
    notes: str
    decisions: list[DecisionOut]
    figures: dict[str, Any] | None = Field(
        description="tasks_due, tasks_overdue, tasks_done, measures_late, attainment, trends: "
        "frozen at closing, live while open; null for readers who are not company-wide."
    )


class ReviewListOut(Schema):
    program: int
    reviews: list[ReviewOut]


class AttendeeOut(Schema):
    name: str
    username: str | None
    department: str
    duty: str
    acknowledged_at: dt.datetime | None
    recorded_by: str | None = Field(description="Who recorded a guest's acknowledgement.")


class KickOffOut(Schema):
    program: int
    held_on: dt.date
    place: str
    notes: str
    goals: list[int]
    measures: list[int]
    attendees: list[AttendeeOut]


def _reader(request: HttpRequest) -> Any:
    reader = request.auth  # type: ignore[attr-defined]
    if access.role_of(reader) is None:
        raise PermissionDenied("the execution tables are read by users with a role")
    return reader


@router.get("/plan/", url_name="execution-plan", operation_id="execution_plan",
            summary="The execution plan table: tasks, owners, dates, status",
            response={200: PlanTableOut, **REFUSALS})  # fmt: skip
def plan_table(request: HttpRequest, query: Query[ProgramQuery]) -> dict[str, Any]:
    reader = _reader(request)
    program = _program(request, reader, query.program)
    return {"program": program.pk, "table": "plan",
            "rows": plan_rows_json(program=program, user=reader)}  # fmt: skip


@router.get("/table-2/", url_name="execution-table-2", operation_id="execution_table_2",
            summary="Table 2: a quarter's targets by month and part, with actuals and attainment",
            response={200: TargetTableOut, 400: ErrorOut, **REFUSALS})  # fmt: skip
def target_table(request: HttpRequest, query: Query[QuarterQuery]) -> Any:
    reader = _reader(request)
    program = _program(request, reader, query.program)
    try:
        quarter = (Quarter.parse(query.quarter) if query.quarter
                   else Quarter.containing(company_today()))  # fmt: skip
    except ValueError:
        raise KpiQueryError(f"not a quarter: {query.quarter} (write it as 2026-Q1)") from None
    return {"program": program.pk, "table": "2",
            "rows": table_2_json(program=program, user=reader, quarter=quarter)}  # fmt: skip


@router.get("/table-3/", url_name="execution-table-3", operation_id="execution_table_3",
            summary="Table 3: each measure's actual completion, quality and reason",
            response={200: MeasureTableOut, **REFUSALS})  # fmt: skip
def measure_table(request: HttpRequest, query: Query[ProgramQuery]) -> dict[str, Any]:
    reader = _reader(request)
    program = _program(request, reader, query.program)
    return {"program": program.pk, "table": "3",
            "rows": table_3_json(program=program, user=reader)}  # fmt: skip


@router.get("/reviews/", url_name="execution-reviews", operation_id="execution_reviews",
            summary="The weekly reviews: notes, decisions, and the figures reviewed",
            response={200: ReviewListOut, **REFUSALS})  # fmt: skip
def reviews(request: HttpRequest, query: Query[ProgramQuery]) -> dict[str, Any]:
    reader = _reader(request)
    if not review_selectors.can_read_reviews(reader):
        raise PermissionDenied("the weekly reviews are read by managers, executives, team leads")
    program = _program(request, reader, query.program)
    company = access.sees_whole_company(reader)
    listed = []
    for review in review_selectors.reviews_of(program).prefetch_related("decisions__owner"):
        listed.append({
            "week_start": review.week_start, "closed_at": review.closed_at, "notes": review.notes,
            "decisions": [{"text": d.text, "owner": d.owner.get_username() if d.owner else None,
                           "due_on": d.due_on} for d in review.decisions.all()],
            "figures": review_selectors.review_figures(review) if company else None,
        })  # fmt: skip
    return {"program": program.pk, "reviews": listed}


@router.get("/kickoff/", url_name="execution-kickoff", operation_id="execution_kickoff",
            summary="The kick-off: date, what was presented, attendees and their duties",
            response={200: KickOffOut, **REFUSALS})  # fmt: skip
def kickoff(request: HttpRequest, query: Query[ProgramQuery]) -> Any:
    reader = _reader(request)
    program = _program(request, reader, query.program)
    meeting = kickoff_selectors.kickoff_of(program)
    if meeting is None:
        raise Http404("this program has no kick-off recorded yet")
    attendees = [
        {
            "name": row.shown_name,
            "username": row.attendee.user.get_username() if row.attendee.user else None,
            "department": row.role_or_department,
            "duty": row.attendee.duty,
            "acknowledged_at": row.attendee.acknowledged_at,
            "recorded_by": row.attendee.acknowledged_for_by.get_username()
            if row.attendee.acknowledged_for_by
            else None,
        }
        for row in kickoff_selectors.attendances(meeting, reader)
    ]
    return {
        "program": program.pk, "held_on": meeting.held_on, "place": meeting.place,
        "notes": meeting.notes, "goals": [goal.pk for goal in meeting.goals.all()],
        "measures": [measure.pk for measure in meeting.measures.all()], "attendees": attendees,
    }  # fmt: skip
