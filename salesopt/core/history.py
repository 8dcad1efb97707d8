"""A row's field history as people read it: who changed which column when, before and after,
from django-simple-history's records (the execution tables and Table 1 keep them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from salesopt.core.people import person_name


def last_change(row: Any) -> tuple[str, dt.datetime | None]:
    """Who wrote the row's last recorded version, and when ("someone" when nobody is known):
    what a refused edit tells the person about the change they did not see."""
    last = row.history.order_by("-history_date", "-history_id").first() if row else None
    who = person_name(last.history_user) if last and last.history_user else _("someone")
    return who, (last.history_date if last else None)


def field_label(model: Any, field: str) -> str:
    """A column's name as its model's field calls it, in the reader's language."""
    return str(getattr(model._meta.get_field(field), "verbose_name", field))


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    by: str
    field: str  # its label
    before: str
    after: str


def row_history(row: Any, *, first: Sequence[str]) -> list[Change]:
    """Every accepted change of an inline-edited row, newest first: who, when, the column,
    before, after (django-simple-history's records, compared one with the next). Its first
    record shows the `first` columns it was written with."""
    model = type(row)
    entries = list(
        row.history.select_related("history_user__profile").order_by("history_date", "history_id")
    )
    changes: list[Change] = []
    previous = None
    for entry in entries:
        who = person_name(entry.history_user) if entry.history_user else ""
        if previous is None:
            for name in first:
                value = getattr(
                    entry, f"{name}_id" if model._meta.get_field(name).is_relation else name
                )
                if value not in (None, ""):
                    changes.append(
                        Change(
                            entry.history_date,
                            who,
                            field_label(model, name),
                            "",
                            shown_value(model, name, value),
                        )
                    )
        else:
            for change in entry.diff_against(previous, excluded_fields=["version"]).changes:
                changes.append(
                    Change(
                        entry.history_date,
                        who,
                        field_label(model, change.field),
                        shown_value(model, change.field, change.old),
                        shown_value(model, change.field, change.new),
                    )
                )
        previous = entry
    return list(reversed(changes))


def shown_value(model: Any, field: str, value: Any) -> str:
    """A recorded value as the table shows it: a choice by its label, a person by name."""
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        if related is None:
            return "—"
        return person_name(related) if related._meta.label == "auth.User" else str(related)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
