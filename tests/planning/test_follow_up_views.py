"""The plan's follow-up standards page: the manager writes, team leads read, reps are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesopt.core.models import FollowUpItem, FollowUpStandard
from tests.factories import LeadFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db


def test_the_manager_adds_a_standard_and_it_lands_on_the_leads_checklist(
    client, frozen_today, manager, team_lead, rep
):
    lead = LeadFactory(owner=rep, crm_grade="A", created_in_crm_at=local(2026, 11, 13, 10))
    client.force_login(manager)

    saved = client.post(
        reverse("planning:follow-up-create"),
        {"standard-grade": "A", "standard-text": "记录三大核心需求",
         "standard-cadence": "first_contact", "standard-weekday": "5",
         "standard-effective_from": "2026-11-01", "standard-active": "on"},
        follow=True,
    ).content.decode()  # fmt: skip

    assert "The follow-up standard is saved." in saved and "记录三大核心需求" in saved
    assert FollowUpItem.objects.get().lead == lead
    client.force_login(rep)
    assert "记录三大核心需求" in client.get(reverse("leads:lead", args=[lead.pk])).content.decode()
    assert client.get(reverse("planning:follow-up")).status_code == 403
    client.force_login(team_lead)
    page = client.get(reverse("planning:follow-up")).content.decode()
    assert "记录三大核心需求" in page and "standard-text" not in page
    assert client.post(reverse("planning:follow-up-create"), {}).status_code == 403


def test_a_standard_without_text_or_with_a_bad_weekday_says_why(client, frozen_today, manager):
    client.force_login(manager)

    page = client.post(
        reverse("planning:follow-up-create"),
        {"standard-cadence": "weekly", "standard-weekday": "9",
         "standard-effective_from": "2026-11-01"},
    ).content.decode()  # fmt: skip

    assert "This field is required." in page
    assert "Ensure this value is less than or equal to 7." in page
    assert not FollowUpStandard.objects.exists()
