"""The execution plan table as a workbook, in the seed's column order and the reader's language.

Cells go through salesopt.core.exports, so typed text that looks like a formula stays text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.exports import Sheet, xlsx_workbook
from salesopt.core.models import Program
from salesopt.core.people import person_name

from . import selectors


def task_sheet(*, program: Program, user: Any) -> Sheet:
    # The seed's six columns first, then what salesopt adds; the row id last, so that an
    # edited copy can be matched back to its rows.
    header = [
        _("task"), _("owner"), _("start"), _("end"), _("deliverable"), _("resources needed"),
        _("status"), _("done on"), _("overdue"), _("measure"), _("goal"), _("team"), _("row id"),
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
                task.measure.title if task.measure else "",
                task.goal.metric_label if task.goal else "",
                task.team.name if task.team else "",
                task.pk,
            ]
        )
    return Sheet(_("Execution plan"), header, rows)


def tasks_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([task_sheet(program=program, user=user)])
