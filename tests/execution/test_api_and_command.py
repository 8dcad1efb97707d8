"""The execution tables as JSON: `GET /api/execution/…` in the reader's scope and
`manage.py execution --program ID --table plan|2|3 --json`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from execution import kickoff_services, measure_services
from execution.models import Task
from planning.models import Measure, MeasureLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables(frozen_today, program, manager, rep, other_rep):
    Task.objects.create(program=program, title="我的任务", owner=rep, team=rep.profile.team,
                        starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 10))  # fmt: skip
    Task.objects.create(program=program, title="同事的任务", owner=other_rep,
                        team=other_rep.profile.team, starts_on=dt.date(2026, 11, 2),
                        ends_on=dt.date(2026, 11, 30))  # fmt: skip
    measure = Measure.objects.create(
        program=program, line=MeasureLine.TOOL, title="线索自动分配", owner=manager,
        planned_completion=dt.date(2026, 11, 1),
    )  # fmt: skip
    measure_services.tracking_update(measure_id=measure.pk, field="actual_completion",
                                     value="2026-11-04", version=0, by=manager,
                                     reason="等待 CRM 接口")  # fmt: skip
    meeting = kickoff_services.kickoff_save(
        program=program, by=manager, version=0, held_on=dt.date(2026, 11, 2), measures=[measure]
    )
    kickoff_services.attendee_add(kickoff=meeting, by=manager, user=rep, duty="按时响应")
    return program


def command(*arguments: str) -> dict:
    out = io.StringIO()
    call_command("execution", *arguments, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_each_table_under_stable_keys(tables):
    plan = command("--program", str(tables.pk), "--table", "plan")
    table_3 = command("--program", str(tables.pk), "--table", "3")

    assert (plan["program"], plan["table"]) == (tables.pk, "plan")
    first = plan["rows"][0]
    assert set(first) >= {"id", "task", "owner", "start", "end", "deliverable", "resources",
                          "status", "done_on", "notes", "overdue"}  # fmt: skip
    assert (first["task"], first["owner"], first["overdue"]) == ("我的任务", "rep.south", True)
    (row,) = table_3["rows"]
    assert (row["title"], row["actual_completion"], row["state"], row["reason"]) == (
        "线索自动分配", "2026-11-04", "done_late", "等待 CRM 接口",
    )  # fmt: skip


def test_the_command_refuses_what_it_cannot_print(tables):
    with pytest.raises(CommandError, match="not a quarter: 2026-Q5"):
        command("--program", str(tables.pk), "--table", "2", "--quarter", "2026-Q5")
    with pytest.raises(CommandError, match="no program with id 987654"):
        command("--program", "987654", "--table", "plan")


def test_the_api_answers_in_the_readers_scope(client, tables, rep):
    client.force_login(rep)

    plan = client.get(reverse("api:execution-plan")).json()
    kickoff = client.get(reverse("api:execution-kickoff")).json()

    assert [row["task"] for row in plan["rows"]] == ["我的任务"]  # a rep reads their own
    assert kickoff["attendees"][0]["duty"] == "按时响应"
    assert kickoff["attendees"][0]["acknowledged_at"] is None


def test_the_api_refuses_with_the_error_shape(client, tables, manager):
    assert client.get(reverse("api:execution-plan")).status_code == 401
    client.force_login(manager)
    missing = client.get(reverse("api:execution-table-3") + "?program=987654")
    assert missing.status_code == 404 and "987654" in missing.json()["error"]


def test_the_api_says_what_it_cannot_answer(client, tables, manager):
    client.force_login(manager)

    bad_quarter = client.get(reverse("api:execution-table-2") + "?quarter=2026-Q5")
    tables.kickoff.delete()
    no_kickoff = client.get(reverse("api:execution-kickoff"))

    assert bad_quarter.status_code == 400 and "2026-Q5" in bad_quarter.json()["error"]
    assert no_kickoff.status_code == 404 and "no kick-off" in no_kickoff.json()["error"]
