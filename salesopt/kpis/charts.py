"""Plotly figures of the overview page: pure functions from selector output to HTML."""

from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from salesopt.core.charts import BRAND_COLOURS, money_axis, month_label, render

from .overview import MonthlyRevenue


def revenue_vs_target(months: Sequence[MonthlyRevenue]) -> str:
    labels = [month_label(month.month) for month in months]
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
    # Angled, on an axis that makes room for them: twelve month names side by side overlap.
    figure.update_xaxes(type="category", tickangle=-45, automargin=True)
    # The legend above the plot, out of the way of the angled labels.
    layout = {
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},
        "margin": {"t": 48, "b": 64},
    }
    return render(figure, element_id="chart-revenue-vs-target", layout=layout)
