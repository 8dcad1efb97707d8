"""Shared Plotly helpers: our layout, our own plotly.js, amounts in the reader's units."""

import copy
import datetime as dt
import json
import math
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

BRAND_COLOURS = {"revenue": "#2f6fde", "target": "#e07b39"}


HOUSE_LAYOUT = {
    "margin": {"l": 40, "r": 16, "t": 24, "b": 40},
    "height": 320,
    "font": {"family": "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"},
    "legend": {"orientation": "h", "y": -0.18},
    "plot_bgcolor": "white",
    "paper_bgcolor": "white",
}
HOUSE_AXES: dict[str, dict[str, Any]] = {
    "xaxis": {"showgrid": False},
    "yaxis": {"gridcolor": "#e9edf3"},
}


def render(
    figure: go.Figure, *, element_id: str, layout: dict | None = None, mode_bar: bool = True
) -> str:
    """The figure in the house style (then `layout` over it), as a <div> and its JSON data block,
    drawn by static/js/charts.js with our own plotly.js (loaded once by the base template).

    No inline script: the Content-Security-Policy allows scripts from our static files only, and
    a `type="application/json"` block is data, never run.

    The style is merged into the figure's plain dict rather than through `update_layout`:
    Plotly validates every nested update, which cost 20 ms a chart (a dashboard has eight).
    """
    spec = figure.to_plotly_json()
    spec_layout = spec.setdefault("layout", {})
    merge(spec_layout, HOUSE_LAYOUT)
    for prefix, style in HOUSE_AXES.items():
        # As update_xaxes / update_yaxes: the first axis always, and xaxis2, xaxis3, … if set.
        for axis in {prefix, *(key for key in spec_layout if key.startswith(prefix))}:
            merge(spec_layout.setdefault(axis, {}), style)
    merge(spec_layout, layout or {})
    config = {"displaylogo": False, "responsive": True}
    if not mode_bar:
        config["displayModeBar"] = False
    height = spec_layout.get("height")
    size = f"height:{height}px; width:100%;" if height else "height:100%; width:100%;"
    # What plotly.io.to_html writes, minus its JSON encoder: that one walks every value
    # looking for arrays to base64-encode and defines a class per call (~4 ms a chart).
    arguments = script_json([spec.get("data", []), spec_layout, config])
    return (
        f'<div id="{escape(element_id)}" class="plotly-graph-div" style="{size}"></div>'
        f'<script type="application/json" data-plotly-for="{escape(element_id)}">'
        f"{arguments}</script>"
    )


def script_json(value: Any) -> str:
    """`value` as JSON that is safe inside a <script> data block: no `<`, `>` or `&` (which
    could close the element: a rep named `</script><script>…` stays a string), as Django's
    json_script writes it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return text.translate(_SCRIPT_ESCAPES)


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _plain(value: Any) -> Any:
    """What json cannot write by itself: numpy values and arrays, dates."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable in a chart: {type(value).__name__}")


def merge(target: dict, update: dict) -> None:
    """Nested dicts of `update` merged into `target`'s (as Plotly's update_layout does)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            # A copy: a later merge into `target` must never change `update` (the house style).
            target[key] = copy.deepcopy(value)


def money_axis() -> tuple[float, str]:
    """Divisor and axis title for amounts: 万元 for Chinese readers, ¥ for English ones."""
    if (get_language() or "").startswith("zh"):
        return 1e4, "万元"
    return 1.0, "¥"


def round_axis(values: Iterable[float | None], *, parts: int = 5) -> dict[str, Any]:
    """A zero-based axis with round ticks (0, 20, 40 … not 1.9, 12, 22, 32.1) over `values`.

    For secondary axes: Plotly picks their ticks on its own, off the primary's grid.
    """
    top = max((value for value in values if value is not None), default=0.0)
    if top <= 0:
        return {"rangemode": "tozero"}
    raw_step = top / parts
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw_step)
    return {"range": [0, step * math.ceil(top / step)], "dtick": step, "tick0": 0}


# Readable hours on a log axis: each tick a duration people say.
_HOUR_TICKS = (0.25, 0.5, 1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720)


def hour_label(hours: float) -> str:
    if hours < 1:
        return _("%(minutes)d min") % {"minutes": round(hours * 60)}
    if hours < 24 or hours % 24:
        return _("%(hours)g h") % {"hours": hours}
    return _("%(days)d d") % {"days": hours // 24}


def hour_axis(values: Iterable[float | None], deadlines: dict[str, float]) -> dict[str, Any]:
    """A log axis of hours whose ticks read as durations ("30 min", "2 h", "3 d") and name the
    deadlines they stand for ("2 h · A")."""
    present = [value for value in values if value is not None and value > 0]
    marked = {hours: [grade for grade, limit in deadlines.items() if limit == hours]
              for hours in deadlines.values()}  # fmt: skip
    low = min([*present, *marked], default=1) / 1.5
    high = max([*present, *marked], default=24) * 1.5
    ticks = sorted({*(t for t in _HOUR_TICKS if low <= t <= high), *marked})
    labels = [hour_label(t) + (" · " + "/".join(marked[t]) if t in marked else "") for t in ticks]
    return {
        "type": "log",
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": labels,
        "range": [math.log10(low), math.log10(high)],
    }


def month_label(month: dt.date) -> str:
    """A month as an axis reads it: "Nov 2025", "2025年11月" (short enough not to overlap)."""
    if (get_language() or "").startswith("zh"):
        return f"{month.year}年{month.month}月"
    return date_format(month, "M Y")
