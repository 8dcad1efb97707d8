"""KPI speed on the demo company, against one hand-written GROUP BY, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesopt_bench \\
        .venv/bin/python bench/kpi_bench.py [--scale 30] [--seed 1] [--requests 50]

The database is migrated, and seeded with `seed_demo --scale N` only when it has no lead yet,
so a seeded database is reused (a scale-30 seed takes about 1.5 minutes). Then, in this order:

  baseline   one hand-written SQL GROUP BY: monthly lead conversion by region × product line
             over the 18 months of history (best of 5 after a warm-up);
  recompute  kpis_recompute of every KPI for those 18 months (widened to whole years), 3 times,
             median, with its time per family;
  reads      the kpi_series reads a diagnosis dashboard needs, as the sales manager: 5 warm-up
             requests, then --requests timed ones; p50 / p95 / max of a whole request;
  page       the diagnosis dashboard page itself through the Django test client, once that page
             exists (see `time_dashboard_page`).

Targets: recompute < 10 × baseline; dashboard reads p95 < 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/salesopt_bench"
TARGET_RATIO = 10.0
TARGET_P95_MS = 300.0
HISTORY_MONTHS = 18
# The diagnosis workspace, which holds the baseline dashboard (16 kpi_series reads + figures).
DASHBOARD_URL_NAME = "diagnosis:landing"
MANAGER_USERNAME = "demo.manager"

# What a diagnosis dashboard shows (SPEC, step 1): attainment by month / quarter / region /
# product line, leads and conversion, order value, repurchase, workload per rep, complaints.
DASHBOARD_READS: list[dict[str, str]] = [
    {"metric": "target_attainment", "grain": "month"},
    {"metric": "target_attainment", "grain": "quarter", "by": "region"},
    {"metric": "target_attainment", "grain": "quarter", "by": "product_line"},
    {"metric": "revenue", "grain": "month", "by": "region"},
    {"metric": "lead_count", "grain": "month"},
    {"metric": "lead_conversion_rate", "grain": "month", "by": "region,product_line"},
    {"metric": "first_response_hours", "grain": "month", "by": "region"},
    {"metric": "sla_breach_rate", "grain": "month", "by": "grade"},
    {"metric": "average_order_value", "grain": "quarter"},
    {"metric": "repurchase_rate", "grain": "quarter"},
    {"metric": "win_rate", "grain": "month", "by": "product_line"},
    {"metric": "sales_cycle_days", "grain": "quarter", "by": "product_line"},
    {"metric": "activities_per_rep_day", "grain": "month", "by": "rep"},
    {"metric": "complaint_rate", "grain": "month", "by": "region"},
    {"metric": "complaint_response_hours", "grain": "quarter"},
    {"metric": "satisfaction_score", "grain": "quarter", "by": "region"},
    {"metric": "ramp_up_days", "grain": "quarter"},
]

BASELINE_SQL = """
SELECT date_trunc('month', l.created_in_crm_at AT TIME ZONE %s) AS month,
       l.region_id, l.product_line_id,
       count(*) AS leads,
       count(*) FILTER (WHERE l.status = 'converted' OR l.won_at IS NOT NULL) AS converted
FROM core_lead AS l
WHERE l.created_in_crm_at >= %s AND l.created_in_crm_at < %s
GROUP BY 1, 2, 3
"""


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesopt.settings.base")
    # As in production: no debug cursor recording every query, no debug page machinery.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    # Static files are served from the app's folders here; nothing was collected.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def prepare(scale: float, seed: int) -> None:
    """Migrate; seed the demo company when the database has no lead; refresh statistics."""
    from django.core.management import call_command
    from django.db import connection

    from salesopt.core.models import Lead

    call_command("migrate", verbosity=0)
    if not Lead.objects.exists():
        print(f"Seeding the demo company at scale {scale} (about a minute per 10) …")
        call_command("seed_demo", scale=scale, seed=seed, verbosity=0)
    with connection.cursor() as cursor:
        # The snapshot table as autovacuum keeps it in production: earlier runs of this bench on
        # a server without autovacuum (CI's, this one's) leave it ten times its live size in
        # dead rows, which the recompute's merge then reads through (untimed).
        cursor.execute("VACUUM (FULL) kpis_kpisnapshot")
        # Fresh planner statistics for the baseline and the recompute alike (untimed).
        cursor.execute("ANALYZE")


def history_range() -> tuple[dt.date, dt.date]:
    """The last 18 months that have leads: (first month, last month)."""
    from django.db.models import Max

    from salesopt.core.models import Lead
    from salesopt.core.periods import add_months, company_zone

    newest = Lead.objects.aggregate(newest=Max("created_in_crm_at"))["newest"]
    last = newest.astimezone(company_zone()).date().replace(day=1)
    return add_months(last, -(HISTORY_MONTHS - 1)), last


def time_baseline(first: dt.date, last: dt.date, runs: int = 5) -> list[float]:
    """`runs` timings of the baseline query after a warm-up, fastest first."""
    from django.conf import settings
    from django.db import connection

    from salesopt.core.periods import add_months, start_of_day

    params = [
        settings.SALESOPT_COMPANY_TIME_ZONE,
        start_of_day(first),
        start_of_day(add_months(last, 1)),
    ]
    timings = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            started = time.perf_counter()
            cursor.execute(BASELINE_SQL, params)
            cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return sorted(timings[1:])


def time_recompute(first: dt.date, last: dt.date, runs: int = 3) -> list[Any]:
    """`runs` full recomputes, fastest first (the machine may be shared: noise only adds)."""
    from salesopt.kpis.services import kpis_recompute

    results = [kpis_recompute(period_from=first, period_to=last) for _ in range(runs)]
    return sorted(results, key=lambda result: result.seconds)


def dashboard_request(user: Any, first: dt.date, last: dt.date) -> int:
    """One dashboard's worth of KPI reads; returns the number of rows read."""
    from salesopt.kpis.selectors import kpi_series

    rows = 0
    for read in DASHBOARD_READS:
        series = kpi_series(user=user, period_from=first, period_to=last, **read)
        rows += len(series.as_json()["rows"])
    return rows


def time_requests(request: Callable[[], object], requests: int, warm_up: int = 5) -> list[float]:
    for _ in range(warm_up):
        request()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# ---------------------------------------------------------------------------------------------
# THE DASHBOARD PAGE: for whoever builds the diagnosis dashboard. Point DASHBOARD_URL_NAME at
# it (and add query parameters to `url` if the page needs them); main() then times the page
# itself, server side, next to the bare kpi_series reads above.
# ---------------------------------------------------------------------------------------------
def time_dashboard_page(user: Any, requests: int) -> list[float] | None:
    """The diagnosis dashboard page through the Django test client, in ms per request.

    Returns None while the page does not exist (DASHBOARD_URL_NAME does not resolve); once it
    does, this times `requests` GETs as `user` after 5 warm-up requests.
    """
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(DASHBOARD_URL_NAME)
    except NoReverseMatch:
        return None
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    return time_requests(get, requests)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report_timings(label: str, timings: list[float]) -> float:
    p95 = percentile(timings, 0.95)
    verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
    print(
        f"{label}: p50 {percentile(timings, 0.5):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(timings):.1f} ms over {len(timings)} requests "
        f"(target p95 < {TARGET_P95_MS:.0f} ms: {verdict})"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50)
    arguments = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from salesopt.core.models import Lead

    if connection.vendor != "postgresql":
        sys.exit("The KPI bench measures PostgreSQL: set DATABASE_URL.")
    prepare(arguments.scale, arguments.seed)
    first, last = history_range()
    print(
        f"Database {connection.settings_dict['NAME']}: {Lead.objects.count():,} leads; "
        f"history {first:%Y-%m}…{last:%Y-%m}"
    )

    baselines = time_baseline(first, last)
    baseline = baselines[0]
    print(
        "baseline GROUP BY (conversion by month × region × product line): "
        f"best {baseline * 1000:.0f} ms, median {statistics.median(baselines) * 1000:.0f} ms"
    )
    results = time_recompute(first, last)
    best = results[0]
    median = statistics.median(result.seconds for result in results)
    ratio = best.seconds / baseline
    verdict = "PASS" if ratio < TARGET_RATIO else "FAIL"
    print(
        f"full recompute ({best.rows:,} snapshot rows): best {best.seconds:.2f} s, median "
        f"{median:.2f} s; best ÷ best = {ratio:.1f} × baseline, median ÷ median = "
        f"{median / statistics.median(baselines):.1f} × (target < {TARGET_RATIO:.0f} ×: {verdict})"
    )
    for family, seconds in best.seconds_by_family.items():
        print(f"    {family:<12} {seconds:6.2f} s  ({seconds / baseline:4.1f} × baseline)")

    manager = get_user_model().objects.get(username=MANAGER_USERNAME)
    rows = dashboard_request(manager, first, last)
    timings = time_requests(lambda: dashboard_request(manager, first, last), arguments.requests)
    report_timings(f"dashboard reads ({len(DASHBOARD_READS)} series, {rows:,} rows)", timings)
    page = time_dashboard_page(manager, arguments.requests)
    if page is None:
        print(f"dashboard page: skipped, {DASHBOARD_URL_NAME!r} does not exist yet")
    else:
        report_timings("dashboard page", page)


if __name__ == "__main__":
    main()
