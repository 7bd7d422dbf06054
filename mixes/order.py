"""Sorting strings by their bytes with integer keys (NumPy), for pools ordered by id.

Comparison sorts of millions of random strings cost seconds (polars, Arrow and NumPy alike
spend them in cache misses). Here each string is read as big-endian 64-bit integers, eight
bytes at a time (zero-padded): one integer sort orders the strings by their first eight bytes,
and only the rows still tied are sorted again on the next eight, then by length (a string
before its zero-padded extension). The result is the stable byte-lexicographic order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def _key(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, offset: int) -> np.ndarray:
    """Bytes [offset, offset + 8) of each string as a big-endian integer (zero-padded)."""
    key = np.zeros(len(starts), np.uint64)
    for j in range(8):
        at = starts + (offset + j)
        byte = data[np.minimum(at, len(data) - 1)].astype(np.uint64)
        key |= np.where(at < ends, byte, 0).astype(np.uint64) << np.uint64(56 - 8 * j)
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


def string_order(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions of `strings` in stable byte-lexicographic order (a null sorts as '')."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks() if strings.num_chunks else pa.array([], pa.large_string())
    strings = strings.cast(pa.large_string()).fill_null("")
    n = len(strings)
    offsets = np.frombuffer(strings.buffers()[1], np.int64)[strings.offset : strings.offset + n + 1]
    data = strings.buffers()[2]
    data = np.frombuffer(data, np.uint8) if data is not None and data.size else np.zeros(1, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
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
        if last:
            break
        groups[tied] = _groups(keys[within], groups[tied][within]) + groups.max()
        offset += 8
    return order
