"""Every URL, as every role, in both languages: a page may refuse, redirect or not find, but
never answer a server error.

The URLs come from the resolver itself (the admin's included), so a new page is walked the day
it is added. Path parameters take the id of a real object where there is one, and an id no
object has; views that take only POST get an empty form. Each request runs in a savepoint that
is rolled back, so a POST that deletes or changes an object leaves it for the next request.
The walk takes about 45 s (some 4,000 requests; the diagnosis workspace is most of it).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from diagnosis.models import DiagnosisRow, DiagnosisTeamMember, Finding, Interview
from execution import kickoff_services, review_services, target_services
from execution.models import KickOffAttendee, MonthTarget, SheetImport, Task
from planning.models import Goal, Measure, MilestoneDefinition
from salesopt.core.models import (
    AssignmentRule,
    FollowUpStandard,
    GradingRule,
    Lead,
    Opportunity,
    Profile,
    RepLeave,
    Role,
)
from salesopt.core.periods import Quarter
from salesopt.core.stage_history import refresh_progress
from salesopt.imports import services as import_services
from salesopt.imports.models import ImportRun
from salesopt.kpis.models import KpiSnapshot
from salesopt.leads import assignment_services, followup
from salesopt.leads import services as grading_services
from tests.diagnosis.factories import (
    DiagnosisRowFactory,
    DiagnosisTeamMemberFactory,
    FindingFactory,
    InterviewFactory,
)
from tests.factories import (
    LeadFactory,
    MilestoneCompletionFactory,
    OpportunityFactory,
    OrderFactory,
    SalesTargetFactory,
    StageEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]
ROLES = ["superuser", "admin_user", "manager", "executive", "team_lead", "rep", "no_role",
         "anonymous"]  # fmt: skip
MADE_UP_ID = "987654"
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)|<(?:\w+:)?(?P<route>\w+)>")

# URL name → the model whose ids fill its `pk`.
PK_MODELS = {
    "diagnosis:team-member-remove": DiagnosisTeamMember,
    "diagnosis:interview-delete": Interview,
    "diagnosis:finding-accept": Finding,
    "diagnosis:finding-dismiss": Finding,
    "diagnosis:row-detail": DiagnosisRow,
    "diagnosis:row-edit": DiagnosisRow,
    "diagnosis:row-history": DiagnosisRow,
    "diagnosis:row-delete": DiagnosisRow,
    "diagnosis:row-move": DiagnosisRow,
    **dict.fromkeys(
        [f"imports:run-{view}" for view in ("detail", "progress", "start", "cancel", "revert")],
        ImportRun,
    ),
    "imports:run-errors": ImportRun,
    "planning:goal-update": Goal,
    "planning:goal-delete": Goal,
    "planning:measure-update": Measure,
    "planning:measure-delete": Measure,
    **dict.fromkeys(
        [f"planning:grading-rule-{view}" for view in ("update", "delete", "move")], GradingRule
    ),
    **dict.fromkeys(
        [f"planning:assignment-rule-{view}" for view in ("update", "delete", "move")],
        AssignmentRule,
    ),
    "planning:assignment-capacity": Profile,
    "planning:assignment-leave": Profile,
    "planning:assignment-leave-delete": RepLeave,
    "leads:lead": Lead,
    "leads:lead-assign": Lead,
    "leads:checklist-tick": Lead,
    "planning:follow-up-update": FollowUpStandard,
    "planning:follow-up-delete": FollowUpStandard,
    **dict.fromkeys(
        [f"planning:milestone-{view}" for view in ("update", "move", "retire")],
        MilestoneDefinition,
    ),
    # (a milestone_pk is filled with the deal's ids too: a milestone it does not know)
    **dict.fromkeys(
        ["planning:deal-detail", "planning:milestone-done", "planning:milestone-file"],
        Opportunity,
    ),
    **dict.fromkeys(
        [
            f"execution:task_{view}"
            for view in ("row", "delete", "history", "cell_save", "cell_editor")
        ],
        Task,
    ),
    **dict.fromkeys(
        [f"execution:measure_{view}" for view in ("row", "history", "cell_save", "cell_editor")],
        Measure,
    ),
    **dict.fromkeys(
        ["execution:attendee_remove", "execution:attendee_acknowledge"], KickOffAttendee
    ),
    **dict.fromkeys(
        [f"execution:target_{view}" for view in ("row", "history", "cell_save", "cell_editor")],
        MonthTarget,
    ),
    **dict.fromkeys(
        [f"execution:sheet_{view}" for view in ("import", "apply", "problems")], SheetImport
    ),
    "execution:coaching_record": get_user_model(),
}
# Values of the other parameters, besides ids: the ones a page knows and one it does not.
VALUES = {
    "file_format": ["csv", "xlsx"],
    "kind": ["lead", "planet"],
    "language": ["en", "zh"],
    "app_label": ["core", "auth"],
    "url": ["no/such/page/"],
    "week": ["2026-11-09", "2026-13-01", "nope"],
    "table": ["plan", "2", "3", "planet"],
    "field": [
        "title",
        "owner",
        "status",
        "done_on",
        "actual_completion",
        "quality",
        "reason",
        "version",
        "planet",
    ],
}
# Query strings the pages read, well-formed and not.
QUERIES = {
    "overview:home": ["?quarter=2026-Q3", "?quarter=2026-Q9"],
    "diagnosis:chart-data": [
        "?chart=funnel&format=csv",
        "?chart=attainment-region&format=xlsx",
        "?chart=workload&format=xlsx",
        "?chart=trends&format=pdf",
        "?chart=nope&format=xlsx",
    ],
    "diagnosis:dashboard": ["?region=nowhere&period_from=2026-13&period_to=x"],
    "diagnosis:interview-list": ["?q=%E2%80%AE&tag=%00"],
    "kpis:kpi-series": [
        "?metric=lead_count&grain=month&by=region&from=2026-01&to=2026-12",
        "?metric=lead_conversion_rate&grain=decade&from=2026-99",
    ],
    **{
        name: [f"?program={MADE_UP_ID}", "?program=abc"]
        for name in (
            "api:plan",
            "api:plan-goals",
            "api:plan-measures",
            "api:execution-plan",
            "api:execution-table-3",
            "api:execution-kickoff",
        )
    },
    "admin:core_lead_changelist": ["?q=%00&o=99&p=abc"],
    "leads:queue": [
        "?view=unassigned&grade=A&overdue=1",
        "?view=breaches&owner=nobody",
        "?view=planet&grade=%00",
    ],
    "planning:assignment": ["?edit=987654", "?edit=abc"],
    "execution:landing": ["?owner=abc&status=planet&team=%00&overdue=1", "?owner=987654"],
    "execution:measures": ["?overdue=1", "?overdue=%00"],
    "execution:targets": ["?quarter=2026-Q4&split_by=owner", "?quarter=2026-Q9&split_by=%00"],
    "execution:target_export": ["?quarter=2026-Q4", "?quarter=abc"],
    "api:execution-table-2": ["?quarter=2026-Q4", "?quarter=abc"],
    "planning:deal-list": ["?late=1&closed=1&page=abc", "?page=999"],
    "planning:funnel": [
        "?period_from=2026-13&period_to=x&region=abc",
        "?period_from=2026-01&period_to=2026-06&team=987654&product_line=%00",
    ],
}


@dataclass(frozen=True)
class Route:
    name: str  # "imports:run-detail"; "admin:?" for an unnamed one
    template: str  # the route with its parameters: "imports/<int:pk>/"
    callback: Any


def routes(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            )
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name or '?'}".strip(":")
            yield Route(name, prefix + str(pattern.pattern), pattern.callback)


def ids_for(route: Route, parameter: str) -> list[str]:
    """The first object's id (every import run's: one has no user) and an id nobody has."""
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None:
        model = model_admin.model
    elif parameter == "content_type_id":
        return [str(ContentType.objects.get_for_model(Lead).pk), MADE_UP_ID]
    elif route.name in ("admin:view_on_site", "admin:auth_user_password_change"):
        model = Lead if parameter == "object_id" else get_user_model()
    else:
        model = PK_MODELS[route.name]
    found = [str(pk) for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)]
    return [*(found if model is ImportRun else found[:1]), MADE_UP_ID]


def urls_of(route: Route) -> list[str]:
    """The route with every combination of its parameters' values, as paths."""
    names = [match["name"] or match["route"] for match in GROUP.finditer(route.template)]
    choices = [VALUES[name] if name in VALUES else ids_for(route, name) for name in names]
    paths = [filled(route.template, values) for values in itertools.product(*choices)]
    return [path + query for path in paths for query in ["", *QUERIES.get(route.name, [])]]


def filled(template: str, values: tuple[str, ...]) -> str:
    """The route's parameters replaced by `values`, in order, as a path."""
    remaining = iter(values)
    path = GROUP.sub(lambda _match: next(remaining), template)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True,
                       profile__role=Role.ADMIN)  # fmt: skip


@pytest.fixture
def no_role(db):
    return UserFactory(username="stranger", profile=None)


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def company(
    program, admin_user, manager, rep, team_lead, south, tmp_path, settings, frozen_today,
    default_milestones,
):  # fmt: skip
    """A little of everything a page can show: records and their KPIs, the diagnosis, an import
    from the command line (no user) and one uploaded by an admin, a periodic task."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    lead = LeadFactory(region=south, owner=rep, name='=HYPERLINK("http://x","y")\x07')
    OrderFactory(region=south, amount=Decimal("50000"))
    SalesTargetFactory(region=south, amount=Decimal("100000"))
    deal = OpportunityFactory(owner=rep, region=south, name="<b>=1+1</b>", stage="proposal")
    StageEntryFactory(opportunity=deal, stage="qualification")
    refresh_progress("1 = 1")
    MilestoneCompletionFactory(opportunity=deal, milestone=MilestoneDefinition.objects.first(),
                               link="https://x.example.com/?a=<b>")  # fmt: skip
    call_command("compute_kpis", verbosity=0)
    DiagnosisRowFactory(program=program, description="响应慢\x07", root_cause="=1+1")
    FindingFactory(program=program, evidence={"median_hours": 52.5})
    InterviewFactory(program=program, tag_names=["审批"])
    DiagnosisTeamMemberFactory(program=program, user=rep)
    goal = Goal.objects.create(
        program=program, metric="lead_count", region=south, baseline_from=program.baseline_start,
        baseline_to=program.baseline_end, baseline_value=10, target_input=12, target_value=12,
        deadline=frozen_today + dt.timedelta(days=120), owner=manager,
        warnings=[{"kind": "ambitious", "asked": 0.2, "best": None}, {"kind": "no_finding"}],
    )  # fmt: skip
    measure = Measure.objects.create(
        program=program, line="process", title="=cmd|' /C calc'!A0", owner=manager,
        planned_completion=frozen_today + dt.timedelta(days=60),
    )  # fmt: skip
    measure.goals.set([goal])
    measure.pilot_reps.set([rep])
    Task.objects.create(program=program, measure=measure, goal=goal, title="=1+1 <b>任务</b>",
                        owner=rep, team=rep.profile.team, starts_on=frozen_today,
                        ends_on=frozen_today, deliverable="@SUM(A1)")  # fmt: skip
    kickoff = kickoff_services.kickoff_save(program=program, by=manager, version=0,
                                            held_on=frozen_today, place="<b>=1+1</b>")  # fmt: skip
    kickoff_services.attendee_add(kickoff=kickoff, by=manager, user=rep, duty="=HYPERLINK(1)")
    kickoff_services.attendee_add(kickoff=kickoff, by=manager, name="<i>来宾</i>", duty="x")
    whole = target_services.quarter_target_set(program=program, by=manager,
                                               quarter=Quarter.containing(frozen_today),
                                               amount="100000", split="even")  # fmt: skip
    target_services.parts_set(target=whole, by=manager, dimension="owner",
                              amounts={rep.pk: "100000"}, split="even")  # fmt: skip
    SheetImport.objects.create(program=program, table="plan", uploaded_by=manager, status="refused",
                               file_name="<b>=1+1</b>.xlsx", rows=[{"row": 2, "cells": {}}],
                               problems=[{"row": 2, "column": "end", "value": "=1+1",
                                          "reason": "<b>x</b>"}])  # fmt: skip
    review = review_services.review_open(program=program, by=manager, week_of=frozen_today)
    review_services.decision_add(review=review, by=manager, text="=1+1 <b>决定</b>", owner=rep)
    draft = grading_services.grading_draft(user=manager)
    grading_services.grading_rule_save(version=draft, grade="A", industries=["=1+1", "制造业"])
    assignment_services.assignment_rule_save(user=manager, team=rep.profile.team, regions=[south])
    RepLeave.objects.create(user=rep, starts_on=frozen_today, ends_on=frozen_today)
    rep.profile.hire_date = frozen_today - dt.timedelta(days=10)  # a new rep, to be coached
    rep.profile.save(update_fields=["hire_date"])
    LeadFactory(region=None, owner=None, name="<script>alert(1)</script>")  # unassigned
    FollowUpStandard.objects.create(text="=1+1 记录三大需求", cadence="first_contact",
                                    effective_from=dt.date(2020, 1, 1))  # fmt: skip
    followup.items_refresh()
    export = tmp_path / "leads.csv"
    export.write_text(
        "Lead ID,Name,Company,Lead Source,Lead Status,Created Date,Region\n"
        "00Q1,王伟,伟业科技,Web,Working - Contacted,2024-03-01 14:05,华南\n"
        "00Q3,赵敏,某公司,Web,Open - Not Contacted,not a date,华南\n",
        encoding="utf-8",
    )
    call_command("import_crm", str(export), "--skip-invalid", stdout=io.StringIO())
    with export.open("rb") as handle:
        import_services.import_run_upload(user=admin_user, uploaded=File(handle, name="mine.csv"))
    every_minute = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="walk", task="noop", interval=every_minute)
    return lead


def visit(client: Client, user: Any, url: str, language: str) -> tuple[str, int, str]:
    """GET the URL (POST an empty form where only POST is allowed), inside a savepoint that is
    rolled back; the method, the status and the exception of a server error."""
    headers = {"accept-language": language}
    with transaction.atomic():
        response = client.get(url, headers=headers)
        method = "GET"
        if response.status_code == 405 and "POST" in response.get("Allow", ""):
            response = client.post(url, {}, headers=headers)
            method = "POST"
        transaction.set_rollback(True)
    client.cookies.pop("django_language", None)
    if method == "POST" and user is not None:
        client.force_login(user)  # a POST to log out ends the session the next visit needs
    exc_info = getattr(response, "exc_info", None)
    return method, response.status_code, repr(exc_info[1]) if exc_info else ""


def server_errors(request: pytest.FixtureRequest) -> list[str]:
    """Every server error of the walk, with the method, URL, role, language and exception."""
    walk = [(route, url) for route in routes() for url in urls_of(route)]
    errors = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        staff = user is not None and user.is_staff
        urls = [url for route, url in walk if staff or sampled(route)]
        for url, language in itertools.product(urls, LANGUAGES):
            method, status, problem = visit(client, user, url, language)
            if status >= 500:
                errors.append(f"{method} {url} as {role} in {language}: {status} {problem}")
    return errors


def sampled(route: Route) -> bool:
    """The pages a user who is not staff walks: all but the model admins' pages of models
    other than leads. The admin site turns such a user away before any model admin runs, the
    same way for every model: walking every model's pages for them cost a fifth of the walk's
    time and reached no code of ours."""
    model_admin = getattr(route.callback, "model_admin", None)
    return model_admin is None or model_admin.model is Lead


def every_url() -> list[str]:
    return [url for route in routes() for url in urls_of(route)]


def test_the_walk_covers_every_app_and_fills_ids_with_real_objects(company):
    names = {route.name.split(":")[0] for route in routes()}
    urls = set(every_url())
    run = ImportRun.objects.filter(created_by=None).get()

    assert names >= {"overview", "core", "diagnosis", "planning", "execution", "evaluation",
                     "imports", "kpis", "api", "admin", "login", "health"}  # fmt: skip
    assert KpiSnapshot.objects.exists()
    assert {f"/imports/{run.pk}/errors.xlsx", f"/imports/{MADE_UP_ID}/",
            f"/admin/core/lead/{company.pk}/change/", "/admin/no/such/page/", "/api/docs",
            "/api/openapi.json", f"/api/plan/goals/?program={MADE_UP_ID}"} <= urls  # fmt: skip


def test_no_url_answers_a_server_error_to_any_role_in_either_language(request, company):
    assert server_errors(request) == []
