"""A re-grade's live progress, kept in the cache: the page polls it while the re-grade's own
transaction is still open (what it writes is invisible to the page until it commits)."""

from __future__ import annotations

from django.core.cache import cache

_TTL_SECONDS = 6 * 60 * 60


def _key(regrade_id: int) -> str:
    return f"leads:regrade:{regrade_id}"


def report(regrade_id: int, *, done: int, total: int) -> None:
    cache.set(_key(regrade_id), (done, total), _TTL_SECONDS)


def read(regrade_id: int) -> tuple[int, int] | None:
    stored = cache.get(_key(regrade_id))
    return (int(stored[0]), int(stored[1])) if stored else None


def clear(regrade_id: int) -> None:
    cache.delete(_key(regrade_id))
