"""API test data: the plan fixture of tests/planning, with one goal and one measure on it.

The goal: 华南's median first response, baseline 4 h over July–September 2026, −25% → 3 h by
2027-03-31. One October lead answered in 2 h makes its figure since the execution start 2 h:
the goal is met.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planning.goals import GoalScope
from planning.models import TargetKind
from planning.services import goal_create, measure_create
from salesopt.kpis.services import api_token_create
from tests.diagnosis.factories import FindingFactory
from tests.planning.conftest import answered_lead, recompute
from tests.planning.conftest import plan_program as plan_program


@pytest.fixture
def plan(plan_program, manager, south, rep, south_team, east_team):
    """The program with its goal and its measure (piloted on 华南一组 against 华东一组)."""
    answered_lead(south, rep, 2026, 10, 12, 2)
    recompute()
    goal = goal_create(
        program=plan_program,
        user=manager,
        metric="first_response_hours",
        scope=GoalScope("region", south.pk, south.name),
        target_kind=TargetKind.RELATIVE,
        target_input=-25.0,
        deadline=dt.date(2027, 3, 31),
        owner=manager,
        findings=[FindingFactory(program=plan_program)],
    )
    measure_create(
        program=plan_program,
        line="process",
        title="A leads answered within 2 working hours",
        owner=manager,
        planned_completion=dt.date(2027, 1, 31),
        goals=[goal],
        pilot_teams=[south_team],
        control_teams=[east_team],
        starts_on=dt.date(2026, 12, 1),
    )
    return plan_program


@pytest.fixture
def bearer(manager):
    """The manager's token, as the header a script sends."""
    return {"Authorization": f"Bearer {api_token_create(user=manager)}"}
