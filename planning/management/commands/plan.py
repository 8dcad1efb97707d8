"""`manage.py plan --program ID --json`: a program's plan as one JSON object.

Goals (with their baseline, target, deadline and status), measures (with their pilot and
control groups) and the lead policy in force, read as a company-wide reader like `kpis`.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from planning import selectors
from salesopt.core import access
from salesopt.core.programs import program_for_command


class Command(BaseCommand):
    help = "Print a program's plan: goals, measures and the lead policy (--json: one object)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", type=int, required=True, help="the program's id")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: object, **options: Any) -> None:
        program = program_for_command(options["program"])
        plan = selectors.plan_json(program=program, user=access.command_line_reader())
        if options["json"]:
            self.stdout.write(json.dumps(plan, ensure_ascii=False))
            return
        self.stdout.write(
            f"{program.name}: {len(plan['goals'])} goals, {len(plan['measures'])} measures"
        )
        for goal in plan["goals"]:
            scope = goal["scope"].get("name", "company")
            self.stdout.write(
                f"  goal {goal['id']}: {goal['kpi']} · {scope}: {goal['baseline']['value']:.4g} → "
                f"{goal['target']:.4g} by {goal['deadline']} [{goal['status']}]"
            )
        for measure in plan["measures"]:
            self.stdout.write(
                f"  measure {measure['id']} ({measure['line']}): {measure['title']} · "
                f"{measure['owner']} · {measure['planned_completion']}"
            )
