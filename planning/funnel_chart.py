"""The funnel chart: deals per stage, each bar with its share of the stage before it."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from salesopt.core.charts import render

from .funnel import Funnel

BLUE, GREEN = "#2f6fde", "#2e9e5b"


def funnel_chart(funnel: Funnel) -> str:
    steps = funnel.steps
    figure = go.Figure(
        go.Funnel(
            y=[step.label for step in steps],
            x=[step.reached for step in steps],
            textinfo="value+percent previous",
            marker={"color": [BLUE] * (len(steps) - 1) + [GREEN]},
            connector={"line": {"color": "#c8d1dc"}},
            hovertemplate=_("%{y}: %{x} deals (%{percentPrevious:.0%} of the stage before)")
            + "<extra></extra>",
        )
    )
    return render(
        figure,
        element_id="chart-funnel",
        layout={
            "height": 360,
            "margin": {"l": 120, "r": 24, "t": 16, "b": 24},
            "showlegend": False,
            "yaxis": {"gridcolor": "white"},
        },
    )
