"""`manage.py seed_demo_execution`: the demo program's execution under way (execution/demo.py).

Run after `seed_demo_plan`; a program that has tasks already is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from execution.demo import seed_demo_execution
from salesopt.core.models import Program


class Command(BaseCommand):
    help = "Write the demo program's execution tables (tasks, Table 3), once."

    def handle(self, *args: object, **options: Any) -> None:
        program = Program.objects.filter(manager__username="demo.manager").order_by("pk").first()
        if program is None or not program.measures.exists():
            raise CommandError("no demo plan: run seed_demo and seed_demo_plan first")
        execution = seed_demo_execution(program=program)
        if int(options.get("verbosity", 1)) > 0:
            state = "written" if execution.created else "already there"
            self.stdout.write(f"Demo execution {state}: {execution.tasks} tasks")
