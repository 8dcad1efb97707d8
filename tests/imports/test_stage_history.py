"""An import dates the stage each changed opportunity is in (salesopt.imports.stage_history).

"Now" is 2026-11-15 10:00 UTC (frozen_today). Three imports of the same deals:

    1st  O1 qualification (created 10-01), O2 proposal (created 10-02), O3 lost (closed 10-20)
         → O1 qualification 10-01; O2 qualification 10-02 and proposal now, after a gap;
           O3 qualification 10-03 and lost 10-20 (its closing time), after a gap
    2nd  O1 moves to needs analysis → entered now, no gap; O2 unchanged: nothing added
    3rd  the same file again: nothing added
"""

from __future__ import annotations

import datetime as dt

import pytest

from planning.models import StageEntry
from salesopt.imports import readers
from salesopt.imports.pipeline import ImportPlan, process
from salesopt.imports.schema import RecordKind
from tests.conftest import FROZEN_NOW
from tests.factories import ImportRunFactory

pytestmark = pytest.mark.django_db

HEADER = "id,name,stage,created,closed\n"
COLUMNS = {
    "id": "external_id",
    "name": "name",
    "stage": "stage",
    "created": "created_at",
    "closed": "closed_at",
}
FIRST = (
    "O1,商机一,qualification,2026-10-01 09:00,\n"
    "O2,商机二,proposal,2026-10-02 09:00,\n"
    "O3,商机三,lost,2026-10-03 09:00,2026-10-20 09:00\n"
)
SECOND = FIRST.replace("O1,商机一,qualification", "O1,商机一,needs_analysis")


def run_import(tmp_path, text: str) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    plan = ImportPlan(
        path=path,
        sniffed=readers.sniff(path),
        kind=RecordKind.OPPORTUNITY,
        source="crm",
        columns=COLUMNS,
        value_maps={},
        zone="UTC",
    )
    run = ImportRunFactory(kind="opportunity")
    outcome = process(plan, run_id=run.pk, write=True, skip_invalid=False)
    assert outcome.rejected == 0


def history() -> set[tuple[str, str, dt.datetime, bool]]:
    return set(
        StageEntry.objects.values_list(
            "opportunity__external_id", "stage", "entered_at", "after_gap"
        )
    )


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, tzinfo=dt.UTC)


FIRST_HISTORY = {
    ("O1", "qualification", at(10, 1), False),
    ("O2", "qualification", at(10, 2), False),
    ("O2", "proposal", FROZEN_NOW, True),
    ("O3", "qualification", at(10, 3), False),
    ("O3", "lost", at(10, 20), True),
}


def test_a_first_import_dates_what_it_knows(frozen_today, tmp_path):
    run_import(tmp_path, FIRST)

    assert history() == FIRST_HISTORY
    assert set(StageEntry.objects.values_list("origin", flat=True)) == {"import"}


def test_a_later_import_adds_the_stage_a_deal_moved_to_and_nothing_else(frozen_today, tmp_path):
    run_import(tmp_path, FIRST)
    run_import(tmp_path, SECOND)
    run_import(tmp_path, SECOND)

    assert history() == FIRST_HISTORY | {("O1", "needs_analysis", FROZEN_NOW, False)}
