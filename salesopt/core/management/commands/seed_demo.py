"""`manage.py seed_demo [--scale N] [--seed S] [--end YYYY-MM]`: create or refresh the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesopt.core.demo import SeedSummary, seed_demo_company
from salesopt.core.models import Role


class Command(BaseCommand):
    help = (
        "Create or refresh the demo company: 18 months of CRM history, demo logins and a sample "
        "program. Running it again with the same options changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="volume multiplier: 1 ≈ 30,000 leads"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--end", default=None, help="last month of history, YYYY-MM (default: this month)"
        )

    def handle(
        self, *args: object, scale: float, seed: int, end: str | None, **options: Any
    ) -> None:
        verbose = int(options.get("verbosity", 1)) > 0
        try:
            summary = seed_demo_company(
                scale=float(scale),
                seed=int(seed),
                end_month=_month(end) if end else None,
                stdout=self.stdout if verbose else None,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if verbose:
            self._report(summary)

    def _report(self, summary: SeedSummary) -> None:
        self.stdout.write(
            f"Demo company seeded in {summary.seconds:.1f} s, ending {summary.end_month:%Y-%m}:"
        )
        for table, count in summary.counts.items():
            self.stdout.write(f"  {table:<15} {count:>12,}")
        self.stdout.write(f"Program: {summary.program}")
        self.stdout.write("Demo logins (username, role, password):")
        reps = [login for login in summary.logins if login.role == Role.SALES_REP]
        for login in summary.logins:
            if login.role != Role.SALES_REP:
                self.stdout.write(f"  {login.username:<26} {login.role:<14} {login.password}")
        if reps:
            usernames = f"{reps[0].username} … {reps[-1].username}"
            self.stdout.write(f"  {usernames:<26} {Role.SALES_REP:<14} {reps[0].password}")


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"--end must look like 2026-10, not {text!r}") from error
