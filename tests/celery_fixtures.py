"""Fixtures for tests that need a real Redis and a real Celery worker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from kombu import Queue

from salesopt.celery import app

REDIS_URL = os.environ.get("REDIS_URL", "")
REPO_ROOT = Path(__file__).resolve().parent.parent
# The configuration a test changes; restored afterwards so later tests see the settings' own.
_CONFIGURATION_KEYS = (
    "task_always_eager",
    "broker_url",
    "result_backend",
    "worker_hijack_root_logger",
)


def require_redis() -> None:
    """Skip (laptop) or fail (CI, SALESOPT_REQUIRE_ALL_TESTS=1) when Redis is not reachable."""
    reason = _redis_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("SALESOPT_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _redis_unavailable_reason() -> str | None:
    if not REDIS_URL:
        return "REDIS_URL is not set: no Redis server to run a Celery worker against"
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return f"Redis at {REDIS_URL} does not answer a ping within 1 s: {error}"
    finally:
        client.close()
    return None


@pytest.fixture
def celery_configuration() -> Iterator[None]:
    saved = {key: app.conf[key] for key in _CONFIGURATION_KEYS}
    yield
    app.conf.update(saved)


@pytest.fixture
def test_queue(celery_configuration) -> Iterator[str]:
    """A queue of this test's own, so a worker never takes another run's tasks on a shared
    Redis (another developer's suite, messages left over from an earlier run)."""
    require_redis()
    app.conf.update(
        task_always_eager=False,
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        # The test worker must not take pytest's log handlers off the root logger.
        worker_hijack_root_logger=False,
    )
    queues = app.amqp.queues
    consumed_before = list(queues.consume_from)
    name = f"salesopt-test-{uuid.uuid4().hex}"
    yield name
    queues.select(consumed_before)
    _delete_queue(queues.pop(name))


def _delete_queue(queue: Queue) -> None:
    """Delete the queue and its binding keys from Redis (kombu deletes the bindings that the
    channel knows of, hence the declare first)."""
    with app.connection_for_write() as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        bound.delete()


@pytest.fixture
def celery_worker(test_queue):
    with start_worker(
        app, pool="threads", concurrency=1, perform_ping_check=False, queues=[test_queue]
    ) as worker:
        yield worker


@pytest.fixture
def tasks_to_test_queue(test_queue) -> Iterator[str]:
    """Route every task to this test's queue, so code that calls `.delay()` reaches the worker
    started for the test (and no other worker takes it)."""
    saved = app.conf.task_routes
    app.conf.task_routes = {"*": {"queue": test_queue}}
    _reset_router()
    yield test_queue
    app.conf.task_routes = saved
    _reset_router()


def _reset_router() -> None:
    # Celery caches the router built from task_routes on first use.
    app.amqp.__dict__.pop("router", None)
    app.amqp.flush_routes()


@pytest.fixture
def routed_celery_worker(tasks_to_test_queue):
    with start_worker(
        app, pool="threads", concurrency=1, perform_ping_check=False, queues=[tasks_to_test_queue]
    ) as worker:
        yield worker
