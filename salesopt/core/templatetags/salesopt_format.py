"""Numbers as a sales manager reads them: ¥ with 万/亿 in Chinese, K/M in English, "—" for none."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()

EMPTY = "—"


def _is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


@register.filter
def money(value: Decimal | float | int | None) -> str:
    """¥128.50万 / ¥1.29亿 in Chinese, ¥1.29M / ¥99,999 in English; "—" for None."""
    if value is None:
        return EMPTY
    amount = float(value)
    symbol = settings.SALESOPT_CURRENCY_SYMBOL
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    # Chinese readers count in 万 and 亿; English readers in millions and billions.
    steps = [(1e8, "亿"), (1e4, "万")] if _is_chinese() else [(1e9, "B"), (1e6, "M")]
    for size, suffix in steps:
        if amount >= size:
            return f"{sign}{symbol}{number_format(amount / size, 2, use_l10n=True)}{suffix}"
    return f"{sign}{symbol}{number_format(amount, 0, use_l10n=True, force_grouping=True)}"


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.917 → 91.7%; None (a zero denominator) → "—", never a fake 0%."""
    if value is None:
        return EMPTY
    return f"{number_format(value * 100, digits, use_l10n=True)}%"


@register.filter
def count(value: int | None) -> str:
    """A count with the locale's grouping; "—" for None."""
    if value is None:
        return EMPTY
    return number_format(value, 0, use_l10n=True, force_grouping=True)
