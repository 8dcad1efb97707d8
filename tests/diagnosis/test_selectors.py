"""Diagnosis reads: who may read and edit, the interview search, themes, findings, Table 1."""

import datetime as dt
from decimal import Decimal

import pytest

from diagnosis import selectors
from salesopt.core import access
from tests.diagnosis.factories import (
    DiagnosisRowFactory,
    DiagnosisTeamMemberFactory,
    FindingFactory,
    InterviewFactory,
)
from tests.factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- access (to move to salesopt/core/access.py) --------------------------------------------


@pytest.mark.parametrize(
    ("role_fixture", "reads", "edits"),
    [
        ("admin_user", True, True),
        ("manager", True, True),
        ("executive", True, False),
        ("team_lead", True, False),
        ("rep", False, False),
    ],
)
def test_who_reads_and_edits_the_diagnosis(request, program, role_fixture, reads, edits):
    user = request.getfixturevalue(role_fixture)

    assert access.can_view_diagnosis(user) is reads
    assert access.can_edit_diagnosis(user) is edits
    assert list(access.diagnosis_programs(user)) == ([program] if reads else [])


def test_a_user_without_a_role_reads_no_diagnosis(program):
    stranger = UserFactory(username="stranger", profile=None)

    assert access.can_view_diagnosis(stranger) is False
    assert access.diagnosis_programs(stranger).count() == 0


def test_a_superuser_without_a_profile_edits_as_an_admin(program):
    root = UserFactory(username="root", profile=None, is_superuser=True)

    assert (access.can_view_diagnosis(root), access.can_edit_diagnosis(root)) == (True, True)


def test_team_candidates_are_the_active_people_the_user_sees(manager, rep, other_rep):
    other_rep.is_active = False
    other_rep.save()

    assert list(selectors.team_candidates(user=manager)) == [manager, rep]
    assert list(selectors.team_candidates(user=rep)) == [rep]


# --- interviews -----------------------------------------------------------------------------


@pytest.fixture
def notes(program, rep):
    return {
        "slow": InterviewFactory(
            program=program,
            interviewee=rep,
            interviewee_name="",
            notes="录入客户信息太慢",
            held_on=dt.date(2026, 11, 3),
            tag_names=["process_blocker", "recurring_issue"],
        ),
        "tools": InterviewFactory(
            program=program,
            interviewee_name="李娜",
            notes="需要移动端工具",
            held_on=dt.date(2026, 11, 5),
            tag_names=["resource_need", "process_blocker"],
        ),
        "marketing": InterviewFactory(
            program=program,
            interviewee_name="市场部 刘洋",
            interviewee_group="marketing",
            notes="活动线索质量参差",
            held_on=dt.date(2026, 11, 1),
            tag_names=["lead_quality", "审批慢"],
        ),
        "elsewhere": InterviewFactory(notes="录入客户信息太慢", tag_names=["process_blocker"]),
    }


def found(program, user=None, **filters):
    reader = user or program.manager
    return [
        interview.notes
        for interview in selectors.interviews(program=program, user=reader, **filters)
    ]


def test_interviews_of_the_program_newest_first(program, notes):
    assert found(program) == ["需要移动端工具", "录入客户信息太慢", "活动线索质量参差"]


def test_a_team_lead_reads_only_the_notes_of_their_own_teams_people(
    program, notes, team_lead, east_rep
):
    InterviewFactory(program=program, interviewee=east_rep, notes="华东的审批太多")
    InterviewFactory(
        program=program, interviewer=team_lead, interviewee_name="售后 王芳", notes="售后不同步"
    )

    assert found(program, user=team_lead) == ["录入客户信息太慢", "售后不同步"]
    assert "华东的审批太多" in found(program)
    themes = {
        theme.name: theme.count
        for theme in selectors.interview_themes(program=program, user=team_lead)
    }
    assert (themes["process_blocker"], themes["resource_need"]) == (1, 0)
    figures = selectors.workspace_figures(program=program, user=team_lead)
    assert figures.interview_count == 2


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("太慢", ["录入客户信息太慢"]),  # the notes
        ("李娜", ["需要移动端工具"]),  # a name typed in
        ("rep.south", ["录入客户信息太慢"]),  # an interviewee with an account
        ("审批", ["活动线索质量参差"]),  # a free tag
        ("BLOCKER", ["需要移动端工具", "录入客户信息太慢"]),  # a fixed tag's label
        ("nothing like it", []),
    ],
)
def test_the_search_looks_in_notes_people_and_tags(program, notes, search, expected):
    assert found(program, search=search) == expected


def test_an_interview_matching_twice_is_listed_once(program, notes):
    assert found(program, search="process") == ["需要移动端工具", "录入客户信息太慢"]


def test_the_tag_filter_combines_with_the_search(program, notes):
    assert found(program, tag="process_blocker") == ["需要移动端工具", "录入客户信息太慢"]
    assert found(program, tag="process_blocker", search="移动端") == ["需要移动端工具"]


def test_the_list_shows_the_newest_and_counts_them_all(program, notes, monkeypatch):
    monkeypatch.setattr(selectors, "INTERVIEW_LIST_LIMIT", 2)

    listed = selectors.interview_list(program=program, user=program.manager)

    assert [interview.notes for interview in listed.interviews] == [
        "需要移动端工具",
        "录入客户信息太慢",
    ]
    assert (listed.total, listed.truncated) == (3, True)


def test_themes_count_interviews_per_tag_most_raised_first(program, notes):
    themes = selectors.interview_themes(program=program, user=program.manager)

    assert [(theme.name, theme.label, theme.count, theme.is_recurring) for theme in themes] == [
        ("process_blocker", "process blocker", 2, True),
        ("resource_need", "resource need", 1, False),
        ("lead_quality", "lead quality", 1, False),
        ("recurring_issue", "recurring issue", 1, False),
        ("审批慢", "审批慢", 1, False),
    ]


def test_the_four_fixed_themes_show_before_any_interview(program):
    themes = selectors.interview_themes(program=program, user=program.manager)

    assert [(theme.name, theme.count) for theme in themes] == [
        ("process_blocker", 0),
        ("resource_need", 0),
        ("lead_quality", 0),
        ("recurring_issue", 0),
    ]


# --- findings and Table 1 -------------------------------------------------------------------


def test_proposed_findings_most_damaging_first(program):
    FindingFactory(program=program, title="low", impact_level="low", impact_amount=Decimal("9e6"))
    FindingFactory(program=program, title="high small", impact_amount=Decimal("1000"))
    FindingFactory(program=program, title="high big", impact_amount=Decimal("50000"))
    FindingFactory(program=program, title="medium", impact_level="medium")
    FindingFactory(program=program, title="decided", status="accepted")
    FindingFactory(title="other program")

    titles = [finding.title for finding in selectors.proposed_findings(program=program)]

    assert titles == ["high big", "high small", "medium", "low"]


def test_table1_summary_counts_levels_and_adds_up_the_impact(program):
    DiagnosisRowFactory(program=program, impact_amount=Decimal("120000"))
    DiagnosisRowFactory(program=program, impact_level="medium", impact_amount=Decimal("30000.50"))
    DiagnosisRowFactory(program=program, impact_level="high")
    DiagnosisRowFactory(impact_amount=Decimal("999"))

    summary = selectors.table1_summary(program=program)

    assert summary == selectors.ImpactSummary(
        row_count=3, high=2, medium=1, low=0, total_amount=Decimal("150000.50")
    )


def test_an_empty_table1_has_no_impact_total_rather_than_zero(program):
    assert selectors.table1_summary(program=program).total_amount is None


def test_workspace_figures(program, manager, notes):
    DiagnosisTeamMemberFactory(program=program, user=manager, is_leader=True)
    DiagnosisRowFactory(program=program)

    figures = selectors.workspace_figures(program=program, user=manager)

    assert (figures.baseline_months, figures.team_count, figures.interview_count) == (12, 1, 3)
    assert (figures.recurring_themes, figures.summary.row_count) == (1, 1)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2025, 11, 1), dt.date(2026, 10, 31), 12),
        (dt.date(2026, 5, 1), dt.date(2026, 10, 31), 6),
        (dt.date(2025, 11, 15), dt.date(2026, 5, 14), 6),
    ],
)
def test_baseline_months_count_the_inclusive_window(start, end, months):
    program = ProgramFactory.build(baseline_start=start, baseline_end=end)

    figures = selectors.WorkspaceFigures(program, 0, 0, 0, None)

    assert figures.baseline_months == months
