"""A finding accepted into Table 1 reads in the reader's language; what a person typed stays."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from diagnosis.exports import table1_xlsx
from diagnosis.models import DiagnosisRow
from diagnosis.services import (
    diagnosis_row_update,
    finding_accept,
    finding_create_manual,
    finding_propose,
)

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Complaints in 华北 score 2.96 of 5 on satisfaction, below the 3.0 the rule takes as "
    "acceptable."
)
CHINESE = "华北 投诉的满意度为 2.96 分（满分 5 分），低于规则认可的 3.0 分。"


@pytest.fixture
def accepted_in_english(program, manager) -> DiagnosisRow:
    """A manager reading in English refreshes the findings and accepts one."""
    with translation.override("en"):
        finding = finding_propose(
            program=program,
            rule_key="complaint_hot_spot:region:华北",
            title="Unhappy customers in 华北",
            dimension="customer_service",
            description=ENGLISH,
            impact_level="medium",
            text_params={"region": "华北", "score": 2.96, "limit": 3.0},
        )
        return finding_accept(finding=finding, user=manager)


def test_a_score_just_under_the_threshold_never_reads_as_equal_to_it(accepted_in_english):
    with translation.override("en"):
        assert accepted_in_english.finding.shown_description == ENGLISH  # 2.96, not "3.0 of 5"


def test_an_accepted_finding_reads_in_chinese_on_the_page_the_report_and_the_xlsx(
    client, manager, program, accepted_in_english
):
    client.force_login(manager)
    chinese = {"Accept-Language": "zh-hans"}

    workspace = client.get(reverse("diagnosis:landing"), headers=chinese).content.decode()
    report = client.get(reverse("diagnosis:report"), headers=chinese).content.decode()
    with translation.override("zh-hans"):
        sheet = load_workbook(io.BytesIO(table1_xlsx(program=program))).active

    assert CHINESE in workspace and ENGLISH not in workspace
    assert CHINESE in report and ENGLISH not in report
    assert sheet["B2"].value == CHINESE
    assert sheet["A2"].value == "客户服务"


def test_a_row_the_manager_rewrote_stays_as_typed_in_every_language(accepted_in_english):
    diagnosis_row_update(row=accepted_in_english, description="华北售后人手不足，回复太慢")

    row = DiagnosisRow.objects.get(pk=accepted_in_english.pk)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert row.shown_description == "华北售后人手不足，回复太慢"


def test_saving_the_root_cause_from_a_chinese_form_keeps_the_findings_words(
    accepted_in_english,
):
    with translation.override("zh-hans"):
        # The edit form shows the description in Chinese and sends it back unchanged.
        diagnosis_row_update(
            row=accepted_in_english, description=CHINESE, root_cause="售后与销售信息不同步"
        )

    row = DiagnosisRow.objects.get(pk=accepted_in_english.pk)
    assert row.root_cause == "售后与销售信息不同步"
    with translation.override("en"):
        assert row.shown_description == ENGLISH
    with translation.override("zh-hans"):
        assert row.shown_description == CHINESE


def test_a_finding_logged_by_hand_stays_as_typed(program, manager):
    finding = finding_create_manual(
        program=program,
        title="销售与售后信息不同步",
        dimension="team_collaboration",
        description="客户重复反映问题",
        impact_level="medium",
    )
    row = finding_accept(finding=finding, user=manager)

    with translation.override("en"):
        assert (row.finding.shown_title, row.shown_description) == (
            "销售与售后信息不同步",
            "客户重复反映问题",
        )
