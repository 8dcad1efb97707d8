"""The reader stage: sniffing layouts and encodings, streaming rows, refusing hostile files.

Files are generated in tmp_path; the two .xls files come from tests/fixtures (see its README).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from salesopt.imports.readers import (
    SniffResult,
    UnreadableFile,
    read_chunks,
    sniff,
    split_rejected,
)
from salesopt.imports.readers import content as content_module
from salesopt.imports.readers.delimited import ReadPacer
from tests.imports.hostile import (
    MAIN,
    PNG,
    lying_encoding,
    sheet_xml,
    write_billion_laughs,
    write_bomb,
    write_external_entity,
    write_workbook,
    write_xlsb,
    write_zip_not_workbook,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm_exports" / "hostile"

HEADERS = ("线索编号", "客户名称", "金额", "备注")
TABLE = [
    ["L001", "王伟", "12,800.00", "北京, 朝阳区"],
    ["L002", "李娜", "", '=HYPERLINK("http://x","y")'],
    ["L003", "张三丰", "300", "+cmd"],
]
TABLE_ROWS = {
    2: dict(zip(HEADERS, TABLE[0], strict=True)),
    3: dict(zip(HEADERS, TABLE[1], strict=True)),
    4: dict(zip(HEADERS, TABLE[2], strict=True)),
}


def quoted(cell: str, delimiter: str) -> str:
    if any(character in cell for character in (delimiter, '"', "\n")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_text(rows: list[list[str]] | list[tuple[str, ...]], delimiter: str = ",") -> str:
    return "".join(delimiter.join(quoted(c, delimiter) for c in row) + "\r\n" for row in rows)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_all(path: Path, sniffed: SniffResult, chunk_rows: int = 20_000) -> pd.DataFrame:
    return pd.concat(list(read_chunks(path, sniffed, chunk_rows=chunk_rows)))


def as_rows(frame: pd.DataFrame) -> dict[int, dict[str, str]]:
    return frame.to_dict("index")


def refusal(path: Path, **options: int) -> tuple[str, str]:
    with pytest.raises(UnreadableFile) as caught:
        sniffed = sniff(path, **options)
        read_all(path, sniffed)
    return caught.value.code, str(caught.value)


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Peak bytes allocated by Python code inside the block, in result[0]."""
    result = [0]
    tracemalloc.start()
    try:
        yield result
    finally:
        result[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# --- CSV: encodings and delimiters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected_encoding"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("gb18030", ",", "gb18030"),
        ("gb18030", "\t", "gb18030"),
        ("utf-16", "\t", "utf-16"),  # Excel's "Unicode text": UTF-16 LE with a BOM, tabs
        ("utf-16-le", "\t", "utf-16-le"),
        ("utf-8", "|", "utf-8"),
    ],
)
def test_the_same_table_reads_the_same_in_every_encoding_and_delimiter(
    tmp_path, encoding, delimiter, expected_encoding
):
    path = write_csv(tmp_path / "leads.csv", csv_text([HEADERS, *TABLE], delimiter), encoding)

    sniffed = sniff(path)

    assert sniffed == SniffResult(
        file_format="csv",
        encoding=expected_encoding,
        delimiter=delimiter,
        header_row=1,
        headers=HEADERS,
        sheet_name=None,
        skipped_rows_above=0,
        estimated_rows=3,
        column_count=4,
    )
    assert as_rows(read_all(path, sniffed)) == TABLE_ROWS


def test_chunks_are_text_columns_indexed_by_row_number(tmp_path):
    path = write_csv(tmp_path / "leads.csv", csv_text([HEADERS, *TABLE]))

    chunks = list(read_chunks(path, sniff(path), chunk_rows=2))

    assert [chunk.index.tolist() for chunk in chunks] == [[2, 3], [4]]
    assert chunks[0].index.name == "row"
    assert [str(dtype) for dtype in chunks[0].dtypes] == ["str"] * 4


def test_legacy_encodings_are_told_apart_by_the_restricted_detector(tmp_path):
    western = "Kunde,Stadt\nMüller GmbH,Zürich\nJosé Garçon,Montréal\nBjörk,Reykjavík\n"
    taiwan = "客戶編號,客戶名稱\nC001,台北資訊科技股份有限公司\nC002,高雄貿易有限公司\n"
    cp1252 = write_csv(tmp_path / "western.csv", western, "cp1252")
    big5 = write_csv(tmp_path / "taiwan.csv", taiwan, "big5")

    assert (sniff(cp1252).encoding, sniff(big5).encoding) == ("cp1252", "big5")
    assert read_all(big5, sniff(big5))["客戶名稱"].tolist() == [
        "台北資訊科技股份有限公司",
        "高雄貿易有限公司",
    ]


def test_title_and_note_rows_are_skipped_and_the_totals_row_dropped(tmp_path):
    text = csv_text(
        [
            ["2024年3月线索导出", "", "", ""],
            ["导出时间: 2024-03-01 10:00", "", "", ""],
            ["", "", "", ""],
            list(HEADERS),
            *TABLE,
            ["合计", "", "13,100.00", ""],
        ]
    )
    path = write_csv(tmp_path / "leads.csv", text, "gb18030")

    sniffed = sniff(path)

    assert (sniffed.header_row, sniffed.skipped_rows_above, sniffed.headers) == (4, 2, HEADERS)
    assert as_rows(read_all(path, sniffed)) == {
        row + 3: values for row, values in TABLE_ROWS.items()
    }


def test_row_numbers_count_blank_rows_and_multiline_cells_as_excel_does(tmp_path):
    text = 'id,note\n\nL1,"two\nlines"\n,\n \t,\u3000\nL2,"a ""quote"""\n'
    path = write_csv(tmp_path / "notes.csv", text)

    sniffed = sniff(path)

    assert sniffed.header_row == 1
    assert as_rows(read_all(path, sniffed)) == {
        3: {"id": "L1", "note": "two\nlines"},
        6: {"id": "L2", "note": 'a "quote"'},
    }


def test_short_rows_are_padded_in_place_across_chunks(tmp_path):
    # Some exports leave trailing empty cells out; the rows keep their numbers and order.
    text = 'id,name,note\nL1,a,x\nL2\nL3,c,"two\nlines"\nL4,d\n\nL6,f,z\nL7,"g"\n'
    path = write_csv(tmp_path / "short.csv", text)

    chunks = list(read_chunks(path, sniff(path), chunk_rows=2))

    assert as_rows(pd.concat(chunks)) == {
        2: {"id": "L1", "name": "a", "note": "x"},
        3: {"id": "L2", "name": "", "note": ""},
        4: {"id": "L3", "name": "c", "note": "two\nlines"},
        5: {"id": "L4", "name": "d", "note": ""},
        7: {"id": "L6", "name": "f", "note": "z"},
        8: {"id": "L7", "name": "g", "note": ""},
    }
    assert all(chunk.index.is_monotonic_increasing for chunk in chunks)


def test_a_stray_quote_inside_an_unquoted_cell_is_text(tmp_path):
    path = write_csv(tmp_path / "inches.csv", 'id,product\nL1,27" monitor\nL2,desk\n')

    assert as_rows(read_all(path, sniff(path))) == {
        2: {"id": "L1", "product": '27" monitor'},
        3: {"id": "L2", "product": "desk"},
    }


def test_a_cell_over_pythons_csv_field_limit_in_the_sample_is_read(tmp_path):
    note = "x" * 200_000  # Python's csv module refuses cells over 128 KB by default
    path = write_csv(tmp_path / "big.csv", csv_text([["id", "note"], ["L1", note], ["L2", "b"]]))

    assert read_all(path, sniff(path))["note"].str.len().tolist() == [200_000, 1]


def test_a_header_spanning_lines_below_a_title_is_not_data(tmp_path):
    text = 'Leads export,\n"lead\nid",name\nL1,a\n'
    path = write_csv(tmp_path / "title.csv", text)

    sniffed = sniff(path)

    assert (sniffed.header_row, sniffed.headers) == (2, ("lead id", "name"))
    assert as_rows(read_all(path, sniffed)) == {3: {"lead id": "L1", "name": "a"}}


def test_formula_like_cells_stay_plain_text(tmp_path):
    cells = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    path = write_csv(tmp_path / "formulas.csv", csv_text([["a", "b", "c", "d"], cells]))

    frame = read_all(path, sniff(path))

    assert frame.loc[2].tolist() == cells


def test_headers_are_cleaned_and_made_unique(tmp_path):
    text = "\ufeff 金额 ,金额,,客户\n名称,AMOUNT\n1,2,3,4,5,6\n"
    path = write_csv(tmp_path / "headers.csv", text.replace("客户\n名称", '"客户\n名称"'))

    sniffed = sniff(path)

    assert sniffed.headers == ("金额", "金额 (2)", "Column C", "客户 名称", "AMOUNT", "Column F")
    assert read_all(path, sniffed).loc[2].tolist() == ["1", "2", "3", "4", "5", "6"]


def test_trailing_delimiters_do_not_make_columns(tmp_path):
    path = write_csv(tmp_path / "padded.csv", "id,name,,\nL1,王伟,,\nL2,李娜,,\n")

    sniffed = sniff(path)

    assert (sniffed.headers, sniffed.column_count) == (("id", "name"), 4)
    assert as_rows(read_all(path, sniffed)) == {
        2: {"id": "L1", "name": "王伟"},
        3: {"id": "L2", "name": "李娜"},
    }


def test_a_value_later_in_a_column_without_header_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 64)
    rows = "".join(f"L{number},name,\n" for number in range(10))
    path = write_csv(tmp_path / "late.csv", f"id,name,\n{rows}L10,name,stray\n")

    assert refusal(path) == (
        "value_without_header",
        "Row 12 has a value in column C, which has no header; add a header or remove the value.",
    )


def test_a_totals_like_row_followed_by_data_is_kept_across_chunks(tmp_path):
    rows = [["id", "amount"], ["L1", "1"], ["Total", "1"], ["L2", "2"], ["合 计：", "3"]]
    path = write_csv(tmp_path / "totals.csv", csv_text(rows))

    chunks = list(read_chunks(path, sniff(path), chunk_rows=2))

    assert [chunk.index.tolist() for chunk in chunks] == [[2], [3], [4]]
    assert pd.concat(chunks)["id"].tolist() == ["L1", "Total", "L2"]


def test_a_row_whose_first_cell_says_total_but_holds_text_is_data(tmp_path):
    rows = [["company", "city"], ["Shell", "Den Haag"], ["Total", "Paris"]]
    path = write_csv(tmp_path / "companies.csv", csv_text(rows))

    assert read_all(path, sniff(path))["company"].tolist() == ["Shell", "Total"]


def test_the_row_count_of_a_long_file_is_estimated_from_the_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 4096)
    rows = "".join(f"L{number:06d},王伟,{number % 1000:03d}\n" for number in range(6_000))
    path = write_csv(tmp_path / "long.csv", "id,name,amount\n" + rows)

    sniffed = sniff(path)

    # Extrapolated from the rows in the first 4 KB: within 1% of the 6,000 rows.
    assert (sniffed.estimated_rows, len(read_all(path, sniffed))) == (5_984, 6_000)


# --- CSV: refused files --------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path):
    path = write_csv(tmp_path / "empty.csv", "")

    assert refusal(path) == ("empty", "The file is empty.")


def test_a_file_of_blank_lines_and_delimiters_is_empty(tmp_path):
    path = write_csv(tmp_path / "blank.csv", "\ufeff\r\n,,,\r\n \r\n", "utf-8")

    assert refusal(path) == ("empty", "The file is empty.")


def test_a_header_only_file_is_refused(tmp_path):
    path = write_csv(tmp_path / "header.csv", "线索编号,客户名称\r\n", "gb18030")

    assert refusal(path) == ("header_only", "The file has a header row but no data rows.")


def test_a_png_renamed_csv_is_refused(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(PNG)

    assert refusal(path) == (
        "binary",
        "This looks like a binary file (PNG image), not a CSV or Excel table.",
    )


def test_a_bmp_renamed_csv_is_refused_but_a_header_starting_bm_is_read(tmp_path):
    image = tmp_path / "leads.csv"
    image.write_bytes(b"BM" + (70).to_bytes(4, "little") + b"\x00" * 4 + b"\x36" + b"\x00" * 60)
    table = tmp_path / "bmi.csv"
    table.write_text("BMI,姓名\n21.5,王伟\n", encoding="utf-8")

    assert refusal(image) == (
        "binary",
        "This looks like a binary file (BMP image), not a CSV or Excel table.",
    )
    assert sniff(table).headers == ("BMI", "姓名")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = write_zip_not_workbook(tmp_path / "leads.csv")

    assert refusal(path) == (
        "binary",
        "This looks like a binary file (ZIP archive), not a CSV or Excel table.",
    )


def test_unknown_binary_content_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 8)

    assert refusal(path) == ("binary", "This looks like a binary file, not a CSV or Excel table.")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = write_csv(tmp_path / "leads.csv", csv_text([HEADERS, *TABLE] * 20))

    assert refusal(path, max_bytes=1024) == (
        "too_large",
        "The file is larger than the 1 KB limit.",
    )


def test_the_size_limit_comes_from_settings(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_BYTES = 2048
    path = write_csv(tmp_path / "leads.csv", csv_text([HEADERS, *TABLE] * 40))

    assert refusal(path) == ("too_large", "The file is larger than the 2 KB limit.")


def test_more_data_rows_than_the_setting_allows_is_refused_while_reading(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_ROWS = 3
    three = write_csv(tmp_path / "three.csv", "id,name\nL1,a\nL2,b\nL3,c\n")
    four = write_csv(tmp_path / "four.csv", "id,name\nL1,a\nL2,b\nL3,c\nL4,d\n")

    assert len(read_all(three, sniff(three), chunk_rows=2)) == 3
    with pytest.raises(UnreadableFile) as caught:
        read_all(four, sniff(four), chunk_rows=2)

    assert (caught.value.code, str(caught.value)) == (
        "too_many_rows",
        "The file has more than 3 data rows; import it in parts.",
    )


def rejected_rows(path: Path) -> tuple[list[int], list[tuple[int, str]]]:
    """(the rows read, the rows rejected with their reason)."""
    read, rejected = [], []
    for chunk in read_chunks(path, sniff(path)):
        kept, refused = split_rejected(chunk)
        read += kept.index.tolist()
        rejected += refused
    return read, rejected


def test_a_row_with_thousands_of_fields_is_a_rejected_row_and_the_others_are_read(tmp_path):
    text = "id,name\nL1,a\n" + ",".join(["x"] * 12_000) + "\nL3,c\n"
    path = write_csv(tmp_path / "wide.csv", text)

    assert rejected_rows(path) == ([2, 4], [(3, "12,000 fields; the header has 2")])


def test_a_too_wide_row_past_the_sample_is_a_rejected_row(tmp_path, monkeypatch):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 64)
    rows = "".join(f"L{number},王伟,1\n" for number in range(20))
    path = write_csv(tmp_path / "ragged.csv", f"id,name,amount\n{rows}L20,王,伟,1\nL21,李,2\n")

    read, rejected = rejected_rows(path)

    assert rejected == [(22, "4 fields; the header has 3")]
    assert read == [*range(2, 22), 23]


def test_a_header_wider_than_the_column_limit_is_refused(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_COLUMNS = 3
    path = write_csv(tmp_path / "wide.csv", "a,b,c,d\n1,2,3,4\n")

    assert refusal(path) == (
        "too_many_columns",
        "Row 1 has 4 cells; at most 3 columns are allowed.",
    )


def test_a_quote_never_closed_names_its_row(tmp_path):
    path = write_csv(tmp_path / "quote.csv", 'id,name\nL1,a\nL2,"never closed\nL3,c\n')

    assert refusal(path) == ("open_quote", "A quoted value starting in row 3 is never closed.")


def test_a_quote_never_closed_in_a_short_row_names_its_row(tmp_path):
    path = write_csv(tmp_path / "quote.csv", 'id,name,note\nL1,a,b\nL2,"never\nL3,c,d\n')

    assert refusal(path) == ("open_quote", "A quoted value starting in row 3 is never closed.")


def test_a_row_spanning_lines_longer_than_the_limit_is_refused(tmp_path, settings, monkeypatch):
    settings.SALESOPT_IMPORT_MAX_ROW_BYTES = 2**16
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 1024)  # refused while streaming
    note = "\n".join(["x" * 1000] * 300)  # every line is short, the row is 300 KB
    path = write_csv(tmp_path / "long.csv", csv_text([["id", "note"], ["L1", "a"], ["L2", note]]))

    assert refusal(path) == (
        "row_too_long",
        "A row after row 2 is longer than the 64 KB allowed for one row.",
    )


def test_a_line_longer_than_the_limit_is_refused_in_the_sample(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_ROW_BYTES = 100
    path = write_csv(tmp_path / "long.csv", "id,note\nL1," + "x" * 200 + "\n")

    assert refusal(path) == (
        "row_too_long",
        "Line 2 of the file is longer than the 100 B allowed for one row.",
    )


def test_a_line_longer_than_the_limit_is_refused_while_streaming(tmp_path, settings, monkeypatch):
    settings.SALESOPT_IMPORT_MAX_ROW_BYTES = 1024
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 256)
    rows = "".join(f"L{number},note\n" for number in range(100))
    path = write_csv(tmp_path / "long.csv", f"id,note\n{rows}L100,{'x' * 5000}\n")

    assert refusal(path) == (
        "row_too_long",
        "Line 102 of the file is longer than the 1 KB allowed for one row.",
    )


def test_bytes_invalid_in_the_encoding_past_the_sample_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 64)
    path = tmp_path / "mixed.csv"
    path.write_bytes(lying_encoding(valid_rows=20))

    assert refusal(path) == (
        "decode_error",
        "Part of the file is not valid utf-8 text; save it from Excel as “CSV UTF-8” and "
        "upload it again.",
    )


def test_a_file_without_a_header_row_is_refused(tmp_path):
    rows = "".join(f"{number},{number * 2},2024-03-{number + 1:02d}\n" for number in range(5))
    path = write_csv(tmp_path / "numbers.csv", rows)

    assert refusal(path) == (
        "no_header",
        "No header row found in the first 30 rows: expected a row of column names above the data.",
    )


# --- XLSX ----------------------------------------------------------------------------------


def crm_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "参数"
    hidden.append(["内部参数", "勿改"])
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("线索")
    sheet["A1"] = "2024年3月线索导出"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "导出时间: 2024-03-01"
    sheet.append(["线索编号", "客户名称", "创建时间", "首次响应", "金额", "链接"])
    sheet.append(["L001", "王伟", dt.datetime(2024, 3, 1, 14, 5), dt.date(2024, 3, 2), 12800.5,
                  '=HYPERLINK("http://x","y")'])  # fmt: skip
    sheet.append(["L002", "@SUM(A1)", dt.datetime(2024, 3, 2, 9, 0, 30), None, "=1+1", "+cmd"])
    sheet.append(["L003", "李娜", None, dt.time(14, 5), 0.1 + 0.2, True])
    sheet.append(["合计", None, None, None, 12801.3, None])
    book.save(path)
    return path


def test_an_excel_export_with_title_notes_and_totals(tmp_path):
    path = crm_workbook(tmp_path / "leads.xlsx")

    sniffed = sniff(path)

    assert sniffed == SniffResult(
        file_format="xlsx",
        encoding=None,
        delimiter=None,
        header_row=3,
        headers=("线索编号", "客户名称", "创建时间", "首次响应", "金额", "链接"),
        sheet_name="线索",
        skipped_rows_above=2,
        estimated_rows=4,
        column_count=6,
    )
    assert as_rows(read_all(path, sniffed)) == {
        4: {"线索编号": "L001", "客户名称": "王伟", "创建时间": "2024-03-01 14:05:00",
            "首次响应": "2024-03-02", "金额": "12800.5", "链接": '=HYPERLINK("http://x","y")'},
        5: {"线索编号": "L002", "客户名称": "@SUM(A1)", "创建时间": "2024-03-02 09:00:30",
            "首次响应": "", "金额": "=1+1", "链接": "+cmd"},
        6: {"线索编号": "L003", "客户名称": "李娜", "创建时间": "", "首次响应": "14:05:00",
            "金额": "0.3", "链接": "TRUE"},
    }  # fmt: skip


def test_a_formula_with_a_cached_result_gives_what_excel_shows(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>total</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>link</t></is></c></row>'
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c>'
        '<c r="B2" t="str"><f>HYPERLINK("http://x","y")</f><v>y</v></c></row>'
    )
    path = write_workbook(tmp_path / "cached.xlsx", sheet_xml(rows))

    assert as_rows(read_all(path, sniff(path))) == {2: {"total": "2", "link": "y"}}


def test_shared_strings_rich_text_phonetics_and_escapes(tmp_path):
    strings = (
        f'<sst xmlns="{MAIN}"><si><t>名称</t></si><si><t>备注</t></si>'
        "<si><r><t>王</t></r><r><rPr><b/></rPr><t>伟</t></r><rPh><t>wang</t></rPh></si>"
        "<si><t>line_x000D_break &amp; more</t></si></sst>"
    )
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    )
    path = write_workbook(tmp_path / "strings.xlsx", sheet_xml(rows), shared_strings=strings)

    assert as_rows(read_all(path, sniff(path))) == {
        2: {"名称": "王伟", "备注": "line\rbreak & more"}
    }


def test_a_prefixed_namespace_and_cells_without_references(tmp_path):
    rows = (
        "<x:row><x:c t='inlineStr'><x:is><x:t>id</x:t></x:is></x:c>"
        "<x:c t='inlineStr'><x:is><x:t>n</x:t></x:is></x:c></x:row>"
        "<x:row><x:c t='inlineStr'><x:is><x:t>L1</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>"
    )
    path = write_workbook(tmp_path / "prefixed.xlsx", sheet_xml(rows, prefix="x"))

    assert as_rows(read_all(path, sniff(path))) == {2: {"id": "L1", "n": "7"}}


def test_dates_count_from_1904_when_the_workbook_says_so(tmp_path):
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1">'
        '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/>'
        "</cellXfs></styleSheet>"
    )
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>day</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>moment</t></is></c></row>'
        '<row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="2"><v>1.5</v></c></row>'
    )
    path = write_workbook(
        tmp_path / "1904.xlsx",
        sheet_xml(rows),
        styles=styles,
        workbook_properties='<workbookPr date1904="1"/>',
    )

    assert as_rows(read_all(path, sniff(path))) == {
        2: {"day": "1904-01-01", "moment": "1904-01-02 12:00:00"}
    }


def test_a_header_only_workbook_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["线索编号", "客户名称"])
    book.save(tmp_path / "header.xlsx")

    assert refusal(tmp_path / "header.xlsx") == (
        "header_only",
        "The file has a header row but no data rows.",
    )


def test_a_workbook_without_data_is_refused(tmp_path):
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")

    assert refusal(tmp_path / "empty.xlsx") == ("empty", "The workbook has no sheet with data.")


def test_a_workbook_row_with_values_past_the_column_limit_is_a_rejected_row(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_COLUMNS = 3
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c"])
    book.active.append(["1", "2", "3", None, "5"])
    book.active.append(["6", "7", "8"])
    book.save(tmp_path / "wide.xlsx")

    assert rejected_rows(tmp_path / "wide.xlsx") == ([3], [(2, "5 fields; the header has 3")])


def test_a_workbook_row_past_the_sample_wider_than_its_header_is_a_rejected_row(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    for number in range(300):
        book.active.append([f"L{number}", "王伟"])
    book.active.append(["L-wide", "李娜", *["x"] * 40])
    book.save(tmp_path / "wide.xlsx")

    read, rejected = rejected_rows(tmp_path / "wide.xlsx")

    assert (len(read), rejected) == (300, [(302, "42 fields; the header has 2")])


def test_a_workbook_header_wider_than_the_column_limit_is_refused(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_COLUMNS = 3
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c", "d"])
    book.active.append(["1", "2", "3", "4"])
    book.save(tmp_path / "wide.xlsx")

    assert refusal(tmp_path / "wide.xlsx") == (
        "too_many_columns",
        "Row 1 has 4 cells; at most 3 columns are allowed.",
    )


def test_a_decompression_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = write_bomb(tmp_path / "bomb.xlsx", uncompressed_bytes=50 * 2**20)
    member = zipfile.ZipFile(path).getinfo("xl/worksheets/bomb.xml")
    ratio = round(member.file_size / member.compress_size)  # ~400, as this zlib compresses

    with peak_memory() as peak:
        code, message = refusal(path)

    assert (path.stat().st_size < 300_000, ratio > 100) == (True, True)
    assert (code, message) == (
        "compression_ratio",
        f"Part of the Excel file (xl/worksheets/bomb.xml) expands {ratio} times when unpacked, "
        "which only a crafted file does; refusing to read it.",
    )
    assert peak[0] < 5 * 2**20


def test_a_workbook_expanding_past_the_unpacked_limit_is_refused(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_UNPACKED_BYTES = 64 * 2**10
    book = openpyxl.Workbook()
    for number in range(2_000):
        book.active.append([f"L{number}", f"name {number}", number])
    book.save(tmp_path / "big.xlsx")

    assert refusal(tmp_path / "big.xlsx") == (
        "unpacked_too_large",
        "The Excel file expands to more than 64 KB when unpacked; refusing to read it.",
    )


def test_a_member_lying_about_its_size_is_refused_without_inflating_it(tmp_path):
    path = write_workbook(
        tmp_path / "liar.xlsx",
        sheet_xml('<row r="1"><c t="inlineStr"><is><t>id</t></is></c></row>' * 2000),
    )
    data = bytearray(path.read_bytes())
    entry = data.rindex(
        b"PK\x01\x02", 0, data.index(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02")) + 1
    )
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")  # declared uncompressed size
    path.write_bytes(bytes(data))

    code, message = refusal(path)

    assert (code, message.startswith("The Excel file is damaged or not a real workbook (")) == (
        "damaged",
        True,
    )


def test_billion_laughs_in_the_shared_strings_is_refused(tmp_path):
    path = write_billion_laughs(tmp_path / "laughs.xlsx")

    with peak_memory() as peak:
        code, message = refusal(path)

    assert (code, message) == (
        "xml_dtd",
        "The Excel file contains an XML DTD or entity declaration, which Excel never writes; "
        "refusing to read it.",
    )
    assert peak[0] < 5 * 2**20


def test_an_external_entity_in_a_sheet_is_refused(tmp_path):
    path = write_external_entity(tmp_path / "external.xlsx")

    assert refusal(path)[0] == "xml_dtd"


def test_a_crafted_row_number_beyond_excel_grid_is_refused(tmp_path):
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="99999999"><c r="A99999999"><v>1</v></c></row>'
    )
    path = write_workbook(tmp_path / "rows.xlsx", sheet_xml(rows))

    assert refusal(path) == (
        "damaged",
        "The Excel file is damaged or not a real workbook (row 99999999).",
    )


def test_an_xlsb_workbook_is_refused_with_advice(tmp_path):
    path = write_xlsb(tmp_path / "leads.xlsb")

    assert refusal(path) == (
        "xlsb",
        "Excel binary workbooks (.xlsb) are not supported; save the file as .xlsx or CSV.",
    )


def test_an_xlsx_renamed_csv_is_read_as_excel(tmp_path):
    path = crm_workbook(tmp_path / "leads.xlsx").rename(tmp_path / "leads.csv")

    assert sniff(path).file_format == "xlsx"


# --- XLS -----------------------------------------------------------------------------------


def test_an_xls_export_with_a_hidden_sheet_title_and_totals():
    path = FIXTURES / "xls_title_rows_and_totals.xls"

    sniffed = sniff(path)

    assert (sniffed.file_format, sniffed.sheet_name, sniffed.header_row) == ("xls", "线索", 3)
    assert sniffed.headers == ("线索编号", "客户名称", "创建时间", "金额")
    # The formula 1+1 was written without a cached result: nothing is evaluated, so it is empty.
    assert as_rows(read_all(path, sniffed)) == {
        4: {"线索编号": "L001", "客户名称": "王伟", "创建时间": "2024-03-01 14:05:00",
            "金额": "12800.5"},
        5: {"线索编号": "L002", "客户名称": '=HYPERLINK("http://x","y")', "创建时间": "2024-03-02",
            "金额": ""},
    }  # fmt: skip


def test_an_xls_with_a_cell_in_the_far_corner_stays_small():
    path = FIXTURES / "xls_corner_cells.xls"

    with peak_memory() as peak:
        sniffed = sniff(path)
        frame = read_all(path, sniffed)

    assert (sniffed.header_row, sniffed.headers[:3], len(sniffed.headers)) == (
        1,
        ("id", "name", "Column C"),
        256,
    )
    assert frame.index.tolist() == [2, 65536]
    assert peak[0] < 50 * 2**20


def test_a_word_document_is_not_an_excel_workbook(tmp_path):
    path = tmp_path / "leads.xls"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(1024))

    code, message = refusal(path)

    assert (code, message.startswith("This Office file is not a readable Excel workbook (")) == (
        "damaged",
        True,
    )


def test_reads_wait_for_the_consumer_a_few_blocks_ahead_but_never_stall():
    pacer = ReadPacer(block_size=100, blocks_ahead=2, patience=5.0)
    read_on = threading.Event()

    def read_third_block():
        pacer.wait_to_read(200)  # two blocks read already: the third waits
        read_on.set()

    reader = threading.Thread(target=read_third_block)
    reader.start()
    assert not read_on.wait(0.2)
    pacer.took_batch()  # the consumer took a batch: one more block may be read
    assert read_on.wait(2)
    reader.join()

    impatient = ReadPacer(block_size=100, blocks_ahead=1, patience=0.05)
    started = time.perf_counter()
    impatient.wait_to_read(10_000)  # far ahead, nobody consuming: goes on after its patience
    assert time.perf_counter() - started < 1


def test_a_file_of_many_blocks_reads_whole_with_reads_paced(tmp_path, settings):
    settings.SALESOPT_IMPORT_MAX_ROW_BYTES = 2**16  # 64 KB blocks: the file is 40 of them
    rows = "".join(f"L{number:06d},{'王伟' * 30}\n" for number in range(14_000))
    path = write_csv(tmp_path / "long.csv", "id,name\n" + rows)

    frame = read_all(path, sniff(path), chunk_rows=1_000)

    assert (len(frame), frame.index[0], frame.index[-1]) == (14_000, 2, 14_001)
    assert frame["id"].iloc[-1] == "L013999"


SALESFORCE_FOOTER = (
    '\n"Leads with owner"\n'
    '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  Fang Wang  4/1/2024, 3:47 PM"\n'
    '"Huanan Tech Co., Ltd."\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_salesforce_report_footer_is_not_read_as_records(tmp_path, encoding):
    rows = '"Lead ID","Last Name"\n"00Q5g00000A1bCd","Wang"\n"00Q5g00000A1bCe","Li"\n'
    path = tmp_path / "report.csv"
    path.write_bytes((rows + SALESFORCE_FOOTER).encode(encoding))

    sniffed = sniff(path)

    assert sniffed.footer_bytes > 0
    assert sniffed.estimated_rows == 2
    assert rejected_rows(path) == ([2, 3], [])


def test_a_salesforce_footer_past_the_sniffed_head_is_cut_off(tmp_path, monkeypatch):
    monkeypatch.setattr(content_module, "SNIFF_BYTES", 64)
    rows = "".join(f'"L{n}","Wang"\n' for n in range(50))
    path = write_csv(tmp_path / "report.csv", '"Lead ID","Last Name"\n' + rows + SALESFORCE_FOOTER)

    read, rejected = rejected_rows(path)

    assert (len(read), rejected) == (50, [])


def test_lines_after_a_blank_line_without_salesforces_marks_are_records(tmp_path):
    path = write_csv(tmp_path / "leads.csv", "id,name\nL1,a\n\nL2\nL3\n")

    assert sniff(path).footer_bytes == 0
    assert rejected_rows(path)[0] == [2, 4, 5]


def test_an_xls_row_with_values_past_its_header_is_a_rejected_row(settings):
    settings.SALESOPT_IMPORT_MAX_COLUMNS = 10  # the row's 42 fields are past the limit

    assert rejected_rows(FIXTURES / "xls_wide_row.xls") == (
        [2, 4],
        [(3, "42 fields; the header has 2")],
    )
