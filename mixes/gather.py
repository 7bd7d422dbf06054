"""Pass two of an export: the chosen rows' text read from the runs and written as shards.

The plan (export.py) gives every output row its place before any text is read: its input file
and row, its component, its row group and shard (cut by sizes estimated from the Parquet
footers and token counts). So each shard, and each row group, holds the same rows whatever
runs the tasks, and memory is bounded by a row group, never by the corpus:

- `global` order (rows shuffled across all shards): a scatter task per input file reads the
  row groups holding chosen rows, once, in order, and appends each row (with its output
  position) to the spill file of its output row group; a shard task then reads, row group by
  row group, that group's spill files, sorts them by position and writes the group.
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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.mixes.shards import EXPORT_SCHEMA, sha256_file
from datamill.pipeline.schema import conform

POS = "_pos"
SOURCE_SCHEMA = pa.schema([f for f in EXPORT_SCHEMA if f.name != "component"])
SPILL_SCHEMA = pa.schema([*EXPORT_SCHEMA, pa.field(POS, pa.int64())])
_CHUNK_BYTES = 4 << 20  # uncompressed input bytes read at once
_SPILL_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4" if pa.Codec.is_available("lz4") else None)


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
        yield slice(lo, hi), conform(table, SOURCE_SCHEMA), local


def read_rows(path: str, rows: np.ndarray) -> Iterator[tuple[slice, pa.Table]]:
    """The export columns of `rows` (sorted) of a Parquet file, in order: (slice of `rows`,
    their table), a chunk of row groups at a time."""
    for part, table, local in read_chunks(path, rows):
        yield part, table.take(local)


def _with_component(table: pa.Table, components: np.ndarray, names: list[str]) -> pa.Table:
    labels = pa.array(names, pa.string()).take(pa.array(components))
    return table.append_column("component", labels)


def scatter(piece: Piece, names: list[str], group_starts: np.ndarray, spill: str) -> int:
    """Append the piece's rows to the spill files of their output row groups
    (`spill/<group>/<file>.arrow`); returns the rows written."""
    writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
    try:
        for part, chunk, local in read_chunks(piece.path, piece.rows):
            positions = piece.positions[part]
            group_of = np.searchsorted(group_starts, positions, side="right") - 1
            order = np.argsort(group_of, kind="stable")  # rows by output row group
            group_of = group_of[order]
            cuts = np.flatnonzero(np.diff(group_of)) + 1
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(group_of)], strict=True):
                take = order[lo:hi]  # one copy of each row, straight from the chunk read
                table = _with_component(chunk.take(local[take]), piece.components[part][take], names)
                table = table.append_column(POS, pa.array(positions[take], pa.int64()))
                group = int(group_of[lo])
                if group not in writers:
                    folder = Path(spill) / f"{group:07d}"
                    folder.mkdir(parents=True, exist_ok=True)
                    sink = str(folder / f"{piece.file_index:06d}.arrow")
                    writers[group] = pa.ipc.new_stream(sink, SPILL_SCHEMA, options=_SPILL_OPTIONS)
                writers[group].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()
    return len(piece.rows)


def _spilled_group(spill: str, group: int) -> pa.Table:
    folder = Path(spill) / f"{group:07d}"
    tables = [pa.ipc.open_stream(str(p)).read_all() for p in sorted(folder.glob("*.arrow"))]
    table = pa.concat_tables(tables) if tables else SPILL_SCHEMA.empty_table()
    table = table.take(pc.sort_indices(table[POS]))
    return table.drop_columns([POS])


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


def write_spilled_shard(index: int, groups: list[int], spill: str, out_dir: str) -> dict[str, object]:
    """Shard `index` from the spill files of its row groups (`groups`), in output order."""
    shard = ShardFile(out_dir, index)
    for group in groups:
        shard.write(_spilled_group(spill, group))
    return shard.finish()


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
            pending.append(_with_component(table, piece.components[part], names))
            held += table.num_rows
            while want and held >= want:
                flush(want)
                want = next(sizes, 0)
    return shard.finish()
