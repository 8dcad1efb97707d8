"""KPI writes: recompute snapshots (now, or after an import), compute a window's figures, and
issue API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from salesopt.core.periods import add_months, company_today

from .compute import RecomputeResult, recompute
from .compute.windows import compute_window, window_of
from .models import ApiToken
from .periods import parse_period
from .tokens import new_token

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The nightly recompute (and a recompute without --from) covers this many months up to the
# current one; the demo's history is 18 months.
DEFAULT_RECOMPUTE_MONTHS = 18


def recompute_months() -> int:
    return int(getattr(settings, "SALESOPT_KPI_RECOMPUTE_MONTHS", DEFAULT_RECOMPUTE_MONTHS))


def kpis_recompute(
    *, period_from: str | dt.date | None = None, period_to: str | dt.date | None = None
) -> RecomputeResult:
    """Rewrite every KPI snapshot of the calendar years spanning the range, in one transaction.

    `period_to` defaults to the current month, `period_from` to SALESOPT_KPI_RECOMPUTE_MONTHS
    (18) months before it. Raises ValidationError keyed by field on a malformed period.
    """
    last = _month(period_to, "period_to") if period_to else company_today().replace(day=1)
    first = (
        _month(period_from, "period_from")
        if period_from
        else add_months(last, -(recompute_months() - 1))
    )
    if first > last:
        raise ValidationError({"period_from": f"{first:%Y-%m} is after {last:%Y-%m}"})
    return recompute(first_month=first, last_month=last)


def _month(value: str | dt.date, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return parse_period(value).start
    except ValueError as error:
        raise ValidationError({field: str(error)}) from None


def window_figures_compute(*, first_day: dt.date, last_day: dt.date) -> int:
    """(Re)compute the figures of the whole months holding first_day … last_day (a program's
    diagnosis window, once it is set: its dashboard then reads them instead of computing)."""
    return compute_window(window_of(first_day, last_day))


def window_figures_compute_later(*, first_day: dt.date, last_day: dt.date) -> None:
    """`window_figures_compute` on the worker once the caller's transaction commits."""
    from .tasks import compute_window_task  # tasks import services: import at call time

    transaction.on_commit(
        partial(compute_window_task.delay, first_day.isoformat(), last_day.isoformat())
    )


def recompute_after_import(*, months: Iterable[dt.date]) -> None:
    """Queue a recompute of the months an import touched, once the import's transaction commits.

    Call it inside the import's transaction with the months of every date the changed rows
    carry (created, won, closed, ordered…). Nothing is queued for an empty list, and nothing at
    all if the transaction rolls back.
    """
    from .tasks import recompute_kpis_task  # tasks import services: import at call time

    for first, last in touched_spans(months):
        transaction.on_commit(partial(recompute_kpis_task.delay, f"{first:%Y-%m}", f"{last:%Y-%m}"))


def touched_spans(months: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The first and last touched month of each run of consecutive calendar years.

    A recompute covers whole years (a year's figures are computed from all of it), so one
    touched month in 2019 and a file of 2026 recompute 2019 and 2026, not the years between.
    """
    touched = sorted({month.replace(day=1) for month in months})
    spans: list[tuple[dt.date, dt.date]] = []
    for month in touched:
        if spans and month.year <= spans[-1][1].year + 1:
            spans[-1] = (spans[-1][0], month)
        else:
            spans.append((month, month))
    return spans


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """Store a new API token for `user` (its hash only) and return the token, shown once."""
    token, token_hash = new_token()
    ApiToken.objects.create(user=user, token_hash=token_hash, prefix=token[:12])
    return token
