"""Plan test data: first responses in 华南 and 华东, worked out by hand.

"Now" is 2026-11-15 (frozen_today). The program's diagnosis window is July–September 2026 and
its execution starts on 1 October 2026. Response hours by month created:

    2026-04 (Q2)  华南 [8]
    2026-07…09    华南 [2, 4, 10] → median 4 (the window)   华东 [30]
    company window [2, 4, 10, 30] → median 7
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from salesopt.kpis.services import kpis_recompute
from tests.factories import LeadFactory, ProgramFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def answered_lead(region, owner, year, month, day, hours):
    created = dt.datetime(year, month, day, 10, tzinfo=SHANGHAI)
    return LeadFactory(
        region=region,
        owner=owner,
        created_in_crm_at=created,
        first_response_at=created + dt.timedelta(hours=hours),
    )


def recompute():
    kpis_recompute(period_from="2026-01", period_to="2026-12")


@pytest.fixture
def plan_program(frozen_today, manager, executive, south, east, rep, east_rep):
    answered_lead(south, rep, 2026, 4, 10, 8)
    for month, hours in ((7, 2), (8, 4), (9, 10)):
        answered_lead(south, rep, 2026, month, 12, hours)
    answered_lead(east, east_rep, 2026, 8, 3, 30)
    program = ProgramFactory(
        manager=manager,
        sponsor=executive,
        baseline_start=dt.date(2026, 7, 1),
        baseline_end=dt.date(2026, 9, 30),
        execution_start=dt.date(2026, 10, 1),
    )
    recompute()
    return program
