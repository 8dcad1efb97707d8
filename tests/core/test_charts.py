"""Charts: the house style, and names from a CRM export never escaping into the page's script."""

from __future__ import annotations

import json
import re

import plotly.graph_objects as go

from diagnosis.charts import workload
from diagnosis.dashboard import ChartData
from salesopt.core.charts import render, script_json

HOSTILE = '</script><script>alert("x")</script>'


def figure_arguments(html: str) -> list:
    """The element id and what charts.js passes to Plotly.newPlot (data, layout, config)."""
    block = re.search(
        r'<script type="application/json" data-plotly-for="([^"]+)">(.*)</script>$',
        html,
        re.DOTALL,
    )
    assert block, html[:200]
    return [block.group(1), *json.loads(block.group(2))]


def test_a_hostile_name_stays_a_string_inside_the_data_block():
    html = render(go.Figure(go.Bar(x=[HOSTILE, "华南 & 华北"], y=[1, 2])), element_id="chart-x")

    assert html.count("<script") == 1 and html.count("</script>") == 1
    element_id, data, _layout, _config = figure_arguments(html)
    assert element_id == "chart-x"
    assert data[0]["x"] == [HOSTILE, "华南 & 华北"]


def test_a_chart_holds_no_script_to_run():
    html = render(go.Figure(go.Bar(x=[1], y=[1])), element_id="chart-z")

    assert "<script>" not in html and "Plotly." not in html
    assert re.search(r'<div id="chart-z" class="plotly-graph-div"', html)


def test_script_json_escapes_what_could_end_the_script_element():
    text = script_json({"name": "a</b>&<!--", "line": "\u2028"})

    assert not re.search(r"[<>&\u2028]", text)
    assert json.loads(text) == {"name": "a</b>&<!--", "line": "\u2028"}


def test_the_house_style_is_merged_and_a_page_layout_goes_over_it():
    figure = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    figure.update_layout(yaxis2={"overlaying": "y"}, margin={"l": 99})

    html = render(figure, element_id="chart-y", layout={"height": 340}, mode_bar=False)

    _element_id, _data, layout, config = figure_arguments(html)
    assert layout["margin"] == {"l": 40, "r": 16, "t": 24, "b": 40}  # the house margins win
    assert layout["height"] == 340 and 'style="height:340px; width:100%;"' in html
    assert layout["yaxis"]["gridcolor"] == layout["yaxis2"]["gridcolor"] == "#e9edf3"
    assert layout["yaxis2"]["overlaying"] == "y"
    assert layout["xaxis"]["showgrid"] is False
    assert config == {"displaylogo": False, "responsive": True, "displayModeBar": False}


def test_a_page_layout_never_changes_the_house_style_of_the_next_chart():
    render(go.Figure(go.Bar(x=[1], y=[1])), element_id="a", layout={"margin": {"t": 99}})

    html = render(go.Figure(go.Bar(x=[1], y=[1])), element_id="b")

    assert figure_arguments(html)[2]["margin"] == {"l": 40, "r": 16, "t": 24, "b": 40}


def test_the_workload_chart_shows_the_spread_across_reps_as_a_box():
    chart = ChartData(
        "workload", "Workload", "", ["Rep", "Per day", "Activities", "Revenue"],
        [["王伟", 0.3, 60, 1000.0], ["李娜", 0.1, 20, None], ["张敏", None, 0, 500.0]],
    )  # fmt: skip

    boxes = [trace for trace in workload(chart).data if trace.type == "box"]

    assert len(boxes) == 1
    assert list(boxes[0].y) == [0.3, 0.1]  # reps with a rate; none is not a zero
