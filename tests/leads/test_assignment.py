"""Automatic assignment on small hand-made data: routing, round-robin, least-loaded, capacity,
leave, the unassigned queue, the log, imports, and assigning by hand.

Team 华南 has reps ann, bob and cat (in that user-id order, the round-robin order); team 华东
has dan. Rule 1 routes region 华南 to team 华南, rule 2 region 华东 to team 华东. "Now" is
passed in: Monday 2026-11-16 10:00 in Shanghai.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from salesopt.core.models import (
    AssignmentMethod,
    AssignmentPolicy,
    AssignmentReason,
    Lead,
    LeadAssignment,
    LeadStatus,
    RepLeave,
    Role,
)
from salesopt.imports import readers
from salesopt.imports.pipeline import ImportPlan, process
from salesopt.imports.schema import RecordKind
from salesopt.leads import assignment_services as services
from salesopt.leads.assignment import assign_leads
from salesopt.leads.assignment_selectors import assignment_text, lead_log, unassigned_leads
from tests.factories import (
    ImportRunFactory,
    LeadFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
)
from tests.kpis.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 16, 10)


def person(username, role, team=None):
    user = UserFactory(username=username)
    user.profile.role, user.profile.team = role, team
    user.profile.save()
    return user


@pytest.fixture
def org():
    south, east, north = (
        RegionFactory(name="华南", code="south"),
        RegionFactory(name="华东", code="east"),
        RegionFactory(name="华北", code="north"),
    )
    south_team = TeamFactory(name="华南区域组", region=south)
    east_team = TeamFactory(name="华东区域组", region=east)
    people = {
        "manager": person("manager", Role.SALES_MANAGER),
        "ann": person("ann", Role.SALES_REP, south_team),
        "bob": person("bob", Role.SALES_REP, south_team),
        "cat": person("cat", Role.SALES_REP, south_team),
        "dan": person("dan", Role.SALES_REP, east_team),
        "south_lead": person("south_lead", Role.TEAM_LEAD, south_team),
        "east_lead": person("east_lead", Role.TEAM_LEAD, east_team),
    }
    manager = people["manager"]
    services.assignment_rule_save(user=manager, team=south_team, regions=[south])
    services.assignment_rule_save(user=manager, team=east_team, regions=[east])
    return {"south": south, "east": east, "north": north, "south_team": south_team,
            "east_team": east_team, **people}  # fmt: skip


def method(name):
    AssignmentPolicy.objects.update_or_create(pk=1, defaults={"method": name})


def leads(region, count, *, grade="C", **fields):
    made = [
        LeadFactory(region=region, crm_grade=grade, owner=None,
                    created_in_crm_at=NOW - dt.timedelta(minutes=count - i), **fields)
        for i in range(count)
    ]  # fmt: skip
    return [lead.pk for lead in made]


def owners(ids):
    by_id = dict(Lead.objects.filter(pk__in=ids).values_list("pk", "owner__username"))
    return [by_id[pk] for pk in ids]


def test_round_robin_takes_turns_and_resumes_where_it_stopped(org):
    method(AssignmentMethod.ROUND_ROBIN)
    first = leads(org["south"], 4)

    counts = assign_leads("1 = 1", now=NOW)

    # Oldest (soonest due) first.
    assert owners(first) == ["ann", "bob", "cat", "ann"]
    assert (counts.assigned, counts.waiting) == (4, 0)
    later = leads(org["south"], 2)
    assign_leads("1 = 1", now=NOW)
    assert owners(later) == ["bob", "cat"]


def test_least_loaded_weighs_open_leads_by_grade(org):
    """ann holds 2 open A leads (load 2 × 3 = 6), bob 3 open C (3), cat nothing (0).
    New C leads: cat (0→1), cat (1→2), cat (2→3), then bob and cat tie at 3 with 3 open leads
    each: the lower user id, bob (3→4); then cat (3→4)."""
    method(AssignmentMethod.LEAST_LOADED)
    for _ in range(2):
        LeadFactory(region=org["south"], crm_grade="A", owner=org["ann"])
    for _ in range(3):
        LeadFactory(region=org["south"], crm_grade="C", owner=org["bob"])
    LeadFactory(region=org["south"], crm_grade="A", owner=org["cat"], status=LeadStatus.LOST)
    new = leads(org["south"], 5)

    assign_leads("1 = 1", now=NOW)

    assert owners(new) == ["cat", "cat", "cat", "bob", "cat"]
    entry = LeadAssignment.objects.get(lead_id=new[0])
    assert assignment_text(entry) == "Rule 1 → 华南区域组, least loaded (load 0.0 then)"


def test_capacity_and_leave_are_skipped_and_the_overflow_waits_in_the_teams_queue(org):
    method(AssignmentMethod.ROUND_ROBIN)
    manager = org["manager"]
    services.rep_capacity_set(user=manager, profile=org["ann"].profile, capacity=1)
    LeadFactory(region=org["south"], crm_grade="B", owner=org["ann"])  # ann is full
    RepLeave.objects.create(user=org["bob"], starts_on=dt.date(2026, 11, 16),
                            ends_on=dt.date(2026, 11, 20))  # fmt: skip
    services.rep_capacity_set(user=org["south_lead"], profile=org["cat"].profile, capacity=2)
    new = leads(org["south"], 3)

    counts = assign_leads("1 = 1", now=NOW)

    assert owners(new) == ["cat", "cat", None]
    assert (counts.assigned, counts.waiting, counts.waiting_by_team) == (
        2, 1, {org["south_team"].pk: 1},
    )  # fmt: skip
    waiting = Lead.objects.get(pk=new[2])
    assert waiting.routed_team == org["south_team"]
    assert assignment_text(LeadAssignment.objects.get(lead=waiting)) == (
        "Waiting: rule 1 routes it to 华南区域组, whose reps are all at capacity or on leave."
    )
    assert list(unassigned_leads(org["south_lead"])) == [waiting]
    assert list(unassigned_leads(org["manager"])) == [waiting]
    assert list(unassigned_leads(org["east_lead"])) == []
    assert list(unassigned_leads(org["cat"])) == []


def test_a_lead_no_rule_routes_waits_where_every_team_lead_sees_it(org):
    (lost,) = leads(org["north"], 1)

    assign_leads("1 = 1", now=NOW)
    assign_leads("1 = 1", now=NOW)  # the queue run again: still waiting, logged once

    lead = Lead.objects.get(pk=lost)
    assert lead.owner is None and lead.routed_team is None
    assert [text for _, text in lead_log(lead)] == [
        "Waiting: no assignment rule routes its region and product line."
    ]
    assert list(unassigned_leads(org["east_lead"])) == [lead]
    assert list(unassigned_leads(org["south_lead"])) == [lead]


def test_closed_and_owned_leads_are_left_alone(org):
    (closed,) = leads(org["south"], 1, status=LeadStatus.CONVERTED)
    owned = LeadFactory(region=org["south"], owner=org["dan"])

    counts = assign_leads("1 = 1", now=NOW)

    assert counts.leads == 0
    assert owners([closed, owned.pk]) == [None, "dan"]
    assert not LeadAssignment.objects.exists()


def test_a_failed_assignment_leaves_every_lead_and_the_log_as_they_were(org, monkeypatch):
    new = leads(org["south"], 3)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("salesopt.leads.assignment._log", broken)
    with pytest.raises(RuntimeError):
        assign_leads("1 = 1", now=NOW)

    assert owners(new) == [None, None, None]
    assert not LeadAssignment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("load_path")
def test_imported_leads_without_owner_are_assigned_and_a_reimport_keeps_the_owner(org, tmp_path):
    method(AssignmentMethod.ROUND_ROBIN)
    path = tmp_path / "leads.csv"
    path.write_text(
        "Lead ID,Name,Created,Region,Owner,Status\n"
        "L1,王伟,2026-11-16 09:00,华南,,new\n"
        "L2,李娜,2026-11-16 09:05,华南,,new\n"
        "L3,张敏,2026-11-16 09:10,华北,,new\n"
        "L4,刘洋,2026-11-16 09:15,华南,dan@example.com,new\n",
        encoding="utf-8",
    )
    plan = ImportPlan(
        path=path, sniffed=readers.sniff(path), kind=RecordKind.LEAD, source="crm",
        columns={"Lead ID": "external_id", "Name": "name", "Created": "created_at",
                 "Region": "region", "Owner": "owner", "Status": "status"},
        value_maps={}, zone="Asia/Shanghai",
    )  # fmt: skip

    process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)
    again = process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)

    by_id = dict(Lead.objects.values_list("external_id", "owner__username"))
    assert by_id == {"L1": "ann", "L2": "bob", "L3": None, "L4": "dan"}
    assert (again.updated, again.unchanged) == (0, 4)
    assert LeadAssignment.objects.count() == 3  # two assigned, one waiting; nothing twice


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("load_path")
def test_an_import_gives_the_last_free_place_to_its_most_urgent_lead(org, tmp_path):
    """The import's assignment reads the grades the same import gives: the A lead, due in 2
    working hours, comes before the C lead, due in 72, though the C lead is older."""
    method(AssignmentMethod.ROUND_ROBIN)
    for name in ("ann", "bob"):
        RepLeave.objects.create(user=org[name], starts_on=dt.date(2020, 1, 1),
                                ends_on=dt.date(2100, 1, 1))  # fmt: skip
    org["cat"].profile.lead_capacity = 1
    org["cat"].profile.save()
    path = tmp_path / "leads.csv"
    path.write_text(
        "Lead ID,Name,Created,Region,Owner,Status,Grade\n"
        "L1,老客户,2026-11-16 09:00,华南,,new,C\n"
        "L2,急客户,2026-11-16 10:00,华南,,new,A\n",
        encoding="utf-8",
    )
    plan = ImportPlan(
        path=path, sniffed=readers.sniff(path), kind=RecordKind.LEAD, source="crm",
        columns={"Lead ID": "external_id", "Name": "name", "Created": "created_at",
                 "Region": "region", "Owner": "owner", "Status": "status", "Grade": "grade"},
        value_maps={}, zone="Asia/Shanghai",
    )  # fmt: skip

    process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)

    by_id = {lead.external_id: lead for lead in Lead.objects.all()}
    assert (by_id["L2"].owner, by_id["L2"].grade) == (org["cat"], "A")
    assert (by_id["L1"].owner, by_id["L1"].grade) == (None, "C")
    assert by_id["L1"].routed_team == org["south_team"]
    reasons = dict(LeadAssignment.objects.values_list("lead__external_id", "reason"))
    assert reasons == {"L2": AssignmentReason.RULE, "L1": AssignmentReason.TEAM_FULL}


def test_team_leads_assign_their_queue_to_their_own_reps_only(org):
    (waiting,) = leads(org["north"], 1)
    assign_leads("1 = 1", now=NOW)
    lead = Lead.objects.get(pk=waiting)

    with pytest.raises(PermissionDenied):
        services.lead_assign_by_hand(user=org["south_lead"], lead=lead, to=org["dan"].profile)
    with pytest.raises(PermissionDenied):
        services.lead_assign_by_hand(user=org["ann"], lead=lead, to=org["ann"].profile)
    with pytest.raises(ValidationError):
        services.lead_assign_by_hand(user=org["manager"], lead=lead,
                                     to=org["south_lead"].profile)  # fmt: skip

    services.lead_assign_by_hand(user=org["south_lead"], lead=lead, to=org["cat"].profile,
                                 now=NOW)  # fmt: skip

    lead.refresh_from_db()
    assert (lead.owner, lead.routed_team) == (org["cat"], org["south_team"])
    assert lead_log(lead)[0][1] == "Assigned by hand by south_lead."
    assert org["cat"].notifications.get().lead == lead
    # Now cat's: the east lead may not take it.
    with pytest.raises(PermissionDenied):
        services.lead_assign_by_hand(user=org["east_lead"], lead=lead, to=org["dan"].profile)


def test_setup_is_refused_to_those_who_do_not_run_it_and_bad_values_say_why(org):
    with pytest.raises(PermissionDenied):
        services.assignment_rule_save(user=org["south_lead"], team=org["south_team"])
    with pytest.raises(PermissionDenied):
        services.rep_capacity_set(user=org["east_lead"], profile=org["ann"].profile, capacity=3)
    with pytest.raises(ValidationError, match="ends on or after"):
        services.rep_leave_add(
            user=org["south_lead"],
            profile=org["ann"].profile,
            starts_on=dt.date(2026, 11, 20),
            ends_on=dt.date(2026, 11, 19),
        )
    services.rep_leave_add(
        user=org["south_lead"],
        profile=org["ann"].profile,
        starts_on=dt.date(2026, 11, 20),
        ends_on=dt.date(2026, 11, 27),
    )
    with pytest.raises(ValidationError, match="already has a leave"):
        services.rep_leave_add(
            user=org["manager"],
            profile=org["ann"].profile,
            starts_on=dt.date(2026, 11, 27),
            ends_on=dt.date(2026, 11, 30),
        )
    empty = TeamFactory(name="空组")
    with pytest.raises(ValidationError, match="has no active rep"):
        services.assignment_rule_save(user=org["manager"], team=empty)
    with pytest.raises(ValidationError):
        services.assignment_policy_update(
            user=org["manager"], enabled=True, method="lottery", weight_a=3, weight_b=2,
            weight_c=1, remind_before_hours=0.5, reassign_after_hours=None,
        )  # fmt: skip


def test_the_migration_moves_the_logs_rule_method_and_load_into_columns_and_the_turns(org):
    """Records written before the log had columns kept the rule, method and load in `detail`;
    round-robin resumed after the team's last assigned record. Migration 0012 carries both."""
    from importlib import import_module

    from django.apps import apps

    from salesopt.core.models import TeamTurn

    migration = import_module("salesopt.core.migrations.0012_assignment_log_columns")
    lead = LeadFactory(region=org["south"])
    old = [
        LeadAssignment.objects.create(lead=lead, at=NOW, team=org["south_team"],
                                      assigned_to=org["ann"], reason=AssignmentReason.RULE,
                                      detail={"rule": 1, "method": "least_loaded", "load": 2.5}),
        LeadAssignment.objects.create(lead=lead, at=NOW, team=org["south_team"],
                                      reason=AssignmentReason.TEAM_FULL, detail={"rule": 1}),
        LeadAssignment.objects.create(lead=lead, at=NOW, team=org["south_team"],
                                      assigned_to=org["bob"], reason=AssignmentReason.BREACH,
                                      detail={"hours": 4}),
    ]  # fmt: skip

    migration.detail_into_columns(apps, None)

    rule, full, breach = (LeadAssignment.objects.get(pk=entry.pk) for entry in old)
    assert (rule.rule_position, rule.method, rule.load, rule.detail) == (1, "least_loaded", 2.5, {})
    assert (full.rule_position, full.method, full.load, full.detail) == (1, "", None, {})
    assert (breach.rule_position, breach.detail) == (None, {"hours": 4})
    assert assignment_text(rule) == "Rule 1 → 华南区域组, least loaded (load 2.5 then)"
    assert TeamTurn.objects.get(team=org["south_team"]).last_rep == org["bob"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("load_path")
def test_an_id_the_file_repeats_is_assigned_and_logged_once_its_last_row(org, tmp_path):
    """The earlier rows of a repeated id are dropped after they were written (and, on a large
    first load, assigned as they streamed): only the row kept is in the log."""
    method(AssignmentMethod.ROUND_ROBIN)
    path = tmp_path / "leads.csv"
    path.write_text(
        "Lead ID,Name,Created,Region,Status\n"
        "L1,王伟,2026-11-16 09:00,华南,new\n"
        "L2,李娜,2026-11-16 09:05,华南,new\n"
        "L1,王伟,2026-11-16 09:10,华南,new\n",
        encoding="utf-8",
    )
    plan = ImportPlan(
        path=path, sniffed=readers.sniff(path), kind=RecordKind.LEAD, source="crm",
        columns={"Lead ID": "external_id", "Name": "name", "Created": "created_at",
                 "Region": "region", "Status": "status"},
        value_maps={}, zone="Asia/Shanghai",
    )  # fmt: skip

    outcome = process(plan, run_id=ImportRunFactory().pk, write=True, skip_invalid=False)

    assert (outcome.created, outcome.duplicates) == (2, 1)
    leads = {lead.external_id: lead for lead in Lead.objects.all()}
    assert sorted(leads) == ["L1", "L2"]
    assert all(lead.owner is not None for lead in leads.values())
    logged = list(LeadAssignment.objects.values_list("lead__external_id", flat=True))
    assert sorted(logged) == ["L1", "L2"]
