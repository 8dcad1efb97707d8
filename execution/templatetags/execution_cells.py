"""A cell of an inline-edited execution table, drawn in Python: the plan table draws 450 of
them a page, and an `{% include %}` per cell was most of its rendering time."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from execution.editing import Cell

register = template.Library()


@register.simple_tag
def table_cell(cell: Cell) -> SafeString:
    """The cell's <td>: a button that opens its editor where the reader may edit it, the value
    ("—" when empty), and its flag ("overdue", "reason needed") beside it."""
    shown = cell.shown if cell.shown not in (None, "") else "—"
    if cell.edit_url:
        inner = format_html(
            '<button type="button" class="cell-button" hx-get="{}" hx-target="closest td" '
            'hx-swap="outerHTML">{}</button>',
            cell.edit_url,
            shown,
        )
    else:
        inner = conditional_escape(shown)
    flag = (
        format_html(' <span class="status status-missed">{}</span>', cell.flag) if cell.flag else ""
    )
    flagged = " cell-flagged" if cell.flag else ""
    return format_html('<td id="{}" class="cell{}">{}{}</td>', cell.element, flagged, inner, flag)
