"""Numbers as managers read them, in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation

from salesopt.core.templatetags.salesopt_format import count, money, percent


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", Decimal("99999"), "¥99,999"),
        ("en", Decimal("1650000"), "¥1.65M"),
        ("en", Decimal("-300"), "-¥300"),
        ("zh-hans", Decimal("1650000"), "¥165.00万"),
        ("zh-hans", Decimal("500000000"), "¥5.00亿"),
        ("zh-hans", Decimal("9800"), "¥9800"),  # Django groups Chinese numbers by 4 digits
        ("en", None, "—"),
    ],
)
def test_money(language, value, expected):
    with translation.override(language):
        assert money(value) == expected


def test_percent_shows_a_dash_for_a_zero_denominator():
    assert percent(None) == "—"
    assert percent(0.917) == "91.7%"


def test_count_groups_thousands():
    with translation.override("en"):
        assert count(30512) == "30,512"
    assert count(None) == "—"
