"""What every inline-edited row of the execution tables shares: the version check that refuses
an edit made on a stale copy, and the parsing of a typed cell.

A row carries a version number, raised by every accepted edit, and a django-simple-history
history. An edit names the version it was made on; the service locks the row, compares, and
either writes (raising the version, recording who) or raises EditConflictError with the value
now in force, who wrote it and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from salesopt.core.history import field_label as field_label
from salesopt.core.history import last_change


@dataclass(frozen=True)
class EditConflictError(Exception):
    """The row changed since the editor was opened: the value now in force, and by whom."""

    row: Any  # the row as it is now
    field: str
    their_value: str
    changed_by: str
    changed_at: dt.datetime | None


def conflict(row: Any, field: str, shown: str) -> EditConflictError:
    return EditConflictError(row, field, shown, *last_change(row))


def save_edit(row: Any, by: Any) -> None:
    """Write an edited row: its version raised, the edit recorded as `by`'s."""
    row.version += 1
    row._history_user = by
    row.save()


def typed_date(field: str, value: str, *, required: bool = True) -> dt.date | None:
    if not value.strip() and not required:
        return None
    try:
        day = parse_date(value.strip())
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
    return day


def typed_text(field: str, value: str, *, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    return text


@dataclass(frozen=True)
class Cell:
    """One cell of an inline-edited table as the page draws it."""

    element: str  # the element's id: where a refused edit is drawn again
    shown: str
    edit_url: str | None  # None: the reader may not edit it
    flag: str = ""  # a warning shown beside the value ("overdue", "reason needed")


@dataclass(frozen=True)
class Editor:
    """An open cell editor: what it posts, what Cancel and Escape restore, and how it asks."""

    element: str
    save_url: str
    cancel_url: str
    version: int
    kind: str  # "text", "date" or "select"
    value: str
    label: str
    options: list[tuple[str, str]] | None = None  # for a select: (value, label)
    maxlength: int = 300
    error: str = ""
    conflict: EditConflictError | None = None
    # The actual completion of a measure asks for the reason in the same editor.
    reason: str | None = None
    # A refusal about the reason puts the cursor there, not in the value the user already typed.
    error_on_reason: bool = False
