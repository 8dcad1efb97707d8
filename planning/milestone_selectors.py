"""Deal milestones as a reader sees them: each deal's milestones done, late and next.

A milestone is due `due_offset_days` after the opportunity was created in the CRM. It is
*late* when it is not done, its due time has passed and the deal is still open; *done late*
when it was done after its due time. The *next* milestone is the open deal's first one not
done, in the list's order. A won or lost deal has no next milestone and nothing late.
Opportunities are always fetched through salesopt.core.access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet

from salesopt.core import access
from salesopt.core.models import Opportunity, OpportunityStage

from .models import MilestoneCompletion, MilestoneDefinition

CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
DEALS_PER_PAGE = 50


class MilestoneStatus(StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    LATE = "late"
    DUE = "due"  # not done, not yet due
    CLOSED = "closed"  # not done, and the deal closed


_LATE = (MilestoneStatus.LATE, MilestoneStatus.DONE_LATE)


@dataclass(frozen=True)
class MilestoneState:
    milestone: MilestoneDefinition
    due_at: dt.datetime
    completion: MilestoneCompletion | None
    status: MilestoneStatus
    is_next: bool
    # Whole days past due: until now for a late milestone, until it was done for one done late.
    days_late: int = 0


@dataclass(frozen=True)
class DealMilestones:
    opportunity: Opportunity
    states: list[MilestoneState]

    @property
    def done(self) -> int:
        return sum(
            s.status in (MilestoneStatus.DONE, MilestoneStatus.DONE_LATE) for s in self.states
        )

    @property
    def late(self) -> list[MilestoneState]:
        return [state for state in self.states if state.status == MilestoneStatus.LATE]

    @property
    def next(self) -> MilestoneState | None:
        return next((state for state in self.states if state.is_next), None)


def milestone_definitions(*, include_retired: bool = False) -> QuerySet[MilestoneDefinition]:
    definitions = MilestoneDefinition.objects.all()
    return definitions if include_retired else definitions.filter(active=True)


def visible_deal(*, user: Any, pk: int) -> Opportunity:
    """One opportunity within the user's reach; Opportunity.DoesNotExist (→ 404) otherwise."""
    return access.visible_opportunities(user).select_related("owner__profile", "region").get(pk=pk)


def deal_milestones(*, opportunity: Opportunity, now: dt.datetime) -> DealMilestones:
    """The opportunity's milestones, each with its due time and status."""
    return _states_of([opportunity], milestone_definitions(), now)[0]


def deal_page(
    *, user: Any, now: dt.datetime, late_only: bool = False, open_only: bool = True, page: Any = 1
) -> tuple[Page[Opportunity], list[DealMilestones]]:
    """A page of the reader's deals, newest first, with their milestones (two queries each)."""
    deals = access.visible_opportunities(user).select_related("owner__profile", "region")
    if open_only or late_only:
        deals = deals.exclude(stage__in=CLOSED_STAGES)
    if late_only:
        deals = deals.filter(late_condition(now))
    paginator = Paginator(deals.order_by("-created_in_crm_at", "-pk"), DEALS_PER_PAGE)
    shown = paginator.get_page(page)
    return shown, _states_of(list(shown.object_list), milestone_definitions(), now)


def late_condition(now: dt.datetime) -> Q:
    """Open deals with a milestone past due and not done (one EXISTS per milestone in use)."""
    condition = Q(pk__in=[])
    for milestone in milestone_definitions():
        done = MilestoneCompletion.objects.filter(opportunity=OuterRef("pk"), milestone=milestone)
        past_due = now - dt.timedelta(days=milestone.due_offset_days)
        condition |= Q(Q(created_in_crm_at__lt=past_due), ~Exists(done))
    return condition


def _states_of(
    deals: Sequence[Opportunity], definitions: QuerySet[MilestoneDefinition], now: dt.datetime
) -> list[DealMilestones]:
    milestones = list(definitions)
    completions = {
        (completion.opportunity_id, completion.milestone_id): completion
        for completion in MilestoneCompletion.objects.filter(
            opportunity__in=[deal.pk for deal in deals]
        ).select_related("done_by__profile")
    }
    return [_deal_states(deal, milestones, completions, now) for deal in deals]


def _deal_states(
    deal: Opportunity,
    milestones: list[MilestoneDefinition],
    completions: dict[tuple[int, int], MilestoneCompletion],
    now: dt.datetime,
) -> DealMilestones:
    is_open = deal.stage not in CLOSED_STAGES
    states, next_found = [], False
    for milestone in milestones:
        due_at = deal.created_in_crm_at + dt.timedelta(days=milestone.due_offset_days)
        completion = completions.get((deal.pk, milestone.pk))
        status = _status(completion, due_at, now, is_open)
        is_next = is_open and completion is None and not next_found
        next_found = next_found or is_next
        until = completion.done_at if completion is not None else now
        days_late = (until - due_at).days if status in _LATE else 0
        states.append(MilestoneState(milestone, due_at, completion, status, is_next, days_late))
    return DealMilestones(deal, states)


def _status(
    completion: MilestoneCompletion | None, due_at: dt.datetime, now: dt.datetime, is_open: bool
) -> MilestoneStatus:
    if completion is not None:
        return MilestoneStatus.DONE_LATE if completion.done_at > due_at else MilestoneStatus.DONE
    if not is_open:
        return MilestoneStatus.CLOSED
    return MilestoneStatus.LATE if now > due_at else MilestoneStatus.DUE
