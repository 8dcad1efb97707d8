"""`manage.py execution --program ID --table plan|2|3 --json`: one execution table as JSON.

`{"program": ID, "table": …, "rows": [{…the table's columns under stable English keys…}]}`, read
as a company-wide reader (like `plan` and `kpis`). Table 2 is one quarter's (`--quarter
2026-Q1`, by default the current one).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from execution.measure_selectors import table_3_json
from execution.selectors import TABLES, plan_rows_json
from execution.target_selectors import table_2_json
from salesopt.core import access
from salesopt.core.periods import Quarter, company_today
from salesopt.core.programs import program_for_command


class Command(BaseCommand):
    help = "Print one execution table of a program: the execution plan, Table 2 or Table 3."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--program", type=int, required=True, help="the program's id")
        parser.add_argument(
            "--table", choices=TABLES, required=True,
            help="plan (the execution plan), 2 (targets) or 3 (measures)",
        )  # fmt: skip
        parser.add_argument("--quarter", help="Table 2's quarter, e.g. 2026-Q1 (default: now)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: object, **options: Any) -> None:
        program = program_for_command(options["program"])
        table = options["table"]
        reader = access.command_line_reader()
        if table == "2":
            try:
                quarter = (Quarter.parse(options["quarter"]) if options["quarter"]
                           else Quarter.containing(company_today()))  # fmt: skip
            except ValueError:
                raise CommandError(
                    f"not a quarter: {options['quarter']} (write it as 2026-Q1)"
                ) from None
            rows = table_2_json(program=program, user=reader, quarter=quarter)
        else:
            rows = (plan_rows_json if table == "plan" else table_3_json)(
                program=program, user=reader
            )
        if options["json"]:
            table_json = {"program": program.pk, "table": table, "rows": rows}
            self.stdout.write(json.dumps(table_json, ensure_ascii=False))
            return
        self.stdout.write(f"{program.name}: table {table}, {len(rows)} rows")
        for row in rows:
            title = row.get("task") or row.get("title") or row.get("month")
            state = row.get("status") or row.get("state") or row.get("attainment")
            self.stdout.write(f"  {title} · {row['owner']} · {state}")
