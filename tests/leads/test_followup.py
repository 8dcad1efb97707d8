"""Follow-up standards: the checklist items they put on leads, ticking them, a CRM activity
meeting a weekly one, and the compliance KPI, on hand-made data.

Times are Shanghai times. The default calendar (Mon–Fri 09:00–18:00) gives an A lead created
Monday 2026-11-16 09:00 a response deadline of 11:00 the same day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salesopt.core.models import FollowUpItem, FollowUpStandard, Lead, LeadStatus
from salesopt.kpis.models import KpiSnapshot
from salesopt.kpis.services import kpis_recompute
from salesopt.leads import followup
from salesopt.leads.assignment_selectors import checklist
from tests.factories import ActivityFactory, LeadFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db


def standard(cadence, *, grade="", weekday=5, effective_from=dt.date(2026, 11, 1)):
    return FollowUpStandard.objects.create(
        text="记录客户的三大核心需求" if cadence == "first_contact" else "每周五写跟进记录",
        cadence=cadence, grade=grade, weekday=weekday, effective_from=effective_from,
    )  # fmt: skip


def test_a_first_contact_standard_is_due_at_the_response_deadline_of_its_grade(rep):
    core_needs = standard("first_contact", grade="A")
    a_lead = LeadFactory(owner=rep, crm_grade="A", created_in_crm_at=local(2026, 11, 16, 9))
    LeadFactory(owner=rep, crm_grade="B", created_in_crm_at=local(2026, 11, 16, 9))
    LeadFactory(owner=rep, crm_grade="A", created_in_crm_at=local(2026, 10, 30, 9))  # before

    assert followup.items_refresh(now=local(2026, 11, 16, 9, 30)) == 1
    assert followup.items_refresh(now=local(2026, 11, 16, 9, 35)) == 0  # nothing twice

    item = FollowUpItem.objects.get()
    assert (item.lead, item.standard, item.due_at) == (a_lead, core_needs, local(2026, 11, 16, 11))
    # A re-grade that moves the deadline moves the item that is not done.
    Lead.objects.filter(pk=a_lead.pk).update(due_at=local(2026, 11, 16, 15))
    followup.items_refresh(now=local(2026, 11, 16, 9, 40))
    assert list(FollowUpItem.objects.values_list("due_at", flat=True)) == [local(2026, 11, 16, 15)]


def test_a_weekly_standard_is_due_by_the_end_of_its_weekday_and_an_activity_meets_it(rep):
    standard("weekly", weekday=5)
    open_lead = LeadFactory(owner=rep, crm_grade="C", created_in_crm_at=local(2026, 11, 10, 9))
    LeadFactory(owner=rep, crm_grade="C", created_in_crm_at=local(2026, 11, 10, 9),
                status=LeadStatus.LOST)  # fmt: skip
    quiet = LeadFactory(owner=rep, crm_grade="C", created_in_crm_at=local(2026, 11, 11, 9))
    ActivityFactory(lead=open_lead, rep=rep, occurred_at=local(2026, 11, 18, 15))

    followup.items_refresh(now=local(2026, 11, 16, 10))  # Monday

    items = {item.lead_id: item for item in FollowUpItem.objects.all()}
    assert set(items) == {open_lead.pk, quiet.pk}
    # The end of Friday the 20th.
    assert items[open_lead.pk].due_at == local(2026, 11, 20, 23, 59) + dt.timedelta(seconds=59)
    assert (items[open_lead.pk].met_by, items[open_lead.pk].done_at) == (
        "activity", local(2026, 11, 18, 15),
    )  # fmt: skip
    assert items[quiet.pk].done_at is None
    rows = checklist(quiet, now=local(2026, 11, 23, 9))
    assert [row.state for row in rows] == ["overdue"]


def test_the_owner_ticks_an_item_others_may_not_and_an_activity_stays(rep, other_rep, manager):
    standard("first_contact")
    lead = LeadFactory(owner=rep, crm_grade="A", created_in_crm_at=local(2026, 11, 16, 9))
    followup.items_refresh(now=local(2026, 11, 16, 9))
    item = FollowUpItem.objects.get()

    with pytest.raises(PermissionDenied):
        followup.item_tick(user=other_rep, item=item, done=True)
    followup.item_tick(user=rep, item=item, done=True, note=" 预算、工期、售后 ",
                       now=local(2026, 11, 16, 10))  # fmt: skip

    item.refresh_from_db()
    assert (item.done_by, item.note, item.done_at) == (
        rep,
        "预算、工期、售后",
        local(2026, 11, 16, 10),
    )
    assert [row.state for row in checklist(lead, now=local(2026, 11, 16, 12))] == ["done"]
    followup.item_tick(user=manager, item=item, done=False)
    item.refresh_from_db()
    assert item.done_at is None
    FollowUpItem.objects.filter(pk=item.pk).update(met_by="activity")
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="CRM activity"):
        followup.item_tick(user=rep, item=item, done=False)


def test_compliance_is_items_done_by_their_due_time_over_items_due(frozen_today, rep, other_rep):
    """Weekly by Friday from Nov 1; two leads open since Mon Nov 2. Fridays 6, 13, 20 make
    items due at the ends of those days. Now is Sunday Nov 15 18:00: Nov 6 and Nov 13 are due
    (4 items), Nov 20 not yet. rep's lead has activities on Nov 5 and Nov 12 (both met);
    other_rep's has none and ticks the Nov 20 item early (not yet due: counts nowhere).
    November: 2 of 4 → 0.5; rep 2/2 → 1.0; other_rep 0/2 → 0.0."""
    standard("weekly", weekday=5)
    met = LeadFactory(owner=rep, crm_grade="B", created_in_crm_at=local(2026, 11, 2, 9))
    missed = LeadFactory(owner=other_rep, crm_grade="B", created_in_crm_at=local(2026, 11, 2, 9))
    ActivityFactory(lead=met, rep=rep, occurred_at=local(2026, 11, 5, 10))
    ActivityFactory(lead=met, rep=rep, occurred_at=local(2026, 11, 12, 10))
    followup.weekly_items_backfill(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 22))
    early = FollowUpItem.objects.get(lead=missed, due_at__date=dt.date(2026, 11, 20))
    followup.item_tick(user=other_rep, item=early, done=True, now=local(2026, 11, 15, 9))

    kpis_recompute(period_from="2026-11", period_to="2026-11")

    def value(**cut):
        return KpiSnapshot.objects.get(
            metric="follow_up_compliance", grain="month", period_start=dt.date(2026, 11, 1),
            cut=",".join(cut), **{f"{k}_id" if k != "grade" else k: v for k, v in cut.items()},
        ).value  # fmt: skip

    assert FollowUpItem.objects.count() == 6
    assert value() == 0.5
    assert value(rep=rep.pk) == 1.0
    assert value(rep=other_rep.pk) == 0.0
    assert value(grade="B") == 0.5
