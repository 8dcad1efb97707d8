"""The lead queues and a lead's page, and the plan's assignment page, as each role sees them.

The clock is pinned (frozen_today); leads are given their due times directly, so what is
overdue does not depend on the calendar.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from salesopt.core.models import AssignmentRule, Lead, LeadAssignment, LeadStatus, RepLeave
from salesopt.leads.assignment import assign_leads
from tests.factories import LeadFactory, RegionFactory

pytestmark = pytest.mark.django_db


def lead(owner, *, due_in_hours, **fields):
    made = LeadFactory(owner=owner, **{"crm_grade": "A", **fields})
    Lead.objects.filter(pk=made.pk).update(due_at=timezone.now() + dt.timedelta(hours=due_in_hours))
    return made


def test_my_leads_lists_the_reps_open_leads_soonest_due_first_with_the_time_left(
    client, frozen_today, rep, other_rep
):
    old_overdue = lead(rep, due_in_hours=-24 * 40, name="四十天前")
    soon = lead(rep, due_in_hours=0.25, name="马上到期")
    later = lead(rep, due_in_hours=30, name="明天")
    lead(rep, due_in_hours=1, name="已成交", status=LeadStatus.CONVERTED)
    lead(other_rep, due_in_hours=1, name="同事的")
    client.force_login(rep)

    page = client.get(reverse("leads:queue")).content.decode()

    names = [old_overdue.name, soon.name, later.name]
    assert [page.index(name) for name in names] == sorted(page.index(name) for name in names)
    assert "已成交" not in page and "同事的" not in page
    assert "40 d 0 h overdue" in page
    assert "0 h 15 min left" in page
    assert "My leads" in page
    # A rep has no team queue nor unassigned tab.
    assert "?view=unassigned" not in page
    assert client.get(reverse("leads:queue") + "?view=unassigned").status_code == 200


def test_the_queue_refreshes_itself_as_an_htmx_partial(client, frozen_today, rep):
    lead(rep, due_in_hours=2, name="两小时")
    client.force_login(rep)

    partial = client.get(
        reverse("leads:queue"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-rows"
    ).content.decode()

    assert partial.lstrip().startswith('<div id="queue-rows"')
    assert 'hx-trigger="every 60s"' in partial and "两小时" in partial


def test_the_team_lead_sees_the_team_queue_its_breaches_and_the_unassigned(
    client, frozen_today, team_lead, rep, manager, south, east_team
):
    lead(rep, due_in_hours=-3, name="超时未回")
    lead(rep, due_in_hours=5, name="还有时间")
    waiting = LeadFactory(owner=None, region=RegionFactory(name="西北", code="nw"), name="无人认领")
    elsewhere = LeadFactory(owner=None, name="华东的队列")
    assign_leads("1 = 1", now=timezone.now())
    Lead.objects.filter(pk=elsewhere.pk).update(routed_team=east_team)  # east's overflow
    client.force_login(team_lead)

    team = client.get(reverse("leads:queue") + "?view=team").content.decode()
    breaches = client.get(reverse("leads:queue") + "?view=breaches").content.decode()
    unassigned = client.get(reverse("leads:queue") + "?view=unassigned").content.decode()

    assert "超时未回" in team and "还有时间" in team
    assert "超时未回" in breaches and "还有时间" not in breaches
    assert "无人认领" in unassigned and "华东的队列" not in unassigned
    assert "Waiting: no assignment rule routes its region and product line." in unassigned
    client.force_login(manager)
    assert "华东的队列" in client.get(reverse("leads:queue") + "?view=unassigned").content.decode()

    # The team lead gives the waiting lead to their rep from its page.
    client.force_login(team_lead)
    page = client.get(reverse("leads:lead", args=[waiting.pk])).content.decode()
    assert 'name="rep"' in page
    client.post(reverse("leads:lead-assign", args=[waiting.pk]), {"rep": rep.profile.pk})
    waiting.refresh_from_db()
    assert waiting.owner == rep
    assert LeadAssignment.objects.filter(lead=waiting, reason="by_hand").exists()


def test_a_lead_page_outside_the_readers_scope_is_not_found(
    client, frozen_today, rep, other_rep, team_lead, east_team
):
    mine = lead(rep, due_in_hours=2)
    other_team = LeadFactory(owner=None)
    Lead.objects.filter(pk=other_team.pk).update(routed_team=east_team)
    client.force_login(other_rep)
    assert client.get(reverse("leads:lead", args=[mine.pk])).status_code == 404
    client.force_login(team_lead)
    assert client.get(reverse("leads:lead", args=[other_team.pk])).status_code == 404
    response = client.post(reverse("leads:lead-assign", args=[other_team.pk]), {"rep": "1"})
    assert response.status_code == 404


def test_assigning_to_nobody_or_a_rep_of_another_team_says_why(
    client, frozen_today, rep, team_lead, east_team
):
    from tests.factories import UserFactory

    outsider = UserFactory(username="east.rep", profile__role="sales_rep", profile__team=east_team)
    mine = lead(rep, due_in_hours=2)
    client.force_login(team_lead)

    empty = client.post(reverse("leads:lead-assign", args=[mine.pk]), {"rep": ""}, follow=True)
    assert "Choose the rep to give this lead to." in empty.content.decode()
    # The east rep is outside the team lead's scope: not found, and the owner stays.
    far = client.post(reverse("leads:lead-assign", args=[mine.pk]), {"rep": outsider.profile.pk})
    assert far.status_code == 404
    mine.refresh_from_db()
    assert mine.owner == rep


def test_the_assignment_page_is_set_by_the_manager_and_read_by_the_team_lead(
    client, frozen_today, manager, team_lead, rep, south, south_team
):
    client.force_login(manager)
    added = client.post(
        reverse("planning:assignment-rule-create"),
        {"rule-team": south_team.pk, "rule-regions": [south.pk]},
        follow=True,
    ).content.decode()
    assert "The routing rule is saved." in added and "region 华南" in added
    refused = client.post(
        reverse("planning:assignment-policy"),
        {"policy-method": "lottery", "policy-weight_a": "-1", "policy-weight_b": "2",
         "policy-weight_c": "1", "policy-remind_before_hours": "0.5"},
    ).content.decode()  # fmt: skip
    assert "Select a valid choice" in refused
    assert "Ensure this value is greater than or equal to 0" in refused

    client.force_login(team_lead)
    page = client.get(reverse("planning:assignment")).content.decode()
    assert "region 华南" in page and 'name="policy-method"' not in page
    assert client.post(reverse("planning:assignment-rule-create"), {}).status_code == 403
    assert (
        client.post(
            reverse("planning:assignment-rule-delete", args=[AssignmentRule.objects.get().pk])
        ).status_code
        == 403
    )
    # …but sets their own rep's capacity and leave.
    client.post(reverse("planning:assignment-capacity", args=[rep.profile.pk]), {"capacity": "12"})
    rep.profile.refresh_from_db()
    assert rep.profile.lead_capacity == 12
    bad = client.post(
        reverse("planning:assignment-leave", args=[rep.profile.pk]),
        {"starts_on": "2026-12-10", "ends_on": "2026-12-01"},
        follow=True,
    ).content.decode()
    assert "A leave ends on or after the day it starts." in bad
    assert not RepLeave.objects.exists()

    client.force_login(rep)
    assert client.get(reverse("planning:assignment")).status_code == 403


def test_the_bell_counts_unread_notifications_and_the_page_marks_them_read(
    client, frozen_today, rep, other_rep
):
    from salesopt.core.models import Notification

    mine = lead(rep, due_in_hours=0.2, name="快到期")
    Notification.objects.create(
        user=rep, kind="due_soon", key="k1", lead=mine, created_at=timezone.now(),
        detail={"lead": "快到期", "due_at": mine.due_at.isoformat()},
    )  # fmt: skip
    Notification.objects.create(user=other_rep, kind="due_soon", key="k2",
                                created_at=timezone.now(), detail={"lead": "别人的"})  # fmt: skip
    client.force_login(rep)

    bell = client.get(reverse("leads:bell")).content.decode()
    assert 'class="bell-count">1<' in bell and "1 unread notification" in bell
    page = client.get(reverse("leads:notifications")).content.decode()
    assert "Lead 快到期 is due at" in page and "别人的" not in page
    client.post(reverse("leads:notifications-read"))
    assert "bell-count" not in client.get(reverse("leads:bell")).content.decode()
    assert Notification.objects.get(key="k2").read_at is None


def test_compliance_per_team_and_rep_reads_the_deadlines_in_the_readers_scope(
    client, frozen_today, manager, team_lead, rep, other_rep, south
):
    """Three A leads of rep in October (due 2 working hours after creation): one answered in
    1 h, one in 5 h (missed), one never (missed); other_rep one answered in time. The team:
    4 leads, 2 missed → 50% in time; rep 1 of 3 → 33%; other_rep 100%."""
    from salesopt.kpis.services import kpis_recompute
    from tests.kpis.conftest import local

    created = local(2026, 10, 13, 9)
    for owner, hours in ((rep, 1), (rep, 5), (rep, None), (other_rep, 1)):
        made = LeadFactory(owner=owner, crm_grade="A", region=south, created_in_crm_at=created)
        if hours is not None:
            Lead.objects.filter(pk=made.pk).update(
                first_response_at=created + dt.timedelta(hours=hours)
            )
    kpis_recompute(period_from="2026-10", period_to="2026-10")
    url = reverse("leads:compliance") + "?from=2026-10&to=2026-10"

    client.force_login(manager)
    team = client.get(url + "&by=team").content.decode()
    assert "华南一组" in team and "<td>4</td>" in team and "50%" in team
    client.force_login(team_lead)
    reps = client.get(url + "&by=rep").content.decode()
    assert "rep.south" in reps and "33%" in reps and "100%" in reps
    client.force_login(rep)
    own = client.get(url + "&by=rep").content.decode()
    assert "33%" in own and "rep.south2" not in own
    assert "No figures" in client.get(url + "&by=team").content.decode()
    bad = client.get(reverse("leads:compliance") + "?from=2026-13").content.decode()
    assert "Months are written YYYY-MM" in bad


def test_a_rep_whose_id_runs_past_999_can_be_picked(client, frozen_today, rep, team_lead):
    """Ids are written without the thousands separator the pages use for figures: "1,234"
    is no rep id, and picking that rep would fail as if nobody had been chosen."""
    from tests.factories import UserFactory

    late_hire = UserFactory(
        username="rep.south.late", profile__role="sales_rep", profile__team=rep.profile.team
    )
    type(late_hire.profile).objects.filter(pk=late_hire.profile.pk).update(id=12345)
    mine = lead(rep, due_in_hours=2)
    client.force_login(team_lead)

    page = client.get(reverse("leads:lead", args=[mine.pk])).content.decode()
    assert '<option value="12345">' in page

    client.post(reverse("leads:lead-assign", args=[mine.pk]), {"rep": "12345"})
    mine.refresh_from_db()
    assert mine.owner_id == late_hire.pk


def test_a_long_queue_is_paged_soonest_due_first_and_the_pages_keep_the_filters(
    client, frozen_today, rep, monkeypatch
):
    monkeypatch.setattr("salesopt.leads.assignment_selectors.QUEUE_PAGE_ROWS", 2)
    lead(rep, due_in_hours=-24 * 90, name="九十天前")
    lead(rep, due_in_hours=1, name="一小时")
    lead(rep, due_in_hours=5, name="五小时")
    lead(rep, due_in_hours=9, name="九小时", crm_grade="B")
    client.force_login(rep)
    url = reverse("leads:queue")

    first = client.get(url).content.decode()
    second = client.get(url + "?view=mine&page=2").content.decode()
    past_the_end = client.get(url + "?page=99").content.decode()
    not_a_number = client.get(url + "?page=abc").content.decode()

    # The oldest overdue lead is on the first page, however old; each lead on one page.
    assert "九十天前" in first and "一小时" in first and "五小时" not in first
    assert "4 leads · page 1 of 2" in first
    assert 'href="?view=mine&amp;page=2" rel="next"' not in first  # no view in the URL asked
    assert 'href="?page=2" rel="next"' in first
    assert "五小时" in second and "九小时" in second and "九十天前" not in second
    assert 'href="?view=mine&amp;page=1" rel="prev"' in second
    assert "五小时" in past_the_end and "page 2 of 2" in past_the_end
    assert "九十天前" in not_a_number
    filtered = client.get(url + "?grade=A").content.decode()
    assert "3 leads · page 1 of 2" in filtered and 'href="?grade=A&amp;page=2"' in filtered
