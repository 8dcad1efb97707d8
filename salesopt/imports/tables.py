"""Where each canonical field of each kind lands: table, column, and the value a blank becomes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from salesopt.core import models as core

from .schema import SCHEMAS, FieldType, RecordKind

# Canonical names that differ from the model's field name.
_RENAMED = {
    "created_at": {
        RecordKind.LEAD: "created_in_crm_at",
        RecordKind.OPPORTUNITY: "created_in_crm_at",
        RecordKind.COMPLAINT: "created_in_crm_at",
        RecordKind.CUSTOMER: "first_seen_at",
    },
    # The CRM's grade is kept as such; the grade in force is the lead process's to decide
    # (salesopt.leads.grading, run on every lead an import writes).
    "grade": {RecordKind.LEAD: "crm_grade"},
}
# A blank cell in these columns takes the model's default rather than staying empty.
_BLANK_DEFAULTS = {
    (RecordKind.LEAD, "status"): "new",
    (RecordKind.OPPORTUNITY, "amount"): "0",
    (RecordKind.OPPORTUNITY, "probability"): "0",
}

MODELS: dict[RecordKind, type[core.ImportedRecord]] = {
    RecordKind.LEAD: core.Lead,
    RecordKind.CUSTOMER: core.Customer,
    RecordKind.ACTIVITY: core.Activity,
    RecordKind.OPPORTUNITY: core.Opportunity,
    RecordKind.ORDER: core.Order,
    RecordKind.COMPLAINT: core.Complaint,
    RecordKind.TARGET: core.SalesTarget,
}


@dataclass(frozen=True)
class ColumnSpec:
    field: str  # canonical field name (and staging column)
    column: str  # database column
    type: FieldType
    text_blank: bool  # a NOT NULL text column: blank is '' rather than NULL
    blank_default: str | None


@dataclass(frozen=True)
class TableSpec:
    kind: RecordKind
    model: type[models.Model]
    table: str
    columns: tuple[ColumnSpec, ...]  # every canonical field but external_id
    # Columns a blank in the file does not clear: a lead's owner, which salesopt's assignment
    # may have given after the CRM export that had none (the CRM never learns of it).
    kept_when_blank: frozenset[str] = frozenset()

    @property
    def value_columns(self) -> tuple[str, ...]:
        return tuple(spec.column for spec in self.columns)


def _table_spec(kind: RecordKind) -> TableSpec:
    model = MODELS[kind]
    columns = []
    for field in SCHEMAS[kind].fields:
        if field.name == "external_id":
            continue
        model_field = model._meta.get_field(_RENAMED.get(field.name, {}).get(kind, field.name))
        # Every canonical field is stored in a concrete column of its own.
        assert isinstance(model_field, models.Field) and model_field.column is not None
        columns.append(
            ColumnSpec(
                field=field.name,
                column=model_field.column,
                type=field.type,
                text_blank=not model_field.null,
                blank_default=_BLANK_DEFAULTS.get((kind, field.name)),
            )
        )
    kept = frozenset({"owner_id"}) if kind is RecordKind.LEAD else frozenset()
    return TableSpec(kind, model, model._meta.db_table, tuple(columns), kept)


TABLES: dict[RecordKind, TableSpec] = {kind: _table_spec(kind) for kind in MODELS}
