"""What a preset is: how one CRM's export of one kind of record lands on the canonical record.

A preset names the file headers it knows (header → canonical field of `schema.py`), the CRM's
own picklist values (stage, status, activity type → canonical choice), optional rules that build
one field from several columns (first + last name → name), and the signature headers that
recognise the file. Headers and values are compared after normalisation, so `Lead Owner`,
`lead_owner` and `ＬＥＡＤ　ＯＷＮＥＲ` are the same header and `Closed  Won` equals `closed won`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from django.utils.translation import gettext as _

from salesopt.imports.presets.values import generic_value_map
from salesopt.imports.schema import KIND_LABELS, SCHEMAS, FieldType, RecordKind

_NOT_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
# Exports mix hyphen, en dash, em dash and the full-width minus in the same picklist value.
_DASHES = re.compile(r"\s*[-‐‑‒–—―−]\s*")
_SLASH = re.compile(r"\s*/\s*")


def normalise_header(header: str) -> str:
    """Full-width folded (NFKC), case-folded, every space and punctuation mark removed."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", header).casefold())


def normalise_value(value: str) -> str:
    """Full-width folded, case-folded, whitespace collapsed, dashes and slashes unified."""
    text = unicodedata.normalize("NFKC", value).casefold().strip()
    text = _DASHES.sub("-", _SLASH.sub("/", text))
    return _SPACES.sub(" ", text)


def signature(*entries: str) -> tuple[tuple[str, ...], ...]:
    """Signature headers; `"Created Date|CreatedDate"` lists spellings of one header."""
    return tuple(tuple(part.strip() for part in entry.split("|")) for entry in entries)


@dataclass(frozen=True)
class Combine:
    """Build one canonical field from several columns, joined in the given order."""

    field: str
    headers: tuple[str, ...]
    separator: str = " "
    # For given + family name columns: on a row where every part is Chinese, join them in
    # reverse order without the separator ("磊" + "王" → "王磊"); other rows as usual
    # ("Lei" + "Wang" → "Lei Wang"). `mapping.combine_columns` applies the rule.
    cjk_reversed: bool = False


# The outcomes a CRM can mark by a column of its own rather than by the status or stage: what
# the record becomes, as (canonical field, choice).
OUTCOME_FIELDS: Mapping[RecordKind, Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        RecordKind.LEAD: {"converted": ("status", "converted"), "lost": ("status", "lost")},
        RecordKind.OPPORTUNITY: {"won": ("stage", "won"), "lost": ("stage", "lost")},
    }
)


@dataclass(frozen=True)
class OutcomeRule:
    """A column that decides an outcome, whatever the status or stage column says: the record
    is `outcome` when the cell is filled or, with `values`, holds one of them.

    A Zoho lead is converted when its Lead Conversion Time is filled; a HubSpot contact when its
    Lifecycle Stage is Customer; an Odoo opportunity is lost when archived (Active false).
    """

    outcome: str  # a key of OUTCOME_FIELDS[kind]: "converted", "won" or "lost"
    header: str
    values: tuple[str, ...] = ()  # as normalise_value writes them; empty: any value

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "header": self.header, "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> OutcomeRule:
        values = data.get("values") or ()
        assert isinstance(values, list | tuple)
        return cls(
            str(data["outcome"]),
            str(data["header"]),
            tuple(normalise_value(str(v)) for v in values),
        )


# eq=False: presets are singletons compared by identity, and stay hashable.
@dataclass(frozen=True, eq=False)
class Preset:
    name: str
    crm: str  # also the `source` of the imported records
    crm_label: str
    kind: RecordKind
    columns: Mapping[str, str]
    signature: tuple[tuple[str, ...], ...]
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    combine: tuple[Combine, ...] = ()
    outcomes: tuple[OutcomeRule, ...] = ()

    def outcome_rules(self, headers: Iterable[str]) -> tuple[OutcomeRule, ...]:
        """The preset's outcome rules whose column the file has, in the file's spelling."""
        present = {normalise_header(header): header for header in headers}
        return tuple(
            OutcomeRule(rule.outcome, present[normalise_header(rule.header)], rule.values)
            for rule in self.outcomes
            if normalise_header(rule.header) in present
        )

    @property
    def label(self) -> str:
        return f"{_(self.crm_label)} · {KIND_LABELS[self.kind]}"

    @cached_property
    def _by_header(self) -> dict[str, str]:
        return {normalise_header(header): name for header, name in self.columns.items()}

    def field_for(self, header: str) -> str | None:
        return self._by_header.get(normalise_header(header))

    def signature_hits(self, normalised_headers: Iterable[str]) -> int:
        present = set(normalised_headers)
        return sum(
            any(normalise_header(spelling) in present for spelling in entry)
            for entry in self.signature
        )

    def value_map(self, field_name: str) -> dict[str, str]:
        """The CRM's own values for a choice field over the generic English/Chinese ones."""
        return {**generic_value_map(self.kind, field_name), **self.values.get(field_name, {})}


def preset_problems(preset: Preset) -> list[str]:
    """Everything in a preset that contradicts the schema; empty when the preset is sound."""
    schema = SCHEMAS[preset.kind]
    problems = [
        f"{header!r} → unknown field {name!r}"
        for header, name in preset.columns.items()
        if name not in schema.field_names
    ]
    for name, mapping in preset.values.items():
        if name not in schema.field_names or schema.field(name).type != FieldType.CHOICE:
            problems.append(f"value map for {name!r}, not a choice field")
            continue
        choices = schema.field(name).choices
        problems += [
            f"{name}: {raw!r} → {to!r}" for raw, to in mapping.items() if to not in choices
        ]
    for rule in preset.combine:
        problems += [
            f"combine header {h!r} unknown" for h in rule.headers if h not in preset.columns
        ]
    decidable = OUTCOME_FIELDS.get(preset.kind, {})
    problems += [
        f"outcome {rule.outcome!r} cannot be decided for {preset.kind.value}"
        for rule in preset.outcomes
        if rule.outcome not in decidable
    ]
    return problems


def make_preset(
    crm: str,
    crm_label: str,
    kind: RecordKind,
    *,
    columns: Mapping[str, str],
    signature: tuple[tuple[str, ...], ...],
    values: Mapping[str, Mapping[str, str]] | None = None,
    combine: tuple[Combine, ...] = (),
    outcomes: tuple[OutcomeRule, ...] = (),
) -> Preset:
    return Preset(
        name=f"{crm}.{kind.value}",
        crm=crm,
        crm_label=crm_label,
        kind=kind,
        columns=MappingProxyType(dict(columns)),
        signature=signature,
        values=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in (values or {}).items()}),
        combine=combine,
        outcomes=tuple(
            OutcomeRule(rule.outcome, rule.header, tuple(map(normalise_value, rule.values)))
            for rule in outcomes
        ),
    )
