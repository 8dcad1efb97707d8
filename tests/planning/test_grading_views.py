"""The lead grading page: the manager drafts, previews and applies; others read or are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesopt.core.models import GradingStatus, GradingVersion, Lead, Regrade, RegradeStatus
from tests.factories import LeadFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def factory_lead(frozen_today, rep):
    return LeadFactory(
        owner=rep,
        created_in_crm_at=local(2026, 11, 9, 10),
        industry="制造业",
        company_size="large",
        grade="C",
    )


def add_rule(client, **fields):
    data = {"rule-grade": "A", **{f"rule-{key}": value for key, value in fields.items()}}
    return client.post(reverse("planning:grading-rule-create"), data, **HTMX)


def test_the_manager_drafts_a_rule_previews_and_applies_it(
    client, manager, rep, factory_lead, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(reverse("planning:grading")).content.decode()
    assert "No grading version yet" in page
    client.post(reverse("planning:grading-draft-start"), **HTMX)

    added = add_rule(client, industries="制造业，能源", company_sizes=["large", "enterprise"])
    assert added.status_code == 200
    assert "industry 制造业 / 能源 · size large (500–1999) / enterprise (2000+)" in (
        added.content.decode()
    )

    preview = client.get(reverse("planning:grading-preview"), **HTMX).content.decode()
    assert 'id="preview-grades"' in preview
    assert "1 lead would change grade." in preview

    draft = GradingVersion.objects.get(status=GradingStatus.DRAFT)
    client.post(
        reverse("planning:grading-draft-update"),
        {
            "draft-effective_from": "2026-11-01",
            "draft-default_grade": "C",
            "draft-deadline_a_hours": "2",
            "draft-deadline_b_hours": "24",
            "draft-deadline_c_hours": "72",
        },
        **HTMX,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn (eager here)
        applied = client.post(reverse("planning:grading-apply"), **HTMX)

    assert applied["HX-Redirect"] == reverse("planning:grading")
    assert Regrade.objects.get().status == RegradeStatus.DONE
    draft.refresh_from_db()
    assert draft.status == GradingStatus.APPLIED
    assert Lead.objects.get(pk=factory_lead.pk).grade == "A"
    page = client.get(reverse("planning:grading")).content.decode()
    assert "Version 1 applied: 1 open leads re-graded, 1 changed grade." in page
    assert "Answer within: A 2 · B 24 · C 72 working hours." in page


def test_a_rule_without_a_condition_is_refused_with_a_message(client, manager):
    client.force_login(manager)
    client.post(reverse("planning:grading-draft-start"), **HTMX)

    refused = add_rule(client, industries=" ， ")

    assert refused.status_code == 200
    assert "A rule needs at least one condition" in refused.content.decode()
    assert not GradingVersion.objects.get().rules.exists()


def test_a_refused_setting_says_why(client, manager):
    client.force_login(manager)
    client.post(reverse("planning:grading-draft-start"), **HTMX)

    refused = client.post(
        reverse("planning:grading-draft-update"),
        {
            "draft-effective_from": "2026-11-01",
            "draft-default_grade": "C",
            "draft-deadline_a_hours": "48",
            "draft-deadline_b_hours": "24",
            "draft-deadline_c_hours": "72",
        },
        **HTMX,
    ).content.decode()

    assert "A leads are answered first: A ≤ B ≤ C working hours." in refused


@pytest.mark.parametrize("role", ["executive", "team_lead"])
def test_readers_see_what_is_in_force_and_cannot_write(client, role, request, manager):
    client.force_login(request.getfixturevalue(role))

    page = client.get(reverse("planning:grading"))

    assert page.status_code == 200
    assert "Draft a new version" not in page.content.decode()
    for name in ("grading-draft-start", "grading-apply", "grading-rule-create"):
        assert client.post(reverse(f"planning:{name}"), **HTMX).status_code == 403
    assert client.get(reverse("planning:grading-preview")).status_code == 403
    assert not GradingVersion.objects.exists()


def test_a_rep_is_refused_the_page(client, rep):
    client.force_login(rep)

    assert client.get(reverse("planning:grading")).status_code == 403
