"""Shared by the import tests."""

import pytest


@pytest.fixture(params=["staged", "direct"])
def load_path(request, monkeypatch):
    """Run a test both ways a first import can write: rows staged and then written by SQL,
    and (PostgreSQL) a large first load COPYed straight into its table, which a test's small
    file qualifies for once the bar is lowered. Use it with `pytest.mark.usefixtures`."""
    if request.param == "direct":
        monkeypatch.setattr("salesopt.core.bulk.BULK_LOAD_MIN_ROWS", 1)
    return request.param
