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
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.db.models import Count

from salesopt.core.bulk import bulk_load
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


@dataclass
class Team:
    id: int
    reps: list[Rep]  # by user id: the round-robin order
    next_index: int = 0  # round-robin: where the next turn starts

    def pick(self, method: str, *, excluding: int | None = None) -> Rep | None:
        candidates = [rep for rep in self.reps if rep.free and rep.user_id != excluding]
        if not candidates:
            return None
        if method == AssignmentMethod.LEAST_LOADED:
            return min(candidates, key=lambda rep: (rep.load, rep.open_leads, rep.user_id))
        count = len(self.reps)
        for step in range(count):
            rep = self.reps[(self.next_index + step) % count]
            if rep.free and rep.user_id != excluding:
                self.next_index = (self.next_index + step + 1) % count
                return rep
        return None  # unreachable: a candidate exists


@dataclass(frozen=True)
class AssignmentCounts:
    leads: int = 0
    assigned: int = 0
    waiting: int = 0
    waiting_by_team: dict[int | None, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Entry:
    lead_id: int
    team_id: int | None
    assigned_to: int | None
    previous_owner: int | None
    reason: str
    detail: dict[str, Any]


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
    for team in teams.values():
        team.next_index = _round_robin_start(team)
    return teams


def _round_robin_start(team: Team) -> int:
    """The turn after the rep of this team that salesopt assigned a lead to last."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT assigned_to_id FROM core_leadassignment "
            "WHERE team_id = %s AND assigned_to_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            [team.id],
        )
        row = cursor.fetchone()
    if row is None:
        return 0
    order = [rep.user_id for rep in team.reps]
    return (order.index(row[0]) + 1) % len(order) if row[0] in order else 0


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


def assign_imported(run_id: int, *, now: dt.datetime) -> AssignmentCounts:
    """Assign the ownerless leads of an import run whose rows were graded as they loaded."""
    if not assignment_policy().enabled:
        return AssignmentCounts()
    return assign_leads("changed_by_import = %s", [run_id], now=now, import_run=run_id)


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
        if not leads:
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


def _plan(leads: list[_Lead], policy: AssignmentPolicy, *, now: dt.datetime) -> _Plan:
    """Each lead, most urgent first, routed and given a rep or a reason to wait."""
    if not leads:
        return _Plan([], [], AssignmentCounts())
    rules = route_rules()
    teams = teams_now(
        today=now.astimezone(company_zone()).date(),
        policy=policy,
        team_ids={rule.team_id for rule in rules},
    )
    entries = [_assign_one(lead, rules, teams, policy) for lead in leads]
    before = {lead.id: lead for lead in leads}
    changed = [
        e
        for e in entries
        if e.assigned_to is not None or before[e.lead_id].routed_team_id != e.team_id
    ]
    logged = [
        e
        for e in entries
        if e.assigned_to is not None
        or before[e.lead_id].last_reason != e.reason
        or before[e.lead_id].routed_team_id != e.team_id
    ]
    waiting: dict[int | None, int] = {}
    for entry in entries:
        if entry.assigned_to is None:
            waiting[entry.team_id] = waiting.get(entry.team_id, 0) + 1
    counts = AssignmentCounts(
        leads=len(leads),
        assigned=len(entries) - sum(waiting.values()),
        waiting=sum(waiting.values()),
        waiting_by_team=waiting,
    )
    return _Plan(changed, logged, counts)


@dataclass(frozen=True)
class _Lead:
    id: int
    region_id: int | None
    product_line_id: int | None
    grade: str
    routed_team_id: int | None
    last_reason: str | None


def _ownerless(where: str, params: Sequence[Any]) -> list[_Lead]:
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
        return [_Lead(*row) for row in cursor.fetchall()]


def _ownerless_graded(leads: pd.DataFrame, graded: Graded) -> list[_Lead]:
    """The ownerless open leads of a frame being graded, with their new grades, most urgent
    first by their new due times (the order _ownerless reads them in)."""
    frame = pd.DataFrame(
        {
            "id": leads["id"].to_numpy(),
            "region_id": leads["region_id"].to_numpy(),
            "product_line_id": leads["product_line_id"].to_numpy(),
            "grade": graded.grade,
            "routed_team_id": leads["routed_team_id"].to_numpy(),
            "due_at": pd.DatetimeIndex(graded.due_at),
            "created": pd.to_datetime(leads["created_in_crm_at"], utc=True).to_numpy(),
        }
    )
    waiting = leads["owner_id"].isna().to_numpy() & leads["status"].isin(_OPEN).to_numpy()
    frame = frame[waiting].assign(undated=lambda rows: rows["due_at"].isna())
    frame = frame.sort_values(["undated", "due_at", "created", "id"])
    ids = [int(i) for i in frame["id"].tolist()]
    reasons = _last_reasons(ids)
    return [
        _Lead(lead_id, region, product_line, grade or "", team, reasons.get(lead_id))
        for lead_id, region, product_line, grade, team in zip(
            ids,
            _nullable_ids(frame["region_id"]),
            _nullable_ids(frame["product_line_id"]),
            frame["grade"].tolist(),
            _nullable_ids(frame["routed_team_id"]),
            strict=True,
        )
    ]


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


def _assign_one(
    lead: _Lead, rules: list[RouteRule], teams: dict[int, Team], policy: AssignmentPolicy
) -> _Entry:
    rule = next((r for r in rules if r.routes(lead.region_id, lead.product_line_id)), None)
    if rule is None:
        return _Entry(lead.id, None, None, None, AssignmentReason.NO_RULE, {})
    team = teams.get(rule.team_id)
    rep = team.pick(policy.method) if team is not None else None
    if rep is None:
        return _Entry(lead.id, rule.team_id, None, None, AssignmentReason.TEAM_FULL,
                      {"rule": rule.position})  # fmt: skip
    detail = {"rule": rule.position, "method": policy.method, "load": round(rep.load, 2)}
    rep.open_leads += 1
    rep.load += policy.weights.get(lead.grade or "", policy.weight_c)
    return _Entry(lead.id, rule.team_id, rep.user_id, None, AssignmentReason.RULE, detail)


def reassign_entries(
    leads: list[tuple[int, int, int | None, str]],
    *,
    policy: AssignmentPolicy,
    today: dt.date,
    detail: dict[str, Any],
) -> list[_Entry]:
    """New owners for (lead, owner, owner's team, grade) leads, each in its owner's team."""
    teams = teams_now(today=today, policy=policy, team_ids={t for _, _, t, _ in leads if t})
    entries = []
    for lead_id, owner_id, team_id, grade in leads:
        team = teams.get(team_id) if team_id else None
        rep = team.pick(policy.method, excluding=owner_id) if team is not None else None
        if rep is None:
            continue  # no colleague free: the lead stays with its owner, the lead is told
        rep.open_leads += 1
        rep.load += policy.weights.get(grade or "", policy.weight_c)
        entries.append(
            _Entry(lead_id, team_id, rep.user_id, owner_id, AssignmentReason.BREACH, detail)
        )
    return entries


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
    by_id = getattr(by, "pk", None)
    columns = (
        "lead_id, at, team_id, assigned_to_id, previous_owner_id, reason, detail, by_id, import_run"
    )
    at = connection.ops.adapt_datetimefield_value(now)  # UTC text on SQLite, as the ORM
    rows = [
        (e.lead_id, at, e.team_id, e.assigned_to, e.previous_owner, str(e.reason),
         json.dumps(e.detail), by_id, import_run)
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
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
