"""seed_demo: a deterministic, idempotent demo company whose data carries the seeded problems.

Every test seeds a small company (scale 0.05 ≈ 1,500 leads) with a fixed seed and end month,
so the figures below are the same on every run; the bounds leave room for the generator to be
tuned without the problems fading.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Avg, Count, F, Max, Min, Q, Sum

from salesopt.core.demo import DEMO_PASSWORD
from salesopt.core.demo.catalog import BASELINE_MONTHS
from salesopt.core.demo.leads import generate_leads
from salesopt.core.demo.people import plan_staff
from salesopt.core.demo.timeline import Timeline
from salesopt.core.models import (
    Activity,
    Complaint,
    Customer,
    Lead,
    Opportunity,
    Order,
    ProductLine,
    Profile,
    Program,
    ProgramStatus,
    Region,
    Role,
    SalesTarget,
    Team,
)
from salesopt.core.periods import add_months, company_zone

END_MONTH = dt.date(2026, 10, 1)
BASELINE_START = add_months(END_MONTH, -BASELINE_MONTHS)
SEED_OPTIONS = ("--scale=0.05", "--seed=7", "--end=2026-10")
DEMO_MODELS = (Customer, Lead, Opportunity, Order, Activity, Complaint, SalesTarget)
LARGE_DEAL = Q(company_size__in=["large", "enterprise"]) | Q(amount__gt=500_000)


@pytest.fixture
def demo_company(db):
    call_command("seed_demo", *SEED_OPTIONS, verbosity=0)


def _snapshot() -> dict:
    demo = {"source": "demo"}
    return {
        "counts": {model.__name__: model.objects.filter(**demo).count() for model in DEMO_MODELS},
        "leads": list(
            Lead.objects.filter(**demo)
            .order_by("external_id")
            .values_list(
                "external_id",
                "status",
                "grade",
                "created_in_crm_at",
                "first_response_at",
                "won_at",
                "amount",
                "owner__username",
                "customer__external_id",
            )
        ),
        "orders": list(
            Order.objects.filter(**demo)
            .order_by("external_id")
            .values_list("external_id", "amount", "ordered_on", "customer__external_id")
        ),
        "targets": list(
            SalesTarget.objects.filter(**demo)
            .order_by("external_id")
            .values_list("external_id", "amount")
        ),
        "last_update": [
            model.objects.filter(**demo).aggregate(last=Max("updated_at"))["last"]
            for model in DEMO_MODELS
        ],
        "users": get_user_model().objects.filter(username__startswith="demo.").count(),
    }


def test_a_second_run_changes_nothing(demo_company):
    first = _snapshot()

    call_command("seed_demo", *SEED_OPTIONS, verbosity=0)

    assert _snapshot() == first
    assert first["counts"]["Lead"] == 1500
    assert first["counts"]["SalesTarget"] == 18 * (1 + 4 + 3 + 6 + 40)
    assert first["users"] == 49


def test_generation_depends_only_on_the_seed_and_the_end_month():
    timeline = Timeline.ending(END_MONTH, dt.date(2026, 11, 27))

    def leads(seed: int) -> dict:
        staff = plan_staff(np.random.default_rng([seed, 0]), timeline)
        return generate_leads(
            np.random.default_rng([seed, 2, 0]), timeline, staff, count=500, first=0
        )

    first, again, other = leads(7), leads(7), leads(8)

    assert all(np.array_equal(first[name], again[name]) for name in first)
    assert not np.array_equal(first["created"], other["created"])


def test_the_organisation_has_four_regions_three_lines_and_six_led_teams(demo_company):
    teams = Team.objects.select_related("lead__profile")

    assert set(Region.objects.values_list("code", "name")) == {
        ("south", "华南"),
        ("east", "华东"),
        ("north", "华北"),
        ("southwest", "西南"),
    }
    assert set(ProductLine.objects.values_list("name", flat=True)) == {
        "智能门锁",
        "安防监控",
        "云服务",
    }
    assert sorted(teams.values_list("kind", flat=True)) == ["product_line"] * 2 + ["region"] * 4
    assert [team.lead.profile.team for team in teams] == list(teams)
    assert {team.lead.profile.role for team in teams} == {Role.TEAM_LEAD}
    assert Counter(Profile.objects.filter(source="demo").values_list("role", flat=True)) == {
        Role.ADMIN: 1,
        Role.SALES_MANAGER: 1,
        Role.EXECUTIVE: 1,
        Role.TEAM_LEAD: 6,
        Role.SALES_REP: 40,
    }


def test_demo_accounts_log_in_with_the_demo_password(demo_company, rf):
    usernames = ["demo.admin", "demo.manager", "demo.exec", "demo.lead.south", "demo.rep.01"]
    login = rf.post("/accounts/login/")  # the login throttle needs the request

    users = [authenticate(login, username=name, password=DEMO_PASSWORD) for name in usernames]

    assert [user.get_username() for user in users] == usernames
    assert (users[0].is_staff, users[0].is_superuser) == (True, True)
    assert [user.profile.role for user in users] == [
        Role.ADMIN,
        Role.SALES_MANAGER,
        Role.EXECUTIVE,
        Role.TEAM_LEAD,
        Role.SALES_REP,
    ]
    assert authenticate(login, username="demo.rep.01", password="wrong") is None
    assert (
        Profile.objects.filter(source="demo").exclude(external_id=F("user__username")).count() == 0
    )


def test_one_sample_program_is_in_diagnosis(demo_company):
    program = Program.objects.get(status=ProgramStatus.DIAGNOSIS)

    assert program.name == "2026 Q4 销售管理升级"
    assert (program.baseline_start, program.baseline_end) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )
    assert (program.sponsor.username, program.manager.username) == ("demo.exec", "demo.manager")
    assert program.execution_start is None


def _response_hours(leads) -> list[float]:
    return [
        (answered - created).total_seconds() / 3600
        for created, answered in leads.filter(first_response_at__isnull=False).values_list(
            "created_in_crm_at", "first_response_at"
        )
    ]


def _share(part, whole) -> float:
    return part.count() / whole.count()


def test_south_answers_leads_late_and_converts_less(demo_company):
    south = Lead.objects.filter(region__code="south")
    others = Lead.objects.exclude(region__code="south")
    # Late: answered after the due time (2 working hours for an A lead), or never.
    late_a = Q(first_response_at__isnull=True) | Q(first_response_at__gt=F("due_at"))

    assert statistics.median(_response_hours(south)) > 24
    assert statistics.median(_response_hours(others)) < 8
    assert _share(south.filter(grade="A").filter(late_a), south.filter(grade="A")) > 0.8
    assert _share(others.filter(grade="A").filter(late_a), others.filter(grade="A")) < 0.35
    assert _share(south.filter(first_response_at__isnull=True), south) > 0.08
    assert _share(others.filter(first_response_at__isnull=True), others) < 0.06
    converted_south = _share(south.filter(status="converted"), south)
    assert converted_south < _share(others.filter(status="converted"), others) - 0.03


def _median_cycle_days(leads) -> float:
    return statistics.median(
        (won - created).total_seconds() / 86400
        for created, won in leads.filter(won_at__isnull=False).values_list(
            "created_in_crm_at", "won_at"
        )
    )


def test_large_deals_take_about_ninety_days(demo_company):
    large = Lead.objects.filter(LARGE_DEAL)
    small = Lead.objects.exclude(LARGE_DEAL)

    assert 75 < _median_cycle_days(large) < 105
    assert 15 < _median_cycle_days(small) < 35


def _days_to_first_win(profile: Profile) -> int | None:
    first = Lead.objects.filter(owner=profile.user).aggregate(first=Min("won_at"))["first"]
    if first is None:
        return None
    return (first.astimezone(company_zone()).date() - profile.hire_date).days


def test_new_reps_win_their_first_deal_about_sixty_days_after_hire(demo_company):
    new_reps = Profile.objects.filter(
        role=Role.SALES_REP, hire_date__gte=add_months(END_MONTH, -5)
    ).select_related("user")
    ramp_ups = [days for days in map(_days_to_first_win, new_reps) if days is not None]
    established = Profile.objects.filter(role=Role.SALES_REP, hire_date__lt=BASELINE_START)
    winning = established.filter(
        user__leads__won_at__gte=dt.datetime(2025, 10, 1, tzinfo=company_zone())
    ).distinct()

    assert new_reps.count() == 8
    assert len(ramp_ups) >= 6
    assert all(50 <= days <= 70 for days in ramp_ups)
    assert established.count() == 32
    assert winning.count() >= 28


def _attainment(orders, targets) -> Decimal:
    revenue = orders.aggregate(total=Sum("amount"))["total"]
    return Decimal(revenue) / Decimal(targets.aggregate(total=Sum("amount"))["total"])


def test_cloud_misses_its_targets_while_the_other_lines_meet_theirs(demo_company):
    orders = Order.objects.filter(ordered_on__gte=BASELINE_START, ordered_on__lt=END_MONTH)
    targets = SalesTarget.objects.filter(
        period_start__gte=BASELINE_START, period_start__lt=END_MONTH, team=None, rep=None
    )

    def line(code: str) -> Decimal:
        return _attainment(
            orders.filter(product_line__code=code),
            targets.filter(product_line__code=code, region=None),
        )

    assert 0.70 < line("cloud") < 0.88
    assert 0.92 < line("smart-lock") < 1.12
    assert 0.92 < line("security") < 1.12
    assert 0.88 < _attainment(orders, targets.filter(product_line=None, region=None)) < 1.0


def test_the_busiest_fifth_of_reps_carries_about_half_of_the_activities(demo_company):
    per_rep = sorted(
        Activity.objects.filter(occurred_at__gte=dt.datetime(2025, 10, 1, tzinfo=dt.UTC))
        .values("rep")
        .annotate(count=Count("id"))
        .values_list("count", flat=True),
        reverse=True,
    )

    assert len(per_rep) == 40
    assert 0.42 < sum(per_rep[:8]) / sum(per_rep) < 0.58


def test_lead_dates_and_statuses_agree(demo_company):
    leads = Lead.objects.filter(source="demo")

    assert leads.filter(first_response_at__lt=F("created_in_crm_at")).count() == 0
    assert leads.filter(status="new").exclude(first_response_at=None).count() == 0
    assert leads.filter(status="converted").filter(Q(won_at=None) | Q(customer=None)).count() == 0
    assert leads.exclude(status="converted").exclude(won_at=None).count() == 0
    assert leads.filter(status="lost", lost_at=None).count() == 0
    assert leads.filter(grade="").count() < leads.count() * 0.06
    assert set(Opportunity.objects.values_list("stage", "probability").distinct()) == {
        ("qualification", 10),
        ("needs_analysis", 25),
        ("proposal", 50),
        ("negotiation", 75),
        ("won", 100),
        ("lost", 0),
    }


def test_orders_refunds_repurchases_and_the_complaint_hot_spot(demo_company):
    baseline = Order.objects.filter(ordered_on__gte=BASELINE_START, ordered_on__lt=END_MONTH)
    per_customer = list(
        baseline.values("customer").annotate(orders=Count("id")).values_list("orders", flat=True)
    )
    north = Complaint.objects.filter(region__code="north")
    elsewhere = Complaint.objects.exclude(region__code="north")

    assert Order.objects.filter(amount__lt=0).count() > 0
    assert Order.objects.filter(amount__gt=0, amount__lt=5000).count() == 0
    assert Order.objects.filter(amount__gt=2_000_000).count() == 0
    assert 0.20 < sum(count >= 2 for count in per_customer) / len(per_customer) < 0.40
    assert north.count() > elsewhere.count() / 2
    north_score = north.aggregate(score=Avg("satisfaction"))["score"]
    assert north_score < elsewhere.aggregate(score=Avg("satisfaction"))["score"] - 0.5


def test_the_current_month_stops_at_today(db, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: dt.datetime(2026, 11, 15, 10, 0, tzinfo=dt.UTC)
    )
    today = dt.datetime(2026, 11, 15, tzinfo=company_zone())

    call_command("seed_demo", "--scale=0.02", "--seed=7", verbosity=0)

    assert Lead.objects.filter(created_in_crm_at__gte=today - dt.timedelta(days=14)).exists()
    assert Lead.objects.filter(created_in_crm_at__gte=today).count() == 0
    assert Activity.objects.filter(occurred_at__gte=today).count() == 0
    assert Order.objects.filter(ordered_on__gte=today.date()).count() == 0
    assert SalesTarget.objects.filter(period_start=dt.date(2026, 11, 1)).count() == 54
    assert Program.objects.get().name == "2026 Q4 销售管理升级"


def test_the_progress_and_the_summary_give_the_same_lead_count(db):
    out = io.StringIO()

    call_command("seed_demo", *SEED_OPTIONS, stdout=out)

    printed = out.getvalue()
    so_far = re.findall(r"([\d,]+) leads so far", printed)
    summary = re.search(r"^\s+leads\s+([\d,]+)$", printed, re.MULTILINE)
    assert so_far and summary
    assert so_far[-1] == summary.group(1) == f"{Lead.objects.filter(source='demo').count():,}"
