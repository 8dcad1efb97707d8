"""Import speed and memory: salesopt's CRM import against two baselines, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/import_bench.py [--rows N]

It creates (and afterwards drops) a database of its own next to the one DATABASE_URL names,
generates a leads export of N rows (default one million: Chinese names, quoted commas, naive
local times, blanks) and measures, each in a fresh process so peak memory is its own:

  (a) PostgreSQL COPY of the file into a table shaped like salesopt's leads table with its
      unique key: the physical limit of loading;
  (b) django-import-export with the same natural-key upsert and use_bulk, on a sample (it runs
      at hundreds of rows a second: a million rows would take most of an hour);
  salesopt's full import (parse, coerce, validate, upsert, history), the re-import of the
  unchanged file, and the full import of a quarter of the file (memory must not grow with size).

Targets: salesopt ≥ 50% of (a)'s rows/s and ≥ 20× (b); the re-import at least as fast as the
import; peak memory under 400 MB and flat in file size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["ID", "Contact name", "Company", "Lead source", "Campaign", "Industry", "Grade",
          "Region", "Product line", "Owner", "Status", "Created at", "First response at",
          "Expected amount"]  # fmt: skip
REGIONS = ["华南", "华东", "华北", "西南"]
PRODUCT_LINES = ["智能门锁", "安防监控", "云服务"]
REPS = 40
SAMPLE_ROWS_FOR_IMPORT_EXPORT = 20_000
TARGETS = {"share_of_copy": 0.5, "times_import_export": 20.0, "peak_mb": 400.0}


# --- the file ---------------------------------------------------------------------------------


def generate(path: Path, rows: int, *, seed: int = 7) -> None:
    random = _rng(seed)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", ["伟", "芳", "娜", "敏", "静",
                                                          "磊", "强", "洋", "艳", "杰"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        base = 1_700_000_000
        for i in range(rows):
            created = base + random.randrange(40_000_000)
            answered = i % 7 != 0
            writer.writerow([
                f"L{i:07d}", surnames[i % 20] + given[(i * 7) % 10],
                f"深圳市{given[i % 10]}科技有限公司, 第{i % 13}分公司", "官网" if i % 3 else "展会",
                f"2024春季活动{i % 5}", "制造业" if i % 2 else "", "ABC"[i % 3] if i % 11 else "",
                REGIONS[i % 4], PRODUCT_LINES[i % 3], f"rep{i % REPS:02d}@demo.example",
                ["New", "Contacted", "Qualified", "Converted", "Lost"][i % 5],
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created)),
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created + 3600 + i % 90_000))
                if answered else "",
                "" if i % 5 == 0 else f"{(i % 997) * 13.5:.2f}",
            ])  # fmt: skip


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


# --- the measurements, each in its own process ----------------------------------------------


def measure(what: str, path: Path, database_url: str) -> dict[str, float]:
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
                   "SECRET_KEY": "bench-only-" + "x" * 50,
                   "DJANGO_SETTINGS_MODULE": "salesopt.settings.base"}  # fmt: skip
    environment.pop("REDIS_URL", None)  # the import runs in process: what is timed is the import
    output = subprocess.run(
        [sys.executable, __file__, "--child", what, "--file", str(path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if output.returncode != 0:
        raise SystemExit(f"{what} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def child(what: str, path: Path) -> None:
    import django

    django.setup()
    # Loaded before the clock starts, as in the worker that runs imports (0.6 s of imports).
    import salesopt.imports.services  # noqa: F401

    started = time.perf_counter()
    rows = CHILDREN[what](path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb}))


def _copy_baseline(path: Path) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_leads")
        cursor.execute(
            "CREATE TABLE bench_copy_leads (id bigserial PRIMARY KEY, source varchar(32) NOT NULL"
            " DEFAULT 'bench', external_id varchar(128) NOT NULL, name varchar(200), company_name"
            " varchar(200), channel varchar(64), campaign varchar(128), industry varchar(64),"
            " grade varchar(1), region text, product_line text, owner text, status varchar(16),"
            " created_at timestamptz, first_response_at timestamptz, amount numeric(14, 2),"
            " CONSTRAINT bench_copy_key UNIQUE (source, external_id))"
        )
        cursor.execute("SET timezone = 'Asia/Shanghai'")
    columns = ("external_id, name, company_name, channel, campaign, industry, grade, region, "
               "product_line, owner, status, created_at, first_response_at, amount")  # fmt: skip
    started = time.perf_counter()
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(
            f"COPY bench_copy_leads ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy,
        path.open("rb") as handle,
    ):
        while block := handle.read(1 << 20):
            copy.write(block)
    connection.connection.commit()
    _ = started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_copy_leads")
        return cursor.fetchone()[0]


def _salesopt_import(path: Path) -> int:
    from salesopt.imports import command_line, services

    # What is measured is the import; the KPI recompute it queues runs on a worker in
    # production (here, with no broker, it would run in this process after the import).
    services.recompute_after_import = lambda **_: None
    import_file = command_line.import_file

    run = import_file(path=path, kind="lead", time_zone="Asia/Shanghai", skip_invalid=True)
    if run.rejected_count or run.status != "done":
        raise SystemExit(f"import rejected {run.rejected_count} rows: {run.error_sample[:3]}")
    return run.rows_total


def _import_export_sample(path: Path) -> int:
    import tablib

    from bench.import_export_resource import LeadResource

    with path.open(encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(SAMPLE_ROWS_FOR_IMPORT_EXPORT + 1)]
    dataset = tablib.Dataset().load("".join(lines), format="csv")
    dataset.append_col(["bench"] * dataset.height, header="source")
    result = LeadResource().import_data(dataset, dry_run=False, use_transactions=True)
    if result.has_errors() or result.has_validation_errors():
        first = (
            [str(e.error) for e in result.base_errors][:1]
            + [f"row {row.number}: {row.error_dict}" for row in result.invalid_rows[:2]]
            + [f"{n}: {errors[0].error!r}" for n, errors in result.row_errors()[:2]]
        )
        raise SystemExit(f"django-import-export reported errors: {first}")
    return SAMPLE_ROWS_FOR_IMPORT_EXPORT


CHILDREN = {
    "copy": _copy_baseline,
    "salesopt": _salesopt_import,
    "import_export": _import_export_sample,
}


# --- the run ----------------------------------------------------------------------------------


def bench_database(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/salesopt_import_bench"))


def prepare(database_url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS salesopt_import_bench")
        connection.execute("CREATE DATABASE salesopt_import_bench")
    environment = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true",
                   "DJANGO_SETTINGS_MODULE": "salesopt.settings.base"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment,
                   check=True)  # fmt: skip
    subprocess.run([sys.executable, __file__, "--child-setup"], cwd=ROOT, env=environment,
                   check=True)  # fmt: skip


def setup_company() -> None:
    """The regions, product lines and reps the file names, as an admin would have them."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from salesopt.core.models import ProductLine, Profile, Region

    for index, name in enumerate(REGIONS):
        Region.objects.get_or_create(name=name, defaults={"code": f"r{index}"})
    for index, name in enumerate(PRODUCT_LINES):
        ProductLine.objects.get_or_create(name=name, defaults={"code": f"p{index}"})
    for number in range(REPS):
        user, _ = get_user_model().objects.get_or_create(
            username=f"rep{number:02d}", defaults={"email": f"rep{number:02d}@demo.example"}
        )
        Profile.objects.get_or_create(user=user, defaults={"role": "sales_rep"})


def report(results: dict[str, dict[str, float]]) -> None:
    rate = {name: r["rows"] / r["seconds"] for name, r in results.items()}
    print(f"{'measure':<34}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'peak MB':>10}")
    for name, result in results.items():
        print(f"{name:<34}{result['rows']:>10,.0f}{result['seconds']:>10.2f}"
              f"{rate[name]:>12,.0f}{result['peak_mb']:>10.0f}")  # fmt: skip
    share = rate["salesopt import"] / rate["(a) COPY into a leads-shaped table"]
    times = rate["salesopt import"] / rate["(b) django-import-export (sample)"]
    reimport = rate["salesopt re-import (unchanged)"] / rate["salesopt import"]
    peak = max(results[n]["peak_mb"] for n in results if n.startswith("salesopt"))
    growth = results["salesopt import"]["peak_mb"] - results["salesopt import, 1/4 file"]["peak_mb"]
    print()
    print(f"salesopt ÷ COPY              {share:6.0%}   target ≥ {TARGETS['share_of_copy']:.0%}")
    goal = TARGETS["times_import_export"]
    print(f"salesopt ÷ import-export     {times:6.1f}×  target ≥ {goal:.0f}×")
    print(f"re-import ÷ import           {reimport:6.2f}×  target ≥ 1.00×")
    print(f"salesopt peak memory         {peak:6.0f} MB target < {TARGETS['peak_mb']:.0f} MB")
    print(f"peak growth, 1/4 → whole file {growth:5.0f} MB (flat in file size)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child")
    parser.add_argument("--child-setup", action="store_true")
    parser.add_argument("--file", type=Path)
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if arguments.child_setup:
        setup_company()
        return
    if arguments.child:
        child(arguments.child, arguments.file)
        return
    database_url = bench_database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    prepare(database_url)
    work = Path(tempfile.gettempdir()) / "salesopt-import-bench"
    work.mkdir(exist_ok=True)
    whole, quarter = work / "leads.csv", work / "leads-quarter.csv"
    generate(whole, arguments.rows)
    generate(quarter, arguments.rows // 4, seed=8)
    results = {}
    results["(a) COPY into a leads-shaped table"] = measure("copy", whole, database_url)
    results["(b) django-import-export (sample)"] = measure("import_export", whole, database_url)
    prepare(database_url)  # salesopt starts from the same empty tables
    results["salesopt import"] = measure("salesopt", whole, database_url)
    results["salesopt re-import (unchanged)"] = measure("salesopt", whole, database_url)
    prepare(database_url)
    results["salesopt import, 1/4 file"] = measure("salesopt", quarter, database_url)
    report(results)


if __name__ == "__main__":
    main()
