"""Shared Plotly helpers: our layout, our own plotly.js, amounts in the reader's units."""

import plotly.graph_objects as go
from django.utils.translation import get_language

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
