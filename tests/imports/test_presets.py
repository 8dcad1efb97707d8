"""Built-in presets: each CRM's sample export is recognised, mapped and its values translated."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from salesopt.imports.coercers import coerce_choice, coerce_field
from salesopt.imports.mapping import propose_mapping
from salesopt.imports.presets import (
    PRESETS,
    example_rows,
    get_preset,
    preset_problems,
    recognise,
    template_headers,
)
from salesopt.imports.schema import SCHEMAS, RecordKind

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "crm_exports"


def read_export(name: str) -> pd.DataFrame:
    with (EXPORTS / name).open(encoding="utf-8", newline="") as file:
        header, *rows = list(csv.reader(file))
    return pd.DataFrame(rows, columns=header, dtype="str")


RECOGNISED = [
    ("salesforce/leads.csv", "salesforce.lead"),
    ("salesforce/leads_data_export.csv", "salesforce.lead"),
    ("salesforce/opportunities.csv", "salesforce.opportunity"),
    ("salesforce/tasks.csv", "salesforce.activity"),
    ("hubspot/contacts.csv", "hubspot.lead"),
    ("hubspot/companies.csv", "hubspot.customer"),
    ("hubspot/deals.csv", "hubspot.opportunity"),
    ("odoo/opportunities.csv", "odoo.opportunity"),
    ("odoo/activities.csv", "odoo.activity"),
    ("odoo/sale_orders.csv", "odoo.order"),
    ("zoho/leads.csv", "zoho.lead"),
    ("zoho/deals.csv", "zoho.opportunity"),
    ("zoho/calls.csv", "zoho.activity"),
    ("neocrm/leads.csv", "neocrm.lead"),
    ("neocrm/opportunities.csv", "neocrm.opportunity"),
    ("fxiaoke/leads.csv", "fxiaoke.lead"),
    ("fxiaoke/opportunities.csv", "fxiaoke.opportunity"),
    ("fxiaoke/sales_orders.csv", "fxiaoke.order"),
    ("dingtalk/customers.csv", "dingtalk.lead"),
    ("dingtalk/follow_records.csv", "dingtalk.activity"),
]


@pytest.mark.parametrize(("export", "preset_name"), RECOGNISED)
def test_the_crms_preset_is_recognised_first_with_every_signature_header(export, preset_name):
    best = recognise(read_export(export).columns)[0]

    assert (best.preset.name, best.score) == (preset_name, 1.0)


def test_a_match_describes_itself_for_the_import_page():
    matches = recognise(read_export("salesforce/leads.csv").columns)

    assert [match.describe() for match in matches[:2]] == [
        "Salesforce · Leads (11 of 13 columns)",
        "Zoho CRM · Leads (7 of 13 columns)",
    ]


def test_recognise_can_be_limited_to_one_kind():
    matches = recognise(read_export("dingtalk/customers.csv").columns, RecordKind.CUSTOMER)

    assert matches[0].preset.name == "dingtalk.customer"


def test_headers_sharing_no_signature_header_with_any_preset_match_nothing():
    assert recognise(["Foo", "Bar", "  "]) == []


MAPPINGS = {
    "salesforce/leads.csv": {
        "Lead Owner": "owner", "First Name": "name", "Last Name": "name", "Title": None,
        "Company / Account": "company_name", "Lead Source": "channel", "Lead Status": "status",
        "Industry": "industry", "Rating": "grade", "No. of Employees": "company_size",
        "State/Province": "region", "Create Date": "created_at", "Email": None,
    },
    "salesforce/leads_data_export.csv": {
        "Id": "external_id", "IsDeleted": None, "LastName": "name", "FirstName": "name",
        "Company": "company_name", "Status": "status", "LeadSource": "channel",
        "Industry": "industry", "Rating": "grade", "NumberOfEmployees": "company_size",
        "OwnerId": "owner", "IsConverted": None, "ConvertedDate": "won_at",
        "ConvertedAccountId": "customer", "CreatedDate": "created_at",
    },
    "salesforce/opportunities.csv": {
        "Opportunity Owner": "owner", "Account Name": "customer", "Opportunity Name": "name",
        "Stage": "stage", "Amount": "amount", "Probability (%)": "probability",
        "Close Date": "expected_close", "Created Date": "created_at", "Lead Source": None,
        "Type": None,
    },
    "salesforce/tasks.csv": {
        "Activity ID": "external_id", "Subject": "subject", "Type": "kind",
        "Due Date": "occurred_at", "Assigned To": "rep", "Account": "customer", "Status": None,
        "Comments": None,
    },
    "hubspot/contacts.csv": {
        "Record ID": "external_id", "First Name": "name", "Last Name": "name", "Email": None,
        "Phone Number": None, "Company Name": "company_name", "Lead Status": "status",
        "Lifecycle Stage": None, "Original Source": "channel", "Contact owner": "owner",
        "Create Date": "created_at",
    },
    "hubspot/companies.csv": {
        "Record ID": "external_id", "Company name": "name", "Company owner": "owner",
        "Industry": "industry", "Number of Employees": "company_size", "State/Region": "region",
        "Create Date": "created_at",
    },
    "hubspot/deals.csv": {
        "Record ID": "external_id", "Deal Name": "name", "Pipeline": None, "Deal Stage": "stage",
        "Amount": "amount", "Close Date": "expected_close", "Create Date": "created_at",
        "Deal owner": "owner", "Associated Company": "customer", "Deal probability": "probability",
    },
    "odoo/opportunities.csv": {
        "Opportunity": "name", "Customer": "customer", "Contact Name": None, "Email": None,
        "Expected Revenue": "amount", "Probability": "probability", "Stage": "stage",
        "Salesperson": "owner", "Sales Team": None, "Expected Closing": "expected_close",
        "Created on": "created_at", "Tags": None,
        # Read by the preset's outcome rules (archived: lost), not mapped to a field.
        "Active": None, "Lost Reason": None, "Closed Date": "closed_at",
    },
    "odoo/activities.csv": {
        "Activity Type": "kind", "Summary": "subject", "Due Date": "occurred_at",
        "Assigned to": "rep", "Document Name": None, "Related Document Model": None,
    },
    "odoo/sale_orders.csv": {
        "Order Reference": "external_id", "Customer": "customer", "Order Date": "ordered_on",
        "Salesperson": "rep", "Sales Team": None, "Total": "amount", "Status": None,
    },
    "zoho/leads.csv": {
        "Record Id": "external_id", "Lead Owner": "owner", "Company": "company_name",
        "First Name": "name", "Last Name": "name", "Email": None, "Lead Source": "channel",
        "Lead Status": "status", "Industry": "industry", "No. of Employees": "company_size",
        "Rating": None, "Created Time": "created_at",
        # Read by the preset's outcome rule (filled: converted), not mapped to a field.
        "Lead Conversion Time": None, "Converted Deal": None,
    },
    "zoho/deals.csv": {
        "Record Id": "external_id", "Deal Owner": "owner", "Deal Name": "name",
        "Account Name": "customer", "Stage": "stage", "Amount": "amount",
        "Probability (%)": "probability", "Closing Date": "expected_close", "Lead Source": None,
        "Created Time": "created_at",
    },
    "zoho/calls.csv": {
        "Record Id": "external_id", "Subject": "subject", "Call Type": "kind",
        "Call Start Time": "occurred_at", "Call Duration": None, "Call Owner": "rep",
        "Related To": None,
    },
    "neocrm/leads.csv": {
        "姓名": "name", "公司名称": "company_name", "线索来源": "channel", "线索状态": "status",
        "行业": "industry", "省份": "region", "所有人": "owner", "创建日期": "created_at",
    },
    "neocrm/opportunities.csv": {
        "机会名称": "name", "客户名称": "customer", "销售阶段": "stage", "销售金额": "amount",
        "赢率": "probability", "结单日期": "expected_close", "所有人": "owner",
        "创建日期": "created_at",
    },
    "fxiaoke/leads.csv": {
        "姓名": "name", "公司": "company_name", "来源": "channel", "状态": "status",
        "负责人": "owner", "创建时间": "created_at", "省": "region",
    },
    "fxiaoke/opportunities.csv": {
        "商机名称": "name", "客户名称": "customer", "商机阶段": "stage", "商机金额": "amount",
        "赢率": "probability", "预计成交日期": "expected_close", "负责人": "owner",
        "创建时间": "created_at",
    },
    "fxiaoke/sales_orders.csv": {
        "销售订单编号": "external_id", "客户名称": "customer", "订单金额": "amount",
        "下单日期": "ordered_on", "负责人": "rep",
    },
    "dingtalk/customers.csv": {
        "客户名称": "name", "客户跟进状态": "status", "客户来源": "channel",
        "客户行业": "industry", "区域城市": "region", "负责人": "owner", "创建时间": "created_at",
    },
    "dingtalk/follow_records.csv": {
        "客户": "customer", "联系人": None, "拜访方式": "kind", "拜访内容": "subject",
        "创建人": "rep", "创建时间": "occurred_at",
    },
}  # fmt: skip


def _mapping_for(export: str):
    frame = read_export(export)
    preset = recognise(frame.columns)[0].preset
    return frame, propose_mapping(frame.columns, preset.kind, preset)


@pytest.mark.parametrize("export", MAPPINGS)
def test_the_preset_maps_every_column_it_should(export):
    _frame, mapping = _mapping_for(export)

    assert {column.header: column.field for column in mapping.columns} == MAPPINGS[export]


@pytest.mark.parametrize("export", MAPPINGS)
def test_every_mapped_column_of_the_sample_coerces_without_an_error(export):
    frame, mapping = _mapping_for(export)
    canonical = mapping.project(frame)
    schema = SCHEMAS[mapping.kind]
    failures = {
        name: int(
            coerce_field(
                canonical[name], schema.field(name), zone="Asia/Shanghai",
                value_map=mapping.value_map(name),
            ).failed.sum()
        )
        for name in canonical.columns
    }  # fmt: skip

    assert failures == dict.fromkeys(canonical.columns, 0)


CHOICES = [
    ("salesforce/leads.csv", "status", ["new", "contacted", "converted", "lost"]),
    ("salesforce/leads.csv", "grade", ["A", "B", "B", "C"]),
    ("salesforce/opportunities.csv", "stage", ["proposal", "won", "needs_analysis", "lost"]),
    ("salesforce/tasks.csv", "kind", ["call", "email", "meeting", "follow_up"]),
    ("hubspot/contacts.csv", "status", ["new", "contacted", "qualified", "lost"]),
    ("hubspot/deals.csv", "stage", ["proposal", "won", "needs_analysis", "lost"]),
    ("odoo/opportunities.csv", "stage", ["proposal", "won", "needs_analysis", "qualification"]),
    ("odoo/activities.csv", "kind", ["call", "meeting", "email", "follow_up"]),
    ("zoho/leads.csv", "status", ["new", "contacted", "qualified", "lost"]),
    ("zoho/deals.csv", "stage", ["negotiation", "won", "needs_analysis", "lost"]),
    ("zoho/calls.csv", "kind", ["call", "call", "call"]),
    ("neocrm/leads.csv", "status", ["new", "contacted", "converted", "lost"]),
    ("neocrm/opportunities.csv", "stage", ["proposal", "won", "needs_analysis", "lost"]),
    ("fxiaoke/leads.csv", "status", ["new", "contacted", "converted", "lost"]),
    ("fxiaoke/opportunities.csv", "stage", ["proposal", "won", "needs_analysis", "lost"]),
    ("dingtalk/customers.csv", "status", ["new", "contacted", "converted", "lost"]),
    ("dingtalk/follow_records.csv", "kind", ["call", "visit", "follow_up"]),
]


@pytest.mark.parametrize(("export", "field_name", "expected"), CHOICES)
def test_the_crms_values_become_salesopt_choices(export, field_name, expected):
    frame, mapping = _mapping_for(export)
    column = frame[mapping.headers_for(field_name)[0]]
    choices = SCHEMAS[mapping.kind].field(field_name).choices

    values = coerce_choice(column, mapping.value_map(field_name), choices).values

    assert values.tolist() == expected


def test_first_and_last_name_columns_make_one_name():
    frame, mapping = _mapping_for("salesforce/leads.csv")

    assert mapping.project(frame)["name"].tolist() == [
        "Lei Wang",
        "Na Li",
        "Qiang Liu",
        "Jing Chen",
    ]


def test_a_preset_mapping_carries_its_crm_as_the_records_source():
    _frame, mapping = _mapping_for("fxiaoke/leads.csv")

    assert (mapping.preset, mapping.source) == ("fxiaoke.lead", "fxiaoke")


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.name)
def test_every_preset_agrees_with_the_schema(preset):
    assert preset_problems(preset) == []


def test_preset_names_are_unique():
    assert len({preset.name for preset in PRESETS}) == len(PRESETS)


def test_the_crms_and_the_kinds_each_preset_covers():
    covered: dict[str, list[str]] = {}
    for preset in PRESETS:
        covered.setdefault(preset.crm, []).append(preset.kind.value)

    assert {crm: sorted(kinds) for crm, kinds in covered.items() if crm != "salesopt"} == {
        "salesforce": ["activity", "customer", "lead", "opportunity", "order"],
        "hubspot": ["customer", "lead", "opportunity"],
        "odoo": ["activity", "customer", "lead", "opportunity", "order"],
        "zoho": ["activity", "customer", "lead", "opportunity", "order"],
        "neocrm": ["customer", "lead", "opportunity"],
        "fxiaoke": ["customer", "lead", "opportunity", "order"],
        "dingtalk": ["activity", "customer", "lead", "order"],
    }


def test_get_preset_finds_a_preset_by_name_and_refuses_an_unknown_one():
    assert get_preset("zoho.opportunity").label == "Zoho CRM · Opportunities"
    with pytest.raises(KeyError):
        get_preset("pipedrive.lead")


# ---------------------------------------------------------------------------------------------
# salesopt's own template


def test_template_headers_in_english_and_chinese():
    assert template_headers(RecordKind.OPPORTUNITY, "en") == [
        "ID", "Opportunity name", "Lead ID", "Customer", "Owner", "Region", "Product line",
        "Stage", "Amount", "Probability (%)", "Created at", "Expected close", "Closed at",
    ]  # fmt: skip
    assert template_headers(RecordKind.OPPORTUNITY, "zh-hans") == [
        "编号", "商机名称", "线索编号", "客户", "负责人", "区域", "产品线", "销售阶段", "商机金额",
        "赢率", "创建时间", "预计成交日期", "结单时间",
    ]  # fmt: skip


def test_a_template_in_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no template in language 'fr'"):
        template_headers(RecordKind.LEAD, "fr")


KINDS_AND_LANGUAGES = [(kind, language) for kind in RecordKind for language in ("en", "zh")]


@pytest.mark.parametrize(("kind", "language"), KINDS_AND_LANGUAGES)
def test_a_filled_template_is_recognised_and_maps_column_by_column(kind, language):
    headers = template_headers(kind, language)
    best = recognise(headers)[0]

    mapping = propose_mapping(headers, kind, best.preset)

    assert (best.preset.name, best.score) == (f"salesopt.{kind.value}", 1.0)
    assert [column.field for column in mapping.columns] == list(SCHEMAS[kind].field_names)


@pytest.mark.parametrize(("kind", "language"), KINDS_AND_LANGUAGES)
def test_the_template_example_rows_coerce_without_an_error(kind, language):
    headers = template_headers(kind, language)
    frame = pd.DataFrame(example_rows(kind, language), columns=headers, dtype="str")
    mapping = propose_mapping(headers, kind, f"salesopt.{kind.value}")
    canonical = mapping.project(frame)
    failures = {
        name: int(
            coerce_field(
                canonical[name], SCHEMAS[kind].field(name), zone="Asia/Shanghai",
                value_map=mapping.value_map(name),
            ).failed.sum()
        )
        for name in canonical.columns
    }  # fmt: skip

    assert failures == dict.fromkeys(canonical.columns, 0)
