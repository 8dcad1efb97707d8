"""Column mapping: presets, synonyms in English and Chinese, saved mappings, the kind guess."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesopt.imports.mapping import (
    ColumnChoice,
    ColumnMapping,
    MatchedBy,
    combine_columns,
    guess_kind,
    missing_required,
    propose_mapping,
)
from salesopt.imports.presets import Combine
from salesopt.imports.schema import RecordKind
from tests.imports.test_presets import RECOGNISED, read_export


def fields(mapping: ColumnMapping) -> dict[str, str | None]:
    return {column.header: column.field for column in mapping.columns}


def test_english_synonyms_map_headers_no_preset_knows():
    headers = ["Full Name", "Company", "Lead Source", "Status", "Created Date", "Owner", "Region"]

    mapping = propose_mapping(headers, RecordKind.LEAD)

    assert fields(mapping) == {
        "Full Name": "name", "Company": "company_name", "Lead Source": "channel",
        "Status": "status", "Created Date": "created_at", "Owner": "owner", "Region": "region",
    }  # fmt: skip
    assert {column.matched_by for column in mapping.columns} == {MatchedBy.SYNONYM}


def test_chinese_synonyms_map_headers_no_preset_knows():
    headers = ["姓名", "公司名称", "线索来源", "线索状态", "销售", "创建时间", "所属区域", "备注"]

    mapping = propose_mapping(headers, RecordKind.LEAD)

    assert fields(mapping) == {
        "姓名": "name", "公司名称": "company_name", "线索来源": "channel", "线索状态": "status",
        "销售": "owner", "创建时间": "created_at", "所属区域": "region", "备注": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    "header",
    [
        "Lead Owner",
        "lead_owner",
        "LEAD OWNER",
        "ＬＥＡＤ　ＯＷＮＥＲ",
        "Lead-Owner",
        "负责人",
        "所有人",
    ],
)
def test_case_spaces_punctuation_and_full_width_forms_do_not_matter(header):
    assert fields(propose_mapping([header], RecordKind.LEAD)) == {header: "owner"}


@pytest.mark.parametrize(
    "header", ["创建时间", "创建日期", "Created Date", "Create Date", "Created Time", "created_at"]
)
def test_creation_time_has_many_names(header):
    assert fields(propose_mapping([header], RecordKind.OPPORTUNITY)) == {header: "created_at"}


def test_the_more_specific_synonym_wins_whatever_the_column_order():
    mapping = propose_mapping(["创建时间", "跟进时间", "跟进内容"], RecordKind.ACTIVITY)

    assert fields(mapping) == {"创建时间": None, "跟进时间": "occurred_at", "跟进内容": "subject"}


def test_the_same_word_feeds_the_field_it_means_for_each_kind():
    headers = ["类型", "Amount"]

    assert fields(propose_mapping(headers, RecordKind.ACTIVITY)) == {"类型": "kind", "Amount": None}
    assert fields(propose_mapping(headers, RecordKind.COMPLAINT)) == {
        "类型": "kind",
        "Amount": None,
    }
    assert fields(propose_mapping(headers, RecordKind.TARGET)) == {"类型": None, "Amount": "amount"}


def test_a_customer_name_is_the_lead_company_but_the_opportunity_customer():
    assert fields(propose_mapping(["客户名称"], RecordKind.LEAD)) == {"客户名称": "company_name"}
    assert fields(propose_mapping(["客户名称"], RecordKind.OPPORTUNITY)) == {"客户名称": "customer"}
    assert fields(propose_mapping(["客户名称"], RecordKind.CUSTOMER)) == {"客户名称": "name"}


def test_one_column_feeds_a_field_when_two_synonyms_compete():
    mapping = propose_mapping(["Owner", "负责人"], RecordKind.CUSTOMER)

    assert fields(mapping) == {"Owner": "owner", "负责人": None}


def test_a_preset_given_by_name_maps_first_and_synonyms_fill_the_rest():
    headers = ["Deal Name", "Deal Stage", "Amount", "Create Date", "预计成交日期", "Whatever"]

    mapping = propose_mapping(headers, RecordKind.OPPORTUNITY, "hubspot.opportunity")

    assert [(c.field, c.matched_by) for c in mapping.columns] == [
        ("name", MatchedBy.PRESET),
        ("stage", MatchedBy.PRESET),
        ("amount", MatchedBy.PRESET),
        ("created_at", MatchedBy.PRESET),
        ("expected_close", MatchedBy.SYNONYM),
        (None, MatchedBy.UNMATCHED),
    ]


def test_a_preset_prefers_the_spelling_it_lists_first_for_one_field():
    mapping = propose_mapping(["ID", "Order Reference", "Total"], RecordKind.ORDER, "odoo.order")

    assert fields(mapping) == {"ID": None, "Order Reference": "external_id", "Total": "amount"}


def test_a_preset_for_another_kind_is_refused():
    with pytest.raises(ValueError, match="is for lead, not opportunity"):
        propose_mapping(["First Name"], RecordKind.OPPORTUNITY, "salesforce.lead")


def test_a_preset_mapping_keeps_only_the_value_maps_of_mapped_fields():
    mapping = propose_mapping(
        ["Opportunity Name", "Stage"], RecordKind.OPPORTUNITY, "salesforce.opportunity"
    )

    assert list(mapping.value_maps) == ["stage"]
    assert mapping.value_map("stage")["Id. Decision Makers"] == "needs_analysis"
    assert mapping.value_map("stage")["赢单"] == "won"


def test_missing_required_lists_required_fields_no_column_feeds():
    mapping = propose_mapping(["Full Name", "Company"], RecordKind.LEAD)

    assert missing_required(mapping, RecordKind.LEAD) == ["external_id", "created_at"]


def test_combined_name_columns_count_as_the_name():
    mapping = propose_mapping(
        ["Lead ID", "Last Name", "Create Date"], RecordKind.LEAD, "salesforce.lead"
    )

    assert missing_required(mapping, RecordKind.LEAD) == []


# ---------------------------------------------------------------------------------------------
# The admin's corrections and saved mappings


def test_the_admin_gives_a_field_to_another_column_which_takes_it_from_the_first():
    mapping = propose_mapping(["Owner", "负责人"], RecordKind.CUSTOMER)

    changed = mapping.with_column("负责人", "owner")

    assert changed.columns == (
        ColumnChoice("Owner", None, MatchedBy.UNMATCHED),
        ColumnChoice("负责人", "owner", MatchedBy.MANUAL),
    )


def test_the_admin_cannot_pick_a_field_the_kind_does_not_have():
    mapping = propose_mapping(["Owner"], RecordKind.CUSTOMER)

    with pytest.raises(ValueError, match="customer has no field 'stage'"):
        mapping.with_column("Owner", "stage")


def test_the_admin_completes_a_value_map_and_a_wrong_choice_is_refused():
    mapping = propose_mapping(["Stage"], RecordKind.OPPORTUNITY)

    completed = mapping.with_values("stage", {"Demo gegeven": "proposal"})

    assert completed.value_map("stage")["Demo gegeven"] == "proposal"
    with pytest.raises(ValueError, match="'stage' has no choices \\['signed'\\]"):
        mapping.with_values("stage", {"Contract": "signed"})


def _saved() -> ColumnMapping:
    proposed = propose_mapping(["Kundenname", "Stufe", "Betrag"], RecordKind.OPPORTUNITY)
    edited = proposed.with_column("Kundenname", "name").with_column("Stufe", "stage")
    edited = edited.with_column("Betrag", "amount").with_values("stage", {"Gewonnen": "won"})
    return ColumnMapping.from_dict(json.loads(json.dumps({**edited.to_dict(), "name": "ERP"})))


def test_a_mapping_survives_a_json_round_trip():
    mapping = propose_mapping(
        ["First Name", "Last Name", "Lead Status", "Foo"], RecordKind.LEAD, "salesforce.lead"
    )

    restored = ColumnMapping.from_dict(json.loads(json.dumps(mapping.to_dict())))

    assert restored == mapping


def test_a_saved_mapping_maps_a_new_file_whatever_its_column_order_and_case():
    mapping = propose_mapping(
        ["betrag", "STUFE", "Kundenname", "Notiz"], RecordKind.OPPORTUNITY, _saved()
    )

    assert [(c.field, c.matched_by) for c in mapping.columns] == [
        ("amount", MatchedBy.SAVED),
        ("stage", MatchedBy.SAVED),
        ("name", MatchedBy.SAVED),
        (None, MatchedBy.UNMATCHED),
    ]
    assert (mapping.name, mapping.value_map("stage")["Gewonnen"]) == ("ERP", "won")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 99}, "unknown mapping format 99"),
        ({"kind": "invoice"}, "'invoice' is not a valid RecordKind"),
        (
            {"columns": [{"header": "x", "field": "stage", "matched_by": "manual"}]},
            "no field 'stage'",
        ),
        ({"value_maps": {"status": {"Open": "opened"}}}, "'status' has no choices \\['opened'\\]"),
    ],
)
def test_a_saved_mapping_naming_something_that_is_gone_is_refused(change, message):
    saved = propose_mapping(["Status"], RecordKind.LEAD).to_dict()

    with pytest.raises(ValueError, match=message):
        ColumnMapping.from_dict({**saved, **change})


# ---------------------------------------------------------------------------------------------
# Projecting rows onto canonical columns


def test_project_joins_name_parts_and_writes_chinese_names_family_name_first():
    frame = pd.DataFrame(
        {"First Name": ["Lei", "磊", "", "Ann"], "Last Name": ["Wang", "王", "Chen", ""]},
        dtype="str",
    )
    mapping = propose_mapping(frame.columns, RecordKind.LEAD, "zoho.lead")

    assert mapping.project(frame)["name"].tolist() == ["Lei Wang", "王磊", "Chen", "Ann"]


def test_project_keeps_the_index_and_only_mapped_fields():
    frame = pd.DataFrame({"Foo": ["x"], "Status": ["Open"]}, index=[7], dtype="str")
    mapping = propose_mapping(frame.columns, RecordKind.LEAD)

    projected = mapping.project(frame)

    assert (list(projected.columns), list(projected.index)) == (["status"], [7])


def test_a_combine_rule_is_kept_only_when_two_of_its_columns_are_in_the_file():
    single = propose_mapping(["Last Name"], RecordKind.LEAD, "salesforce.lead")
    both = propose_mapping(["last name", "first name"], RecordKind.LEAD, "salesforce.lead")

    assert single.combine == ()
    assert both.combine == (Combine("name", ("first name", "last name"), " ", cjk_reversed=True),)


# ---------------------------------------------------------------------------------------------
# Guessing the kind of record


@pytest.mark.parametrize(("export", "preset_name"), RECOGNISED)
def test_the_kind_of_each_sample_export_is_guessed(export, preset_name):
    assert guess_kind(read_export(export).columns) == RecordKind(preset_name.split(".")[1])


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["Full Name", "Company", "Lead Source", "Status", "Created"], RecordKind.LEAD),
        (["商机名称", "客户名称", "销售阶段", "金额"], RecordKind.OPPORTUNITY),
        (["客户名称", "行业", "负责人", "创建时间"], RecordKind.CUSTOMER),
        (["下单日期", "客户", "金额", "销售"], RecordKind.ORDER),
        (["投诉类型", "客户", "处理人", "满意度"], RecordKind.COMPLAINT),
        (["周期类型", "开始日期", "区域", "目标金额"], RecordKind.TARGET),
        (["工号", "姓名", "邮箱", "角色", "入职日期"], RecordKind.USER),
        (["跟进方式", "跟进时间", "跟进人", "跟进内容"], RecordKind.ACTIVITY),
    ],
)
def test_the_kind_is_guessed_from_headers_no_preset_knows(headers, kind):
    assert guess_kind(headers) == kind


def test_no_kind_is_guessed_from_meaningless_headers():
    assert guess_kind(["foo", "bar", ""]) is None


def test_columns_dict_lists_every_header_in_file_order():
    mapping = propose_mapping(["Foo", "Stage", "Amount"], RecordKind.OPPORTUNITY)

    assert mapping.columns_dict() == {"Foo": None, "Stage": "stage", "Amount": "amount"}


def test_combine_columns_applies_a_rule_to_any_frame():
    frame = pd.DataFrame({"名": ["磊", "Lei"], "姓": ["王", "Wang"]}, dtype="str")

    joined = combine_columns(frame, Combine("name", ("名", "姓"), cjk_reversed=True))

    assert joined.tolist() == ["王磊", "Lei Wang"]
