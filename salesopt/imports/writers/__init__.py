"""The writers: where validated rows land, behind one interface (`Writer`).

- `StagingTable`: every kind but users; rows go to a temporary staging table, then set-based
  statements resolve references, find duplicates and update or insert in place.
- `DirectLoad`: a large first load of a source on PostgreSQL, COPYed straight into its table.
- `UserWriter`: the company's people, through the ORM (tens to hundreds of rows).

The pipeline drives each the same way: create → loading (load each chunk) → what the staged
rows tell (unresolved references, duplicates) → write or preview.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from ..schema import SCHEMAS, RecordKind
from .direct import DirectLoad
from .sql import WriteCounts
from .staging import StagingTable
from .users import UserWriter

if TYPE_CHECKING:
    from salesopt.leads.grading import StreamGrader

    from ..validation import ImportPlan

__all__ = ["DirectLoad", "StagingTable", "UserWriter", "WriteCounts", "Writer", "writer_for"]


class Writer(Protocol):
    # Set when the rows are graded as they load: the lead process then only assigns.
    grader: StreamGrader | None

    def create(self) -> None: ...
    def frame(self, canonical: pd.DataFrame) -> pd.DataFrame: ...
    def loading(self) -> AbstractContextManager[None]: ...
    def load(self, frame: pd.DataFrame) -> None: ...
    def end_loading(self, error: BaseException | None = None) -> None: ...
    def create_missing_customers(self, *, run_id: int | None) -> int: ...
    def unresolved_references(self) -> list[tuple[int, str, str]]: ...
    def delete_rows(self, row_numbers: list[int]) -> None: ...
    def duplicates(self) -> list[tuple[str, list[int]]]: ...
    def keep_last_of_duplicates(self) -> None: ...
    def preview(self) -> WriteCounts: ...
    def write(self, *, run_id: int | None, then: Callable[[], object] | None = None) -> WriteCounts:
        """Write the staged rows; `then` runs once they are in place, in the same transaction
        (a large first load runs it before building its indexes again: what it writes to the
        new rows then maintains no index row by row)."""
        ...


def writer_for(plan: ImportPlan, *, write: bool, run_id: int | None) -> Writer:
    """The writer for this plan: users through the ORM; a large first load that will be
    written straight into its table; every other load (and every dry run) through staging."""
    if plan.kind is RecordKind.USER:
        return UserWriter(source=plan.source)
    references = {f.name: f.references for f in SCHEMAS[plan.kind].fields if f.references}
    mapped = set(plan.columns.values()) | {rule.field for rule in plan.combine}
    estimated = plan.sniffed.estimated_rows or 0
    if write and DirectLoad.suits(plan.kind, source=plan.source, mapped_fields=mapped,
                                  estimated_rows=estimated):  # fmt: skip
        return DirectLoad(plan.kind, source=plan.source, references=references, run_id=run_id)
    return StagingTable(plan.kind, source=plan.source, references=references)
