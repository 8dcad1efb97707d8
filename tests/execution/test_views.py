"""The execution plan page as each role sees it: the table, the inline editor and its refusals
(a stale copy, a bad value, a row that is not theirs), the history and the Excel export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from execution.models import Task

pytestmark = pytest.mark.django_db


def task(program, owner, **fields):
    values = {
        "title": "配置 CRM 跟进提醒",
        "starts_on": dt.date(2026, 11, 2),
        "ends_on": dt.date(2026, 11, 20),
        "owner": owner,
        "team": owner.profile.team if owner else None,
    }
    return Task.objects.create(program=program, **{**values, **fields})


def edit_url(row, field):
    return reverse("execution:task_cell_editor", args=[row.pk, field])


def save(client, row, field, value, version):
    return client.post(
        reverse("execution:task_cell_save", args=[row.pk, field]),
        {"value": value, "version": str(version)},
        HTTP_HX_REQUEST="true",
    )


def test_the_page_needs_a_login(client, program):
    response = client.get(reverse("execution:landing"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_team_lead_sees_their_teams_and_the_shared_rows_and_edits_only_their_teams(
    client, frozen_today, program, team_lead, rep, east_rep
):
    ours = task(program, rep, title="华南：新人培训")
    task(program, east_rep, title="华东：客户回访")
    shared = task(program, None, team=None, title="制定线索分级标准")
    client.force_login(team_lead)

    page = client.get(reverse("execution:landing")).content.decode()

    assert "华南：新人培训" in page and "制定线索分级标准" in page
    assert "华东：客户回访" not in page
    assert edit_url(ours, "title") in page
    assert edit_url(shared, "title") not in page  # read only: the manager's row
    assert client.get(edit_url(shared, "title")).status_code == 403


def test_an_executive_reads_every_row_and_edits_none(client, program, executive, rep, east_rep):
    rows = [task(program, rep), task(program, east_rep)]
    client.force_login(executive)

    page = client.get(reverse("execution:landing")).content.decode()

    assert page.count("配置 CRM 跟进提醒") == 2
    assert "cell-button" not in page and "Add a task" not in page
    assert client.get(edit_url(rows[0], "title")).status_code == 403
    assert save(client, rows[0], "title", "x", 1).status_code == 403
    assert client.post(reverse("execution:task_delete", args=[rows[0].pk])).status_code == 403
    assert client.post(reverse("execution:tasks_from_measures")).status_code == 403
    assert Task.objects.get(pk=rows[0].pk).title == "配置 CRM 跟进提醒"


def test_a_rep_sees_only_their_own_tasks_and_cannot_open_a_colleagues(
    client, program, rep, other_rep
):
    task(program, rep, title="我的任务")
    theirs = task(program, other_rep, title="同事的任务")
    client.force_login(rep)

    page = client.get(reverse("execution:landing")).content.decode()

    assert "我的任务" in page and "同事的任务" not in page
    assert client.get(reverse("execution:task_history", args=[theirs.pk])).status_code == 404
    assert save(client, theirs, "title", "x", 1).status_code == 404


def test_the_editor_saves_a_cell_and_answers_the_row_with_its_new_version(
    client, frozen_today, program, team_lead, rep
):
    row = task(program, rep)
    client.force_login(team_lead)

    editor = client.get(edit_url(row, "deliverable"), HTTP_HX_REQUEST="true").content.decode()
    response = save(client, row, "deliverable", "分级标准文档", 1)

    assert 'name="version" value="1"' in editor and "data-cell-editor" in editor
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="task-{row.pk}"') and "分级标准文档" in body
    assert Task.objects.get(pk=row.pk).version == 2


def test_a_stale_save_answers_the_cell_with_the_other_persons_value(
    client, frozen_today, program, team_lead, manager, rep
):
    row = task(program, rep)
    client.force_login(manager)
    save(client, row, "deliverable", "经理的版本", 1)
    client.force_login(team_lead)

    response = save(client, row, "deliverable", "组长的版本", 1)

    body = response.content.decode()
    assert response["HX-Retarget"] == f"#task-{row.pk}-deliverable"
    assert "经理的版本" in body and "after you opened it" in body
    assert 'value="组长的版本"' in body  # theirs is not lost either: still in the box
    assert 'name="version" value="2"' in body  # "Save mine over theirs" writes knowingly
    assert Task.objects.get(pk=row.pk).deliverable == "经理的版本"


def test_a_bad_value_answers_the_cell_with_the_reason(client, frozen_today, program, manager, rep):
    row = task(program, rep)
    client.force_login(manager)

    response = save(client, row, "ends_on", "2026-10-01", 1)
    garbled = client.post(
        reverse("execution:task_cell_save", args=[row.pk, "ends_on"]),
        {"value": "2026-12-01", "version": "abc"},
    )

    assert "The end cannot come before the start." in response.content.decode()
    assert "out of date" in garbled.content.decode()
    assert Task.objects.get(pk=row.pk).version == 1


def test_the_history_lists_who_changed_what(client, frozen_today, program, manager, rep):
    row = task(program, rep)
    client.force_login(manager)
    save(client, row, "status", "in_progress", 1)

    history = client.get(reverse("execution:task_history", args=[row.pk])).content.decode()

    assert "status" in history and "not started" in history and "in progress" in history


def test_a_team_lead_adding_a_task_for_someone_else_gets_a_clear_message(
    client, program, team_lead, east_rep
):
    client.force_login(team_lead)

    response = client.post(
        reverse("execution:task_create"),
        {
            "task-title": "x",
            "task-owner": str(east_rep.pk),
            "task-starts_on": "2026-11-16",
            "task-ends_on": "2026-11-20",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.exists()


def test_the_table_exports_in_the_seeds_columns_in_the_readers_language_and_formula_safe(
    client, frozen_today, program, manager, rep
):
    task(program, rep, title='=HYPERLINK("http://x","y")', deliverable="+1")
    client.force_login(manager)

    english = client.get(reverse("execution:export"))
    chinese = client.get(reverse("execution:export"), headers={"accept-language": "zh-hans"})

    sheet = load_workbook(io.BytesIO(english.content)).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    assert header[:6] == ["task", "owner", "start", "end", "deliverable", "resources needed"]
    zh_sheet = load_workbook(io.BytesIO(chinese.content)).active
    zh_header = [cell.value for cell in next(zh_sheet.iter_rows())]
    assert zh_header[:6] == ["任务", "负责人", "开始", "结束", "交付物", "所需资源"]
    title, deliverable = sheet.cell(row=2, column=1), sheet.cell(row=2, column=5)
    assert (title.data_type, title.value) == ("s", '=HYPERLINK("http://x","y")')
    assert (deliverable.data_type, deliverable.value) == ("s", "+1")


def test_table_2_and_table_3_rows_show_their_history(
    frozen_today, client, program, manager, team_lead, rep, east_rep
):
    from execution import measure_services, target_services
    from planning.models import Measure, MeasureLine
    from salesopt.core.periods import Quarter

    measure = Measure.objects.create(
        program=program,
        line=MeasureLine.TEAM,
        title="新人培训",
        owner=team_lead,
        planned_completion=dt.date(2026, 11, 1),
    )
    measure_services.tracking_update(
        measure_id=measure.pk,
        field="actual_completion",
        value="2026-11-05",
        version=0,
        by=team_lead,
        reason="讲师延期",
    )
    measure_services.tracking_update(
        measure_id=measure.pk, field="quality", value="good", version=1, by=manager
    )
    whole = target_services.quarter_target_set(
        program=program, by=manager, quarter=Quarter(2026, 4), amount="300000", split="even"
    )
    [part] = target_services.parts_set(
        target=whole, by=manager, dimension="owner", amounts={rep.pk: "300000"}, split="even"
    )
    october = part.months.get(month=dt.date(2026, 10, 1))
    target_services.month_note_update(
        month_id=october.pk,
        field="variance_note",
        value="大客户推迟",
        version=october.version,
        by=team_lead,
    )
    client.force_login(team_lead)

    table_3 = client.get(reverse("execution:measure_history", args=[measure.pk])).content.decode()
    table_2 = client.get(reverse("execution:target_history", args=[october.pk])).content.decode()

    assert "<strong>quality</strong>: <del>—</del> → <ins>good</ins>" in table_3
    assert "manager" in table_3 and "讲师延期" in table_3 and "2026-11-05" in table_3
    assert "<strong>variance analysis</strong>: <del>—</del> → <ins>大客户推迟</ins>" in table_2
    assert "lead.south" in table_2 and "100000.00" in table_2  # the month's target, first
    page = client.get(reverse("execution:measures")).content.decode()
    assert reverse("execution:measure_history", args=[measure.pk]) in page
    client.force_login(east_rep)  # another team's rep reads neither row
    assert client.get(reverse("execution:target_history", args=[october.pk])).status_code == 404
    assert client.get(reverse("execution:measure_history", args=[measure.pk])).status_code == 404
