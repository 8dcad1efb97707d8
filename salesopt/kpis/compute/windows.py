"""Window figures: the KPIs that do not add up from months, over a run of whole months.

A diagnosis window's median first response is the median of the window's answered leads, not
the median of its monthly medians; its repurchase rate counts a customer who bought in January
and in March once. So these KPIs (rollup MEDIAN or DISTINCT) are computed from the window's own
rows, by the same family code as the calendar grains, in a grain of one period: the window
(catalog.Window). Additive KPIs need no window figures: their months add up (selectors).

Which windows are kept: every program's diagnosis window, refreshed by each recompute; any other
window (a range narrowed on the dashboard) is computed the first time it is read
(`ensure_window`) and dropped by the next recompute, so a stored window figure is never older
than the monthly snapshots beside it. Every recompute, not only an overlapping one: ramp-up
cohorts change with a win in any later month.

Inside a recompute on PostgreSQL, a program window within the recomputed years is worked out
from the recompute's own in-memory reads and ramp-up table (`Context.windows`: a few numpy
groupings more), and only its complaint rate runs as SQL over the window; computed on its own,
a window reads its rows again (0.8 s for a year of 840k leads, a third of a recompute).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from salesopt.core.models import Program
from salesopt.core.periods import add_months

from ..catalog import METRICS, Window
from ..models import DIMENSION_COLUMNS, KpiWindow, KpiWindowFigure
from .complaints import compute_complaint_rate, compute_complaint_response_medians
from .dialect import Dialect
from .leads import compute_lead_medians
from .orders import compute_repurchase
from .people import compute_ramp_up
from .statements import (
    ADVISORY_LOCK_KEY,
    FIGURES_TABLE,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_TABLE,
    TUNING,
    Context,
    create_work_table,
    drop_work_table,
)

WINDOW_TABLE = KpiWindowFigure._meta.db_table
WINDOW_METRICS = tuple(key for key, metric in METRICS.items() if not metric.rollup.is_additive)
# Repurchase before complaints: the complaint rate reads the repurchase rate's denominators.
WINDOW_FAMILIES: tuple[Callable[[Context], None], ...] = (
    compute_lead_medians,
    compute_repurchase,
    compute_complaint_rate,
    compute_complaint_response_medians,
    compute_ramp_up,
)
# What a window computed alongside a recompute still needs (the rest came from its reads and
# its ramp-up work table).
ALONGSIDE_REMAINDER: tuple[Callable[[Context], None], ...] = (compute_complaint_rate,)
_FIGURE_COLUMNS = (
    "metric, cut, " + ", ".join(DIMENSION_COLUMNS.values()) + ", value, numerator, denominator, "
    "computed_at"
)


def window_of(first_day: dt.date, last_day: dt.date) -> Window:
    """The whole months holding `first_day` … `last_day` (both included)."""
    return Window(first_day.replace(day=1), add_months(last_day.replace(day=1), 1))


def program_windows() -> list[Window]:
    """The diagnosis window of every program, each once."""
    bounds = Program.objects.values_list("baseline_start", "baseline_end").distinct()
    return list(dict.fromkeys(window_of(first, last) for first, last in bounds))


def ensure_window(window: Window) -> None:
    """Compute the window's figures unless they are stored (a first read of a new range)."""
    if _is_stored(window):
        return
    with transaction.atomic():
        _lock()
        if not _is_stored(window):  # another request may have computed it while we waited
            _compute(window)


def compute_window(window: Window) -> int:
    """(Re)compute one window's figures; returns how many were written."""
    with transaction.atomic():
        _lock()
        return _compute(window)


def alongside(dialect: Dialect, start: dt.date, end: dt.date) -> tuple[Window, ...]:
    """The program windows a recompute of [start, end) works out from its own reads: those
    inside the range, one per first month (the work table keys a window by its start)."""
    if not dialect.is_postgres:
        return ()
    inside = [window for window in program_windows() if start <= window.start and window.end <= end]
    return tuple({window.start: window for window in reversed(inside)}.values())


def store_alongside(context: Context) -> None:
    """In a recompute, before its figures replace the snapshots: drop every stored window, then
    complete and store the windows computed alongside (`context.windows`), whose rows leave the
    figures table."""
    with connection.cursor() as cursor:
        # Plain deletes: the ORM's cascade would load every figure first.
        cursor.execute(f"DELETE FROM {WINDOW_TABLE}")
        cursor.execute(f"DELETE FROM {KpiWindow._meta.db_table}")
    for window in context.windows:
        in_window = replace(
            context, start=window.start, end=window.end, grains=(window,), windows=(), snapshot=None
        )
        for family in ALONGSIDE_REMAINDER:
            family(in_window)
        _store(in_window, window)
    context.execute(f"DELETE FROM {FIGURES_TABLE} WHERE grain = %s", [Window.value])


def compute_remaining(context: Context) -> None:
    """In a recompute, after it replaced the snapshots: the program windows not computed
    alongside it, each from its own rows."""
    for window in program_windows():
        if window not in context.windows:
            _compute(window)


def _is_stored(window: Window) -> bool:
    return KpiWindow.objects.filter(start=window.start, end=window.end).exists()


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _compute(window: Window) -> int:
    """The window's figures into the figures work table, then in place of its stored ones."""
    context = Context(
        dialect=Dialect.current(settings.SALESOPT_COMPANY_TIME_ZONE),
        start=window.start,
        end=window.end,
        now=timezone.now(),
        grains=(window,),
    )
    if context.dialect.is_postgres:
        for setting in TUNING:
            context.execute(setting)
    create_work_table(
        context, FIGURES_TABLE, f"SELECT {SNAPSHOT_COLUMNS} FROM {SNAPSHOT_TABLE} WHERE 1 = 0", []
    )
    try:
        for family in WINDOW_FAMILIES:
            family(context)
        context.write_pending()
    finally:
        context.close()
    written = _store(context, window)
    drop_work_table(context, FIGURES_TABLE)
    return written


def _store(context: Context, window: Window) -> int:
    """The window's rows of the figures table in place of its stored figures."""
    stored, _created = KpiWindow.objects.update_or_create(
        start=window.start, end=window.end, defaults={"computed_at": context.now}
    )
    context.execute(f"DELETE FROM {WINDOW_TABLE} WHERE window_id = %s", [stored.pk])
    return context.execute(
        f"INSERT INTO {WINDOW_TABLE} (window_id, {_FIGURE_COLUMNS}) "
        f"SELECT %s, {_FIGURE_COLUMNS} FROM {FIGURES_TABLE} "
        f"WHERE grain = %s AND period_start = %s "
        f"AND metric IN ({', '.join(['%s'] * len(WINDOW_METRICS))})",
        [stored.pk, Window.value, context.date_param(window.start), *WINDOW_METRICS],
    )
