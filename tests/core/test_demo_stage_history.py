"""The demo deals' stage histories (salesopt/core/demo/stage_history.py) tell a coherent story."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from planning.models import StageEntry
from salesopt.core.models import Opportunity
from salesopt.kpis.catalog import FUNNEL_STAGES

pytestmark = pytest.mark.django_db
ORDER = {stage: place for place, stage in enumerate(FUNNEL_STAGES)}


def test_every_demo_deal_has_a_history_in_stage_order_up_to_where_it_is():
    call_command("seed_demo", "--scale=0.05", "--seed=7", "--end=2026-10", verbosity=0)
    histories = defaultdict(list)
    for opportunity, stage, entered in StageEntry.objects.order_by("entered_at").values_list(
        "opportunity_id", "stage", "entered_at"
    ):
        histories[opportunity].append((stage, entered))
    now = timezone.now()
    deals = Opportunity.objects.filter(source="demo").only(
        "stage", "created_in_crm_at", "closed_at"
    )

    assert len(histories) == deals.count() > 100
    for deal in deals:
        stages = [stage for stage, _entered in histories[deal.pk]]
        assert stages[0] == "qualification"
        assert histories[deal.pk][0][1] == deal.created_in_crm_at
        assert all(entered <= now for _stage, entered in histories[deal.pk])
        if deal.stage == "lost":
            assert stages[-1] == "lost"
            assert stages[:-1] == list(FUNNEL_STAGES[: len(stages) - 1])
        else:
            assert stages == list(FUNNEL_STAGES[: ORDER[deal.stage] + 1])
        if deal.closed_at is not None:
            assert histories[deal.pk][-1][1] == deal.closed_at
    # Seeding again adds nothing.
    before = StageEntry.objects.count()
    call_command("seed_demo", "--scale=0.05", "--seed=7", "--end=2026-10", verbosity=0)
    assert StageEntry.objects.count() == before
