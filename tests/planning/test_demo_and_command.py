"""The demo program's plan, and `manage.py plan --program ID --json`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from diagnosis.models import Finding, FindingStatus
from planning.models import Goal, Measure
from salesopt.core.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plan(frozen_today):
    call_command("seed_demo", scale=0.05, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    call_command("seed_demo_plan", verbosity=0)
    return Program.objects.get()


def plan_of(program) -> dict:
    out = io.StringIO()
    call_command("plan", "--program", str(program.pk), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_plan_answers_the_seeded_findings(demo_plan):
    goals = {goal.metric: goal for goal in Goal.objects.filter(program=demo_plan)}

    assert set(goals) == {
        "first_response_hours", "lead_conversion_rate", "ramp_up_days", "target_attainment",
    }  # fmt: skip
    response = goals["first_response_hours"]
    assert response.region.name == "华南"
    assert response.target_value == pytest.approx(response.baseline_value / 2)
    assert response.findings.get().rule_key == "slow_response:region:华南"
    assert goals["target_attainment"].product_line.name == "云服务"
    assert Finding.objects.filter(program=demo_plan, status=FindingStatus.ACCEPTED).count() >= 4
    assert {measure.line for measure in Measure.objects.filter(program=demo_plan)} == {
        "goal", "process", "team", "tool",
    }  # fmt: skip
    piloted = Measure.objects.get(program=demo_plan, line="process")
    assert [team.name for team in piloted.pilot_teams.all()] == ["华南区域组"]
    assert [team.name for team in piloted.control_teams.all()] == ["华东区域组"]
    assert piloted.starts_on == demo_plan.execution_start


def test_seeding_the_plan_again_changes_nothing(demo_plan):
    before = plan_of(demo_plan)

    call_command("seed_demo_plan", verbosity=0)

    assert plan_of(demo_plan) == before


def test_the_plan_command_prints_the_plan_as_one_object(demo_plan):
    plan = plan_of(demo_plan)

    assert plan["program"] == demo_plan.pk
    goal = next(goal for goal in plan["goals"] if goal["kpi"] == "first_response_hours")
    assert goal["scope"]["dimension"] == "region" and goal["scope"]["name"] == "华南"
    assert goal["baseline"]["from"] == demo_plan.baseline_start.isoformat()
    assert goal["baseline"]["to"] == demo_plan.baseline_end.isoformat()
    assert goal["target"] == pytest.approx(goal["baseline"]["value"] / 2)
    assert goal["status"] in {"not_started", "on_track", "at_risk", "missed", "met"}
    measure = next(item for item in plan["measures"] if item["line"] == "process")
    assert measure["pilot"] == {"teams": ["华南区域组"], "reps": []}
    assert measure["control"] == {"teams": ["华东区域组"], "reps": []}
    assert goal["id"] in measure["goals"]
    assert plan["lead_policy"]["deadlines"] == {"A": 2.0, "B": 24.0, "C": 72.0}
    assert plan["lead_policy"]["calendar"]["weekdays"] == [1, 2, 3, 4, 5]
    assert plan["lead_policy"]["calendar"]["opens"] == "09:00"


def test_an_unknown_program_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no program with id 999"):
        call_command("plan", "--program", "999", "--json", stdout=io.StringIO())


def _breach_share(leads) -> float:
    """Graded leads answered after their due time, or not yet though it has passed."""
    from django.db.models import F, Q
    from django.utils import timezone

    graded = leads.exclude(due_at=None)
    late = graded.filter(
        Q(first_response_at__gt=F("due_at")) | Q(first_response_at=None, due_at__lt=timezone.now())
    )
    return late.count() / graded.count()


def test_the_demo_grades_from_the_execution_start_and_the_pilot_answers_faster(demo_plan):
    from salesopt.core.models import GradingStatus, GradingVersion, Lead, LeadStatus

    version = GradingVersion.objects.get()
    assert (version.status, version.effective_from) == (
        GradingStatus.APPLIED,
        demo_plan.execution_start,
    )
    since = Lead.objects.filter(created_in_crm_at__date__gte=demo_plan.execution_start)
    open_since = since.filter(status__in=[LeadStatus.NEW, LeadStatus.CONTACTED])
    assert open_since.exists()
    assert not open_since.filter(grading_version=None).exists()
    pilot = Lead.objects.filter(owner__profile__team__name="华南区域组")
    before = pilot.filter(created_in_crm_at__date__lt=demo_plan.execution_start)
    after = pilot.filter(created_in_crm_at__date__gte=demo_plan.execution_start)
    assert _breach_share(before) > 0.3
    assert _breach_share(after) < _breach_share(before) / 2
    assert plan_of(demo_plan)["lead_policy"]["version"] == 1


def test_the_demo_assigns_todays_leads_and_one_waits_for_an_owner(demo_plan):
    from salesopt.core.models import AssignmentRule, Lead, RepLeave, Team
    from salesopt.leads.assignment_selectors import lead_log, unassigned_leads

    assert AssignmentRule.objects.count() == Team.objects.count()
    todays = {lead.name: lead for lead in Lead.objects.filter(external_id__startswith="today-")}
    assert todays["孙磊"].owner.profile.team.name == "云服务产品组"  # the product line's team
    assert todays["周婷"].owner.profile.team.name == "华南区域组"
    on_leave = RepLeave.objects.get().user
    assert on_leave not in {lead.owner for lead in todays.values()}
    waiting = todays["何静"]
    assert waiting.owner is None
    pilot_lead = Team.objects.get(name="华南区域组").lead
    assert waiting in unassigned_leads(pilot_lead)
    assert lead_log(waiting)[0][1].startswith("Waiting: no assignment rule")


def test_the_demo_keeps_follow_up_standards_and_measures_their_compliance(demo_plan):
    from salesopt.core.models import FollowUpItem, FollowUpStandard
    from salesopt.kpis.models import KpiSnapshot
    from salesopt.kpis.services import kpis_recompute

    assert FollowUpStandard.objects.count() == 2
    items = FollowUpItem.objects.filter(due_at__date__gte=demo_plan.execution_start)
    assert items.filter(met_by="activity").exists()
    assert items.filter(done_at__isnull=True).exists()  # some reps skip their Friday record
    kpis_recompute(period_from=demo_plan.execution_start, period_to=demo_plan.execution_start)
    share = KpiSnapshot.objects.get(
        metric="follow_up_compliance", grain="month", cut="",
        period_start=demo_plan.execution_start.replace(day=1),
    ).value  # fmt: skip
    assert 0 < share < 1
