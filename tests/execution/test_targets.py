"""Table 2: quarterly targets split into months and down into parts that add up, monthly
actuals from the KPI reader, attainment, the variance analysis a shortfall needs, and the split
of a gap into its drivers — with the seed's own example worked through.

The clock is pinned (frozen_today: 2026-11-15)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from execution import target_selectors, target_services
from execution.editing import EditConflictError
from execution.models import MonthTarget, QuarterTarget
from salesopt.core.periods import Quarter
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
Q1 = Quarter(2026, 1)


def month_amounts(target):
    return [row.amount for row in target.months.order_by("month")]


def test_an_even_split_gives_the_rounding_to_the_last_month(frozen_today, program, manager):
    target = target_services.quarter_target_set(
        program=program, by=manager, quarter=Q1, amount="1000000", split="even"
    )
    # 1,000,000 / 3 = 333,333.33…: two months of 333,333.33 and 333,333.34.
    assert month_amounts(target) == [Decimal("333333.33"), Decimal("333333.33"),
                                     Decimal("333333.34")]  # fmt: skip
    assert sum(month_amounts(target)) == Decimal("1000000")


def test_a_seasonal_split_follows_last_years_months(frozen_today, program, manager, south):
    # Last year's Q1 revenue: January 100,000, February 100,000, March 200,000 → 1 : 1 : 2.
    for day, amount in ((dt.date(2025, 1, 10), 100000), (dt.date(2025, 2, 10), 100000),
                        (dt.date(2025, 3, 10), 200000)):  # fmt: skip
        OrderFactory(region=south, ordered_on=day, amount=Decimal(amount))
    call_command("compute_kpis", "--from", "2025-01", "--to", "2025-03", stdout=io.StringIO())

    target = target_services.quarter_target_set(program=program, by=manager, quarter=Q1,
                                                amount="800000", split="seasonal")  # fmt: skip

    assert month_amounts(target) == [Decimal("200000.00"), Decimal("200000.00"),
                                     Decimal("400000.00")]  # fmt: skip


def test_a_seasonal_split_without_last_years_revenue_says_so(frozen_today, program, manager):
    with pytest.raises(ValidationError, match="do not all have revenue"):
        target_services.quarter_target_set(program=program, by=manager, quarter=Q1,
                                           amount="800000", split="seasonal")  # fmt: skip
    assert not QuarterTarget.objects.exists()  # nothing half-written


def test_parts_must_add_up_to_the_whole(frozen_today, program, manager, south, east):
    whole = target_services.quarter_target_set(
        program=program, by=manager, quarter=Q1, amount="5000000", split="even"
    )

    with pytest.raises(ValidationError, match=r"add up to ¥4,900,000\.00, not ¥5,000,000\.00: "
                                              r"¥100,000\.00 short"):  # fmt: skip
        target_services.parts_set(
            target=whole,
            by=manager,
            dimension="region",
            amounts={south.pk: "3000000", east.pk: "1900000"},
            split="even",
        )
    assert not whole.parts.exists()
    target_services.parts_set(
        target=whole,
        by=manager,
        dimension="region",
        amounts={south.pk: "3000000", east.pk: "2000000"},
        split="even",
    )
    assert sorted(part.amount for part in whole.parts.all()) == [Decimal("2000000"),
                                                                 Decimal("3000000")]  # fmt: skip
    # The whole cannot change alone any more: its parts would no longer add up.
    with pytest.raises(ValidationError, match="split into parts"):
        target_services.quarter_target_set(
            program=program, by=manager, quarter=Q1, amount="5500000", split="even"
        )


def test_a_hand_split_must_add_up_to_the_quarter(frozen_today, program, manager):
    target = target_services.quarter_target_set(
        program=program, by=manager, quarter=Q1, amount="3000000", split="even"
    )
    with pytest.raises(ValidationError, match=r"¥2,900,000\.00, not ¥3,000,000\.00"):
        target_services.months_set(target=target, by=manager, split="hand",
                                   hand=["600000", "500000", "1800000"])  # fmt: skip
    assert month_amounts(target) == [Decimal("1000000.00")] * 3


def test_the_seeds_example_march_in_south_china_at_91_7_percent(
    frozen_today, program, manager, team_lead, south, east, south_team
):
    """Seed: Q target ¥500万; March ¥180万 for 华南; actual ¥165万 → 91.7%, and a variance
    analysis with a corrective action is then required."""
    OrderFactory(region=south, ordered_on=dt.date(2026, 3, 12), amount=Decimal("1000000"))
    OrderFactory(region=south, ordered_on=dt.date(2026, 3, 25), amount=Decimal("650000"))
    call_command("compute_kpis", "--from", "2026-01", "--to", "2026-03", stdout=io.StringIO())
    whole = target_services.quarter_target_set(
        program=program, by=manager, quarter=Q1, amount="5000000", split="even"
    )
    target_services.parts_set(
        target=whole,
        by=manager,
        dimension="region",
        amounts={south.pk: "3000000", east.pk: "2000000"},
        split="even",
    )
    south_target = whole.parts.get(region=south)
    target_services.months_set(target=south_target, by=manager, split="hand",
                               hand=["600000", "600000", "1800000"])  # fmt: skip

    rows = target_selectors.table_2_rows(program=program, user=manager, quarter=Q1)
    march = next(row for row in rows if row.target == south_target
                 and row.month.month == dt.date(2026, 3, 1))  # fmt: skip

    assert (march.target.amount, march.month.amount, march.actual) == (
        Decimal("3000000.00"), Decimal("1800000.00"), Decimal("1650000.00"),
    )  # fmt: skip
    assert march.attainment_shown == "91.7%"
    assert march.below and march.notes_missing
    # The company's row reads the company's revenue: the same ¥165万 in March.
    company_march = next(row for row in rows if row.target == whole
                         and row.month.month == dt.date(2026, 3, 1))  # fmt: skip
    assert company_march.actual == Decimal("1650000.00")
    out = io.StringIO()
    call_command("execution", "--program", str(program.pk), "--table", "2", "--quarter",
                 "2026-Q1", "--json", stdout=out)  # fmt: skip
    printed = json.loads(out.getvalue())
    row = next(r for r in printed["rows"] if r["region"] == "华南" and r["month"] == "2026-03")
    assert (row["quarter"], row["target"], row["actual"], row["attainment"]) == (
        "2026-Q1", 1800000.0, 1650000.0, 0.9167,
    )  # fmt: skip


def test_a_shortfall_needs_its_analysis_and_a_stale_note_is_refused(
    frozen_today, program, manager, rep, team_lead, south_team
):
    OrderFactory(rep=rep, ordered_on=dt.date(2026, 10, 20), amount=Decimal("50000"))
    call_command("compute_kpis", "--from", "2026-10", "--to", "2026-10", stdout=io.StringIO())
    whole = target_services.quarter_target_set(
        program=program, by=manager, quarter=Quarter(2026, 4), amount="300000", split="even"
    )
    target_services.parts_set(
        target=whole, by=manager, dimension="owner", amounts={rep.pk: "300000"}, split="even"
    )
    october = MonthTarget.objects.get(quarter_target__owner=rep, month=dt.date(2026, 10, 1))
    update = target_services.month_note_update

    update(month_id=october.pk, field="variance_note", value="竞品促销", version=1, by=team_lead)
    with pytest.raises(EditConflictError):
        update(month_id=october.pk, field="variance_note", value="x", version=1, by=manager)
    with pytest.raises(ValidationError, match="needs its variance analysis"):
        update(month_id=october.pk, field="variance_note", value="", version=2, by=team_lead)
    with pytest.raises(PermissionDenied):
        update(month_id=october.pk, field="corrective_action", value="x", version=2, by=rep)
    update(month_id=october.pk, field="corrective_action", value="下周加大高端客户拜访",
           version=2, by=team_lead)  # fmt: skip
    row = target_selectors.table_2_row(MonthTarget.objects.get(pk=october.pk), team_lead)
    assert row.attainment_shown == "50.0%" and not row.notes_missing
    # November is not over: no analysis asked for yet.
    november = MonthTarget.objects.get(quarter_target__owner=rep, month=dt.date(2026, 11, 1))
    assert not target_selectors.table_2_row(november, manager).below


def test_the_gap_splits_into_its_drivers_by_the_logarithmic_mean():
    """Actual 165, target 180: the gap is −15 and L(165, 180) = −15 / ln(165/180) = 172.39.
    Leads 90 against a pace of 100: 172.39 × ln 0.9 = −18.16; conversion 11% against 10%:
    172.39 × ln 1.1 = +16.43; order value unchanged: 0; what they leave: −15 + 18.16 − 16.43
    = −13.27 (the target set above the baseline's pace)."""
    effects, remainder = target_selectors.gap_drivers(
        165, 180, {"lead_count": (90, 100), "lead_conversion_rate": (0.11, 0.10),
                   "average_order_value": (5000, 5000)},
    )  # fmt: skip
    mean = -15 / math.log(165 / 180)
    assert mean == pytest.approx(172.39, abs=0.01)
    assert effects["lead_count"] == pytest.approx(-18.16, abs=0.01)
    assert effects["lead_conversion_rate"] == pytest.approx(16.43, abs=0.01)
    assert effects["average_order_value"] == pytest.approx(0.0)
    assert remainder == pytest.approx(-13.27, abs=0.01)


def test_team_leads_read_their_teams_rows_only(frozen_today, program, manager, team_lead,
                                               rep, east_rep):  # fmt: skip
    whole = target_services.quarter_target_set(
        program=program, by=manager, quarter=Quarter(2026, 4), amount="200000", split="even"
    )
    target_services.parts_set(
        target=whole,
        by=manager,
        dimension="owner",
        amounts={rep.pk: "100000", east_rep.pk: "100000"},
        split="even",
    )

    lead_rows = target_selectors.table_2_rows(program=program, user=team_lead,
                                              quarter=Quarter(2026, 4))  # fmt: skip
    rep_rows = target_selectors.table_2_rows(program=program, user=rep, quarter=Quarter(2026, 4))

    assert {row.target.owner for row in lead_rows} == {rep}  # not the company's, not 华东's
    assert {row.target.owner for row in rep_rows} == {rep}
    with pytest.raises(PermissionDenied):
        target_services.parts_set(
            target=whole, by=team_lead, dimension="owner", amounts={rep.pk: "200000"}, split="even"
        )


def test_the_page_and_its_export(client, frozen_today, program, manager, south, east):
    client.force_login(manager)
    refused = client.post(reverse("execution:target_set"),
                          {"quarter": "2026-Q1", "amount": "lots", "split": "even"})  # fmt: skip
    client.post(reverse("execution:target_set"),
                {"quarter": "2026-Q1", "amount": "5000000", "split": "even"})  # fmt: skip
    short = client.post(reverse("execution:target_parts"), {
        "quarter": "2026-Q1", "dimension": "region", f"part-{south.pk}": "1000",
        "split": "even",
    })  # fmt: skip
    page = client.get(reverse("execution:targets") + "?quarter=2026-Q1").content.decode()
    export = client.get(reverse("execution:target_export") + "?quarter=2026-Q1",
                        headers={"accept-language": "zh-hans"})  # fmt: skip

    assert "Enter an amount in yuan" in refused.content.decode()
    assert "short" in short.content.decode()
    assert "2026-03" in page and "¥1,666,667" in page
    from openpyxl import load_workbook

    header = [
        cell.value for cell in next(load_workbook(io.BytesIO(export.content)).active.iter_rows())
    ]
    assert header[:8] == ["季度目标", "月度目标", "区域", "负责人", "月度实际", "达成率 %",
                          "差异分析", "改进措施"]  # fmt: skip
