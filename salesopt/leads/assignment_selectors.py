"""Assignment reads: the rules in words, the unassigned queue, a lead's log, the reps' loads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    AssignmentMethod,
    AssignmentReason,
    AssignmentRule,
    Lead,
    LeadAssignment,
    Profile,
    RepLeave,
    Role,
)
from salesopt.core.periods import company_today

from .assignment import assignment_policy

# A working session's worth of leads: the page stays quick to read (and to draw), and the
# pages after it are one click away rather than cut off.
QUEUE_PAGE_ROWS = 50


def routing_rule_text(rule: AssignmentRule) -> str:
    parts = []
    regions = [region.name for region in rule.regions.all()]
    if regions:
        parts.append(_("region %(values)s") % {"values": " / ".join(regions)})
    lines = [line.name for line in rule.product_lines.all()]
    if lines:
        parts.append(_("product line %(values)s") % {"values": " / ".join(lines)})
    return " · ".join(parts) if parts else _("every lead that reaches this rule")


def routing_rules() -> list[tuple[AssignmentRule, str]]:
    rules = AssignmentRule.objects.select_related("team").prefetch_related(
        "regions", "product_lines"
    )
    return [(rule, routing_rule_text(rule)) for rule in rules.order_by("position")]


def assignment_text(entry: LeadAssignment) -> str:
    """Why a lead went where it did, in the reader's language."""
    detail, team = entry.detail or {}, entry.team
    position = entry.rule_position if entry.rule_position is not None else "?"
    if entry.reason == AssignmentReason.RULE:
        method = dict(AssignmentMethod.choices).get(entry.method, "")
        text = _("Rule %(position)s → %(team)s, %(method)s") % {
            "position": position,
            "team": team or "—",
            "method": method,
        }
        if entry.method == AssignmentMethod.LEAST_LOADED:
            text += " " + _("(load %(load)s then)") % {"load": entry.load or 0.0}
        return text
    if entry.reason == AssignmentReason.NO_RULE:
        return _("Waiting: no assignment rule routes its region and product line.")
    if entry.reason == AssignmentReason.TEAM_FULL:
        return _("Waiting: rule %(position)s routes it to %(team)s, whose reps are all at "
                 "capacity or on leave.") % {"position": position,
                                              "team": team or "—"}  # fmt: skip
    if entry.reason == AssignmentReason.BREACH:
        return _("Reassigned: still unanswered %(hours)s working hours after its deadline.") % {
            "hours": detail.get("hours", "?")
        }
    by = entry.by.profile if entry.by is not None and hasattr(entry.by, "profile") else entry.by
    return _("Assigned by hand by %(name)s.") % {"name": by or "—"}


def lead_log(lead: Lead) -> list[tuple[LeadAssignment, str]]:
    entries = LeadAssignment.objects.filter(lead=lead).select_related(
        "team", "assigned_to__profile", "previous_owner__profile", "by__profile"
    )
    return [(entry, assignment_text(entry)) for entry in entries.order_by("-id")]


def unassigned_leads(user: Any) -> QuerySet[Lead]:
    """The open leads without an owner that `user` must see: every one for the company-wide
    roles; for a team lead, those routed to their team and those no rule routes."""
    leads = Lead.objects.filter(owner__isnull=True, status__in=OPEN_LEAD_STATUSES)
    scope = access.scope_of(user)
    if scope.reach == access.Reach.COMPANY:
        pass
    elif scope.reach == access.Reach.TEAM and scope.team is not None:
        leads = leads.filter(Q(routed_team=scope.team) | Q(routed_team__isnull=True))
    else:
        return Lead.objects.none()
    return leads.select_related("region", "product_line", "routed_team").order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )


def last_reasons(leads: list[Lead]) -> dict[int, str]:
    """Each lead's latest log entry, in words."""
    latest: dict[int, LeadAssignment] = {}
    entries = LeadAssignment.objects.filter(lead__in=[lead.pk for lead in leads]).select_related(
        "team", "by__profile"
    )
    for entry in entries.order_by("lead_id", "-id"):
        latest.setdefault(entry.lead_id, entry)
    return {lead_id: assignment_text(entry) for lead_id, entry in latest.items()}


@dataclass(frozen=True)
class RepLoad:
    profile: Profile
    open_leads: int
    load: float
    leave: RepLeave | None
    upcoming_leaves: list[RepLeave]

    @property
    def at_capacity(self) -> bool:
        capacity = self.profile.lead_capacity
        return capacity is not None and self.open_leads >= capacity


def rep_loads(user: Any, *, today: dt.date | None = None) -> list[RepLoad]:
    """The reps `user` may see, each with open leads, weighted load and leaves."""
    today = today or company_today()
    weights = assignment_policy().weights
    profiles = list(
        access.visible_profiles(user)
        .filter(role=Role.SALES_REP, user__is_active=True)
        .order_by("team__name", "display_name", "user__username")
    )
    users = [profile.user_id for profile in profiles]
    counts: dict[int, tuple[int, float]] = {}
    grouped = (
        Lead.objects.filter(owner_id__in=users, status__in=OPEN_LEAD_STATUSES)
        .values_list("owner_id", "grade")
        .annotate(count=Count("id"))
        .order_by()
    )
    for owner_id, grade, count in grouped:
        open_leads, load = counts.get(owner_id, (0, 0.0))
        counts[owner_id] = (open_leads + count, load + count * weights.get(grade, weights["C"]))
    leaves: dict[int, list[RepLeave]] = {}
    for leave in RepLeave.objects.filter(user_id__in=users, ends_on__gte=today).order_by(
        "starts_on"
    ):
        leaves.setdefault(leave.user_id, []).append(leave)
    rows = []
    for profile in profiles:
        open_leads, load = counts.get(profile.user_id, (0, 0.0))
        own = leaves.get(profile.user_id, [])
        current = next((leave for leave in own if leave.starts_on <= today), None)
        rows.append(RepLoad(profile, open_leads, round(load, 2), current, own))
    return rows


class QueueView:
    MINE = "mine"
    TEAM = "team"
    BREACHES = "breaches"
    UNASSIGNED = "unassigned"


def queue_views(user: Any) -> list[str]:
    """The queues `user` has: a rep their own; a team lead and the company-wide roles also the
    team's (every team's), its breaches and the unassigned leads."""
    reach = access.scope_of(user).reach
    if reach == access.Reach.OWN:
        return [QueueView.MINE]
    if reach in (access.Reach.TEAM, access.Reach.COMPANY):
        return [QueueView.TEAM, QueueView.BREACHES, QueueView.UNASSIGNED]
    return []


@dataclass(frozen=True)
class QueueRow:
    lead: Lead
    breach: str
    time_left: str  # "2 h 05 min left", "3 h 10 min overdue", "answered late"
    urgent: bool  # overdue, or due within the reminder's lead time
    reason: str = ""


def _duration(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def time_left(lead: Lead, now: dt.datetime) -> str:
    from .selectors import Breach, breach_of

    state = breach_of(lead, now)
    if state == Breach.NO_DEADLINE:
        return _("no deadline")
    if state == Breach.ON_TIME:
        return _("answered on time")
    if state == Breach.LATE:
        return _("answered late")
    assert lead.due_at is not None
    if state == Breach.OVERDUE:
        return _("%(time)s overdue") % {"time": _duration(now - lead.due_at)}
    return _("%(time)s left") % {"time": _duration(lead.due_at - now)}


def queue_rows(
    *,
    user: Any,
    view: str,
    now: dt.datetime,
    grade: str | None = None,
    owner: str | None = None,
    overdue_only: bool = False,
    page: str | int | None = 1,
) -> tuple[list[QueueRow], Page[Lead] | None]:
    """One page of the open leads of a queue, soonest due first (overdue at the top, however
    old), and the page (its number, how many pages and leads in all; None: no such queue for
    `user`). Closed leads leave the queue; unanswered ones never do. A page number that is
    not one, or past the last, shows the first or the last page."""
    from .selectors import Breach, breach_of

    if view not in queue_views(user):
        return [], None
    if view == QueueView.UNASSIGNED:
        leads = unassigned_leads(user)
    else:
        leads = access.visible_leads(user).filter(status__in=OPEN_LEAD_STATUSES)
        if view == QueueView.MINE:
            leads = leads.filter(owner=user)
        else:
            leads = leads.filter(owner__isnull=False)
        if view == QueueView.BREACHES:
            leads = leads.filter(first_response_at__isnull=True, due_at__lt=now)
        leads = leads.select_related("owner__profile", "region", "product_line").order_by(
            F("due_at").asc(nulls_last=True), "pk"
        )
    if grade in ("A", "B", "C"):
        leads = leads.filter(grade=grade)
    elif grade == "none":
        leads = leads.filter(grade="")
    if owner and view in (QueueView.TEAM, QueueView.BREACHES):
        leads = leads.filter(owner__username=owner)
    if overdue_only:
        leads = leads.filter(first_response_at__isnull=True, due_at__lt=now)
    shown = Paginator(leads, QUEUE_PAGE_ROWS).get_page(page)
    reasons = last_reasons(list(shown)) if view == QueueView.UNASSIGNED else {}
    soon = dt.timedelta(hours=assignment_policy().remind_before_hours)
    rows = []
    for lead in shown:
        state = breach_of(lead, now)
        urgent = state == Breach.OVERDUE or (
            state == Breach.OPEN and lead.due_at is not None and lead.due_at - now <= soon
        )
        rows.append(QueueRow(lead, state, time_left(lead, now), urgent, reasons.get(lead.pk, "")))
    return rows, shown


def assignable_reps(user: Any, lead: Lead) -> list[Profile]:
    """The reps `user` may give `lead` to."""
    from .assignment_services import can_assign

    reps = (
        access.visible_profiles(user)
        .filter(role=Role.SALES_REP, user__is_active=True, team__isnull=False)
        .order_by("team__name", "display_name")
    )
    return [rep for rep in reps if can_assign(user, lead, rep) and rep.user_id != lead.owner_id]


def lead_for(user: Any, pk: int) -> Lead | None:
    """The lead if `user` may see it: their scope's, or one in their unassigned queue."""
    visible = access.visible_leads(user).filter(pk=pk) | unassigned_leads(user).filter(pk=pk)
    return (
        visible.select_related(
            "owner__profile",
            "region",
            "product_line",
            "routed_team",
            "grade_rule__version",
            "grading_version",
        )
        .prefetch_related("grade_rule__regions", "grade_rule__product_lines")
        .first()
    )


@dataclass(frozen=True)
class ChecklistRow:
    item: Any  # FollowUpItem
    state: str  # "done", "late" (done after its due time), "overdue", "open"


def checklist(lead: Lead, *, now: dt.datetime) -> list[ChecklistRow]:
    """The lead's follow-up items, the soonest due first; each with where it stands."""
    from salesopt.core.models import FollowUpItem

    rows = []
    for item in (
        FollowUpItem.objects.filter(lead=lead)
        .select_related("standard", "done_by__profile")
        .order_by("due_at", "pk")
    ):
        if item.done_at is not None:
            state = "done" if item.done_at <= item.due_at else "late"
        else:
            state = "overdue" if item.due_at < now else "open"
        rows.append(ChecklistRow(item, state))
    return rows


@dataclass(frozen=True)
class ComplianceRow:
    name: str
    graded: int  # leads with a response deadline, created in the window
    breached: int
    response_compliance: float | None  # share answered by the deadline
    follow_up_compliance: float | None
    follow_up_due: int


COMPLIANCE_CUTS = ("region", "team", "rep")


def sla_compliance(
    *, user: Any, by: str, first_month: dt.date, last_month: dt.date
) -> list[ComplianceRow]:
    """Response-deadline and follow-up compliance over whole months, one row per region, team
    or rep the reader may see, read through the KPI reader (one definition: sla_breach_rate
    and follow_up_compliance)."""
    from salesopt.kpis.selectors import KpiQueryError, kpi_window

    team = access.team_of(user)
    reps_of_team = (
        team.name
        if by == "rep" and access.scope_of(user).reach == access.Reach.TEAM and team
        else None
    )

    def read(metric: str) -> dict[str, Any]:
        try:
            series = kpi_window(
                user=user, metric=metric, period_from=first_month, period_to=last_month,
                by=by, reps_of_team=reps_of_team,
            )  # fmt: skip
        except KpiQueryError:
            return {}
        return {point.dims.get(by, ""): point for point in series.rows}

    breaches, follow_ups = read("sla_breach_rate"), read("follow_up_compliance")
    rows = []
    for name in sorted(set(breaches) | set(follow_ups)):
        breach, follow_up = breaches.get(name), follow_ups.get(name)
        graded = int(breach.denominator or 0) if breach else 0
        breached = int(breach.numerator or 0) if breach else 0
        rows.append(
            ComplianceRow(
                name=name,
                graded=graded,
                breached=breached,
                response_compliance=(1 - breached / graded) if graded else None,
                follow_up_compliance=follow_up.value if follow_up else None,
                follow_up_due=int(follow_up.denominator or 0) if follow_up else 0,
            )
        )
    return rows
