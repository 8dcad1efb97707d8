"""How KPI figures leave the engine: numbers for JSON and for text tables."""

from __future__ import annotations

from decimal import Decimal


def number(value: Decimal | float | None) -> int | float | None:
    """A count stays an integer (27, not 27.000000); anything else becomes a float."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def display(value: Decimal | float | None) -> str:
    """A figure for a text table: "—" when there is none (a zero denominator), never 0."""
    if value is None:
        return "—"
    figure = float(value)
    if figure.is_integer():
        return f"{figure:,.0f}"
    return f"{figure:,.4f}".rstrip("0").rstrip(".")
