"""Grading leads and giving each its response deadline, set-wise.

One evaluator serves the import (the leads a run wrote), a re-grade (the open leads since a
version's effective date), the preview (the recent leads, under a draft) and the refresh of
every deadline: the leads are read as columns, graded with vectorised masks, their due times
worked out on the working calendar in one pass (salesopt.core.working_time), and only the rows
whose grade or deadline changed are written back, in one statement.

Which version grades a lead is decided by its creation day: the applied version with the
latest effective date on or before it. A lead created before every version keeps the CRM's
grade, with the default deadlines (SALESOPT_GRADE_SLA_HOURS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from salesopt.core.models import GradingStatus, GradingVersion
from salesopt.core.periods import company_zone
from salesopt.core.working_time import WorkingCalendar, company_calendar

GRADES = ("A", "B", "C")
READ_BATCH_ROWS = 100_000
# What the evaluator reads of a lead: its conditions' columns, and what it had before.
LEAD_COLUMNS = (
    "id",
    "created_in_crm_at",
    "crm_grade",
    "industry",
    "company_size",
    "urgency",
    "channel",
    "region_id",
    "product_line_id",
    "grade",
    "grading_version_id",
    "grade_rule_id",
    "due_at",
)
# What the assignment that runs with an import's grading reads too (grade_leads' routing).
ROUTING_COLUMNS = ("owner_id", "status", "routed_team_id")
# Owners and routed teams decided from the new grades, written in the grades' statement:
# lead id → (owner id, routed team id).
Routing = Callable[[pd.DataFrame, "Graded"], dict[int, tuple[int | None, int | None]]]


@dataclass(frozen=True)
class RuleSpec:
    id: int | None
    position: int
    grade: str
    industries: frozenset[str] = frozenset()
    company_sizes: frozenset[str] = frozenset()
    urgencies: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    region_ids: frozenset[int] = frozenset()
    product_line_ids: frozenset[int] = frozenset()

    def matches(self, leads: pd.DataFrame) -> np.ndarray:
        """Whether each lead meets every condition the rule sets (an empty one meets all)."""
        met = np.ones(len(leads), dtype=bool)
        for column, accepted in (
            ("industry", self.industries),
            ("channel", self.channels),
        ):
            if accepted:
                met &= _normalised(leads[column]).isin({_norm(v) for v in accepted}).to_numpy()
        for column, accepted in (
            ("company_size", self.company_sizes),
            ("urgency", self.urgencies),
        ):
            if accepted:
                met &= leads[column].isin(accepted).to_numpy()
        for column, ids in (
            ("region_id", self.region_ids),
            ("product_line_id", self.product_line_ids),
        ):
            if ids:
                met &= leads[column].isin(ids).to_numpy()
        return met


@dataclass(frozen=True)
class VersionSpec:
    id: int | None
    number: int
    effective_from: dt.date
    crm_grade_wins: bool
    default_grade: str
    deadlines: dict[str, float]
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The applied versions, oldest first, and the deadlines before the first of them."""

    versions: tuple[VersionSpec, ...]
    default_deadlines: dict[str, float] = field(default_factory=dict)

    def deadlines_on(self, day: dt.date) -> dict[str, float]:
        in_force = [v for v in self.versions if v.effective_from <= day]
        return in_force[-1].deadlines if in_force else self.default_deadlines

    def version_on(self, day: dt.date) -> VersionSpec | None:
        in_force = [v for v in self.versions if v.effective_from <= day]
        return in_force[-1] if in_force else None


def default_deadlines() -> dict[str, float]:
    configured = settings.SALESOPT_GRADE_SLA_HOURS
    return {grade: float(configured[grade]) for grade in GRADES if grade in configured}


def version_spec(version: GradingVersion) -> VersionSpec:
    rules = tuple(
        RuleSpec(
            id=rule.pk,
            position=rule.position,
            grade=rule.grade,
            industries=frozenset(rule.industries),
            company_sizes=frozenset(rule.company_sizes),
            urgencies=frozenset(rule.urgencies),
            channels=frozenset(rule.channels),
            region_ids=frozenset(region.pk for region in rule.regions.all()),
            product_line_ids=frozenset(line.pk for line in rule.product_lines.all()),
        )
        for rule in version.rules.all()
    )
    return VersionSpec(
        id=version.pk,
        number=version.number,
        effective_from=version.effective_from,
        crm_grade_wins=version.crm_grade_wins,
        default_grade=version.default_grade,
        deadlines=version.deadlines,
        rules=tuple(sorted(rules, key=lambda rule: rule.position)),
    )


def applied_policy() -> Policy:
    versions = (
        GradingVersion.objects.filter(status=GradingStatus.APPLIED)
        .prefetch_related("rules__regions", "rules__product_lines")
        .order_by("effective_from", "number")
    )
    return Policy(tuple(version_spec(v) for v in versions), default_deadlines())


def policy_with(version: GradingVersion) -> Policy:
    """The applied versions with `version` (a draft being applied) added in its place."""
    applied = [v for v in applied_policy().versions if v.id != version.pk]
    versions = sorted([*applied, version_spec(version)], key=lambda v: (v.effective_from, v.number))
    return Policy(tuple(versions), default_deadlines())


@dataclass
class Graded:
    """What the evaluator decided for each lead, aligned with the frame it was given."""

    grade: np.ndarray  # '' for ungraded
    version_id: np.ndarray  # float, NaN where no version graded the lead (the CRM's grade)
    rule_id: np.ndarray  # float, NaN where no rule did
    due_at: pd.Series  # aware, NaT where the lead has no deadline


def grade(leads: pd.DataFrame, policy: Policy, calendar: WorkingCalendar) -> Graded:
    """Grade `leads` (LEAD_COLUMNS) under `policy`, with due times on `calendar`."""
    count = len(leads)
    crm = leads["crm_grade"].fillna("").to_numpy(dtype=object)
    grades = crm.copy()
    version_ids = np.full(count, np.nan)
    rule_ids = np.full(count, np.nan)
    hours = np.full(count, np.nan)
    created = pd.to_datetime(leads["created_in_crm_at"], utc=True)
    days = created.dt.tz_convert(company_zone()).dt.tz_localize(None).to_numpy("datetime64[D]")
    in_force = np.full(count, -1)
    for index, version in enumerate(policy.versions):
        in_force[days >= np.datetime64(version.effective_from, "D")] = index
    for index in range(-1, len(policy.versions)):
        rows = in_force == index
        if not rows.any():
            continue
        if index < 0:
            deadlines = policy.default_deadlines
        else:
            version = policy.versions[index]
            deadlines = version.deadlines
            _grade_by_version(leads, rows, version, crm, grades, version_ids, rule_ids)
        for letter, limit in deadlines.items():
            hours[rows & (grades == letter)] = limit
    due = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[us, UTC]")
    timed = ~np.isnan(hours)
    if timed.any():
        found = calendar.due_many(pd.DatetimeIndex(created[timed]), hours[timed])
        due[timed] = found.tz_convert("UTC").as_unit("us")
    return Graded(grades, version_ids, rule_ids, due)


# The columns grading gives a lead, as the table names them.
GRADED_COLUMNS = ("grade", "grading_version_id", "grade_rule_id", "due_at")
_TEXT_INPUTS = ("crm_grade", "industry", "company_size", "urgency", "channel")


@dataclass(frozen=True)
class StreamGrader:
    """Grades new rows on their way into the table (a large first import), so that they are
    written once, graded: the policy and the calendar are read before the rows stream, and
    each chunk is graded without the database (on the thread that writes the COPY's text).
    Rewriting a million just-loaded rows to grade them cost more than loading them."""

    policy: Policy
    calendar: WorkingCalendar

    @classmethod
    def in_force(cls) -> StreamGrader:
        return cls(applied_policy(), company_calendar())

    def columns(self, rows: pd.DataFrame) -> pd.DataFrame:
        """GRADED_COLUMNS for `rows`, which hold the lead table's columns that grading reads
        (a blank text as missing or '', as the table stores it: '')."""
        leads = rows[["created_in_crm_at", "region_id", "product_line_id"]].copy()
        for column in _TEXT_INPUTS:
            leads[column] = rows[column].fillna("").astype(object)
        graded = grade(leads, self.policy, self.calendar)
        return pd.DataFrame(
            {
                "grade": graded.grade,
                "grading_version_id": pd.array(graded.version_id, dtype="Int64"),
                "grade_rule_id": pd.array(graded.rule_id, dtype="Int64"),
                "due_at": graded.due_at,  # indexed as `rows`
            },
            index=rows.index,
        )


def _grade_by_version(
    leads: pd.DataFrame,
    rows: np.ndarray,
    version: VersionSpec,
    crm: np.ndarray,
    grades: np.ndarray,
    version_ids: np.ndarray,
    rule_ids: np.ndarray,
) -> None:
    open_rows = rows & (crm == "") if version.crm_grade_wins else rows.copy()
    for rule in version.rules:
        taken = open_rows & rule.matches(leads)
        grades[taken] = rule.grade
        version_ids[taken] = version.id if version.id is not None else np.nan
        rule_ids[taken] = rule.id if rule.id is not None else np.nan
        open_rows &= ~taken
    grades[open_rows] = version.default_grade
    version_ids[open_rows] = version.id if version.id is not None else np.nan


def rule_matches(leads: pd.DataFrame, rules: Sequence[RuleSpec]) -> list[np.ndarray]:
    return [rule.matches(leads) for rule in rules]


def read_leads(
    where: str, params: Sequence[Any], *, columns: Sequence[str] = LEAD_COLUMNS
) -> pd.DataFrame:
    """The leads meeting `where` (SQL on core_lead, no alias), as `columns` (LEAD_COLUMNS and
    maybe ROUTING_COLUMNS)."""
    names = list(columns)
    with connection.cursor() as cursor:
        # `where` is written by our callers, never by a user; the values go in as parameters.
        cursor.execute(
            f"SELECT {', '.join(names)} FROM core_lead WHERE {where} ORDER BY id",  # noqa: S608
            list(params),
        )
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=names)
    for column in ("crm_grade", "industry", "company_size", "urgency", "channel", "grade"):
        frame[column] = frame[column].fillna("").astype(object)
    for column in ("created_in_crm_at", "due_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@dataclass(frozen=True)
class GradeCounts:
    leads: int
    changed_grade: int
    written: int


def grade_leads(
    where: str,
    params: Sequence[Any] = (),
    *,
    policy: Policy | None = None,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    routing: Routing | None = None,
) -> GradeCounts:
    """Grade the leads meeting `where` and write back those whose grade or deadline changed.

    `routing`, given all the leads with their new grades and due times, names the owners and
    routed teams to write with them: an import's assignment, which needs the new grades,
    then costs no second pass over the rows (salesopt.leads.assignment).

    All or nothing: a failure leaves every lead as it was."""
    with transaction.atomic():
        return _grade_leads(where, params, policy=policy, on_progress=on_progress, routing=routing)


def _grade_leads(
    where: str,
    params: Sequence[Any],
    *,
    policy: Policy | None,
    on_progress: Callable[[int, int], None],
    routing: Routing | None = None,
) -> GradeCounts:
    policy = policy if policy is not None else applied_policy()
    calendar = company_calendar()
    leads = read_leads(
        where, params, columns=LEAD_COLUMNS + (ROUTING_COLUMNS if routing is not None else ())
    )
    total = len(leads)
    on_progress(0, total)
    changed_grade = written = 0
    # Routing decides over every lead at once (the most urgent first): one batch then.
    batch_rows = READ_BATCH_ROWS if routing is None else max(total, 1)
    for start in range(0, total, batch_rows):
        batch = leads.iloc[start : start + batch_rows]
        graded = grade(batch, policy, calendar)
        differs, grade_differs = _differences(batch, graded)
        routes = routing(batch, graded) if routing is not None else {}
        if routes:
            differs |= batch["id"].isin(list(routes)).to_numpy()
        changed_grade += int(grade_differs.sum())
        written += _write(batch[differs], _subset(graded, differs), routes)
        on_progress(min(start + batch_rows, total), total)
    return GradeCounts(leads=total, changed_grade=changed_grade, written=written)


def _differences(leads: pd.DataFrame, graded: Graded) -> tuple[np.ndarray, np.ndarray]:
    grade_differs = leads["grade"].to_numpy(dtype=object) != graded.grade
    before_version = pd.to_numeric(leads["grading_version_id"]).to_numpy(dtype=float)
    before_rule = pd.to_numeric(leads["grade_rule_id"]).to_numpy(dtype=float)
    before_due = leads["due_at"].reset_index(drop=True)
    after_due = graded.due_at.reset_index(drop=True)
    due_differs = ~((before_due == after_due) | (before_due.isna() & after_due.isna())).to_numpy()
    differs = (
        grade_differs
        | ~_same(before_version, graded.version_id)
        | ~_same(before_rule, graded.rule_id)
        | due_differs
    )
    return differs, grade_differs


def _same(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return (before == after) | (np.isnan(before) & np.isnan(after))


def _subset(graded: Graded, rows: np.ndarray) -> Graded:
    return Graded(
        graded.grade[rows], graded.version_id[rows], graded.rule_id[rows], graded.due_at[rows]
    )


def _write(
    leads: pd.DataFrame,
    graded: Graded,
    routes: dict[int, tuple[int | None, int | None]] | None = None,
) -> int:
    if leads.empty:
        return 0
    ids = [int(i) for i in leads["id"].tolist()]
    due = pd.DatetimeIndex(graded.due_at)
    due_times = due.to_pydatetime().astype(object)
    due_times[due.isna()] = None
    columns = [
        ids,
        graded.grade.tolist(),
        _nullable_ints(graded.version_id),
        _nullable_ints(graded.rule_id),
        due_times.tolist(),
    ]
    if routes:
        kept = (None, None)
        columns += [
            [lead in routes for lead in ids],
            [routes.get(lead, kept)[0] for lead in ids],
            [routes.get(lead, kept)[1] for lead in ids],
        ]
    rows = list(zip(*columns, strict=True))
    # updated_at stays: a grade is derived from the record, not an edit of it (an import
    # stays revertible after a re-grade).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _write_postgresql(cursor, rows, routed=bool(routes))
        else:
            _write_sqlite(cursor, rows, routed=bool(routes))
    return len(rows)


_GRADED = "grade = g.grade, grading_version_id = g.version_id, grade_rule_id = g.rule_id, "
_GRADED += "due_at = g.due_at"
# A routed row takes its owner and team; the others keep theirs (an unchanged key costs no
# foreign-key check nor index entry).
_ROUTED = ", owner_id = CASE WHEN g.routed THEN g.owner_id ELSE l.owner_id END, "
_ROUTED += "routed_team_id = CASE WHEN g.routed THEN g.team_id ELSE l.routed_team_id END"


def _write_postgresql(cursor: Any, rows: list[tuple[Any, ...]], *, routed: bool) -> None:
    names = "id, grade, version_id, rule_id, due_at" + (", routed, owner_id, team_id" * routed)
    cursor.execute(
        "CREATE TEMPORARY TABLE leads_graded (id bigint, grade text, version_id bigint, "
        "rule_id bigint, due_at timestamptz, routed boolean, owner_id bigint, team_id bigint)"
    )
    with cursor.copy(f"COPY leads_graded ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        f"UPDATE core_lead AS l SET {_GRADED}{_ROUTED if routed else ''} "  # noqa: S608
        "FROM leads_graded AS g WHERE l.id = g.id"
    )
    cursor.execute("DROP TABLE leads_graded")


def _write_sqlite(cursor: Any, rows: list[tuple[Any, ...]], *, routed: bool) -> None:
    cursor.executemany(
        "UPDATE core_lead SET grade = %s, grading_version_id = %s, grade_rule_id = %s, "
        "due_at = %s WHERE id = %s",
        [(g, v, r, d, i) for i, g, v, r, d, *_ in rows],
    )
    if routed:
        cursor.executemany(
            "UPDATE core_lead SET owner_id = %s, routed_team_id = %s WHERE id = %s",
            [(owner, team, i) for i, *_, is_routed, owner, team in rows if is_routed],
        )


def _nullable_ints(values: np.ndarray) -> list[int | None]:
    return [None if value != value else int(value) for value in values.tolist()]  # NaN: None


def _norm(value: str) -> str:
    return str(value).strip().casefold()


def _normalised(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip().str.casefold()
