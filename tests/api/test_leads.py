"""GET /api/leads/: scoped by role, filtered, each lead with its grade's reason and its breach.

"Now" is Sunday 2026-11-15 18:00 in Shanghai; deadlines count working hours (Mon–Fri 09–18).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesopt.kpis.services import api_token_create
from tests.factories import LeadFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(frozen_today, rep, other_rep, east_rep):
    """rep: late (A, Mon 10:00 due 12:00, answered 13:00), overdue (A, Fri 15:00 due 17:00);
    other_rep: open (A, Fri 17:00, due Monday 10:00); east_rep: on time (B); an ungraded one."""
    return {
        "late": LeadFactory(
            owner=rep, grade="A", created_in_crm_at=local(2026, 11, 9, 10),
            first_response_at=local(2026, 11, 9, 13),
        ),
        "overdue": LeadFactory(owner=rep, grade="A", created_in_crm_at=local(2026, 11, 13, 15)),
        "open": LeadFactory(owner=other_rep, grade="A", created_in_crm_at=local(2026, 11, 13, 17)),
        "on_time": LeadFactory(
            owner=east_rep, grade="B", created_in_crm_at=local(2026, 11, 12, 10),
            first_response_at=local(2026, 11, 12, 11),
        ),
        "ungraded": LeadFactory(owner=east_rep, created_in_crm_at=local(2026, 11, 12, 10)),
    }  # fmt: skip


def leads(client, **params):
    response = client.get(reverse("api:leads"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_each_lead_carries_its_grade_reason_owner_due_time_and_breach(client, manager, queue):
    client.force_login(manager)

    body = leads(client)

    assert body["count"] == 5
    by_id = {row["id"]: row for row in body["leads"]}
    late = by_id[queue["late"].pk]
    assert late["grade"] == "A"
    assert late["grade_reason"] == "A: the grade in the CRM"
    assert late["owner"] == "rep.south"
    assert late["due"] == "2026-11-09T04:00:00Z"  # 12:00 in Shanghai
    assert late["breach"] == "late"
    assert by_id[queue["overdue"].pk]["breach"] == "overdue"
    assert by_id[queue["open"].pk]["breach"] == "open"
    assert by_id[queue["open"].pk]["due"] == "2026-11-16T02:00:00Z"
    assert by_id[queue["on_time"].pk]["breach"] == "on_time"
    assert by_id[queue["ungraded"].pk]["breach"] == "none"
    # The soonest due first; no deadline last.
    assert [row["id"] for row in body["leads"]][-1] == queue["ungraded"].pk
    assert body["leads"][0]["id"] == queue["late"].pk


def test_filters_by_owner_grade_status_and_overdue(client, manager, queue):
    client.force_login(manager)

    assert [r["id"] for r in leads(client, overdue="true")["leads"]] == [queue["overdue"].pk]
    assert leads(client, owner="rep.south")["count"] == 2
    assert leads(client, grade="B")["count"] == 1
    assert leads(client, ungraded="true")["count"] == 1
    assert leads(client, overdue="false")["count"] == 4
    assert leads(client, status="lost")["count"] == 0


def test_a_rep_reads_only_their_own_leads_and_a_team_lead_their_team(client, rep, team_lead, queue):
    client.force_login(rep)
    assert {row["owner"] for row in leads(client)["leads"]} == {"rep.south"}
    client.force_login(team_lead)
    assert {row["owner"] for row in leads(client)["leads"]} == {"rep.south", "rep.south2"}
    # Asking for another team's rep by name gives nothing, not their leads.
    assert leads(client, owner="rep.east")["count"] == 0


def test_a_bearer_token_reads_and_anonymous_is_refused(client, manager, queue):
    assert client.get(reverse("api:leads")).status_code == 401
    token = api_token_create(user=manager)

    response = client.get(reverse("api:leads"), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_a_bad_filter_is_a_clear_400(client, manager):
    client.force_login(manager)

    response = client.get(reverse("api:leads"), {"grade": "Z", "limit": "0"})

    assert response.status_code == 400
    assert "grade" in response.json()["error"]
