"""Medians and distinct counts from one binary read of plain columns (PostgreSQL only).

Two kinds of KPI do not add up from a cube: medians need every value, and distinct counts
(repurchase: customers with two orders or more) need every customer. In SQL each cut and grain is
then a sort or a hash of every row: `percentile_cont` over grouping sets took about five seconds
for a million leads, and the fifteen repurchase GROUP BYs 2.6 s for 180k orders. Here the rows are
read once, grouped in SQL by their dimensions (missing ones as -1) with each other column as one
binary string per group (fixed-width values, never NULL): a few thousand result rows instead of a
million, decoded by numpy without a Python object per value. Each cut and grain is then a
vectorised numpy grouping of small integer keys; no Python loop runs over the rows. Times travel
as they are stored: converting each to a company-zone month in SQL cost more per row than the
read itself, so pandas converts them in bulk (the same IANA zone rules).

Medians are the figures `percentile_cont(0.5)` gives, bit for bit: the middle value for an odd
count, `lower + 0.5 × (upper − lower)` (PostgreSQL's interpolation) for an even one; the
numerator is the group's sum and the denominator its count, as in statements.insert_medians.
Hours between two times are PostgreSQL's `date_part('epoch', …)` difference ÷ 3600, computed the
same way (dialect.hours_between).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from django.db import connection

from ..catalog import DIMENSION_ORDER, Cut, Dimension, Grain, PeriodGrain, Window, cut_label
from ..models import ALL, ALL_GRADES, DIMENSION_COLUMNS
from .statements import FIGURES_TABLE, SNAPSHOT_COLUMNS, Context, ratio

# A missing dimension value in the copied rows (ids are positive, grades are letter codes).
MISSING = -1


@dataclass(frozen=True)
class BinaryType:
    """A fixed-width column type: the function giving its binary form, and numpy's reading."""

    send: str
    dtype: str  # network byte order


TIMESTAMPTZ = BinaryType("timestamptz_send", ">i8")
DATE = BinaryType("date_send", ">i4")
INT8 = BinaryType("int8send", ">i8")
# Timestamps travel as microseconds since 2000-01-01 UTC, dates as days since 2000-01-01.
_POSTGRES_EPOCH_MICROSECONDS = 946_684_800_000_000
_POSTGRES_EPOCH_DAYS = 10_957
_GRAIN_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}
_FIGURE_COLUMNS = ("grain", "period", "cut", *DIMENSION_COLUMNS.values(), "value", "sum", "count")


def dimension_columns(expressions: dict[Dimension, str]) -> list[str]:
    """`read_grouped` keys for the dimensions a source has, as int8 named like the snapshot's.

    A grade (a one-letter code) travels as its character code.
    """
    items = []
    for dimension, expression in expressions.items():
        code = f"ascii(NULLIF({expression}, ''))" if dimension == Dimension.GRADE else expression
        items.append(f"COALESCE(({code})::int8, {MISSING}) AS {DIMENSION_COLUMNS[dimension]}")
    return items


@dataclass(frozen=True)
class Subset:
    """The rows of a grouped read that match `where` (SQL, binding `params`), as `values`."""

    where: str
    values: Sequence[tuple[str, BinaryType]]
    params: Sequence[Any] = ()


def read_grouped(
    keys: Sequence[str],
    values: Sequence[tuple[str, BinaryType]],
    from_where: str,
    params: Sequence[Any],
) -> dict[str, np.ndarray]:
    """One array per column of `SELECT <keys>, <values> <from_where>`, one element per row.

    `keys` are int8 items (`sql AS name`); `values` are `(sql AS name, type)`, of a fixed-width
    type (TIMESTAMPTZ, DATE, INT8), never NULL. The rows travel grouped by their keys, each
    value column as one binary string per group (the values' binary forms end to end): a few
    thousand rows on the wire instead of a million (each row of a result costs more to send
    and receive than its bytes). `string_agg` of bytes cost less than `array_agg` here.
    """
    return read_grouped_subsets(keys, {"rows": Subset("", values)}, from_where, params)["rows"]


def read_grouped_subsets(
    keys: Sequence[str],
    subsets: dict[str, Subset],
    from_where: str,
    params: Sequence[Any],
) -> dict[str, dict[str, np.ndarray]]:
    """`read_grouped` of several subsets of the same rows in one pass: each subset's columns
    hold only its rows (a subset's `where` is a FILTER; an empty one takes every row)."""
    aggregates: list[str] = []
    select_params: list[Any] = []
    for subset in subsets.values():
        only = f" FILTER (WHERE {subset.where})" if subset.where else ""
        for sql, kind in subset.values:
            expression = sql.rsplit(" AS ", 1)[0]
            aggregates.append(f"string_agg({kind.send}({expression}), ''::bytea){only}")
            select_params += subset.params
    query = (
        f"SELECT {', '.join([*keys, *aggregates])} {from_where} "
        f"GROUP BY {', '.join(str(position + 1) for position in range(len(keys)))}"
    )
    # Django's cursors bind on the client, which returns text; the strings come back binary.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(query, [*select_params, *params], binary=True)
        groups = cursor.fetchall()
    key_values = [
        np.array([group[i] for group in groups], dtype=np.int64) for i in range(len(keys))
    ]
    read: dict[str, dict[str, np.ndarray]] = {}
    position = len(keys)
    for name, subset in subsets.items():
        columns: dict[str, np.ndarray] = {}
        for sql, kind in subset.values:
            parts = [group[position] or b"" for group in groups]  # NULL: no row of the subset
            columns[_alias(sql)] = np.frombuffer(b"".join(parts), kind.dtype).astype(np.int64)
            if len(columns) == 1:
                width = np.dtype(kind.dtype).itemsize
                sizes = np.array([len(part) // width for part in parts], dtype=np.int64)
            position += 1
        for item, values_of_groups in zip(keys, key_values, strict=True):
            columns[_alias(item)] = np.repeat(values_of_groups, sizes)
        read[name] = columns
    return read


def teams_of(reps: np.ndarray) -> np.ndarray:
    """Each rep's team as their profile says today (MISSING for none), as `core.access` has it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, team_id FROM core_profile WHERE team_id IS NOT NULL")
        pairs = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    if not pairs.size:
        return np.full(reps.size, MISSING, dtype=np.int64)
    pairs = pairs[np.argsort(pairs[:, 0])]
    users, teams = pairs[:, 0], pairs[:, 1]
    found = np.searchsorted(users, reps).clip(max=users.size - 1)
    return np.where(users[found] == reps, teams[found], MISSING)


def _alias(item: str) -> str:
    return item.rsplit(" AS ", 1)[1]


def months_of_timestamps(microseconds: np.ndarray, zone: str) -> np.ndarray:
    """Month ordinals (year × 12 + month − 1) of the company-zone dates of binary timestamps."""
    moments = pd.DatetimeIndex(
        (microseconds + _POSTGRES_EPOCH_MICROSECONDS).astype("datetime64[us]"), tz="UTC"
    ).tz_convert(zone)
    months: np.ndarray = (
        (moments.year.to_numpy(np.int64) * 12) + moments.month.to_numpy(np.int64) - 1
    )
    return months


def months_of_dates(days: np.ndarray) -> np.ndarray:
    """Month ordinals of binary dates (days since 2000-01-01)."""
    months = (days + _POSTGRES_EPOCH_DAYS).astype("datetime64[D]").astype("datetime64[M]")
    return months.astype(np.int64) + 1970 * 12


def hours_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """dialect.hours_between on binary timestamps: date_part('epoch') difference ÷ 3600.0."""
    later_seconds = (later + _POSTGRES_EPOCH_MICROSECONDS) / 1_000_000.0
    earlier_seconds = (earlier + _POSTGRES_EPOCH_MICROSECONDS) / 1_000_000.0
    return (later_seconds - earlier_seconds) / 3600.0


class Figures:
    """Snapshot rows of one metric, gathered as columns and written in one INSERT."""

    def __init__(self, metric: str) -> None:
        self.metric = metric
        self.columns: dict[str, list[Any]] = {name: [] for name in _FIGURE_COLUMNS}

    def add_medians(
        self,
        cuts: Sequence[Cut],
        months: np.ndarray,
        dimensions: dict[str, np.ndarray],
        values: np.ndarray,
        grains: Sequence[PeriodGrain],
    ) -> None:
        """Median, sum and count of `values` per period and cut value, every cut and grain."""
        ascending = np.argsort(values, kind="stable")  # once: the masks below keep the order
        values, months = values[ascending], months[ascending]
        dimensions = {name: column[ascending] for name, column in dimensions.items()}
        for cut in cuts:
            keep = _present(cut, dimensions, values.size)
            all_values, all_months = values[keep], months[keep]
            all_columns = [dimensions[DIMENSION_COLUMNS[d]][keep] for d in cut]
            for grain in grains:
                cut_months, (cut_values, *cut_columns) = _within(
                    grain, all_months, [all_values, *all_columns]
                )
                periods = _period_codes(grain, cut_months)
                # A stable sort of the group codes keeps each group's values ascending.
                codes = group_codes([periods, *cut_columns])
                grouped = np.argsort(_narrow(codes), kind="stable")
                starts, counts = _runs(codes[grouped])
                grouped_values = cut_values[grouped]
                lower = grouped_values[starts + (counts - 1) // 2]
                upper = grouped_values[starts + counts // 2]
                self._append(
                    cut,
                    grain,
                    periods,
                    cut_columns,
                    firsts=grouped[starts],
                    values=lower + 0.5 * (upper - lower),
                    sums=np.add.reduceat(grouped_values, starts) if starts.size else lower,
                    counts=counts,
                )

    def add_repeat_shares(
        self,
        cuts: Sequence[Cut],
        months: np.ndarray,
        dimensions: dict[str, np.ndarray],
        customers: np.ndarray,
        grains: Sequence[PeriodGrain],
    ) -> None:
        """Per period and cut value: customers with 2+ rows ÷ customers with 1+ (a row per
        purchase), every cut and grain."""
        customer_codes = np.unique(customers, return_inverse=True)[1].astype(np.int64)
        for cut in cuts:
            keep = _present(cut, dimensions, customers.size)
            all_months, all_customers = months[keep], customer_codes[keep]
            all_columns = [dimensions[DIMENSION_COLUMNS[d]][keep] for d in cut]
            for grain in grains:
                cut_months, (cut_customers, *cut_columns) = _within(
                    grain, all_months, [all_customers, *all_columns]
                )
                periods = _period_codes(grain, cut_months)
                groups = group_codes([periods, *cut_columns])
                pairs = group_codes([groups, cut_customers])
                _pairs, pair_rows, purchases = np.unique(
                    pairs, return_index=True, return_counts=True
                )
                # Ascending: a pair's code leads with its group's.
                starts, customer_counts = _runs(groups[pair_rows])
                repeaters = (
                    np.add.reduceat((purchases >= 2).astype(np.int64), starts)
                    if starts.size
                    else starts
                )
                self._append(
                    cut,
                    grain,
                    periods,
                    cut_columns,
                    firsts=pair_rows[starts],
                    values=None,  # the ratio, worked out in SQL as every ratio is
                    sums=repeaters,
                    counts=customer_counts,
                )

    def _append(
        self,
        cut: Cut,
        grain: PeriodGrain,
        periods: np.ndarray,
        cut_columns: list[np.ndarray],
        *,
        firsts: np.ndarray,
        values: np.ndarray | None,
        sums: np.ndarray,
        counts: np.ndarray,
    ) -> None:
        """One figure per group; `firsts` is a row of each group (for its period and cut).

        `values` None: the value is sum ÷ count, as statements.ratio computes it.
        """
        size = firsts.size
        columns = self.columns
        columns["grain"] += [grain.value] * size
        columns["period"] += _period_starts(grain, periods[firsts])
        columns["cut"] += [cut_label(cut)] * size
        by_dimension = dict(zip(cut, cut_columns, strict=True))
        for dimension in DIMENSION_ORDER:
            name = DIMENSION_COLUMNS[dimension]
            if dimension not in cut:
                columns[name] += [ALL_GRADES if dimension == Dimension.GRADE else ALL] * size
            elif dimension == Dimension.GRADE:
                columns[name] += [chr(code) for code in by_dimension[dimension][firsts].tolist()]
            else:
                columns[name] += by_dimension[dimension][firsts].tolist()
        columns["value"] += [None] * size if values is None else values.tolist()
        columns["sum"] += sums.tolist()
        columns["count"] += counts.tolist()

    def insert(self, context: Context) -> None:
        if not self.columns["count"]:
            return
        sql = (
            f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) "
            f"SELECT '{self.metric}', f.grain, f.period, f.cut, f.region_id, f.product_line_id, "
            "f.team_id, f.rep_id, f.grade, "
            f"COALESCE(f.value, {ratio('f.total::numeric', 'f.count')}), f.total, f.count, %s "
            "FROM unnest(%s::text[], %s::date[], %s::text[], %s::int8[], %s::int8[], "
            "%s::int8[], %s::int8[], %s::text[], %s::float8[], %s::float8[], %s::int8[]) "
            "AS f(grain, period, cut, region_id, product_line_id, team_id, rep_id, grade, value, "
            "total, count)"
        )
        params = [context.computed_at(), *(self.columns[name] for name in _FIGURE_COLUMNS)]
        context.write([self.metric], sql, params)


def _within(
    grain: PeriodGrain, months: np.ndarray, columns: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rows of a window's months (month ordinals) in each column; every row for a calendar
    grain. Masking keeps the rows' order (values stay ascending)."""
    if not isinstance(grain, Window):
        return months, columns
    first = grain.start.year * 12 + grain.start.month - 1
    after = grain.end.year * 12 + grain.end.month - 1
    inside = (months >= first) & (months < after)
    return months[inside], [column[inside] for column in columns]


def _period_codes(grain: PeriodGrain, months: np.ndarray) -> np.ndarray:
    """Each row's period as a number: months since year 0 ÷ the grain's length, or 0 for the
    one period of a window (its rows only are passed)."""
    if isinstance(grain, Window):
        return np.zeros_like(months)
    return months // _GRAIN_MONTHS[grain]


def _period_starts(grain: PeriodGrain, codes: np.ndarray) -> list[dt.date]:
    if isinstance(grain, Window):
        return [grain.start] * codes.size
    first_months = (codes * _GRAIN_MONTHS[grain]).tolist()
    return [dt.date(month // 12, month % 12 + 1, 1) for month in first_months]


def group_codes(keys: Sequence[np.ndarray]) -> np.ndarray:
    """One int64 per row, equal for rows with equal keys, ordered as the keys are (lexically)."""
    codes = np.zeros(keys[0].size if keys else 0, dtype=np.int64)
    span = 1
    for key in keys:
        if key.size == 0:
            return codes
        low = int(key.min())
        size = int(key.max()) - low + 1
        if span * size >= 2**62:  # far more groups than any company has: dense codes instead
            codes = np.unique(codes, return_inverse=True)[1].astype(np.int64)
            span = int(codes.max()) + 1
            if span * size >= 2**62:
                key = np.unique(key, return_inverse=True)[1].astype(np.int64)
                low, size = 0, int(key.max()) + 1
        codes = codes * size + (key - low)
        span *= size
    return codes


def _narrow(codes: np.ndarray) -> np.ndarray:
    """The codes in the narrowest type that holds them: numpy sorts 16-bit keys by radix."""
    if codes.size and codes.min() >= 0 and codes.max() < 2**16:
        return codes.astype(np.uint16)
    return codes


def _runs(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values."""
    if sorted_codes.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_codes[1:] != sorted_codes[:-1])))
    return starts, np.diff(np.append(starts, sorted_codes.size))


def _present(cut: Cut, dimensions: dict[str, np.ndarray], size: int) -> np.ndarray:
    """Rows that have a value for every dimension of the cut (a cut leaves the others out)."""
    keep = np.ones(size, dtype=bool)
    for dimension in cut:
        column = dimensions.get(DIMENSION_COLUMNS[dimension])
        keep &= column != MISSING if column is not None else False
    return keep
