"""Exact dedup: documents whose text is identical keep one representative, the smallest id.

Decided on narrow columns, never on whole rows: every text is hashed (XXH3-128 of its UTF-8
bytes) where it is final, in the rows pass before (`prepare`), and the view's
(hash, id, shard) rows are written split by hash into partition files; one task per partition
sorts its rows, and every copy but the first of a hash becomes a decision row `(id, first)`
written to its shard's folder. The applier, in the next rows pass, rejects those rows as
`dedup_exact:duplicate_of:<first>` and sets `dup_cluster` (the first id; a document's own id
when it has no copy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash
from pydantic import Field

from datamill.pipeline.partitions import (
    file_name,
    read_decisions,
    read_partition,
    run_tasks,
    write_decisions,
    write_partitions,
)
from datamill.pipeline.stage import (
    SHARD,
    Applier,
    GlobalStage,
    RunContext,
    StageConfig,
    set_column,
    with_drop_reason,
)
from datamill.pipeline.utf8 import utf8_texts

HASHES = "hashes"
HASH_SCHEMA = pa.schema([("h1", pa.uint64()), ("h2", pa.uint64()), ("id", pa.string()), (SHARD, pa.int32())])
DECISION_SCHEMA = pa.schema([("id", pa.string()), ("first", pa.string())])


class DedupExactConfig(StageConfig):
    num_partitions: int | None = Field(None, ge=1)  # hash partitions; default: 2 per CPU


def text_hashes(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit halves of XXH3-128 of every text's UTF-8 bytes (nulls hash as ''), read
    in place from Arrow's buffer. No compiled code of ours: a worker that only hashes does
    not pay numba's start-up (about a second)."""
    data, offsets = utf8_texts(texts)
    view, bounds, digest = memoryview(data), offsets.tolist(), xxhash.xxh3_128_digest
    joined = b"".join([digest(view[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)])
    halves = np.frombuffer(joined, np.dtype(">u8")).reshape(-1, 2).astype(np.uint64)
    return halves[:, 0], halves[:, 1]


def prepared_hashes(batch: pa.Table) -> pa.Table:
    """`DedupExact.prepare`: each text's hashes (null without a text)."""
    text = batch.column("text")
    h1, h2 = text_hashes(text)
    valid = pc.is_valid(text)
    return pa.table(
        {"h1": pc.if_else(valid, pa.array(h1), None), "h2": pc.if_else(valid, pa.array(h2), None)}
    )


def hash_block(block: pa.Table, folder: str, partitions: int) -> pa.Table:
    """(hashes, id, shard) of a view block's documents with a text, written split by hash."""
    block = block.filter(pc.is_valid(block.column("h1")))
    if block.num_rows:
        h1 = np.asarray(block.column("h1"), np.uint64)
        rows = block.select(["h1", "h2", "id", SHARD]).cast(HASH_SCHEMA)
        write_partitions(rows, "h1", partitions, folder, file_name(h1))
    return pa.table({"docs": [block.num_rows]})


def decide_partition(part: int, folder: str, out: str, shard_keys: list[str]) -> dict[str, Any]:
    """Every copy but the first (smallest id) of each hash in this partition, as decision rows
    in their shards' folders."""
    rows = read_partition(folder, part, HASH_SCHEMA)
    rows = rows.sort_by([("h1", "ascending"), ("h2", "ascending"), ("id", "ascending")])
    h1, h2 = np.asarray(rows.column("h1")), np.asarray(rows.column("h2"))
    starts = np.ones(len(h1), dtype=bool)
    starts[1:] = (h1[1:] != h1[:-1]) | (h2[1:] != h2[:-1])
    first = np.flatnonzero(starts)[np.cumsum(starts) - 1]  # each row's group's first row
    copies = np.flatnonzero(~starts)
    decisions = pa.table(
        {
            "id": rows.column("id").take(copies),
            "first": rows.column("id").take(first[copies]),
            SHARD: rows.column(SHARD).take(copies),
        }
    )
    write_decisions(decisions, out, shard_keys, f"{part:05d}")
    return {"duplicates": len(copies)}


class DedupExactApplier(Applier):
    def begin_shard(self, key: str) -> None:
        self.rows = read_decisions(self.decisions, key, DECISION_SCHEMA)

    def __call__(self, batch: pa.Table) -> pa.Table:
        ids = batch.column("id").combine_chunks().cast(pa.string())
        first = self.rows.column("first").take(
            pc.index_in(ids, value_set=self.rows.column("id").combine_chunks())
        )
        reasons = pc.if_else(
            pc.is_valid(first),
            pc.binary_join_element_wise("dedup_exact:duplicate_of", first, ":"),
            pa.scalar(None, pa.string()),
        )
        batch = set_column(batch, "dup_cluster", pc.coalesce(first, ids), pa.string())
        return with_drop_reason(batch, reasons)


class DedupExact(GlobalStage):
    name = "dedup_exact"
    version = "2"  # XXH3-128 for the compiled hash: the same decisions, other partitions
    Config = DedupExactConfig
    requires = ("id", "text")
    produces = ("dup_cluster",)
    needs = ("text",)
    prepares = ("h1", "h2")
    prepares_in_driver = True  # xxhash over the UTF-8 buffer: no compiled code to load
    applier_requires = ("id",)

    def prepare(self, batch: pa.Table) -> pa.Table:
        return prepared_hashes(batch)

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        partitions = self.config.num_partitions or 2 * ctx.num_cpus
        folder = str(ctx.scratch / HASHES)
        view.map_shards(hash_block, folder=folder, partitions=partitions)
        rows = run_tasks(
            decide_partition, partitions, folder=folder, out=str(ctx.decisions), shard_keys=ctx.shard_keys
        )
        return {"duplicates": sum(row["duplicates"] for row in rows)}

    def applier(self, decisions: Path) -> DedupExactApplier:
        return DedupExactApplier(self, decisions)
