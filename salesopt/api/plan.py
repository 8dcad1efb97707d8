"""`GET /api/plan/?program=ID`: the plan of a program, as `manage.py plan --json` prints it.

`/api/plan/goals/` and `/api/plan/measures/` answer its two lists alone. Without `program`,
the program the Plan page shows (the one chosen in the switcher, else the most recent). Read by
those who read the plan page (`access.can_view_plan`); a team lead sees the figures of their
own team's goals only, as on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from planning import selectors
from salesopt.core import access
from salesopt.core.models import Program
from salesopt.core.programs import current_program

from .schemas import ErrorOut

# exclude_unset: a company-wide goal's scope is `{"dimension": "company"}`, without id or name.
router = Router(tags=["Plan"], exclude_unset=True, by_alias=True)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PLAN_READERS_ONLY = "the plan is read by admins, sales managers, executives and team leads"


class ProgramQuery(Schema):
    program: int | None = Field(
        None, description="The program's id; by default the one the Plan page shows."
    )


class ScopeOut(Schema):
    dimension: str = Field(description="`company`, `region`, `team` or `product_line`.")
    id: int | None = None
    name: str | None = None


class BaselineOut(Schema):
    period_from: dt.date = Field(alias="from")
    period_to: dt.date = Field(alias="to")
    value: float


class GoalOut(Schema):
    id: int
    kpi: str
    scope: ScopeOut
    baseline: BaselineOut
    target: float
    deadline: dt.date
    owner: str
    status: str | None = Field(
        description="not_started, on_track, at_risk, missed or met; null when the reader "
        "may not see the goal's figures."
    )
    current: float | None
    findings: list[int]
    warnings: list[str | None]


class GroupOut(Schema):
    teams: list[str]
    reps: list[str]


class MeasureOut(Schema):
    id: int
    line: str = Field(description="goal, process, team or tool.")
    title: str
    owner: str
    planned_completion: dt.date
    goals: list[int]
    findings: list[int]
    pilot: GroupOut
    control: GroupOut
    starts: dt.date | None


class CalendarOut(Schema):
    zone: str
    opens: str
    closes: str
    weekdays: list[int] = Field(description="ISO weekdays: 1 is Monday.")
    china_holidays: bool
    days_off: list[dt.date]
    working_days: list[dt.date]


class LeadPolicyOut(Schema):
    version: int | None
    effective_from: dt.date | None
    crm_grade_wins: bool
    deadlines: dict[str, float] = Field(description="Response deadline per grade, in hours.")
    calendar: CalendarOut


class PlanOut(Schema):
    program: int
    goals: list[GoalOut]
    measures: list[MeasureOut]
    lead_policy: LeadPolicyOut


def _plan(request: HttpRequest, program_id: int | None) -> dict[str, Any]:
    """The plan the reader asked for, through the selector the `plan` command uses."""
    reader = request.auth  # type: ignore[attr-defined]
    if not access.can_view_plan(reader):
        raise PermissionDenied(PLAN_READERS_ONLY)
    program = _program(request, reader, program_id)
    return selectors.plan_json(program=program, user=reader)


def _program(request: HttpRequest, reader: Any, program_id: int | None) -> Program:
    """`program_id` among the programs the reader may see; without it, the Plan page's own."""
    if program_id is None:
        program = current_program(request)
        if program is None:
            raise Http404("there is no program yet")
        return program
    program = access.visible_programs(reader).filter(pk=program_id).first()
    if program is None:
        raise Http404(f"no program with id {program_id}")
    return program


@router.get(
    "/",
    url_name="plan",
    operation_id="plan",
    summary="A program's plan: goals with their status, measures, the lead policy",
    response={200: PlanOut, **REFUSALS},
)
def plan_read(request: HttpRequest, query: Query[ProgramQuery]) -> dict[str, Any]:
    return _plan(request, query.program)


@router.get(
    "/goals/",
    url_name="plan-goals",
    operation_id="plan_goals",
    summary="A program's goals, with their baseline, target, deadline and status",
    response={200: list[GoalOut], **REFUSALS},
)
def plan_goals_read(request: HttpRequest, query: Query[ProgramQuery]) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = _plan(request, query.program)["goals"]
    return goals


@router.get(
    "/measures/",
    url_name="plan-measures",
    operation_id="plan_measures",
    summary="A program's measures, with their pilot and control groups",
    response={200: list[MeasureOut], **REFUSALS},
)
def plan_measures_read(request: HttpRequest, query: Query[ProgramQuery]) -> list[dict[str, Any]]:
    measures: list[dict[str, Any]] = _plan(request, query.program)["measures"]
    return measures
