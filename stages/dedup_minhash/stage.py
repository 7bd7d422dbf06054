"""Near-duplicate dedup with MinHash LSH, CJK-aware, in Ray tasks over partition files.

1. Signatures: shingles from `shingles.py` (character 5-grams of the text without whitespace,
   or word n-grams) and one-permutation MinHash signatures (`signatures.py`), made where the
   text is final by the rows pass before (`prepare`), or by the view from the text it reads.
   Each view block's LSH band keys (datasketch's optimal bands x rows) are computed, its
   signatures written split by doc key into partitions, its band rows by band key.
2. Buckets (one task per partition): a partition holds every row of its buckets; each bucket
   becomes candidate pairs (`buckets.py`, linear in oversize buckets), written split by
   doc key; the tasks return only their counts.
3. Clusters: candidate pairs deduplicated, verified by signature-estimated Jaccard (config),
   connected components, keep rule (highest quality, longest, smallest id). `clusters` picks
   where: `driver` reads the pairs and their signatures into the driver (`clusters.py`)
   and fails naming `max_pairs` when there are more pairs than that; `distributed` does it all
   in partition tasks over scratch files (`distributed.py`: joins, large-star/small-star
   components, keep rule per component); `auto` (default) is the driver up to `max_pairs`
   pairs, else distributed. Both give the same decisions and stats.
4. Decisions, written per shard and applied in the next rows pass: `dup_cluster` = the kept
   document's id on every row (its own id outside clusters); the others rejected
   `dedup_minhash:near_duplicate_of:<id>`; signals `minhash_cluster_size` and
   `minhash_jaccard_to_kept`.
Scratch files live under the run directory, which a cluster's nodes share.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field

from datamill.pipeline.partitions import (
    file_name,
    partition_files,
    read_decisions,
    run_tasks,
    write_decisions,
    write_partitions,
)
from datamill.pipeline.signals import merged_signal_columns
from datamill.pipeline.stage import (
    SHARD,
    Applier,
    GlobalStage,
    RunContext,
    StageConfig,
    set_column,
    with_drop_reason,
)
from datamill.stages.dedup_minhash import buckets as minhash_buckets
from datamill.stages.dedup_minhash import clusters as minhash_clusters
from datamill.stages.dedup_minhash import precision
from datamill.stages.dedup_minhash.clusters import SIGNATURE_COLUMNS
from datamill.stages.dedup_minhash.distributed import distributed_clusters
from datamill.stages.dedup_minhash.join import PAIRS, SIGNATURES
from datamill.stages.dedup_minhash.lsh import bands_and_rows, signature_column, signature_matrix


class DedupMinhashConfig(StageConfig):
    threshold: float = Field(0.8, gt=0, lt=1)  # Jaccard similarity of near-duplicates
    num_perm: int = Field(128, ge=16, le=1024)
    seed: int = Field(1, ge=0)
    # shingle tokens: characters (whitespace removed), or words with each CJK character a word
    unit: Literal["char", "word"] = "char"
    ngram: int = Field(5, ge=1, le=64)  # tokens per shingle
    lowercase: bool = True
    fold_width: bool = True  # NFKC where it maps a character to one character (full width)
    normalize_digits: bool = False  # every decimal digit becomes 0
    strip_punctuation: bool = False  # else each punctuation mark is a token
    # weights of the false-positive / false-negative areas that choose bands x rows (14 x 9 at
    # 0.8): verification removes false positives, so missed pairs weigh more
    false_positive_weight: float = Field(0.1, ge=0, le=1)
    false_negative_weight: float = Field(0.9, ge=0, le=1)
    verify: bool = True  # drop candidate pairs whose estimated Jaccard is below the threshold
    bucket_anchors: int = Field(16, ge=1)  # pairs per document in a bucket larger than this
    # bucket partitions; default: 2 per CPU, more for corpora whose band rows pass 128 MB each
    num_partitions: int | None = Field(None, ge=1)
    batch_rows: int = Field(1024, ge=1)  # documents per signature batch
    # where clusters are found: the driver up to max_pairs candidate pairs, else partition tasks
    clusters: Literal["auto", "driver", "distributed"] = "auto"
    max_pairs: int = Field(200_000_000, ge=1)  # candidate pairs the driver takes
    top_clusters: int = Field(10, ge=0)  # largest clusters listed in the stats


def prepared_signatures(batch: pa.Table, config: DedupMinhashConfig) -> pa.Table:
    """`DedupMinhash.prepare`: quality, length, shingle count and signature of every document,
    `batch_rows` documents at a time."""
    from datamill.stages.dedup_minhash.shingles import config_shingles  # numba: workers only
    from datamill.stages.dedup_minhash.signatures import signatures

    parts = []
    for lo in range(0, max(batch.num_rows, 1), config.batch_rows):  # an empty batch: one part
        text = batch.column("text").slice(lo, config.batch_rows)
        shingles = config_shingles(text, config)
        parts.append(
            pa.table(
                {
                    "quality": batch.column("quality").slice(lo, config.batch_rows).cast(pa.float32()),
                    "length": pc.fill_null(pc.utf8_length(text), 0).cast(pa.int64()),
                    "shingles": pa.array(shingles.counts, pa.int64()),
                    "signature": signature_column(signatures(shingles, config.num_perm, config.seed)),
                }
            )
        )
    return pa.concat_tables(parts)


def sign_block(
    block: pa.Table, num_perm: int, bands: int, rows: int, partitions: int, scratch: str
) -> pa.Table:
    """A view block's signatures (prepared) with their doc keys, written to
    `scratch/signatures/<doc partition>`, its band rows to `scratch/bands/<key partition>`;
    file names hash the block's ids, so a retried task overwrites its own files. Returns the
    block's row count."""
    from datamill.stages.dedup_minhash.signatures import band_keys  # numba: workers only

    if not block.num_rows:
        return pa.table({"docs": [0]})
    docs = minhash_buckets.doc_keys(block.column("id"))
    keys = band_keys(signature_matrix(block.column("signature"), num_perm), bands, rows)
    table = block.append_column(minhash_buckets.DOC, docs).append_column(
        minhash_buckets.BANDS, pa.FixedSizeListArray.from_arrays(pa.array(keys.ravel()), bands)
    )
    name = file_name(table.column(minhash_buckets.DOC))
    folder = Path(scratch)
    write_partitions(
        table.select(SIGNATURE_COLUMNS),  # band rows carry the bands and shingle counts
        minhash_buckets.DOC,
        partitions,
        folder / SIGNATURES,
        name,
        mapped=True,
    )
    band_rows = minhash_buckets.band_rows(table)
    write_partitions(band_rows, minhash_buckets.KEY, partitions, folder / _BANDS, name, mapped=True)
    return pa.table({"docs": [block.num_rows]})


def _decide(batch: pa.Table, decisions: pa.Table) -> pa.Table:
    dup_cluster, reasons, new_signals = minhash_clusters.apply_decisions(batch, decisions)
    batch = set_column(batch, "dup_cluster", dup_cluster, pa.string())
    batch = set_column(
        batch, "signals", merged_signal_columns(batch, new_signals), batch.schema.field("signals").type
    )
    return with_drop_reason(batch, reasons)


_BANDS = "bands"


class DedupMinhashApplier(Applier):
    def begin_shard(self, key: str) -> None:
        self.rows = read_decisions(self.decisions, key, minhash_clusters.DECISION_SCHEMA)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return _decide(batch, self.rows)


class DedupMinhash(GlobalStage):
    name = "dedup_minhash"
    version = "3"
    Config = DedupMinhashConfig
    requires = ("id", "text", "quality", "signals")
    produces = ("dup_cluster", "signals")
    needs = ("text", "quality")
    prepares = ("quality", "length", "shingles", "signature")
    applier_requires = ("id", "signals")

    def prepare(self, batch: pa.Table) -> pa.Table:
        return prepared_signatures(batch, self.config)

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        cfg = self.config
        bands, rows = bands_and_rows(
            cfg.threshold, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight
        )
        scratch = ctx.scratch / "dedup_minhash"
        shutil.rmtree(scratch, ignore_errors=True)
        partitions = cfg.num_partitions or minhash_buckets.partition_count(
            ctx.input_rows, bands, 2 * ctx.num_cpus
        )
        started = time.perf_counter()
        self._write_signatures(view, scratch, bands, rows, partitions)
        signed = time.perf_counter()
        pair_rows = sum(
            row["pairs"]
            for row in run_tasks(
                minhash_buckets.write_pairs,
                partitions,
                bands=str(scratch / _BANDS),
                out=str(scratch / PAIRS),
                partitions=partitions,
                anchors=cfg.bucket_anchors,
            )
        )
        bucketed = time.perf_counter()
        path = self._cluster_path(pair_rows)
        with ThreadPoolExecutor(1) as writer:
            written = None
            if path == "driver":
                decisions, doc_keys, stats = self._driver_clusters(scratch, partitions)
                # written while the workers read the precision sample's texts
                written = writer.submit(write_decisions, decisions, ctx.decisions, ctx.shard_keys, "driver")
                sample: Iterable[pa.Table] = [decisions.append_column(minhash_buckets.DOC, doc_keys)]
            else:
                stats = distributed_clusters(
                    scratch,
                    partitions,
                    cfg.num_perm,
                    cfg.threshold,
                    cfg.verify,
                    cfg.top_clusters,
                    ctx.decisions,
                    ctx.shard_keys,
                )
                sample = precision.decision_tables(ctx.decisions)
            clustered = time.perf_counter()
            estimate = precision.estimate(view, sample, cfg)
            if written is not None:
                written.result()  # its error (a full disk), if any
        return {
            "minhash_bands": bands,
            "minhash_rows": rows,
            "minhash_partitions": partitions,
            "cluster_path": path,
            "candidate_pair_rows": pair_rows,
            **stats,
            "seconds_signatures": round(signed - started, 3),
            "seconds_buckets": round(bucketed - signed, 3),
            "seconds_clusters": round(clustered - bucketed, 3),
            **estimate,
            "seconds_precision": round(time.perf_counter() - clustered, 3),
        }

    def applier(self, decisions: Path) -> DedupMinhashApplier:
        return DedupMinhashApplier(self, decisions)

    def _cluster_path(self, pair_rows: int) -> str:
        """`driver` or `distributed` for this many candidate pair rows (distinct within each
        bucket partition): the driver takes at most `max_pairs`."""
        cfg = self.config
        if pair_rows <= cfg.max_pairs:
            return "distributed" if cfg.clusters == "distributed" else "driver"
        if cfg.clusters == "driver":
            raise RuntimeError(
                f"dedup_minhash: {pair_rows} candidate pairs exceed max_pairs={cfg.max_pairs}, the most "
                "the driver takes (clusters=driver); use clusters=auto or distributed, raise max_pairs "
                "if the driver has the memory, or raise the threshold"
            )
        return "distributed"

    def _driver_clusters(self, scratch: Path, partitions: int) -> tuple[pa.Table, pa.Array, dict[str, Any]]:
        """Decisions (with each document's view shard), each decision row's doc key, and stats
        from the pairs and their documents' signatures, on the driver."""
        cfg = self.config
        files = sorted((scratch / PAIRS).glob("*/*.parquet"))
        pairs = pa.concat_tables(
            [minhash_buckets.PAIR_SCHEMA.empty_table()]
            + [pq.read_table(f, schema=minhash_buckets.PAIR_SCHEMA) for f in files]
        )
        keys, a, b = minhash_clusters.pair_indices(pairs)
        del pairs
        members, unique = self._members(scratch, keys, partitions)
        keep = unique[a] & unique[b]
        if cfg.verify:
            keep &= minhash_clusters.verified(a, b, members.signatures, cfg.threshold)
        result = minhash_clusters.cluster(members, a[keep], b[keep], cfg.top_clusters)
        stats = {
            "candidate_pairs": int(len(a)),
            "verified_pairs": int(keep.sum()),
            "doc_key_collisions": int((~unique).sum()),
            **result.stats,
        }
        decisions = result.decisions.append_column(SHARD, pa.array(members.shards[result.rows], pa.int32()))
        return decisions, pa.array(keys[result.rows]), stats

    def _write_signatures(self, view, scratch: Path, bands: int, rows: int, partitions: int) -> None:
        view.map_shards(
            sign_block,
            num_perm=self.config.num_perm,
            bands=bands,
            rows=rows,
            partitions=partitions,
            scratch=str(scratch),
        )

    def _members(
        self, scratch: Path, keys: np.ndarray, partitions: int
    ) -> tuple[minhash_clusters.Members, np.ndarray]:
        """`minhash_clusters.gather_members` of the sorted doc keys of the candidate pairs, out
        of the scratch signatures."""
        files = [f for p in range(partitions) for f in partition_files(scratch / SIGNATURES, p)]
        return minhash_clusters.gather_members(files, keys, self.config.num_perm)
