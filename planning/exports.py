"""The plan as a workbook: a sheet of goals and a sheet of measures, in the reader's language.

Cells go through salesopt.core.exports, so typed text that looks like a formula stays text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.exports import Sheet, xlsx_workbook
from salesopt.core.models import Program
from salesopt.core.people import person_name as _person

from . import selectors


def goal_sheet(*, program: Program, user: Any) -> Sheet:
    header = [
        _("KPI"), _("scope"), _("baseline"), _("baseline from"), _("baseline to"), _("target"),
        _("deadline"), _("owner"), _("status"), _("now"), _("findings it answers"), _("warnings"),
    ]  # fmt: skip
    rows = []
    for row in selectors.goal_rows(program=program, user=user):
        goal, progress = row.goal, row.progress
        rows.append(
            [
                row.kpi,
                row.scope.label(),
                row.baseline if progress.visible else "",
                goal.baseline_from,
                goal.baseline_to,
                row.target,
                goal.deadline,
                _person(goal.owner),
                str(progress.status.label) if progress.visible else "",
                row.current if progress.visible else "",
                "; ".join(str(finding.shown_title) for finding in goal.findings.all()),
                " ".join(row.warnings),
            ]
        )
    return Sheet(_("Goals"), header, rows)


def measure_sheet(*, program: Program) -> Sheet:
    header = [
        _("line"), _("measure"), _("what is done"), _("owner"), _("planned completion"),
        _("goals it should move"), _("pilot"), _("control"), _("starts on"),
    ]  # fmt: skip
    rows = []
    for measure in selectors.measures(program=program):
        pilot = [team.name for team in measure.pilot_teams.all()]
        pilot += [_person(rep) for rep in measure.pilot_reps.all()]
        control = [team.name for team in measure.control_teams.all()]
        control += [_person(rep) for rep in measure.control_reps.all()]
        rows.append(
            [
                measure.get_line_display(),
                measure.title,
                measure.description,
                _person(measure.owner),
                measure.planned_completion,
                "; ".join(goal.metric_label for goal in measure.goals.all()),
                "、".join(pilot),
                "、".join(control),
                measure.starts_on,
            ]
        )
    return Sheet(_("Measures"), header, rows)


def plan_xlsx(*, program: Program, user: Any) -> bytes:
    return xlsx_workbook([goal_sheet(program=program, user=user), measure_sheet(program=program)])
