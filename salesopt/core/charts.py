"""Plotly figures for core pages: pure functions from selector output to HTML."""

from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .selectors import MonthlyRevenue

BRAND_COLOURS = {"revenue": "#2f6fde", "target": "#e07b39"}


def render(figure: go.Figure, *, element_id: str) -> str:
    """The figure as a <div> that uses our own plotly.js (loaded once by the base template)."""
    figure.update_layout(
        margin={"l": 40, "r": 16, "t": 24, "b": 40},
        height=320,
        font={"family": "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#e9edf3")
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )


def money_axis() -> tuple[float, str]:
    """Divisor and axis title for amounts: 万元 for Chinese readers, ¥ for English ones."""
    if (get_language() or "").startswith("zh"):
        return 1e4, "万元"
    return 1.0, "¥"


def revenue_vs_target(months: Sequence[MonthlyRevenue]) -> str:
    labels = [date_format(month.month, "YEAR_MONTH_FORMAT") for month in months]
    divisor, unit = money_axis()
    figure = go.Figure()
    figure.update_yaxes(title_text=unit)
    figure.add_bar(
        x=labels,
        y=[float(month.revenue) / divisor for month in months],
        name=_("Revenue"),
        marker_color=BRAND_COLOURS["revenue"],
    )
    figure.add_scatter(
        x=labels,
        y=[float(month.target) / divisor if month.target is not None else None for month in months],
        name=_("Target"),
        mode="lines+markers",
        line={"color": BRAND_COLOURS["target"], "width": 2},
    )
    return render(figure, element_id="chart-revenue-vs-target")
