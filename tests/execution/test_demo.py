"""The demo program's execution, under way: tasks from its measures and the seed's own rows,
one done, one late with its reason, and Table 3 with the measure already carried out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from execution import measure_selectors, selectors, target_selectors
from execution.models import KickOff, MeasureTracking, QuarterTarget, Task
from salesopt.core.models import Program, Team
from salesopt.core.periods import Quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_execution(frozen_today):
    call_command("seed_demo", scale=0.05, seed=7, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    call_command("seed_demo_plan", verbosity=0)
    call_command("seed_demo_execution", verbosity=0)
    return Program.objects.get()


def test_the_demo_execution_is_under_way(demo_execution, frozen_today):
    from execution.models import WeeklyReview

    program = demo_execution
    manager = program.manager
    rows = selectors.task_rows(program=program, user=manager)
    titles = {row.task.title for row in rows}

    assert {"编写线索分级标准", "配置 CRM 跟进提醒与自动分配", "新人第一期入职培训"} <= titles
    assert Task.objects.filter(program=program, measure__isnull=False).count() == 4
    assert any(row.task.status == "done" for row in rows)
    late = [row for row in rows if row.overdue]
    assert late and all(row.task.note for row in late)  # late with its reason
    tracked = MeasureTracking.objects.filter(measure__program=program)
    assert {(t.measure.line, t.quality) for t in tracked} == {
        ("process", "good"),
        ("goal", "excellent"),
    }
    table_3 = measure_selectors.tracking_rows(program=program, user=manager)
    assert [row.progress for row in table_3].count("done") == 2
    program.refresh_from_db()
    assert program.status == "execution"
    # The last four complete weeks' reviews, closed, each with decisions; the execution started
    # at least four weeks ago (the first of October, on 15 November).
    assert program.execution_start == dt.date(2026, 10, 1)
    reviews = list(WeeklyReview.objects.filter(program=program).order_by("week_start"))
    assert [r.week_start for r in reviews] == [
        dt.date(2026, 10, 12) + dt.timedelta(weeks=n) for n in range(4)
    ]
    assert all(r.closed_at and r.frozen and r.decisions.exists() for r in reviews)
    kickoff = KickOff.objects.get(program=program)
    assert kickoff.held_on == program.execution_start
    assert kickoff.measures.count() == 4 and kickoff.goals.count() == 4
    attendees = list(kickoff.attendees.all())
    assert {a.department for a in attendees if a.user_id is None} == {"市场部", "售后服务部"}
    assert sum(a.acknowledged_at is None for a in attendees) == 2
    quarter = Quarter.containing(frozen_today)
    rows = target_selectors.table_2_rows(program=program, user=manager, quarter=quarter)
    whole = QuarterTarget.objects.get(program=program, parent__isnull=True)
    assert sum(part.amount for part in whole.parts.all()) == whole.amount
    assert any(row.actual for row in rows)  # live actuals from the demo's orders
    analysed = [row for row in rows if row.month.variance_note]
    assert all(row.month.corrective_action for row in analysed)
    lead = Team.objects.get(name="华南区域组").lead
    lead_rows = target_selectors.table_2_rows(program=program, user=lead, quarter=quarter)
    assert lead_rows and all(row.target.owner.profile.team.lead == lead for row in lead_rows)


def test_seeding_the_execution_again_changes_nothing(demo_execution):
    before = list(Task.objects.order_by("pk").values_list("pk", "title", "status", "version"))

    call_command("seed_demo_execution", verbosity=0)

    after = list(Task.objects.order_by("pk").values_list("pk", "title", "status", "version"))
    assert after == before


def test_the_command_needs_the_plan_first(db):
    with pytest.raises(CommandError, match="seed_demo_plan"):
        call_command("seed_demo_execution", verbosity=0)


def test_the_pilot_teams_new_rep_has_records_to_coach(demo_execution):
    from django.contrib.auth import get_user_model

    from execution import coaching_selectors

    lead = get_user_model().objects.get(username="demo.lead.south")
    cards = coaching_selectors.coaching_list(lead)
    coached = [card for card in cards if card.coachings]
    assert coached, "the south lead has coached a new rep"
    card = coached[0]
    assert {record.state for record in card.records} == {"missing", "late", "below_standard"}
    assert card.to_coach == len(card.records) - 1  # the late one was taken up
