"""Sorting strings by their bytes with integer keys (NumPy), for pools ordered by id.

Comparison sorts of millions of random strings cost seconds (polars, Arrow and NumPy alike
spend them in cache misses). Here each string is read as big-endian 64-bit integers, eight
bytes at a time (zero-padded): one integer sort orders the strings by their first eight bytes,
and only the rows still tied are sorted again on the next eight, then by length (a string
before its zero-padded extension). The result is the stable byte-lexicographic order, and
groups of equal strings (dense ranks).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def _key(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, offset: int) -> np.ndarray:
    """Bytes [offset, offset + 8) of each string as a big-endian integer (zero-padded); in place
    where it can, as it runs over every id of a corpus."""
    key = np.zeros(len(starts), np.uint64)
    at = starts + offset
    clipped = np.empty_like(at)
    for _ in range(8):
        np.minimum(at, len(data) - 1, out=clipped)
        byte = data[clipped]
        byte[at >= ends] = 0
        key <<= np.uint64(8)
        key |= byte
        at += 1
    return key


def _groups(keys: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Group number of each (sorted) position: a new group wherever the key or the previous
    group changes."""
    new = np.r_[True, keys[1:] != keys[:-1]]
    if previous is not None:
        new |= np.r_[True, previous[1:] != previous[:-1]]
    return np.cumsum(new)


def _tied(groups: np.ndarray) -> np.ndarray:
    """Positions whose group has more than one member."""
    same = groups[1:] == groups[:-1]
    return np.flatnonzero(np.r_[same, False] | np.r_[False, same])


def _buffers(strings: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strings' bytes, and where each starts and ends in them (a null as '')."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks() if strings.num_chunks else pa.array([], pa.large_string())
    strings = strings.cast(pa.large_string())
    strings = strings.fill_null("") if strings.null_count else strings
    n = len(strings)
    offsets = np.frombuffer(strings.buffers()[1], np.int64)[strings.offset : strings.offset + n + 1]
    data = strings.buffers()[2]
    data = np.frombuffer(data, np.uint8) if data is not None and data.size else np.zeros(1, np.uint8)
    return data, offsets[:-1], offsets[1:]


def string_order(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions of `strings` in stable byte-lexicographic order (a null sorts as '')."""
    return _sorted(*_buffers(strings))[0]


def string_ranks(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Each string's dense rank in byte-lexicographic order: equal strings, equal ranks (a null
    ranks as ''). Small integers stand for the strings in orders and counts of distinct ones."""
    order, groups = _sorted(*_buffers(strings))
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.cumsum(np.r_[False, groups[1:] != groups[:-1]]) if len(order) else ranks
    return ranks


def _sorted(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable byte order of the strings, and for each place in it a group: the same for
    equal strings, different otherwise."""
    keys = _key(data, starts, ends, 0)
    order = np.argsort(keys, kind="stable")
    groups = _groups(keys[order], None)
    offset = 8
    while len(tied := _tied(groups)):
        rows = order[tied]
        longest = int((ends[rows] - starts[rows]).max())
        last = offset >= longest  # every tied byte compared: a shorter string first
        keys = (
            (ends[rows] - starts[rows]).astype(np.uint64)
            if last
            else _key(data, starts[rows], ends[rows], offset)
        )
        within = np.lexsort((keys, groups[tied]))  # stable, so equal strings keep their order
        order[tied] = rows[within]
        groups[tied] = _groups(keys[within], groups[tied][within]) + groups.max()
        if last:
            break
        offset += 8
    return order, groups
