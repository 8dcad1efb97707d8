"""`manage.py import_crm PATH`: a scheduled import from the command line.

The last line printed is one JSON object with the counts and the first errors. Exit status:
0 all rows imported (or validated, with --dry-run); 1 some rows are invalid and --skip-invalid
was not given (nothing was written); 2 the file cannot be used at all (reason on stderr).
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from salesopt.imports import command_line
from salesopt.imports.models import ImportRun, ImportStatus
from salesopt.imports.presets import PRESETS_BY_NAME
from salesopt.imports.schema import RecordKind


class Command(BaseCommand):
    help = "Import a CRM export (CSV or XLSX): leads, customers, activities, opportunities, …"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", choices=[kind.value for kind in RecordKind], default="")
        parser.add_argument("--preset", choices=sorted(PRESETS_BY_NAME), default="")
        parser.add_argument(
            "--timezone", default="", help="zone of naive times in the file (company default)"
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create the regions, product lines and owners the file names but salesopt "
            "does not know (owners are created inactive, marked as created by an import)",
        )
        parser.add_argument(
            "--no-record-id",
            action="store_true",
            help="confirm that the file has no record-id column: rows are matched by their "
            "content, so a later export of an updated record adds a second record",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            self._unusable(f"{path}: no such file")
        try:
            run = command_line.import_file(
                path=path,
                kind=options["kind"],
                preset=options["preset"],
                time_zone=options["timezone"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                create_missing=options["create_missing"],
                without_record_id=options["no_record_id"],
            )
        except ValidationError as problem:
            self._unusable(" ".join(problem.messages))
        self.stdout.write(json.dumps(summary(run), ensure_ascii=False))
        if run.rejected_count and not options["skip_invalid"]:
            sys.exit(1)
        if run.status == ImportStatus.FAILED:
            sys.exit(1)

    def _unusable(self, reason: str) -> None:
        self.stderr.write(reason.replace("\n", " "))
        sys.exit(2)


def summary(run: ImportRun) -> dict[str, Any]:
    return {
        "kind": run.kind,
        "source": run.source,
        "rows": run.rows_total,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "rejected": run.rejected_count,
        "errors": run.error_sample,
    }
