"""Celery against a real Redis: a worker runs a task and its result comes back; the configuration
survives a lost worker, a long task and a hung Redis; tasks asked for in a transaction wait for
its commit."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from salesopt.celery import app
from salesopt.core.tasks import purge_expired_sessions_task


def _expired_and_live_sessions() -> None:
    now = timezone.now()
    Session.objects.create(
        session_key="expired-session", session_data="", expire_date=now - dt.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live-session", session_data="", expire_date=now + dt.timedelta(days=1)
    )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_and_its_result_comes_back(celery_worker, test_queue):
    """Published as `.delay()` would, but to this test's own queue."""
    _expired_and_live_sessions()

    result = purge_expired_sessions_task.apply_async(queue=test_queue)

    assert result.get(timeout=20) == {"deleted": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live-session"]


def test_the_configuration_survives_a_lost_worker_and_a_long_task():
    transport_options = app.conf.broker_transport_options

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert transport_options["visibility_timeout"] > settings.SALESOPT_LONGEST_TASK_SECONDS
    assert app.conf.task_time_limit <= settings.SALESOPT_LONGEST_TASK_SECONDS


def test_every_redis_socket_gives_up_after_a_few_seconds():
    transport_options = app.conf.broker_transport_options

    assert 0 < transport_options["socket_timeout"] <= 10
    assert 0 < transport_options["socket_connect_timeout"] <= 10
    assert 0 < app.conf.redis_socket_timeout <= 10
    assert 0 < app.conf.redis_socket_connect_timeout <= 10
    assert 0 < app.conf.broker_connection_timeout <= 10
    assert app.conf.task_publish_retry_policy["max_retries"] <= 3


@pytest.mark.django_db
def test_delay_on_commit_publishes_nothing_before_the_commit(
    celery_configuration, django_capture_on_commit_callbacks
):
    app.conf.update(task_always_eager=True)
    _expired_and_live_sessions()

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        purge_expired_sessions_task.delay_on_commit()
        sessions_before_commit = Session.objects.count()

    assert sessions_before_commit == 2
    assert len(callbacks) == 1
    callbacks[0]()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live-session"]


@pytest.fixture
def unresponsive_redis_url() -> Iterator[str]:
    """A port that accepts connections and never answers: a hung Redis, not a stopped one."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    host, port = listener.getsockname()
    yield f"redis://{host}:{port}/0"
    listener.close()


# Publishes once through an app configured from Django settings, as the web process does, with
# broker and result backend both on the given URL. A subprocess, so a publish that hangs can be
# killed without leaving a thread behind in the test session.
_PUBLISH_ONE_TASK = """
import sys

import django

django.setup()
from celery import Celery

app = Celery("salesopt-hung-redis", set_as_current=False)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(task_always_eager=False, broker_url=sys.argv[1], result_backend=sys.argv[1])
app.send_task("salesopt.core.tasks.purge_expired_sessions_task")
"""
_HUNG_REDIS_DEADLINE_SECONDS = 15
# How the publish gives up: the broker's error, or the result backend's "must be restarted".
_CONNECTION_FAILURE = r"^(kombu\.exceptions\.OperationalError|RuntimeError|redis\.exceptions\.\w+):"


@pytest.mark.redis
def test_a_hung_redis_fails_a_publish_within_seconds(unresponsive_redis_url):
    """A web request that enqueues a task while Redis hangs gets an error, not a hang."""
    environment = {"DJANGO_SETTINGS_MODULE": "salesopt.settings.test", **os.environ}
    started = time.monotonic()

    try:
        result = subprocess.run(
            [sys.executable, "-c", _PUBLISH_ONE_TASK, unresponsive_redis_url],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            capture_output=True,
            text=True,
            timeout=_HUNG_REDIS_DEADLINE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"publishing to a hung Redis still waited after {time.monotonic() - started:.0f}s"
        )

    elapsed = time.monotonic() - started
    assert re.search(_CONNECTION_FAILURE, result.stderr, flags=re.MULTILINE), result.stderr
    assert elapsed < _HUNG_REDIS_DEADLINE_SECONDS, result.stderr[-2000:]
