"""The method's three default milestones, and a stage history back-filled from what is known.

Before this migration an opportunity had its current stage only. What is known of its past: it
entered the pipeline (qualification) when it was created in the CRM, and won or lost when it
closed. An open opportunity past qualification entered its current stage at the latest when
salesopt last updated it; stages in between are unknown (`after_gap`), so back-filled histories
count for stage conversion (how far each deal got) but not for time in stage.
"""

from django.db import migrations

DEFAULTS = (
    # key, name, position, owner role, deliverable, due (days after the opportunity's creation)
    ("proposal_submitted", "Proposal submitted", 1, "sales_rep", "file", 14),
    ("contract_review", "Contract review", 2, "team_lead", "file", 30),
    ("signed", "Signed", 3, "sales_rep", "file", 45),
)

BACKFILL = (
    """
    INSERT INTO planning_stageentry (opportunity_id, stage, entered_at, after_gap, origin)
    SELECT o.id, o.stage,
           CASE WHEN o.stage IN ('won', 'lost') AND o.closed_at IS NOT NULL THEN o.closed_at
                WHEN o.updated_at > o.created_in_crm_at THEN o.updated_at
                ELSE o.created_in_crm_at END,
           %s, 'backfill'
    FROM core_opportunity AS o WHERE o.stage <> 'qualification'
    ON CONFLICT (opportunity_id, stage) DO NOTHING
    """,
    """
    INSERT INTO planning_stageentry (opportunity_id, stage, entered_at, after_gap, origin)
    SELECT o.id, 'qualification', o.created_in_crm_at, %s, 'backfill'
    FROM core_opportunity AS o WHERE 1 = 1
    ON CONFLICT (opportunity_id, stage) DO NOTHING
    """,
)


def forwards(apps, schema_editor):
    milestone = apps.get_model("planning", "MilestoneDefinition")
    if not milestone.objects.exists():
        milestone.objects.bulk_create(
            milestone(
                default_key=key,
                name=name,
                position=position,
                owner_role=role,
                deliverable_kind=kind,
                due_offset_days=days,
            )
            for key, name, position, role, kind, days in DEFAULTS
        )
    with schema_editor.connection.cursor() as cursor:
        for statement, gap in zip(BACKFILL, (True, False), strict=True):
            cursor.execute(statement, [gap])


def backwards(apps, schema_editor):
    apps.get_model("planning", "StageEntry").objects.filter(origin="backfill").delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_deal_milestones_and_stage_history")]

    operations = [migrations.RunPython(forwards, backwards)]
