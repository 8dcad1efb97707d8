"""`manage.py kpis --metric KEY [--grain G] [--by D,D] [--from P --to P] [--json]`

Prints a KPI series through the same reader as the pages and the API (kpi_series). The command
reads as a company-wide reader: an unsaved superuser without a profile, which
salesopt.core.access treats as an admin. Anyone who can run manage.py can read the database
anyway.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesopt.core import access
from salesopt.kpis.catalog import METRICS, Grain
from salesopt.kpis.presentation import display
from salesopt.kpis.selectors import KpiQueryError, KpiSeries, kpi_series


class Command(BaseCommand):
    help = "Print a KPI series (company-wide reader), as a table or with --json as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--metric", required=True, help=f"one of: {', '.join(METRICS)}")
        parser.add_argument(
            "--grain", default=Grain.MONTH.value, help="month (default), quarter or year"
        )
        parser.add_argument(
            "--by", default="", help="dimensions, comma-separated, e.g. region,product_line"
        )
        parser.add_argument("--from", dest="period_from", help="first period: 2024-01, 2024-Q1")
        parser.add_argument("--to", dest="period_to", help="last period, inclusive")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            series = kpi_series(
                user=access.command_line_reader(),
                metric=options["metric"],
                grain=options["grain"],
                by=options["by"] or None,
                period_from=options["period_from"],
                period_to=options["period_to"],
            )
        except KpiQueryError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(series.as_json(), ensure_ascii=False))
        else:
            self._table(series)

    def _table(self, series: KpiSeries) -> None:
        self.stdout.write(f"{series.metric.key} ({series.metric.unit.value}) by {series.grain}")
        for row in series.rows:
            dims = " ".join(f"{key}={value}" for key, value in row.dims.items())
            parts = [
                f"{row.period:<8}",
                f"{dims:<30}" if dims else "",
                f"{display(row.value):>12}",
                f"{display(row.numerator):>16}",
                f"{display(row.denominator):>12}",
            ]
            self.stdout.write("  ".join(part for part in parts if part))
