"""GET /api/plan/, /api/plan/goals/, /api/plan/measures/: the plan as `plan_json` builds it,
for those who read the plan page; 401, 403 and 404 as `{"error"}`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from planning import selectors
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db
PLAN_URLS = ["api:plan", "api:plan-goals", "api:plan-measures"]


def test_the_manager_reads_the_plan_as_the_command_prints_it(client, plan, manager):
    client.force_login(manager)

    response = client.get(reverse("api:plan"), {"program": plan.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == selectors.plan_json(program=plan, user=manager)


def test_a_goal_carries_its_baseline_target_and_status(client, plan, bearer, south):
    response = client.get(reverse("api:plan-goals"), {"program": plan.pk}, headers=bearer)

    [goal] = response.json()
    assert response.status_code == 200
    assert goal["kpi"] == "first_response_hours"
    assert goal["scope"] == {"dimension": "region", "id": south.pk, "name": "华南"}
    assert goal["baseline"] == {"from": "2026-07-01", "to": "2026-09-30", "value": 4.0}
    assert (goal["target"], goal["deadline"]) == (3.0, "2027-03-31")
    assert (goal["status"], goal["current"]) == ("met", 2.0)


def test_the_measures_carry_their_pilot_and_control_groups(client, plan, bearer):
    response = client.get(reverse("api:plan-measures"), {"program": plan.pk}, headers=bearer)

    [measure] = response.json()
    assert response.status_code == 200
    assert measure["title"] == "A leads answered within 2 working hours"
    assert measure["pilot"] == {"teams": ["华南一组"], "reps": []}
    assert measure["control"] == {"teams": ["华东一组"], "reps": []}
    assert measure["starts"] == "2026-12-01"


def test_a_company_wide_goal_has_a_scope_without_id_or_name(client, plan, manager):
    goal = plan.goals.get()
    goal.region = None
    goal.save(update_fields=["region"])
    client.force_login(manager)

    response = client.get(reverse("api:plan-goals"), {"program": plan.pk})

    assert response.json()[0]["scope"] == {"dimension": "company"}


def test_without_a_program_the_plan_pages_program_is_read(client, plan, manager):
    ProgramFactory(manager=manager, name="Newer")  # the default without a choice
    client.force_login(manager)
    client.post(reverse("core:program-switch"), {"program": plan.pk})

    response = client.get(reverse("api:plan"))

    assert response.status_code == 200
    assert response.json()["program"] == plan.pk


@pytest.mark.parametrize("reader", ["executive", "team_lead", "admin_user"])
def test_the_plans_other_readers_read_it(client, plan, request, reader):
    user = request.getfixturevalue(reader)
    client.force_login(user)

    response = client.get(reverse("api:plan"), {"program": plan.pk})

    assert response.status_code == 200
    assert response.json() == selectors.plan_json(program=plan, user=user)


@pytest.mark.parametrize("name", PLAN_URLS)
def test_a_rep_is_refused_the_plan_with_403(client, plan, rep, name):
    client.force_login(rep)

    response = client.get(reverse(name), {"program": plan.pk})

    assert response.status_code == 403
    assert response.json() == {
        "error": "the plan is read by admins, sales managers, executives and team leads"
    }


@pytest.mark.parametrize("name", PLAN_URLS)
def test_anonymous_gets_401_json_not_a_login_redirect(client, plan, name):
    response = client.get(reverse(name), {"program": plan.pk})

    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response["WWW-Authenticate"] == 'Bearer realm="salesopt"'


@pytest.mark.parametrize("name", PLAN_URLS)
def test_an_unknown_program_is_404(client, plan, bearer, name):
    response = client.get(reverse(name), {"program": 987654}, headers=bearer)

    assert response.status_code == 404
    assert response.json() == {"error": "no program with id 987654"}


def test_no_program_at_all_is_404(client, manager):
    client.force_login(manager)

    response = client.get(reverse("api:plan"))

    assert response.status_code == 404
    assert response.json() == {"error": "there is no program yet"}


def test_only_get_is_allowed(client, plan, manager):
    client.force_login(manager)

    response = client.post(reverse("api:plan"), {"program": plan.pk})

    assert response.status_code == 405
