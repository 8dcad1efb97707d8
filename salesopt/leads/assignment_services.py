"""Writing the assignment set-up (policy, rules, capacities, leaves) and assigning by hand.

The sales manager and admins set the policy and the rules; a team lead sets their own reps'
capacities and leaves and assigns their team's leads; the manager assigns any lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    AssignmentPolicy,
    AssignmentReason,
    AssignmentRule,
    Lead,
    LeadAssignment,
    Notification,
    NotificationKind,
    ProductLine,
    Profile,
    Region,
    RepLeave,
    Role,
    Team,
)

from .assignment import AssignmentCounts, assign_leads, assignment_policy, remember_turns


def _require_plan_editor(user: Any) -> None:
    if not access.can_edit_plan(user):
        raise PermissionDenied


@transaction.atomic
def assignment_policy_update(
    *,
    user: Any,
    enabled: bool,
    method: str,
    weight_a: float,
    weight_b: float,
    weight_c: float,
    remind_before_hours: float,
    reassign_after_hours: float | None,
) -> AssignmentPolicy:
    _require_plan_editor(user)
    policy = assignment_policy()
    policy.enabled, policy.method = enabled, method
    policy.weight_a, policy.weight_b, policy.weight_c = weight_a, weight_b, weight_c
    policy.remind_before_hours = remind_before_hours
    policy.reassign_after_hours = reassign_after_hours
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def assignment_rule_save(
    *,
    user: Any,
    rule: AssignmentRule | None = None,
    team: Team,
    regions: Iterable[Region] = (),
    product_lines: Iterable[ProductLine] = (),
) -> AssignmentRule:
    """A new rule at the end, or `rule` changed in place. A rule without conditions routes
    every lead that reaches it: the catch-all for the end of the list."""
    _require_plan_editor(user)
    if not Profile.objects.filter(team=team, role=Role.SALES_REP, user__is_active=True).exists():
        raise ValidationError(
            _("Team %(team)s has no active rep: the leads it is given would all wait.")
            % {"team": team},
            code="team_without_reps",
        )
    if rule is None:
        last = AssignmentRule.objects.aggregate(most=Max("position"))["most"] or 0
        rule = AssignmentRule(position=last + 1)
    rule.team = team
    rule.save()
    rule.regions.set(list(regions))
    rule.product_lines.set(list(product_lines))
    return rule


@transaction.atomic
def assignment_rule_delete(*, user: Any, rule: AssignmentRule) -> None:
    _require_plan_editor(user)
    rule.delete()
    _renumber(list(AssignmentRule.objects.order_by("position")))


@transaction.atomic
def assignment_rule_move(*, user: Any, rule: AssignmentRule, up: bool) -> None:
    _require_plan_editor(user)
    rules = list(AssignmentRule.objects.select_for_update().order_by("position"))
    at = next(index for index, candidate in enumerate(rules) if candidate.pk == rule.pk)
    to = at - 1 if up else at + 1
    if 0 <= to < len(rules):
        rules[at], rules[to] = rules[to], rules[at]
        _renumber(rules)


def _renumber(rules: list[AssignmentRule]) -> None:
    # Two passes: positions are unique at every statement.
    offset = len(rules) + 1000
    for index, rule in enumerate(rules):
        AssignmentRule.objects.filter(pk=rule.pk).update(position=offset + index)
    for index, rule in enumerate(rules):
        AssignmentRule.objects.filter(pk=rule.pk).update(position=index + 1)


def _require_team_editor(user: Any, profile: Profile) -> None:
    if profile.team is None or not access.can_edit_team_tables(user, profile.team):
        raise PermissionDenied


def rep_capacity_set(*, user: Any, profile: Profile, capacity: int | None) -> Profile:
    _require_team_editor(user, profile)
    if capacity is not None and capacity < 0:
        raise ValidationError(_("A capacity is a number of open leads, 0 or more."))
    profile.lead_capacity = capacity
    profile.save(update_fields=["lead_capacity", "updated_at"])
    return profile


def rep_leave_add(
    *, user: Any, profile: Profile, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> RepLeave:
    _require_team_editor(user, profile)
    if ends_on < starts_on:
        raise ValidationError(_("A leave ends on or after the day it starts."), code="ends_first")
    overlapping = RepLeave.objects.filter(
        user=profile.user, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exists()
    if overlapping:
        raise ValidationError(
            _("%(rep)s already has a leave in those days.") % {"rep": profile},
            code="overlapping_leave",
        )
    return RepLeave.objects.create(
        user=profile.user, starts_on=starts_on, ends_on=ends_on, note=note.strip()
    )


def rep_leave_delete(*, user: Any, leave: RepLeave) -> None:
    _require_team_editor(user, leave.user.profile)
    leave.delete()


def can_assign(user: Any, lead: Lead, to: Profile) -> bool:
    """The manager assigns any lead to any rep; a team lead their team's leads (and the
    unassigned ones routed to their team or to none) to their own reps."""
    if access.can_edit_plan(user):
        return True
    if access.role_of(user) != Role.TEAM_LEAD:
        return False
    team = access.team_of(user)
    if team is None or to.team_id != team.pk:
        return False
    if lead.owner_id is None:
        return lead.routed_team_id in (None, team.pk)
    return access.visible_leads(user).filter(pk=lead.pk).exists()


@transaction.atomic
def lead_assign_by_hand(
    *, user: Any, lead: Lead, to: Profile, now: dt.datetime | None = None
) -> Lead:
    now = now or timezone.now()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if to.role != Role.SALES_REP or not to.user.is_active or to.team_id is None:
        raise ValidationError(
            _("Leads go to active reps who belong to a team; %(name)s does not.") % {"name": to},
            code="not_a_rep",
        )
    if not can_assign(user, lead, to):
        raise PermissionDenied
    if lead.status not in OPEN_LEAD_STATUSES:
        raise ValidationError(_("This lead is closed: there is nothing to assign."), code="closed")
    if lead.owner_id == to.user_id:
        raise ValidationError(_("%(name)s already owns this lead.") % {"name": to}, code="same")
    previous = lead.owner_id
    lead.owner_id, lead.routed_team_id = to.user_id, to.team_id
    Lead.objects.filter(pk=lead.pk).update(owner_id=to.user_id, routed_team_id=to.team_id)
    LeadAssignment.objects.create(
        lead=lead,
        at=now,
        team_id=to.team_id,
        assigned_to_id=to.user_id,
        previous_owner_id=previous,
        reason=AssignmentReason.BY_HAND,
        by=user,
    )
    remember_turns([(to.team_id, to.user_id)])
    Notification.objects.get_or_create(
        user_id=to.user_id,
        key=f"assigned:{lead.pk}:{now.isoformat()}",
        defaults={"kind": NotificationKind.ASSIGNED, "lead": lead, "created_at": now,
                  "detail": {"by": str(getattr(user, "profile", user))}},
    )  # fmt: skip
    return lead


def assign_queue_now(*, user: Any, now: dt.datetime | None = None) -> AssignmentCounts:
    """Run the rules over every lead waiting in the unassigned queue (after a rule, a
    capacity or a leave changed)."""
    _require_plan_editor(user)
    return assign_leads("1 = 1", [], now=now or timezone.now(), by=user)
