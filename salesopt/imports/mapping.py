"""Which column of a file feeds which canonical field, and how each was matched.

`propose_mapping` takes the file's headers and the kind of record, applies a preset (a built-in
one or a mapping the admin saved earlier) and then the English/Chinese synonym table to the
headers the preset does not know; the admin completes or corrects the rest on the mapping page.
A mapping serialises to JSON (`to_dict` / `ColumnMapping.from_dict`) so it can be saved as a
named preset, and `project` turns a file's rows into canonical text columns for the coercers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from salesopt.imports.presets import (
    Combine,
    Match,
    Preset,
    get_preset,
    normalise_header,
    recognise,
)
from salesopt.imports.presets.synonyms import synonyms_for
from salesopt.imports.presets.values import generic_value_map
from salesopt.imports.schema import SCHEMAS, FieldType, RecordKind

FORMAT_VERSION = 1


class MatchedBy(enum.StrEnum):
    PRESET = "preset"
    SAVED = "saved"  # a mapping the admin saved as a named preset
    SYNONYM = "synonym"
    MANUAL = "manual"  # chosen by the admin on the mapping page
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class ColumnChoice:
    header: str
    field: str | None
    matched_by: MatchedBy


@dataclass(frozen=True)
class ColumnMapping:
    kind: RecordKind
    columns: tuple[ColumnChoice, ...]
    preset: str | None = None  # the built-in preset the mapping started from
    source: str | None = None  # the CRM, stored as the records' `source`
    combine: tuple[Combine, ...] = ()  # with the file's own header spellings
    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    name: str | None = None  # set when saved as a named preset

    @property
    def mapped_fields(self) -> tuple[str, ...]:
        """Mapped canonical fields, in schema order."""
        used = {column.field for column in self.columns if column.field}
        return tuple(name for name in SCHEMAS[self.kind].field_names if name in used)

    def field_for(self, header: str) -> str | None:
        wanted = normalise_header(header)
        return next((c.field for c in self.columns if normalise_header(c.header) == wanted), None)

    def columns_dict(self) -> dict[str, str | None]:
        """Header → canonical field (None when unmatched), in file order."""
        return {column.header: column.field for column in self.columns}

    def headers_for(self, field_name: str) -> list[str]:
        return [column.header for column in self.columns if column.field == field_name]

    def value_map(self, field_name: str) -> dict[str, str]:
        """This mapping's values for a choice field over the generic English/Chinese ones."""
        generic = generic_value_map(self.kind, field_name)
        return {**generic, **self.value_maps.get(field_name, {})}

    def with_column(self, header: str, field_name: str | None) -> ColumnMapping:
        """The admin's choice for one column; a field another column fed is taken from it."""
        _check_field(self.kind, field_name)
        if header not in (column.header for column in self.columns):
            raise ValueError(f"no column {header!r} in this file")
        columns = tuple(
            ColumnChoice(
                header, field_name, MatchedBy.MANUAL if field_name else MatchedBy.UNMATCHED
            )
            if column.header == header
            else _released(column, field_name, self.combine)
            for column in self.columns
        )
        return replace(self, columns=columns)

    def with_values(self, field_name: str, values: Mapping[str, str]) -> ColumnMapping:
        """Extra file values → canonical choices for one choice field, from the admin."""
        _check_value_map(self.kind, field_name, values)
        merged = {**self.value_maps, field_name: {**self.value_maps.get(field_name, {}), **values}}
        return replace(self, value_maps=merged)

    def project(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The file's rows as canonical text columns; combine rules join their columns."""
        columns = {}
        for name in self.mapped_fields:
            headers = self.headers_for(name)
            rule = next((r for r in self.combine if r.field == name), None)
            columns[name] = combine_columns(frame, rule) if rule else frame[headers[0]]
        return pd.DataFrame(columns, index=frame.index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; `ColumnMapping.from_dict` reads it back."""
        return {
            "version": FORMAT_VERSION,
            "name": self.name,
            "kind": self.kind.value,
            "preset": self.preset,
            "source": self.source,
            "columns": [
                {"header": c.header, "field": c.field, "matched_by": c.matched_by.value}
                for c in self.columns
            ],
            "combine": [
                {"field": r.field, "headers": list(r.headers), "separator": r.separator,
                 "cjk_reversed": r.cjk_reversed}
                for r in self.combine
            ],
            "value_maps": {name: dict(values) for name, values in self.value_maps.items()},
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """A saved mapping; ValueError when it names a kind, field or choice that is gone."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unknown mapping format {data.get('version')!r}")
        kind = RecordKind(data["kind"])
        columns = tuple(
            ColumnChoice(c["header"], c["field"], MatchedBy(c["matched_by"]))
            for c in data["columns"]
        )
        for column in columns:
            _check_field(kind, column.field)
        for name, values in data.get("value_maps", {}).items():
            _check_value_map(kind, name, values)
        combine = tuple(
            Combine(r["field"], tuple(r["headers"]), r["separator"], r["cjk_reversed"])
            for r in data.get("combine", [])
        )
        return cls(
            kind=kind,
            columns=columns,
            preset=data.get("preset"),
            source=data.get("source"),
            combine=combine,
            value_maps={name: dict(values) for name, values in data.get("value_maps", {}).items()},
            name=data.get("name"),
        )


def _check_field(kind: RecordKind, field_name: str | None) -> None:
    if field_name is not None and field_name not in SCHEMAS[kind].field_names:
        raise ValueError(f"{kind.value} has no field {field_name!r}")


def _check_value_map(kind: RecordKind, field_name: str, values: Mapping[str, str]) -> None:
    _check_field(kind, field_name)
    canonical = SCHEMAS[kind].field(field_name)
    if canonical.type != FieldType.CHOICE:
        raise ValueError(f"{field_name!r} is not a choice field")
    wrong = sorted(set(values.values()) - set(canonical.choices))
    if wrong:
        raise ValueError(f"{field_name!r} has no choices {wrong}")


def _released(
    column: ColumnChoice, taken: str | None, combine: tuple[Combine, ...]
) -> ColumnChoice:
    """A column loses its field when the admin gives that field to another column, unless a
    combine rule joins several columns into it."""
    combined = any(rule.field == taken for rule in combine)
    if taken is None or column.field != taken or combined:
        return column
    return ColumnChoice(column.header, None, MatchedBy.UNMATCHED)


_CJK_ONLY = "^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$"


def combine_columns(frame: pd.DataFrame, rule: Combine) -> pd.Series:
    """The rule's columns joined row by row (vectorised): "Lei" + "Wang" → "Lei Wang", a blank
    part leaves no stray separator, and with `cjk_reversed` a row whose parts are all Chinese
    is joined last part first without a space ("磊" + "王" → "王磊")."""
    parts = [frame[h].astype("str").fillna("").str.strip() for h in rule.headers if h in frame]
    joined = parts[0].str.cat(parts[1:], sep=rule.separator).str.strip()
    if rule.separator.strip() == "" and rule.separator:
        joined = joined.str.replace(f"(?:{rule.separator})+", rule.separator, regex=True)
    if not rule.cjk_reversed or len(parts) < 2:
        return joined
    cjk = np.logical_and.reduce([part.str.match(_CJK_ONLY).to_numpy(dtype=bool) for part in parts])
    reversed_join = parts[-1].str.cat(parts[-2::-1], sep="")
    return joined.where(~cjk, reversed_join)


# ---------------------------------------------------------------------------------------------
# Proposing a mapping


@cache
def _synonym_index(kind: RecordKind) -> dict[str, list[tuple[int, int, str]]]:
    """Normalised synonym → [(rank, field position, field)] for one kind."""
    index: dict[str, list[tuple[int, int, str]]] = {}
    for position, name in enumerate(SCHEMAS[kind].field_names):
        for rank, synonym in enumerate(synonyms_for(kind, name)):
            index.setdefault(normalise_header(synonym), []).append((rank, position, name))
    return index


def _from_preset(headers: list[str], preset: Preset) -> dict[int, str]:
    """Header position → field, by the preset. One header per field, the spelling the preset
    lists first winning ("Order Reference" before "ID"), unless a combine rule joins several."""
    rank = {normalise_header(header): i for i, header in enumerate(preset.columns)}
    combined = {rule.field for rule in preset.combine}
    known = [
        (rank[normalise_header(h)], i, h) for i, h in enumerate(headers) if preset.field_for(h)
    ]
    chosen: dict[int, str] = {}
    for _rank, position, header in sorted(known):
        name = preset.field_for(header)
        if name and (name in combined or name not in chosen.values()):
            chosen[position] = name
    return chosen


def _from_saved(headers: list[str], saved: ColumnMapping) -> dict[int, str]:
    chosen = {}
    for position, header in enumerate(headers):
        name = saved.field_for(header)
        if name:
            chosen[position] = name
    return chosen


def _from_synonyms(headers: list[str], kind: RecordKind, taken: set[str]) -> dict[int, str]:
    """Greedy by synonym rank: the most specific synonym claims its field first."""
    index = _synonym_index(kind)
    candidates = sorted(
        (rank, field_position, position, name)
        for position, header in enumerate(headers)
        for rank, field_position, name in index.get(normalise_header(header), ())
    )
    chosen: dict[int, str] = {}
    for _rank, _field_position, position, name in candidates:
        if position not in chosen and name not in taken:
            chosen[position] = name
            taken.add(name)
    return chosen


def file_combines(headers: list[str], rules: Iterable[Combine]) -> tuple[Combine, ...]:
    """Combine rules rewritten to the file's own header spellings, kept when two or more of
    their columns are in the file."""
    spelled = {normalise_header(header): header for header in headers}
    kept: list[Combine] = []
    for rule in rules:
        present = tuple(spelled[n] for n in map(normalise_header, rule.headers) if n in spelled)
        if len(present) >= 2 and all(r.field != rule.field for r in kept):
            kept.append(replace(rule, headers=present))
    return tuple(kept)


def propose_mapping(
    headers: Iterable[str],
    kind: RecordKind,
    preset: Preset | ColumnMapping | str | None = None,
) -> ColumnMapping:
    """The preset's columns first (a built-in preset, its name, or a saved mapping), then
    synonyms for the headers it does not know; everything else is left unmatched."""
    headers = list(headers)
    if isinstance(preset, str):
        preset = get_preset(preset)
    if preset is not None and preset.kind != kind:
        raise ValueError(f"preset {preset.name!r} is for {preset.kind.value}, not {kind.value}")
    if isinstance(preset, Preset):
        chosen, how = _from_preset(headers, preset), MatchedBy.PRESET
    elif isinstance(preset, ColumnMapping):
        chosen, how = _from_saved(headers, preset), MatchedBy.SAVED
    else:
        chosen, how = {}, MatchedBy.PRESET
    by_synonym = _from_synonyms(
        [h if i not in chosen else "" for i, h in enumerate(headers)], kind, set(chosen.values())
    )
    columns = tuple(
        ColumnChoice(header, chosen[i], how)
        if i in chosen
        else ColumnChoice(header, by_synonym.get(i), _how(by_synonym.get(i)))
        for i, header in enumerate(headers)
    )
    return _finish(kind, columns, preset, headers)


def _how(field_name: str | None) -> MatchedBy:
    return MatchedBy.SYNONYM if field_name else MatchedBy.UNMATCHED


def _finish(
    kind: RecordKind,
    columns: tuple[ColumnChoice, ...],
    preset: Preset | ColumnMapping | None,
    headers: list[str],
) -> ColumnMapping:
    if isinstance(preset, ColumnMapping):
        return ColumnMapping(
            kind=kind, columns=columns, preset=preset.preset, source=preset.source,
            combine=file_combines(headers, preset.combine),
            value_maps=preset.value_maps, name=preset.name,
        )  # fmt: skip
    if preset is None:
        return ColumnMapping(kind=kind, columns=columns)
    mapped = {column.field for column in columns if column.field}
    return ColumnMapping(
        kind=kind, columns=columns, preset=preset.name, source=preset.crm,
        combine=file_combines(headers, preset.combine),
        value_maps={name: dict(v) for name, v in preset.values.items() if name in mapped},
    )  # fmt: skip


def missing_required(mapping: ColumnMapping, kind: RecordKind | None = None) -> list[str]:
    """Required canonical fields no column feeds, in schema order."""
    schema = SCHEMAS[kind or mapping.kind]
    mapped = set(mapping.mapped_fields)
    return [f.name for f in schema.fields if f.required and f.name not in mapped]


# ---------------------------------------------------------------------------------------------
# Guessing the kind of record

# Words in headers that name a kind of record ("Lead Source", "商机名称", "跟进时间").
_KIND_WORDS: Mapping[RecordKind, tuple[str, ...]] = {
    RecordKind.LEAD: ("lead", "线索"),
    RecordKind.CUSTOMER: ("account", "customer", "客户"),
    RecordKind.OPPORTUNITY: ("opportunity", "deal", "商机", "机会"),
    RecordKind.ORDER: ("order", "订单"),
    RecordKind.ACTIVITY: ("activity", "call", "task", "跟进", "拜访"),
    RecordKind.COMPLAINT: ("complaint", "case", "ticket", "投诉", "工单"),
    RecordKind.TARGET: ("target", "quota", "目标", "指标"),
    RecordKind.USER: ("employee", "user", "员工", "工号"),
}


@cache
def _distinctive(kind: RecordKind) -> frozenset[str]:
    """Fields no other kind has: a mapped `stage` says opportunity, `ordered_on` says order."""
    others = {n for k, s in SCHEMAS.items() if k != kind for n in s.field_names}
    return frozenset(set(SCHEMAS[kind].field_names) - others)


def _evidence(headers: list[str], kind: RecordKind) -> tuple[int, float, int]:
    mapping = propose_mapping(headers, kind)
    mapped = set(mapping.mapped_fields)
    words = sum(
        any(word in normalise_header(header) for word in _KIND_WORDS[kind]) for header in headers
    )
    required = [f.name for f in SCHEMAS[kind].fields if f.required]
    covered = sum(name in mapped for name in required) / len(required)
    return len(mapped & _distinctive(kind)) + words, covered, len(mapped)


def guess_kind(headers: Iterable[str]) -> RecordKind | None:
    """The kind of record a file most likely holds: a preset's kind when its signature is
    (nearly) all there, else the kind the headers give most evidence for; None if no header
    means anything."""
    headers = [header for header in headers if header.strip()]
    matches = recognise(headers)
    if matches and matches[0].score >= 0.75:
        return matches[0].preset.kind
    scored = [(_evidence(headers, kind), kind) for kind in RecordKind]
    best_score, best_kind = max(scored, key=lambda item: item[0])
    return best_kind if best_score[2] else None


# ---------------------------------------------------------------------------------------------
# Recognising a file: its kind and preset, how sure that is, and why

# A preset fits a file by the share of its signature headers the file has and the share of the
# file's columns it knows (a preset knowing 6 of 10 columns fits less than one knowing all 10).
CLOSE_FIT = 0.1  # two candidates closer than this: ask the admin instead of guessing
HIGH_FIT, PRESET_FIT = 0.85, 0.5


class Confidence(enum.StrEnum):
    CERTAIN = "certain"  # salesopt's own template, a saved mapping, or the admin's choice
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"  # from the words of the headers only
    NONE = "none"  # no header says what the file holds


class Reason(enum.StrEnum):
    TEMPLATE = "template"
    SAVED = "saved"
    PRESET = "preset"
    HEADERS = "headers"
    NOTHING = "nothing"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class Candidate:
    kind: RecordKind
    preset: str = ""  # a built-in preset's name, "" for none


@dataclass(frozen=True)
class Recognition:
    """What a file holds as salesopt recognised it. `candidates` lists the close readings
    (best first) when salesopt is not sure: the admin must then choose one."""

    kind: RecordKind
    preset: Preset | None
    confidence: Confidence
    reason: Reason
    decided_by: tuple[str, ...] = ()  # the file's headers that decided it
    candidates: tuple[Candidate, ...] = ()

    @property
    def needs_choice(self) -> bool:
        return len(self.candidates) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "preset": self.preset.name if self.preset else "",
            "confidence": self.confidence.value,
            "reason": self.reason.value,
            "decided_by": list(self.decided_by),
            "candidates": [{"kind": c.kind.value, "preset": c.preset} for c in self.candidates],
            "needs_choice": self.needs_choice,
        }


def _template_preset(kind: RecordKind) -> Preset:
    return get_preset(f"salesopt.{kind.value}")


def template_kinds(headers: Iterable[str], kind: RecordKind | None = None) -> list[RecordKind]:
    """The kinds whose salesopt template these headers are (English or Chinese, optional
    columns left out), best covered first: every header is one of the template's and every
    required column is there. Two kinds covered equally well both come back."""
    headers = [header for header in headers if header.strip()]
    fits: list[tuple[float, RecordKind]] = []
    for candidate in (kind,) if kind else tuple(RecordKind):
        preset = _template_preset(candidate)
        fields = [preset.field_for(header) for header in headers]
        if not headers or None in fields:
            continue
        schema = SCHEMAS[candidate]
        required = {f.name for f in schema.fields if f.required and f.name != "external_id"}
        if required <= set(fields):
            fits.append((len(set(fields)) / len(schema.field_names), candidate))
    fits.sort(key=lambda fit: -fit[0])
    return [k for share, k in fits if share == fits[0][0]] if fits else []


def _fit(match: Match) -> float:
    return (match.score + match.mapped_columns / max(match.total_columns, 1)) / 2


def _signature_headers(headers: list[str], preset: Preset) -> tuple[str, ...]:
    spellings = {normalise_header(s) for entry in preset.signature for s in entry}
    return tuple(header for header in headers if normalise_header(header) in spellings)


def _kind_headers(headers: list[str], kind: RecordKind) -> tuple[str, ...]:
    """Headers that name the kind or feed a field only that kind has."""
    mapping = propose_mapping(headers, kind)
    distinctive = _distinctive(kind)
    return tuple(
        header
        for header in headers
        if mapping.field_for(header) in distinctive
        or any(word in normalise_header(header) for word in _KIND_WORDS[kind])
    )


def recognise_file(headers: Iterable[str], kind: RecordKind | None = None) -> Recognition:
    """The kind and preset of a file (within `kind` when the admin gave it), how sure, why.

    salesopt's own template always wins; then the best fitting preset; then the words of the
    headers. When two readings are about as good, both are candidates and the admin chooses.
    """
    headers = [header for header in headers if header.strip()]
    templates = template_kinds(headers, kind)
    if templates:
        best = templates[0]
        others = [_template_preset(k).columns for k in RecordKind if k != best]
        own = tuple(h for h in headers if not any(
            normalise_header(h) in map(normalise_header, cols) for cols in others))  # fmt: skip
        return Recognition(
            best, _template_preset(best), Confidence.CERTAIN, Reason.TEMPLATE,
            decided_by=own or tuple(headers),
            candidates=tuple(Candidate(k, _template_preset(k).name) for k in templates)
            if len(templates) > 1 else (),
        )  # fmt: skip
    ranked = sorted(recognise(headers, kind), key=lambda m: (-_fit(m), m.preset.name))
    if ranked and _fit(ranked[0]) >= PRESET_FIT:
        best_match = ranked[0]
        close = [m for m in ranked[1:] if _fit(best_match) - _fit(m) < CLOSE_FIT]
        return Recognition(
            best_match.preset.kind, best_match.preset,
            Confidence.HIGH if _fit(best_match) >= HIGH_FIT else Confidence.MEDIUM,
            Reason.PRESET, decided_by=_signature_headers(headers, best_match.preset),
            candidates=tuple(Candidate(m.preset.kind, m.preset.name)
                             for m in (best_match, *close)) if close else (),
        )  # fmt: skip
    return _from_header_words(headers, kind, ranked[0].preset if ranked else None)


def _from_header_words(
    headers: list[str], kind: RecordKind | None, weak: Preset | None
) -> Recognition:
    if kind is not None:
        preset = weak if weak is not None and weak.kind == kind else None
        found = _kind_headers(headers, kind)
        confidence = Confidence.LOW if found else Confidence.NONE
        reason = Reason.HEADERS if found else Reason.NOTHING
        return Recognition(kind, preset, confidence, reason, decided_by=found)
    scored = sorted(((_evidence(headers, k), k) for k in RecordKind), key=lambda s: s[0],
                    reverse=True)  # fmt: skip
    (best_score, best), *rest = scored
    if not best_score[2]:  # no header means anything: the admin says what the file holds
        return Recognition(
            RecordKind.LEAD,
            None,
            Confidence.NONE,
            Reason.NOTHING,
            candidates=tuple(Candidate(k) for k in RecordKind),
        )
    tied = [k for score, k in rest if score[:2] == best_score[:2]]
    preset = weak if weak is not None and weak.kind == best else None
    return Recognition(
        best, preset, Confidence.LOW, Reason.HEADERS, decided_by=_kind_headers(headers, best),
        candidates=tuple(Candidate(k) for k in (best, *tied)) if tied else (),
    )  # fmt: skip
