"""Shards of an export: their schema, and where rows go (row groups and shards cut by estimated
sizes before any text is read, so tasks can write them in parallel)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

EXPORT_SCHEMA = pa.schema(
    [
        ("text", pa.large_string()),
        ("id", pa.string()),
        ("source", pa.string()),
        ("uri", pa.string()),
        ("license", pa.string()),
        ("lang", pa.string()),
        ("kind", pa.string()),
        ("parent_id", pa.string()),
        ("component", pa.string()),
    ]
)
SHARD_GLOB = "part-*.parquet"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cut(sizes: np.ndarray, limit: float) -> np.ndarray:
    """Start of each group of consecutive items: an item starts a new group when the sizes
    before it cross a multiple of `limit` (groups of about `limit`, at least one item each).
    Empty input: no group."""
    if not len(sizes):
        return np.zeros(0, np.int64)
    before = np.cumsum(sizes, dtype=np.float64) - sizes
    block = np.floor(before / limit).astype(np.int64)
    return np.r_[0, np.flatnonzero(np.diff(block)) + 1].astype(np.int64)


@dataclass(frozen=True)
class Layout:
    """Where every output row goes, known before any text is read: row groups (`group_starts`:
    first output position of each, plus the end) and shards (`shard_groups`: first row group
    of each, plus the end)."""

    group_starts: np.ndarray
    shard_groups: np.ndarray

    @property
    def shards(self) -> int:
        return len(self.shard_groups) - 1

    def groups_of(self, shard: int) -> range:
        return range(int(self.shard_groups[shard]), int(self.shard_groups[shard + 1]))

    def rows_of(self, shard: int) -> tuple[int, int]:
        groups = self.groups_of(shard)
        return int(self.group_starts[groups.start]), int(self.group_starts[groups.stop])


def layout(row_bytes: np.ndarray, row_group_bytes: int, target_bytes: int) -> Layout:
    """Row groups of about `row_group_bytes` and shards of about `target_bytes` (uncompressed,
    a shard closing with the row group that brings it there), from each row's estimated size."""
    group_starts = cut(row_bytes, min(row_group_bytes, target_bytes))
    bounds = np.append(group_starts, len(row_bytes))
    group_bytes = np.add.reduceat(row_bytes, group_starts) if len(group_starts) else np.zeros(0)
    shard_groups = cut(group_bytes, target_bytes)
    return Layout(bounds, np.append(shard_groups, len(group_starts)))
