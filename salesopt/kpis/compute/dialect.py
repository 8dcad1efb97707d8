"""The few SQL expressions that differ between PostgreSQL and SQLite.

PostgreSQL is the production database; SQLite is the zero-setup twin (`make run`). SQLite has no
time zones and no date_trunc, so it uses the functions Django registers on every SQLite
connection (`django_date_trunc`, `django_datetime_cast_date`: the ones behind `TruncMonth(...,
tzinfo=...)`), which are exact but run in Python per row: fine for the demo's 30,000 leads.

The zone name is written into the SQL as a literal (after checking it is a real zone) rather than
bound: the PostgreSQL statistics of the kpis migration are declared on the expression
`date_trunc('month', ts AT TIME ZONE '<zone>')`, and the planner only uses them for a query that
spells the same expression.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.db import connection

from ..catalog import Grain, PeriodGrain, Window

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def checked_zone(name: str) -> str:
    """`name` if it is an IANA zone safe to write into SQL; raises ValueError otherwise."""
    if not _ZONE_NAME.match(name):
        raise ValueError(f"not a time zone name: {name!r}")
    zoneinfo.ZoneInfo(name)
    return name


@dataclass(frozen=True)
class Dialect:
    vendor: str
    zone: str

    @classmethod
    def current(cls, zone: str) -> Dialect:
        return cls(connection.vendor, checked_zone(zone))

    @property
    def is_postgres(self) -> bool:
        return self.vendor == "postgresql"

    def month_of_timestamp(self, column: str) -> str:
        """The first day of the company-zone month of a timestamp column."""
        if self.is_postgres:
            # A timestamp, not a date: this is the spelling the expression statistics cover.
            return f"date_trunc('month', {column} AT TIME ZONE '{self.zone}')"
        return f"django_date_trunc('month', {column}, '{self.zone}', '{_connection_zone()}')"

    def month_of_date(self, column: str) -> str:
        return self.truncate(Grain.MONTH, column)

    def truncate(self, grain: Grain, column: str) -> str:
        """The first day of the `grain` period of a date (or a month from month_of_*)."""
        if self.is_postgres:
            return f"date_trunc('{grain.value}', ({column})::timestamp)"
        return f"django_date_trunc('{grain.value}', {column}, NULL, NULL)"

    def period_of_month(self, grain: PeriodGrain, month: str) -> str:
        """The start of the `grain` period holding a month (a window has one: its start)."""
        if isinstance(grain, Window):
            return self.date_literal(grain.start)
        return month if grain == Grain.MONTH else self.truncate(grain, month)

    def date_literal(self, day: dt.date) -> str:
        """A date as SQL: written by us from a date object, never from input."""
        iso = dt.date.isoformat(day)
        return f"DATE '{iso}'" if self.is_postgres else f"'{iso}'"

    def as_date(self, expression: str) -> str:
        """A period start as a date (PostgreSQL's date_trunc returns a timestamp)."""
        return f"({expression})::date" if self.is_postgres else expression

    def local_date(self, column: str) -> str:
        """The company-zone calendar date of a timestamp column."""
        if self.is_postgres:
            return f"({column} AT TIME ZONE '{self.zone}')::date"
        return f"django_datetime_cast_date({column}, '{self.zone}', '{_connection_zone()}')"

    def days_between_dates(self, later: str, earlier: str) -> str:
        if self.is_postgres:
            return f"(({later}) - ({earlier}))"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def hours_between(self, later: str, earlier: str) -> str:
        """Hours between two timestamps, as a float (exact to the millisecond on SQLite)."""
        if self.is_postgres:
            # date_part returns a float; EXTRACT a numeric, several times slower per row.
            return f"((date_part('epoch', {later}) - date_part('epoch', {earlier})) / 3600.0)"
        return f"(ROUND((julianday({later}) - julianday({earlier})) * 86400000.0) / 3600000.0)"

    def rounded(self, expression: str, places: int) -> str:
        """`expression` rounded to `places` decimals (PostgreSQL: as an exact numeric)."""
        if self.is_postgres:
            return f"ROUND(({expression})::numeric, {places})"
        return f"ROUND({expression}, {places})"

    def after(self, later: str, earlier: str) -> str:
        """Whether timestamp `later` comes strictly after `earlier` (SQLite's are text of
        varying precision: compared as day numbers, not as strings)."""
        if self.is_postgres:
            return f"({later} > {earlier})"
        return f"(julianday({later}) > julianday({earlier}))"

    def timestamp_parameter(self) -> str:
        """A placeholder for a bound timestamp that the functions above accept."""
        return "%s::timestamptz" if self.is_postgres else "%s"


def _connection_zone() -> str:
    """The zone SQLite's stored (naive) datetimes are in: UTC when USE_TZ is on."""
    return checked_zone(connection.timezone_name)
