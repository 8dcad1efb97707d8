"""Validation, in one home: every reason a row is refused, for the preview, the dry run and
the import alike.

`RowValidator.rows(chunk)` turns a chunk of file text into canonical fields of the right types
and logs each problem with its row, column, value and reason: rows wider than the header, cells
that do not coerce, required fields left empty, the database's own rules (ROW_RULES), ids Excel
mangled, dates after the upload, and names of regions, product lines, teams and people that are
unknown (or created, with create_missing). The CRM's own outcome columns are applied here too.
What only the database can tell — references to other imported records, duplicate ids across
the file — the writer reports after staging, into the same log.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import readers
from .coercers import Coerced, Memo, coerce_field
from .mapping import combine_columns
from .presets import RECORD_ID_FORMS
from .presets.base import OUTCOME_FIELDS, Combine, OutcomeRule, normalise_value
from .references import SMALL_REFERENCES, ReferenceLookups, create_missing, problem_reason
from .schema import SCHEMAS, CanonicalField, FieldType, RecordKind

# What identifies a record when the export carries no id column.
IDENTITY_FIELDS = {
    RecordKind.LEAD: ("name", "company_name", "created_at"),
    RecordKind.CUSTOMER: ("name",),
    RecordKind.ACTIVITY: ("occurred_at", "rep", "lead", "customer", "kind", "subject"),
    RecordKind.OPPORTUNITY: ("name", "customer", "created_at"),
    RecordKind.ORDER: ("customer", "ordered_on", "amount", "rep", "product_line"),
    RecordKind.COMPLAINT: ("customer", "created_at", "kind"),
    RecordKind.USER: ("name", "email"),
}
# What the database also refuses (its CHECK constraints): found here, the row gets a reason in
# the report instead of the whole import failing on the constraint. (field, rows that break
# the rule, reason)
ROW_RULES: dict[RecordKind, tuple[tuple[str, Callable[[pd.DataFrame], pd.Series], Any], ...]] = {
    RecordKind.LEAD: (
        ("first_response_at", lambda frame: frame["first_response_at"] < frame["created_at"],
         gettext_lazy("earlier than the lead was created")),
    ),
    RecordKind.COMPLAINT: (
        ("satisfaction", lambda frame: ~frame["satisfaction"].between(1, 5),
         gettext_lazy("not between 1 and 5")),
    ),
    RecordKind.TARGET: (
        ("amount", lambda frame: frame["amount"] < 0, gettext_lazy("must not be negative")),
    ),
}  # fmt: skip
# The dates that say when a record came to be: they cannot lie after the upload.
NOT_IN_THE_FUTURE = {
    RecordKind.LEAD: "created_at",
    RecordKind.CUSTOMER: "created_at",
    RecordKind.OPPORTUNITY: "created_at",
    RecordKind.ORDER: "ordered_on",
    RecordKind.COMPLAINT: "created_at",
}
# 8.01234E+14: an id Excel turned into a number and wrote in scientific notation. Its digits are
# lost, so it can never match its record again.
SCIENTIFIC_NOTATION = r"^[+-]?[0-9](?:[.][0-9]+)?[eE][+]?[0-9]+$"


@dataclass(frozen=True)
class ImportPlan:
    """How to read one file: the decisions taken on the mapping page, in plain values."""

    path: Path
    sniffed: readers.SniffResult
    kind: RecordKind
    source: str
    columns: Mapping[str, str]  # file header → canonical field
    value_maps: Mapping[str, Mapping[str, str]]  # canonical choice field → CRM value → choice
    combine: tuple[Combine, ...] = ()
    zone: str = "Asia/Shanghai"
    day_first: bool = False
    create_missing: bool = False
    # When the file was uploaded: a creation or order date well after it is a row error.
    received_at: dt.datetime | None = None
    # Columns that decide converted / won / lost over the status or stage (OutcomeRule).
    outcomes: tuple[OutcomeRule, ...] = ()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ErrorLog:
    """Every problem, streamed to a CSV on disk; the first few kept for the page and the JSON."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkstemp(prefix="salesopt-errors-", suffix=".csv")[1])
        self._file = self.path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self.sample: list[RowError] = []
        self.count = 0
        self.rejected_rows: set[int] = set()

    def add(self, error: RowError, *, rejects: bool = True) -> None:
        self._writer.writerow([error.row, error.column, error.value, error.reason])
        self.count += 1
        if rejects:
            self.rejected_rows.add(error.row)
        if len(self.sample) < settings.SALESOPT_IMPORT_ERROR_SAMPLE:
            self.sample.append(error)

    def close(self) -> Path:
        self._file.close()
        return self.path


class RowValidator:
    """Validates a file chunk by chunk: what each chunk's rows become, and why some cannot.

    Coercion memos and reference lookups live for the whole file. With create_missing, unknown
    names are created as they are met; `before_creating` runs first (a staging COPY must end:
    creating a region or an owner is a statement of its own).
    """

    def __init__(
        self,
        plan: ImportPlan,
        errors: ErrorLog,
        *,
        before_creating: Callable[[], None] = lambda: None,
    ) -> None:
        self.plan = plan
        self.errors = errors
        self.before_creating = before_creating
        self.lookups = ReferenceLookups.load()
        self.memos: dict[str, Memo] = collections.defaultdict(dict)

    def rows(self, read_chunk: readers.Chunk) -> pd.DataFrame:
        """The chunk as canonical fields (the refused rows still in it: see `rejected_rows`)."""
        chunk, unreadable = readers.split_rejected(read_chunk)
        for row, reason in unreadable:
            self.errors.add(RowError(row, "", "", reason))
        frame = _canonical(chunk, self.plan, self.errors, self.memos)
        if self.plan.create_missing:
            self.before_creating()
        self.lookups = _resolve_small_references(frame, self.plan, self.lookups, self.errors)
        return frame

    def valid(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame without the rows refused so far."""
        return frame.drop(index=list(self.errors.rejected_rows), errors="ignore")


# --- mapping and coercion, column by column --------------------------------------------------


def header_of(plan: ImportPlan, field_name: str) -> str:
    """The file's column for a canonical field, as the admin knows it."""
    for header, name in plan.columns.items():
        if name == field_name:
            return header
    for rule in plan.combine:
        if rule.field == field_name:
            return " + ".join(rule.headers)
    return field_name


def _source_series(chunk: pd.DataFrame, plan: ImportPlan, field_name: str) -> pd.Series | None:
    for rule in plan.combine:
        if rule.field == field_name:
            return combine_columns(chunk, rule)
    header = header_of(plan, field_name)
    return chunk[header] if header in chunk.columns else None


def _canonical(
    chunk: pd.DataFrame, plan: ImportPlan, errors: ErrorLog, memos: Mapping[str, Memo]
) -> pd.DataFrame:
    """The chunk as canonical fields of the right types; each bad cell logged with its reason.
    `memos` remember, per column, the values earlier chunks coerced."""
    schema = SCHEMAS[plan.kind]
    columns: dict[str, pd.Series] = {}
    for canonical_field in schema.fields:
        raw = _source_series(chunk, plan, canonical_field.name)
        text = raw if raw is not None else pd.Series("", index=chunk.index, dtype="str")
        value_map = plan.value_maps.get(canonical_field.name) or {}
        if raw is None:
            # A column the file does not have is blank on every row: one blank, spread.
            blank = _coerced_blank(canonical_field, plan.zone, plan.day_first,
                                   tuple(sorted(value_map.items())))  # fmt: skip
            coerced = blank.spread(np.zeros(len(chunk), dtype=np.intp), chunk.index)
        else:
            coerced = coerce_field(text, canonical_field, zone=plan.zone,
                                   day_first=plan.day_first, value_map=value_map,
                                   memo=memos[canonical_field.name])  # fmt: skip
        header = header_of(plan, canonical_field.name)
        failed = coerced.failed.to_numpy()
        if failed.any():
            for row in coerced.errors.index[failed]:
                errors.add(RowError(int(row), header, str(text[row]), str(coerced.errors[row])))
        derived_id = canonical_field.name == "external_id" and raw is None
        if canonical_field.required and not derived_id:
            # Blank after coercion and not refused: the cell was empty (or only spaces or
            # control characters, which clean text drops).
            missing = coerced.values.isna().to_numpy() & ~failed
            if missing.any():
                for row in chunk.index[missing]:
                    errors.add(RowError(int(row), header, "", str(_("required, but empty"))))
        columns[canonical_field.name] = coerced.values
    frame = pd.DataFrame(columns, index=chunk.index)
    if plan.kind is RecordKind.TARGET:
        frame["external_id"] = _target_ids(frame)
    elif "external_id" not in plan.columns.values():
        frame["external_id"] = _derived_ids(frame, plan.kind)
    _record_ids(frame, plan, errors)
    _decide_outcomes(frame, chunk, plan)
    if plan.received_at is not None:
        _refuse_future_dates(frame, chunk, plan, errors)
    if plan.kind is RecordKind.OPPORTUNITY:
        _close_decided_deals(frame, plan.zone)
    for field_name, breaks, reason in ROW_RULES.get(plan.kind, ()):
        broken = breaks(frame).fillna(False).astype(bool)
        raw = _source_series(chunk, plan, field_name)
        for row in frame.index[broken.to_numpy()]:
            value = "" if raw is None else str(raw[row])
            errors.add(RowError(int(row), header_of(plan, field_name), value, str(reason)))
    return frame


def _decide_outcomes(frame: pd.DataFrame, chunk: pd.DataFrame, plan: ImportPlan) -> None:
    """The outcome each rule's column marks, over what the status or stage says; later rules
    win (an archived Odoo deal is lost even at 100%)."""
    targets = OUTCOME_FIELDS.get(plan.kind, {})
    for rule in plan.outcomes:
        if rule.outcome not in targets or rule.header not in chunk.columns:
            continue
        cells = chunk[rule.header].fillna("").astype("str")
        if rule.values:
            marks = cells.map(normalise_value).isin(rule.values)
        else:
            marks = cells.str.strip().ne("")
        field_name, choice = targets[rule.outcome]
        frame.loc[marks.to_numpy(bool), field_name] = choice


def _id_fields(kind: RecordKind) -> list[str]:
    """The fields that hold a record's id in its CRM: its own, and those of records it names."""
    return ["external_id"] + [
        f.name
        for f in SCHEMAS[kind].fields
        if f.references is not None and f.references not in SMALL_REFERENCES
    ]


def _record_ids(frame: pd.DataFrame, plan: ImportPlan, errors: ErrorLog) -> None:
    """Ids in their CRM's one form (RECORD_ID_FORMS); an id in scientific notation is refused."""
    same_form = RECORD_ID_FORMS.get(plan.source)
    for name in _id_fields(plan.kind):
        if name not in frame.columns or name not in set(plan.columns.values()):
            continue
        ids = frame[name]
        mangled = ids.astype("str").str.match(SCIENTIFIC_NOTATION).fillna(False).to_numpy(bool)
        for row in frame.index[mangled]:
            errors.add(RowError(int(row), header_of(plan, name), str(ids[row]), str(_(
                "an id that Excel turned into scientific notation: its digits are lost; export "
                "the column as text"))))  # fmt: skip
        if same_form is not None:
            frame[name] = same_form(ids)


def _refuse_future_dates(
    frame: pd.DataFrame, chunk: pd.DataFrame, plan: ImportPlan, errors: ErrorLog
) -> None:
    name = NOT_IN_THE_FUTURE.get(plan.kind)
    if name is None or plan.received_at is None:
        return
    hours = settings.SALESOPT_IMPORT_FUTURE_TOLERANCE_HOURS
    latest = pd.Timestamp(plan.received_at + dt.timedelta(hours=hours))
    values = frame[name]
    if SCHEMAS[plan.kind].field(name).type is FieldType.DATE:
        local_day = latest.tz_convert(plan.zone).date()
        later = pd.to_datetime(values).dt.date.gt(local_day)
    else:
        later = pd.to_datetime(values, utc=True).gt(latest.tz_convert("UTC"))
    later = later.fillna(False).to_numpy(bool)
    if not later.any():
        return
    raw = _source_series(chunk, plan, name)
    uploaded = plan.received_at.astimezone(ZoneInfo(plan.zone)).strftime("%Y-%m-%d %H:%M")
    reason = _("in the future: later than the upload (%(uploaded)s)") % {"uploaded": uploaded}
    for row in frame.index[later]:
        value = str(raw[row]) if raw is not None else str(values[row])
        errors.add(RowError(int(row), header_of(plan, name), value, reason))


@functools.lru_cache(maxsize=256)
def _coerced_blank(
    field: CanonicalField, zone: str, day_first: bool, value_map: tuple[tuple[str, str], ...]
) -> Coerced:
    """A blank cell of `field`, coerced once per import rather than once per chunk (each
    coercion has a fixed cost of a few milliseconds, whatever the column's length)."""
    return coerce_field(pd.Series([""], dtype="str"), field, zone=zone, day_first=day_first,
                        value_map=dict(value_map))  # fmt: skip


def _derived_ids(frame: pd.DataFrame, kind: RecordKind) -> pd.Series:
    """A stable id from what identifies the record, for exports without an id column (Odoo list
    views, DingTalk): the same row gives the same id, so re-importing the file is a no-op."""
    identity = frame[[name for name in IDENTITY_FIELDS[kind] if name in frame.columns]]
    hashes = pd.util.hash_pandas_object(identity.astype("str"), index=False)
    return "row-" + pd.Series(hashes.to_numpy(), index=frame.index).map("{:016x}".format)


def _close_decided_deals(frame: pd.DataFrame, zone: str) -> None:
    """Salesforce, HubSpot and Zoho give only a close date: a won or lost deal closed then."""
    decided = frame["stage"].isin(["won", "lost"]) & frame["closed_at"].isna()
    close_day = pd.to_datetime(frame["expected_close"]).dt.tz_localize(zone).dt.tz_convert("UTC")
    frame.loc[decided, "closed_at"] = close_day[decided]


def _target_ids(frame: pd.DataFrame) -> pd.Series:
    """Targets rarely carry an id: their period and scope are their identity."""
    period = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d").fillna("")
    scope = [frame[name].fillna("").astype("str").str.strip().str.casefold()
             for name in ("region", "product_line", "team", "rep")]  # fmt: skip
    generated = frame["grain"].fillna("").astype("str").str.cat([period, *scope], sep="|")
    given = frame["external_id"].fillna("").astype("str").str.strip()
    return given.where(given.ne(""), generated)


def _resolve_small_references(
    frame: pd.DataFrame, plan: ImportPlan, lookups: ReferenceLookups, errors: ErrorLog
) -> ReferenceLookups:
    """Swap names for ids in place; create the unknown ones when the admin asked for it."""
    for canonical_field in SCHEMAS[plan.kind].fields:
        reference = canonical_field.references
        if reference not in SMALL_REFERENCES:
            continue
        names = frame[canonical_field.name]
        ids, problem = lookups.resolve(reference, names)
        if plan.create_missing and problem.eq("unknown").any():
            create_missing(reference, names[problem.eq("unknown")].unique().tolist())
            lookups = ReferenceLookups.load()
            ids, problem = lookups.resolve(reference, names)
        header = header_of(plan, canonical_field.name)
        for row in problem.index[problem.ne("")]:
            errors.add(RowError(int(row), header, str(names[row]), problem_reason(problem[row])))
        frame[canonical_field.name] = ids
    return lookups
