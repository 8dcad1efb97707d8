"""Diagnosis writes: each rule, and that a refused write changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from diagnosis import services
from diagnosis.models import (
    DiagnosisRow,
    DiagnosisTeamMember,
    Duty,
    Finding,
    FindingSource,
    FindingStatus,
    Interview,
    InterviewTag,
)
from tests.diagnosis.factories import (
    DiagnosisRowFactory,
    DiagnosisTeamMemberFactory,
    FindingFactory,
    InterviewFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def error_fields(raised: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return sorted(raised.value.message_dict)


# --- baseline window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2025, 11, 1), dt.date(2026, 10, 31)),  # twelve months
        (dt.date(2026, 5, 1), dt.date(2026, 10, 31)),  # six months
        (dt.date(2025, 8, 31), dt.date(2026, 2, 27)),  # six months from a 31st: ends 27 Feb
    ],
)
def test_a_window_of_six_to_twelve_months_is_saved(program, frozen_today, start, end):
    services.program_set_baseline_window(program=program, start=start, end=end)

    program.refresh_from_db()
    assert (program.baseline_start, program.baseline_end) == (start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 5, 2), dt.date(2026, 10, 31)),  # a day short of six months
        (dt.date(2025, 10, 31), dt.date(2026, 10, 31)),  # a day over twelve months
        (dt.date(2025, 8, 31), dt.date(2026, 2, 26)),
        (dt.date(2026, 10, 31), dt.date(2026, 5, 1)),  # ends before it starts
    ],
)
def test_a_window_outside_six_to_twelve_months_is_refused_and_nothing_changes(
    program, frozen_today, start, end
):
    with pytest.raises(ValidationError) as raised:
        services.program_set_baseline_window(program=program, start=start, end=end)

    assert error_fields(raised) == ["baseline_end"]
    program.refresh_from_db()
    assert (program.baseline_start, program.baseline_end) == (
        dt.date(2025, 11, 1),
        dt.date(2026, 10, 31),
    )


def test_a_window_ending_after_today_is_refused(program, frozen_today):
    with pytest.raises(ValidationError) as raised:
        services.program_set_baseline_window(
            program=program, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 30)
        )

    assert raised.value.message_dict == {
        "baseline_end": ["The baseline is history: it cannot end after today."]
    }
    program.refresh_from_db()
    assert program.baseline_end == dt.date(2026, 10, 31)


def test_a_window_ending_when_execution_starts_is_refused(program, frozen_today):
    program.execution_start = dt.date(2026, 11, 1)
    program.save()

    with pytest.raises(ValidationError) as raised:
        services.program_set_baseline_window(
            program=program, start=dt.date(2025, 12, 1), end=dt.date(2026, 11, 1)
        )

    assert error_fields(raised) == ["baseline_end"]


# --- the diagnosis team ---------------------------------------------------------------------


def test_a_member_is_added_with_a_duty(program, rep):
    member = services.team_member_add(program=program, user=rep, duty=Duty.INTERVIEWS)

    assert (member.user, member.duty, member.is_leader) == (rep, "interviews", False)


def test_adding_a_member_again_changes_their_duty_without_a_second_row(program, rep):
    services.team_member_add(program=program, user=rep, duty=Duty.INTERVIEWS)

    services.team_member_add(program=program, user=rep, duty=Duty.ISSUE_LOG)

    assert list(DiagnosisTeamMember.objects.values_list("user", "duty")) == [(rep.pk, "issue_log")]


def test_a_new_leader_replaces_the_old_one(program, manager, team_lead):
    services.team_member_add(
        program=program, user=manager, duty=Duty.DATA_COLLECTION, is_leader=True
    )

    services.team_member_add(program=program, user=team_lead, duty=Duty.ISSUE_LOG, is_leader=True)

    leaders = DiagnosisTeamMember.objects.filter(program=program, is_leader=True)
    assert [member.user for member in leaders] == [team_lead]
    assert DiagnosisTeamMember.objects.filter(program=program).count() == 2


def test_an_unknown_duty_is_refused_and_nobody_is_added(program, rep):
    with pytest.raises(ValidationError) as raised:
        services.team_member_add(program=program, user=rep, duty="coffee")

    assert error_fields(raised) == ["duty"]
    assert DiagnosisTeamMember.objects.count() == 0


def test_a_member_is_removed(program, rep):
    member = DiagnosisTeamMemberFactory(program=program, user=rep)

    services.team_member_remove(member=member)

    assert DiagnosisTeamMember.objects.count() == 0


# --- interviews -----------------------------------------------------------------------------


def test_an_interview_is_recorded_with_fixed_and_free_tags(program, manager, rep, frozen_today):
    interview = services.interview_create(
        program=program,
        interviewer=manager,
        held_on=dt.date(2026, 11, 10),
        interviewee=rep,
        interviewee_group="sales_rep",
        notes="  录入客户信息太慢  ",
        tags=["process_blocker", "resource_need"],
        free_tags=[" 审批  太多 ", "审批 太多", "", "CRM training"],
    )

    assert interview.notes == "录入客户信息太慢"
    assert list(interview.tags.values_list("name", flat=True)) == [
        "process_blocker",
        "resource_need",
        "审批 太多",
        "CRM training",
    ]


def test_an_interviewee_outside_salesopt_is_recorded_by_name(program, manager, frozen_today):
    interview = services.interview_create(
        program=program,
        interviewer=manager,
        held_on=dt.date(2026, 11, 10),
        interviewee_name="市场部 刘洋",
        interviewee_group="marketing",
        notes="线索质量与活动不匹配",
        tags=["lead_quality"],
    )

    assert interview.interviewee_display == "市场部 刘洋"


def test_an_interview_without_interviewee_notes_or_group_is_refused(program, manager, frozen_today):
    with pytest.raises(ValidationError) as raised:
        services.interview_create(
            program=program,
            interviewer=manager,
            held_on=dt.date(2026, 11, 20),
            interviewee_group="board",
            notes="   ",
        )

    assert error_fields(raised) == ["held_on", "interviewee_group", "interviewee_name", "notes"]
    assert Interview.objects.count() == 0


@pytest.mark.parametrize(
    ("tags", "free_tags", "field"),
    [(["gossip"], [], "tags"), ([], ["x" * 41], "free_tags")],
)
def test_an_unknown_fixed_tag_or_an_overlong_free_tag_is_refused(
    program, manager, frozen_today, tags, free_tags, field
):
    with pytest.raises(ValidationError) as raised:
        services.interview_create(
            program=program,
            interviewer=manager,
            held_on=dt.date(2026, 11, 10),
            interviewee_name="王伟",
            interviewee_group="sales_rep",
            notes="审批慢",
            tags=tags,
            free_tags=free_tags,
        )

    assert error_fields(raised) == [field]
    assert (Interview.objects.count(), InterviewTag.objects.count()) == (0, 0)


def test_deleting_an_interview_deletes_its_tags(program):
    interview = InterviewFactory(program=program, tag_names=["process_blocker", "审批"])

    services.interview_delete(interview=interview)

    assert (Interview.objects.count(), InterviewTag.objects.count()) == (0, 0)


# --- findings -------------------------------------------------------------------------------


def propose(program, **changes):
    arguments = {
        "program": program,
        "rule_key": "first_response_over_sla",
        "title": "Leads wait 52 hours for a first response",
        "dimension": "lead_management",
        "description": "线索跟进不及时，平均响应超48小时",
        "impact_level": "high",
        "impact_amount": Decimal("180000"),
        "evidence": {"median_hours": 52.5},
        "evidence_url": "/kpis/first_response_hours/",
    }
    return services.finding_propose(**arguments | changes)


def test_a_rule_proposes_a_finding_once_and_refreshes_its_figures(program):
    propose(program)

    finding = propose(program, impact_amount=Decimal("200000"), evidence={"median_hours": 55})

    assert Finding.objects.count() == 1
    assert (finding.source, finding.status, finding.impact_amount, finding.evidence) == (
        FindingSource.DATA,
        FindingStatus.PROPOSED,
        Decimal("200000"),
        {"median_hours": 55},
    )


def test_a_dismissed_finding_stays_dismissed_when_its_rule_runs_again(program, manager):
    services.finding_dismiss(finding=propose(program), user=manager)

    finding = propose(program, impact_amount=Decimal("1"))

    assert finding.status == FindingStatus.DISMISSED


def test_a_finding_from_the_data_must_name_its_rule(program):
    with pytest.raises(ValidationError) as raised:
        propose(program, rule_key="")

    assert error_fields(raised) == ["rule_key"]
    assert Finding.objects.count() == 0


def test_accepting_a_finding_appends_a_row_to_table1(program, manager, frozen_today):
    DiagnosisRowFactory(program=program, position=4)
    finding = propose(program)

    row = services.finding_accept(finding=finding, user=manager)

    finding.refresh_from_db()
    assert (finding.status, finding.decided_by) == (FindingStatus.ACCEPTED, manager)
    assert finding.decided_at is not None
    assert (row.finding, row.position, row.dimension, row.impact_level) == (
        finding,
        5,
        "lead_management",
        "high",
    )
    assert (row.description, row.root_cause, row.impact_amount, row.evidence_url) == (
        "线索跟进不及时，平均响应超48小时",
        "",
        Decimal("180000"),
        "/kpis/first_response_hours/",
    )


def test_a_finding_is_decided_once(program, manager):
    finding = propose(program)
    services.finding_accept(finding=finding, user=manager)

    with pytest.raises(ValidationError) as raised:
        services.finding_accept(finding=finding, user=manager)
    with pytest.raises(ValidationError):
        services.finding_dismiss(finding=finding, user=manager)

    assert error_fields(raised) == ["status"]
    assert DiagnosisRow.objects.count() == 1
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED


def test_dismissing_a_finding_adds_no_row(program, manager):
    finding = services.finding_dismiss(finding=propose(program), user=manager)

    assert (finding.status, finding.decided_by) == (FindingStatus.DISMISSED, manager)
    assert DiagnosisRow.objects.count() == 0


def test_an_issue_logged_by_hand_waits_among_the_proposals(program):
    finding = services.finding_create_manual(
        program=program,
        title="销售与售后信息不同步",
        dimension="Team collaboration",
        impact_level="medium",
    )

    assert (finding.source, finding.rule_key, finding.status, finding.dimension) == (
        FindingSource.MANUAL,
        "",
        FindingStatus.PROPOSED,
        "team_collaboration",
    )


def test_an_issue_without_a_title_is_refused(program):
    with pytest.raises(ValidationError) as raised:
        services.finding_create_manual(program=program, title=" ", dimension="团队协作")

    assert error_fields(raised) == ["title"]
    assert Finding.objects.count() == 0


# --- Table 1 --------------------------------------------------------------------------------


def test_rows_are_appended_in_order(program):
    for description in ["first", "second"]:
        services.diagnosis_row_create(
            program=program, dimension="Sales process", description=description, impact_level="low"
        )

    assert list(DiagnosisRow.objects.values_list("description", "position")) == [
        ("first", 1),
        ("second", 2),
    ]


def test_a_known_dimension_typed_in_chinese_is_stored_by_key(program):
    with translation.override("zh-hans"):
        row = services.diagnosis_row_create(
            program=program, dimension=" 线索管理 ", description="响应慢", impact_level="high"
        )

    assert row.dimension == "lead_management"
    assert row.dimension_label == "Lead management"


def test_a_dimension_of_its_own_is_stored_as_typed(program):
    row = services.diagnosis_row_create(
        program=program, dimension="渠道管理", description="经销商窜货", impact_level="medium"
    )

    assert (row.dimension, row.dimension_label) == ("渠道管理", "渠道管理")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"impact_level": "severe"}, "impact_level"),
        ({"impact_amount": Decimal("-1")}, "impact_amount"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"evidence_url": "//evil.example/"}, "evidence_url"),
        ({"description": "  "}, "description"),
        ({"dimension": ""}, "dimension"),
    ],
)
def test_an_invalid_row_update_is_refused_and_the_row_is_unchanged(program, changes, field):
    row = DiagnosisRowFactory(program=program)

    with pytest.raises(ValidationError) as raised:
        services.diagnosis_row_update(row=row, **changes)

    assert error_fields(raised) == [field]
    stored = DiagnosisRow.objects.get(pk=row.pk)
    assert (stored.impact_level, stored.impact_amount, stored.evidence_url, stored.description) == (
        "high",
        None,
        "",
        "线索跟进不及时，平均响应超48小时",
    )


def test_a_row_update_saves_the_fields(program):
    row = DiagnosisRowFactory(program=program)

    services.diagnosis_row_update(
        row=row,
        description="平均响应 52 小时",
        impact_level="medium",
        root_cause="  无提醒工具 ",
        impact_amount=Decimal("50000"),
        evidence_url="https://crm.example/report/7",
    )

    stored = DiagnosisRow.objects.get(pk=row.pk)
    assert (stored.description, stored.impact_level, stored.root_cause) == (
        "平均响应 52 小时",
        "medium",
        "无提醒工具",
    )
    assert (stored.impact_amount, stored.evidence_url) == (
        Decimal("50000"),
        "https://crm.example/report/7",
    )


def test_a_row_update_of_an_unknown_field_is_a_programming_error(program):
    row = DiagnosisRowFactory(program=program)

    with pytest.raises(TypeError):
        services.diagnosis_row_update(row=row, program=None)


def test_deleting_an_accepted_row_returns_its_finding_to_the_proposals(program, manager):
    finding = FindingFactory(program=program)
    row = services.finding_accept(finding=finding, user=manager)

    services.diagnosis_row_delete(row=row)

    finding.refresh_from_db()
    assert (finding.status, finding.decided_by, finding.decided_at) == ("proposed", None, None)
    assert DiagnosisRow.objects.count() == 0


@pytest.mark.parametrize(
    ("moved", "offset", "order"),
    [
        ("c", -1, ["a", "c", "b"]),
        ("a", 1, ["b", "a", "c"]),
        ("a", -1, ["a", "b", "c"]),  # already first
        ("c", 5, ["a", "b", "c"]),  # already last
    ],
)
def test_moving_a_row_renumbers_table1(program, moved, offset, order):
    # Gaps and ties, as deletes and concurrent appends leave them.
    rows = {
        name: DiagnosisRowFactory(program=program, description=name, position=position)
        for name, position in [("a", 2), ("b", 2), ("c", 9)]
    }

    services.diagnosis_row_move(row=rows[moved], offset=offset)

    assert list(DiagnosisRow.objects.values_list("description", "position")) == list(
        zip(order, [1, 2, 3], strict=True)
    )


def test_moving_a_row_leaves_other_programs_alone(program):
    other = DiagnosisRowFactory(description="other", position=7)
    row = DiagnosisRowFactory(program=program, position=3)

    services.diagnosis_row_move(row=row, offset=-1)

    other.refresh_from_db()
    assert other.position == 7


def test_a_user_without_a_profile_can_still_be_interviewed(program, manager, frozen_today):
    stranger = UserFactory(username="finance.zhao", profile=None)

    interview = services.interview_create(
        program=program,
        interviewer=manager,
        held_on=dt.date(2026, 11, 1),
        interviewee=stranger,
        interviewee_group="finance",
        notes="回款周期长",
    )

    assert interview.interviewee_display == "finance.zhao"
