"""Statement builders: `INSERT INTO <figures> … SELECT … GROUP BY` for one cut and grain.

Every family writes its figures into FIGURES_TABLE, a temporary table shaped like the snapshot
table; the recompute then replaces the slice of the snapshot table with it (__init__.py).

Every KPI row is written by the database from an aggregate; Python only assembles the SQL. All
identifiers and literals spliced into the SQL come from the catalog and the family modules (never
from input); values from outside (times, dates) are bound parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, transaction

from ..catalog import (
    DIMENSION_ORDER,
    METRICS,
    Cut,
    Dimension,
    Grain,
    PeriodGrain,
    Window,
    cut_label,
)
from ..models import ALL, ALL_GRADES, DIMENSION_COLUMNS
from .dialect import Dialect

SNAPSHOT_TABLE = "kpis_kpisnapshot"
# The figures of the running recompute, before they replace the snapshot table's slice.
FIGURES_TABLE = "kpis_work_figures"
SNAPSHOT_COLUMNS = (
    "metric, grain, period_start, cut, region_id, product_line_id, team_id, rep_id, grade, "
    "value, numerator, denominator, computed_at"
)
# The "all" sentinels of models.py as SQL literals.
_ALL_LITERALS: dict[Dimension, str] = dict.fromkeys(Dimension, str(ALL)) | {
    Dimension.GRADE: f"'{ALL_GRADES}'"
}
# Set for the recompute's transactions only (PostgreSQL):
TUNING = (
    # the sorts and hashes of a million leads fit in memory (the default 4 MB spills them);
    "SET LOCAL work_mem = '256MB'",
    # compiling the cube statements' expressions took longer than it saved (the lead cube
    # ran in 0.36 s without, 0.46 to 0.58 s with).
    "SET LOCAL jit = off",
)
T = TypeVar("T")
# Any fixed 64-bit number, the same in every process: pg_advisory_xact_lock(key) serialises
# recomputes and window computations.
ADVISORY_LOCK_KEY = 7_214_530_912_004_117
DIMENSION_LIST = ", ".join(DIMENSION_COLUMNS[dimension] for dimension in DIMENSION_ORDER)


@dataclass(frozen=True)
class Source:
    """Rows to aggregate: a FROM clause, each row's month, and where each dimension is.

    `dimensions` map to expressions that are NULL when a row has no value for that dimension
    (a lead without a region), so a cut leaves such rows out while the totals keep them.
    """

    from_sql: str
    month: str
    dimensions: Mapping[Dimension, str]
    where: str = "1 = 1"
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Measure:
    """One KPI from an aggregate: numerator ÷ denominator, or a total when there is none."""

    metric: str
    numerator: str
    denominator: str | None = None


@dataclass
class Context:
    """What every statement of one recompute shares: the range, the clock, the dialect."""

    dialect: Dialect
    start: dt.date  # first month computed
    end: dt.date  # first month after the range
    now: dt.datetime
    # The periods figures are computed in: month, quarter and year, or one window.
    grains: tuple[PeriodGrain, ...] = tuple(Grain)
    # Windows inside the range whose medians and repeat-customer shares are worked out from
    # the same in-memory reads as the calendar grains (PostgreSQL; see windows.py).
    windows: tuple[Window, ...] = ()
    rows_written: dict[str, int] = field(default_factory=dict)
    # A snapshot exported by the recompute's transaction (PostgreSQL, committed data only):
    # background work may read through it on a connection of its own.
    snapshot: str | None = None
    # Work on a thread (numpy; reads through `snapshot`) while the next statements run.
    _pending: list[Future[Any]] = field(default_factory=list, init=False, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    @property
    def in_memory_grains(self) -> tuple[PeriodGrain, ...]:
        """The periods of the figures worked out in memory (columnar.py): the grains, and the
        windows computed alongside."""
        return (*self.grains, *self.windows)

    @property
    def window(self) -> Window | None:
        """The window computed in, or None for the calendar grains."""
        return next((grain for grain in self.grains if isinstance(grain, Window)), None)

    def in_background(self, work: Callable[[], Any]) -> None:
        """Run `work` on a thread while the recompute goes on with its next statements (the
        database does those on its side; numpy releases the GIL). `work` must not touch the
        database: it returns figures to write (something with an `insert(context)`, or a list
        of them) that `write_pending` writes."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpis")
        self._pending.append(self._executor.submit(work))

    def read_in_background(self, read: Callable[[], T], work: Callable[[T], Any]) -> None:
        """`work(read())` on a thread, like `in_background`. With a `snapshot`, `read` runs
        there too, on a connection of its own that sees the same data: a single-process read
        (PostgreSQL 15 runs `string_agg` without parallel workers) then runs beside the next
        statements instead of before them. Without one, `read` runs here, now."""
        if self.snapshot is None:
            data = read()
            self.in_background(lambda: work(data))
            return
        snapshot = self.snapshot
        self.in_background(lambda: work(_read_on_snapshot(snapshot, read)))

    def write_pending(self) -> None:
        """Wait for the background work and write its figures, in the order it was started."""
        pending, self._pending = self._pending, []
        for future in pending:
            result = future.result()
            for figures in result if isinstance(result, list) else [result]:
                figures.insert(self)

    def close(self) -> None:
        """Stop the background thread (after an error: without waiting for queued work)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return max(int(cursor.rowcount), 0)

    def write(self, metric_keys: Sequence[str], sql: str, params: Sequence[Any] = ()) -> None:
        """Run an INSERT into the figures table and count its rows under its metrics."""
        written = self.execute(sql, params)
        label = ",".join(metric_keys)
        self.rows_written[label] = self.rows_written.get(label, 0) + written

    def computed_at(self) -> Any:
        return connection.ops.adapt_datetimefield_value(self.now)

    def date_param(self, day: dt.date) -> Any:
        return connection.ops.adapt_datefield_value(day)

    def time_param(self, moment: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)


# What pg_export_snapshot() returns, e.g. 00000003-0000001B-1 (checked: it is spliced into SQL).
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+(-[0-9A-F]+)+$")


def export_snapshot() -> str:
    """The current transaction's snapshot, for `read_in_background` (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot: str = cursor.fetchone()[0]
    if not _SNAPSHOT_ID.match(snapshot):
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    return snapshot


def _read_on_snapshot(snapshot: str, read: Callable[[], T]) -> T:
    """`read()` on this thread's own connection, in a read-only transaction that sees exactly
    what the exporting transaction saw when it exported `snapshot`. The connection is closed
    after: the thread's next job may run after the exporting transaction ended."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            for setting in TUNING:
                cursor.execute(setting)
            return read()
    finally:
        connection.close()


def dimension_selects(source: Source, cut: Cut) -> str:
    """The five snapshot dimension columns: the source's value when cut by it, else "all"."""
    parts = []
    for dimension in DIMENSION_ORDER:
        expression = source.dimensions[dimension] if dimension in cut else _ALL_LITERALS[dimension]
        parts.append(f"{expression} AS {DIMENSION_COLUMNS[dimension]}")
    return ", ".join(parts)


def present(source: Source, cut: Cut) -> str:
    return " AND ".join([f"({source.dimensions[d]}) IS NOT NULL" for d in cut] or ["1 = 1"])


def group_by(period: str, source: Source, cut: Cut) -> str:
    return ", ".join([period, *(source.dimensions[dimension] for dimension in cut)])


def ratio(numerator: str, denominator: str) -> str:
    """numerator ÷ denominator as a float, NULL when the denominator is 0 (shown as "—")."""
    return f"CASE WHEN {denominator} = 0 THEN NULL ELSE {numerator} * 1.0 / {denominator} END"


def insert_measures(
    context: Context, source: Source, cuts: Sequence[Cut], measures: Sequence[Measure]
) -> None:
    """One INSERT … SELECT writing every measure of `source` for each of `cuts` its KPI
    stores, in every grain: a GROUP BY per cut and grain, in one statement (a statement each
    cost more to send, plan and run than its work on a cube of a few thousand rows)."""
    dialect = context.dialect
    aggregates = []
    branches = []
    for index, measure in enumerate(measures):
        aggregates.append(f"{measure.numerator} AS n{index}")
        value, denominator = f"n{index}", "NULL"
        if measure.denominator:
            aggregates.append(f"{measure.denominator} AS d{index}")
            value, denominator = ratio(f"n{index}", f"d{index}"), f"d{index}"
        stored = [cut for cut in cuts if METRICS[measure.metric].stores(cut)]
        if stored:
            branches.append(
                f"SELECT '{measure.metric}', grain, period, cut, {DIMENSION_LIST}, {value}, "
                f"n{index}, {denominator}, %s FROM aggregated WHERE cut IN ({_labels(stored)})"
            )
    if not branches:
        return
    grouped = []
    for cut in cuts:
        for grain in context.grains:
            period = dialect.period_of_month(grain, source.month)
            grouped.append(
                f"SELECT '{cut_label(cut)}' AS cut, '{grain.value}' AS grain, "
                f"{dialect.as_date(period)} AS period, {dimension_selects(source, cut)}, "
                f"{', '.join(aggregates)} FROM {source.from_sql} "
                f"WHERE ({source.where}) AND {present(source, cut)} "
                f"GROUP BY {group_by(period, source, cut)}"
            )
    sql = (
        f"WITH aggregated AS ({' UNION ALL '.join(grouped)}) "
        f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) {' UNION ALL '.join(branches)}"
    )
    params = [*(source.params * len(grouped)), *([context.computed_at()] * len(branches))]
    context.write([measure.metric for measure in measures], sql, params)


def _labels(cuts: Sequence[Cut]) -> str:
    return ", ".join(f"'{cut_label(cut)}'" for cut in cuts)


def insert_medians(context: Context, source: Source, cut: Cut, metric: str, value: str) -> None:
    """Median (value), sum (numerator) and count (denominator) of `value`, for every grain."""
    if context.dialect.is_postgres and context.grains == tuple(Grain):
        _insert_medians_postgres(context, source, cut, metric, value)
        return
    # A window (one period) or SQLite: a median per period by ranking, one grain at a time.
    for grain in context.grains:
        _insert_medians_ranked(context, source, cut, grain, metric, value)


def insert_window_medians(
    context: Context, source: Source, cut: Cut, window: Window, metric: str, value: str
) -> None:
    """`insert_medians` for one window (`source` holding that window's rows only)."""
    _insert_medians_ranked(context, source, cut, window, metric, value)


def _insert_medians_postgres(
    context: Context, source: Source, cut: Cut, metric: str, value: str
) -> None:
    # One statement for the three grains: the grouping sets nest (year ⊃ quarter ⊃ month), so
    # PostgreSQL sorts the rows once per cut instead of once per grain.
    dialect = context.dialect
    keys = [DIMENSION_COLUMNS[dimension] for dimension in cut]
    sets = ", ".join(
        "(" + ", ".join([*periods, *keys]) + ")"
        for periods in (("y", "q", "m"), ("y", "q"), ("y",))
    )
    sql = (
        f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) "
        f"SELECT '{metric}', CASE GROUPING(q, m) WHEN 0 THEN 'month' WHEN 1 THEN 'quarter' "
        f"ELSE 'year' END, COALESCE(m, q, y)::date, '{cut_label(cut)}', "
        f"{_grouped_dimensions(cut)}, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY x), SUM(x), COUNT(x), %s "
        f"FROM (SELECT {source.month} AS m, {dialect.truncate(Grain.QUARTER, source.month)} AS q, "
        f"{dialect.truncate(Grain.YEAR, source.month)} AS y, "
        f"{dimension_selects(source, cut)}, {value} AS x FROM {source.from_sql} "
        f"WHERE ({source.where}) AND {present(source, cut)} AND ({value}) IS NOT NULL) AS measured "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    context.write([metric], sql, [context.computed_at(), *source.params])


def _grouped_dimensions(cut: Cut) -> str:
    """The dimension columns of a grouped query: grouped ones as they are, the others "all"."""
    return ", ".join(
        DIMENSION_COLUMNS[dimension] if dimension in cut else _ALL_LITERALS[dimension]
        for dimension in DIMENSION_ORDER
    )


def _insert_medians_ranked(
    context: Context, source: Source, cut: Cut, grain: PeriodGrain, metric: str, value: str
) -> None:
    # SQLite has no percentile function: rank the values within each group with window
    # functions and average the middle one (odd count) or two (even count), which is what
    # PostgreSQL's percentile_cont(0.5) gives.
    period = context.dialect.period_of_month(grain, source.month)
    partition = group_by(period, source, cut)
    keys = ", ".join(["period", *(DIMENSION_COLUMNS[dimension] for dimension in cut)])
    sql = (
        f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) "
        f"SELECT '{metric}', '{grain.value}', period, '{cut_label(cut)}', "
        f"{_grouped_dimensions(cut)}, "
        "AVG(CASE WHEN position IN ((total + 1) / 2, (total + 2) / 2) THEN x END), "
        "SUM(x), COUNT(x), %s "
        f"FROM (SELECT {period} AS period, {dimension_selects(source, cut)}, {value} AS x, "
        f"ROW_NUMBER() OVER (PARTITION BY {partition} ORDER BY {value}) AS position, "
        f"COUNT(*) OVER (PARTITION BY {partition}) AS total FROM {source.from_sql} "
        f"WHERE ({source.where}) AND {present(source, cut)} AND ({value}) IS NOT NULL) AS measured "
        f"GROUP BY {keys}"
    )
    context.write([metric], sql, [context.computed_at(), *source.params])


def insert_joined_ratio(
    context: Context,
    *,
    metric: str,
    cuts: Sequence[Cut],
    numerators: Callable[[Cut, PeriodGrain], tuple[str, Sequence[Any]]],
    denominators: Callable[[Cut, PeriodGrain], tuple[str, Sequence[Any]]],
) -> None:
    """numerator ÷ denominator where the two come from different queries, for every cut and
    grain in one statement.

    Each query (of a cut and grain) yields `cut, grain, period, region_id, product_line_id,
    team_id, rep_id, grade, amount`; a period and scope present in either gets a row (a month
    with revenue but no target has a row with value NULL; one with a target but no revenue has
    attainment 0).
    """
    numerator_sql, numerator_params = _every_cut_and_grain(numerators, cuts, context.grains)
    denominator_sql, denominator_params = _every_cut_and_grain(denominators, cuts, context.grains)
    sql = (
        f"WITH numerators AS ({numerator_sql}), denominators AS ({denominator_sql}), "
        f"keys AS (SELECT cut, grain, period, {DIMENSION_LIST} FROM numerators "
        f"UNION SELECT cut, grain, period, {DIMENSION_LIST} FROM denominators) "
        f"INSERT INTO {FIGURES_TABLE} ({SNAPSHOT_COLUMNS}) "
        f"SELECT '{metric}', k.grain, k.period, k.cut, "
        "k.region_id, k.product_line_id, k.team_id, k.rep_id, k.grade, "
        f"{ratio('COALESCE(n.amount, 0)', 'COALESCE(d.amount, 0)')}, "
        "COALESCE(n.amount, 0), COALESCE(d.amount, 0), %s FROM keys AS k "
        f"LEFT JOIN numerators AS n ON {_same_key('n')} "
        f"LEFT JOIN denominators AS d ON {_same_key('d')}"
    )
    context.write([metric], sql, [*numerator_params, *denominator_params, context.computed_at()])


def _every_cut_and_grain(
    query: Callable[[Cut, PeriodGrain], tuple[str, Sequence[Any]]],
    cuts: Sequence[Cut],
    grains: Sequence[PeriodGrain],
) -> tuple[str, list[Any]]:
    parts = [query(cut, grain) for cut in cuts for grain in grains]
    return " UNION ALL ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def _same_key(alias: str) -> str:
    columns = ("cut", "grain", "period", *DIMENSION_COLUMNS.values())
    return " AND ".join(f"k.{column} = {alias}.{column}" for column in columns)


def aggregate_query(
    dialect: Dialect, source: Source, cut: Cut, grain: PeriodGrain, amount: str
) -> tuple[str, Sequence[Any]]:
    """`cut, grain, period, <five dimension columns>, amount` of `source` for a cut and grain."""
    period = dialect.period_of_month(grain, source.month)
    sql = (
        f"SELECT '{cut_label(cut)}' AS cut, '{grain.value}' AS grain, "
        f"{dialect.as_date(period)} AS period, "
        f"{dimension_selects(source, cut)}, {amount} AS amount "
        f"FROM {source.from_sql} WHERE ({source.where}) AND {present(source, cut)} "
        f"GROUP BY {group_by(period, source, cut)}"
    )
    return sql, source.params


def create_work_table(context: Context, name: str, select_sql: str, params: Sequence[Any]) -> None:
    """A temporary table private to this connection, filled from `select_sql`.

    It is dropped first in case an earlier recompute on this connection failed half-way, and on
    PostgreSQL again at commit, whatever happens in between.
    """
    context.execute(f"DROP TABLE IF EXISTS {name}")
    on_commit = " ON COMMIT DROP" if context.dialect.is_postgres else ""
    context.execute(f"CREATE TEMPORARY TABLE {name}{on_commit} AS {select_sql}", params)


def drop_work_table(context: Context, name: str) -> None:
    context.execute(f"DROP TABLE IF EXISTS {name}")
