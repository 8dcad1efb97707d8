"""`make run`'s zero-setup mode: no PostgreSQL, no Redis, and still no import held in a request.

The web side (tests/zero_setup_driver.py) and a real Celery worker run as separate processes on
one SQLite file and the local folder queue, as `make run` starts them. While no worker runs, a
request to check or import a file returns at once and the work waits in the queue; the worker
then does it, and the KPI recompute after the import, without any request waiting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
_INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    inherited = {name: os.environ[name] for name in _INHERITED_VARIABLES if name in os.environ}
    variables = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "salesopt.settings.base",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SALESOPT_LOCAL_WORKER": "true",
        "SALESOPT_LOCAL_STATE_DIR": str(tmp_path / "state"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO_ROOT, env=variables, check=True, timeout=120,
    )  # fmt: skip
    return variables


def driver(environment: dict[str, str], *arguments: object) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.zero_setup_driver", *map(str, arguments)],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@contextmanager
def worker(environment: dict[str, str], log: Path) -> Iterator[None]:
    """The worker `make run` starts (same command)."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "salesopt", "worker", "--beat",
             "--pool=solo", "--loglevel=INFO",
             "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
            cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_for(environment: dict[str, str], run: int, status: str, log: Path) -> dict:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = driver(environment, "state", run)
        if found["status"] == status:
            return found
        time.sleep(0.5)
    pytest.fail(f"run {run} never reached {status!r}: {found}\n{log.read_text()[-3000:]}")


def test_checks_imports_and_recomputes_in_the_worker_never_in_the_request(environment, tmp_path):
    log = tmp_path / "worker.log"

    asked = driver(environment, "upload_and_validate")

    assert (asked["http"], asked["status"]) == (302, "validating")
    assert driver(environment, "state", asked["run"])["status"] == "validating"  # queued
    with worker(environment, log):
        wait_for(environment, asked["run"], "validated", log)
    # With no worker running, the import the request starts stays queued: the request itself
    # never imports. (With the worker up, a three-row import may be done before it is read.)
    started = driver(environment, "start_import", asked["run"])
    assert (started["http"], started["status"], started["progress_shown"]) == (
        302,
        "importing",
        True,
    )
    assert driver(environment, "state", asked["run"])["status"] == "importing"
    with worker(environment, log):
        done = wait_for(environment, asked["run"], "done", log)
        assert done["leads"] == 3
        deadline = time.monotonic() + 60
        while driver(environment, "state", asked["run"])["lead_count_months"] != [
            "2024-03",
            "2024-04",
        ]:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
