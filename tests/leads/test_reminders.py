"""The reminder job: deadlines near and missed, the team lead told, reassignment after a
breach, and every notification and e-mail exactly once, also with two runs at the same time.

"Now" is passed in: Monday 2026-11-16 in Shanghai (a working day, 09:00–18:00). Leads get
their due times directly, so the tests do not depend on the grading rules.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
from django.core import mail
from django.db import connection

from salesopt.core.models import (
    AssignmentPolicy,
    Lead,
    LeadAssignment,
    Notification,
    NotificationKind,
    Role,
)
from salesopt.leads.reminders import notification_text, remind
from tests.factories import LeadFactory, TeamFactory, UserFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 16, 14)


@pytest.fixture
def team():
    team = TeamFactory(name="华南区域组")
    boss = UserFactory(username="boss", profile__role=Role.TEAM_LEAD, profile__team=team)
    team.lead = boss
    team.save()
    ann = UserFactory(username="ann", profile__role=Role.SALES_REP, profile__team=team)
    bob = UserFactory(username="bob", profile__role=Role.SALES_REP, profile__team=team)
    return {"team": team, "boss": boss, "ann": ann, "bob": bob}


def due(owner, at, **fields):
    lead = LeadFactory(owner=owner, crm_grade="A", name=fields.pop("name", "王伟"), **fields)
    Lead.objects.filter(pk=lead.pk).update(due_at=at)
    return lead


def kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_deadline_near_reminds_the_owner_once_in_the_app_and_by_mail(team):
    lead = due(team["ann"], NOW + dt.timedelta(minutes=20))
    due(team["bob"], NOW + dt.timedelta(hours=5), name="还早")

    first = remind(now=NOW)
    second = remind(now=NOW + dt.timedelta(minutes=5))

    assert (first.due_soon, second.due_soon) == (1, 0)
    notice = Notification.objects.get()
    assert (notice.user, notice.kind, notice.lead) == (team["ann"], "due_soon", lead)
    assert notification_text(notice) == "Lead 王伟 is due at 2026-11-16 14:20: answer it now."
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [team["ann"].email]
    assert "2026-11-16 14:20" in mail.outbox[0].body and "王伟" in mail.outbox[0].subject


def test_a_missed_deadline_tells_the_owner_and_the_team_lead(team):
    due(team["ann"], NOW - dt.timedelta(minutes=30))
    due(team["ann"], NOW - dt.timedelta(days=30), name="上个月的")  # old news: in the list only
    answered = due(team["bob"], NOW - dt.timedelta(hours=1), name="已回复")
    Lead.objects.filter(pk=answered.pk).update(first_response_at=NOW - dt.timedelta(hours=2))

    counts = remind(now=NOW)

    assert (counts.overdue, counts.team_breaches) == (1, 1)
    assert kinds(team["ann"]) == [NotificationKind.OVERDUE]
    assert kinds(team["boss"]) == [NotificationKind.TEAM_BREACH]
    assert kinds(team["bob"]) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team["ann"].email, team["boss"].email])


def test_still_unanswered_after_the_policy_hours_the_lead_goes_to_a_colleague_once(team):
    """Due 10:00, reassign after 2 working hours: from 12:00. At 14:00 it goes to bob."""
    AssignmentPolicy.objects.create(pk=1, reassign_after_hours=2)
    lead = due(team["ann"], local(2026, 11, 16, 10))
    just_late = due(team["ann"], local(2026, 11, 16, 13), name="刚超时")

    counts = remind(now=NOW)
    again = remind(now=NOW + dt.timedelta(hours=3))

    lead.refresh_from_db()
    just_late.refresh_from_db()
    assert (counts.reassigned, again.reassigned) == (1, 1)  # then the 13:00 one, at 17:00
    assert lead.owner == team["bob"]
    entry = LeadAssignment.objects.filter(lead=lead).get()
    assert (entry.reason, entry.previous_owner, entry.assigned_to) == (
        "breach", team["ann"], team["bob"],
    )  # fmt: skip
    assert NotificationKind.REASSIGNED_AWAY in kinds(team["ann"])
    assert NotificationKind.ASSIGNED in kinds(team["bob"])
    # bob misses it too: it is not passed on again; the team lead decides.
    remind(now=NOW + dt.timedelta(days=1))
    lead.refresh_from_db()
    assert lead.owner == team["bob"]


def test_a_mail_server_down_keeps_the_mail_for_the_next_run(team, settings):
    due(team["ann"], NOW + dt.timedelta(minutes=10))
    locmem = settings.EMAIL_BACKEND
    # A real SMTP client against a port nothing listens on: the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2

    assert remind(now=NOW).emailed == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1

    settings.EMAIL_BACKEND = locmem
    assert remind(now=NOW + dt.timedelta(minutes=5)).emailed == 1
    assert len(mail.outbox) == 1
    assert remind(now=NOW + dt.timedelta(minutes=10)).emailed == 0  # sent once


def test_one_run_mails_its_batch_and_the_next_run_the_rest(team, monkeypatch):
    monkeypatch.setattr("salesopt.leads.reminders.MAIL_BATCH", 2)
    for minutes in range(3):
        due(team["ann"], NOW + dt.timedelta(minutes=minutes + 1), name=f"客户{minutes}")

    assert remind(now=NOW).emailed == 2
    assert remind(now=NOW + dt.timedelta(seconds=30)).emailed == 1
    assert len(mail.outbox) == 3 and len({m.body for m in mail.outbox}) == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_job_at_once_send_each_notification_once(team):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock and concurrent sessions need PostgreSQL")
    for minutes in range(5):
        due(team["ann"], NOW + dt.timedelta(minutes=minutes + 1), name=f"客户{minutes}")
    due(team["bob"], NOW - dt.timedelta(minutes=10))
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(remind(now=NOW))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Notification.objects.count() == 7  # 5 reminders, 1 overdue, 1 to the team lead
    assert sum(result.due_soon for result in results) == 5
    assert sum(result.emailed for result in results) == 7
    assert len(mail.outbox) == 7


def test_a_change_of_the_working_calendar_moves_the_open_leads_deadlines(
    team, django_capture_on_commit_callbacks
):
    """An A lead created Friday 2026-11-20 17:00 is due Monday 10:00 (2 working hours). The
    company makes Monday the 23rd a day off: it is due Tuesday 10:00 instead. An answered
    lead's deadline moves too only while it is open; a lost one stays."""
    from salesopt.core.models import CalendarException

    open_lead = LeadFactory(owner=team["ann"], crm_grade="A",
                            created_in_crm_at=local(2026, 11, 20, 17))  # fmt: skip
    lost = LeadFactory(owner=team["ann"], crm_grade="A", status="lost",
                       created_in_crm_at=local(2026, 11, 20, 17))  # fmt: skip
    assert open_lead.due_at == local(2026, 11, 23, 10)

    with django_capture_on_commit_callbacks(execute=True):
        CalendarException.objects.create(day=dt.date(2026, 11, 23), is_working_day=False,
                                         note="公司团建")  # fmt: skip

    open_lead.refresh_from_db()
    lost.refresh_from_db()
    assert open_lead.due_at == local(2026, 11, 24, 10)
    assert lost.due_at == local(2026, 11, 23, 10)
