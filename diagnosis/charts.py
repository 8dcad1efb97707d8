"""Plotly figures of the baseline dashboard: pure functions from a chart's table to HTML."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
from django.conf import settings
from django.utils.translation import gettext as _

from salesopt.core.charts import hour_axis, money_axis, render, round_axis

from .dashboard import ChartData

BLUE, ORANGE, GREY, RED = "#2f6fde", "#e07b39", "#9aa5b1", "#d64545"


def _element_id(chart: ChartData) -> str:
    return f"chart-{chart.key}"


def funnel(chart: ChartData) -> go.Figure:
    return go.Figure(
        go.Funnel(
            y=[row[0] for row in chart.rows],
            x=[row[1] for row in chart.rows],
            marker={"color": BLUE},
            # Whole counts with thousands separators ("616,248", not Plotly's "616.248k").
            texttemplate="%{value:,}<br>%{percentInitial:.0%}",
        )
    )


def _heatmap(chart: ChartData) -> go.Figure:
    names = list(dict.fromkeys(row[0] for row in chart.rows))
    periods = list(dict.fromkeys(row[1] for row in chart.rows))
    cells = {(row[0], row[1]): row[2] for row in chart.rows}
    z = [[cells.get((name, period)) for period in periods] for name in names]
    figure = go.Figure(
        go.Heatmap(
            x=periods,
            y=names,
            z=[[None if value is None else value * 100 for value in line] for line in z],
            colorscale="RdYlGn",
            zmid=100,
            zmin=60,
            zmax=120,
            colorbar={"title": "%"},
            hovertemplate="%{y} %{x}: %{z:.1f}%<extra></extra>",
        )
    )
    figure.update_xaxes(type="category")
    return figure


def trends(chart: ChartData) -> go.Figure:
    months = [row[0] for row in chart.rows]
    divisor, unit = money_axis()
    figure = go.Figure()
    figure.add_scatter(
        x=months,
        y=[None if row[1] is None else row[1] * 100 for row in chart.rows],
        name=_("Lead conversion rate"),
        line={"color": BLUE},
    )
    figure.add_scatter(
        x=months,
        y=[None if row[3] is None else row[3] * 100 for row in chart.rows],
        name=_("Repurchase rate"),
        line={"color": GREY},
    )
    figure.add_bar(
        x=months,
        y=[None if row[2] is None else row[2] / divisor for row in chart.rows],
        name=_("Average order value"),
        marker_color=ORANGE,
        opacity=0.45,
        yaxis="y2",
    )
    order_values = [None if row[2] is None else row[2] / divisor for row in chart.rows]
    figure.update_layout(
        yaxis={"title": "%", "rangemode": "tozero"},
        yaxis2={
            "title": unit,
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            **round_axis(order_values),
        },
    )
    figure.update_xaxes(type="category")
    return figure


def response_by_grade(chart: ChartData) -> go.Figure:
    figure = go.Figure()
    grades = list(dict.fromkeys(row[0] for row in chart.rows))
    colours = [RED, ORANGE, BLUE, GREY]
    for index, grade in enumerate(grades):
        lines = [row for row in chart.rows if row[0] == grade]
        colour = colours[index % len(colours)]
        figure.add_scatter(
            x=[row[1] for row in lines],
            y=[row[2] for row in lines],
            name=_("Grade %(grade)s") % {"grade": grade},
            line={"color": colour},
        )
        if lines and lines[0][3] is not None:
            figure.add_scatter(
                x=[row[1] for row in lines],
                y=[row[3] for row in lines],
                name=_("Grade %(grade)s deadline") % {"grade": grade},
                line={"color": colour, "dash": "dot", "width": 1},
                mode="lines",
            )
    deadlines = {
        grade: float(hours)
        for grade, hours in settings.SALESOPT_GRADE_SLA_HOURS.items()
        if grade in grades
    }
    figure.update_layout(yaxis={"title": _("hours"), **hour_axis(
        [row[2] for row in chart.rows], deadlines)})  # fmt: skip
    figure.update_xaxes(type="category")
    return figure


def response_by_region(chart: ChartData) -> go.Figure:
    figure = go.Figure()
    regions = [row[0] for row in chart.rows]
    figure.add_bar(x=regions, y=[row[1] for row in chart.rows], name=_("Median hours"))
    figure.add_scatter(
        x=regions,
        y=[None if row[2] is None else row[2] * 100 for row in chart.rows],
        name=_("Deadline breach rate"),
        mode="markers",
        marker={"color": RED, "size": 12},
        yaxis="y2",
    )
    figure.update_traces(marker_color=BLUE, selector={"type": "bar"})
    figure.update_layout(
        yaxis={"title": _("hours"), **round_axis(row[1] for row in chart.rows)},
        yaxis2={
            "title": "%",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            **round_axis(None if row[2] is None else row[2] * 100 for row in chart.rows),
        },
    )
    return figure


def workload(chart: ChartData) -> go.Figure:
    divisor, unit = money_axis()
    reps = [row[0] for row in chart.rows]
    figure = go.Figure()
    figure.add_bar(
        x=reps,
        y=[row[1] for row in chart.rows],
        name=_("Activities per working day"),
        marker_color=BLUE,
    )
    # The spread across reps, as one box at the end of the axis: median, quartiles, outliers.
    spread = _("All reps (spread)")
    rates = [row[1] for row in chart.rows if row[1] is not None]
    if rates:
        figure.add_box(
            x=[spread] * len(rates),
            y=rates,
            name=_("Spread across reps"),
            marker_color=GREY,
            boxpoints="outliers",
        )
    figure.add_scatter(
        x=reps,
        y=[None if row[3] is None else row[3] / divisor for row in chart.rows],
        name=_("Revenue"),
        mode="markers",
        marker={"color": ORANGE, "size": 8},
        yaxis="y2",
    )
    figure.update_layout(
        yaxis={"title": _("per day"), "rangemode": "tozero"},
        yaxis2={
            "title": unit,
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            **round_axis(None if row[3] is None else row[3] / divisor for row in chart.rows),
        },
    )
    figure.update_xaxes(type="category", tickangle=-60)
    return figure


def complaints(chart: ChartData) -> go.Figure:
    regions = [row[0] for row in chart.rows]
    figure = go.Figure()
    figure.add_bar(
        x=regions,
        y=[None if row[1] is None else row[1] * 100 for row in chart.rows],
        name=_("Complaint rate"),
        marker_color=RED,
    )
    figure.add_scatter(
        x=regions,
        y=[row[3] for row in chart.rows],
        name=_("Satisfaction score"),
        mode="markers",
        marker={"color": BLUE, "size": 12},
        yaxis="y2",
    )
    figure.update_layout(
        yaxis={"title": "%"},
        yaxis2={
            "title": "1–5",
            "overlaying": "y",
            "side": "right",
            "range": [0, 5.5],
            "dtick": 1,
            "showgrid": False,
        },
    )
    return figure


FIGURES: dict[str, Callable[[ChartData], go.Figure]] = {
    "funnel": funnel,
    "attainment-region": _heatmap,
    "attainment-product-line": _heatmap,
    "trends": trends,
    "response-grade": response_by_grade,
    "response-region": response_by_region,
    "workload": workload,
    "complaints": complaints,
}


def chart_html(chart: ChartData) -> str:
    """The chart as a Plotly <div> with id `chart-<key>`, styled like every other chart.

    The legend goes above the plot: these charts have long or rotated x labels, and a legend
    under them would spill out of the card.
    """
    figure = FIGURES[chart.key](chart)
    right = 56 if "yaxis2" in figure.layout and figure.layout.yaxis2.overlaying else 16
    layout = {
        "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "top", "yref": "container"},
        "margin": {"t": 48, "r": right, "b": 56},
        "height": 340,
    }
    return render(figure, element_id=_element_id(chart), layout=layout, mode_bar=False)
