"""The demo deals' milestones: done when the deal reached the stage the milestone stands for.

A demo deal's proposal is filed when it entered the proposal stage, its contract review when it
entered contract review (by the owner's team lead, whose milestone it is), its signature when it
was won; each deliverable is a link to the attachment in the demo CRM. One deal in seven has
no record of any (its rep never filed them): open, it shows its milestones late. Deals whose
stage came too long after their creation show them done late. Set-wise and idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from salesopt.core.demo.catalog import SOURCE

from .milestone_services import milestones_ensure_defaults
from .models import MilestoneCompletion, MilestoneDefinition, StageEntry

# The stage a default milestone is done on entering.
DONE_ON_ENTERING = {
    "proposal": "proposal_submitted",
    "negotiation": "contract_review",
    "won": "signed",
}
LINK_PREFIX = "https://crm.example.com/opportunities/"


def seed_demo_milestones(*, now: dt.datetime) -> int:
    """Write the demo deals' milestone records; returns how many were added."""
    milestones_ensure_defaults()
    completions = MilestoneCompletion._meta.db_table
    milestones = MilestoneDefinition._meta.db_table
    entries = StageEntry._meta.db_table
    milestone_of = " ".join(
        f"WHEN '{stage}' THEN '{key}'" for stage, key in DONE_ON_ENTERING.items()
    )
    sql = (
        f"INSERT INTO {completions} (created_at, updated_at, opportunity_id, milestone_id, "  # noqa: S608
        "done_at, done_by_id, link, file, file_name, file_content_type, file_size) "
        "SELECT %s, %s, e.opportunity_id, m.id, e.entered_at, "
        "CASE WHEN m.owner_role = 'team_lead' THEN COALESCE(t.lead_id, o.owner_id) "
        "ELSE o.owner_id END, "
        "%s || o.external_id || '/' || m.default_key || '.pdf', '', '', '', NULL "
        f"FROM {entries} AS e JOIN core_opportunity AS o ON o.id = e.opportunity_id "
        f"JOIN {milestones} AS m ON m.default_key = CASE e.stage {milestone_of} END "
        "LEFT JOIN core_profile AS p ON p.user_id = o.owner_id "
        "LEFT JOIN core_team AS t ON t.id = p.team_id "
        "WHERE o.source = %s AND m.active = %s AND o.id %% 7 <> 0 "
        "ON CONFLICT (opportunity_id, milestone_id) DO NOTHING"
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment, moment, LINK_PREFIX, SOURCE, True])
        return max(cursor.rowcount, 0)
