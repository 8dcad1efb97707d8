"""How KPI figures leave the engine: snapshot fields per dimension, numbers for JSON and text."""

from __future__ import annotations

from decimal import Decimal

from .catalog import Dimension

DIMENSION_FIELDS: dict[Dimension, str] = {
    Dimension.REGION: "region_id",
    Dimension.PRODUCT_LINE: "product_line_id",
    Dimension.TEAM: "team_id",
    Dimension.REP: "rep_id",
    Dimension.GRADE: "grade",
}


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
