"""Pass two of an export: the chosen rows' text read from the runs and written as shards.

The plan (export.py) gives every output row its place before any text is read: its input file
and row, its component, its row group and shard (cut by sizes estimated from the Parquet
footers and token counts). So each shard, and each row group, holds the same rows whatever
runs the tasks, and memory is bounded by a row group, never by the corpus:

- `global` order (rows shuffled across all shards): scattered through spill files (spill.py).
- `local` order (each shard a stretch of the inputs, rows shuffled within each row group): a
  shard task reads its stretch of the inputs directly; no spill.

Shards are written to a hidden temporary name and renamed when complete.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datamill.mixes.shards import EXPORT_SCHEMA, sha256_file
from datamill.pipeline.schema import conform
from datamill.pipeline.textref import TEXT_REF, TextFiles, resolve, run_dir_of

SOURCE_SCHEMA = pa.schema([f for f in EXPORT_SCHEMA if f.name != "component"])
_CHUNK_BYTES = 4 << 20  # uncompressed input bytes read at once


@dataclass(frozen=True)
class Piece:
    """Rows of one input file for one task: `rows` (sorted, repeats allowed) with their output
    positions and component indexes."""

    path: str
    file_index: int
    rows: np.ndarray
    positions: np.ndarray
    components: np.ndarray


def read_chunks(path: str, rows: np.ndarray) -> Iterator[tuple[slice, pa.Table, np.ndarray]]:
    """The export columns of `rows` (sorted) of a Parquet file, a chunk of row groups at a
    time: (slice of `rows`, the chunk's table, where each of those rows is in it). Only row
    groups holding a row are read."""
    parquet = pq.ParquetFile(path, pre_buffer=False)
    meta = parquet.metadata
    counts = np.array([meta.row_group(g).num_rows for g in range(meta.num_row_groups)], np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))
    if len(rows) and rows[-1] >= starts[-1]:
        raise ValueError(f"{path}: has {starts[-1]} rows, row {rows[-1]} asked for (changed since pass one?)")
    group_of = np.searchsorted(starts, rows, side="right") - 1
    groups = np.unique(group_of)
    columns = [c for c in SOURCE_SCHEMA.names if c in parquet.schema_arrow.names]
    columns += [TEXT_REF] if TEXT_REF in parquet.schema_arrow.names else []
    texts = TextFiles(run_dir_of(path))
    sizes = [meta.row_group(g).total_byte_size for g in range(meta.num_row_groups)]
    first = 0
    while first < len(groups):
        chunk = [int(groups[first])]
        total = sizes[chunk[0]]
        while first + len(chunk) < len(groups) and total < _CHUNK_BYTES:
            chunk.append(int(groups[first + len(chunk)]))
            total += sizes[chunk[-1]]
        first += len(chunk)
        lo = int(np.searchsorted(group_of, chunk[0], side="left"))
        hi = int(np.searchsorted(group_of, chunk[-1], side="right"))
        base = np.concatenate(([0], np.cumsum(counts[chunk])))  # each group's place in the chunk
        within = np.searchsorted(np.array(chunk), group_of[lo:hi])
        local = rows[lo:hi] - starts[group_of[lo:hi]] + base[within]
        table = parquet.read_row_groups(chunk, columns=columns, use_threads=False)
        yield slice(lo, hi), conform(resolve(table, texts), SOURCE_SCHEMA), local


def read_rows(path: str, rows: np.ndarray) -> Iterator[tuple[slice, pa.Table]]:
    """The export columns of `rows` (sorted) of a Parquet file, in order: (slice of `rows`,
    their table), a chunk of row groups at a time."""
    for part, table, local in read_chunks(path, rows):
        yield part, table.take(local)


def with_component(table: pa.Table, components: np.ndarray, names: list[str]) -> pa.Table:
    labels = pa.array(names, pa.string()).take(pa.array(components))
    return table.append_column("component", labels)


class ShardFile:
    """One shard written row group by row group to a temporary file, renamed by `finish`."""

    def __init__(self, out_dir: str, index: int) -> None:
        self.final = Path(out_dir) / f"part-{index:05d}.parquet"
        self.tmp = self.final.with_name(f".{self.final.name}.{uuid.uuid4().hex}.tmp")
        self.writer = pq.ParquetWriter(str(self.tmp), EXPORT_SCHEMA, compression="zstd", compression_level=3)
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        table = table.cast(EXPORT_SCHEMA).combine_chunks()  # page cuts must not depend on chunks
        self.writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.rows += table.num_rows

    def finish(self) -> dict[str, object]:
        self.writer.close()
        entry = {
            "path": self.final.name,
            "rows": self.rows,
            "bytes": self.tmp.stat().st_size,
            "sha256": sha256_file(self.tmp),
        }
        os.replace(self.tmp, self.final)
        return entry


def write_local_shard(
    index: int, pieces: list[Piece], names: list[str], group_sizes: list[int], seed: int, out_dir: str
) -> dict[str, object]:
    """Shard `index` read straight from its stretch of the inputs (`pieces`, in input order);
    each row group's rows (`group_sizes` rows each) shuffled by `seed` and the group's index."""
    from datamill.mixes.sampling import component_rng

    shard = ShardFile(out_dir, index)
    pending: list[pa.Table] = []
    held = 0
    sizes = iter(group_sizes)
    want = next(sizes, 0)
    group = 0

    def flush(rows: int) -> None:
        nonlocal pending, held, group
        table = pa.concat_tables(pending)
        head, rest = table.slice(0, rows), table.slice(rows)
        order = component_rng(seed, f"\x00shard-{index}-group-{group}").permutation(rows)
        shard.write(head.take(order))
        pending, held, group = ([rest] if rest.num_rows else []), rest.num_rows, group + 1

    for piece in pieces:
        for part, table in read_rows(piece.path, piece.rows):
            pending.append(with_component(table, piece.components[part], names))
            held += table.num_rows
            while want and held >= want:
                flush(want)
                want = next(sizes, 0)
    return shard.finish()
