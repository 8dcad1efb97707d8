"""New-rep coaching: the team lead's list of their new reps' follow-up records that are
missing, late or ticked with nothing recorded, and the coaching recorded on them.

The clock is pinned (frozen_today: 2026-11-15 10:00 UTC, 18:00 in Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.urls import reverse

from execution import coaching_selectors, coaching_services
from execution.models import Coaching
from salesopt.core.models import FollowUpItem, FollowUpStandard
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def new_rep(south_team):
    return UserFactory(
        username="rep.new",
        profile__role="sales_rep",
        profile__team=south_team,
        profile__hire_date=dt.date(2026, 10, 1),
    )


@pytest.fixture
def standard(db):
    return FollowUpStandard.objects.create(
        text="记录客户三大核心需求", cadence="first_contact", effective_from=dt.date(2020, 1, 1)
    )


def item(owner, standard, due, done=None, note="", met_by="", region=None):
    lead = LeadFactory(owner=owner, region=region)
    return FollowUpItem.objects.create(
        lead=lead, standard=standard, due_at=due, done_at=done, note=note, met_by=met_by
    )


def records(user):
    return {
        rep.profile.user.username: [(r.item, r.state) for r in rep.records]
        for rep in coaching_selectors.coaching_list(user)
    }


def test_the_list_holds_new_reps_records_that_are_missing_late_or_empty(
    frozen_today, team_lead, new_rep, rep, standard
):
    hour = dt.timedelta(hours=1)
    missing = item(new_rep, standard, NOW - 2 * hour)
    late = item(new_rep, standard, NOW - 30 * hour, done=NOW - 3 * hour, note="预算 50 万")
    empty = item(new_rep, standard, NOW - 50 * hour, done=NOW - 52 * hour)
    item(new_rep, standard, NOW - 50 * hour, done=NOW - 52 * hour, note="需求：报价、交期")  # fine
    item(new_rep, standard, NOW - 50 * hour, done=NOW - 52 * hour, met_by="activity")  # fine
    item(new_rep, standard, NOW + hour)  # not due yet
    item(new_rep, standard, NOW - dt.timedelta(days=20))  # before the last 14 days
    item(rep, standard, NOW - 2 * hour)  # rep.south has no hire date: not a new rep

    assert records(team_lead) == {
        "rep.new": [(empty, "below_standard"), (late, "late"), (missing, "missing")]
    }


def test_a_rep_hired_over_90_days_ago_is_not_new(frozen_today, team_lead, new_rep, standard):
    new_rep.profile.hire_date = dt.date(2026, 8, 16)  # 91 days before
    new_rep.profile.save()
    assert records(team_lead) == {}


def test_a_team_lead_lists_their_own_team_only_and_the_manager_every_team(
    frozen_today, team_lead, manager, executive, new_rep, east_team, standard
):
    east_new = UserFactory(
        username="rep.east.new",
        profile__role="sales_rep",
        profile__team=east_team,
        profile__hire_date=dt.date(2026, 11, 2),
    )
    item(east_new, standard, NOW - dt.timedelta(hours=2))

    assert set(records(team_lead)) == {"rep.new"}
    assert set(records(manager)) == set(records(executive)) == {"rep.new", "rep.east.new"}
    east = next(r for r in coaching_selectors.coaching_list(team_lead) if r.name == "rep.new")
    assert east.can_coach
    assert not any(r.can_coach for r in coaching_selectors.coaching_list(executive))


def test_recording_a_coaching_marks_the_records_it_took_up(
    frozen_today, team_lead, new_rep, standard
):
    first = item(new_rep, standard, NOW - dt.timedelta(hours=2))
    second = item(new_rep, standard, NOW - dt.timedelta(hours=5))

    coaching = coaching_services.coaching_record(
        by=team_lead, rep_id=new_rep.pk, note="首次联系要记下客户的三大需求", item_ids=[first.pk]
    )

    assert (coaching.coach, coaching.held_on) == (team_lead, dt.date(2026, 11, 15))
    [card] = coaching_selectors.coaching_list(team_lead)
    assert {r.item: r.coached_on for r in card.records} == {
        first: dt.date(2026, 11, 15),
        second: None,
    }
    assert card.to_coach == 1 and card.coachings == [coaching]


def test_a_coaching_is_refused_with_a_reason(
    frozen_today, team_lead, new_rep, east_team, executive, standard
):
    other = UserFactory(
        username="rep.east.new",
        profile__role="sales_rep",
        profile__team=east_team,
        profile__hire_date=dt.date(2026, 11, 2),
    )
    theirs = item(other, standard, NOW - dt.timedelta(hours=2))

    with pytest.raises(ValidationError, match="Say what you went through"):
        coaching_services.coaching_record(by=team_lead, rep_id=new_rep.pk, note="  ", item_ids=[])
    with pytest.raises(ValidationError, match="ahead of its day"):
        coaching_services.coaching_record(
            by=team_lead, rep_id=new_rep.pk, note="x", item_ids=[], held_on=dt.date(2026, 11, 16)
        )
    with pytest.raises(ValidationError, match="this rep's own"):
        coaching_services.coaching_record(
            by=team_lead, rep_id=new_rep.pk, note="x", item_ids=[theirs.pk]
        )
    with pytest.raises(ObjectDoesNotExist):  # another team's rep is out of the lead's sight
        coaching_services.coaching_record(by=team_lead, rep_id=other.pk, note="x", item_ids=[])
    with pytest.raises(PermissionDenied):  # the executive reads, records nothing
        coaching_services.coaching_record(by=executive, rep_id=new_rep.pk, note="x", item_ids=[])
    assert not Coaching.objects.exists()


def test_the_page_records_a_coaching_in_place_and_refuses_reps(
    frozen_today, client, program, team_lead, new_rep, rep, standard
):
    missing = item(new_rep, standard, NOW - dt.timedelta(hours=2))
    client.force_login(team_lead)
    page = client.get(reverse("execution:coaching"))
    assert "rep.new" in page.content.decode() and "1 missing" in page.content.decode()

    card = client.post(
        reverse("execution:coaching_record", args=[new_rep.pk]),
        {"note": "", "items": [missing.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert "Say what you went through with the rep." in card.content.decode()
    card = client.post(
        reverse("execution:coaching_record", args=[new_rep.pk]),
        {"note": "跟进记录当天写", "items": [missing.pk], "held_on": "2026-11-15"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        "Coaching recorded." in card.content.decode() and "跟进记录当天写" in card.content.decode()
    )
    # The page's count of records to take up follows, out of band.
    summary = 'id="coaching-summary" hx-swap-oob="true">1 new rep · 0 records to take up'
    assert summary in card.content.decode()
    bad_day = client.post(
        reverse("execution:coaching_record", args=[new_rep.pk]),
        {"note": "x", "held_on": "2026-13-01"},
        HTTP_HX_REQUEST="true",
    )
    assert "Enter a date as YYYY-MM-DD." in bad_day.content.decode()
    assert (
        client.post(reverse("execution:coaching_record", args=[rep.pk]), {"note": "x"}).status_code
        == 404
    )  # not a new rep

    client.force_login(rep)
    assert client.get(reverse("execution:coaching")).status_code == 403
