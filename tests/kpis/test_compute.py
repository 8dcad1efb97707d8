"""Recompute: every KPI on small hand-made data, with the expected figures worked out by hand.

"Now" is frozen at 2026-11-15 18:00 in Shanghai (the `frozen_today` fixture). Periods are
company-zone periods; the comments next to each data set list the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from salesopt.core.models import ActivityKind, OpportunityStage, Order, Role
from salesopt.kpis.compute import leads as leads_family
from salesopt.kpis.compute import statements
from salesopt.kpis.compute.columnar import Figures
from salesopt.kpis.models import KpiSnapshot
from tests.conftest import require
from tests.factories import (
    ActivityFactory,
    LeadFactory,
    OpportunityFactory,
    OrderFactory,
    SalesTargetFactory,
    UserFactory,
)

from .conftest import figure, local, recompute, value_of

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)
SEP, MAR = dt.date(2026, 9, 1), dt.date(2026, 3, 1)
Q1, Q4, Y2026 = dt.date(2026, 1, 1), dt.date(2026, 10, 1), dt.date(2026, 1, 1)


def test_lead_kpis_of_a_month(leads):
    # Oct: 5 leads; converted L1 (status) and L3 (won) → 2/5; answered [2, 3, 5, 30]: median
    # (3 + 5) / 2 = 4, mean 40 / 4 = 10; graded L1–L4 = 4, breached L2, L4 → 2/4.
    assert figure("lead_count", "month", OCT) == (5.0, Decimal(5), None)
    assert figure("lead_conversion_rate", "month", OCT) == (0.4, Decimal(2), Decimal(5))
    assert figure("first_response_hours", "month", OCT) == (4.0, Decimal(40), Decimal(4))
    assert figure("first_response_hours_mean", "month", OCT) == (10.0, Decimal(40), Decimal(4))
    assert figure("sla_breach_rate", "month", OCT) == (0.5, Decimal(2), Decimal(4))


def test_lead_periods_are_company_zone_months(leads):
    # L1 was created on Sep 30 in UTC but Oct 1 in Shanghai: September has no lead at all.
    assert figure("lead_count", "month", SEP) is None


def test_sla_breach_counts_an_unanswered_lead_only_once_its_deadline_passed(leads):
    # Nov: graded N2, N3, N4; only N4's due time (Fri 17:00) has passed at Sun 18:00: N3's
    # 2 h run from Friday 17:00 over the weekend to Monday 10:00 → 1/3.
    assert figure("sla_breach_rate", "month", NOV) == (pytest.approx(1 / 3), 1, 3)
    # Unanswered leads are left out of the response time: only N1 (10 h) was answered.
    assert figure("first_response_hours", "month", NOV) == (10.0, Decimal(10), Decimal(1))


def test_lead_kpis_of_a_quarter_and_a_year_are_computed_from_their_months(leads):
    # Q4 = Oct + Nov: 9 leads, 2 converted; answered [2, 3, 5, 10, 30] → median 5, mean 10;
    # breaches 2 + 1 of graded 4 + 3.
    assert value_of("lead_count", "quarter", Q4) == 9
    assert value_of("lead_conversion_rate", "quarter", Q4) == pytest.approx(2 / 9)
    assert value_of("first_response_hours", "quarter", Q4) == 5.0
    assert value_of("first_response_hours_mean", "quarter", Q4) == 10.0
    assert value_of("sla_breach_rate", "quarter", Q4) == pytest.approx(3 / 7)
    # Q1: M1 alone, answered in 1 h (C's deadline is 72 h).
    assert figure("sla_breach_rate", "quarter", Q1) == (0.0, Decimal(0), Decimal(1))
    # 2026: 10 leads, 3 converted; answered [1, 2, 3, 5, 10, 30] → median (3 + 5) / 2 = 4,
    # mean 51 / 6 = 8.5; breaches 3 of 8 graded.
    assert value_of("lead_count", "year", Y2026) == 10
    assert value_of("lead_conversion_rate", "year", Y2026) == 0.3
    assert value_of("first_response_hours", "year", Y2026) == 4.0
    assert value_of("first_response_hours_mean", "year", Y2026) == 8.5
    assert value_of("sla_breach_rate", "year", Y2026) == 0.375


def test_lead_kpis_by_region(leads, south, east):
    # south: L1, L2, L3 → conversion 2/3, median of [2, 3, 30] = 3, breaches L2 of 3.
    assert value_of("lead_count", "month", OCT, region=south.pk) == 3
    assert value_of("lead_conversion_rate", "month", OCT, region=south.pk) == pytest.approx(2 / 3)
    assert value_of("first_response_hours", "month", OCT, region=south.pk) == 3.0
    assert value_of("sla_breach_rate", "month", OCT, region=south.pk) == pytest.approx(1 / 3)
    # east: L4 (unanswered, graded C, breached), L5 (ungraded, 5 h).
    assert figure("lead_conversion_rate", "month", OCT, region=east.pk) == (0.0, 0, 2)
    assert value_of("first_response_hours", "month", OCT, region=east.pk) == 5.0
    assert figure("sla_breach_rate", "month", OCT, region=east.pk) == (1.0, 1, 1)
    # Q4 south: L1–L3 and N2–N4; breaches L2, N4 of 6 graded; answered [2, 3, 30].
    assert value_of("sla_breach_rate", "quarter", Q4, region=south.pk) == pytest.approx(1 / 3)
    assert value_of("first_response_hours", "quarter", Q4, region=south.pk) == 3.0


def test_lead_kpis_by_product_line_with_an_even_median(leads, lock, cloud):
    # lock: L1 [2], L2 [3], L4 [never] → median (2 + 3) / 2; cloud: L3 [30], L5 [5].
    assert value_of("lead_count", "month", OCT, product_line=lock.pk) == 3
    assert value_of("first_response_hours", "month", OCT, product_line=lock.pk) == 2.5
    assert value_of("first_response_hours", "month", OCT, product_line=cloud.pk) == 17.5


def test_lead_kpis_by_team_follow_the_owners_team(leads, south_team, east_team):
    assert value_of("lead_count", "month", OCT, team=south_team.pk) == 3
    assert value_of("lead_count", "month", OCT, team=east_team.pk) == 2
    assert value_of("first_response_hours", "month", OCT, team=east_team.pk) == 5.0


def test_lead_kpis_by_rep(leads, rep, other_rep, east_rep):
    # rep: L1 [2, converted], L2 [3, late] → 1/2, median 2.5, breach 1/2.
    assert figure("lead_conversion_rate", "month", OCT, rep=rep.pk) == (0.5, 1, 2)
    assert value_of("first_response_hours", "month", OCT, rep=rep.pk) == 2.5
    assert value_of("sla_breach_rate", "month", OCT, rep=rep.pk) == 0.5
    assert value_of("lead_conversion_rate", "month", OCT, rep=other_rep.pk) == 1.0
    assert value_of("lead_count", "month", OCT, rep=east_rep.pk) == 2


def test_lead_kpis_by_grade_leave_ungraded_leads_out(leads):
    assert value_of("lead_count", "month", OCT, grade="A") == 2
    assert value_of("sla_breach_rate", "month", OCT, grade="A") == 0.5
    # B: L3, answered in 30 h, well within its 24 working hours.
    assert value_of("sla_breach_rate", "month", OCT, grade="B") == 0.0
    assert value_of("sla_breach_rate", "month", OCT, grade="C") == 1.0
    by_grade = KpiSnapshot.objects.filter(
        metric="lead_count", grain="month", period_start=OCT, cut="grade"
    )
    assert sorted(by_grade.values_list("grade", flat=True)) == ["A", "B", "C"]


def test_conversion_by_region_and_product_line(leads, south, east, lock, cloud):
    def conversion(region, line):
        return figure("lead_conversion_rate", "month", OCT, region=region.pk, product_line=line.pk)

    assert conversion(south, lock) == (0.5, 1, 2)
    assert conversion(south, cloud) == (1.0, 1, 1)
    assert conversion(east, lock) == (0.0, 0, 1)
    assert conversion(east, cloud) == (0.0, 0, 1)


def test_team_by_grade_is_stored_for_scoped_readers(leads, south_team):
    assert value_of("lead_count", "month", OCT, team=south_team.pk, grade="A") == 2


def test_revenue_counts_refunds_negative(orders, south, east, rep, south_team):
    recompute()

    assert figure("revenue", "month", OCT) == (3200.0, Decimal(3200), None)
    assert value_of("revenue", "month", OCT, region=south.pk) == 3200.0
    assert figure("revenue", "month", OCT, region=east.pk) is None
    assert value_of("revenue", "month", OCT, rep=rep.pk) == 1500.0
    assert value_of("revenue", "month", OCT, team=south_team.pk) == 3200.0
    assert value_of("revenue", "quarter", Q4) == 4700.0  # 3200 + 1500
    assert value_of("revenue", "year", Y2026) == 5400.0  # + 700 in September


def test_average_order_value_divides_by_orders_with_a_positive_amount(orders):
    recompute()

    assert figure("average_order_value", "month", OCT) == (
        pytest.approx(3200 / 3),
        Decimal(3200),
        Decimal(3),
    )
    assert value_of("average_order_value", "quarter", Q4) == 1175.0  # 4700 / 4


def test_repurchase_rate_counts_distinct_customers_per_period(orders):
    recompute()

    assert figure("repurchase_rate", "month", OCT) == (0.5, 1, 2)
    # Q4: c1 twice, c2 once, c3 once (November) → 1/3.
    assert value_of("repurchase_rate", "quarter", Q4) == pytest.approx(1 / 3)
    # 2026: c3 ordered in September and November, so it repurchased within the year → 2/3.
    assert value_of("repurchase_rate", "year", Y2026) == pytest.approx(2 / 3)


def test_repurchase_rate_by_region_and_rep_counts_customers_within_the_cut(
    orders, east_rep, south, east, lock
):
    # c1 also buys in the east in October: a repeat customer of the company (3 orders) and of
    # the south (2), but not of the east (1).
    c1 = Order.objects.get(amount=Decimal("1000.00")).customer
    OrderFactory(
        customer=c1, rep=east_rep, region=east, product_line=lock,
        amount=Decimal("100.00"), ordered_on=dt.date(2026, 10, 25),
    )  # fmt: skip
    recompute()

    assert figure("repurchase_rate", "month", OCT) == (0.5, 1, 2)
    assert figure("repurchase_rate", "month", OCT, region=south.pk) == (0.5, 1, 2)
    assert figure("repurchase_rate", "month", OCT, region=east.pk) == (0.0, 0, 1)
    assert figure("repurchase_rate", "month", OCT, rep=east_rep.pk) == (0.0, 0, 1)
    # Q4 in the east: c1 (October) and c3 (November) once each → 0 of 2.
    assert figure("repurchase_rate", "quarter", Q4, region=east.pk) == (0.0, 0, 2)
    # 2026 for east_rep: c3 twice (September, November), c1 once → 1 of 2.
    assert figure("repurchase_rate", "year", Y2026, rep=east_rep.pk) == (0.5, 1, 2)


def test_target_attainment_matches_the_targets_scope(
    orders, rep, east_rep, south, lock, south_team
):
    company = {"region": None, "product_line": None, "team": None, "rep": None}
    SalesTargetFactory(period_start=OCT, amount=Decimal(4000), **company)
    SalesTargetFactory(period_start=NOV, amount=Decimal(2000), **company)
    SalesTargetFactory(period_start=DEC, amount=Decimal(1000), **company)
    SalesTargetFactory(period_start=OCT, amount=Decimal(3000), region=south)
    SalesTargetFactory(period_start=OCT, amount=Decimal(1000), region=south, product_line=lock)
    SalesTargetFactory(period_start=OCT, amount=Decimal(4000), team=south_team)
    SalesTargetFactory(period_start=OCT, amount=Decimal(2000), rep=rep)
    # Two scope columns set: neither the region's target nor the rep's.
    SalesTargetFactory(period_start=OCT, amount=Decimal(999), region=south, rep=east_rep)
    recompute()

    assert figure("target_attainment", "month", OCT) == (0.8, Decimal(3200), Decimal(4000))
    assert value_of("target_attainment", "month", DEC) == 0.0  # a target, no revenue yet
    assert value_of("target_attainment", "quarter", Q4) == pytest.approx(4700 / 7000)
    assert value_of("target_attainment", "month", OCT, region=south.pk) == pytest.approx(
        3200 / 3000
    )
    assert value_of("target_attainment", "month", OCT, region=south.pk, product_line=lock.pk) == 1.5
    assert value_of("target_attainment", "month", OCT, team=south_team.pk) == 0.8
    assert value_of("target_attainment", "month", OCT, rep=rep.pk) == 0.75


def test_target_attainment_without_a_target_has_no_value(orders):
    SalesTargetFactory(period_start=OCT, amount=Decimal(4000))
    recompute()

    # September: revenue 700 but no target → a zero denominator, shown as "—", never 0 %.
    assert figure("target_attainment", "month", SEP) == (None, Decimal(700), Decimal(0))


def test_complaint_kpis(complaints, south, east):
    assert figure("complaint_rate", "month", OCT) == (1.5, Decimal(3), Decimal(2))
    assert figure("complaint_response_hours", "month", OCT) == (2.5, Decimal(5), Decimal(2))
    assert figure("satisfaction_score", "month", OCT) == (3.0, Decimal(6), Decimal(2))
    assert value_of("complaint_rate", "month", OCT, region=south.pk) == 1.0
    # East had a complaint but no customer with an October order: nothing to divide by.
    assert figure("complaint_rate", "month", OCT, region=east.pk) == (None, 1, 0)
    assert figure("satisfaction_score", "month", OCT, region=east.pk) == (None, None, 0)


def test_complaint_rate_by_rep_uses_who_handled_it(complaints, rep):
    # rep handled K1; rep's customers with an October order: c1 → 1/1.
    assert value_of("complaint_rate", "month", OCT, rep=rep.pk) == 1.0
    assert value_of("complaint_response_hours", "month", OCT, rep=rep.pk) == 4.0


def test_win_rate_by_closing_month(frozen_today, rep, other_rep, east_rep, south, east, lock):
    won, lost = OpportunityStage.WON, OpportunityStage.LOST
    for owner, region, stage in [
        (rep, south, won),
        (rep, south, lost),
        (other_rep, south, won),
        (east_rep, east, lost),
    ]:
        OpportunityFactory(
            owner=owner,
            region=region,
            product_line=lock,
            stage=stage,
            closed_at=local(2026, 10, 20),
        )
    # Closed Sep 30 20:00 UTC = Oct 1 04:00 in Shanghai: an October win.
    OpportunityFactory(
        owner=east_rep,
        region=east,
        stage=won,
        closed_at=dt.datetime(2026, 9, 30, 20, tzinfo=dt.UTC),
    )
    OpportunityFactory(owner=rep, region=south, stage=OpportunityStage.PROPOSAL)  # still open
    recompute()

    assert figure("win_rate", "month", OCT) == (0.6, Decimal(3), Decimal(5))
    assert value_of("win_rate", "month", OCT, region=south.pk) == pytest.approx(2 / 3)
    assert value_of("win_rate", "month", OCT, region=east.pk) == 0.5
    assert value_of("win_rate", "month", OCT, rep=rep.pk) == 0.5


def test_sales_cycle_is_the_median_by_win_month(frozen_today, rep, east_rep, south, east):
    # Won in Oct after 40, 10.5 and 20 days → median 20; Q4 adds 30 (Nov) → (20 + 30) / 2.
    for owner, region, created, won in [
        (rep, south, local(2026, 9, 1), local(2026, 10, 11)),
        (rep, south, local(2026, 10, 1), local(2026, 10, 11, 21)),
        (rep, south, local(2026, 10, 5), local(2026, 10, 25)),
        (east_rep, east, local(2026, 10, 2), local(2026, 11, 1)),
    ]:
        LeadFactory(owner=owner, region=region, created_in_crm_at=created, won_at=won)
    recompute()

    assert figure("sales_cycle_days", "month", OCT) == (20.0, Decimal("70.5"), Decimal(3))
    assert value_of("sales_cycle_days", "quarter", Q4) == 25.0
    assert value_of("sales_cycle_days", "month", NOV, region=east.pk) == 30.0
    assert value_of("sales_cycle_days", "month", OCT, rep=rep.pk) == 20.0


def test_activities_per_rep_working_day(
    frozen_today, rep, other_rep, east_rep, team_lead, south_team
):
    """Working days: October 2026 has 22 (Mon–Fri); November stops at today, the 15th: 10.

    Oct: rep 3 calls (+1 e-mail, not counted), other_rep a visit and a follow-up, the team
    lead a call → 6 activities; active: rep, other_rep (no hire date), the team lead (logged
    one); east_rep is hired on Nov 10 → 3 reps × 22 days. Nov: east_rep 2 calls; active: rep,
    other_rep, east_rep → 3 × 10.
    """
    east_rep.profile.hire_date = dt.date(2026, 11, 10)
    east_rep.profile.save(update_fields=["hire_date"])
    october = local(2026, 10, 14, 10)
    for kind in [ActivityKind.CALL] * 3 + [ActivityKind.EMAIL]:
        ActivityFactory(rep=rep, kind=kind, occurred_at=october)
    ActivityFactory(rep=other_rep, kind=ActivityKind.VISIT, occurred_at=october)
    ActivityFactory(rep=other_rep, kind=ActivityKind.FOLLOW_UP, occurred_at=october)
    ActivityFactory(rep=team_lead, kind=ActivityKind.CALL, occurred_at=october)
    for _ in range(2):
        ActivityFactory(rep=east_rep, kind=ActivityKind.CALL, occurred_at=local(2026, 11, 12))
    recompute()

    assert figure("activities_per_rep_day", "month", OCT) == (pytest.approx(6 / 66), 6, 66)
    assert figure("activities_per_rep_day", "month", NOV) == (pytest.approx(2 / 30), 2, 30)
    # December is all in the future: no working day yet, so no value.
    assert figure("activities_per_rep_day", "month", DEC) == (None, 0, 0)
    assert value_of("activities_per_rep_day", "quarter", Q4) == pytest.approx(8 / 96)
    assert figure("activities_per_rep_day", "month", OCT, rep=rep.pk) == (
        pytest.approx(3 / 22),
        3,
        22,
    )
    assert value_of("activities_per_rep_day", "month", OCT, team=south_team.pk) == (
        pytest.approx(6 / 66)
    )


def test_ramp_up_by_hire_month_cohort(frozen_today, south_team):
    """History starts with the first lead (2026-01-05). Hired Feb 10, first win Apr 11 → 60
    days (a later win ignored); Feb 20 → Mar 22: 30 days; Mar 3 → Mar 13: 10 days. Hired
    before the history, or without a win: left out. Cohorts: Feb [60, 30] → 45; Mar [10];
    Q1 [10, 30, 60] → 30.
    """
    LeadFactory(created_in_crm_at=local(2026, 1, 5))
    for name, hired, wins in [
        ("r1", dt.date(2026, 2, 10), [local(2026, 4, 11), local(2026, 5, 1)]),
        ("r2", dt.date(2026, 2, 20), [local(2026, 3, 22)]),
        ("r3", dt.date(2026, 3, 3), [local(2026, 3, 13)]),
        ("veteran", dt.date(2025, 6, 1), [local(2026, 2, 1)]),
        ("no-win-yet", dt.date(2026, 2, 11), []),
    ]:
        new_rep = UserFactory(
            username=name,
            profile__role=Role.SALES_REP,
            profile__team=south_team,
            profile__hire_date=hired,
        )
        for won in wins:
            LeadFactory(owner=new_rep, created_in_crm_at=local(2026, 1, 6), won_at=won)
    recompute()

    assert figure("ramp_up_days", "month", dt.date(2026, 2, 1)) == (45.0, 90, 2)
    assert value_of("ramp_up_days", "month", MAR) == 10.0
    assert value_of("ramp_up_days", "quarter", Q1) == 30.0
    assert value_of("ramp_up_days", "quarter", Q1, team=south_team.pk) == 30.0
    assert figure("ramp_up_days", "year", dt.date(2025, 1, 1)) is None


def test_recompute_replaces_its_slice_and_leaves_other_years_alone(leads):
    before = KpiSnapshot.objects.count()
    kept = KpiSnapshot.objects.create(
        metric="lead_count",
        grain="month",
        period_start=dt.date(2025, 5, 1),
        value=7,
        computed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    LeadFactory(created_in_crm_at=local(2026, 10, 20))

    recompute("2026-10", "2026-10")

    assert KpiSnapshot.objects.count() > before
    assert value_of("lead_count", "month", OCT) == 6
    assert KpiSnapshot.objects.filter(pk=kept.pk).exists()
    assert (
        KpiSnapshot.objects.values(
            "metric",
            "grain",
            "period_start",
            "cut",
            "region_id",
            "product_line_id",
            "team_id",
            "rep_id",
            "grade",
        )
        .distinct()
        .count()
        == KpiSnapshot.objects.count()
    )


def stored_figures() -> list[tuple]:
    """Every stored figure (metric, grain, period, cut, value), in a stable order."""
    return sorted(
        KpiSnapshot.objects.values_list("metric", "grain", "period_start", "cut", "value"), key=str
    )


def test_recomputing_twice_gives_the_same_rows(leads):
    first = stored_figures()
    recompute()

    assert stored_figures() == first


def test_a_recompute_rewrites_only_the_figures_that_changed(leads, south):
    month_figures = KpiSnapshot.objects.filter(metric="lead_count", grain="month")
    untouched = month_figures.get(period_start=NOV, cut="")
    changed = month_figures.get(period_start=OCT, cut="")
    stale = KpiSnapshot.objects.create(  # a figure the data no longer gives
        metric="lead_count", grain="month", period_start=OCT, cut="rep", rep_id=999_999, value=3,
        numerator=3, computed_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    LeadFactory(created_in_crm_at=local(2026, 10, 20), region=south)

    recompute()

    # Same figure, same row (not deleted and written back: that would give it a new id).
    assert month_figures.filter(pk=untouched.pk, value=untouched.value).exists()
    assert not month_figures.filter(pk=changed.pk).exists()
    assert value_of("lead_count", "month", OCT) == changed.value + 1
    assert not KpiSnapshot.objects.filter(pk=stale.pk).exists()


def test_an_empty_database_computes_no_figure_but_the_rep_days(frozen_today, rep):
    recompute()

    assert set(KpiSnapshot.objects.values_list("metric", flat=True)) == {"activities_per_rep_day"}
    # rep is active all year (no hire date) but did nothing: 0 per day, not "—".
    assert figure("activities_per_rep_day", "month", OCT) == (0.0, 0, 22)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_leave_no_duplicate_and_no_half_slice(frozen_today, rep, south):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    for day in (2, 3, 4):
        LeadFactory(
            owner=rep,
            region=south,
            grade="A",
            created_in_crm_at=local(2026, 10, day),
            first_response_at=local(2026, 10, day, 12),
        )
    recompute()
    expected = sorted(
        KpiSnapshot.objects.values_list(
            "metric", "grain", "period_start", "cut", "region_id", "rep_id", "grade", "value"
        ),
        key=str,
    )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def recompute_in_a_thread() -> None:
        try:
            start.wait()
            recompute()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute_in_a_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert (
        sorted(
            KpiSnapshot.objects.values_list(
                "metric", "grain", "period_start", "cut", "region_id", "rep_id", "grade", "value"
            ),
            key=str,
        )
        == expected
    )
    assert value_of("lead_count", "month", OCT) == 3


@pytest.mark.postgres
def test_a_failure_in_the_in_memory_medians_rolls_the_whole_recompute_back(leads, monkeypatch):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    before = stored_figures()
    LeadFactory(created_in_crm_at=local(2026, 10, 20))  # the recompute would change figures

    def fail(*args, **kwargs):
        raise MemoryError("no room for the medians")

    monkeypatch.setattr(Figures, "add_medians", fail)
    with pytest.raises(MemoryError):
        recompute()

    assert stored_figures() == before
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("kpis")]


def all_stored_figures() -> list[tuple]:
    """Every stored figure with its cut's dimensions and parts, in a stable order."""
    return sorted(
        KpiSnapshot.objects.values_list(
            "metric", "grain", "period_start", "cut", "region_id", "product_line_id", "team_id",
            "rep_id", "grade", "value", "numerator", "denominator",
        ),
        key=str,
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_recompute_of_committed_data_reads_the_medians_beside_its_statements_alike(
    leads, monkeypatch
):
    # Outside any transaction (a worker's, the command's) the medians are read on a second
    # connection through the recompute's exported snapshot, while its statements run; inside
    # a caller's transaction (which other connections cannot see into) on its own connection.
    # Both must give the same figures.
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    side_reads = []
    read_on_snapshot = statements._read_on_snapshot
    monkeypatch.setattr(
        statements,
        "_read_on_snapshot",
        lambda snapshot, read: side_reads.append(snapshot) or read_on_snapshot(snapshot, read),
    )
    KpiSnapshot.objects.all().delete()

    recompute()
    beside = all_stored_figures()
    assert len(side_reads) == 1
    # Oct's answered leads [2, 3, 5, 30] h: median (3 + 5) / 2 = 4 (test_lead_kpis_of_a_month).
    assert figure("first_response_hours", "month", OCT) == (4.0, Decimal(40), Decimal(4))

    KpiSnapshot.objects.all().delete()
    with transaction.atomic():
        recompute()
    assert len(side_reads) == 1  # no second connection this time
    assert all_stored_figures() == beside


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failed_read_beside_the_recompute_rolls_it_back_and_closes_its_connection(
    leads, monkeypatch
):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    before = stored_figures()
    LeadFactory(created_in_crm_at=local(2026, 10, 20))  # the recompute would change figures

    def connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    open_before = connections()

    def fail(*args, **kwargs):
        raise MemoryError("no room for the arrays")

    monkeypatch.setattr(leads_family, "read_grouped_subsets", fail)
    with pytest.raises(MemoryError):
        recompute()

    assert stored_figures() == before
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("kpis")]
    assert connections() == open_before
