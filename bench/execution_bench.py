"""The execution tables' speed and load targets (issue 14), each against a baseline measured in
the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesopt_bench \\
        .venv/bin/python bench/execution_bench.py [--scale 30] [--requests 30] [--only pages|load]
        [--users 50] [--minutes 5]

On the demo company (the KPI bench's database, seeded at `--scale N` when it has no lead; its
plan and execution are seeded when missing):

  pages   a year of weekly execution data added in a transaction rolled back at the end — 52
          weeks of tasks (ten a week, each edited four times: its history), four quarters of
          Table 2 split down by region and then by owner, 40 more measures tracked in Table 3,
          52 closed weekly reviews — then each execution page through the Django test client
          (whole request, DEBUG off), as the sales manager and as a team lead, 5 warm-up
          requests then `--requests` timed: p95 < 200 ms. Baseline: the login page, the same
          way (a page with no data: what the framework costs).
  load    50 team leads (ten teams of five) logged in over HTTP to gunicorn on loopback, each
          editing their own rows and their team's shared rows inline for `--minutes` (locust,
          headless; bench/execution_load.py): no 5xx, p95 < 300 ms, and no lost update — every
          edit the server accepted is in the row's history with the value it wrote, at a
          version of its own. Baseline: the health check's p95 under the same load (a request
          that reaches Django and the database and renders nothing). The people and
          rows it creates are removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.kpi_bench import percentile, setup_django, time_requests  # noqa: E402
from bench.kpi_bench import prepare as prepare_demo  # noqa: E402

TARGET_PAGE_P95_MS = 200.0
TARGET_LOAD_P95_MS = 300.0
WEEKS = 52
TASKS_PER_WEEK = 10
EDITS_PER_TASK = 4
LOAD_TEAMS, LEADS_PER_TEAM, SHARED_ROWS, OWN_ROWS = 10, 5, 6, 2
LOAD_PREFIX = "bench.load"
LOAD_PASSWORD = "bench-load-password-7f3c"  # noqa: S105 - throwaway bench users, removed after
PORT = 8765
BASELINE_NAME = "baseline: /healthz"
GUNICORN_OPTIONS = (
    "--bind",
    f"127.0.0.1:{PORT}",
    "--workers",
    "3",
    "--timeout",
    "60",
    "--log-level",
    "warning",
)
# Not judged against the target: the logins (a password hash each) and the baseline itself.
UNJUDGED = {"login page", "log in", BASELINE_NAME}


def verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


def ensure_execution() -> Any:
    from django.core.management import call_command

    from salesopt.core.models import GradingVersion, Program

    if not GradingVersion.objects.exists():
        print("Computing the KPIs and seeding the demo plan (untimed) …")
        call_command("compute_kpis", verbosity=0)
        call_command("seed_demo_plan", verbosity=0)
    call_command("seed_demo_execution", verbosity=0)  # leaves a seeded program alone
    return Program.objects.order_by("pk").first()


# --- a year of weekly data ---------------------------------------------------------------------


def add_a_year(program: Any) -> None:
    """A year of the execution, as a program a year in would hold it (see the docstring)."""
    from simple_history.utils import bulk_create_with_history

    from execution import review_services, target_services
    from execution.models import MeasureTracking, Quality, Task, TaskStatus, WeeklyReview
    from planning.models import Measure, MeasureLine
    from salesopt.core.models import Profile, Region, Role, Team
    from salesopt.core.periods import Quarter, company_today

    manager, today = program.manager, company_today()
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=WEEKS - 1)
    # A year in (rolled back with the rest): the diagnosis window the year before.
    program.baseline_start = program.baseline_start - dt.timedelta(weeks=WEEKS)
    program.baseline_end = first_week - dt.timedelta(days=1)
    program.execution_start = first_week
    program.save(update_fields=["baseline_start", "baseline_end", "execution_start"])
    teams = list(Team.objects.filter(lead__isnull=False).order_by("pk"))
    reps = {
        team.pk: list(
            Profile.objects.filter(team=team, role=Role.SALES_REP).values_list(
                "user_id", flat=True
            )[:6]
        )
        for team in teams
    }
    tasks = []
    for week in range(WEEKS):
        starts = first_week + dt.timedelta(weeks=week)
        for number in range(TASKS_PER_WEEK):
            team = teams[number % len(teams)]
            owner = (reps[team.pk] or [team.lead_id])[week % max(1, len(reps[team.pk]))]
            done = starts + dt.timedelta(days=4) < today and number % 3 != 0
            tasks.append(
                Task(
                    program=program,
                    title=f"第 {week + 1} 周任务 {number + 1}",
                    owner_id=owner,
                    team=team,
                    starts_on=starts,
                    ends_on=starts + dt.timedelta(days=4),
                    status=TaskStatus.DONE if done else TaskStatus.IN_PROGRESS,
                    done_on=starts + dt.timedelta(days=4) if done else None,
                    deliverable="周报",
                    note="客户推迟" if not done else "",
                    version=EDITS_PER_TASK + 1,
                )
            )
    bulk_create_with_history(tasks, Task, default_user=manager)
    history = Task.history.model
    edits = [
        history(
            **{
                f.attname: getattr(task, f.attname)
                for f in Task._meta.concrete_fields
                if f.attname not in ("created_at", "updated_at", "version")
            },
            version=version,
            history_date=dt.datetime.now(dt.UTC),
            history_type="~",
            history_user=manager,
        )
        for task in Task.objects.filter(program=program, title__startswith="第 ")
        for version in range(2, EDITS_PER_TASK + 2)
    ]
    history.objects.bulk_create(edits, batch_size=5000)

    quarter = Quarter.containing(today)
    regions = list(Region.objects.order_by("pk")[:6])
    for back in range(1, 4):  # the current quarter is the demo's own
        past = quarter.shifted(-back)
        whole = target_services.quarter_target_set(
            program=program, by=manager, quarter=past, amount="12000000", split="even"
        )
        share = (Decimal("12000000") / len(regions)).quantize(Decimal("0.01"))
        amounts = {region.pk: share for region in regions[:-1]}
        amounts[regions[-1].pk] = Decimal("12000000") - share * (len(regions) - 1)
        for part in target_services.parts_set(
            target=whole, by=manager, dimension="region", amounts=amounts, split="even"
        ):
            team = next((t for t in teams if t.region_id == part.region_id), None)
            owners = reps.get(team.pk, []) if team else []
            if len(owners) >= 2:
                half = (part.amount / 2).quantize(Decimal("0.01"))
                target_services.parts_set(
                    target=part,
                    by=manager,
                    dimension="owner",
                    amounts={owners[0]: half, owners[1]: part.amount - half},
                    split="even",
                )
    for number in range(40):
        measure = Measure.objects.create(
            program=program,
            line=list(MeasureLine.values)[number % 4],
            title=f"措施 {number + 1}",
            owner_id=teams[number % len(teams)].lead_id,
            planned_completion=first_week + dt.timedelta(weeks=number + 1),
        )
        if number % 2 == 0:
            MeasureTracking.objects.create(
                measure=measure,
                quality=Quality.GOOD,
                actual_completion=measure.planned_completion,
                version=3,
            )
    closed = review_services.review_open(program=program, by=manager, week_of=first_week)
    review_services.review_close(review=closed, by=manager)
    WeeklyReview.objects.bulk_create(
        [
            WeeklyReview(
                program=program,
                week_start=first_week + dt.timedelta(weeks=week),
                notes=f"第 {week + 1} 周例会",
                closed_at=closed.closed_at,
                closed_by=manager,
                frozen=closed.frozen,
            )
            for week in range(1, WEEKS - 1)
        ],
        ignore_conflicts=True,
    )


def time_page(user: Any, url: str, requests: int) -> list[float]:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    if user is not None:  # None: anonymous (the login page, the baseline)
        client.force_login(user)

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return time_requests(get, requests)


def bench_pages(program: Any, requests: int) -> None:
    from django.db import transaction

    from execution.models import Task, WeeklyReview
    from salesopt.core.periods import Quarter, company_today

    with transaction.atomic():
        print(f"Adding a year of weekly execution data (untimed, rolled back) to {program} …")
        started = time.perf_counter()
        add_a_year(program)
        print(
            f"  {Task.objects.filter(program=program).count():,} tasks, "
            f"{Task.history.count():,} history rows, "
            f"{WeeklyReview.objects.filter(program=program).count()} weekly reviews "
            f"in {time.perf_counter() - started:.1f} s"
        )
        lead = program.manager.__class__.objects.get(username="demo.lead.south")
        closed = WeeklyReview.objects.filter(program=program, closed_at__isnull=False).first()
        quarter = Quarter.containing(company_today())
        baseline = percentile(time_page(None, "/accounts/login/", requests), 0.95)
        print(f"baseline (the login page): p95 {baseline:.1f} ms over {requests} requests")
        pages = [
            ("execution plan table", "/execution/"),
            ("Table 2", f"/execution/targets/?quarter={quarter}"),
            ("Table 3", "/execution/measures/"),
            ("kick-off", "/execution/kickoff/"),
            ("weekly reviews", "/execution/reviews/"),
            ("a closed review", f"/execution/reviews/{closed.week_start:%Y-%m-%d}/"),
            ("new-rep coaching", "/execution/coaching/"),
        ]
        for who, user in (("manager", program.manager), ("team lead", lead)):
            for label, url in pages:
                timings = time_page(user, url, requests)
                p95 = percentile(timings, 0.95)
                print(
                    f"{label} as the {who}: p50 {percentile(timings, 0.5):.1f} ms, "
                    f"p95 {p95:.1f} ms ({p95 / baseline:.1f}× the baseline) "
                    f"(target p95 < {TARGET_PAGE_P95_MS:.0f} ms: "
                    f"{verdict(p95 < TARGET_PAGE_P95_MS)})"
                )
        transaction.set_rollback(True)


# --- the load test -----------------------------------------------------------------------------


def create_load_people(program: Any) -> list[dict[str, Any]]:
    """Ten teams of five team leads, each team with its shared rows and each lead their own."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from execution.models import Task
    from salesopt.core.models import Profile, Region, Role, Team, TeamKind
    from salesopt.core.periods import company_today

    remove_load_people()
    password = make_password(LOAD_PASSWORD)
    region = Region.objects.order_by("pk").first()
    today = company_today()
    people = []
    for team_number in range(LOAD_TEAMS):
        team = Team.objects.create(
            name=f"{LOAD_PREFIX} team {team_number}", kind=TeamKind.REGION, region=region
        )
        shared = [
            Task.objects.create(
                program=program,
                title=f"压测共享 {team_number}-{row}",
                team=team,
                starts_on=today,
                ends_on=today + dt.timedelta(days=30),
            ).pk
            for row in range(SHARED_ROWS)
        ]
        for lead_number in range(LEADS_PER_TEAM):
            username = f"{LOAD_PREFIX}.{team_number}.{lead_number}"
            user = get_user_model().objects.create(username=username, password=password)
            Profile.objects.update_or_create(
                user=user, defaults={"role": Role.TEAM_LEAD, "team": team, "display_name": username}
            )
            own = [
                Task.objects.create(
                    program=program,
                    title=f"压测自己 {username} {row}",
                    team=team,
                    owner=user,
                    starts_on=today,
                    ends_on=today + dt.timedelta(days=30),
                ).pk
                for row in range(OWN_ROWS)
            ]
            people.append(
                {"username": username, "password": LOAD_PASSWORD, "own": own, "shared": shared}
            )
    return people


def remove_load_people() -> None:
    from django.contrib.auth import get_user_model

    from execution.models import Task
    from salesopt.core.models import Team

    tasks = Task.objects.filter(team__name__startswith=LOAD_PREFIX)
    Task.history.filter(team__name__startswith=LOAD_PREFIX).delete()
    Task.history.filter(id__in=tasks.values("pk")).delete()
    tasks.delete()
    get_user_model().objects.filter(username__startswith=LOAD_PREFIX).delete()
    Team.objects.filter(name__startswith=LOAD_PREFIX).delete()


def server_environment() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "salesopt.settings.base",
    }


def check_no_lost_update(edit_log: Path) -> tuple[int, int, list[str]]:
    """(accepted, refused as stale, problems): each accepted edit must be in its row's history
    with the value it wrote, and no two accepted edits of a row may share a version."""
    from execution.models import Task

    edits = [json.loads(line) for line in edit_log.read_text(encoding="utf-8").splitlines()]
    accepted = [edit for edit in edits if edit["accepted"]]
    problems = []
    history = {}
    for row in Task.history.filter(id__in={edit["task"] for edit in accepted}).values(
        "id", "version", "note", "deliverable", "resources"
    ):
        history.setdefault(row["id"], []).append(row)
    for task_id, rows in history.items():
        versions = [row["version"] for row in rows]
        if len(versions) != len(set(versions)):
            problems.append(f"task {task_id}: two history rows share a version")
    for edit in accepted:
        if not any(row[edit["field"]] == edit["value"] for row in history.get(edit["task"], [])):
            problems.append(f"task {edit['task']}: accepted {edit['field']}={edit['value']!r} lost")
    return len(accepted), len(edits) - len(accepted), problems


def bench_load(program: Any, users: int, minutes: float) -> None:
    people = create_load_people(program)[:users]
    workdir = Path(tempfile.mkdtemp(prefix="salesopt-load-"))
    edit_log = workdir / "edits.jsonl"
    edit_log.touch()
    environment = server_environment()
    server_log = (workdir / "gunicorn.log").open("w")
    # As docker compose runs it: three sync workers (no keep-alive to race a client's next
    # request, which a threaded worker's 2-second keep-alive did: connections reset).
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "salesopt.wsgi:application", *GUNICORN_OPTIONS],
        cwd=ROOT,
        env=environment,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_server()
        print(
            f"Load: {len(people)} team leads for {minutes:g} min against gunicorn "
            f"(3 sync workers, as docker compose runs it) + PostgreSQL …"
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "execution_load.py"),
                "--headless",
                "-u",
                str(len(people)),
                "-r",
                "10",
                "-t",
                f"{int(minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(workdir / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            check=False,
            env={
                **environment,
                "LOAD_USERS": json.dumps(people),
                "EDIT_LOG": str(edit_log),
                "TIMINGS_LOG": str(workdir / "timings.json"),
            },
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    report_load(workdir, edit_log)
    remove_load_people()


def wait_for_server() -> None:
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def report_load(workdir: Path, edit_log: Path) -> None:
    timings = json.loads((workdir / "timings.json").read_text(encoding="utf-8"))
    judged = [ms for name, ms, _status in timings if name not in UNJUDGED]
    baseline = [ms for name, ms, _status in timings if name == BASELINE_NAME]
    server_errors = sum(status >= 500 for _name, _ms, status in timings)
    unanswered = sum(status == 0 for _name, _ms, status in timings)  # connection errors
    by_name: dict[str, list[float]] = {}
    for name, ms, _status in timings:
        by_name.setdefault(name, []).append(ms)
    for name, values in sorted(by_name.items()):
        print(
            f"  {name}: {len(values):,} requests, p50 {percentile(values, 0.5):.0f} ms, "
            f"p95 {percentile(values, 0.95):.0f} ms"
        )
    accepted, refused, problems = check_no_lost_update(edit_log)
    print(f"edits: {accepted:,} accepted, {refused:,} refused as made on a stale copy")
    print(
        f"server errors (5xx): {server_errors} (target 0: {verdict(server_errors == 0)}); "
        f"requests with no answer: {unanswered} (target 0: {verdict(unanswered == 0)})"
    )
    print(f"lost updates: {len(problems)} (target 0: {verdict(not problems)})")
    for problem in problems[:10]:
        print("  ", problem)
    p95, base = percentile(judged, 0.95), percentile(baseline, 0.95)
    print(
        f"load p95 {p95:.0f} ms over {len(judged):,} edits and table reads "
        f"({p95 / max(base, 1):.1f}× the health check's {base:.0f} ms under the same load) "
        f"(target p95 < {TARGET_LOAD_P95_MS:.0f} ms: {verdict(p95 < TARGET_LOAD_P95_MS)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", choices=["pages", "load"])
    parser.add_argument("--users", type=int, default=LOAD_TEAMS * LEADS_PER_TEAM)
    parser.add_argument("--minutes", type=float, default=5.0)
    arguments = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/salesopt_bench")
    os.environ.setdefault("EMAIL_URL", "memorymail://")
    setup_django()
    import logging

    from django.db import connection

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per login otherwise

    if connection.vendor != "postgresql":
        sys.exit("The execution bench measures PostgreSQL: set DATABASE_URL.")
    prepare_demo(arguments.scale, arguments.seed)
    program = ensure_execution()
    if arguments.only != "load":
        bench_pages(program, arguments.requests)
    if arguments.only != "pages":
        bench_load(program, arguments.users, arguments.minutes)


if __name__ == "__main__":
    main()
