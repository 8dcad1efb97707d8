"""Dating the stages an imported opportunity reaches, for stage conversion and time in stage.

The CRM export carries an opportunity's current stage only. Each import that changed an
opportunity records the stage it is now in, once (the first entry into a stage is kept):

- at its creation time for qualification, at its closing time for won and lost (both exact);
- at the import's time for any other stage (the change happened since the previous import);
- an opportunity first seen past qualification gets its creation as the entry into
  qualification, and its current stage marked `after_gap`: the stages in between, if any, are
  unknown, and so is how long it spent in each.

The stage history lives in the planning app's table (written here in SQL, as the writers write
core's tables: the import layer does not import the phase apps); its per-deal summary is then
refreshed for the same opportunities (salesopt.core.stage_history).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from salesopt.core.models import OpportunityStage
from salesopt.core.stage_history import refresh_progress

STAGE_ENTRY_TABLE = "planning_stageentry"
ORIGIN = "import"

_QUALIFICATION = OpportunityStage.QUALIFICATION.value
_CLOSED = (OpportunityStage.WON.value, OpportunityStage.LOST.value)

# Identifiers and literals below are this module's constants, never input.
_CURRENT_STAGE = f"""
INSERT INTO {STAGE_ENTRY_TABLE} (opportunity_id, stage, entered_at, after_gap, origin)
SELECT o.id, o.stage,
       CASE WHEN o.stage = '{_QUALIFICATION}' THEN o.created_in_crm_at
            WHEN o.stage IN ('{_CLOSED[0]}', '{_CLOSED[1]}') AND o.closed_at IS NOT NULL
                THEN o.closed_at
            ELSE %s END,
       (o.stage <> '{_QUALIFICATION}' AND NOT EXISTS
           (SELECT 1 FROM {STAGE_ENTRY_TABLE} AS e WHERE e.opportunity_id = o.id)),
       '{ORIGIN}'
FROM core_opportunity AS o WHERE o.changed_by_import = %s
ON CONFLICT (opportunity_id, stage) DO NOTHING
"""  # noqa: S608
_FIRST_STAGE = f"""
INSERT INTO {STAGE_ENTRY_TABLE} (opportunity_id, stage, entered_at, after_gap, origin)
SELECT o.id, '{_QUALIFICATION}', o.created_in_crm_at, %s, '{ORIGIN}'
FROM core_opportunity AS o WHERE o.changed_by_import = %s
ON CONFLICT (opportunity_id, stage) DO NOTHING
"""  # noqa: S608


def record_stage_entries(run_id: int, *, now: dt.datetime | None = None) -> None:
    """Date the current stage of every opportunity import `run_id` changed (see above)."""
    moment = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with connection.cursor() as cursor:
        # The current stage first: `after_gap` asks whether any entry existed before this run.
        cursor.execute(_CURRENT_STAGE, [moment, run_id])
        cursor.execute(_FIRST_STAGE, [False, run_id])
    refresh_progress("o.changed_by_import = %s", [run_id])
