"""The demo company's plan: goals and measures built from its diagnosis's findings.

Run after the demo is seeded and its KPIs computed (`manage.py seed_demo_plan`, which `make run`
calls): it runs the finding rules, accepts the problems the demo was seeded with, and writes the
plan that answers them — goals for 华南's response time, lead conversion, new-rep ramp-up and
云服务's attainment, and measures along the four lines, the process one piloted on 华南's team
with 华东's as control from the program's execution start. A program that has a plan already is
left as it is. The measures are written in Chinese, as the demo company's manager would type
them (typed text stays as typed in either language).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from diagnosis import selectors as diagnosis_selectors
from diagnosis import services as diagnosis_services
from salesopt.core.models import (
    AssignmentMethod,
    AssignmentRule,
    CompanySize,
    FollowUpCadence,
    FollowUpStandard,
    GradingVersion,
    Lead,
    ProductLine,
    Profile,
    Program,
    Region,
    RepLeave,
    Role,
    Team,
    Urgency,
)
from salesopt.core.periods import Quarter, add_months, company_today
from salesopt.kpis.services import recompute_after_import
from salesopt.leads import assignment_services, followup
from salesopt.leads import services as grading_services
from salesopt.leads.assignment import assign_leads
from salesopt.leads.grading import grade_leads
from salesopt.leads.reminders import remind

from . import services
from .goals import GoalScope
from .milestone_demo import seed_demo_milestones
from .models import Goal, Measure, MeasureLine, TargetKind

PILOT_TEAM, CONTROL_TEAM = "华南区域组", "华东区域组"
SEEDED_PROBLEMS = (
    "slow_response:region:华南",
    "missed_target:product_line:云服务",
    "slow_ramp_up",
    "long_cycle:grade:A",
    "workload_concentration",
)


@dataclass(frozen=True)
class DemoPlan:
    goals: int
    measures: int
    created: bool


@transaction.atomic
def seed_demo_plan(*, program: Program) -> DemoPlan:
    if Goal.objects.filter(program=program).exists():
        return _summary(program, created=False)
    manager = program.manager
    findings = _accepted_findings(program, manager)
    if program.execution_start is None:
        # Execution starts with the month after the diagnosis window: this month.
        program.execution_start = program.baseline_end + dt.timedelta(days=1)
        program.save(update_fields=["execution_start", "updated_at"])
    starts = program.execution_start
    deadline = Quarter.containing(add_months(company_today(), 6)).end - dt.timedelta(days=1)
    pilot, control = Team.objects.get(name=PILOT_TEAM), Team.objects.get(name=CONTROL_TEAM)
    south = Region.objects.get(name="华南")
    cloud = ProductLine.objects.get(name="云服务")
    cloud_team = Team.objects.filter(product_line=cloud).first()
    cloud_lead = cloud_team.lead if cloud_team is not None else None

    def goal(
        metric: str, scope: GoalScope, change: float, owner: Any, *keys: str, **kw: Any
    ) -> Goal:
        return services.goal_create(
            program=program, user=manager, metric=metric, scope=scope,
            target_kind=kw.get("kind", TargetKind.RELATIVE), target_input=change,
            deadline=deadline, owner=owner, findings=[findings[k] for k in keys if k in findings],
        )  # fmt: skip

    response = goal(
        "first_response_hours", GoalScope("region", south.pk, south.name), -50.0,
        pilot.lead or manager, "slow_response:region:华南",
    )  # fmt: skip
    conversion = goal("lead_conversion_rate", GoalScope(), 15.0, manager)
    ramp_up = goal("ramp_up_days", GoalScope(), -25.0, manager, "slow_ramp_up")
    attainment = goal(
        "target_attainment", GoalScope("product_line", cloud.pk, cloud.name), 1.0,
        cloud_lead or manager,
        "missed_target:product_line:云服务", kind=TargetKind.ABSOLUTE,
    )  # fmt: skip

    def measure(
        line: str, title: str, months: int, goals: list[Goal], *keys: str, **kw: Any
    ) -> None:
        services.measure_create(
            program=program, line=line, title=title, owner=kw.pop("owner", manager),
            planned_completion=add_months(starts, months) - dt.timedelta(days=1), goals=goals,
            findings=[findings[k] for k in keys if k in findings], starts_on=starts, **kw,
        )  # fmt: skip

    measure(
        MeasureLine.PROCESS, "线索分 A/B/C 三级，A 类线索 2 个工作小时内响应", 3,
        [response, conversion], "slow_response:region:华南",
        owner=pilot.lead or manager, pilot_teams=[pilot], control_teams=[control],
    )  # fmt: skip
    measure(
        MeasureLine.GOAL, "季度目标按月、按销售分解，每周复盘", 1,
        [attainment], "missed_target:product_line:云服务",
    )  # fmt: skip
    measure(
        MeasureLine.TEAM, "新人一周入职培训，每月案例复盘", 2,
        [ramp_up], "slow_ramp_up",
    )  # fmt: skip
    measure(
        MeasureLine.TOOL, "线索自动分配与跟进提醒", 2,
        [response, conversion], "workload_concentration",
    )  # fmt: skip
    _seed_grading(manager, starts)
    _seed_assignment(manager)
    _seed_follow_up(manager, starts)
    seed_demo_milestones(now=timezone.now())
    return _summary(program, created=True)


def _seed_grading(manager: Any, starts: dt.date) -> None:
    """The process measure's grading rules and deadlines, in force from the execution start
    (the evaluation compares the leads before and after it); the open leads since are
    re-graded at once."""
    if GradingVersion.objects.exists():
        return
    draft = grading_services.grading_draft(user=manager)
    grading_services.grading_draft_update(
        version=draft, effective_from=starts, crm_grade_wins=False, default_grade="C",
        deadline_a_hours=2, deadline_b_hours=24, deadline_c_hours=72,
        note="A 类 2 个工作小时、B 类 24、C 类 72 内首次响应",
    )  # fmt: skip
    large = [CompanySize.LARGE, CompanySize.ENTERPRISE]
    for grade, conditions in (
        ("A", {"company_sizes": large, "urgencies": [Urgency.HIGH]}),
        ("A", {"industries": ["制造业", "金融"], "company_sizes": [CompanySize.ENTERPRISE]}),
        ("B", {"urgencies": [Urgency.HIGH]}),
        ("B", {"company_sizes": large}),
    ):
        grading_services.grading_rule_save(version=draft, grade=grade, **conditions)
    regrade = grading_services.grading_version_apply(version=draft, user=manager)
    grading_services.regrade_run(regrade_id=regrade.pk)


# Today's inflow the demo shows the lead process on: (name, company, region, product line, size,
# urgency). The last has no region (a trade-show card): no rule routes it, so it waits.
TODAYS_LEADS = (
    ("周婷", "佛山精工智能制造有限公司", "华南", "智能门锁", CompanySize.ENTERPRISE, Urgency.HIGH),
    ("陈刚", "深圳前海金融服务有限公司", "华南", "智能门锁", CompanySize.MEDIUM, Urgency.MEDIUM),
    ("孙磊", "杭州云启科技有限公司", "华东", "云服务", CompanySize.LARGE, Urgency.HIGH),
    ("何静", "展会名片（未填地区）", None, "智能门锁", CompanySize.SMALL, Urgency.LOW),
)


def _seed_assignment(manager: Any) -> None:
    """The tool measure's automatic assignment: the solution lines to their national teams,
    every other lead to its region's team, least-loaded inside a team; one 华南 rep on leave
    and one capped. Today's few new leads are assigned (one waits: it has no region), and the
    reminder job runs once, so the queues and the bell have something to show."""
    if AssignmentRule.objects.exists():
        return
    assignment_services.assignment_policy_update(
        user=manager, enabled=True, method=AssignmentMethod.LEAST_LOADED, weight_a=3,
        weight_b=2, weight_c=1, remind_before_hours=0.5, reassign_after_hours=None,
    )  # fmt: skip
    teams = list(Team.objects.select_related("region", "product_line").order_by("name"))
    for team in teams:
        if team.product_line is not None:
            lines = [team.product_line]
            assignment_services.assignment_rule_save(user=manager, team=team, product_lines=lines)
    for team in teams:
        if team.region is not None:
            regions = [team.region]
            assignment_services.assignment_rule_save(user=manager, team=team, regions=regions)
    pilot_reps = list(
        Profile.objects.filter(team__name=PILOT_TEAM, role=Role.SALES_REP).order_by("user_id")
    )
    today = company_today()
    if len(pilot_reps) >= 2:
        RepLeave.objects.create(user=pilot_reps[0].user, starts_on=today,
                                ends_on=today + dt.timedelta(days=4), note="年假")  # fmt: skip
        Profile.objects.filter(pk=pilot_reps[1].pk).update(lead_capacity=400)
    now = timezone.now()
    region_named = {region.name: region for region in Region.objects.all()}
    line_named = {line.name: line for line in ProductLine.objects.all()}
    for number, (name, company, region, line, size, urgency) in enumerate(TODAYS_LEADS):
        Lead.objects.create(
            source="demo", external_id=f"today-{number}", name=name, company_name=company,
            region=region_named.get(region or ""), product_line=line_named.get(line),
            company_size=size, urgency=urgency,
            created_in_crm_at=now - dt.timedelta(minutes=20 * (number + 1)),
        )  # fmt: skip
    todays = ("source = %s AND external_id LIKE %s", ["demo", "today-%"])
    grade_leads(*todays)
    assign_leads(*todays, now=now)
    remind(now=now)


def _seed_follow_up(manager: Any, starts: dt.date) -> None:
    """The process measure's follow-up standards from the execution start: at first contact an
    A lead's three core needs, and a follow-up record every Friday for every open lead. The
    weeks since are written out, met by the demo's activities where it has them, and their
    months' KPIs recomputed."""
    if FollowUpStandard.objects.exists():
        return
    for grade, text, cadence in (
        (
            "A",
            "首次联系时记录客户三大核心需求（预算、时间、决策人）",
            FollowUpCadence.FIRST_CONTACT,
        ),
        ("", "每周五前写一条跟进记录", FollowUpCadence.WEEKLY),
    ):
        followup.standard_save(user=manager, grade=grade, text=text, cadence=cadence,
                               weekday=5, effective_from=starts)  # fmt: skip
    followup.weekly_items_backfill(first=starts, last=company_today())
    followup.items_refresh()
    months = [add_months(starts.replace(day=1), n) for n in range(_months_between(starts) + 1)]
    recompute_after_import(months=months)


def _months_between(first: dt.date) -> int:
    today = company_today()
    return max((today.year - first.year) * 12 + today.month - first.month, 0)


def _summary(program: Program, *, created: bool) -> DemoPlan:
    goals = Goal.objects.filter(program=program).count()
    return DemoPlan(goals, Measure.objects.filter(program=program).count(), created)


def _accepted_findings(program: Program, manager: Any) -> dict[str, Any]:
    """The seeded problems, proposed by the rules and accepted into Table 1 (as the manager)."""
    diagnosis_services.findings_refresh(program=program, user=manager)
    for finding in diagnosis_selectors.proposed_findings(program=program):
        if finding.rule_key in SEEDED_PROBLEMS:
            diagnosis_services.finding_accept(finding=finding, user=manager)
    accepted = diagnosis_selectors.accepted_findings(program=program)
    return {finding.rule_key: finding for finding in accepted}
