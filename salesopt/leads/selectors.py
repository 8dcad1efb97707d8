"""Lead process reads: the preview of a grading draft on the company's real leads, the reason
a lead got its grade, and the latest re-grade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from salesopt.core import access
from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    CompanySize,
    GradingRule,
    GradingVersion,
    Lead,
    Regrade,
    Role,
    Urgency,
)
from salesopt.core.periods import company_today, start_of_day
from salesopt.core.working_time import company_calendar

from . import progress
from .grading import (
    GRADES,
    Policy,
    grade,
    policy_with,
    read_leads,
    rule_matches,
    version_spec,
)
from .services import open_leads_since

PREVIEW_DAYS = 90  # the recent inflow a draft is tried on


@dataclass(frozen=True)
class GradeShare:
    grade: str  # "" for ungraded
    now: int
    draft: int
    leads_per_rep_day: float | None
    deadline_hours: float | None

    @property
    def change(self) -> int:
        return self.draft - self.now


@dataclass(frozen=True)
class RuleReach:
    position: int
    grade: str
    grades: int  # leads it grades (the first rule they meet)
    shadowed: int  # leads it matches that an earlier rule already grades
    description: str


@dataclass(frozen=True)
class Preview:
    first_day: dt.date
    last_day: dt.date
    leads: int
    shares: list[GradeShare]
    changed: int
    ungraded: int
    rules: list[RuleReach]
    reps: int
    working_days: int
    open_leads: int
    open_changed: int


def grading_preview(*, version: GradingVersion) -> Preview:
    """What `version` would do: to the leads of the last PREVIEW_DAYS days (as if it had been
    in force for them), and to the open leads a re-grade would touch."""
    last = company_today()
    first = last - dt.timedelta(days=PREVIEW_DAYS - 1)
    spec = version_spec(version)
    calendar = company_calendar()
    recent = read_leads(
        "created_in_crm_at >= %s AND created_in_crm_at < %s",
        [start_of_day(first), start_of_day(last + dt.timedelta(days=1))],
    )
    # Every recent lead graded by this version, whatever its effective date.
    everywhere = Policy((replace(spec, effective_from=min(spec.effective_from, first)),))
    tried = grade(recent, everywhere, calendar)
    now_grades = recent["grade"].to_numpy(dtype=object)
    working_days = sum(
        calendar.is_working_day(first + dt.timedelta(days=offset)) for offset in range(PREVIEW_DAYS)
    )
    reps = get_user_model().objects.filter(is_active=True, profile__role=Role.SALES_REP).count()
    shares = []
    for letter in (*GRADES, ""):
        drafted = int((tried.grade == letter).sum())
        per_rep_day = drafted / reps / working_days if letter and reps and working_days else None
        shares.append(
            GradeShare(
                grade=letter,
                now=int((now_grades == letter).sum()),
                draft=drafted,
                leads_per_rep_day=per_rep_day,
                deadline_hours=version.deadlines.get(letter),
            )
        )
    matches = rule_matches(recent, spec.rules)
    taken = np.zeros(len(recent), dtype=bool)
    if version.crm_grade_wins:
        taken |= recent["crm_grade"].to_numpy(dtype=object) != ""
    described = {rule.position: rule_text(rule) for rule in _rules(version)}
    reach = []
    for rule, matched in zip(spec.rules, matches, strict=True):
        reach.append(
            RuleReach(
                position=rule.position,
                grade=rule.grade,
                grades=int((matched & ~taken).sum()),
                shadowed=int((matched & taken).sum()),
                description=described.get(rule.position, ""),
            )
        )
        taken |= matched
    where, params = open_leads_since(version.effective_from)
    open_leads = read_leads(where, params)
    open_graded = grade(open_leads, policy_with(version), calendar)
    return Preview(
        first_day=first,
        last_day=last,
        leads=len(recent),
        shares=shares,
        changed=int((tried.grade != now_grades).sum()),
        ungraded=int((tried.grade == "").sum()),
        rules=reach,
        reps=reps,
        working_days=working_days,
        open_leads=len(open_leads),
        open_changed=int((open_graded.grade != open_leads["grade"].to_numpy(dtype=object)).sum()),
    )


def _rules(version: GradingVersion) -> list[GradingRule]:
    return list(version.rules.prefetch_related("regions", "product_lines").order_by("position"))


def rules_with_text(version: GradingVersion | None) -> list[tuple[GradingRule, str]]:
    """The version's rules in order, each with its conditions in the reader's language."""
    return [(rule, rule_text(rule)) for rule in _rules(version)] if version else []


def rule_text(rule: GradingRule) -> str:
    """The rule's conditions in the reader's language: "industry 制造业 · size ≥ 500 staff"."""
    parts = []
    if rule.industries:
        parts.append(_("industry %(values)s") % {"values": " / ".join(rule.industries)})
    if rule.company_sizes:
        labels = dict(CompanySize.choices)
        parts.append(
            _("size %(values)s")
            % {"values": " / ".join(str(labels.get(v, v)) for v in rule.company_sizes)}
        )
    if rule.urgencies:
        labels = dict(Urgency.choices)
        parts.append(
            _("urgency %(values)s")
            % {"values": " / ".join(str(labels.get(v, v)) for v in rule.urgencies)}
        )
    if rule.channels:
        parts.append(_("source %(values)s") % {"values": " / ".join(rule.channels)})
    regions = [region.name for region in rule.regions.all()]
    if regions:
        parts.append(_("region %(values)s") % {"values": " / ".join(regions)})
    lines = [line.name for line in rule.product_lines.all()]
    if lines:
        parts.append(_("product line %(values)s") % {"values": " / ".join(lines)})
    return " · ".join(parts)


def grade_reason(lead: Lead) -> str:
    """Why the lead has its grade: "A: rule 2 of version 3 — industry 制造业 · size …"."""
    version, rule = lead.grading_version, lead.grade_rule
    if not lead.grade:
        if version is not None:
            return _("Ungraded: no rule of version %(number)s matches, and it has no default.") % {
                "number": version.number
            }
        return _("Ungraded: the CRM gave no grade.")
    if rule is not None:
        return _("%(grade)s: rule %(position)s of version %(number)s — %(conditions)s") % {
            "grade": lead.grade,
            "position": rule.position,
            "number": rule.version.number,
            "conditions": rule_text(rule),
        }
    if version is not None:
        return _("%(grade)s: the default grade of version %(number)s (no rule matches)") % {
            "grade": lead.grade,
            "number": version.number,
        }
    return _("%(grade)s: the grade in the CRM") % {"grade": lead.grade}


@dataclass(frozen=True)
class RegradeState:
    regrade: Regrade
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def latest_regrade() -> RegradeState | None:
    regrade = Regrade.objects.select_related("version").first()
    if regrade is None:
        return None
    live = progress.read(regrade.pk)
    done, total = live if live else (regrade.done, regrade.total)
    return RegradeState(regrade, done, total)


class Breach:
    """Where a lead stands against its due time."""

    ON_TIME = "on_time"  # answered by the due time
    LATE = "late"  # answered after it
    OVERDUE = "overdue"  # not answered, the due time has passed
    OPEN = "open"  # not answered, still time
    NO_DEADLINE = "none"  # ungraded: no due time


def breach_of(lead: Lead, now: dt.datetime) -> str:
    if lead.due_at is None:
        return Breach.NO_DEADLINE
    if lead.first_response_at is not None:
        return Breach.LATE if lead.first_response_at > lead.due_at else Breach.ON_TIME
    return Breach.OVERDUE if now > lead.due_at else Breach.OPEN


def lead_list(
    *,
    user: Any,
    owner: str | None = None,
    grade: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    now: dt.datetime,
) -> QuerySet[Lead]:
    """The leads `user` may see, the soonest due first (those without a due time last)."""
    leads = access.visible_leads(user)
    if owner:
        leads = leads.filter(owner__username=owner)
    if grade is not None:
        leads = leads.filter(grade=grade)
    if status:
        leads = leads.filter(status=status)
    unanswered_past_due = Q(
        first_response_at__isnull=True, due_at__lt=now, status__in=OPEN_LEAD_STATUSES
    )
    if overdue is True:
        leads = leads.filter(unanswered_past_due)
    elif overdue is False:
        leads = leads.exclude(unanswered_past_due)
    return (
        leads.select_related("owner__profile", "grade_rule__version", "grading_version")
        .prefetch_related("grade_rule__regions", "grade_rule__product_lines")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )
