"""Excel out and back in: an edited export of each execution table, matched by row id, checked
before anything is written, applied all or none — and what a tampered or hostile copy gets.

The clock is pinned (frozen_today: 2026-11-15)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from execution import exports, measure_services, services, sheet_imports, target_services
from execution.models import MeasureTracking, MonthTarget, SheetImport, Task, TaskStatus
from planning.models import Measure, MeasureLine
from salesopt.core.periods import Quarter

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


def edited(content: bytes, changes: dict[tuple[int, str], object]) -> bytes:
    """The workbook with cells changed: (data row index from 0, header) → new value."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    for (index, column), value in changes.items():
        sheet.cell(row=index + 2, column=header.index(column) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(program, table, content, by, name="copy.xlsx"):
    upload = SimpleUploadedFile(name, content)
    return sheet_imports.check_upload(program=program, table_key=table, uploaded=upload, by=by)


def reasons(record):
    return [problem["reason"] for problem in record.problems]


def test_an_edited_plan_is_checked_first_then_applied_with_its_history(
    frozen_today, program, team_lead, rep
):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=team_lead)
    copy = edited(
        content,
        {
            (0, "status"): "done",
            (0, "done on"): dt.date(2026, 11, 13),
            (0, "notes (why late)"): "提前完成",
        },
    )

    checked = check(program, "plan", copy, team_lead)

    assert checked.status == "checked" and not checked.problems
    assert [(c["column"], c["before"], c["after"]) for c in checked.changes] == [
        ("status", "not started", "done"),
        ("done on", "2026-11-15", "2026-11-13"),
        ("notes (why late)", "", "提前完成"),
    ]
    row.refresh_from_db()
    assert (row.status, row.version) == (TaskStatus.NOT_STARTED, 1)  # the check wrote nothing

    sheet_imports.apply_import(sheet_import=checked, by=team_lead)

    row.refresh_from_db()
    assert (row.status, row.done_on, row.note) == ("done", dt.date(2026, 11, 13), "提前完成")
    assert row.version == 4  # one accepted edit per cell, as inline
    assert {entry.history_user for entry in row.history.filter(version__gt=1)} == {team_lead}
    assert checked.status == "applied"


def test_a_colleagues_later_edit_of_another_cell_stands(
    frozen_today, program, manager, team_lead, rep
):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=team_lead)
    services.task_update(task_id=row.pk, field="note", value="客户要求延期", version=1, by=manager)
    copy = edited(content, {(0, "deliverable"): "提醒规则文档"})

    checked = check(program, "plan", copy, team_lead)
    sheet_imports.apply_import(sheet_import=checked, by=team_lead)

    row.refresh_from_db()
    assert (row.deliverable, row.note) == ("提醒规则文档", "客户要求延期")


def test_the_same_cell_changed_in_salesopt_since_the_export_is_a_conflict_and_nothing_is_written(
    frozen_today, program, manager, team_lead, rep
):
    first, second = task(program, rep), task(program, rep, title="新人带教")
    content = exports.tasks_xlsx(program=program, user=team_lead)
    services.task_update(
        task_id=first.pk, field="note", value="客户要求延期", version=1, by=manager
    )
    copy = edited(content, {(0, "notes (why late)"): "本周完成", (1, "deliverable"): "带教记录"})

    checked = check(program, "plan", copy, team_lead)

    assert checked.status == "refused" and not checked.changes
    assert len(checked.problems) == 1
    problem = checked.problems[0]
    assert (problem["row"], problem["column"], problem["value"]) == (
        2,
        "notes (why late)",
        "本周完成",
    )
    assert "by manager on" in problem["reason"] and "客户要求延期" in problem["reason"]
    second.refresh_from_db()
    assert second.deliverable == ""  # the other row's good change is not half-applied


def test_a_change_made_between_the_check_and_applying_refuses_the_copy(
    frozen_today, program, manager, team_lead, rep
):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=team_lead)
    checked = check(
        program, "plan", edited(content, {(0, "deliverable"): "提醒规则文档"}), team_lead
    )
    services.task_update(
        task_id=row.pk, field="deliverable", value="规则 v2", version=1, by=manager
    )

    sheet_imports.apply_import(sheet_import=checked, by=team_lead)

    assert checked.status == "refused" and "规则 v2" in reasons(checked)[0]
    row.refresh_from_db()
    assert row.deliverable == "规则 v2"
    with pytest.raises(PermissionDenied):  # a refused check is not applied later
        sheet_imports.apply_import(sheet_import=checked, by=team_lead)


def test_bad_values_are_each_reported_with_row_and_column_and_nothing_is_written(
    frozen_today, program, manager, rep
):
    task(program, rep)
    second = task(program, rep, title="新人带教")
    content = exports.tasks_xlsx(program=program, user=manager)
    copy = edited(
        content,
        {
            (0, "end"): "next Friday",
            (1, "status"): "finished",
            (1, "resources needed"): "CRM 管理员",
        },
    )

    checked = check(program, "plan", copy, manager)

    assert checked.status == "refused"
    assert [(p["row"], p["column"], p["value"]) for p in checked.problems] == [
        (2, "end", "next Friday"),
        (3, "status", "finished"),
    ]
    assert reasons(checked) == ["Enter a date as YYYY-MM-DD.", "Choose a status from the list."]
    second.refresh_from_db()
    assert second.resources == ""


def test_a_task_moved_wholly_later_keeps_its_end_after_its_start(
    frozen_today, program, manager, rep
):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=manager)
    copy = edited(content, {(0, "start"): "2026/12/1", (0, "end"): "2026年12月18日"})

    sheet_imports.apply_import(sheet_import=check(program, "plan", copy, manager), by=manager)

    row.refresh_from_db()
    assert (row.starts_on, row.ends_on) == (dt.date(2026, 12, 1), dt.date(2026, 12, 18))


def test_a_copy_exported_in_chinese_imports_for_an_english_reader(
    frozen_today, program, manager, rep
):
    row = task(program, rep)
    with translation.override("zh-hans"):
        content = exports.tasks_xlsx(program=program, user=manager)
    copy = edited(content, {(0, "状态"): "进行中"})

    sheet_imports.apply_import(sheet_import=check(program, "plan", copy, manager), by=manager)

    row.refresh_from_db()
    assert row.status == TaskStatus.IN_PROGRESS


def test_an_owner_is_named_as_the_table_shows_them(frozen_today, program, manager, rep, other_rep):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=manager)

    nobody = check(program, "plan", edited(content, {(0, "owner"): "王五"}), manager)
    assert reasons(nobody) == ["No one of that name can own this task."]

    copy = edited(content, {(0, "owner"): other_rep.profile.display_name or "rep.south2"})
    sheet_imports.apply_import(sheet_import=check(program, "plan", copy, manager), by=manager)
    row.refresh_from_db()
    assert row.owner == other_rep


def test_a_formula_typed_into_a_cell_is_kept_as_text_and_exported_as_text(
    frozen_today, program, manager, rep
):
    row = task(program, rep)
    content = exports.tasks_xlsx(program=program, user=manager)
    formula = '=HYPERLINK("http://example.invalid/x","click")'
    copy = edited(content, {(0, "notes (why late)"): formula})  # openpyxl writes a formula cell

    sheet_imports.apply_import(sheet_import=check(program, "plan", copy, manager), by=manager)

    row.refresh_from_db()
    assert row.note == formula  # no cached result: the formula's own text, never evaluated
    again = load_workbook(io.BytesIO(exports.tasks_xlsx(program=program, user=manager)))
    header = [cell.value for cell in again.active[1]]
    cell = again.active.cell(row=2, column=header.index("notes (why late)") + 1)
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", formula, True)


def test_a_tampered_copy_is_refused_row_by_row(
    frozen_today, program, manager, team_lead, rep, east_rep
):
    mine = task(program, rep)
    theirs = task(program, east_rep, title="华东新人带教")  # not the south team lead's
    shared = task(program, None, title="全员培训", team=None)  # company-wide: the manager's
    content = exports.tasks_xlsx(program=program, user=team_lead)
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    row_id, version = header.index("row id") + 1, header.index("version") + 1
    by_id = {sheet.cell(row=r, column=row_id).value: r for r in range(2, sheet.max_row + 1)}
    note = header.index("notes (why late)") + 1
    sheet.cell(row=by_id[shared.pk], column=note, value="改一下")  # a read-only row
    sheet.cell(row=by_id[mine.pk], column=version, value=99)  # a version it never had
    sheet.append(["华东的行", *[None] * (row_id - 2), theirs.pk, 1])  # a row id out of sight
    sheet.append(["又一行", *[None] * (row_id - 2), mine.pk, 1])  # the same row twice
    sheet.append(["新任务", *[None] * (row_id - 2), None, None])  # a row without an id
    buffer = io.BytesIO()
    book.save(buffer)

    checked = check(program, "plan", buffer.getvalue(), team_lead)

    assert checked.status == "refused"
    found = reasons(checked)
    assert "You may not change this row." in found
    assert any("never had this version" in reason for reason in found)
    assert any("No row of this table that you can see has this id" in r for r in found)
    assert any("also on row" in reason for reason in found)
    assert any("does not add any" in reason for reason in found)
    theirs.refresh_from_db()
    assert theirs.title == "华东新人带教"


def test_a_file_that_is_not_the_tables_export_is_refused_whole(frozen_today, program, manager):
    book = Workbook()
    book.active.append(["客户", "金额"])
    book.active.append(["华南科技", 1000])
    buffer = io.BytesIO()
    book.save(buffer)

    wrong = check(program, "plan", buffer.getvalue(), manager)
    binary = check(
        program, "plan", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, manager, name="photo.xlsx"
    )
    empty = check(program, "plan", b"", manager)

    assert wrong.status == binary.status == empty.status == "refused"
    assert "not an export of this table" in reasons(wrong)[0]
    assert reasons(empty)[0].startswith("The file is empty.")
    assert reasons(binary)[0]  # the reader's own reason


@override_settings(SALESOPT_EXECUTION_IMPORT_MAX_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(frozen_today, program, manager):
    checked = check(program, "plan", b"row id,version\n" + b"1,1\n" * 600, manager, "big.csv")
    assert "larger than the 1 KB limit" in reasons(checked)[0]


def test_a_csv_copy_imports_too(frozen_today, program, manager, rep):
    row = task(program, rep, note="=1+1")
    text = (
        f"task,status,notes (why late),row id,version\n{row.title},in progress,'=1+1,{row.pk},1\n"
    )

    checked = check(program, "plan", text.encode("utf-8-sig"), manager, "copy.csv")

    assert [c["column"] for c in checked.changes] == ["status"]  # the guard is not a change


def test_reps_and_executives_import_nothing(program, rep, executive):
    for user in (rep, executive):
        with pytest.raises(PermissionDenied):
            check(program, "plan", b"x", user)


# --- Table 3 -----------------------------------------------------------------------------------


def test_table_3_a_late_completion_needs_its_reason_in_the_copy(
    frozen_today, program, manager, team_lead
):
    late = Measure.objects.create(
        program=program,
        line=MeasureLine.PROCESS,
        title="新人培训",
        owner=team_lead,
        planned_completion=dt.date(2026, 11, 1),
    )
    content = exports.measures_xlsx(program=program, user=team_lead)

    without = check(
        program, "3", edited(content, {(0, "actual completion"): "2026-11-10"}), team_lead
    )
    assert reasons(without) == ["A measure done after its planned completion needs the reason."]

    copy = edited(
        content,
        {
            (0, "actual completion"): "2026-11-10",
            (0, "quality"): "good",
            (0, "reason if late or not done"): "讲师延期",
        },
    )
    sheet_imports.apply_import(sheet_import=check(program, "3", copy, team_lead), by=team_lead)

    tracking = MeasureTracking.objects.get(measure=late)
    assert (tracking.actual_completion, tracking.quality, tracking.reason) == (
        dt.date(2026, 11, 10),
        "good",
        "讲师延期",
    )


def test_table_3_the_planned_completion_is_the_plans(frozen_today, program, manager):
    Measure.objects.create(
        program=program,
        line=MeasureLine.TEAM,
        title="新人培训",
        owner=manager,
        planned_completion=dt.date(2026, 12, 1),
    )
    content = exports.measures_xlsx(program=program, user=manager)

    checked = check(
        program, "3", edited(content, {(0, "planned completion"): "2027-01-15"}), manager
    )

    assert "not changed by import (salesopt has 2026-12-01)" in reasons(checked)[0]


def test_table_3_a_row_filled_in_since_the_export_is_a_conflict(frozen_today, program, manager):
    planned = Measure.objects.create(
        program=program,
        line=MeasureLine.TEAM,
        title="新人培训",
        owner=manager,
        planned_completion=dt.date(2026, 12, 1),
    )
    content = exports.measures_xlsx(program=program, user=manager)  # version 0: not filled in
    measure_services.tracking_update(
        measure_id=planned.pk, field="actual_completion", value="2026-11-12", version=0, by=manager
    )

    checked = check(
        program, "3", edited(content, {(0, "actual completion"): "2026-11-14"}), manager
    )

    assert "Changed in salesopt since this copy was exported" in reasons(checked)[0]
    assert MeasureTracking.objects.get().actual_completion == dt.date(2026, 11, 12)


# --- Table 2 -----------------------------------------------------------------------------------


def test_table_2_notes_come_back_and_the_targets_are_changed_on_the_page(
    frozen_today, program, manager
):
    quarter = Quarter(2026, 4)
    target_services.quarter_target_set(
        program=program, by=manager, quarter=quarter, amount="900000", split="even"
    )
    content = exports.targets_xlsx(program=program, user=manager, quarter=quarter)
    notes = {(0, "variance analysis"): "大客户推迟签约", (0, "corrective action"): "周会跟进"}

    applied = sheet_imports.apply_import(
        sheet_import=check(program, "2", edited(content, notes), manager), by=manager
    )
    moved = check(
        program,
        "2",
        edited(content, {(0, "monthly target"): 400000, (1, "monthly target"): 200000}),
        manager,
    )

    october = MonthTarget.objects.get(month=dt.date(2026, 10, 1))
    assert applied.status == "applied"
    assert (october.variance_note, october.corrective_action) == ("大客户推迟签约", "周会跟进")
    assert moved.status == "refused" and len(moved.problems) == 2
    assert "not changed by import (salesopt has 300000.00)" in reasons(moved)[0]
    assert october.amount == Decimal("300000.00")


# --- the pages ---------------------------------------------------------------------------------


def test_the_pages_upload_check_apply_and_offer_the_problems(
    frozen_today, client, program, manager, team_lead, rep
):
    row = task(program, rep)
    client.force_login(team_lead)
    page = client.get(reverse("execution:landing"))
    assert b'id="sheet-upload-plan"' in page.content
    content = exports.tasks_xlsx(program=program, user=team_lead)

    response = client.post(
        reverse("execution:sheet_upload", args=["plan"]),
        {"file": SimpleUploadedFile("copy.xlsx", edited(content, {(0, "deliverable"): "周报"}))},
    )
    checked = SheetImport.objects.get()
    assert response.url == reverse("execution:sheet_import", args=[checked.pk])
    preview = client.get(response.url)
    assert "Apply 1 change" in preview.content.decode() and "周报" in preview.content.decode()

    done = client.post(reverse("execution:sheet_apply", args=[checked.pk]), follow=True)
    assert "1 change from copy.xlsx applied." in done.content.decode()
    row.refresh_from_db()
    assert row.deliverable == "周报"
    again = client.post(reverse("execution:sheet_apply", args=[checked.pk]), follow=True)
    assert "applied or refused already" in again.content.decode()

    bad = client.post(
        reverse("execution:sheet_upload", args=["plan"]),
        {"file": SimpleUploadedFile("bad.xlsx", edited(content, {(0, "end"): "soon"}))},
        follow=True,
    )
    refused = SheetImport.objects.latest("pk")
    assert "Nothing was changed: 1 problem must be put right" in bad.content.decode()
    report = client.get(reverse("execution:sheet_problems", args=[refused.pk, "xlsx"]))
    cells = [[c.value for c in r] for r in load_workbook(io.BytesIO(report.content)).active]
    assert cells[1][1:] == ["end", "soon", "Enter a date as YYYY-MM-DD."]

    client.force_login(manager)  # nobody reads another person's upload
    assert client.get(reverse("execution:sheet_import", args=[refused.pk])).status_code == 404
    assert client.post(reverse("execution:sheet_upload", args=["9"])).status_code == 404


def test_the_upload_is_offered_to_editors_only(client, program, rep, executive):
    for user in (rep, executive):
        client.force_login(user)
        assert b"sheet-upload-plan" not in client.get(reverse("execution:landing")).content
        assert client.post(reverse("execution:sheet_upload", args=["plan"])).status_code == 403
