"""Services and the task: recompute defaults, the after-import hook, API tokens."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from salesopt.kpis import tasks
from salesopt.kpis.models import ApiToken
from salesopt.kpis.services import api_token_create, kpis_recompute, recompute_after_import
from salesopt.kpis.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.recompute_kpis_task, "delay", lambda *args: calls.append(args))
    return calls


def test_recompute_after_import_queues_the_touched_months_on_commit(
    queued, django_capture_on_commit_callbacks
):
    months = [dt.date(2026, 10, 14), dt.date(2026, 3, 1), dt.date(2026, 10, 2)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recompute_after_import(months=months)

        assert queued == []  # not before the import's transaction commits

    assert len(callbacks) == 1
    assert queued == [("2026-03", "2026-10")]


def test_a_recompute_after_import_skips_the_years_it_did_not_touch(
    queued, django_capture_on_commit_callbacks
):
    months = [dt.date(2019, 5, 3), dt.date(2026, 11, 1), dt.date(2025, 12, 9), dt.date(2019, 2, 1)]
    with django_capture_on_commit_callbacks(execute=True):
        recompute_after_import(months=months)

    assert queued == [("2019-02", "2019-05"), ("2025-12", "2026-11")]


def test_recompute_after_import_queues_nothing_when_the_import_rolls_back(
    queued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        suppress(RuntimeError),
        transaction.atomic(),
    ):
        recompute_after_import(months=[dt.date(2026, 10, 1)])
        raise RuntimeError("the import failed")

    assert callbacks == []
    assert queued == []


def test_recompute_after_import_of_nothing_queues_nothing(
    queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recompute_after_import(months=[])

    assert callbacks == []


def test_the_task_recomputes_and_reports(leads):
    result = tasks.recompute_kpis_task("2026-10", "2026-10")

    assert result["from"] == "2026-01-01"
    assert result["to"] == "2027-01-01"
    assert result["rows"] > 0


def test_recompute_defaults_to_the_last_18_months(frozen_today):
    result = kpis_recompute()

    # Jun 2025 … Nov 2026, widened to whole years.
    assert (result.start, result.end) == (dt.date(2025, 1, 1), dt.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"period_from": "2026-13"}, "period_from"),
        ({"period_to": "later"}, "period_to"),
        ({"period_from": "2026-05", "period_to": "2026-04"}, "period_from"),
    ],
)
def test_recompute_refuses_a_bad_range(db, arguments, field):
    with pytest.raises(ValidationError) as raised:
        kpis_recompute(**arguments)

    assert field in raised.value.message_dict


def test_an_api_token_is_stored_only_as_its_hash(manager):
    token = api_token_create(user=manager)

    stored = ApiToken.objects.get(user=manager)
    assert stored.token_hash == hash_token(token)
    assert token not in {stored.token_hash, stored.prefix}
    assert token.startswith(stored.prefix)
