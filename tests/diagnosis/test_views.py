"""Diagnosis pages: who sees and changes what, the htmx partials, and the query budget."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from diagnosis.models import DiagnosisRow, DiagnosisTeamMember, Finding, Interview
from salesopt.core.programs import SESSION_KEY as PROGRAM_SESSION_KEY
from salesopt.kpis.services import window_figures_compute
from tests.diagnosis.factories import (
    DiagnosisRowFactory,
    DiagnosisTeamMemberFactory,
    FindingFactory,
    InterviewFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
READ_ONLY_ROLES = ["executive", "team_lead", "rep"]


@pytest.fixture
def row(program):
    return DiagnosisRowFactory(program=program)


@pytest.fixture
def finding(program):
    return FindingFactory(
        program=program,
        impact_amount=Decimal("180000"),
        evidence={"median_hours": 52.5},
        evidence_url="/kpis/first_response_hours/",
    )


# The baseline dashboard: 16 kpi_series reads, 12 name look-ups for their cuts (with data) and
# 3 for the filters' choices.
DASHBOARD_QUERIES = 31


def with_window_figures(program):
    """As after setting the window (or a recompute): its medians are stored, not computed by
    the first page that reads them."""
    window_figures_compute(first_day=program.baseline_start, last_day=program.baseline_end)


def snapshot(program):
    """Everything a write could change, to compare before and after a refused request."""
    program.refresh_from_db()
    return {
        "baseline": (program.baseline_start, program.baseline_end),
        "team": list(DiagnosisTeamMember.objects.values_list("user", "duty", "is_leader")),
        "interviews": list(Interview.objects.values_list("pk", "notes")),
        "findings": list(Finding.objects.values_list("pk", "status")),
        "rows": list(
            DiagnosisRow.objects.values_list("pk", "description", "impact_level", "position")
        ),
    }


def work_on(client, program):
    """Choose `program` in the switcher, as other programs in the test may sort before it."""
    session = client.session
    session[PROGRAM_SESSION_KEY] = program.pk
    session.save()


def row_edit_data(row, **changes):
    data = {
        "dimension": "Lead management",
        "description": "平均响应 52 小时",
        "impact_level": "high",
        "impact_amount": "",
        "root_cause": "无明确责任人",
        "evidence_url": "",
        "version": str(row.version),  # the version the form was opened on
    }
    return {f"row-{row.pk}-{name}": value for name, value in (data | changes).items()}


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["admin_user", "manager"])
def test_editors_get_the_workspace_with_its_forms(request, client, program, row, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))

    response = client.get(reverse("diagnosis:landing"))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["program"] == program
    assert reverse("diagnosis:row-create") in body
    assert reverse("diagnosis:row-edit", args=[row.pk]) in body
    assert reverse("diagnosis:team-member-add") in body
    assert reverse("diagnosis:interview-create") in body


@pytest.mark.parametrize("role_fixture", ["executive", "team_lead"])
def test_executives_and_team_leads_read_the_workspace_without_forms(
    request, client, program, row, finding, role_fixture
):
    client.force_login(request.getfixturevalue(role_fixture))

    response = client.get(reverse("diagnosis:landing"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "线索跟进不及时，平均响应超48小时" in body
    assert finding.title in body
    assert 'method="post"' not in body.split('id="workspace-header"')[1].split("<footer")[0]


def test_reps_are_turned_away_from_the_workspace(client, rep, program, row):
    client.force_login(rep)

    response = client.get(reverse("diagnosis:landing"))

    assert response.status_code == 403
    assert "The diagnosis is not open to your role" in response.content.decode()
    assert "线索跟进不及时" not in response.content.decode()


def test_a_user_without_a_role_is_turned_away(client, program):
    client.force_login(UserFactory(username="stranger", profile=None))

    assert client.get(reverse("diagnosis:landing")).status_code == 403


@pytest.mark.parametrize(
    ("role_fixture", "status"),
    [("executive", 200), ("team_lead", 200), ("rep", 403)],
)
@pytest.mark.parametrize("page", ["diagnosis:report", "diagnosis:table1-export"])
def test_report_and_export_for_readers_only(
    request, client, program, row, role_fixture, status, page
):
    client.force_login(request.getfixturevalue(role_fixture))

    assert client.get(reverse(page)).status_code == status


@pytest.mark.parametrize(
    "page", ["diagnosis:interview-list", "diagnosis:report", "diagnosis:table1-export"]
)
def test_every_page_needs_a_login(client, program, page):
    response = client.get(reverse(page))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_a_program_the_workspace_says_so(client, manager):
    client.force_login(manager)

    response = client.get(reverse("diagnosis:landing"))

    assert response.status_code == 200
    assert "No program yet" in response.content.decode()


@pytest.mark.parametrize("page", ["diagnosis:report", "diagnosis:table1-export"])
def test_without_a_program_report_and_export_are_not_found(client, manager, page):
    client.force_login(manager)

    assert client.get(reverse(page)).status_code == 404


def test_the_workspace_follows_the_program_switcher(client, manager, program, row):
    other = DiagnosisRowFactory(description="另一个方案的问题")
    client.force_login(manager)
    work_on(client, other.program)

    body = client.get(reverse("diagnosis:landing")).content.decode()

    assert "另一个方案的问题" in body
    assert "线索跟进不及时" not in body


def test_the_workspace_query_count_is_bounded(
    client, manager, program, rep, frozen_today, django_assert_max_num_queries
):
    with_window_figures(program)
    DiagnosisTeamMemberFactory(program=program, user=manager, is_leader=True)
    DiagnosisTeamMemberFactory(program=program, user=rep)
    for number in range(8):
        DiagnosisRowFactory(program=program)
        FindingFactory(program=program)
        InterviewFactory(
            program=program, interviewee=rep, tag_names=["process_blocker", f"t{number}"]
        )
    client.force_login(manager)

    with django_assert_max_num_queries(24 + DASHBOARD_QUERIES):
        response = client.get(reverse("diagnosis:landing"))

    assert response.status_code == 200


def test_the_report_query_count_is_bounded(
    client, executive, program, rep, django_assert_max_num_queries
):
    with_window_figures(program)
    for number in range(8):
        DiagnosisRowFactory(program=program)
        FindingFactory(program=program, status="accepted", rule_key=f"r{number}")
        DiagnosisTeamMemberFactory(program=program, user=UserFactory())
    client.force_login(executive)

    with django_assert_max_num_queries(18 + DASHBOARD_QUERIES):
        client.get(reverse("diagnosis:report"))


def test_the_report_holds_table1_findings_and_themes(client, executive, program, seed_rows):
    FindingFactory(program=program, title="Leads wait 52 hours", status="accepted")
    FindingFactory(program=program, title="not decided yet")
    InterviewFactory(program=program, tag_names=["process_blocker"])
    InterviewFactory(program=program, tag_names=["process_blocker"])
    client.force_login(executive)

    body = client.get(reverse("diagnosis:report")).content.decode()

    for text in [
        "大客户成交周期长，平均90天",
        "方案定制流程繁琐，决策链不清晰",
        "Leads wait 52 hours",
    ]:
        assert text in body
    assert "not decided yet" not in body
    assert 'class="theme recurring"' in body
    assert 'id="report-charts"' in body
    assert "data-print" in body  # the print button (static/js/app.js prints)


def test_text_is_escaped_not_run(client, manager, program):
    DiagnosisRowFactory(program=program, description="<script>alert(1)</script>")
    client.force_login(manager)

    body = client.get(reverse("diagnosis:landing")).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_chinese_workspace_speaks_chinese(client, manager, program, seed_rows):
    client.force_login(manager)

    body = client.get(
        reverse("diagnosis:landing"), headers={"accept-language": "zh-CN,zh;q=0.9"}
    ).content.decode()

    assert "表1 — 销售现状诊断表" in body
    assert "反复出现的主题" in body
    assert "流程障碍" in body


# --- refusals: nothing changes ------------------------------------------------------------


WRITES = [
    ("diagnosis:baseline-update", False, {"baseline-baseline_start": "2026-01-01"}),
    ("diagnosis:team-member-add", False, {"team-duty": "interviews"}),
    ("diagnosis:interview-create", False, {"interview-notes": "x"}),
    ("diagnosis:finding-create", False, {"finding-title": "x", "finding-dimension": "x"}),
    ("diagnosis:finding-accept", "finding", {}),
    ("diagnosis:finding-dismiss", "finding", {}),
    ("diagnosis:row-create", False, {"new-row-description": "x"}),
    ("diagnosis:row-edit", "row", {}),
    ("diagnosis:row-delete", "row", {}),
    ("diagnosis:row-move", "row", {"direction": "up"}),
    ("diagnosis:interview-delete", "interview", {}),
    ("diagnosis:team-member-remove", "member", {}),
]


@pytest.fixture
def everything(program, manager, rep, row, finding):
    return {
        "row": row,
        "finding": finding,
        "interview": InterviewFactory(program=program, tag_names=["lead_quality"]),
        "member": DiagnosisTeamMemberFactory(program=program, user=rep),
    }


@pytest.mark.parametrize("role_fixture", READ_ONLY_ROLES)
@pytest.mark.parametrize(("name", "target", "data"), WRITES)
def test_only_editors_write_and_a_refusal_changes_nothing(
    request, client, program, everything, frozen_today, role_fixture, name, target, data
):
    client.force_login(request.getfixturevalue(role_fixture))
    before = snapshot(program)
    args = [everything[target].pk] if target else []

    response = client.post(reverse(name, args=args), data, headers=HTMX)

    assert response.status_code == 403
    assert snapshot(program) == before


@pytest.mark.parametrize(
    "name", ["diagnosis:row-edit", "diagnosis:row-delete", "diagnosis:row-move"]
)
def test_a_row_of_another_program_is_not_found_and_stays_unchanged(client, manager, program, name):
    other = DiagnosisRowFactory(description="另一个方案")
    client.force_login(manager)
    work_on(client, program)

    response = client.post(
        reverse(name, args=[other.pk]), row_edit_data(other) | {"direction": "up"}
    )

    assert response.status_code == 404
    assert DiagnosisRow.objects.filter(pk=other.pk).values_list(
        "description", "position"
    ).get() == (
        "另一个方案",
        other.position,
    )


def test_a_finding_of_another_program_cannot_be_accepted(client, manager, program):
    other = FindingFactory()
    client.force_login(manager)
    work_on(client, program)

    response = client.post(reverse("diagnosis:finding-accept", args=[other.pk]))

    assert response.status_code == 404
    assert Finding.objects.get(pk=other.pk).status == "proposed"
    assert DiagnosisRow.objects.count() == 0


def test_writes_need_a_post(client, manager, program, row):
    client.force_login(manager)

    response = client.get(reverse("diagnosis:row-delete", args=[row.pk]))

    assert response.status_code == 405
    assert DiagnosisRow.objects.filter(pk=row.pk).exists()


# --- Table 1 inline editing ---------------------------------------------------------------


def test_edit_returns_only_the_row_form_to_htmx(client, manager, program, row):
    client.force_login(manager)

    response = client.get(reverse("diagnosis:row-edit", args=[row.pk]), headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="table1-row-{row.pk}" class="editing">')
    assert "<html" not in body
    assert f'form="table1-row-form-{row.pk}"' in body
    assert 'value="Lead management"' in body


def test_a_valid_edit_swaps_back_the_row_and_refreshes_the_summary(client, manager, program, row):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:row-edit", args=[row.pk]),
        row_edit_data(row, impact_level="medium", impact_amount="50000"),
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="table1-row-{row.pk}" class="impact-medium">')
    assert "平均响应 52 小时" in body
    assert '<p id="table1-summary" class="muted small" hx-swap-oob="true">' in body
    assert 'id="workspace-figures" class="kpi-grid" hx-swap-oob="true"' in body
    row.refresh_from_db()
    assert (row.description, row.impact_level, row.impact_amount, row.root_cause) == (
        "平均响应 52 小时",
        "medium",
        Decimal("50000"),
        "无明确责任人",
    )
    assert row.dimension == "lead_management"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "This field is required."),
        ({"impact_level": "severe"}, "Select a valid choice."),
        ({"evidence_url": "javascript:alert(1)"}, "Give a link that starts with https://"),
        ({"impact_amount": "-5"}, "Give the impact as a positive amount."),
    ],
)
def test_an_invalid_edit_re_renders_the_row_form_with_its_error(
    client, manager, program, row, changes, message
):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:row-edit", args=[row.pk]), row_edit_data(row, **changes), headers=HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="table1-row-{row.pk}" class="editing">')
    assert message in body
    stored = DiagnosisRow.objects.get(pk=row.pk)
    assert (stored.description, stored.impact_level, stored.evidence_url) == (
        "线索跟进不及时，平均响应超48小时",
        "high",
        "",
    )


def test_cancel_swaps_back_the_row_as_text(client, manager, program, row):
    client.force_login(manager)

    response = client.get(reverse("diagnosis:row-detail", args=[row.pk]), headers=HTMX)

    assert (
        response.content.decode()
        .lstrip()
        .startswith(f'<tr id="table1-row-{row.pk}" class="impact-high">')
    )


def test_without_javascript_edit_opens_the_row_form_in_the_whole_page(
    client, manager, program, row
):
    client.force_login(manager)

    response = client.get(reverse("diagnosis:row-edit", args=[row.pk]))

    body = response.content.decode()
    assert "<html" in body
    assert f'<tr id="table1-row-{row.pk}" class="editing">' in body


def test_without_javascript_a_saved_edit_redirects_to_the_workspace(client, manager, program, row):
    client.force_login(manager)

    response = client.post(reverse("diagnosis:row-edit", args=[row.pk]), row_edit_data(row))

    assert response.status_code == 302
    assert response["Location"] == f"/diagnosis/#table1-row-{row.pk}"


def test_a_row_is_added_and_table1_returned(client, manager, program, row):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:row-create"),
        {
            "new-row-dimension": "团队协作",
            "new-row-description": "销售与售后信息不同步，客户重复反映问题",
            "new-row-impact_level": "medium",
            "new-row-root_cause": "客户信息未共享，沟通渠道缺失",
        },
        headers=HTMX,
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="table1-section"')
    assert "销售与售后信息不同步，客户重复反映问题" in body
    assert list(DiagnosisRow.objects.values_list("position", flat=True)) == [
        row.position,
        row.position + 1,
    ]


def test_an_invalid_new_row_re_renders_table1_with_the_form_open(client, manager, program):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:row-create"), {"new-row-impact_level": "high"}, headers=HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert '<details class="add-form" open>' in body
    assert "This field is required." in body
    assert DiagnosisRow.objects.count() == 0


def test_a_row_is_deleted(client, manager, program, row):
    client.force_login(manager)

    response = client.post(reverse("diagnosis:row-delete", args=[row.pk]), headers=HTMX)

    assert 'id="table1-section"' in response.content.decode()
    assert DiagnosisRow.objects.count() == 0


def test_a_row_moves_up(client, manager, program, row):
    second = DiagnosisRowFactory(program=program, description="第二行")
    client.force_login(manager)

    client.post(reverse("diagnosis:row-move", args=[second.pk]), {"direction": "up"}, headers=HTMX)

    assert list(DiagnosisRow.objects.values_list("description", flat=True)) == [
        "第二行",
        "线索跟进不及时，平均响应超48小时",
    ]


# --- findings -----------------------------------------------------------------------------


def test_accepting_a_finding_returns_the_findings_and_table1_out_of_band(
    client, manager, program, finding
):
    client.force_login(manager)

    response = client.post(reverse("diagnosis:finding-accept", args=[finding.pk]), headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="findings-section"')
    assert '<section class="card" id="table1-section" hx-swap-oob="true">' in body
    assert "No finding waits for a decision." in body
    row = DiagnosisRow.objects.get()
    assert (row.finding, row.impact_amount) == (finding, Decimal("180000"))
    assert f'id="table1-row-{row.pk}"' in body


def test_accepting_a_decided_finding_shows_why_and_adds_nothing(client, manager, program, finding):
    finding.status = "dismissed"
    finding.save()
    client.force_login(manager)

    response = client.post(reverse("diagnosis:finding-accept", args=[finding.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "This finding has already been decided." in response.content.decode()
    assert DiagnosisRow.objects.count() == 0


def test_a_finding_is_dismissed(client, manager, program, finding):
    client.force_login(manager)

    client.post(reverse("diagnosis:finding-dismiss", args=[finding.pk]), headers=HTMX)

    finding.refresh_from_db()
    assert (finding.status, finding.decided_by) == ("dismissed", manager)
    assert DiagnosisRow.objects.count() == 0


def test_an_issue_is_logged_by_hand(client, manager, program):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:finding-create"),
        {
            "finding-title": "大客户成交周期长",
            "finding-dimension": "Customer conversion",
            "finding-impact_level": "high",
        },
        headers=HTMX,
    )

    assert "大客户成交周期长" in response.content.decode()
    assert list(Finding.objects.values_list("source", "dimension")) == [
        ("manual", "customer_conversion")
    ]


# --- team, baseline, interviews -----------------------------------------------------------


def test_a_team_member_is_added_as_leader(client, manager, program):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:team-member-add"),
        {"team-user": manager.pk, "team-duty": "issue_log", "team-is_leader": "on"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="team-section"')
    assert 'id="workspace-figures" class="kpi-grid" hx-swap-oob="true"' in body
    assert list(DiagnosisTeamMember.objects.values_list("user", "duty", "is_leader")) == [
        (manager.pk, "issue_log", True)
    ]


def test_a_team_member_outside_the_users_sight_is_refused(client, manager, program):
    stranger = UserFactory(username="stranger", profile=None)
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:team-member-add"),
        {"team-user": stranger.pk, "team-duty": "issue_log"},
        headers=HTMX,
    )

    assert "Select a valid choice." in response.content.decode()
    assert DiagnosisTeamMember.objects.count() == 0


def test_a_team_member_is_removed(client, manager, program, rep):
    member = DiagnosisTeamMemberFactory(program=program, user=rep)
    client.force_login(manager)

    client.post(reverse("diagnosis:team-member-remove", args=[member.pk]), headers=HTMX)

    assert DiagnosisTeamMember.objects.count() == 0


def test_the_baseline_window_is_saved_and_the_header_refreshed(
    client, manager, program, frozen_today
):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:baseline-update"),
        {"baseline-baseline_start": "2026-02-01", "baseline-baseline_end": "2026-10-31"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="baseline-section"')
    assert '<div id="workspace-header" class="workspace-header" hx-swap-oob="true">' in body
    program.refresh_from_db()
    assert (program.baseline_start, program.baseline_end) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 10, 31),
    )


def test_a_short_baseline_window_re_renders_the_form_with_the_reason(
    client, manager, program, frozen_today
):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:baseline-update"),
        {"baseline-baseline_start": "2026-07-01", "baseline-baseline_end": "2026-10-31"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "The baseline window must cover 6 to 12 months." in body
    assert 'value="2026-07-01"' in body
    program.refresh_from_db()
    assert program.baseline_start == dt.date(2025, 11, 1)


def test_interview_notes_are_added_with_tags(client, manager, program, rep, frozen_today):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:interview-create"),
        {
            "interview-interviewee": rep.pk,
            "interview-interviewee_group": "sales_rep",
            "interview-interviewer": manager.pk,
            "interview-held_on": "2026-11-10",
            "interview-notes": "审批要三级，录入太慢",
            "interview-tags": ["process_blocker", "recurring_issue"],
            "interview-free_tags": "审批，CRM 培训",
        },
        headers=HTMX,
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="interviews-section"')
    assert "审批要三级，录入太慢" in body
    interview = Interview.objects.get()
    assert (interview.interviewee, interview.interviewer) == (rep, manager)
    assert list(interview.tags.values_list("name", flat=True)) == [
        "process_blocker",
        "recurring_issue",
        "审批",
        "CRM 培训",
    ]


def test_interview_notes_without_an_interviewee_are_refused(client, manager, program, frozen_today):
    client.force_login(manager)

    response = client.post(
        reverse("diagnosis:interview-create"),
        {
            "interview-interviewee_group": "sales_rep",
            "interview-held_on": "2026-11-10",
            "interview-notes": "审批慢",
        },
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a person or type the interviewee&#x27;s name." in body
    assert '<details class="add-form" open>' in body
    assert Interview.objects.count() == 0


def test_the_search_box_gets_only_the_interview_list(client, executive, program):
    InterviewFactory(program=program, notes="审批要三级")
    InterviewFactory(program=program, notes="需要移动端工具")
    client.force_login(executive)

    response = client.get(reverse("diagnosis:interview-list"), {"q": "审批"}, headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="interview-list"')
    assert "审批要三级" in body
    assert "需要移动端工具" not in body


def test_the_theme_filter_keeps_the_tag_for_the_next_search(client, executive, program):
    InterviewFactory(program=program, notes="线索质量差", tag_names=["lead_quality"])
    InterviewFactory(program=program, notes="审批慢", tag_names=["process_blocker"])
    client.force_login(executive)

    response = client.get(
        reverse("diagnosis:interview-list"), {"tag": "lead_quality"}, headers=HTMX
    )

    body = response.content.decode()
    assert "线索质量差" in body
    assert "审批慢" not in body
    assert 'name="tag" value="lead_quality"' in body


def test_without_javascript_the_search_filters_the_whole_page(client, executive, program):
    InterviewFactory(program=program, notes="审批要三级")
    InterviewFactory(program=program, notes="需要移动端工具")
    client.force_login(executive)

    body = client.get(reverse("diagnosis:landing"), {"q": "移动端"}).content.decode()

    assert "需要移动端工具" in body
    assert "审批要三级" not in body


def test_interview_notes_are_deleted(client, manager, program):
    interview = InterviewFactory(program=program)
    client.force_login(manager)

    client.post(reverse("diagnosis:interview-delete", args=[interview.pk]), headers=HTMX)

    assert Interview.objects.count() == 0


def test_a_table_1_row_saved_on_a_stale_copy_is_refused_then_written_over_knowingly(
    client, program, row, manager
):
    from tests.factories import UserFactory

    colleague = UserFactory(username="manager2", profile__role="sales_manager")
    url = reverse("diagnosis:row-edit", args=[row.pk])
    opened = row_edit_data(row, root_cause="审批链太长")  # both open the row at version 1
    client.force_login(colleague)
    client.post(url, row_edit_data(row, root_cause="无人跟进"), headers={"HX-Request": "true"})
    client.force_login(manager)

    refused = client.post(url, opened, headers={"HX-Request": "true"}).content.decode()

    row.refresh_from_db()
    assert (row.root_cause, row.version) == ("无人跟进", 2)  # the colleague's edit stands
    assert "manager2 changed this row at" in refused and "审批链太长" in refused
    assert f'name="row-{row.pk}-version" value="2"' in refused
    again = {**opened, f"row-{row.pk}-version": "2"}
    client.post(url, again, headers={"HX-Request": "true"})
    row.refresh_from_db()
    assert (row.root_cause, row.version) == ("审批链太长", 3)
    history = client.get(reverse("diagnosis:row-history", args=[row.pk])).content.decode()
    assert "<del>无人跟进</del> → <ins>审批链太长</ins>" in history
    assert "manager2" in history
    stale = {key: value for key, value in opened.items() if not key.endswith("-version")}
    missing = client.post(url, stale, headers={"HX-Request": "true"}).content.decode()
    assert "The form is out of date: open the row again." in missing
