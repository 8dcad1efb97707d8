"""Grading rules, versions and response deadlines, on small hand-made data.

"Now" is frozen at Sunday 2026-11-15 18:00 in Shanghai. The calendar is the default one:
Monday–Friday 09:00–18:00, without China's holidays (National Day 2026: Oct 1–7 off, Saturday
Oct 10 worked). Times below are Shanghai times.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from salesopt.core.models import (
    CompanySize,
    GradingStatus,
    Lead,
    LeadStatus,
    Regrade,
    RegradeStatus,
    Urgency,
)
from salesopt.leads import services
from salesopt.leads.grading import grade_leads
from salesopt.leads.selectors import grade_reason, grading_preview
from tests.factories import LeadFactory, UserFactory
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db


def version(manager, *, effective_from=dt.date(2026, 10, 12), **settings):
    """A draft with two rules: 1) A for 制造业 with 500+ staff, 2) B for high urgency;
    default C."""
    draft = services.grading_draft(user=manager)
    services.grading_draft_update(
        version=draft,
        effective_from=effective_from,
        crm_grade_wins=settings.get("crm_grade_wins", False),
        default_grade=settings.get("default_grade", "C"),
        deadline_a_hours=settings.get("a", 2),
        deadline_b_hours=settings.get("b", 24),
        deadline_c_hours=settings.get("c", 72),
    )
    services.grading_rule_save(
        version=draft,
        grade="A",
        industries=["制造业"],
        company_sizes=[CompanySize.LARGE, CompanySize.ENTERPRISE],
    )
    services.grading_rule_save(version=draft, grade="B", urgencies=[Urgency.HIGH])
    return draft


def apply(draft, manager):
    regrade = services.grading_version_apply(version=draft, user=manager)
    return services.regrade_run(regrade_id=regrade.pk)


def lead(created, *, crm_grade="", industry="", size="", urgency="", **fields):
    return LeadFactory(
        created_in_crm_at=created,
        grade=crm_grade,
        industry=industry,
        company_size=size,
        urgency=urgency,
        **fields,
    )


@pytest.fixture
def leads(frozen_today):
    """Open leads created Monday Oct 12 10:00 (after the version's date) unless said."""
    monday = local(2026, 10, 12, 10)
    return {
        "big_factory": lead(monday, crm_grade="C", industry="制造业", size="large"),
        # 制造业 but small: not rule 1; high urgency: rule 2.
        "small_urgent": lead(monday, industry=" 制造业 ", size="small", urgency="high"),
        "retail": lead(monday, crm_grade="A", industry="零售", urgency="low"),
        # Created before the version takes effect: keeps the CRM's grade.
        "before": lead(local(2026, 10, 9, 10), crm_grade="B", industry="制造业", size="large"),
        # Closed: a re-grade leaves it as it was.
        "closed": lead(monday, industry="制造业", size="large", status=LeadStatus.LOST),
    }


def fresh(row):
    return Lead.objects.select_related("grade_rule__version", "grading_version").get(pk=row.pk)


def test_the_first_rule_a_lead_meets_grades_it_else_the_default(manager, leads):
    regrade = apply(version(manager), manager)

    assert regrade.status == RegradeStatus.DONE
    # Open since Oct 12: big_factory C → A, small_urgent '' → B, retail A → C.
    assert (regrade.total, regrade.changed) == (3, 3)
    big, small, retail = (fresh(leads[key]) for key in ("big_factory", "small_urgent", "retail"))
    assert (big.grade, big.grade_rule.position) == ("A", 1)
    assert (small.grade, small.grade_rule.position) == ("B", 2)
    assert (retail.grade, retail.grade_rule) == ("C", None)
    assert retail.crm_grade == "A"  # the CRM's grade stays, beside the grade in force


def test_each_lead_says_why_it_has_its_grade(manager, leads):
    apply(version(manager), manager)

    assert grade_reason(fresh(leads["big_factory"])) == (
        "A: rule 1 of version 1 — industry 制造业 · size large (500–1999) / enterprise (2000+)"
    )
    assert grade_reason(fresh(leads["small_urgent"])) == ("B: rule 2 of version 1 — urgency high")
    assert grade_reason(fresh(leads["retail"])) == (
        "C: the default grade of version 1 (no rule matches)"
    )
    assert grade_reason(fresh(leads["before"])) == "B: the grade in the CRM"


def test_leads_before_the_effective_date_and_closed_leads_are_left_alone(manager, leads):
    apply(version(manager), manager)

    before, closed = fresh(leads["before"]), fresh(leads["closed"])
    assert (before.grade, before.grading_version) == ("B", None)
    assert (closed.grade, closed.grading_version) == ("", None)


def test_the_crm_grade_can_win_over_the_rules(manager, leads):
    apply(version(manager, crm_grade_wins=True), manager)

    # big_factory and retail came with a grade: kept; small_urgent had none: rule 2.
    assert [fresh(leads[k]).grade for k in ("big_factory", "retail", "small_urgent")] == [
        "C",
        "A",
        "B",
    ]
    assert grade_reason(fresh(leads["retail"])) == "A: the grade in the CRM"


def test_due_times_count_the_grade_deadline_in_working_hours(manager, frozen_today):
    # Default deadlines, no version: A 2 h, B 24 h, C 72 h.
    friday_evening = lead(local(2026, 11, 13, 17, 55), crm_grade="A")
    golden_week_eve = lead(local(2026, 9, 30, 17), crm_grade="B")
    saturday_worked = lead(local(2026, 10, 10, 9), crm_grade="A")

    # 17:55 Friday: 5 minutes that day, 1 h 55 min from Monday 09:00 → Monday 10:55.
    assert fresh(friday_evening).due_at == local(2026, 11, 16, 10, 55)
    # Sep 30 17:00: 1 h that day, then Oct 1–7 are off; Oct 8, 9 (9 h each), 10 (5 h): 14:00.
    assert fresh(golden_week_eve).due_at == local(2026, 10, 10, 14)
    # The make-up Saturday is a working day: 09:00 + 2 h.
    assert fresh(saturday_worked).due_at == local(2026, 10, 10, 11)


def test_a_version_deadlines_give_the_due_times_of_its_leads(manager, leads):
    apply(version(manager, a=4), manager)

    # Monday 10:00 + 4 working hours.
    assert fresh(leads["big_factory"]).due_at == local(2026, 10, 12, 14)
    # Before the version: the default deadline of its CRM grade B (24 h), from Friday Oct 9
    # 10:00: 8 h Friday, 9 h Saturday Oct 10 (worked), 7 h Monday → Monday Oct 12 16:00.
    assert fresh(leads["before"]).due_at == local(2026, 10, 12, 16)


def test_a_failed_regrade_leaves_the_leads_and_the_draft_as_they_were(manager, leads, monkeypatch):
    draft = version(manager)
    before = {key: (fresh(row).grade, fresh(row).due_at) for key, row in leads.items()}

    def fail_after_writing(*args, **kwargs):
        grade_leads(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "grade_leads", fail_after_writing)
    regrade = apply(draft, manager)

    assert regrade.status == RegradeStatus.FAILED
    assert "disk full" in regrade.error
    draft.refresh_from_db()
    assert draft.status == GradingStatus.DRAFT
    assert {key: (fresh(row).grade, fresh(row).due_at) for key, row in leads.items()} == before


def test_a_regrade_delivered_twice_grades_once(manager, leads):
    draft = version(manager)
    regrade = services.grading_version_apply(version=draft, user=manager)
    services.regrade_run(regrade_id=regrade.pk)

    again = services.regrade_run(regrade_id=regrade.pk)

    assert again.status == RegradeStatus.DONE
    assert Regrade.objects.count() == 1


def test_the_preview_counts_grades_changes_overlaps_and_the_load(manager, leads, rep, other_rep):
    draft = version(manager)
    # A third rule every lead of rule 1 meets too: it grades nothing of its own.
    services.grading_rule_save(version=draft, grade="B", industries=["制造业"])

    preview = grading_preview(version=draft)

    # The last 90 days (Aug 18 – Nov 15): all five leads; today's grades C, '', A, B, ''.
    assert preview.leads == 5
    shares = {share.grade: (share.now, share.draft) for share in preview.shares}
    # Under the draft: big_factory A, small_urgent B, retail C, before A, closed A.
    assert shares == {"A": (1, 3), "B": (1, 1), "C": (1, 1), "": (2, 0)}
    assert preview.changed == 5
    assert preview.ungraded == 0
    reach = [(rule.position, rule.grades, rule.shadowed) for rule in preview.rules]
    # Rule 3 (制造业): big_factory, before, closed are rule 1's; small_urgent is rule 2's.
    assert reach == [(1, 3, 0), (2, 1, 0), (3, 0, 4)]
    # 3 A leads shared by 2 reps over the working days of the 90 (holidays and weekends out).
    assert preview.working_days < 90 * 5 / 7
    share_a = next(share for share in preview.shares if share.grade == "A")
    assert share_a.leads_per_rep_day == pytest.approx(3 / 2 / preview.working_days)
    # The re-grade would touch the 3 open leads since Oct 12, all of which change grade.
    assert (preview.open_leads, preview.open_changed) == (3, 3)


def test_a_preview_shows_leads_a_draft_without_default_leaves_ungraded(manager, leads):
    draft = version(manager, default_grade="")

    preview = grading_preview(version=draft)

    assert preview.ungraded == 1  # retail: no rule, no default


def test_a_rule_needs_a_condition(manager):
    draft = services.grading_draft(user=manager)
    with pytest.raises(ValidationError, match="at least one condition"):
        services.grading_rule_save(version=draft, grade="A", industries=["  "])


def test_deadlines_run_a_before_b_before_c(manager):
    draft = services.grading_draft(user=manager)
    with pytest.raises(ValidationError) as refused:
        services.grading_draft_update(
            version=draft,
            effective_from=dt.date(2026, 12, 1),
            crm_grade_wins=False,
            default_grade="C",
            deadline_a_hours=30,
            deadline_b_hours=24,
            deadline_c_hours=72,
        )
    assert "A ≤ B ≤ C" in str(refused.value)


def test_an_applied_version_is_fixed_and_the_next_starts_from_it(manager, leads):
    first = version(manager)
    apply(first, manager)

    with pytest.raises(ValidationError, match="can no longer change"):
        services.grading_rule_save(version=fresh_version(first), grade="A", urgencies=["low"])
    second = services.grading_draft(user=manager)
    assert second.number == 2
    assert [(rule.position, rule.grade) for rule in second.rules.order_by("position")] == [
        (1, "A"),
        (2, "B"),
    ]
    with pytest.raises(ValidationError, match="cannot take effect before it"):
        services.grading_draft_update(
            version=second,
            effective_from=dt.date(2026, 10, 1),
            crm_grade_wins=False,
            default_grade="C",
            deadline_a_hours=2,
            deadline_b_hours=24,
            deadline_c_hours=72,
        )


def fresh_version(draft):
    draft.refresh_from_db()
    return draft


def test_rules_move_and_renumber(manager):
    draft = version(manager)
    rules = list(draft.rules.order_by("position"))
    services.grading_rule_move(version=draft, rule=rules[1], up=True)
    assert list(draft.rules.order_by("position").values_list("grade", flat=True)) == ["B", "A"]
    services.grading_rule_delete(version=draft, rule=rules[1])
    assert list(draft.rules.values_list("position", "grade")) == [(1, "A")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("load_path")
def test_an_import_grades_its_leads_by_the_version_in_force(tmp_path, manager, frozen_today):
    UserFactory(username="rep", email="rep@example.com")
    apply(version(manager, effective_from=dt.date(2026, 10, 1)), manager)
    path = tmp_path / "leads.csv"
    path.write_text(
        "external_id,name,industry,company_size,urgency,grade,created_at\n"
        "L1,王伟,制造业,large,low,C,2026-10-12 10:00\n"
        "L2,李娜,零售,small,high,,2026-10-12 10:00\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_crm", str(path), "--kind", "lead", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 2

    l1, l2 = Lead.objects.order_by("external_id")
    assert (l1.crm_grade, l1.grade, l1.due_at) == ("C", "A", local(2026, 10, 12, 12))
    assert (l2.crm_grade, l2.grade) == ("", "B")
