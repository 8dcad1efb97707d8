"""Coercers: every format the exports use, exact values worked out by hand, blanks and errors.

Asia/Shanghai is UTC+8 all year: 2024-03-01 14:05 there is 2024-03-01 06:05 UTC, and midnight
of 2024-03-01 is 2024-02-29 16:00 UTC. America/New_York is UTC-5 in winter (EST) and UTC-4 in
summer (EDT).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from salesopt.imports import coercers as coercers_module
from salesopt.imports.coercers import (
    clean_text,
    coerce_choice,
    coerce_company_size,
    coerce_date,
    coerce_datetime,
    coerce_decimal,
    coerce_field,
    coerce_integer,
    coerce_percent,
)
from salesopt.imports.presets.values import LEAD_STATUS
from salesopt.imports.schema import COMPANY_SIZES, LEAD_STATUSES, SCHEMAS, RecordKind

SHANGHAI = "Asia/Shanghai"


def column(*cells: str) -> pd.Series:
    return pd.Series(cells, dtype="str")


def plain(values: pd.Series) -> list[object]:
    """Values with every kind of blank (NaN, NaT, <NA>) as None, for exact comparisons."""
    return [None if pd.isna(value) else value for value in values.tolist()]


def reasons(errors: pd.Series) -> list[str | None]:
    return [None if error is None else str(error) for error in errors]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# ---------------------------------------------------------------------------------------------
# Dates and times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T14:05:00Z", utc("2024-03-01 14:05")),
        ("2024-03-01T14:05:00.250Z", utc("2024-03-01 14:05:00.250")),
        ("2024-03-01T14:05:00+08:00", utc("2024-03-01 06:05")),
        ("2024-03-01 14:05:00 +0100", utc("2024-03-01 13:05")),
        ("2024-03-01T14:05:00", utc("2024-03-01 06:05")),
        ("2024-03-01 14:05", utc("2024-03-01 06:05")),
        ("2024-03-01 14:05:05", utc("2024-03-01 06:05:05")),
        ("2024-03-01", utc("2024-02-29 16:00")),
        ("2024-3-1 14:05", utc("2024-03-01 06:05")),
        ("3/1/2024 2:05 PM", utc("2024-03-01 06:05")),
        # Salesforce en_US since Spring '24 (ICU): a comma after the date; newer CLDR data puts
        # a narrow no-break space before PM.
        ("4/1/2024, 3:47 PM", utc("2024-04-01 07:47")),
        ("4/1/2024, 3:47\u202fPM", utc("2024-04-01 07:47")),
        ("12/31/2024, 11:59 PM", utc("2024-12-31 15:59")),
        ("3/1/2024 2:05:30 AM", utc("2024-02-29 18:05:30")),
        ("3/1/2024 14:05", utc("2024-03-01 06:05")),
        ("3/1/2024 12:05 AM", utc("2024-02-29 16:05")),
        ("3/1/2024 12:05 PM", utc("2024-03-01 04:05")),
        ("2024/3/1 2:05 pm", utc("2024-03-01 06:05")),
        ("3/1/2024", utc("2024-02-29 16:00")),
        ("2024/3/1 14:05", utc("2024-03-01 06:05")),
        ("2024/03/01 14:05:05", utc("2024-03-01 06:05:05")),
        ("2024/3/1", utc("2024-02-29 16:00")),
        ("2024/3/1 下午2:05", utc("2024-03-01 06:05")),
        ("2024/3/1 上午9:30", utc("2024-03-01 01:30")),
        ("2024年3月1日", utc("2024-02-29 16:00")),
        ("2024年3月1日 14:05", utc("2024-03-01 06:05")),
        ("2024年3月1日14时05分", utc("2024-03-01 06:05")),
        ("2024.03.01", utc("2024-02-29 16:00")),
        ("2024.3.1 14:05", utc("2024-03-01 06:05")),
        ("20240301", utc("2024-02-29 16:00")),
        ("２０２４－０３－０１　１４：０５", utc("2024-03-01 06:05")),
        ("  2024-03-01  14:05  ", utc("2024-03-01 06:05")),
        ("45352.5868", utc("2024-03-01 06:05")),  # 14:04:59.52 to the nearest second
        ("45352", utc("2024-02-29 16:00")),
        ("1709273100000", utc("2024-03-01 06:05")),  # epoch milliseconds are UTC
        ("1709273100", utc("2024-03-01 06:05")),
    ],
)
def test_datetimes_in_every_export_format_become_aware_utc(text, expected):
    coerced = coerce_datetime(column(text), zone=SHANGHAI)

    assert (plain(coerced.values), reasons(coerced.errors)) == ([expected], [None])


def test_one_salesforce_export_with_both_date_time_shapes_reads_every_cell():
    # An org that switched to ICU formats mid-way: older rows without the comma, newer with.
    coerced = coerce_datetime(
        column(
            "4/1/2024 3:47 PM", "4/1/2024, 3:47 PM", "11/15/2023 9:05 AM", "11/15/2023, 9:05 AM"
        ),
        zone=SHANGHAI,
    )

    assert reasons(coerced.errors) == [None] * 4
    assert plain(coerced.values) == [utc("2024-04-01 07:47")] * 2 + [utc("2023-11-15 01:05")] * 2


def test_the_result_is_a_utc_datetime_column():
    assert str(coerce_datetime(column("2024-03-01"), zone=SHANGHAI).values.dtype) == (
        "datetime64[us, UTC]"
    )


def test_day_first_reads_slashed_dates_day_month_year():
    coerced = coerce_datetime(
        column("1/3/2024 2:05 PM", "13/3/2024"), zone=SHANGHAI, day_first=True
    )

    assert plain(coerced.values) == [utc("2024-03-01 06:05"), utc("2024-03-12 16:00")]


def test_naive_times_are_read_in_the_zone_given_with_its_daylight_saving():
    coerced = coerce_datetime(
        column("2024-03-01 14:05", "2024-07-01 14:05"), zone="America/New_York"
    )

    assert plain(coerced.values) == [utc("2024-03-01 19:05"), utc("2024-07-01 18:05")]


def test_a_time_on_a_daylight_saving_edge_is_read_not_refused():
    coerced = coerce_datetime(
        column("2024-11-03 01:30", "2024-03-10 02:30"), zone="America/New_York"
    )

    # 01:30 happens twice on 3 Nov: read as standard time; 02:30 never happens on 10 Mar.
    assert plain(coerced.values) == [utc("2024-11-03 06:30"), utc("2024-03-10 07:00")]


def test_a_column_of_common_iso_shapes_reads_as_each_cell_alone_does():
    # Whole columns of 2024-03-01[ 14:05[:00]] take a fast path; a single cell, a column with
    # one odd cell and the careful readers must agree with it, DST edges included.
    cells = ["2024-11-03 01:30:00", "2024-03-10 02:30", "2024-03-01", "2024-07-01T23:59:59",
             "", "2024-12-31 00:00"]  # fmt: skip
    zone = "America/New_York"

    whole = coerce_datetime(column(*cells), zone=zone)
    each = [coerce_datetime(column(cell, "odd cell"), zone=zone).values.iloc[0] for cell in cells]

    assert plain(whole.values) == [None if pd.isna(value) else value for value in each]
    assert plain(whole.values)[:3] == [utc("2024-11-03 06:30"), utc("2024-03-10 07:00"),
                                       utc("2024-03-01 05:00")]  # fmt: skip
    assert reasons(whole.errors) == [None] * 6


def test_an_impossible_day_among_common_shapes_is_refused_not_rolled_over():
    coerced = coerce_datetime(column("2024-02-29 10:00:00", "2023-02-29 10:00:00"), zone="UTC")

    assert plain(coerced.values) == [utc("2024-02-29 10:00"), None]
    assert reasons(coerced.errors) == [
        None,
        "not a date we recognise (expected e.g. 2024-03-01 14:05)",
    ]


def test_years_outside_the_common_range_are_still_read():
    coerced = coerce_date(column("1899-12-31", "2024-03-01"), zone="UTC")

    assert plain(coerced.values) == [pd.Timestamp("1899-12-31"), pd.Timestamp("2024-03-01")]


def test_blank_datetimes_stay_blank_and_unreadable_ones_carry_a_reason():
    cells = column("", "  ", "abc", "2024-02-30", "2024-13-01 10:00", "3/1/2024 0:30 PM")

    coerced = coerce_datetime(cells, zone=SHANGHAI)

    unreadable = "not a date we recognise (expected e.g. 2024-03-01 14:05)"
    assert plain(coerced.values) == [None] * 6
    assert reasons(coerced.errors) == [None, None, unreadable, unreadable, unreadable, unreadable]


def test_missing_cells_are_blank_like_empty_strings():
    coerced = coerce_datetime(pd.Series(["2024-03-01", None]), zone=SHANGHAI)

    assert (plain(coerced.values), reasons(coerced.errors)) == (
        [utc("2024-02-29 16:00"), None],
        [None, None],
    )


def test_values_keep_the_index_of_the_input():
    coerced = coerce_datetime(pd.Series(["2024-03-01", "x"], index=[10, 10]), zone=SHANGHAI)

    assert (list(coerced.values.index), list(coerced.errors.index)) == ([10, 10], [10, 10])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", "2024-03-01"),
        ("2024-03-01 23:59", "2024-03-01"),
        ("2024/3/1", "2024-03-01"),
        ("2024年3月1日", "2024-03-01"),
        ("3/1/2024", "2024-03-01"),
        ("45352.99", "2024-03-01"),
        ("2024-03-01T20:00:00Z", "2024-03-02"),  # 04:00 on 2 March in Shanghai
    ],
)
def test_dates_drop_the_time_of_day(text, expected):
    coerced = coerce_date(column(text), zone=SHANGHAI)

    assert (plain(coerced.values), reasons(coerced.errors)) == ([pd.Timestamp(expected)], [None])


def test_unreadable_dates_carry_a_reason():
    coerced = coerce_date(column("soon", ""), zone=SHANGHAI)

    assert reasons(coerced.errors) == ["not a date we recognise (expected e.g. 2024-03-01)", None]


# ---------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥12,800.00", 12800.0),
        ("￥12,800.00", 12800.0),
        ("$1,200", 1200.0),
        ("US$1,200.5", 1200.5),
        ("RMB 3,000", 3000.0),
        ("12800元", 12800.0),
        ("1.5万", 15000.0),
        ("1.5万元", 15000.0),
        ("¥1.23456万", 12345.6),
        ("2亿", 200000000.0),
        ("3千", 3000.0),
        ("(300.00)", -300.0),
        ("（300.00）", -300.0),
        ("-1,200.50", -1200.5),
        ("-¥300", -300.0),
        ("¥-300", -300.0),
        ("+45", 45.0),
        ("0", 0.0),
        ("0.005", 0.01),  # half away from zero, exactly, not binary-float rounding
        ("-0.005", -0.01),
        ("2.675", 2.68),
        ("1,234", 1234.0),  # a comma and three digits group thousands
        ("12,80", 12.8),  # a comma and two digits cannot group thousands: decimal comma
        ("12 800,00", 12800.0),
        ("1.234.567,89", 1234567.89),
        ("１２，８００．００", 12800.0),
        ("999,999,999,999.99", 999999999999.99),
    ],
)
def test_amounts_in_every_export_format(text, expected):
    coerced = coerce_decimal(column(text))

    assert (plain(coerced.values), reasons(coerced.errors)) == ([expected], [None])


def test_amounts_print_with_exactly_two_decimals():
    values = coerce_decimal(column("999,999,999,999.99", "0.1", "1.5万")).values

    assert [f"{value:.2f}" for value in values] == ["999999999999.99", "0.10", "15000.00"]


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12,3456", "1,2,3", "--5", "¥", "1.5万万", "5%"])
def test_text_that_is_not_an_amount_is_refused(text):
    coerced = coerce_decimal(column(text))

    assert (plain(coerced.values), reasons(coerced.errors)) == (
        [None],
        ["not an amount (expected e.g. 12,800.00 or 1.5万)"],
    )


@pytest.mark.parametrize("text", ["1,000,000,000,000", "999999999999.995", "1万亿", "10001亿"])
def test_amounts_beyond_the_models_fourteen_digits_are_refused(text):
    coerced = coerce_decimal(column(text))

    assert (plain(coerced.values), reasons(coerced.errors)) == (
        [None],
        ["amount too large (at most 999,999,999,999.99)"],
    )


def test_blank_amounts_stay_blank():
    coerced = coerce_decimal(pd.Series(["", "  ", None]))

    assert (plain(coerced.values), reasons(coerced.errors)) == ([None] * 3, [None] * 3)


# ---------------------------------------------------------------------------------------------
# Percentages and whole numbers


def test_percent_signs_and_plain_numbers_are_percentages():
    coerced = coerce_percent(column("35%", "35", "12.5 %", "100", "0", "", "３５％"))

    assert plain(coerced.values) == [35.0, 35.0, 12.5, 100.0, 0.0, None, 35.0]


def test_a_column_of_fractions_is_read_as_fractions():
    coerced = coerce_percent(column("0.35", "1", "0", "60%"))

    assert plain(coerced.values) == [35.0, 100.0, 0.0, 60.0]


def test_percentages_outside_0_to_100_and_non_numbers_are_refused():
    coerced = coerce_percent(column("150%", "-5", "high", "12"))

    assert reasons(coerced.errors) == [
        "not a percentage between 0 and 100",
        "not a percentage between 0 and 100",
        "not a percentage (expected e.g. 35%, 0.35)",
        None,
    ]


def test_whole_numbers():
    coerced = coerce_integer(column("12", "1,200", "3.0", "-4", "+5", "", "４"))

    assert plain(coerced.values) == [12, 1200, 3, -4, 5, None, 4]
    assert str(coerced.values.dtype) == "Int64"


def test_fractions_and_words_are_not_whole_numbers():
    coerced = coerce_integer(column("3.5", "five", "1,20"))

    assert reasons(coerced.errors) == ["not a whole number"] * 3


# ---------------------------------------------------------------------------------------------
# Choices


def test_choices_go_through_the_value_map_ignoring_case_and_spacing():
    coerced = coerce_choice(
        column("Open - Not Contacted", "open – not contacted", "  WORKING -  CONTACTED ", ""),
        {"Open - Not Contacted": "new", "Working - Contacted": "contacted"},
        LEAD_STATUSES,
    )

    assert (plain(coerced.values), reasons(coerced.errors)) == (
        ["new", "new", "contacted", None],
        [None] * 4,
    )


def test_canonical_codes_and_generic_chinese_names_are_accepted():
    coerced = coerce_choice(column("Qualified", "已联系", "无效"), LEAD_STATUS, LEAD_STATUSES)

    assert plain(coerced.values) == ["qualified", "contacted", "lost"]


def test_a_value_no_map_knows_is_refused_with_the_choices():
    coerced = coerce_choice(column("Nurturing", "new"), {}, LEAD_STATUSES)

    assert (plain(coerced.values), reasons(coerced.errors)) == (
        [None, "new"],
        ["not one of: new, contacted, qualified, converted, lost", None],
    )


def test_head_counts_fall_into_company_size_bands_and_words_use_the_map():
    coerced = coerce_company_size(
        column(
            "49", "50", "499", "500", "1,999", "2000", "100-499人", "10000人以上", "中型", "", "?"
        ),
        {"中型": "medium"},
        COMPANY_SIZES,
    )

    assert plain(coerced.values) == [
        "small", "medium", "medium", "large", "large", "enterprise", "medium", "enterprise",
        "medium", None, None,
    ]  # fmt: skip
    assert reasons(coerced.errors)[-1] == "not one of: small, medium, large, enterprise"


# ---------------------------------------------------------------------------------------------
# Free text


def test_text_is_stripped_and_inner_whitespace_collapsed():
    coerced = clean_text(
        column("  Huanan   Tech ", "line\none\ttab", "全角\u3000空格", "nul\x00byte", ""), 200
    )

    assert plain(coerced.values) == ["Huanan Tech", "line one tab", "全角 空格", "nulbyte", None]


def test_control_characters_go_before_whitespace_is_collapsed():
    # A control character between spaces leaves two spaces behind: they become one.
    cells = column("a \x07 b", "\x0bx\x0c", "no\u00a0break", "bell\x07", "\x1f\u3000\x1f")

    assert plain(clean_text(cells, 200).values) == ["a b", "x", "no break", "bell", None]


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3"],
)
def test_formula_like_text_is_kept_verbatim(text):
    coerced = clean_text(column(text), 200)

    assert (plain(coerced.values), reasons(coerced.errors)) == ([text], [None])


def test_text_longer_than_the_field_allows_is_refused():
    coerced = clean_text(column("x" * 5, "x" * 4, "王" * 5), 4)

    assert plain(coerced.values) == [None, "xxxx", None]
    assert reasons(coerced.errors) == ["longer than 4 characters", None, "longer than 4 characters"]


# ---------------------------------------------------------------------------------------------
# Picking the coercer a field needs


@pytest.mark.parametrize(
    ("field_name", "text", "expected"),
    [
        ("created_at", "2024/3/1 14:05", utc("2024-03-01 06:05")),
        ("expected_close", "2024年5月31日", pd.Timestamp("2024-05-31")),
        ("amount", "58万", 580000.0),
        ("probability", "60%", 60.0),
        ("stage", "Closed Won", "won"),
        ("name", "  华南科技  ", "华南科技"),
        ("owner", "wang.fang@example.com", "wang.fang@example.com"),
    ],
)
def test_coerce_field_picks_the_coercer_of_the_field_type(field_name, text, expected):
    field = SCHEMAS[RecordKind.OPPORTUNITY].field(field_name)

    coerced = coerce_field(column(text), field, zone=SHANGHAI, value_map={"Closed Won": "won"})

    assert plain(coerced.values) == [expected]


def test_coerce_field_reads_head_counts_for_company_size():
    field = SCHEMAS[RecordKind.CUSTOMER].field("company_size")

    assert plain(coerce_field(column("250"), field, zone=SHANGHAI).values) == ["medium"]


def test_coerce_field_reads_satisfaction_as_a_whole_number():
    field = SCHEMAS[RecordKind.COMPLAINT].field("satisfaction")

    assert plain(coerce_field(column("4"), field, zone=SHANGHAI).values) == [4]


def test_repeated_free_text_is_cleaned_once_per_value_with_the_same_result_per_cell():
    # Over half the cells repeat: each distinct value is cleaned once and given back to its
    # rows, blanks, problems and a row index that does not start at 0 included.
    field = SCHEMAS[RecordKind.LEAD].field("campaign")
    too_long = "春" * 200
    spring = "2024春季活动"
    cells = [f"  {spring} ", spring, "", too_long, "a\x00b", spring, too_long, ""]
    series = pd.Series(cells, dtype="str", index=range(5, 5 + len(cells)))

    coerced = coerce_field(series, field, zone=SHANGHAI)
    cell_by_cell = clean_text(series, field.max_length)

    assert plain(coerced.values) == plain(cell_by_cell.values)
    assert plain(coerced.values)[:3] == [spring, spring, None]
    assert list(coerced.values.index) == list(series.index)
    assert coerced.errors.tolist() == cell_by_cell.errors.tolist()
    assert coerced.failed.tolist() == [False, False, False, True, False, False, True, False]


def test_a_memo_carries_coerced_values_across_chunks_with_the_same_results(monkeypatch):
    # The memo of a column keeps what earlier chunks coerced; once full, new values are still
    # coerced, only not remembered. Every chunk's result equals a coercion without memo.
    monkeypatch.setattr(coercers_module, "MEMO_SIZE", 5)
    field = SCHEMAS[RecordKind.LEAD].field("status")
    chunks = [
        pd.Series(["New", " contacted ", "", "Lost"], dtype="str", index=range(2, 6)),
        pd.Series(["new", "Lost", "bogus", "New"], dtype="str", index=range(6, 10)),
        pd.Series(["Qualified", "bogus", "New", "Converted"], dtype="str", index=range(10, 14)),
    ]
    memo: dict = {}

    for chunk in chunks:
        remembered = coerce_field(chunk, field, zone=SHANGHAI, value_map=LEAD_STATUS, memo=memo)
        fresh = coerce_field(chunk, field, zone=SHANGHAI, value_map=LEAD_STATUS)

        assert plain(remembered.values) == plain(fresh.values)
        assert list(remembered.values.index) == list(chunk.index)
        assert reasons(remembered.errors) == reasons(fresh.errors)
    assert sorted(memo) == ["", " contacted ", "Lost", "New"]  # the first chunk filled it
    assert plain(remembered.values) == ["qualified", None, "new", "converted"]


def test_a_column_read_in_several_arrow_chunks_coerces_as_one():
    # The reader's columns may arrive as several Arrow arrays; codes must share one dictionary.
    text = pa.large_string()
    arrays = [pa.array(["华南", "华东"], text), pa.array(["华东", "西南", "华南"], text)]
    chunked = pa.table({"region": pa.chunked_array(arrays)}).to_pandas(
        types_mapper=lambda _type: pd.StringDtype("pyarrow", na_value=float("nan"))
    )["region"]
    field = SCHEMAS[RecordKind.LEAD].field("region")

    coerced = coerce_field(chunked, field, zone=SHANGHAI, memo={})

    assert plain(coerced.values) == ["华南", "华东", "华东", "西南", "华南"]
