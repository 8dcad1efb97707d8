"""Group-count statistics for the order and deal cubes, as 0002 declared them for leads.

Without them PostgreSQL guesses a group per hundred rows or so (212,000 groups for 1,272 real
ones in the deal cube) and plans one process to hash them all; with them it splits the
scan across parallel workers. The month expressions are spelled as the compute statements
spell them (orders: a date; deals: closing time in the company's zone).
"""

import re

from django.conf import settings
from django.db import migrations


def statistics(zone: str) -> list[tuple[str, str, str, list[str]]]:
    """(statistics name, table, month expression, the columns grouped with that month)"""
    return [
        ("kpis_order_month", "core_order", "date_trunc('month', (ordered_on)::timestamp)",
         ["region_id", "product_line_id", "rep_id"]),
        ("kpis_opportunity_month", "core_opportunity",
         f"date_trunc('month', closed_at AT TIME ZONE '{zone}')",
         ["region_id", "product_line_id", "owner_id", "stage"]),
    ]  # fmt: skip


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    zone = settings.SALESOPT_COMPANY_TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise ValueError(f"not a time zone name: {zone!r}")
    for name, table, month, grouped in statistics(zone):
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} (ndistinct) "
            f"ON ({month}), {', '.join(grouped)} FROM {table}"
        )
        schema_editor.execute(f"ANALYZE {table}")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in statistics("UTC"):
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_month_statistics"),
    ]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
