"""The kick-off: the manager records the meeting and each attendee's duty; attendees with an
account acknowledge their own, the manager records a guest's; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from execution import kickoff_selectors, kickoff_services
from execution.editing import EditConflictError
from execution.models import KickOffAttendee
from planning.models import Measure, MeasureLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def kickoff(program, manager):
    program.execution_start = dt.date(2026, 11, 2)
    program.save()
    measure = Measure.objects.create(
        program=program, line=MeasureLine.TEAM, title="新人培训", owner=manager,
        planned_completion=dt.date(2026, 12, 31),
    )  # fmt: skip
    return kickoff_services.kickoff_save(program=program, by=manager, version=0,
                                         held_on=dt.date(2026, 11, 2), place="大会议室",
                                         measures=[measure])  # fmt: skip


def test_attendees_acknowledge_their_own_duty_once(kickoff, manager, rep, other_rep):
    mine = kickoff_services.attendee_add(
        kickoff=kickoff, by=manager, user=rep, duty="每周五写跟进记录"
    )
    kickoff_services.attendee_add(
        kickoff=kickoff, by=manager, user=other_rep, duty="首次联系记录需求"
    )

    with pytest.raises(PermissionDenied):
        kickoff_services.acknowledge(attendee=mine, by=other_rep)  # not theirs
    first = kickoff_services.acknowledge(attendee=mine, by=rep).acknowledged_at
    again = kickoff_services.acknowledge(attendee=mine, by=rep).acknowledged_at

    assert first is not None and again == first
    assert mine.acknowledged_for_by is None
    rows = kickoff_selectors.attendances(kickoff, rep)
    assert [row.mine for row in rows] == [True, False]
    assert sum(row.attendee.acknowledged_at is not None for row in rows) == 1


def test_a_guests_acknowledgement_is_recorded_by_the_manager_and_says_so(
    kickoff, manager, team_lead
):
    guest = kickoff_services.attendee_add(kickoff=kickoff, by=manager, name="周敏",
                                          department="市场部", duty="每月报告线索质量")  # fmt: skip
    with pytest.raises(PermissionDenied):
        kickoff_services.acknowledge(attendee=guest, by=team_lead)

    recorded = kickoff_services.acknowledge(attendee=guest, by=manager)

    assert recorded.acknowledged_at is not None and recorded.acknowledged_for_by == manager


def test_bad_attendees_are_refused_with_a_reason(kickoff, manager, rep, team_lead):
    kickoff_services.attendee_add(kickoff=kickoff, by=manager, user=rep, duty="x")
    cases = [
        ({"user": rep, "duty": "again"}, "on the list already"),
        ({"duty": "no one"}, "name the guest"),
        ({"user": team_lead, "duty": "  "}, "responsible for"),
    ]
    for fields, message in cases:
        with pytest.raises(ValidationError, match=message):
            kickoff_services.attendee_add(kickoff=kickoff, by=manager, **fields)
    with pytest.raises(PermissionDenied):
        kickoff_services.attendee_add(kickoff=kickoff, by=team_lead, user=team_lead, duty="x")
    assert KickOffAttendee.objects.count() == 1


def test_a_stale_kickoff_form_is_refused_and_a_late_date_explained(kickoff, program, manager):
    kickoff_services.kickoff_save(program=program, by=manager, version=1,
                                  held_on=dt.date(2026, 11, 3))  # fmt: skip
    with pytest.raises(EditConflictError):
        kickoff_services.kickoff_save(program=program, by=manager, version=1,
                                      held_on=dt.date(2026, 11, 4))  # fmt: skip
    with pytest.raises(ValidationError, match="first month"):
        kickoff_services.kickoff_save(program=program, by=manager, version=2,
                                      held_on=dt.date(2027, 2, 1))  # fmt: skip
    kickoff.refresh_from_db()
    assert (kickoff.held_on, kickoff.version) == (dt.date(2026, 11, 3), 2)


def test_the_page_shows_a_rep_their_duty_to_acknowledge_and_hides_the_managers_forms(
    client, kickoff, manager, rep, executive
):
    attendee = kickoff_services.attendee_add(kickoff=kickoff, by=manager, user=rep,
                                             duty="按时限响应线索")  # fmt: skip
    client.force_login(rep)

    page = client.get(reverse("execution:kickoff")).content.decode()
    assert "按时限响应线索" in page and "I have read my duty and take it on" in page
    assert "Record the kick-off" not in page and "Add an attendee" not in page
    assert client.post(reverse("execution:kickoff_save"), {}).status_code == 403

    client.post(reverse("execution:attendee_acknowledge", args=[attendee.pk]))
    assert "You acknowledged it on" in client.get(reverse("execution:kickoff")).content.decode()

    client.force_login(executive)
    assert client.post(reverse("execution:attendee_remove", args=[attendee.pk])).status_code == 403
    assert client.post(reverse("execution:attendee_acknowledge",
                               args=[attendee.pk])).status_code == 403  # fmt: skip


def test_the_manager_records_the_kickoff_through_the_page(client, program, manager):
    program.execution_start = dt.date(2026, 11, 2)
    program.save()
    client.force_login(manager)

    refused = client.post(reverse("execution:kickoff_save"), {
        "kickoff-version": "0", "kickoff-held_on": "not a date",
    })  # fmt: skip
    saved = client.post(reverse("execution:kickoff_save"), {
        "kickoff-version": "0", "kickoff-held_on": "2026-11-02", "kickoff-place": "大会议室",
    })  # fmt: skip

    assert refused.status_code == 200 and "Enter a valid date." in refused.content.decode()
    assert saved.status_code == 302
    assert "大会议室" in client.get(reverse("execution:kickoff")).content.decode()
