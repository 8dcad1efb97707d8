"""Assigning ownerless open leads to reps, set-wise, with the reason of each assignment.

One engine serves the import (the leads a run wrote without an owner), the unassigned queue
("assign the queue now") and the reassignment of breached leads: the leads are read in one
query, most urgent first; the reps' open loads in one grouped query; each lead is routed by the
first rule to a team and given the team's next rep (round-robin) or its least-loaded one,
skipping reps on leave or at their capacity; the owners are written back in one statement and
the log rows copied in one. A lead that cannot be assigned waits in the unassigned queue with
its reason, and is never dropped.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count

from salesopt.core.bulk import (
    bulk_load,
    column_defaults,
    csv_of,
    restore_column_defaults,
    set_column_defaults,
)
from salesopt.core.models import (
    OPEN_LEAD_STATUSES,
    AssignmentMethod,
    AssignmentPolicy,
    AssignmentReason,
    AssignmentRule,
    Lead,
    Profile,
    RepLeave,
    Role,
    TeamTurn,
)
from salesopt.core.periods import company_zone

from .grading import Graded, grade_leads

_OPEN = tuple(str(status) for status in OPEN_LEAD_STATUSES)


def assignment_policy() -> AssignmentPolicy:
    """The company's policy; its defaults until the manager saves it."""
    return AssignmentPolicy.objects.filter(pk=1).first() or AssignmentPolicy(pk=1)


@dataclass(frozen=True)
class RouteRule:
    id: int
    position: int
    team_id: int
    region_ids: frozenset[int] = frozenset()
    product_line_ids: frozenset[int] = frozenset()

    def routes(self, region_id: int | None, product_line_id: int | None) -> bool:
        if self.region_ids and region_id not in self.region_ids:
            return False
        return not self.product_line_ids or product_line_id in self.product_line_ids


def route_rules() -> list[RouteRule]:
    rules = AssignmentRule.objects.prefetch_related("regions", "product_lines").order_by("position")
    return [
        RouteRule(
            id=rule.pk,
            position=rule.position,
            team_id=rule.team_id,
            region_ids=frozenset(r.pk for r in rule.regions.all()),
            product_line_ids=frozenset(p.pk for p in rule.product_lines.all()),
        )
        for rule in rules
    ]


@dataclass
class Rep:
    user_id: int
    team_id: int
    capacity: int | None
    on_leave: bool
    open_leads: int = 0
    load: float = 0.0

    @property
    def free(self) -> bool:
        return not self.on_leave and (self.capacity is None or self.open_leads < self.capacity)

    def take(self, weight: float) -> float:
        """Give the rep one more open lead of `weight`; the load the rep had before it."""
        before = self.load
        self.open_leads += 1
        self.load += weight
        return before


@dataclass
class Team:
    id: int
    reps: list[Rep]  # by user id: the round-robin order
    next_index: int = 0  # round-robin: where the next turn starts

    def give(
        self,
        method: str,
        weights: Sequence[float],
        excluding: Sequence[int | None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Reps for leads of `weights` (in the order they come), each the rep the method
        names among those free (not on leave, under capacity) and not `excluding` that lead's
        owner: the user ids, and the reps' loads before each lead (floats, NaN where nobody
        was free). The reps' loads and counts are updated."""
        if method == AssignmentMethod.LEAST_LOADED:
            return self._give_least_loaded(weights, excluding)
        return self._give_in_turn(weights, excluding)

    def _give_least_loaded(
        self, weights: Sequence[float], excluding: Sequence[int | None] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        # The free reps in a heap by (load, open leads, user id): the least loaded on top,
        # ties to the one with fewer leads, then the lower user id. Only the rep that took a
        # lead changes, so one heap operation a lead replaces a scan of the team (plain lists
        # and tuples: 100,000 leads of an import go through this loop).
        reps = self.reps
        loads, counts = [rep.load for rep in reps], [rep.open_leads for rep in reps]
        caps = [math.inf if rep.capacity is None else rep.capacity for rep in reps]
        free = [(loads[i], counts[i], rep.user_id, i) for i, rep in enumerate(reps) if rep.free]
        heapq.heapify(free)
        owners, before = [math.nan] * len(weights), [math.nan] * len(weights)
        for index, weight in enumerate(weights):
            if not free:
                break  # nobody left: the rest wait
            held = None
            if excluding is not None and free[0][2] == excluding[index]:
                held = heapq.heappop(free)
                if not free:
                    heapq.heappush(free, held)
                    continue
            load, count, user_id, i = free[0]
            owners[index], before[index] = user_id, load
            loads[i], counts[i] = load + weight, count + 1
            if count + 1 < caps[i]:
                heapq.heapreplace(free, (load + weight, count + 1, user_id, i))
            else:
                heapq.heappop(free)
            if held is not None:
                heapq.heappush(free, held)
        for rep, load, count in zip(reps, loads, counts, strict=True):
            rep.load, rep.open_leads = load, count
        return np.array(owners, dtype=float), np.array(before, dtype=float)

    def _give_in_turn(
        self, weights: Sequence[float], excluding: Sequence[int | None] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        count = len(self.reps)
        owners, before = np.full(len(weights), np.nan), np.full(len(weights), np.nan)
        for index, weight in enumerate(weights):
            owner = excluding[index] if excluding is not None else None
            for step in range(count):
                rep = self.reps[(self.next_index + step) % count]
                if rep.free and rep.user_id != owner:
                    self.next_index = (self.next_index + step + 1) % count
                    owners[index], before[index] = rep.user_id, rep.take(weight)
                    break
        return owners, before


@dataclass(frozen=True)
class AssignmentCounts:
    leads: int = 0
    assigned: int = 0
    waiting: int = 0
    waiting_by_team: dict[int | None, int] = field(default_factory=dict)


def sum_counts(parts: Iterable[AssignmentCounts]) -> AssignmentCounts:
    leads = assigned = waiting = 0
    by_team: dict[int | None, int] = {}
    for part in parts:
        leads, assigned, waiting = (
            leads + part.leads,
            assigned + part.assigned,
            waiting + part.waiting,
        )
        for team_id, count in part.waiting_by_team.items():
            by_team[team_id] = by_team.get(team_id, 0) + count
    return AssignmentCounts(leads, assigned, waiting, by_team)


@dataclass(frozen=True)
class _Entry:
    lead_id: int
    team_id: int | None
    assigned_to: int | None
    previous_owner: int | None
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)
    rule_position: int | None = None
    method: str = ""  # and load: when a rule's method gave the lead a rep
    load: float | None = None


@dataclass(frozen=True)
class Decisions:
    """The engine's decision for each lead of a batch, aligned with it, as arrays of floats
    (NaN: none): the team its rule routes it to, the rule's position, the rep it gets (NaN:
    it waits) and that rep's load before it; why, as text."""

    team_ids: np.ndarray
    rule_positions: np.ndarray
    owners: np.ndarray
    loads: np.ndarray
    method: str

    @property
    def reasons(self) -> pd.Categorical:
        """No rule, the team full, or routed by a rule (categories: cheap to build and to
        write, for 100,000 leads)."""
        codes = (~np.isnan(self.team_ids)).astype(np.int8) + (~np.isnan(self.owners))
        return pd.Categorical.from_codes(codes, _REASONS)

    def methods(self) -> pd.Categorical:
        """The method that gave each lead its rep; '' for a lead left waiting."""
        return pd.Categorical.from_codes((~np.isnan(self.owners)).astype(np.int8),
                                         ["", self.method])  # fmt: skip

    def counts(self) -> AssignmentCounts:
        waiting = np.isnan(self.owners)
        teams, numbers = np.unique(self.team_ids[waiting], return_counts=True, equal_nan=True)
        by_team = {
            None if np.isnan(t) else int(t): int(n) for t, n in zip(teams, numbers, strict=True)
        }
        held = int(waiting.sum())
        return AssignmentCounts(len(self.owners), len(self.owners) - held, held, by_team)


def decide(
    region_ids: np.ndarray,
    product_line_ids: np.ndarray,
    grades: np.ndarray,
    *,
    rules: Sequence[RouteRule],
    teams: dict[int, Team],
    policy: AssignmentPolicy,
) -> Decisions:
    """Route each lead (most urgent first: the order given; ids as floats, NaN for none) by
    the first rule that takes its region and product line, and give it its team's next rep.

    The routing is vectorised; the reps are given team by team, one heap operation or turn a
    lead, updating the teams' loads (a later batch continues from them)."""
    count = len(grades)
    rule_of = np.full(count, -1)
    for index, rule in enumerate(rules):
        met = rule_of < 0
        if rule.region_ids:
            met &= np.isin(region_ids, list(rule.region_ids))
        if rule.product_line_ids:
            met &= np.isin(product_line_ids, list(rule.product_line_ids))
        rule_of[met] = index
    # Index -1 (no rule) takes the NaN at the end.
    team_ids = np.array([rule.team_id for rule in rules] + [np.nan], dtype=float)[rule_of]
    positions = np.array([rule.position for rule in rules] + [np.nan], dtype=float)[rule_of]
    weights = np.full(count, policy.weight_c)
    for letter, weight in policy.weights.items():
        weights[grades == letter] = weight
    owners, loads = np.full(count, np.nan), np.full(count, np.nan)
    # Team by team (two rules may route to one team), each team's leads in the order given.
    for team_id in dict.fromkeys(rule.team_id for rule in rules):
        team = teams.get(team_id)
        routed = np.flatnonzero(team_ids == team_id)
        if team is not None and routed.size:
            owners[routed], loads[routed] = team.give(policy.method, weights[routed].tolist())
    return Decisions(team_ids, positions, owners, np.round(loads, 2), policy.method)


# Decisions.reasons: by whether the lead was routed, and then given a rep.
_REASONS = [
    str(AssignmentReason.NO_RULE),
    str(AssignmentReason.TEAM_FULL),
    str(AssignmentReason.RULE),
]


def _last_rep_of_each_team(teams: pd.Series, reps: pd.Series) -> list[tuple[int, int]]:
    """(team, rep) of the last record of each team that went to a rep (for remember_turns)."""
    both = pd.DataFrame({"team": teams, "rep": reps}).dropna()
    last = both.drop_duplicates("team", keep="last")
    return [(int(team), int(rep)) for team, rep in zip(last["team"], last["rep"], strict=True)]


def _nullable(values: np.ndarray) -> list[Any]:
    """Floats as ints, NaN as None."""
    return [None if value != value else int(value) for value in values.tolist()]


def teams_now(
    *, today: dt.date, policy: AssignmentPolicy, team_ids: Iterable[int] | None = None
) -> dict[int, Team]:
    """Each team's reps with their open load, leave and capacity as of `today`."""
    weights = policy.weights
    profiles = Profile.objects.filter(
        role=Role.SALES_REP, team__isnull=False, user__is_active=True
    ).order_by("team_id", "user_id")
    if team_ids is not None:
        profiles = profiles.filter(team_id__in=set(team_ids))
    away = set(
        RepLeave.objects.filter(starts_on__lte=today, ends_on__gte=today).values_list(
            "user_id", flat=True
        )
    )
    reps = {
        user_id: Rep(user_id, team_id, capacity, user_id in away)
        for user_id, team_id, capacity in profiles.values_list(
            "user_id", "team_id", "lead_capacity"
        )
    }
    loads = (
        Lead.objects.filter(status__in=OPEN_LEAD_STATUSES, owner_id__in=list(reps))
        .values_list("owner_id", "grade")
        .annotate(count=Count("id"))
        .order_by()
    )
    for owner_id, grade, count in loads if reps else ():
        rep = reps[owner_id]
        rep.open_leads += count
        rep.load += count * weights.get(grade or "", weights["C"])
    teams: dict[int, Team] = {}
    for rep in reps.values():
        teams.setdefault(rep.team_id, Team(rep.team_id, [])).reps.append(rep)
    last_reps = dict(
        TeamTurn.objects.filter(team_id__in=list(teams)).values_list("team_id", "last_rep_id")
    )
    for team in teams.values():
        order = [rep.user_id for rep in team.reps]
        last = last_reps.get(team.id)
        # The turn after the rep the team's last assignment went to.
        team.next_index = (order.index(last) + 1) % len(order) if last in order else 0
    return teams


def remember_turns(assignments: Iterable[tuple[int | None, int | None]]) -> None:
    """Record (team, rep) assignments, in the order made: round-robin resumes in each team
    after the last of its reps."""
    last = {team: rep for team, rep in assignments if team is not None and rep is not None}
    if last:
        TeamTurn.objects.bulk_create(
            [TeamTurn(team_id=team, last_rep_id=rep) for team, rep in last.items()],
            update_conflicts=True,
            unique_fields=["team"],
            update_fields=["last_rep"],
        )


def grade_and_assign_imported(run_id: int, *, now: dt.datetime) -> AssignmentCounts:
    """Grade the leads an import run wrote and assign those without an owner, in the run's
    transaction and in one write: the owners go into the grades' statement (a lead that had
    an owner keeps it: a blank owner in a file does not clear it)."""
    where, params = "changed_by_import = %s", [run_id]
    policy = assignment_policy()
    if not policy.enabled:
        grade_leads(where, params)
        return AssignmentCounts()
    plans: list[_Plan] = []

    def route(leads: pd.DataFrame, graded: Graded) -> dict[int, tuple[int | None, int | None]]:
        plan = _plan(_ownerless_graded(leads, graded), policy, now=now)
        plans.append(plan)
        return {entry.lead_id: (entry.assigned_to, entry.team_id) for entry in plan.changed}

    with transaction.atomic():
        grade_leads(where, params, routing=route)
        if not plans:
            return AssignmentCounts()
        _log(plans[0].logged, now=now, by=None, import_run=run_id)
    return plans[0].counts


def assign_leads(
    where: str,
    params: Sequence[Any] = (),
    *,
    now: dt.datetime,
    by: Any = None,
    import_run: int | None = None,
) -> AssignmentCounts:
    """Assign the ownerless open leads meeting `where` (SQL on core_lead, no alias).

    All or nothing: a failure leaves every lead and the log as they were."""
    policy = assignment_policy()
    with transaction.atomic():
        leads = _ownerless(where, params)
        if not leads.ids:
            return AssignmentCounts()
        plan = _plan(leads, policy, now=now)
        write_entries(plan.changed, now=now, by=by, import_run=import_run, log=False)
        _log(plan.logged, now=now, by=by, import_run=import_run)
    return plan.counts


@dataclass(frozen=True)
class _Plan:
    changed: list[_Entry]  # the leads whose owner or routed team changes
    logged: list[_Entry]  # the assignments and the new reasons to wait
    counts: AssignmentCounts


@dataclass(frozen=True)
class _Waiting:
    """Ownerless open leads, most urgent first, as columns."""

    ids: list[int]
    region_ids: np.ndarray  # float: NaN where the lead has none
    product_line_ids: np.ndarray
    grades: list[str]
    routed_team_ids: list[int | None]
    last_reasons: list[str | None]  # of the lead's last assignment record


def _plan(leads: _Waiting, policy: AssignmentPolicy, *, now: dt.datetime) -> _Plan:
    """Each lead, most urgent first, routed and given a rep or a reason to wait."""
    if not leads.ids:
        return _Plan([], [], AssignmentCounts())
    rules = route_rules()
    teams = teams_now(
        today=now.astimezone(company_zone()).date(),
        policy=policy,
        team_ids={rule.team_id for rule in rules},
    )
    decided = decide(leads.region_ids, leads.product_line_ids,
                     np.array(leads.grades, dtype=object), rules=rules, teams=teams,
                     policy=policy)  # fmt: skip
    changed: list[_Entry] = []
    logged: list[_Entry] = []
    owners, team_ids = _nullable(decided.owners), _nullable(decided.team_ids)
    positions, methods = _nullable(decided.rule_positions), decided.methods().tolist()
    loads = [None if load != load else load for load in decided.loads.tolist()]  # NaN: None
    reasons = decided.reasons.tolist()
    for index, lead_id in enumerate(leads.ids):
        owner, team_id, reason = owners[index], team_ids[index], reasons[index]
        moved = owner is not None or leads.routed_team_ids[index] != team_id
        if not moved and leads.last_reasons[index] == reason:
            continue  # still waiting, for the reason already logged
        entry = _Entry(lead_id, team_id, owner, None, reason, rule_position=positions[index],
                       method=methods[index], load=loads[index])  # fmt: skip
        logged.append(entry)
        if moved:
            changed.append(entry)
    return _Plan(changed, logged, decided.counts())


def _ownerless(where: str, params: Sequence[Any]) -> _Waiting:
    placeholders = ", ".join(["%s"] * len(_OPEN))
    with connection.cursor() as cursor:
        # `where` is written by our callers, never by a user; the values go in as parameters.
        cursor.execute(
            "SELECT id, region_id, product_line_id, grade, routed_team_id, "  # noqa: S608
            "(SELECT a.reason FROM core_leadassignment a WHERE a.lead_id = core_lead.id "
            " ORDER BY a.id DESC LIMIT 1) "
            f"FROM core_lead WHERE ({where}) AND owner_id IS NULL "
            f"AND status IN ({placeholders}) "
            "ORDER BY due_at IS NULL, due_at, created_in_crm_at, id",
            [*params, *_OPEN],
        )
        rows = cursor.fetchall()
    ids, regions, product_lines, grades, teams, reasons = (
        zip(*rows, strict=True) if rows else [()] * 6
    )
    return _Waiting(list(ids), _float_ids(regions), _float_ids(product_lines),
                    [grade or "" for grade in grades], list(teams), list(reasons))  # fmt: skip


def _float_ids(values: Iterable[int | None]) -> np.ndarray:
    return np.array([np.nan if value is None else value for value in values], dtype=float)


def _ownerless_graded(leads: pd.DataFrame, graded: Graded) -> _Waiting:
    """The ownerless open leads of a frame being graded, with their new grades, most urgent
    first by their new due times (the order _ownerless reads them in)."""
    waiting = leads["owner_id"].isna().to_numpy() & leads["status"].isin(_OPEN).to_numpy()
    order = _most_urgent_first(
        pd.DatetimeIndex(graded.due_at)[waiting],
        pd.DatetimeIndex(pd.to_datetime(leads["created_in_crm_at"], utc=True))[waiting],
        leads["id"].to_numpy()[waiting],
    )
    rows = leads[waiting].iloc[order]
    ids = [int(i) for i in rows["id"].tolist()]
    reasons = _last_reasons(ids)
    return _Waiting(
        ids,
        pd.to_numeric(rows["region_id"]).to_numpy(dtype=float),
        pd.to_numeric(rows["product_line_id"]).to_numpy(dtype=float),
        [grade or "" for grade in graded.grade[waiting][order].tolist()],
        _nullable_ids(rows["routed_team_id"]),
        [reasons.get(lead_id) for lead_id in ids],
    )


def _most_urgent_first(
    due: pd.DatetimeIndex, created: pd.DatetimeIndex, order: np.ndarray
) -> np.ndarray:
    """Positions sorting leads by due time, then creation (either missing: last), then
    `order`, as _ownerless's ORDER BY does."""
    last = np.iinfo(np.int64).max
    due_at = np.where(due.isna(), last, due.asi8)
    created_at = np.where(created.isna(), last, created.asi8)
    return np.lexsort((order, created_at, due_at))


def _nullable_ids(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(value) else int(value) for value in values.tolist()]


def _last_reasons(lead_ids: list[int]) -> dict[int, str]:
    """The reason of each lead's last assignment record, for the leads that have one."""
    if not lead_ids:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT ON (lead_id) lead_id, reason FROM core_leadassignment "
                "WHERE lead_id = ANY(%s) ORDER BY lead_id, id DESC",
                [lead_ids],
            )
            return dict(cursor.fetchall())
        reasons: dict[int, str] = {}
        for start in range(0, len(lead_ids), 500):
            chunk = lead_ids[start : start + 500]
            cursor.execute(
                "SELECT lead_id, reason FROM core_leadassignment "  # noqa: S608
                f"WHERE lead_id IN ({', '.join(['%s'] * len(chunk))}) ORDER BY id",
                chunk,
            )
            reasons.update(cursor.fetchall())  # the last record of each lead wins
        return reasons


def reassign_entries(
    leads: list[tuple[int, int, int | None, str]],
    *,
    policy: AssignmentPolicy,
    today: dt.date,
    detail: dict[str, Any],
) -> list[_Entry]:
    """New owners for (lead, owner, owner's team, grade) leads, each in its owner's team; a
    lead no colleague is free for stays with its owner (the lead is told)."""
    teams = teams_now(today=today, policy=policy, team_ids={t for _, _, t, _ in leads if t})
    by_team: dict[int, list[tuple[int, int, str]]] = {}
    for lead_id, owner_id, team_id, grade in leads:
        if team_id in teams:
            by_team.setdefault(team_id, []).append((lead_id, owner_id, grade))
    entries = []
    for team_id, team_leads in by_team.items():
        weights = [policy.weights.get(grade or "", policy.weight_c) for _, _, grade in team_leads]
        owners = [owner_id for _, owner_id, _ in team_leads]
        given, _ = teams[team_id].give(policy.method, weights, excluding=owners)
        for (lead_id, owner_id, _), new_owner in zip(team_leads, _nullable(given), strict=True):
            if new_owner is not None:
                entries.append(
                    _Entry(lead_id, team_id, new_owner, owner_id, AssignmentReason.BREACH, detail)
                )
    return entries


class StreamAssigner:
    """Assigns the ownerless open leads of a large first import as they stream into the table
    (salesopt.imports.writers.direct), so that each row is written once, with its owner.

    Each chunk is decided on the thread that writes the COPY's text, right after its grades
    (StreamGrader): most urgent first within the chunk, the chunks in file order, the teams'
    loads carried from one chunk to the next. The log waits for the rows' ids, and is loaded
    once the rows are in. Deciding the 100,000 leads after they were written, then updating
    them and logging row by row, cost three times the import itself."""

    def __init__(self, policy: AssignmentPolicy, *, now: dt.datetime) -> None:
        self.policy, self.now = policy, now
        self.rules = route_rules()
        self.teams = teams_now(today=now.astimezone(company_zone()).date(), policy=policy,
                               team_ids={rule.team_id for rule in self.rules})  # fmt: skip
        self._logs: list[pd.DataFrame] = []  # per chunk: row numbers and decisions
        self._counts: list[AssignmentCounts] = []

    @classmethod
    def in_force(cls, *, now: dt.datetime) -> StreamAssigner | None:
        policy = assignment_policy()
        return cls(policy, now=now) if policy.enabled else None

    def columns(self, rows: pd.DataFrame) -> pd.DataFrame:
        """owner_id and routed_team_id for `rows`: the lead table's columns with their new
        grades and due times (GRADED_COLUMNS). A row the file gave an owner keeps it."""
        owners = pd.array(rows["owner_id"], dtype="Int64")
        waiting = owners.isna() & rows["status"].isin(_OPEN).to_numpy()
        order = _most_urgent_first(
            pd.DatetimeIndex(rows["due_at"])[waiting],
            pd.DatetimeIndex(pd.to_datetime(rows["created_in_crm_at"], utc=True))[waiting],
            rows["row_number"].to_numpy()[waiting],
        )
        positions = np.flatnonzero(waiting)[order]
        decided = decide(
            pd.to_numeric(rows["region_id"]).to_numpy(dtype=float)[positions],
            pd.to_numeric(rows["product_line_id"]).to_numpy(dtype=float)[positions],
            rows["grade"].fillna("").to_numpy(dtype=object)[positions],
            rules=self.rules,
            teams=self.teams,
            policy=self.policy,
        )
        # The chunk's log, but for the lead ids (known once the rows are in): made here, on
        # the thread that writes the COPY's text, rather than after the import.
        self._logs.append(
            pd.DataFrame(
                {
                    "row_number": rows["row_number"].to_numpy(dtype=np.int64)[positions],
                    "team_id": pd.array(decided.team_ids, dtype="Int64"),
                    "assigned_to_id": pd.array(decided.owners, dtype="Int64"),
                    "reason": decided.reasons,
                    "rule_position": pd.array(decided.rule_positions, dtype="Int64"),
                    "method": decided.methods(),
                    "load": pd.array(decided.loads, dtype="Float64"),
                }
            )
        )
        self._counts.append(decided.counts())
        teams = pd.array([None] * len(rows), dtype="Int64")
        owners[positions] = self._logs[-1]["assigned_to_id"].array
        teams[positions] = self._logs[-1]["team_id"].array
        return pd.DataFrame({"owner_id": owners, "routed_team_id": teams}, index=rows.index)

    def write_log(
        self, lead_ids: Callable[[np.ndarray], np.ndarray], *, import_run: int | None
    ) -> AssignmentCounts:
        """Log every decision, once the rows are in: `lead_ids` gives the id of each row
        number, 0 for a row deleted since (the earlier rows of an id the file repeats)."""
        if not self._logs:
            return AssignmentCounts()
        log = pd.concat(self._logs, ignore_index=True)
        log.insert(0, "lead_id", lead_ids(log.pop("row_number").to_numpy()))
        log = log[log["lead_id"] != 0]
        remember_turns(_last_rep_of_each_team(log["team_id"], log["assigned_to_id"]))
        # What every record shares goes in as the columns' defaults for the load.
        shared = {"at": self.now, "import_run": import_run, "detail": "{}"}
        with connection.cursor() as cursor:
            defaults_before = column_defaults(cursor, "core_leadassignment", list(shared))
            set_column_defaults(cursor, "core_leadassignment", shared)
            with (
                # The import's table is locked for its first load anyway: its log is loaded
                # the same way, whatever its size (row by row, its five foreign-key checks
                # and its indexes cost about 24 µs a record: 1.4 s for 60,000 owners).
                bulk_load(cursor, "core_leadassignment", len(log), min_rows=1),
                cursor.copy(
                    f"COPY core_leadassignment ({', '.join(log.columns)}) FROM STDIN "
                    "WITH (FORMAT csv)"
                ) as copy,
            ):
                copy.write(csv_of(log))
            restore_column_defaults(cursor, "core_leadassignment", defaults_before)
        return sum_counts(self._counts)


def write_entries(
    entries: list[_Entry],
    *,
    now: dt.datetime,
    by: Any,
    import_run: int | None,
    log: bool = True,
) -> None:
    if not entries:
        return
    rows = [(e.lead_id, e.assigned_to, e.team_id) for e in entries]
    # updated_at stays: an owner given by salesopt is not an edit of the CRM's record.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE leads_assigned (id bigint, owner_id bigint, team_id bigint)"
            )
            with cursor.copy("COPY leads_assigned (id, owner_id, team_id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE core_lead AS l SET owner_id = a.owner_id, routed_team_id = a.team_id "
                "FROM leads_assigned AS a WHERE l.id = a.id"
            )
            cursor.execute("DROP TABLE leads_assigned")
        else:
            cursor.executemany(
                "UPDATE core_lead SET owner_id = %s, routed_team_id = %s WHERE id = %s",
                [(owner, team, lead) for lead, owner, team in rows],
            )
    if log:
        _log(entries, now=now, by=by, import_run=import_run)


def _log(entries: list[_Entry], *, now: dt.datetime, by: Any, import_run: int | None) -> None:
    if not entries:
        return
    remember_turns((e.team_id, e.assigned_to) for e in entries)
    by_id = getattr(by, "pk", None)
    columns = (
        "lead_id, at, team_id, assigned_to_id, previous_owner_id, reason, rule_position, "
        "method, load, detail, by_id, import_run"
    )
    at = connection.ops.adapt_datetimefield_value(now)  # UTC text on SQLite, as the ORM
    rows = [
        (e.lead_id, at, e.team_id, e.assigned_to, e.previous_owner, str(e.reason),
         e.rule_position, e.method, e.load, json.dumps(e.detail), by_id, import_run)
        for e in entries
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The log of a large first import is loaded as the leads were: its indexes and
            # foreign keys built again once, set-wise, rather than checked row by row (five
            # keys and six indexes cost about 25 µs a row: 2.5 s for 100,000 owners).
            with (
                bulk_load(cursor, "core_leadassignment", len(rows)),
                cursor.copy(f"COPY core_leadassignment ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO core_leadassignment ({columns}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * 12)})",
                rows,
            )
