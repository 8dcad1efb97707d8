"""The canonical record of each kind an admin can import: the contract between the stages.

A reader yields raw text cells; the mapping names which file column feeds which canonical field;
coercers turn text into the field's type; the writer knows how each canonical field lands in the
database. Nothing here touches files or the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.utils.translation import pgettext_lazy


class RecordKind(enum.StrEnum):
    LEAD = "lead"
    CUSTOMER = "customer"
    ACTIVITY = "activity"
    OPPORTUNITY = "opportunity"
    ORDER = "order"
    COMPLAINT = "complaint"
    TARGET = "target"
    USER = "user"


# What a person reads for each kind, in their language. Their own context: "Leads" the record
# kind is 线索, "Leads" the KPI is a count (线索数).
KIND_LABELS = {
    RecordKind.LEAD: pgettext_lazy("record kind", "Leads"),
    RecordKind.CUSTOMER: pgettext_lazy("record kind", "Customers"),
    RecordKind.ACTIVITY: pgettext_lazy("record kind", "Activities"),
    RecordKind.OPPORTUNITY: pgettext_lazy("record kind", "Opportunities"),
    RecordKind.ORDER: pgettext_lazy("record kind", "Orders"),
    RecordKind.COMPLAINT: pgettext_lazy("record kind", "Complaints"),
    RecordKind.TARGET: pgettext_lazy("record kind", "Sales targets"),
    RecordKind.USER: pgettext_lazy("record kind", "Users and reps"),
}


class FieldType(enum.StrEnum):
    TEXT = "text"
    DATETIME = "datetime"  # naive values are read in the import's time zone
    DATE = "date"
    DECIMAL = "decimal"  # money: ¥12,800.00, $1,200, 1.5万, (300.00)
    INTEGER = "integer"
    PERCENT = "percent"  # 0–100; "35%" and "0.35" both mean 35
    CHOICE = "choice"  # one of `choices`, after the preset's value map
    REFERENCE = "reference"  # another record, matched by `references`


class Reference(enum.StrEnum):
    """What a REFERENCE field points at, and how it is matched."""

    REGION = "region"  # by name or code
    PRODUCT_LINE = "product_line"  # by name or code
    TEAM = "team"  # by name
    USER = "user"  # by e-mail, then by name (display name or username)
    LEAD = "lead"  # by external id within the same source
    CUSTOMER = "customer"  # by external id within the same source, then by exact name
    OPPORTUNITY = "opportunity"  # by external id within the same source


@dataclass(frozen=True)
class CanonicalField:
    name: str
    type: FieldType
    required: bool = False
    choices: tuple[str, ...] = ()
    references: Reference | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class KindSchema:
    kind: RecordKind
    fields: tuple[CanonicalField, ...]
    # Fields that together identify a row when the export has no id column (targets do not).
    natural_key: tuple[str, ...] = field(default=("external_id",))

    def field(self, name: str) -> CanonicalField:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _text(name: str, *, required: bool = False, max_length: int = 200) -> CanonicalField:
    return CanonicalField(name, FieldType.TEXT, required=required, max_length=max_length)


def _ref(name: str, target: Reference, *, required: bool = False) -> CanonicalField:
    return CanonicalField(name, FieldType.REFERENCE, required=required, references=target)


def _choice(name: str, choices: tuple[str, ...], *, required: bool = False) -> CanonicalField:
    return CanonicalField(name, FieldType.CHOICE, required=required, choices=choices)


EXTERNAL_ID = _text("external_id", required=True, max_length=128)
COMPANY_SIZES = ("small", "medium", "large", "enterprise")
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost")
OPPORTUNITY_STAGES = ("qualification", "needs_analysis", "proposal", "negotiation", "won", "lost")
ACTIVITY_KINDS = ("call", "visit", "follow_up", "email", "meeting")
COMPLAINT_KINDS = (
    "product_quality",
    "delivery",
    "service",
    "billing",
    "repeated_issue",
    "other",
)
ROLES = ("admin", "sales_manager", "team_lead", "sales_rep", "executive")

SCHEMAS: dict[RecordKind, KindSchema] = {
    RecordKind.LEAD: KindSchema(
        RecordKind.LEAD,
        (
            EXTERNAL_ID,
            _text("name", required=True),
            _text("company_name"),
            _text("channel", max_length=64),
            _text("campaign", max_length=128),
            _text("industry", max_length=64),
            _choice("company_size", COMPANY_SIZES),
            _choice("urgency", ("low", "medium", "high")),
            _choice("grade", ("A", "B", "C")),
            _ref("region", Reference.REGION),
            _ref("product_line", Reference.PRODUCT_LINE),
            _ref("owner", Reference.USER),
            _choice("status", LEAD_STATUSES),
            CanonicalField("created_at", FieldType.DATETIME, required=True),
            CanonicalField("first_response_at", FieldType.DATETIME),
            CanonicalField("won_at", FieldType.DATETIME),
            CanonicalField("lost_at", FieldType.DATETIME),
            CanonicalField("amount", FieldType.DECIMAL),
            _ref("customer", Reference.CUSTOMER),
        ),
    ),
    RecordKind.CUSTOMER: KindSchema(
        RecordKind.CUSTOMER,
        (
            EXTERNAL_ID,
            _text("name", required=True),
            _text("industry", max_length=64),
            _choice("company_size", COMPANY_SIZES),
            _ref("region", Reference.REGION),
            _ref("owner", Reference.USER),
            CanonicalField("created_at", FieldType.DATETIME),
        ),
    ),
    RecordKind.ACTIVITY: KindSchema(
        RecordKind.ACTIVITY,
        (
            EXTERNAL_ID,
            _choice("kind", ACTIVITY_KINDS, required=True),
            _ref("rep", Reference.USER),
            _ref("lead", Reference.LEAD),
            _ref("customer", Reference.CUSTOMER),
            CanonicalField("occurred_at", FieldType.DATETIME, required=True),
            _text("subject", max_length=10_000),
        ),
    ),
    RecordKind.OPPORTUNITY: KindSchema(
        RecordKind.OPPORTUNITY,
        (
            EXTERNAL_ID,
            _text("name", required=True),
            _ref("lead", Reference.LEAD),
            _ref("customer", Reference.CUSTOMER),
            _ref("owner", Reference.USER),
            _ref("region", Reference.REGION),
            _ref("product_line", Reference.PRODUCT_LINE),
            _choice("stage", OPPORTUNITY_STAGES, required=True),
            CanonicalField("amount", FieldType.DECIMAL),
            CanonicalField("probability", FieldType.PERCENT),
            CanonicalField("created_at", FieldType.DATETIME, required=True),
            CanonicalField("expected_close", FieldType.DATE),
            CanonicalField("closed_at", FieldType.DATETIME),
        ),
    ),
    RecordKind.ORDER: KindSchema(
        RecordKind.ORDER,
        (
            EXTERNAL_ID,
            _ref("customer", Reference.CUSTOMER),
            _ref("opportunity", Reference.OPPORTUNITY),
            _ref("rep", Reference.USER),
            _ref("region", Reference.REGION),
            _ref("product_line", Reference.PRODUCT_LINE),
            CanonicalField("amount", FieldType.DECIMAL, required=True),
            CanonicalField("ordered_on", FieldType.DATE, required=True),
        ),
    ),
    RecordKind.COMPLAINT: KindSchema(
        RecordKind.COMPLAINT,
        (
            EXTERNAL_ID,
            _ref("customer", Reference.CUSTOMER),
            _choice("kind", COMPLAINT_KINDS, required=True),
            _ref("region", Reference.REGION),
            _ref("handled_by", Reference.USER),
            CanonicalField("created_at", FieldType.DATETIME, required=True),
            CanonicalField("first_response_at", FieldType.DATETIME),
            CanonicalField("resolved_at", FieldType.DATETIME),
            CanonicalField("satisfaction", FieldType.INTEGER),
        ),
    ),
    RecordKind.TARGET: KindSchema(
        RecordKind.TARGET,
        (
            _text("external_id", max_length=128),
            _choice("grain", ("month", "quarter", "year"), required=True),
            CanonicalField("period_start", FieldType.DATE, required=True),
            _ref("region", Reference.REGION),
            _ref("product_line", Reference.PRODUCT_LINE),
            _ref("team", Reference.TEAM),
            _ref("rep", Reference.USER),
            CanonicalField("amount", FieldType.DECIMAL, required=True),
        ),
        natural_key=("grain", "period_start", "region", "product_line", "team", "rep"),
    ),
    RecordKind.USER: KindSchema(
        RecordKind.USER,
        (
            EXTERNAL_ID,
            _text("name", required=True, max_length=64),
            _text("email", max_length=254),
            _choice("role", ROLES),
            _ref("team", Reference.TEAM),
            CanonicalField("hire_date", FieldType.DATE),
        ),
    ),
}
