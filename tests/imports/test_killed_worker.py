"""A worker killed in the middle of an import leaves the database as it was.

A real Celery worker process imports a file of 300,000 leads into PostgreSQL; the test kills it
with SIGKILL once rows are flowing, checks that not one lead landed, then runs the import again
as the broker's redelivery would and sees every row arrive exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection

from salesopt.core.models import Lead
from salesopt.imports import progress, services
from salesopt.imports.models import ImportRun, ImportStatus
from salesopt.imports.tasks import import_run_execute_task
from tests.celery_fixtures import require_redis
from tests.conftest import require

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 300_000
REPO_ROOT = Path(__file__).resolve().parents[2]


def big_export(path: Path) -> Path:
    lines = ["Lead ID,Name,Company,Lead Status,Created Date"]
    lines += [f"00Q{i:07d},王伟{i},\"深圳市, 第{i % 97}分公司\",Working - Contacted,"
              f"2024-03-{i % 28 + 1:02d} 09:{i % 60:02d}" for i in range(ROWS)]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def start_worker_process(queue: str, log: Path) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": database_url(),
                   "DJANGO_SETTINGS_MODULE": "salesopt.settings.test"}  # fmt: skip
    command = [sys.executable, "-m", "celery", "-A", "salesopt", "worker", "--pool=solo",
               "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
               "--without-mingle", "--loglevel=info"]  # fmt: skip
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text() and time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text()
        time.sleep(0.2)
    return worker


def validated_run(tmp_path: Path) -> ImportRun:
    with big_export(tmp_path / "leads.csv").open("rb") as handle:
        run = services.import_run_upload(user=None, uploaded=File(handle, name="leads.csv"))
    services.import_run_set_mapping(run=run, kind=run.kind, preset=run.preset,
                                    columns=run.mapping["columns"])  # fmt: skip
    return services.import_run_validate(run_id=run.pk)


def wait_until_rows_flow(run: ImportRun, worker: subprocess.Popen) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = progress.read(run.pk)
        if state is not None and state.rows_done > 0:
            return state.rows_done
        assert worker.poll() is None, "the worker died by itself"
        time.sleep(0.02)
    pytest.fail("the import never started")


def test_killing_the_worker_mid_import_leaves_nothing_behind(tmp_path, test_queue):
    require_redis()
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    run = validated_run(tmp_path)
    assert (run.status, run.created_count) == (ImportStatus.VALIDATED, ROWS)
    worker = start_worker_process(test_queue, tmp_path / "worker.log")
    try:
        import_run_execute_task.apply_async((run.pk,), queue=test_queue)
        rows_seen = wait_until_rows_flow(run, worker)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    run.refresh_from_db()
    assert 0 < rows_seen <= ROWS
    assert Lead.objects.count() == 0
    assert run.status == ImportStatus.IMPORTING

    services.import_run_execute(run_id=run.pk)  # what the broker's redelivery runs

    run.refresh_from_db()
    assert (run.status, run.created_count, run.updated_count) == (ImportStatus.DONE, ROWS, 0)
    assert Lead.objects.count() == ROWS
