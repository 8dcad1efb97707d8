"""Stage conversion and time in stage, on a handful of deals worked out by hand.

Every time is 09:00 in Shanghai, so stays are whole days. The deals (stage: day entered):

    A  rep        华南  qual 10-01, needs 10-05, proposal 10-15, review 10-25, won 11-04
    B  rep        华南  qual 10-02, needs 10-04, proposal 10-10, lost 10-20
    C  other_rep  华南  qual 10-03, lost 10-09
    D  east_rep   华东  qual 10-06, needs 10-12, review 10-22 (skips proposal), won 11-01
    E  east_rep   华东  qual 09-28, needs 10-02 (still open)
    F  east_rep   华东  qual 10-07, proposal 10-30 first seen after a gap (still open)

Conversion, by the month a deal entered the pipeline. October's cohort is A, B, C, D, F; the
furthest stage each reached (a later stage counts as passing the earlier ones): A won, B
proposal, C qualification, D won, F proposal:

    reached qualification 5, needs analysis 4 (A B D F), proposal 4 (A B D F),
    contract review 2 (A D), won 2 (A D)
    → qual→needs 4/5, needs→proposal 4/4, proposal→review 2/4, review→won 2/2.
    华南 (A B C): 3, 2, 2, 1 → qual→needs 2/3, proposal→review 1/2.
    September's cohort is E alone: qual→needs 1/1, needs→proposal 0/1.

Time in stage, by the month a deal left the stage (to the next stage, or lost):

    qualification, October: A 4, B 2, C 6 (lost), D 6, E 4 (Sep 28 → Oct 2) = 22 / 5 = 4.4;
        F is left out (its next entry came after a gap). rep (A, B): 6 / 2 = 3.
    needs analysis, October: A 10, B 6 = 16 / 2 = 8 (D skipped proposal: left out).
    proposal, October: A 10, B 10 (lost) = 20 / 2 = 10.
    contract review, November: A 10, D 10 = 20 / 2 = 10; none left it in October.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salesopt.core.models import OpportunityStage
from salesopt.core.stage_history import refresh_progress
from salesopt.kpis.selectors import kpi_series, kpi_window
from tests.factories import OpportunityFactory, StageEntryFactory

from .conftest import figure, local, recompute, value_of

pytestmark = pytest.mark.django_db

SEP, OCT, NOV, Q4 = (
    dt.date(2026, 9, 1),
    dt.date(2026, 10, 1),
    dt.date(2026, 11, 1),
    dt.date(2026, 10, 1),
)


def deal(owner, region, stage, history, gaps=()):
    """An opportunity with its stage entries: (stage, (month, day)) in 2026 at 09:00."""
    first = local(2026, *history[0][1])
    opportunity = OpportunityFactory(
        owner=owner, region=region, stage=stage, created_in_crm_at=first
    )
    for entered, (month, day) in history:
        StageEntryFactory(
            opportunity=opportunity,
            stage=entered,
            entered_at=local(2026, month, day),
            after_gap=entered in gaps,
        )
    # As every writer of the history does (imports, the demo, the back-fill).
    refresh_progress("o.id = %s", [opportunity.pk])
    return opportunity


@pytest.fixture
def deals(frozen_today, rep, other_rep, east_rep, south, east):
    won, lost = OpportunityStage.WON, OpportunityStage.LOST
    deal(rep, south, won, [("qualification", (10, 1)), ("needs_analysis", (10, 5)),
                           ("proposal", (10, 15)), ("negotiation", (10, 25)),
                           ("won", (11, 4))])  # fmt: skip
    deal(rep, south, lost, [("qualification", (10, 2)), ("needs_analysis", (10, 4)),
                            ("proposal", (10, 10)), ("lost", (10, 20))])  # fmt: skip
    deal(other_rep, south, lost, [("qualification", (10, 3)), ("lost", (10, 9))])
    deal(east_rep, east, won, [("qualification", (10, 6)), ("needs_analysis", (10, 12)),
                               ("negotiation", (10, 22)), ("won", (11, 1))])  # fmt: skip
    deal(
        east_rep, east, "needs_analysis", [("qualification", (9, 28)), ("needs_analysis", (10, 2))]
    )
    deal(east_rep, east, "proposal", [("qualification", (10, 7)), ("proposal", (10, 30))],
         gaps=("proposal",))  # fmt: skip
    recompute()


def test_stage_conversion_of_the_october_cohort(deals):
    assert figure("stage_conversion_qualification", "month", OCT) == (0.8, 4, 5)
    assert figure("stage_conversion_needs_analysis", "month", OCT) == (1.0, 4, 4)
    assert figure("stage_conversion_proposal", "month", OCT) == (0.5, 2, 4)
    assert figure("stage_conversion_negotiation", "month", OCT) == (1.0, 2, 2)


def test_stage_conversion_by_region_and_cohort_month(deals, south):
    assert value_of("stage_conversion_qualification", "month", OCT, region=south.pk) == (
        pytest.approx(2 / 3)
    )
    assert value_of("stage_conversion_proposal", "month", OCT, region=south.pk) == 0.5
    assert figure("stage_conversion_qualification", "month", SEP) == (1.0, 1, 1)
    assert figure("stage_conversion_needs_analysis", "month", SEP) == (0.0, 0, 1)
    # The quarter adds September's cohort to October's: 5 of 6 reached needs analysis.
    assert figure("stage_conversion_qualification", "quarter", dt.date(2026, 7, 1)) == (1.0, 1, 1)
    assert figure("stage_conversion_qualification", "quarter", Q4) == (0.8, 4, 5)
    assert figure("stage_conversion_qualification", "year", dt.date(2026, 1, 1)) == (
        pytest.approx(5 / 6),
        5,
        6,
    )


def test_time_in_stage_is_the_mean_by_the_month_a_deal_left_it(deals, rep):
    assert figure("time_in_stage_qualification", "month", OCT) == (4.4, 22, 5)
    assert value_of("time_in_stage_qualification", "month", OCT, rep=rep.pk) == 3.0
    assert figure("time_in_stage_needs_analysis", "month", OCT) == (8.0, 16, 2)
    assert figure("time_in_stage_proposal", "month", OCT) == (10.0, 20, 2)
    assert figure("time_in_stage_negotiation", "month", NOV) == (10.0, 20, 2)
    # October has exits from other stages but none from contract review: no value ("—").
    assert figure("time_in_stage_negotiation", "month", OCT) == (None, 0, 0)
    assert value_of("time_in_stage_negotiation", "quarter", Q4) == 10.0


def test_the_readers_serve_the_stage_kpis_within_scope(deals, manager, team_lead, south):
    series = kpi_series(
        user=manager, metric="stage_conversion_qualification", by="region",
        period_from="2026-10", period_to="2026-10",
    )  # fmt: skip
    assert {row.dims["region"]: row.value for row in series.rows} == {
        "华东": 1.0,
        "华南": pytest.approx(2 / 3),
    }
    # The team lead of 华南一组 (rep and other_rep) reads their team's deals A, B, C only.
    window = kpi_window(
        user=team_lead, metric="time_in_stage_qualification",
        period_from="2026-10", period_to="2026-11",
    )  # fmt: skip
    assert [(row.value, row.numerator, row.denominator) for row in window.rows] == [(4.0, 12, 3)]
