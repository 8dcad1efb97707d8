"""The execution plan table as a workbook, in the seed's column order and the reader's language.

Cells go through salesopt.core.exports, so typed text that looks like a formula stays text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.exports import Sheet, xlsx_workbook
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import Quarter

from . import measure_selectors, selectors, target_selectors


def task_sheet(*, program: Program, user: Any) -> Sheet:
    # The seed's six columns first, then what salesopt adds; the row id last, so that an
    # edited copy can be matched back to its rows.
    header = [
        _("task"), _("owner"), _("start"), _("end"), _("deliverable"), _("resources needed"),
        _("status"), _("done on"), _("overdue"), _("notes (why late)"), _("measure"), _("goal"),
        _("team"), _("row id"),
    ]  # fmt: skip
    rows = []
    for row in selectors.task_rows(program=program, user=user):
        task = row.task
        rows.append(
            [
                task.title,
                person_name(task.owner) if task.owner else "",
                task.starts_on,
                task.ends_on,
                task.deliverable,
                task.resources,
                str(task.get_status_display()),
                task.done_on,
                _("yes") if row.overdue else "",
                task.note,
                task.measure.title if task.measure else "",
                task.goal.metric_label if task.goal else "",
                task.team.name if task.team else "",
                task.pk,
            ]
        )
    return Sheet(_("Execution plan"), header, rows)


def measure_sheet(*, program: Program, user: Any) -> Sheet:
    # The seed's six columns, then the state salesopt works out and the plan's measure id.
    header = [
        _("measure"), _("owner"), _("planned completion"), _("actual completion"), _("quality"),
        _("reason if late or not done"), _("state"), _("line"), _("row id"),
    ]  # fmt: skip
    rows = []
    for row in measure_selectors.tracking_rows(program=program, user=user):
        measure, tracking = row.measure, row.tracking
        rows.append(
            [
                measure.title,
                row.owner_name,
                measure.planned_completion,
                tracking.actual_completion if tracking else None,
                str(tracking.get_quality_display()) if tracking and tracking.quality else "",
                tracking.reason if tracking else "",
                row.progress_label,
                str(measure.get_line_display()),
                measure.pk,
            ]
        )
    return Sheet(_("Table 3 measure tracking"), header, rows)


def target_sheet(*, program: Program, user: Any, quarter: Quarter) -> Sheet:
    # The seed's columns, then the team, the month and the row id.
    header = [
        _("quarterly target"), _("monthly target"), _("region"), _("owner"), _("monthly actual"),
        _("attainment %"), _("variance analysis"), _("corrective action"), _("team"), _("month"),
        _("row id"),
    ]  # fmt: skip
    rows = []
    for row in target_selectors.table_2_rows(program=program, user=user, quarter=quarter):
        target = row.target
        rows.append(
            [
                target.amount,
                row.month.amount,
                row.region_name,
                row.owner_name,
                row.actual,
                round(row.attainment * 100, 1) if row.attainment is not None else None,
                row.month.variance_note,
                row.month.corrective_action,
                row.team_name,
                row.month.month.strftime("%Y-%m"),
                row.month.pk,
            ]
        )
    return Sheet(_("Table 2 targets"), header, rows)


def targets_xlsx(*, program: Program, user: Any, quarter: Quarter) -> bytes:
    return xlsx_workbook([target_sheet(program=program, user=user, quarter=quarter)])


def measures_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([measure_sheet(program=program, user=user)])


def tasks_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([task_sheet(program=program, user=user)])
