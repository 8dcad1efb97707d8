"""Live progress of an import, kept in the cache so the page sees it while the import's own
transaction is still open (rows written inside it are invisible until it commits)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

_TTL_SECONDS = 24 * 60 * 60


def _key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


@dataclass(frozen=True)
class Progress:
    rows_done: int
    rows_total: int
    started: float  # time.time() of the start

    @property
    def fraction(self) -> float:
        if not self.rows_total:
            return 0.0
        return min(1.0, self.rows_done / self.rows_total)

    @property
    def seconds_left(self) -> float | None:
        """From the rate so far; None until there is a rate to go on."""
        elapsed = time.time() - self.started
        if self.rows_done <= 0 or elapsed <= 0:
            return None
        rate = self.rows_done / elapsed
        return max(0.0, (self.rows_total - self.rows_done) / rate)


def start(run_id: int, *, rows_total: int) -> None:
    cache.set(_key(run_id), (0, rows_total, time.time()), _TTL_SECONDS)


def advance(run_id: int, *, rows_done: int) -> None:
    _, total, started = cache.get(_key(run_id)) or (0, rows_done, time.time())
    cache.set(_key(run_id), (rows_done, max(total, rows_done), started), _TTL_SECONDS)


def read(run_id: int) -> Progress | None:
    stored = cache.get(_key(run_id))
    return Progress(*stored) if stored else None


def clear(run_id: int) -> None:
    cache.delete(_key(run_id))
