"""Table 3: one row per measure of the plan — its actual completion, quality and the reason when
it is late or not done — under the version check, with its history; who may edit which row.

The clock is pinned (frozen_today: 2026-11-15)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from execution import measure_selectors, measure_services
from execution.editing import EditConflictError
from execution.models import MeasureTracking
from planning.models import Measure, MeasureLine

pytestmark = pytest.mark.django_db


def measure(program, owner, planned, title="制定线索分级标准"):
    return Measure.objects.create(program=program, line=MeasureLine.PROCESS, title=title,
                                  owner=owner, planned_completion=planned)  # fmt: skip


def update(row, field, value, version, by, **kwargs):
    return measure_services.tracking_update(measure_id=row.pk, field=field, value=value,
                                            version=version, by=by, **kwargs)  # fmt: skip


def test_each_measure_has_a_row_late_ones_flagged_and_never_hidden(
    frozen_today, program, manager, team_lead
):
    due_later = measure(program, team_lead, dt.date(2026, 11, 30), "按月分解目标")
    overdue = measure(program, team_lead, dt.date(2026, 11, 10), "新人培训")
    done_late = measure(program, team_lead, dt.date(2026, 11, 1), "线索自动分配")
    update(done_late, "actual_completion", "2026-11-05", 0, manager, reason="CRM 升级推迟")

    rows = {row.measure: row for row in measure_selectors.tracking_rows(program=program,
                                                                         user=manager)}  # fmt: skip

    assert {m.title: rows[m].progress for m in (due_later, overdue, done_late)} == {
        "按月分解目标": "open", "新人培训": "overdue", "线索自动分配": "done_late",
    }  # fmt: skip
    assert rows[overdue].reason_needed and not rows[done_late].reason_needed
    late = measure_selectors.tracking_rows(program=program, user=manager, overdue_only=True)
    assert [row.measure for row in late] == [done_late, overdue]


def test_a_late_completion_needs_its_reason_in_the_same_edit(frozen_today, program, manager):
    row = measure(program, manager, dt.date(2026, 11, 1))

    with pytest.raises(ValidationError, match="needs the reason"):
        update(row, "actual_completion", "2026-11-05", 0, manager, reason="  ")
    assert not MeasureTracking.objects.exists()  # nothing half-written

    tracking = update(row, "actual_completion", "2026-11-05", 0, manager, reason="等待 IT 排期")
    assert (tracking.actual_completion, tracking.reason, tracking.version) == (
        dt.date(2026, 11, 5), "等待 IT 排期", 1,
    )  # fmt: skip
    # …and the reason cannot be emptied afterwards.
    with pytest.raises(ValidationError, match="needs its reason"):
        update(row, "reason", "", 1, manager)


def test_an_on_time_completion_needs_no_reason_and_quality_comes_after_it(
    frozen_today, program, manager
):
    row = measure(program, manager, dt.date(2026, 11, 30))
    with pytest.raises(ValidationError, match="once the measure is done"):
        update(row, "quality", "good", 0, manager)

    update(row, "actual_completion", "2026-11-14", 0, manager)
    tracking = update(row, "quality", "excellent", 1, manager)

    assert (tracking.quality, tracking.reason) == ("excellent", "")
    with pytest.raises(ValidationError, match="in the future"):
        update(row, "actual_completion", "2026-11-16", 2, manager)
    with pytest.raises(ValidationError, match="Choose a quality"):
        update(row, "quality", "superb", 2, manager)


def test_a_stale_edit_of_table_3_is_refused_with_the_other_persons_value(
    frozen_today, program, manager, team_lead
):
    row = measure(program, team_lead, dt.date(2026, 11, 30))
    update(row, "reason", "等待培训讲师", 0, manager)  # both opened the empty row

    with pytest.raises(EditConflictError) as refused:
        update(row, "reason", "讲师已确认", 0, team_lead)

    assert refused.value.their_value == "等待培训讲师"
    assert MeasureTracking.objects.get().reason == "等待培训讲师"
    assert MeasureTracking.objects.get().history.count() == 1


def test_team_leads_edit_the_measures_their_team_owns_and_executives_none(
    frozen_today, program, manager, team_lead, executive, rep, east_rep
):
    ours = measure(program, rep, dt.date(2026, 11, 30))
    theirs = measure(program, east_rep, dt.date(2026, 11, 30))
    shared = measure(program, manager, dt.date(2026, 11, 30))

    update(ours, "reason", "进行中", 0, team_lead)
    with pytest.raises(ObjectDoesNotExist):
        update(theirs, "reason", "x", 0, team_lead)
    with pytest.raises(PermissionDenied):
        update(shared, "reason", "x", 0, team_lead)
    with pytest.raises(PermissionDenied):
        update(ours, "reason", "x", 1, executive)
    assert [row.measure for row in measure_selectors.tracking_rows(program=program, user=rep)] \
        == [ours]  # fmt: skip


def test_the_page_draws_the_rows_and_the_editor_asks_for_the_reason_with_the_date(
    client, frozen_today, program, manager, team_lead
):
    row = measure(program, team_lead, dt.date(2026, 11, 10))
    client.force_login(team_lead)

    page = client.get(reverse("execution:measures")).content.decode()
    editor = client.get(reverse("execution:measure_cell_editor",
                                args=[row.pk, "actual_completion"])).content.decode()  # fmt: skip
    save_url = reverse("execution:measure_cell_save", args=[row.pk, "actual_completion"])
    refused = client.post(save_url, {"value": "2026-11-12", "version": "0", "reason": ""},
                          HTTP_HX_REQUEST="true")  # fmt: skip
    saved = client.post(save_url, {"value": "2026-11-12", "version": "0", "reason": "讲师请假"},
                        HTTP_HX_REQUEST="true")  # fmt: skip

    assert "制定线索分级标准" in page and "reason needed" in page and "overdue" in page
    assert 'name="reason"' in editor
    assert refused["HX-Retarget"] == f"#measure-{row.pk}-actual_completion"
    assert "needs the reason" in refused.content.decode()
    # The refusal is about the reason: the cursor goes there, and the date typed stays.
    assert re.search(r'<input type="text" name="reason"[^>]* autofocus aria-invalid="true">',
                     refused.content.decode())  # fmt: skip
    assert re.search(r'<input type="date" name="value" value="2026-11-12" aria-label',
                     refused.content.decode())  # fmt: skip
    assert re.search(r'type="date" name="value" value="" autofocus', editor)
    assert "讲师请假" in saved.content.decode() and "done late" in saved.content.decode()


def test_table_3_exports_in_the_seeds_columns_formula_safe(client, frozen_today, program, manager):
    row = measure(program, manager, dt.date(2026, 11, 1), title="=1+1")
    update(row, "actual_completion", "2026-11-03", 0, manager, reason="@SUM(A1)")
    client.force_login(manager)

    url = reverse("execution:measure_export")
    english = load_workbook(io.BytesIO(client.get(url).content))
    in_chinese = client.get(url, headers={"accept-language": "zh-hans"})
    chinese = load_workbook(io.BytesIO(in_chinese.content))

    rows = [[cell.value for cell in line] for line in english.active.iter_rows()]
    assert rows[0][:6] == ["measure", "owner", "planned completion", "actual completion",
                           "quality", "reason if late or not done"]  # fmt: skip
    assert [cell.value for cell in next(chinese.active.iter_rows())][:6] == [
        "措施", "负责人", "计划完成", "实际完成", "质量", "未按时完成原因",
    ]  # fmt: skip
    assert rows[1][0] == "=1+1" and english.active.cell(row=2, column=1).data_type == "s"
    assert rows[1][5] == "@SUM(A1)" and rows[1][6] == "done late"
