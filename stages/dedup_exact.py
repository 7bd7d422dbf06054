"""Exact dedup: documents whose normalized text is identical keep one representative.

A distributed group-by on the text hash (Ray Data aggregate + hash join), so it runs the same
on one machine or a cluster. The representative is the smallest id; the others are rejected
as `dedup_exact:duplicate_of:<id>` and every member gets `dup_cluster`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import xxhash
from pydantic import Field

from datamill.pipeline.stage import (
    GlobalOutput,
    GlobalStage,
    RunContext,
    StageConfig,
    set_column,
    with_drop_reason,
)

HASH = "_text_hash"
FIRST = "_first_id"


class DedupExactConfig(StageConfig):
    num_partitions: int | None = Field(None, ge=1)  # shuffle partitions; default: 2 per CPU


def text_hashes(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pa.array(
        [xxhash.xxh3_128_hexdigest(t.encode("utf-8")) if t is not None else None for t in texts.to_pylist()],
        pa.string(),
    )


def _add_hash(batch: pa.Table) -> pa.Table:
    return batch.append_column(HASH, text_hashes(batch.column("text")))


def _decide(batch: pa.Table) -> pa.Table:
    first = batch.column(FIRST).cast(pa.string())
    is_dup = pc.fill_null(pc.not_equal(batch.column("id").cast(pa.string()), first), False)
    reasons = pc.if_else(
        is_dup,
        pc.binary_join_element_wise("dedup_exact:duplicate_of", first, ":"),
        pa.scalar(None, pa.string()),
    )
    batch = set_column(batch, "dup_cluster", pc.coalesce(first, batch.column("id")), pa.string())
    batch = batch.drop_columns([HASH, FIRST])
    return with_drop_reason(batch, reasons)


class DedupExact(GlobalStage):
    name = "dedup_exact"
    version = "1"
    Config = DedupExactConfig
    requires = ("id", "text")
    produces = ("dup_cluster",)

    def run(self, ds, ctx: RunContext):
        from ray.data.aggregate import Min

        partitions = self.config.num_partitions or 2 * ctx.num_cpus
        hashed = ds.map_batches(_add_hash, batch_format="pyarrow")
        firsts = (
            hashed.select_columns([HASH, "id"])
            .groupby(HASH, num_partitions=partitions)
            .aggregate(Min("id", alias_name=FIRST))
        )
        joined = hashed.join(firsts, join_type="left_outer", num_partitions=partitions, on=(HASH,))
        return GlobalOutput(joined.map_batches(_decide, batch_format="pyarrow"))
