"""Exports never hand a spreadsheet a formula."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from salesopt.core.exports import csv_bytes, safe_cell, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://evil","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1"]


def test_formula_like_text_is_prefixed_with_an_apostrophe():
    assert [safe_cell(value) for value in HOSTILE] == [
        '\'=HYPERLINK("http://evil","click")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
        "'\t=1",
    ]


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


def test_xlsx_export_stores_text_never_formulas():
    data = xlsx_bytes(["name", "amount"], [[value, 1] for value in HOSTILE], sheet="errors")

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [sheet.cell(row=row, column=1) for row in range(2, 2 + len(HOSTILE))]
    assert [cell.data_type for cell in cells] == ["s"] * len(HOSTILE)
    assert cells[0].value == '\'=HYPERLINK("http://evil","click")'
    assert sheet.cell(row=2, column=2).value == 1
