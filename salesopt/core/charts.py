"""Shared Plotly helpers: our layout, our own plotly.js, amounts in the reader's units."""

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.translation import get_language

BRAND_COLOURS = {"revenue": "#2f6fde", "target": "#e07b39"}


HOUSE_LAYOUT = {
    "margin": {"l": 40, "r": 16, "t": 24, "b": 40},
    "height": 320,
    "font": {"family": "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"},
    "legend": {"orientation": "h", "y": -0.18},
    "plot_bgcolor": "white",
    "paper_bgcolor": "white",
}
HOUSE_AXES = {"xaxis": {"showgrid": False}, "yaxis": {"gridcolor": "#e9edf3"}}


def render(
    figure: go.Figure, *, element_id: str, layout: dict | None = None, mode_bar: bool = True
) -> str:
    """The figure in the house style (then `layout` over it), as a <div> that uses our own
    plotly.js (loaded once by the base template).

    The style is merged into the figure's plain dict rather than through `update_layout`:
    Plotly validates every nested update, which cost 20 ms a chart (a dashboard has eight).
    """
    spec = figure.to_plotly_json()
    spec_layout = spec.setdefault("layout", {})
    merge(spec_layout, HOUSE_LAYOUT)
    for prefix, style in HOUSE_AXES.items():
        for axis in [key for key in spec_layout if key.startswith(prefix)] or [prefix]:
            merge(spec_layout.setdefault(axis, {}), style)
    merge(spec_layout, layout or {})
    config = {"displaylogo": False, "responsive": True}
    if not mode_bar:
        config["displayModeBar"] = False
    return pio.to_html(
        spec,
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config=config,
        validate=False,
    )


def merge(target: dict, update: dict) -> None:
    """Nested dicts of `update` merged into `target`'s (as Plotly's update_layout does)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value


def money_axis() -> tuple[float, str]:
    """Divisor and axis title for amounts: 万元 for Chinese readers, ¥ for English ones."""
    if (get_language() or "").startswith("zh"):
        return 1e4, "万元"
    return 1.0, "¥"
