"""`manage.py compute_kpis [--from 2024-01] [--to 2024-12]`: recompute KPI snapshots now."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesopt.kpis.services import kpis_recompute, recompute_months


class Command(BaseCommand):
    help = (
        "Recompute every KPI snapshot for the calendar years spanning the months given "
        f"(default: the last {recompute_months()} months up to the current one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="period_from", help="first month, e.g. 2024-01")
        parser.add_argument("--to", dest="period_to", help="last month (default: this month)")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            result = kpis_recompute(
                period_from=options["period_from"], period_to=options["period_to"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"KPI snapshots {result.start:%Y-%m}…{result.end:%Y-%m} (exclusive): "
            f"{result.rows:,} rows in {result.seconds:.1f} s"
        )
