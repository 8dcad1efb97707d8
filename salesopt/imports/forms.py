"""Input shapes for the import pages."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import SavedMapping
from .presets import presets_for
from .presets.base import OUTCOME_FIELDS, OutcomeRule
from .schema import KIND_LABELS, SCHEMAS, RecordKind
from .tables import TABLES

OUTCOME_LABELS = {
    "converted": _("Converted"),
    "won": _("Won"),
    "lost": _("Lost"),
}
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
FIELD_LABELS_EXTRA = {
    "external_id": _("id in the source system"),
    "email": _("e-mail"),
    "role": _("role"),
    "team": _("team"),
    "hire_date": _("hire date"),
    "name": _("name"),
}
IGNORE = ""


def field_label(kind: RecordKind, name: str) -> str:
    """The field's name as the admin reads it: the model's verbose name where there is one."""
    table = TABLES.get(kind)
    if table is not None:
        for column in table.columns:
            if column.field == name:
                model_field = table.model._meta.get_field(column.column.removesuffix("_id"))
                assert isinstance(model_field, models.Field)  # a column is a concrete field
                return str(model_field.verbose_name)
    return str(FIELD_LABELS_EXTRA.get(name, name))


def _valid_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise forms.ValidationError(_("Unknown time zone (e.g. Asia/Shanghai).")) from None
    return name


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CRM export (CSV or Excel)"))
    kind = forms.ChoiceField(
        label=_("Kind of record"),
        choices=[("", _("Recognise from the headers")), *KIND_CHOICES],
        required=False,
    )
    time_zone = forms.CharField(
        label=_("Time zone of times without one"), max_length=64, required=False
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        return _valid_zone(value) if value else ""


class MappingForm(forms.Form):
    """One field choice per column of the file, plus the options of the import."""

    kind = forms.ChoiceField(label=_("Kind of record"), choices=KIND_CHOICES)
    preset = forms.ChoiceField(label=_("Preset"), required=False)
    time_zone = forms.CharField(label=_("Time zone of times without one"), max_length=64)
    day_first = forms.BooleanField(label=_("Dates are day first (31/12/2024)"), required=False)
    create_missing = forms.BooleanField(
        label=_("Create unknown regions, product lines and owners"), required=False
    )
    without_record_id = forms.BooleanField(
        label=_(
            "This file has no record id: match its rows by their content (a later export of an "
            "updated record will add a second record)"
        ),
        required=False,
    )
    save_as = forms.CharField(label=_("Save this mapping as"), max_length=64, required=False)

    def __init__(
        self,
        *args: Any,
        headers: tuple[str, ...],
        kind: RecordKind,
        outcome_rules: Sequence[OutcomeRule] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.record_kind = kind
        # One row per rule, one per row the admin posted (the empty one may have been filled),
        # and an empty one to add another.
        posted = sum(1 for key in (args[0] if args else None) or {}
                     if key.startswith("outcome_") and key.endswith("_header"))  # fmt: skip
        self._add_outcome_fields(kind, headers, rows=max(len(outcome_rules) + 1, posted))
        for index, rule in enumerate(outcome_rules):
            self.initial.update({
                f"outcome_{index}": rule.outcome,
                f"outcome_{index}_header": rule.header,
                f"outcome_{index}_values": ", ".join(rule.values),
            })  # fmt: skip
        saved = SavedMapping.objects.filter(kind=kind).order_by("name")
        cast(forms.ChoiceField, self.fields["preset"]).choices = [
            ("", _("None (map by hand)")),
            *((preset.name, preset.label) for preset in presets_for(kind)),
            *((f"saved:{mapping.pk}", _("%s (saved)") % mapping.name) for mapping in saved),
        ]
        field_choices = [(IGNORE, _("— ignore —"))] + [
            (name, field_label(kind, name)) for name in SCHEMAS[kind].field_names
        ]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=field_choices, required=False
            )

    def _add_outcome_fields(self, kind: RecordKind, headers: tuple[str, ...], rows: int) -> None:
        """One row per column that decides an outcome (and one empty row to add another)."""
        decidable = OUTCOME_FIELDS.get(kind, {})
        self.outcome_rows = rows if decidable else 0
        outcomes = [(name, OUTCOME_LABELS[name]) for name in decidable]
        columns = [("", _("— none —")), *((header, header) for header in headers)]
        for index in range(self.outcome_rows):
            self.fields[f"outcome_{index}"] = forms.ChoiceField(
                label=_("Outcome"), choices=outcomes, required=False
            )
            self.fields[f"outcome_{index}_header"] = forms.ChoiceField(
                label=_("decided by the column"), choices=columns, required=False
            )
            self.fields[f"outcome_{index}_values"] = forms.CharField(
                label=_("when it holds (comma-separated; empty: any value)"),
                max_length=200,
                required=False,
            )

    def outcome_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"outcome_{i}"], self[f"outcome_{i}_header"], self[f"outcome_{i}_values"])
            for i in range(self.outcome_rows)
        ]

    def outcomes(self) -> list[dict[str, Any]] | None:
        """The rules the admin set (None when the kind has no outcome to decide)."""
        if not self.outcome_rows:
            return None
        rules = []
        for index in range(self.outcome_rows):
            header = self.cleaned_data.get(f"outcome_{index}_header")
            if not header:
                continue
            values = self.cleaned_data.get(f"outcome_{index}_values", "")
            rules.append({
                "outcome": self.cleaned_data.get(f"outcome_{index}") or "",
                "header": header,
                "values": [value.strip() for value in values.split(",") if value.strip()],
            })  # fmt: skip
        return rules

    def clean_time_zone(self) -> str:
        return _valid_zone(self.cleaned_data["time_zone"].strip())

    def column_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(header, self[f"column_{index}"]) for index, header in enumerate(self.headers)]

    def columns(self) -> dict[str, str]:
        """header → canonical field, for the columns the admin did not ignore."""
        chosen = {header: self.cleaned_data[f"column_{i}"] for i, header in enumerate(self.headers)}
        return {header: name for header, name in chosen.items() if name}


class StartImportForm(forms.Form):
    skip_invalid = forms.BooleanField(label=_("Skip the invalid rows"), required=False)
