"""The global shuffle of an export's pass two: scatter the chosen rows to spill files, then gather
each output row group from them.

A scatter task per input file reads the row groups holding chosen rows, a chunk at a time,
sorts each chunk's rows by output position (so by output row group too) with one `take`, and
appends the chunk to that file's spill file (Arrow IPC file format, uncompressed:
`spill/<file>.arrow`) as one record batch per output row group it touches (zero-copy slices of
the sorted chunk). It returns the index of those batches, (group, file, batch). A shard task
reads, for each of its row groups, just that group's batches (one positioned read each; no
memory map, whose pages would count in the worker's memory) and puts the rows in output order
with one `take` (a group's positions are a known range, each once, so no sort is needed).

One spill file per input file keeps files few whatever the number of output row groups;
memory is bounded by a chunk in a scatter task and by a row group in a shard task.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from datamill.mixes.gather import Piece, ShardFile, read_chunks, with_component
from datamill.mixes.shards import EXPORT_SCHEMA

POS = "_pos"
SPILL_SCHEMA = pa.schema([*EXPORT_SCHEMA, pa.field(POS, pa.int64())])


@dataclass(frozen=True)
class Runs:
    """Spilled record batches, each of one output row group: `group`, spill `file` and `batch`
    number in that file (arrays of equal length)."""

    group: np.ndarray
    file: np.ndarray
    batch: np.ndarray

    @staticmethod
    def join(parts: list[Runs]) -> Runs:
        """All parts' batches, ordered by (group, file, batch)."""
        if not parts:
            return Runs(*(np.zeros(0, np.int64) for _ in range(3)))
        fields = ("group", "file", "batch")
        group, file, batch = (np.concatenate([getattr(p, f) for p in parts]) for f in fields)
        order = np.lexsort((batch, file, group))
        return Runs(group[order], file[order], batch[order])

    def of_groups(self, first: int, stop: int) -> Runs:
        """The batches of row groups [first, stop) (on runs ordered by group)."""
        lo, hi = np.searchsorted(self.group, [first, stop])
        return Runs(self.group[lo:hi], self.file[lo:hi], self.batch[lo:hi])


def spill_path(spill: str, file_index: int) -> Path:
    return Path(spill) / f"{file_index:06d}.arrow"


def scatter(piece: Piece, names: list[str], group_starts: np.ndarray, spill: str) -> Runs:
    """Spill the piece's rows, a batch per (chunk, output row group); returns their index."""
    groups: list[np.ndarray] = []
    Path(spill).mkdir(parents=True, exist_ok=True)
    with pa.ipc.new_file(str(spill_path(spill, piece.file_index)), SPILL_SCHEMA) as writer:
        for part, chunk, local in read_chunks(piece.path, piece.rows):
            positions = piece.positions[part]
            order = np.argsort(positions, kind="stable")
            table = with_component(chunk.take(local[order]), piece.components[part][order], names)
            table = table.append_column(POS, pa.array(positions[order], pa.int64()))
            table = table.cast(SPILL_SCHEMA).combine_chunks()
            group_of = np.searchsorted(group_starts, positions[order], side="right") - 1
            starts = np.r_[0, np.flatnonzero(np.diff(group_of)) + 1]  # a chunk holds rows
            for lo, hi in zip(starts.tolist(), [*starts[1:].tolist(), len(group_of)], strict=True):
                writer.write_table(table.slice(lo, hi - lo), max_chunksize=hi - lo)
            groups.append(group_of[starts])
    group = np.concatenate(groups) if groups else np.zeros(0, np.int64)
    return Runs(group, np.full(len(group), piece.file_index, np.int64), np.arange(len(group)))


def _group(spill: str, runs: Runs, start: int, stop: int) -> pa.Table:
    """Output rows [start, stop) (one row group) in order, from their spilled batches."""
    batches = []
    for part in np.split(np.arange(len(runs.file)), np.flatnonzero(np.diff(runs.file)) + 1):
        if len(part):  # runs are ordered by file: open each once
            with pa.OSFile(str(spill_path(spill, int(runs.file[part[0]])))) as source:
                reader = pa.ipc.open_file(source)
                batches += [reader.get_batch(b) for b in runs.batch[part].tolist()]
    table = pa.Table.from_batches(batches, SPILL_SCHEMA)
    positions = table[POS].to_numpy() - start
    where = np.full(stop - start, -1, np.int64)
    if table.num_rows == stop - start:
        where[positions] = np.arange(stop - start)
    if table.num_rows != stop - start or (where < 0).any():  # each position once, or a bug
        raise ValueError(f"spill holds {table.num_rows} rows for output rows [{start}, {stop})")
    return table.drop_columns([POS]).take(where)


def write_spilled_shard(
    index: int, first_group: int, group_starts: list[int], runs: Runs, spill: str, out_dir: str
) -> dict[str, object]:
    """Shard `index` from the spilled runs of its row groups, `first_group` on, in output order:
    group `first_group + k` holds output rows [group_starts[k], group_starts[k + 1])."""
    shard = ShardFile(out_dir, index)
    for k, (start, stop) in enumerate(itertools.pairwise(group_starts)):
        group = first_group + k
        shard.write(_group(spill, runs.of_groups(group, group + 1), start, stop))
    return shard.finish()
