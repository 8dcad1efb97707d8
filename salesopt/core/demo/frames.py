"""Column frames: a table as a dict of equally long numpy arrays, one per column.

Plain dicts rather than pandas: the generator needs nothing but masks and lookups, and object
arrays keep None as None (pandas 3 would turn missing strings into NaN).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

Frame = dict[str, np.ndarray]

# The smallest int64 marks a missing amount or a missing small integer.
NO_NUMBER = np.iinfo(np.int64).min


def select(frame: Frame, rows: np.ndarray) -> Frame:
    """The rows picked by a boolean mask or an index array, in every column."""
    return {name: values[rows] for name, values in frame.items()}


def concatenate(frames: Iterable[Frame]) -> Frame:
    frames = [frame for frame in frames if frame]
    if not frames:
        return {}
    return {name: np.concatenate([frame[name] for frame in frames]) for name in frames[0]}


def row_count(frame: Frame) -> int:
    return len(next(iter(frame.values()))) if frame else 0


def external_ids(prefix: str, keys: np.ndarray, suffixes: np.ndarray | None = None) -> np.ndarray:
    """`prefix-key` or `prefix-key-suffix` for each row, as an object array of str."""
    if suffixes is None:
        texts = [f"{prefix}-{key}" for key in keys.tolist()]
    else:
        texts = [
            f"{prefix}-{key}-{tail}"
            for key, tail in zip(keys.tolist(), suffixes.tolist(), strict=True)
        ]
    return np.array(texts, dtype=object)


def number_keys(numbers: np.ndarray) -> np.ndarray:
    """Zero-padded keys, so that external ids sort in creation order."""
    return np.array([f"{number:07d}" for number in numbers.tolist()], dtype=object)


def labels(keys: np.ndarray, make: Callable[..., str]) -> np.ndarray:
    """`make(*key)` for each row of the 2-d int array `keys`, called once per distinct key."""
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    texts = np.array([make(*row) for row in unique.tolist()], dtype=object)
    return texts[inverse.ravel()]


def normalised(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def group_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For `counts[i]` children of parent i: each child's parent and its 0-based position."""
    parents = np.repeat(np.arange(counts.size), counts)
    firsts = np.cumsum(counts) - counts
    positions = np.arange(parents.size) - np.repeat(firsts, counts)
    return parents, positions


def cumulative_within_groups(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running totals of `values` that restart at each group of `counts` rows."""
    running = np.cumsum(values)
    before = np.concatenate(([0.0], running))[np.cumsum(counts) - counts]
    return running - np.repeat(before, counts)
