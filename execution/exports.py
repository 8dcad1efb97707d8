"""The execution tables as workbooks, in the seed's column order and the reader's language.

Cells go through salesopt.core.exports, so typed text that looks like a formula stays text.
Each sheet ends with the row's id and version: an edited copy imports back by them
(execution.sheet_imports), and the version tells a copy made before someone else's change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesopt.core.exports import Sheet, xlsx_workbook
from salesopt.core.models import Program
from salesopt.core.people import person_name
from salesopt.core.periods import Quarter

from . import measure_selectors, selectors, target_selectors


@dataclass(frozen=True)
class Column:
    """A column of an exported table: a stable key (the field it holds where it has one) and
    its header, which the import back recognises in either language."""

    key: str
    label: Promise


ROW_ID = Column("row_id", gettext_lazy("row id"))
VERSION = Column("version", gettext_lazy("version"))

# The seed's six columns first, then what salesopt adds.
TASK_COLUMNS = (
    Column("title", gettext_lazy("task")),
    Column("owner", gettext_lazy("owner")),
    Column("starts_on", gettext_lazy("start")),
    Column("ends_on", gettext_lazy("end")),
    Column("deliverable", gettext_lazy("deliverable")),
    Column("resources", gettext_lazy("resources needed")),
    Column("status", gettext_lazy("status")),
    Column("done_on", gettext_lazy("done on")),
    Column("overdue", gettext_lazy("overdue")),
    Column("note", gettext_lazy("notes (why late)")),
    Column("measure", gettext_lazy("measure")),
    Column("goal", gettext_lazy("goal")),
    Column("team", gettext_lazy("team")),
    ROW_ID,
    VERSION,
)

# The seed's six columns, then the state salesopt works out; the row id is the measure's.
MEASURE_COLUMNS = (
    Column("measure", gettext_lazy("measure")),
    Column("owner", gettext_lazy("owner")),
    Column("planned_completion", gettext_lazy("planned completion")),
    Column("actual_completion", gettext_lazy("actual completion")),
    Column("quality", gettext_lazy("quality")),
    Column("reason", gettext_lazy("reason if late or not done")),
    Column("state", gettext_lazy("state")),
    Column("line", gettext_lazy("line")),
    ROW_ID,
    VERSION,
)

# The seed's columns, then the team and the month.
TARGET_COLUMNS = (
    Column("quarter_amount", gettext_lazy("quarterly target")),
    Column("month_amount", gettext_lazy("monthly target")),
    Column("region", gettext_lazy("region")),
    Column("owner", gettext_lazy("owner")),
    Column("actual", gettext_lazy("monthly actual")),
    Column("attainment", gettext_lazy("attainment %")),
    Column("variance_note", gettext_lazy("variance analysis")),
    Column("corrective_action", gettext_lazy("corrective action")),
    Column("team", gettext_lazy("team")),
    Column("month", gettext_lazy("month")),
    ROW_ID,
    VERSION,
)


def _header(columns: tuple[Column, ...]) -> list[str]:
    return [str(column.label) for column in columns]


def task_sheet(*, program: Program, user: Any) -> Sheet:
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
                task.version,
            ]
        )
    return Sheet(_("Execution plan"), _header(TASK_COLUMNS), rows)


def measure_sheet(*, program: Program, user: Any) -> Sheet:
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
                row.version,
            ]
        )
    return Sheet(_("Table 3 measure tracking"), _header(MEASURE_COLUMNS), rows)


def target_sheet(*, program: Program, user: Any, quarter: Quarter) -> Sheet:
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
                row.month.version,
            ]
        )
    return Sheet(_("Table 2 targets"), _header(TARGET_COLUMNS), rows)


def targets_xlsx(*, program: Program, user: Any, quarter: Quarter) -> bytes:
    return xlsx_workbook([target_sheet(program=program, user=user, quarter=quarter)])


def measures_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([measure_sheet(program=program, user=user)])


def tasks_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([task_sheet(program=program, user=user)])
