"""Exports never hand a spreadsheet a formula."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from salesopt.core.exports import csv_bytes, safe_cell, unguard, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://evil","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1"]
# Run by some spreadsheet too: a DDE pipe, a line break or NUL first, or a formula on the line
# after the first line break.
ALSO_HOSTILE = ["|cmd' /C calc'!A0", "\r=1", "\n+1", "\0=1", "note\n=cmd|' /C calc'!A0",
                "note\r\n@SUM(1+1)", "note\r-1"]  # fmt: skip


def test_formula_like_text_is_prefixed_with_an_apostrophe():
    assert [safe_cell(value) for value in HOSTILE] == [
        '\'=HYPERLINK("http://evil","click")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
        "'\t=1",
    ]


def test_pipes_line_breaks_and_formulas_after_the_first_line_break_are_prefixed_too():
    assert [safe_cell(value) for value in ALSO_HOSTILE] == ["'" + v for v in ALSO_HOSTILE]


def test_text_with_a_formula_only_after_a_later_line_break_or_mid_line_is_left_alone():
    assert [safe_cell(value) for value in ["a\nb\n=1", "1+1", "a|b", "'quoted"]] == [
        "a\nb\n=1",
        "1+1",
        "a|b",
        "'quoted",
    ]


@pytest.mark.parametrize("text", [*HOSTILE, *ALSO_HOSTILE, "'=1", "''+1", "'quoted", "plain"])
def test_the_apostrophe_guard_can_be_taken_off_exactly(text):
    assert unguard(safe_cell(text)) == text


def test_numbers_dates_and_plain_text_pass_unchanged():
    assert safe_cell(-300) == -300
    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(dt.date(2024, 3, 1)) == dt.date(2024, 3, 1)
    assert safe_cell("王伟") == "王伟"
    assert safe_cell(None) is None


def test_csv_export_starts_with_a_bom_and_neutralises_cells():
    data = csv_bytes(["name"], [[value] for value in HOSTILE])

    assert data.startswith("\ufeff".encode())
    assert b'\n"\'=HYPERLINK(""http://evil"",""click"")"' in data.replace(b"\r\n", b"\n")


def test_csv_export_neutralises_pipes_and_formulas_after_a_line_break():
    data = csv_bytes(["name"], [[value] for value in ALSO_HOSTILE[:1] + ALSO_HOSTILE[4:5]])

    assert data.decode("utf-8-sig").splitlines()[1:] == [
        "'|cmd' /C calc'!A0",
        "\"'note",
        "=cmd|' /C calc'!A0\"",
    ]


def test_xlsx_export_stores_text_never_formulas():
    hostile = HOSTILE + ALSO_HOSTILE[:1] + ALSO_HOSTILE[4:]
    data = xlsx_bytes(["name", "amount"], [[value, 1] for value in hostile], sheet="errors")

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, 2 + len(hostile))]
    assert [cell.data_type for cell in cells] == ["s"] * len(hostile)
    # The exact text, no apostrophe; line breaks as Excel writes them.
    assert [cell.value for cell in cells] == [text.replace("\r\n", "\n").replace("\r", "\n")
                                              for text in hostile]  # fmt: skip
    assert [cell.quotePrefix for cell in cells] == [True] * len(hostile)
    assert sheet.cell(row=2, column=2).value == 1


def test_xlsx_plain_text_has_no_quote_prefix_and_a_formula_like_header_has_one():
    data = xlsx_bytes(["=name"], [["王伟"], ["a|b"]], sheet="errors")

    sheet = load_workbook(io.BytesIO(data)).active
    assert [(cell.value, cell.quotePrefix) for cell in sheet["A"]] == [
        ("=name", True),
        ("王伟", False),
        ("a|b", False),
    ]


def test_xlsx_drops_the_characters_xml_cannot_hold():
    data = xlsx_bytes(["a\x07b"], [["bell\x07", "tab\x0bbed", "nul\x00", "\x07=1", "ok\tok"]],
                      sheet="bad\x07[sheet]:*?/\\")  # fmt: skip

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "bad sheet"
    assert sheet["A1"].value == "ab"
    assert [cell.value for cell in sheet[2]] == ["bell", "tabbed", "nul", "=1", "ok\tok"]
    assert sheet["D2"].quotePrefix is True
