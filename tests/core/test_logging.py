"""The log: a refusal is one line, an error keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse

from salesopt.core.logging import RefusalsOnOneLine


@pytest.fixture
def log_output():
    """What the console handler of Django's records writes, for the test's duration."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django").handlers
        if any(isinstance(found, RefusalsOnOneLine) for found in handler.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_403_is_logged_on_one_line(client, rep, log_output):
    client.force_login(rep)

    response = client.get(reverse("imports:run-list"))

    assert response.status_code == 403
    logged = log_output.getvalue()
    assert [line for line in logged.splitlines() if "/imports/" in line] == [
        "Forbidden (Permission denied): /imports/"
    ]
    assert "Traceback" not in logged


def test_a_server_error_keeps_its_traceback(log_output):
    try:
        raise ValueError("a bug")
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x", exc_info=True, extra={"status_code": 500}
        )

    assert "Traceback" in log_output.getvalue()
    assert "ValueError: a bug" in log_output.getvalue()
