"""Weekly reviews: the week's figures, closing freezes them (a later change does not alter what
was reviewed), the sponsor gets the summary once, a closed review changes no more; who reads
and who runs them.

The clock is pinned (frozen_today: Sunday 2026-11-15; its week starts Monday 2026-11-09)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from execution import review_selectors, review_services, services
from execution.models import Task

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 9)


@pytest.fixture
def week(frozen_today, program, manager, rep, executive):
    executive.email = "sponsor@example.com"
    executive.save()
    program.execution_start = dt.date(2026, 11, 2)
    program.save()
    Task.objects.create(program=program, title="配置 CRM 提醒", owner=rep, team=rep.profile.team,
                        starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 6),
                        note="接口权限晚开通")  # fmt: skip
    Task.objects.create(program=program, title="新人培训", owner=rep, team=rep.profile.team,
                        starts_on=dt.date(2026, 11, 9), ends_on=dt.date(2026, 11, 13))  # fmt: skip
    return review_services.review_open(program=program, by=manager, week_of=frozen_today)


def test_the_weeks_figures_list_what_was_due_late_and_done(week):
    assert week.week_start == MONDAY
    figures = review_selectors.figures(week.program, MONDAY)

    assert [t["task"] for t in figures["tasks_due"]] == ["新人培训"]
    assert {t["task"] for t in figures["tasks_overdue"]} == {"配置 CRM 提醒", "新人培训"}
    assert figures["tasks_overdue"][0]["note"] in ("接口权限晚开通", "")
    assert figures["tasks_done"] == []


def test_closing_freezes_the_figures_and_mails_the_sponsor_once(
    week, manager, rep, django_capture_on_commit_callbacks
):
    review_services.decision_add(review=week, by=manager, text="周三前开通 CRM 接口", owner=rep,
                                 due_on=dt.date(2026, 11, 18))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        closed = review_services.review_close(review=week, by=manager)
    # After the review, the late task gets done: what was reviewed stays as it was.
    task = Task.objects.get(title="配置 CRM 提醒")
    services.task_update(task_id=task.pk, field="status", value="done", version=task.version,
                         by=manager)  # fmt: skip

    shown = review_selectors.review_figures(closed)
    live = review_selectors.figures(closed.program, MONDAY)
    assert {t["task"] for t in shown["tasks_overdue"]} == {"配置 CRM 提醒", "新人培训"}
    assert {t["task"] for t in live["tasks_overdue"]} == {"新人培训"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sponsor@example.com"]
    assert "周三前开通 CRM 接口" in mail.outbox[0].body
    assert review_services.send_summary(review_id=closed.pk) is False  # never twice
    assert len(mail.outbox) == 1


def test_a_closed_review_changes_no_more(week, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_close(review=week, by=manager)
    for change in (
        lambda: review_services.review_notes_save(review=week, by=manager, notes="x", version=2),
        lambda: review_services.decision_add(review=week, by=manager, text="x"),
        lambda: review_services.review_close(review=week, by=manager),
    ):
        with pytest.raises(ValidationError, match="closed"):
            change()


def test_only_the_manager_runs_reviews_and_a_week_before_the_execution_is_refused(
    week, program, team_lead, executive, manager
):
    for user in (team_lead, executive):
        with pytest.raises(PermissionDenied):
            review_services.review_close(review=week, by=user)
    with pytest.raises(ValidationError, match="before the execution starts"):
        review_services.review_open(program=program, by=manager, week_of=dt.date(2026, 10, 20))


def test_who_reads_the_review_page(client, week, rep, team_lead, executive):
    url = reverse("execution:review", args=["2026-11-09"])
    client.force_login(rep)
    assert client.get(url).status_code == 403
    client.force_login(team_lead)
    as_lead = client.get(url).content.decode()
    assert "Decisions" in as_lead and "Due this week" not in as_lead  # no company figures
    client.force_login(executive)
    as_sponsor = client.get(url).content.decode()
    assert "Due this week" in as_sponsor and "Close the review" not in as_sponsor
    assert client.get(reverse("execution:review", args=["not-a-week"])).status_code == 404


def test_the_reviews_through_the_api(client, week, manager, team_lead, rep):
    review_services.decision_add(review=week, by=manager, text="周三前开通接口", owner=rep)
    client.force_login(manager)
    as_manager = client.get(reverse("api:execution-reviews")).json()
    client.force_login(team_lead)
    as_lead = client.get(reverse("api:execution-reviews")).json()
    client.force_login(rep)

    (review,) = as_manager["reviews"]
    assert review["week_start"] == "2026-11-09" and review["closed_at"] is None
    assert review["decisions"] == [{"text": "周三前开通接口", "owner": "rep.south", "due_on": None}]
    assert [t["task"] for t in review["figures"]["tasks_due"]] == ["新人培训"]
    assert as_lead["reviews"][0]["figures"] is None
    assert client.get(reverse("api:execution-reviews")).status_code == 403
