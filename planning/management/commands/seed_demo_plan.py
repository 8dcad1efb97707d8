"""`manage.py seed_demo_plan`: the demo program's plan, from its findings (see planning/demo.py).

Run after `seed_demo` and `compute_kpis`; a program that has a plan already is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from planning.demo import seed_demo_plan
from salesopt.core.models import Program


class Command(BaseCommand):
    help = "Write the demo program's plan (goals and measures) from its findings, once."

    def handle(self, *args: object, **options: Any) -> None:
        program = Program.objects.filter(manager__username="demo.manager").order_by("pk").first()
        if program is None:
            raise CommandError("no demo program: run seed_demo first")
        plan = seed_demo_plan(program=program)
        if int(options.get("verbosity", 1)) > 0:
            state = "written" if plan.created else "already there"
            self.stdout.write(f"Demo plan {state}: {plan.goals} goals, {plan.measures} measures")
