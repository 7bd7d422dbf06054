"""Parquet shards of an export: zstd, row groups by uncompressed size, written atomically."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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


def row_bytes(table: pa.Table) -> np.ndarray:
    """Uncompressed UTF-8 bytes of each row's string columns."""
    total = np.zeros(table.num_rows, dtype=np.int64)
    for name in table.column_names:
        lengths = pc.fill_null(pc.binary_length(table.column(name)), 0)
        total += lengths.to_numpy().astype(np.int64)
    return total


def row_group_bounds(sizes: np.ndarray, row_group_bytes: int) -> list[tuple[int, int]]:
    """Cut rows into consecutive groups of about `row_group_bytes` each (at least one row)."""
    bounds, start, acc = [], 0, 0
    for i, size in enumerate(sizes):
        acc += int(size)
        if acc >= row_group_bytes:
            bounds.append((start, i + 1))
            start, acc = i + 1, 0
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


def _finish(tmp: Path, final: Path, rows: int, tokens: int) -> dict[str, object]:
    entry = {
        "path": final.name,
        "rows": rows,
        "bytes": tmp.stat().st_size,
        "tokens": tokens,
        "sha256": sha256_file(tmp),
    }
    os.replace(tmp, final)
    return entry


def write_shards(
    table: pa.Table, tokens: np.ndarray, out_dir: Path, *, target_bytes: int, row_group_bytes: int
) -> list[dict[str, object]]:
    """Write `table` (EXPORT_SCHEMA) as `part-NNNNN.parquet` files; a shard closes after the
    row group that brings its file to `target_bytes`. Returns one manifest entry per shard."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = table.cast(EXPORT_SCHEMA)
    groups = row_group_bounds(row_bytes(table), min(row_group_bytes, target_bytes))
    shards: list[dict[str, object]] = []
    writer = sink = tmp = None
    rows = shard_tokens = 0
    for start, end in groups:
        if writer is None:
            final = out_dir / f"part-{len(shards):05d}.parquet"
            tmp = out_dir / f".{final.name}.{uuid.uuid4().hex}.tmp"
            sink = pa.OSFile(str(tmp), "wb")
            writer = pq.ParquetWriter(sink, EXPORT_SCHEMA, compression="zstd", compression_level=3)
            rows = shard_tokens = 0
        writer.write_table(table.slice(start, end - start), row_group_size=end - start)
        rows += end - start
        shard_tokens += int(tokens[start:end].sum())
        if sink.tell() >= target_bytes:
            writer.close()
            sink.close()
            shards.append(_finish(tmp, final, rows, shard_tokens))
            writer = None
    if writer is not None:
        writer.close()
        sink.close()
        shards.append(_finish(tmp, final, rows, shard_tokens))
    return shards
