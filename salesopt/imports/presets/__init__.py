"""Built-in presets for the exports of known CRMs, and recognising which one a file is.

`recognise(headers)` scores every preset by the fraction of its signature headers the file has
(ties broken by how many of the file's columns the preset maps), so the import page can offer
"Salesforce · Leads (14 of 16 columns)" and let the admin confirm or pick another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

from salesopt.imports.presets import (
    dingtalk,
    fxiaoke,
    hubspot,
    neocrm,
    odoo,
    salesforce,
    template,
    zoho,
)
from salesopt.imports.presets.base import (
    Combine,
    Preset,
    normalise_header,
    normalise_value,
    preset_problems,
)
from salesopt.imports.presets.template import example_rows, template_headers
from salesopt.imports.schema import RecordKind

__all__ = [
    "CRM_LABELS",
    "PRESETS",
    "PRESETS_BY_NAME",
    "RECORD_ID_FORMS",
    "Combine",
    "Match",
    "Preset",
    "example_rows",
    "get_preset",
    "normalise_header",
    "normalise_value",
    "preset_problems",
    "presets_for",
    "recognise",
    "source_label",
    "template_headers",
]

PRESETS: tuple[Preset, ...] = (
    *template.PRESETS,
    *salesforce.PRESETS,
    *hubspot.PRESETS,
    *odoo.PRESETS,
    *zoho.PRESETS,
    *neocrm.PRESETS,
    *fxiaoke.PRESETS,
    *dingtalk.PRESETS,
)
PRESETS_BY_NAME: dict[str, Preset] = {preset.name: preset for preset in PRESETS}
# An import's source as people read it: "Salesforce", "纷享销客 Fxiaoke", "salesopt 模板".
CRM_LABELS: dict[str, str] = {preset.crm: preset.crm_label for preset in PRESETS}


def source_label(source: str) -> str:
    """The CRM's name for an import's source (a saved mapping's own source as it is)."""
    label = CRM_LABELS.get(source)
    return _(label) if label else source


# Per CRM (an import's source): how one record's id is written whatever the export, so the
# same record matches itself across a report and a Data Loader file.
RECORD_ID_FORMS: dict[str, Callable[[pd.Series], pd.Series]] = {
    salesforce.CRM: salesforce.record_ids,
}


def get_preset(name: str) -> Preset:
    """The preset called `name` ("salesforce.lead"); KeyError when there is none."""
    return PRESETS_BY_NAME[name]


def presets_for(kind: RecordKind) -> tuple[Preset, ...]:
    return tuple(preset for preset in PRESETS if preset.kind == kind)


@dataclass(frozen=True)
class Match:
    preset: Preset
    signature_found: int
    signature_total: int
    mapped_columns: int  # columns of the file the preset knows
    total_columns: int

    @property
    def score(self) -> float:
        return self.signature_found / self.signature_total

    def describe(self) -> str:
        """E.g. "Salesforce · Leads (14 of 16 columns)"."""
        return f"{self.preset.label} ({self.mapped_columns} of {self.total_columns} columns)"


def recognise(headers: Iterable[str], kind: RecordKind | None = None) -> list[Match]:
    """Presets that share signature headers with the file, best first."""
    headers = [header for header in headers if header.strip()]
    normalised = {normalise_header(header) for header in headers}
    matches = [
        Match(
            preset=preset,
            signature_found=preset.signature_hits(normalised),
            signature_total=len(preset.signature),
            mapped_columns=sum(preset.field_for(header) is not None for header in headers),
            total_columns=len(headers),
        )
        for preset in (presets_for(kind) if kind else PRESETS)
    ]
    found = [match for match in matches if match.signature_found]
    return sorted(found, key=lambda m: (-m.score, -m.mapped_columns, m.preset.name))
