"""A goal's small chart: the monthly figures since tracking began, the baseline, the target
and the trajectory to the deadline."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from salesopt.core.charts import render
from salesopt.kpis.catalog import METRICS, Unit

from .models import Goal
from .progress import GoalProgress

BLUE, ORANGE, GREY = "#2f6fde", "#e07b39", "#9aa5b1"


def goal_chart(goal: Goal, progress: GoalProgress) -> str:
    scale = 100.0 if METRICS[goal.metric].unit == Unit.RATIO else 1.0
    labels = [label for label, _value in progress.months]
    values = [None if value is None else value * scale for _label, value in progress.months]
    deadline = f"{goal.deadline:%Y-%m}"
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=labels, y=values, mode="lines+markers", name=_("Actual"), line={"color": BLUE})
    )
    # Months as categories, from the first tracked month to the deadline's.
    axis = (labels or [f"{progress.tracked_from:%Y-%m}"]) + (
        [deadline] if deadline not in labels else []
    )
    if axis:
        for value, name, colour in (
            (goal.baseline_value, _("Baseline"), GREY),
            (goal.target_value, _("Target"), ORANGE),
        ):
            figure.add_trace(
                go.Scatter(
                    x=[axis[0], axis[-1]],
                    y=[value * scale] * 2,
                    mode="lines",
                    name=name,
                    line={"color": colour, "dash": "dot"},
                )
            )
    if progress.projected is not None and labels:
        last = next((v for v in reversed(values) if v is not None), None)
        figure.add_trace(
            go.Scatter(
                x=[labels[-1], deadline],
                y=[last, progress.projected * scale],
                mode="lines",
                name=_("Trajectory"),
                line={"color": BLUE, "dash": "dash"},
            )
        )
    return render(
        figure,
        element_id=f"goal-chart-{goal.pk}",
        layout={
            "height": 200,
            "margin": {"l": 36, "r": 8, "t": 8, "b": 28},
            "showlegend": False,
            "xaxis": {"type": "category"},
        },
        mode_bar=False,
    )
