"""The finding rules on the demo company find the problems the demo was seeded with."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from diagnosis.evidence import EVIDENCE_FIGURES, evidence_figures
from diagnosis.models import Finding, FindingStatus
from diagnosis.services import finding_dismiss, findings_refresh
from salesopt.core.models import Program
from tests.conftest import FROZEN_NOW

# The problems the demo company was seeded with (README, "The demo company").
SEEDED_PROBLEMS = {
    "slow_response:region:华南",
    "missed_target:product_line:云服务",
    "workload_concentration",
    "slow_ramp_up",
    "long_cycle:grade:A",
    "complaint_hot_spot:region:华北",
}


@pytest.mark.django_db
def test_the_seeded_problems_are_proposed(demo_program):
    findings = findings_refresh(program=demo_program, user=demo_program.manager)

    assert {finding.rule_key for finding in findings} >= SEEDED_PROBLEMS


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now",
    [
        FROZEN_NOW + dt.timedelta(days=400),
        # The first hour of a quarter in Shanghai: the current month has no day yet.
        dt.datetime(2027, 3, 31, 16, 30, tzinfo=dt.UTC),
        # Three years on, on a leap day.
        dt.datetime(2029, 2, 28, 23, 0, tzinfo=dt.UTC),
    ],
    ids=["400-days-on", "first-hour-of-a-quarter", "leap-day-2029"],
)
def test_make_run_on_any_date_finds_every_seeded_problem(time_machine, now):
    """What `make run` does on that day (seed, compute), then "Find problems in the data".

    At a fifth of make run's scale (6,000 leads): smaller demos have too few complaints per
    region for the satisfaction problem to stand out from noise.
    """
    time_machine.move_to(now, tick=False)
    call_command("seed_demo", scale=0.2, seed=1, verbosity=0)
    call_command("compute_kpis", verbosity=0)
    program = Program.objects.get()

    found = {
        finding.rule_key for finding in findings_refresh(program=program, user=program.manager)
    }

    assert found >= SEEDED_PROBLEMS, SEEDED_PROBLEMS - found


@pytest.mark.django_db
def test_slow_response_in_south_china_carries_its_figures(demo_program):
    findings_refresh(program=demo_program, user=demo_program.manager)

    finding = Finding.objects.get(rule_key="slow_response:region:华南")
    assert finding.impact_level == "high"
    assert finding.dimension == "lead_management"
    assert finding.evidence["median_first_response_hours"] > 24
    assert finding.evidence["sla_breach_rate"] > 0.4
    assert finding.evidence["conversion_rate"] < finding.evidence["company_conversion_rate"]
    assert finding.impact_amount > 0
    # The figure under the finding is the one its text gives (no second rounding).
    assert dict(finding.evidence_figures)["deadline breach rate"] in finding.description


@pytest.mark.django_db
def test_cloud_services_target_gap_is_priced_per_quarter(demo_program):
    findings_refresh(program=demo_program, user=demo_program.manager)

    finding = Finding.objects.get(rule_key="missed_target:product_line:云服务")
    evidence = finding.evidence
    assert 0.7 < evidence["attainment"] < 0.9
    assert finding.impact_amount == round((evidence["target"] - evidence["revenue"]) / 4)


@pytest.mark.django_db
def test_workload_ramp_up_and_cycle_figures(demo_program):
    findings_refresh(program=demo_program, user=demo_program.manager)

    evidence = {f.rule_key: f.evidence for f in Finding.objects.filter(source="data")}
    assert 0.4 <= evidence["workload_concentration"]["top_20_percent_share"] < 0.6
    assert evidence["slow_ramp_up"]["median_ramp_up_days"] > 45
    assert evidence["long_cycle:grade:A"]["median_cycle_days"] > 60


@pytest.mark.django_db
def test_a_refresh_is_idempotent_and_keeps_a_dismissal(demo_program, manager):
    first = findings_refresh(program=demo_program, user=demo_program.manager)
    dismissed = Finding.objects.get(rule_key="workload_concentration")
    finding_dismiss(finding=dismissed, user=manager)

    second = findings_refresh(program=demo_program, user=demo_program.manager)

    assert len(second) == len(first)
    assert Finding.objects.filter(source="data").count() == len(first)
    assert Finding.objects.get(pk=dismissed.pk).status == FindingStatus.DISMISSED


@pytest.mark.django_db
@override_settings(SALESOPT_FINDING_RAMP_UP_DAYS=120, SALESOPT_FINDING_TOP_REP_SHARE=0.9)
def test_thresholds_are_settings(demo_program):
    keys = {
        finding.rule_key
        for finding in findings_refresh(program=demo_program, user=demo_program.manager)
    }

    assert "slow_ramp_up" not in keys
    assert "workload_concentration" not in keys


@pytest.mark.django_db
def test_every_figure_a_rule_gives_has_a_label_and_a_unit(demo_program):
    findings = findings_refresh(program=demo_program, user=demo_program.manager)

    keys = {key for finding in findings for key in finding.evidence}
    assert keys and keys <= set(EVIDENCE_FIGURES), keys - set(EVIDENCE_FIGURES)


def test_evidence_reads_in_the_readers_language_with_units():
    evidence = {"sla_breach_rate": 0.648, "median_first_response_hours": 26.04,
                "median_cycle_days": 97.1, "target": 1630000, "reps": 40,
                "custom": "as stored"}  # fmt: skip

    assert evidence_figures(evidence) == [
        ("deadline breach rate", "64.8%"),
        ("median first response", "26.0 h"),
        ("median sales cycle", "97 days"),
        ("target", "¥1.63M"),
        ("reps", "40"),
        ("custom", "as stored"),
    ]
    with translation.override("zh-hans"):
        assert evidence_figures({"sla_breach_rate": 0.648, "target": 1630000}) == [
            ("超时率", "64.8%"),
            ("目标", "¥163.00万"),
        ]
