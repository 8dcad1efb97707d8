"""The plan page: who reads and writes it, the goal and measure forms, their refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from diagnosis.models import FindingStatus
from planning.models import Goal, Measure
from tests.diagnosis.factories import FindingFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def goal_post(south, owner, **fields):
    return {
        "goal-metric": "first_response_hours",
        "goal-scope": f"region:{south.pk}",
        "goal-target_kind": "relative",
        "goal-target_input": "-25",
        "goal-deadline": "2027-03-31",
        "goal-owner": str(owner.pk),
    } | fields


def test_the_manager_adds_a_goal_and_sees_its_baseline(client, plan_program, manager, south):
    client.force_login(manager)

    response = client.post(reverse("planning:goal-create"), goal_post(south, manager), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Baseline 4.0 h (2026-07 – 2026-09)" in body
    assert "Target 3.0 h" in body
    assert Goal.objects.get().baseline_value == 4.0


def test_a_rate_target_is_typed_in_percent(client, plan_program, manager, south):
    client.force_login(manager)
    post = goal_post(
        south, manager, **{"goal-metric": "lead_conversion_rate", "goal-scope": "company",
                           "goal-target_kind": "absolute", "goal-target_input": "40"}
    )  # fmt: skip

    response = client.post(reverse("planning:goal-create"), post, headers=HTMX)

    # No lead converted in the window (0%): 40 means 40%, stored as 0.4.
    assert response.status_code == 200
    assert Goal.objects.get().target_value == pytest.approx(0.4)


def test_a_refused_goal_says_why_and_writes_nothing(client, plan_program, manager, south):
    client.force_login(manager)

    response = client.post(
        reverse("planning:goal-create"),
        goal_post(south, manager, **{"goal-deadline": ""}),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "a goal without one is not time-bound" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_finding_prefills_the_goal_form(client, plan_program, manager, south):
    finding = FindingFactory(
        program=plan_program, status=FindingStatus.ACCEPTED, source="data",
        rule_key="slow_response:region:华南",
    )  # fmt: skip
    client.force_login(manager)

    body = client.get(reverse("planning:landing"), {"finding": finding.pk}).content.decode()

    assert '<option value="first_response_hours" selected>' in body
    assert f'<option value="region:{south.pk}" selected>' in body
    assert f'value="{finding.pk}" id="id_goal-findings_0" checked' in body


def test_the_manager_adds_a_piloted_measure(client, plan_program, manager, south_team, east_team):
    client.force_login(manager)
    post = {
        "measure-line": "process",
        "measure-title": "Answer A leads within 2 working hours",
        "measure-owner": str(manager.pk),
        "measure-planned_completion": "2027-01-31",
        "measure-pilot_teams": [str(south_team.pk)],
        "measure-control_teams": [str(east_team.pk)],
        "measure-starts_on": "2026-12-01",
    }

    response = client.post(reverse("planning:measure-create"), post, headers=HTMX)

    assert response.status_code == 200
    measure = Measure.objects.get()
    assert list(measure.pilot_teams.all()) == [south_team]
    assert list(measure.control_teams.all()) == [east_team]
    assert "Answer A leads within 2 working hours" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"measure-control_teams": "TEAM"}, "Pilot and control must not overlap"),
        ({"measure-starts_on": ""}, "A pilot needs the date it starts"),
        ({"measure-starts_on": "2026-09-01"}, "A measure starts after the diagnosis window"),
        ({"measure-planned_completion": "2026-11-30"}, "The planned completion comes after"),
    ],
)
def test_a_refused_measure_says_why(client, plan_program, manager, south_team, fields, message):
    client.force_login(manager)
    post = {
        "measure-line": "team",
        "measure-title": "Onboarding week",
        "measure-owner": str(manager.pk),
        "measure-planned_completion": "2027-01-31",
        "measure-pilot_teams": [str(south_team.pk)],
        "measure-starts_on": "2026-12-01",
    } | {key: (str(south_team.pk) if value == "TEAM" else value) for key, value in fields.items()}

    response = client.post(reverse("planning:measure-create"), post, headers=HTMX)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measure.objects.exists()


def test_the_executive_and_a_team_lead_read_the_plan_but_change_nothing(
    client, plan_program, executive, team_lead, manager, south
):
    for reader in (executive, team_lead):
        client.force_login(reader)
        page = client.get(reverse("planning:landing"))
        assert page.status_code == 200
        assert "Add a goal" not in page.content.decode()
        refused = client.post(reverse("planning:goal-create"), goal_post(south, manager))
        assert refused.status_code == 403
    assert not Goal.objects.exists()


def test_a_rep_is_refused_the_plan(client, plan_program, rep, south, manager):
    client.force_login(rep)

    assert client.get(reverse("planning:landing")).status_code == 403
    assert (
        client.post(reverse("planning:goal-create"), goal_post(south, manager)).status_code == 403
    )


def test_deleting_is_for_editors_only(client, plan_program, manager, executive, south):
    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    goal = Goal.objects.get()

    client.force_login(executive)
    assert client.post(reverse("planning:goal-delete", args=[goal.pk])).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("planning:goal-delete", args=[goal.pk])).status_code == 302
    assert not Goal.objects.exists()


def test_the_plan_needs_a_login(client, plan_program):
    response = client.get(reverse("planning:landing"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_goal_of_another_program_is_not_found(client, plan_program, manager, south):
    from tests.factories import ProgramFactory

    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    goal = Goal.objects.get()
    Goal.objects.filter(pk=goal.pk).update(
        program=ProgramFactory(
            baseline_start=dt.date(2025, 1, 1), baseline_end=dt.date(2025, 6, 30)
        )
    )

    assert client.post(reverse("planning:goal-delete", args=[goal.pk])).status_code == 404


def test_the_plan_exports_as_xlsx_in_the_readers_language_and_formula_safe(
    client, plan_program, manager, executive, south, south_team, east_team
):
    import io

    from openpyxl import load_workbook

    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    client.post(
        reverse("planning:measure-create"),
        {"measure-line": "tool", "measure-title": "=HYPERLINK(\"http://x\",\"y\")",
         "measure-owner": str(manager.pk), "measure-planned_completion": "2027-01-31"},
    )  # fmt: skip
    client.force_login(executive)

    response = client.get(reverse("planning:export"), headers={"accept-language": "zh-hans"})

    workbook = load_workbook(io.BytesIO(response.content))
    goals, measures = workbook.worksheets
    goal_rows = [[cell.value for cell in row] for row in goals.iter_rows()]
    assert goal_rows[0][:3] == ["KPI", "范围", "基线"]
    assert goal_rows[1][:3] == ["首次响应时长（中位数，小时）", "华南", "4.0 小时"]
    measure_rows = [[cell.value for cell in row] for row in measures.iter_rows()]
    assert measure_rows[1][0] == "工具"
    # Typed text that looks like a formula stays text.
    cell = measures.cell(row=2, column=2)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'


def test_a_rep_cannot_export_the_plan(client, plan_program, rep):
    client.force_login(rep)

    assert client.get(reverse("planning:export")).status_code == 403


def test_the_manager_changes_a_goals_target_and_deadline(client, plan_program, manager, south):
    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    goal = Goal.objects.get()
    prefix = f"goal-{goal.pk}"

    response = client.post(
        reverse("planning:goal-update", args=[goal.pk]),
        {f"{prefix}-target_kind": "absolute", f"{prefix}-target_input": "2",
         f"{prefix}-deadline": "2027-06-30", f"{prefix}-owner": str(manager.pk)},
        headers=HTMX,
    )  # fmt: skip

    goal.refresh_from_db()
    assert response.status_code == 200
    # The baseline it was set on stays (4 h); the new target is 2 h, due at the end of June.
    assert (goal.baseline_value, goal.target_value) == (4.0, 2.0)
    assert goal.deadline == dt.date(2027, 6, 30)
    assert "Target 2.0 h" in response.content.decode()


def test_a_refused_change_keeps_the_goal_as_it_was(client, plan_program, manager, south):
    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    goal = Goal.objects.get()
    prefix = f"goal-{goal.pk}"

    response = client.post(
        reverse("planning:goal-update", args=[goal.pk]),
        {f"{prefix}-target_kind": "absolute", f"{prefix}-target_input": "6",
         f"{prefix}-deadline": "2027-06-30", f"{prefix}-owner": str(manager.pk)},
        headers=HTMX,
    )  # fmt: skip

    goal.refresh_from_db()
    assert "Lower is better" in response.content.decode()
    assert (goal.target_value, goal.deadline) == (3.0, dt.date(2027, 3, 31))


def test_only_editors_change_a_goal(client, plan_program, manager, team_lead, south):
    client.force_login(manager)
    client.post(reverse("planning:goal-create"), goal_post(south, manager))
    goal = Goal.objects.get()

    client.force_login(team_lead)
    refused = client.post(reverse("planning:goal-update", args=[goal.pk]), {})

    assert refused.status_code == 403
    goal.refresh_from_db()
    assert goal.target_value == 3.0


def measure_post(prefix, manager, **fields):
    return {
        f"{prefix}-line": "process",
        f"{prefix}-title": "Answer A leads within 2 working hours",
        f"{prefix}-owner": str(manager.pk),
        f"{prefix}-planned_completion": "2027-01-31",
    } | {f"{prefix}-{name}": value for name, value in fields.items()}


def test_the_manager_changes_a_measure(client, plan_program, manager, south_team, east_team):
    client.force_login(manager)
    client.post(reverse("planning:measure-create"), measure_post("measure", manager))
    measure = Measure.objects.get()

    response = client.post(
        reverse("planning:measure-update", args=[measure.pk]),
        measure_post(f"measure-{measure.pk}", manager, title="Answer A leads within 1 hour",
                     pilot_teams=[str(south_team.pk)], control_teams=[str(east_team.pk)],
                     starts_on="2026-12-01"),
        headers=HTMX,
    )  # fmt: skip

    measure.refresh_from_db()
    assert response.status_code == 200
    assert measure.title == "Answer A leads within 1 hour"
    assert list(measure.pilot_teams.all()) == [south_team]
    assert measure.starts_on == dt.date(2026, 12, 1)


def test_a_refused_measure_change_keeps_it_as_it_was(client, plan_program, manager, south_team):
    client.force_login(manager)
    client.post(reverse("planning:measure-create"), measure_post("measure", manager))
    measure = Measure.objects.get()

    response = client.post(
        reverse("planning:measure-update", args=[measure.pk]),
        measure_post(f"measure-{measure.pk}", manager, title="Changed",
                     pilot_teams=[str(south_team.pk)], control_teams=[str(south_team.pk)],
                     starts_on="2026-12-01"),
        headers=HTMX,
    )  # fmt: skip

    measure.refresh_from_db()
    assert "Pilot and control must not overlap" in response.content.decode()
    assert measure.title == "Answer A leads within 2 working hours"
    assert not measure.pilot_teams.exists()


def test_only_editors_change_a_measure(client, plan_program, manager, executive):
    client.force_login(manager)
    client.post(reverse("planning:measure-create"), measure_post("measure", manager))
    measure = Measure.objects.get()

    client.force_login(executive)

    assert client.post(reverse("planning:measure-update", args=[measure.pk]), {}).status_code == 403
