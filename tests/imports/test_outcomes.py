"""What each CRM means by converted, won and lost, read from its own export.

For every CRM's sample exports the conversion rate and the win rate are worked out by hand
below and read back through the KPI reader, the one every page uses.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from salesopt.core.models import Lead, Opportunity
from salesopt.kpis.selectors import kpi_series
from tests.imports.test_crm_exports import SAMPLES, import_sample

pytestmark = pytest.mark.django_db

# CRM: (leads export, converted of leads), (opportunities export, won of closed) — 2024.
BY_HAND = {
    # Lead Status "Closed - Converted"; Stage "Closed Won" / "Closed Lost".
    "salesforce": (("leads.csv", 1, 4), ("opportunities.csv", 1, 2)),
    # Lifecycle Stage "Customer" (Liu), whatever the Lead Status ("Open Deal").
    "hubspot": (("contacts.csv", 1, 4), ("deals.csv", 1, 2)),
    # Lead Conversion Time filled (Liu), though its Lead Status says "Pre-Qualified".
    "zoho": (("leads.csv", 1, 4), ("deals.csv", 1, 2)),
    # Leads: stage Won; Xibei archived (Active False, Lost Reason). Opportunities: Won at 100%,
    # and Xibei archived as lost though its stage still says New.
    "odoo": (("leads.csv", 1, 4), ("opportunities.csv", 1, 2)),
    "neocrm": (("leads.csv", 1, 4), ("opportunities.csv", 1, 2)),  # 已转换; 赢单 / 输单
    "fxiaoke": (("leads.csv", 1, 4), ("opportunities.csv", 1, 2)),  # 已转换; 赢单 / 输单
    "dingtalk": (("customers.csv", 1, 4), None),  # 客户跟进状态 成交; no opportunity object
    "salesopt": (("leads.csv", 1, 4), ("opportunities.csv", 1, 2)),  # our template's codes
}


@pytest.fixture
def manager(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", None)


def rate(manager, metric: str) -> tuple[float, float]:
    (point,) = kpi_series(user=manager, metric=metric, grain="year", period_from="2024",
                          period_to="2024").rows  # fmt: skip
    return float(point.numerator or 0), float(point.denominator or 0)


@pytest.mark.parametrize("crm", sorted(BY_HAND))
def test_each_crms_outcomes_give_the_rates_worked_out_by_hand(crm, manager, tmp_path):
    leads, deals = BY_HAND[crm]
    for name, *_ in filter(None, (leads, deals)):
        run, _ = import_sample(SAMPLES / crm / name, "utf-8", tmp_path)
        assert (run.status, run.rejected_count) == ("done", 0), run.error_sample

    call_command("compute_kpis", "--from", "2023-01", "--to", "2024-12", verbosity=0)

    assert rate(manager, "lead_conversion_rate") == (leads[1], leads[2])
    if deals is not None:
        assert rate(manager, "win_rate") == (deals[1], deals[2])


def test_odoo_keeps_the_stage_of_an_archived_deal_and_it_counts_as_lost(tmp_path):
    import_sample(SAMPLES / "odoo" / "opportunities.csv", "utf-8", tmp_path)

    xibei = Opportunity.objects.get(name="Xibei: fleet tracking")
    assert xibei.stage == "lost"
    assert str(xibei.closed_at.date()) == "2024-02-27"


def test_the_admin_can_choose_another_column_to_decide_converted(tmp_path):
    path = tmp_path / "zoho-leads.csv"
    path.write_text((SAMPLES / "zoho" / "leads.csv").read_text(encoding="utf-8"), "utf-8")
    from django.core.files import File

    from salesopt.imports import services

    with path.open("rb") as handle:
        run = services.import_run_upload(user=None, uploaded=File(handle, name=path.name))
    services.import_run_set_mapping(
        run=run, kind=run.kind, preset=run.preset, columns=run.mapping["columns"],
        create_missing=True,
        outcomes=[{"outcome": "converted", "header": "Rating", "values": ["Active"]}],
    )  # fmt: skip
    services.import_run_execute(run_id=run.pk, skip_invalid=False)

    converted = set(Lead.objects.filter(status="converted").values_list("company_name", flat=True))
    assert converted == {"Huanan Tech Co."}  # Rating "Active"; Liu's Conversion Time no longer


def test_the_mapping_page_shows_and_changes_what_decides_converted(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from salesopt.imports.models import ImportRun

    content = (SAMPLES / "zoho" / "leads.csv").read_bytes()
    admin_client.post(
        reverse("imports:run-list"), {"file": SimpleUploadedFile("leads.csv", content)}
    )
    run = ImportRun.objects.get()
    detail = reverse("imports:run-detail", kwargs={"pk": run.pk})

    page = admin_client.get(detail).content.decode()

    assert 'id="outcomes"' in page
    assert "A lead is converted or lost by its status in the column “Lead Status”" in page
    assert '<option value="Lead Conversion Time" selected>' in page
    assert '<option value="Converted Deal" selected>' in page
    form = {
        "kind": "lead", "preset": "zoho.lead", "time_zone": "Asia/Shanghai",
        **{f"column_{i}": field or "" for i, field in enumerate(run.mapping["columns"].values())},
        "outcome_0": "converted", "outcome_0_header": "Rating", "outcome_0_values": "Active",
        "outcome_1": "converted", "outcome_1_header": "", "outcome_2_header": "",
    }  # fmt: skip
    admin_client.post(detail, form)
    run.refresh_from_db()

    assert run.mapping["outcomes"] == [
        {"outcome": "converted", "header": "Rating", "values": ["Active"]}
    ]
    assert '<option value="Rating" selected>' in admin_client.get(detail).content.decode()
