"""Table 1 as XLSX: the seed's columns in the reader's language, never a formula."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from diagnosis.exports import table1_header, table1_xlsx
from salesopt.core.exports import XLSX_CONTENT_TYPE
from tests.diagnosis.factories import DiagnosisRowFactory
from tests.factories import OrderFactory, RegionFactory, SalesTargetFactory

pytestmark = pytest.mark.django_db


def sheet_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_header_has_the_seed_columns_first_in_english():
    with translation.override("en"):
        header = table1_header()

    assert header == [
        "Problem dimension",
        "Problem description",
        "Impact level (high / medium / low)",
        "Root cause analysis",
        "Impact per quarter (¥)",
        "Evidence",
    ]


def test_the_header_has_the_seed_columns_in_chinese():
    with translation.override("zh-hans"):
        header = table1_header()

    assert header[:4] == ["问题维度", "具体问题描述", "影响程度（高/中/低）", "根本原因分析"]


def test_the_seed_rows_export_in_order_with_levels_in_chinese(program, seed_rows):
    with translation.override("zh-hans"):
        rows = sheet_rows(table1_xlsx(program=program))

    assert rows[1:] == [
        [
            "线索管理",
            "线索跟进不及时，平均响应超48小时",
            "高",
            "无明确责任人，缺乏提醒工具",
            None,
            None,
        ],
        [
            "团队协作",
            "销售与售后信息不同步，客户重复反映问题",
            "中",
            "客户信息未共享，沟通渠道缺失",
            None,
            None,
        ],
        [
            "客户转化",
            "大客户成交周期长，平均90天",
            "高",
            "方案定制流程繁琐，决策链不清晰",
            None,
            None,
        ],
    ]


def test_a_known_dimension_reads_in_each_language(program):
    DiagnosisRowFactory(program=program, dimension="lead_management", impact_amount=Decimal("5e4"))

    with translation.override("en"):
        english = sheet_rows(table1_xlsx(program=program))[1]
    with translation.override("zh-hans"):
        chinese_row = sheet_rows(table1_xlsx(program=program))[1]

    assert (english[0], english[2], english[4]) == ("Lead management", "high", 50000)
    assert (chinese_row[0], chinese_row[2]) == ("线索管理", "高")


def test_a_formula_in_a_description_is_stored_as_text(program):
    DiagnosisRowFactory(program=program, description='=HYPERLINK("http://evil","click")')

    sheet = load_workbook(io.BytesIO(table1_xlsx(program=program))).active

    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        '=HYPERLINK("http://evil","click")',
        "s",
        True,
    )


def test_other_programs_rows_stay_out(program):
    DiagnosisRowFactory(description="someone else's")

    assert sheet_rows(table1_xlsx(program=program))[1:] == []


def test_the_download_follows_the_users_language(client, manager, program, seed_rows):
    client.force_login(manager)

    response = client.get(
        reverse("diagnosis:table1-export"), headers={"accept-language": "zh-CN,zh;q=0.9"}
    )

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert sheet_rows(response.content)[0][:4] == [
        "问题维度",
        "具体问题描述",
        "影响程度（高/中/低）",
        "根本原因分析",
    ]


def test_table1_with_control_characters_downloads_without_them(client, manager, program):
    DiagnosisRowFactory(program=program, description="响应慢\x07\x0b", root_cause="\x1b=无责任人")
    client.force_login(manager)

    response = client.get(reverse("diagnosis:table1-export"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response.status_code == 200
    assert (sheet["B2"].value, sheet["D2"].value, sheet["D2"].quotePrefix) == (
        "响应慢",
        "=无责任人",
        True,
    )


def test_a_chart_with_a_control_character_in_a_name_downloads_as_xlsx(
    client, manager, program, frozen_today
):
    region = RegionFactory(name="华\x07南", code="south")
    SalesTargetFactory(region=region, amount=Decimal("100000"))
    OrderFactory(region=region, amount=Decimal("50000"))
    call_command("compute_kpis", verbosity=0)
    client.force_login(manager)

    response = client.get(
        reverse("diagnosis:chart-data"), {"chart": "attainment-region", "format": "xlsx"}
    )

    rows = sheet_rows(response.content)[1:]
    assert response.status_code == 200
    assert ({row[0] for row in rows}, rows[-1]) == ({"华南"}, ["华南", "2026-10", 0.5])
