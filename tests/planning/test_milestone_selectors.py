"""Done, late and next per deal, on a pinned clock (`now` passed in: never today's date).

The default milestones (migration planning.0003): proposal submitted (rep, file, due 14 days
after creation), contract review (team lead, file, 30 days), signed (rep, file, 45 days). The
deal is created on 2026-10-01 09:00 UTC, so they are due on 10-15, 10-31 and 11-15, 09:00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planning.milestone_selectors import MilestoneStatus, deal_milestones, deal_page
from planning.models import MilestoneDefinition
from salesopt.core.models import OpportunityStage
from tests.factories import MilestoneCompletionFactory, OpportunityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("default_milestones")]
CREATED = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
NOV_10 = dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)


def default(key: str) -> MilestoneDefinition:
    return MilestoneDefinition.objects.get(default_key=key)


@pytest.fixture
def deal(rep):
    opportunity = OpportunityFactory(owner=rep, created_in_crm_at=CREATED, stage="proposal")
    # The proposal went in on 10-20, five days after its due date.
    MilestoneCompletionFactory(
        opportunity=opportunity,
        milestone=default("proposal_submitted"),
        done_at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC),
        link="",
        file="milestones/proposal.pdf",
    )
    return opportunity


def test_done_late_and_next_on_november_10(deal):
    milestones = deal_milestones(opportunity=deal, now=NOV_10)

    # Proposal done 5 days late; contract review due 10-31 09:00, 10 days and an hour ago;
    # signed due 11-15, still ahead.
    assert [(s.milestone.default_key, s.status, s.days_late) for s in milestones.states] == [
        ("proposal_submitted", MilestoneStatus.DONE_LATE, 5),
        ("contract_review", MilestoneStatus.LATE, 10),
        ("signed", MilestoneStatus.DUE, 0),
    ]
    assert milestones.next.milestone.default_key == "contract_review"
    assert [state.milestone.default_key for state in milestones.late] == ["contract_review"]
    assert milestones.done == 1


def test_a_milestone_is_late_only_once_its_due_time_has_passed(deal):
    just_before = dt.datetime(2026, 10, 31, 8, 59, tzinfo=dt.UTC)

    states = deal_milestones(opportunity=deal, now=just_before).states

    assert states[1].status == MilestoneStatus.DUE


def test_a_closed_deal_has_nothing_late_and_no_next(deal):
    deal.stage = OpportunityStage.LOST
    deal.save()

    milestones = deal_milestones(opportunity=deal, now=NOV_10)

    assert [state.status for state in milestones.states] == [
        MilestoneStatus.DONE_LATE,
        MilestoneStatus.CLOSED,
        MilestoneStatus.CLOSED,
    ]
    assert (milestones.next, milestones.late) == (None, [])


def test_the_late_filter_keeps_open_deals_with_a_milestone_past_due(deal, rep, manager):
    # Created on 11-01: its proposal is due on 11-15, not late on 11-10.
    OpportunityFactory(owner=rep, created_in_crm_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    OpportunityFactory(owner=rep, created_in_crm_at=CREATED, stage="won")  # closed

    _page, late = deal_page(user=manager, now=NOV_10, late_only=True)
    _page, everything = deal_page(user=manager, now=NOV_10, open_only=False)

    assert [row.opportunity.pk for row in late] == [deal.pk]
    assert len(everything) == 3


def test_a_rep_pages_through_their_own_deals_only(deal, rep, east_rep):
    OpportunityFactory(owner=east_rep)

    _page, rows = deal_page(user=rep, now=NOV_10)

    assert [row.opportunity.pk for row in rows] == [deal.pk]
