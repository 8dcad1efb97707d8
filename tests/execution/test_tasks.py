"""The execution plan table: rows from the plan's measures and by hand, inline edits that never
lose a change (the version check), the field history, and who may read and edit which row.

The clock is pinned (frozen_today: 2026-11-15, a Sunday, in the company's zone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from execution import selectors, services
from execution.models import Task, TaskStatus
from planning.models import Measure, MeasureLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(program, rep):
    return Measure.objects.create(
        program=program, line=MeasureLine.PROCESS, title="制定线索分级标准", owner=rep,
        planned_completion=dt.date(2026, 12, 10), starts_on=dt.date(2026, 12, 1),
    )  # fmt: skip


def task(program, owner, **fields):
    values = {"title": "配置 CRM 跟进提醒", "starts_on": dt.date(2026, 11, 2),
              "ends_on": dt.date(2026, 11, 20), "owner": owner,
              "team": owner.profile.team if owner else None}  # fmt: skip
    return Task.objects.create(program=program, **{**values, **fields})


def test_each_measure_becomes_one_task_with_its_owner_dates_and_team(
    frozen_today, program, measure, manager, rep, south_team
):
    assert services.tasks_from_measures(program=program, by=manager) == 1
    assert services.tasks_from_measures(program=program, by=manager) == 0  # not twice

    made = Task.objects.get()
    assert (made.title, made.measure, made.owner, made.team) == (
        "制定线索分级标准", measure, rep, south_team,
    )  # fmt: skip
    assert (made.starts_on, made.ends_on, made.status) == (
        dt.date(2026, 12, 1), dt.date(2026, 12, 10), TaskStatus.NOT_STARTED,
    )  # fmt: skip


def test_a_measure_without_a_start_starts_with_the_execution(frozen_today, program, measure,
                                                             manager):  # fmt: skip
    measure.starts_on = None
    measure.save()
    program.execution_start = dt.date(2026, 11, 9)
    program.save()

    services.tasks_from_measures(program=program, by=manager)

    assert Task.objects.get().starts_on == dt.date(2026, 11, 9)


def test_only_the_plans_editors_turn_measures_into_tasks(program, measure, team_lead, executive):
    for user in (team_lead, executive):
        with pytest.raises(PermissionDenied):
            services.tasks_from_measures(program=program, by=user)
    assert not Task.objects.exists()


def test_an_edit_raises_the_version_and_is_in_the_history_with_who_before_and_after(
    frozen_today, program, team_lead, rep
):
    row = task(program, rep)

    saved = services.task_update(task_id=row.pk, field="ends_on", value="2026-11-27",
                                 version=1, by=team_lead)  # fmt: skip

    assert (saved.ends_on, saved.version) == (dt.date(2026, 11, 27), 2)
    latest = selectors.task_history(saved)[0]
    assert (latest.field, latest.before, latest.after) == ("end", "2026-11-20", "2026-11-27")
    assert latest.by == team_lead.profile.display_name or latest.by == "lead.south"


def test_a_stale_edit_is_refused_with_the_other_persons_value_and_nothing_is_lost(
    frozen_today, program, team_lead, manager, rep
):
    row = task(program, rep)
    # Both open the cell at version 1; the manager saves first.
    services.task_update(task_id=row.pk, field="deliverable", value="分级标准 v1",
                         version=1, by=manager)  # fmt: skip

    with pytest.raises(services.EditConflictError) as refused:
        services.task_update(task_id=row.pk, field="deliverable", value="分级标准草案",
                             version=1, by=team_lead)  # fmt: skip

    assert refused.value.their_value == "分级标准 v1"
    assert refused.value.changed_by in ("manager", manager.profile.display_name)
    row.refresh_from_db()
    assert (row.deliverable, row.version) == ("分级标准 v1", 2)
    # Knowingly writing over it, on the version the conflict showed, is accepted — and both
    # values stay in the history.
    services.task_update(task_id=row.pk, field="deliverable", value="分级标准草案",
                         version=refused.value.row.version, by=team_lead)  # fmt: skip
    afters = [
        change.after for change in selectors.task_history(row) if change.field == "deliverable"
    ]
    assert afters == ["分级标准草案", "分级标准 v1"]


def test_a_stale_edit_of_another_column_is_refused_too(frozen_today, program, manager, rep):
    """The version is the row's: the other column may depend on what changed (done on ↔ status)."""
    row = task(program, rep)
    services.task_update(task_id=row.pk, field="status", value="done", version=1, by=manager)

    with pytest.raises(services.EditConflictError) as refused:
        services.task_update(task_id=row.pk, field="done_on", value="2026-11-10", version=1,
                             by=manager)  # fmt: skip

    assert refused.value.field == "done_on"
    assert refused.value.their_value == "2026-11-15"  # marked done today


def test_done_dates_itself_today_and_reopening_clears_it(frozen_today, program, manager, rep):
    row = task(program, rep)
    row = services.task_update(task_id=row.pk, field="status", value="done", version=1, by=manager)
    assert row.done_on == dt.date(2026, 11, 15)
    row = services.task_update(task_id=row.pk, field="done_on", value="2026-11-12", version=2,
                               by=manager)  # fmt: skip
    assert row.done_on == dt.date(2026, 11, 12)
    row = services.task_update(task_id=row.pk, field="status", value="in_progress", version=3,
                               by=manager)  # fmt: skip
    assert (row.status, row.done_on) == ("in_progress", None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", "2026-10-01", "The end cannot come before the start."),
        ("starts_on", "2026-12-01", "The end cannot come before the start."),
        ("ends_on", "next friday", "Enter a date as YYYY-MM-DD."),
        ("ends_on", "2026-02-30", "Enter a date as YYYY-MM-DD."),
        ("title", "   ", "Say what the task is."),
        ("status", "finished", "Choose a status from the list."),
        ("done_on", "2026-11-10", "Mark the task done first."),
        ("owner", "abc", "Choose an owner from the list."),
        ("version", "7", "This column cannot be edited."),
    ],
)
def test_a_value_that_does_not_fit_is_refused_and_the_row_stays_as_it_was(
    frozen_today, program, manager, rep, field, value, message
):
    row = task(program, rep)

    with pytest.raises(ValidationError) as refused:
        services.task_update(task_id=row.pk, field=field, value=value, version=1, by=manager)

    assert message in " ".join(refused.value.messages)
    fresh = Task.objects.get(pk=row.pk)
    assert (fresh.version, fresh.ends_on, fresh.title) == (1, row.ends_on, row.title)
    assert fresh.history.count() == 1  # only its creation


def test_a_task_cannot_be_done_in_the_future(frozen_today, program, manager, rep):
    row = task(program, rep, status=TaskStatus.DONE, done_on=dt.date(2026, 11, 14))
    with pytest.raises(ValidationError, match="future"):
        services.task_update(task_id=row.pk, field="done_on", value="2026-11-16", version=1,
                             by=manager)  # fmt: skip


def test_team_leads_edit_their_own_teams_rows_only(program, team_lead, rep, east_rep, manager):
    ours, theirs = task(program, rep), task(program, east_rep)
    company_wide = task(program, None, team=None)

    services.task_update(task_id=ours.pk, field="resources", value="CRM 管理员 2 天",
                         version=1, by=team_lead)  # fmt: skip
    with pytest.raises(Task.DoesNotExist):  # not even visible to them
        services.task_update(task_id=theirs.pk, field="resources", value="x", version=1,
                             by=team_lead)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.task_update(task_id=company_wide.pk, field="resources", value="x", version=1,
                             by=team_lead)  # fmt: skip
    # …and they give their rows only to people on their team.
    with pytest.raises(ValidationError, match="Choose an owner"):
        services.task_update(task_id=ours.pk, field="owner", value=str(east_rep.pk), version=2,
                             by=team_lead)  # fmt: skip
    services.task_update(task_id=theirs.pk, field="owner", value=str(rep.pk), version=1,
                         by=manager)  # fmt: skip
    moved = Task.objects.get(pk=theirs.pk)
    assert (moved.owner, moved.team) == (rep, rep.profile.team)  # the row follows its owner


def test_reps_and_executives_read_but_never_edit(program, rep, other_rep, executive):
    mine, colleagues = task(program, rep), task(program, other_rep)

    assert list(selectors.visible_tasks(rep)) == [mine]
    assert set(selectors.visible_tasks(executive)) == {mine, colleagues}
    for user, row in ((rep, mine), (executive, mine)):
        with pytest.raises(PermissionDenied):
            services.task_update(task_id=row.pk, field="title", value="x", version=1, by=user)
        with pytest.raises(PermissionDenied):
            services.task_delete(task_id=row.pk, by=user)
    with pytest.raises(PermissionDenied):
        services.task_create(program=program, by=rep, title="x", starts_on=dt.date(2026, 11, 1),
                             ends_on=dt.date(2026, 11, 2))  # fmt: skip


def test_a_team_lead_adds_rows_for_their_own_team(program, team_lead, rep, east_rep, south_team):
    made = services.task_create(program=program, by=team_lead, title="新人第一期培训",
                                starts_on=dt.date(2026, 11, 16), ends_on=dt.date(2026, 11, 20),
                                owner=rep)  # fmt: skip
    assert made.team == south_team
    with pytest.raises(ValidationError, match="own team"):
        services.task_create(program=program, by=team_lead, title="x",
                             starts_on=dt.date(2026, 11, 16), ends_on=dt.date(2026, 11, 20),
                             owner=east_rep)  # fmt: skip


def test_overdue_rows_are_flagged_and_filtered_never_hidden(frozen_today, program, manager, rep):
    late = task(program, rep, ends_on=dt.date(2026, 11, 10))
    done_late = task(program, rep, ends_on=dt.date(2026, 11, 10), status=TaskStatus.DONE,
                     done_on=dt.date(2026, 11, 12))  # fmt: skip
    ahead = task(program, rep, ends_on=dt.date(2026, 11, 30))

    rows = selectors.task_rows(program=program, user=manager)
    assert {row.task.pk: row.overdue for row in rows} == {
        late.pk: True, done_late.pk: False, ahead.pk: False,
    }  # fmt: skip
    overdue = selectors.task_rows(program=program, user=manager, overdue_only=True)
    assert [row.task for row in overdue] == [late]


def test_a_deleted_task_leaves_its_history(program, manager, rep):
    row = task(program, rep)
    services.task_delete(task_id=row.pk, by=manager)
    assert not Task.objects.exists()
    assert Task.history.filter(id=row.pk, history_type="-").count() == 1


def test_the_table_shows_fifty_rows_a_page_open_ones_first_and_counts_them_all(
    frozen_today, client, program, manager, rep
):
    from django.urls import reverse

    last = dt.date(2026, 11, 13)
    for number in range(55):  # 55 done, the most recent ending on 2026-11-13
        task(program, rep, title=f"done {number}", status=TaskStatus.DONE, done_on=last,
             ends_on=last - dt.timedelta(days=number), starts_on=dt.date(2026, 9, 1))  # fmt: skip
    task(program, rep, title="open, overdue", ends_on=dt.date(2026, 11, 10))
    task(program, rep, title="open, later", ends_on=dt.date(2026, 12, 10))

    shown = selectors.task_page(program=program, user=manager)
    assert (shown.total, shown.overdue, len(shown.rows)) == (57, 1, 50)
    assert [row.task.title for row in shown.rows[:4]] == [
        "open, overdue", "open, later", "done 0", "done 1",
    ]  # fmt: skip
    second = selectors.task_page(program=program, user=manager, page="2", status="done")
    assert [row.task.title for row in second.rows] == [f"done {n}" for n in range(50, 55)]

    client.force_login(manager)
    page = client.get(reverse("execution:landing"), {"status": "done", "page": "2"}).content
    assert "55 tasks · page 2 of 2" in page.decode()
    assert 'href="?status=done&amp;page=1"' in page.decode()
    assert client.get(reverse("execution:landing"), {"page": "nope"}).status_code == 200
