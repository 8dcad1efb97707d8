"""Commands: `kpis` (the same JSON as the API), `compute_kpis`, `create_api_token`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from salesopt.kpis.models import KpiSnapshot
from salesopt.kpis.tokens import user_for_bearer

from .conftest import local

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> str:
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


def test_kpis_json_by_region_prints_exactly_one_object(leads):
    output = run(
        "kpis",
        "--metric",
        "lead_conversion_rate",
        "--by",
        "region",
        "--from",
        "2026-10",
        "--to",
        "2026-10",
        "--json",
    )

    assert output == (
        '{"metric": "lead_conversion_rate", "grain": "month", "by": ["region"], "rows": ['
        '{"period": "2026-10", "dims": {"region": "华东"}, "value": 0.0, "numerator": 0, '
        '"denominator": 2}, '
        '{"period": "2026-10", "dims": {"region": "华南"}, "value": 0.6666666666666666, '
        '"numerator": 2, "denominator": 3}]}\n'
    )


def test_kpis_json_without_by_is_company_wide(leads):
    output = run(
        "kpis",
        "--metric",
        "lead_count",
        "--grain",
        "quarter",
        "--from",
        "2026-Q4",
        "--to",
        "2026-Q4",
        "--json",
    )

    assert output == (
        '{"metric": "lead_count", "grain": "quarter", "by": [], "rows": ['
        '{"period": "2026-Q4", "dims": {}, "value": 9.0, "numerator": 9, "denominator": null}]}\n'
    )


def test_kpis_reads_company_wide_whoever_runs_it(leads):
    output = run(
        "kpis",
        "--metric",
        "lead_count",
        "--by",
        "team",
        "--from",
        "2026-10",
        "--to",
        "2026-10",
        "--json",
    )

    assert '"team": "华南一组"' in output
    assert '"team": "华东一组"' in output


def test_kpis_table_shows_a_dash_for_no_value(leads):
    output = run("kpis", "--metric", "lead_conversion_rate", "--from", "2026-01", "--to", "2026-02")

    assert output.splitlines() == [
        "lead_conversion_rate (ratio) by month",
        "2026-01              —                 0             0",
        "2026-02              —                 0             0",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--metric", "profit"], "unknown metric"),
        (["--metric", "lead_count", "--grain", "week"], "unknown grain"),
        (["--metric", "lead_count", "--by", "team,rep"], "not available"),
        (["--metric", "lead_count", "--from", "2026/10"], "not a period"),
    ],
)
def test_kpis_refuses_a_bad_request(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        run("kpis", *arguments)


def test_compute_kpis_recomputes_now(frozen_today, rep):
    from tests.factories import LeadFactory

    LeadFactory(owner=rep, created_in_crm_at=local(2026, 10, 2))

    output = run("compute_kpis", "--from", "2026-10", "--to", "2026-10")

    assert output.startswith("KPI snapshots 2026-01…2027-01 (exclusive): ")
    assert KpiSnapshot.objects.get(metric="lead_count", grain="month", cut="").value == 1.0


def test_compute_kpis_refuses_a_malformed_month(db):
    with pytest.raises(CommandError, match="not a month"):
        run("compute_kpis", "--from", "2026-13")


def test_create_api_token_prints_a_token_that_authenticates(manager):
    token = run("create_api_token", "manager").strip()

    assert token.startswith("kpi_")
    assert user_for_bearer(f"Bearer {token}") == manager


def test_create_api_token_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        run("create_api_token", "ghost")
