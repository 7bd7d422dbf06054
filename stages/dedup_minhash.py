"""Near-duplicate dedup with MinHash LSH, CJK-aware, on Ray Data.

1. Signatures (Ray Data map over the corpus): shingles from `minhash_shingles` (word n-grams,
   CJK character n-grams), NumPy MinHash signatures compatible with datasketch
   (`minhash_signatures`), LSH band keys with datasketch's optimal bands x rows. Each block
   writes its signatures to scratch Parquet and its band rows split into partitions by band key.
2. Buckets (Ray Data map, one task per partition): a partition holds every row of its buckets;
   each bucket becomes candidate pairs (`minhash_buckets`, linear in oversize buckets).
3. Clusters (driver): candidate pairs deduplicated, verified by signature-estimated Jaccard
   (config), connected components, keep rule (highest quality, longest, smallest id)
   (`minhash_clusters`). Needs the pairs and the signatures of the documents in them to fit one
   node; the stage fails with a clear error naming `max_pairs` when they do not.
4. Decisions (Ray Data map over the corpus): `dup_cluster` = the kept document's id on every row
   (its own id outside clusters); the others rejected `dedup_minhash:near_duplicate_of:<id>`;
   signals `minhash_cluster_size` and `minhash_jaccard_to_kept`.
Scratch files live under the run directory, which a cluster's nodes share.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash
from pydantic import Field

from pipeline.stage import GlobalStage, RunContext, StageConfig, set_column, with_drop_reason
from stages import minhash_buckets, minhash_clusters
from stages.minhash_shingles import batch_shingles
from stages.minhash_signatures import (
    band_keys,
    bands_and_rows,
    permutations,
    signature_column,
    signatures,
)
from stages.signals import merged_signal_columns


class DedupMinhashConfig(StageConfig):
    threshold: float = Field(0.8, gt=0, lt=1)  # Jaccard similarity of near-duplicates
    num_perm: int = Field(128, ge=16, le=1024)
    seed: int = Field(1, ge=0)
    ngram: int = Field(5, ge=1, le=64)  # tokens per shingle: words, or CJK characters
    lowercase: bool = True
    fold_width: bool = True  # NFKC where it maps a character to one character (full width)
    normalize_digits: bool = True  # every decimal digit becomes 0
    strip_punctuation: bool = True  # else each punctuation mark is a token
    # weights of the false-positive / false-negative areas that choose bands x rows (14 x 9 at
    # 0.8): verification removes false positives, so missed pairs weigh more
    false_positive_weight: float = Field(0.1, ge=0, le=1)
    false_negative_weight: float = Field(0.9, ge=0, le=1)
    verify: bool = True  # drop candidate pairs whose estimated Jaccard is below the threshold
    bucket_anchors: int = Field(16, ge=1)  # pairs per document in a bucket larger than this
    # bucket partitions; default: 2 per CPU, more for corpora whose band rows pass 128 MB each
    num_partitions: int | None = Field(None, ge=1)
    batch_rows: int = Field(1024, ge=1)  # documents per signature batch
    max_pairs: int = Field(200_000_000, ge=1)  # distinct candidate pairs the driver accepts
    top_clusters: int = Field(10, ge=0)  # largest clusters listed in the stats


def signature_batch(
    batch: pa.Table, config: dict[str, Any], perms: tuple[np.ndarray, np.ndarray], bands: int, rows: int
) -> pa.Table:
    """id, doc key, quality, length, shingle count, signature and band keys of every document
    (`perms` and bands x rows come from the driver, so workers never import datasketch)."""
    text = batch.column("text")
    shingles = batch_shingles(
        text,
        config["ngram"],
        lowercase=config["lowercase"],
        fold_width=config["fold_width"],
        normalize_digits=config["normalize_digits"],
        strip_punctuation=config["strip_punctuation"],
    )
    sigs = signatures(shingles, perms)
    keys = band_keys(sigs, bands, rows)
    return pa.table(
        {
            "id": batch.column("id").cast(pa.string()),
            minhash_buckets.DOC: minhash_buckets.doc_keys(batch.column("id")),
            "quality": batch.column("quality").cast(pa.float32()),
            "length": pc.fill_null(pc.utf8_length(text), 0).cast(pa.int64()),
            "shingles": pa.array(shingles.counts, pa.int64()),
            "signature": signature_column(sigs),
            minhash_buckets.BANDS: pa.FixedSizeListArray.from_arrays(pa.array(keys.ravel()), bands),
        }
    )


def sign_block(
    block: pa.Table,
    config: dict[str, Any],
    perms: tuple[np.ndarray, np.ndarray],
    bands: int,
    rows: int,
    partitions: int,
    scratch: str,
) -> pa.Table:
    """Signatures of a block (`signature_batch` over `batch_rows` slices) written to
    `scratch/signatures`, its band rows to `scratch/bands/<partition>`; file names hash the
    block's ids, so a retried task overwrites its own files. Returns the block's row count."""
    if not block.num_rows:
        return pa.table({"docs": [0]})
    step = config["batch_rows"]
    sigs = pa.concat_tables(
        [
            signature_batch(block.slice(lo, step), config, perms, bands, rows)
            for lo in range(0, len(block), step)
        ]
    )
    name = xxhash.xxh3_128_hexdigest(np.asarray(sigs.column(minhash_buckets.DOC)).tobytes())
    folder = Path(scratch)
    (folder / _SIGNATURES).mkdir(parents=True, exist_ok=True)
    pq.write_table(
        sigs.drop_columns([minhash_buckets.BANDS, "shingles"]),  # band rows carry those
        folder / _SIGNATURES / f"{name}.parquet",
        compression={c: "none" if c == "signature" else "zstd" for c in sigs.column_names},
    )
    band_rows = minhash_buckets.band_rows(sigs)
    minhash_buckets.write_partitions(band_rows, partitions, folder / _BANDS, name)
    return pa.table({"docs": [block.num_rows]})


def _pick_members(batch: pa.Table, keys: np.ndarray) -> pa.Table:
    """The rows of a signature batch whose doc key is one of the sorted `keys`."""
    docs = np.asarray(batch.column(minhash_buckets.DOC).combine_chunks(), dtype=np.uint64)
    at = np.minimum(np.searchsorted(keys, docs), len(keys) - 1)
    return batch.filter(pa.array(keys[at] == docs))


def _partition_pairs(batch: pa.Table, anchors: int) -> pa.Table:
    return pa.concat_tables(
        [minhash_buckets.partition_pairs(Path(f), anchors) for f in batch.column("folder").to_pylist()]
    )


def _decide(batch: pa.Table, decisions: pa.Table) -> pa.Table:
    dup_cluster, reasons, new_signals = minhash_clusters.apply_decisions(batch, decisions)
    batch = set_column(batch, "dup_cluster", dup_cluster, pa.string())
    batch = set_column(
        batch, "signals", merged_signal_columns(batch, new_signals), batch.schema.field("signals").type
    )
    return with_drop_reason(batch, reasons)


_SIGNATURES, _BANDS = "signatures", "bands"


class DedupMinhash(GlobalStage):
    name = "dedup_minhash"
    version = "2"
    Config = DedupMinhashConfig
    requires = ("id", "text", "quality", "signals")
    produces = ("dup_cluster", "signals")

    def run(self, ds, ctx: RunContext):
        cfg = self.config
        bands, rows = bands_and_rows(
            cfg.threshold, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight
        )
        scratch = ctx.scratch / "dedup_minhash"
        shutil.rmtree(scratch, ignore_errors=True)
        partitions = cfg.num_partitions or minhash_buckets.partition_count(
            ds.count(), bands, 2 * ctx.num_cpus
        )
        started = time.perf_counter()
        self._write_signatures(ds, scratch, bands, rows, partitions)
        signed = time.perf_counter()
        pairs = self._candidate_pairs(scratch / _BANDS)
        bucketed = time.perf_counter()
        keys, a, b = minhash_clusters.pair_indices(pairs)
        del pairs
        if len(a) > cfg.max_pairs:
            raise RuntimeError(
                f"dedup_minhash: {len(a)} candidate pairs exceed max_pairs={cfg.max_pairs} "
                "(raise it if the driver has the memory, or the threshold)"
            )
        members, unique = self._members(scratch / _SIGNATURES, keys)
        keep = unique[a] & unique[b]
        if cfg.verify:
            keep &= minhash_clusters.verified(a, b, members.signatures, cfg.threshold)
        result = minhash_clusters.cluster(members, a[keep], b[keep], cfg.top_clusters)
        ctx.stats.update(
            {
                "minhash_bands": bands,
                "minhash_rows": rows,
                "minhash_partitions": partitions,
                "candidate_pairs": int(len(a)),
                "verified_pairs": int(keep.sum()),
                "doc_key_collisions": int((~unique).sum()),
                **result.stats,
                "seconds_signatures": round(signed - started, 3),
                "seconds_buckets": round(bucketed - signed, 3),
                "seconds_clusters": round(time.perf_counter() - bucketed, 3),
            }
        )
        return ds.map_batches(
            _decide, fn_kwargs={"decisions": result.decisions}, batch_size=None, batch_format="pyarrow"
        )

    def _write_signatures(self, ds, scratch: Path, bands: int, rows: int, partitions: int) -> None:
        ds.select_columns(["id", "text", "quality"]).map_batches(
            sign_block,
            fn_kwargs={
                "config": self.config.model_dump(),
                "perms": permutations(self.config.num_perm, self.config.seed),
                "bands": bands,
                "rows": rows,
                "partitions": partitions,
                "scratch": str(scratch),
            },
            batch_size=None,
            batch_format="pyarrow",
        ).materialize()

    def _candidate_pairs(self, folder: Path) -> pa.Table:
        """Pairs of every partition, one Ray task each."""
        import ray.data

        folders = [str(f) for f in sorted(folder.iterdir())] if folder.exists() else []
        if not folders:
            return minhash_buckets.PAIR_SCHEMA.empty_table()
        tables = ray.data.from_items([{"folder": f} for f in folders], override_num_blocks=len(folders))
        out = tables.map_batches(
            _partition_pairs,
            fn_kwargs={"anchors": self.config.bucket_anchors},
            batch_size=1,
            batch_format="pyarrow",
        )
        return pa.concat_tables(
            [minhash_buckets.PAIR_SCHEMA.empty_table()]
            + list(out.iter_batches(batch_format="pyarrow", batch_size=None))
        )

    def _members(self, sig_dir: Path, keys: np.ndarray) -> tuple[minhash_clusters.Members, np.ndarray]:
        """`minhash_clusters.members_of` the sorted doc keys of the candidate pairs, their rows
        streamed out of the scratch signatures a batch at a time (memory: those documents only)."""
        columns = [minhash_buckets.DOC, "id", "quality", "length", "signature"]
        picked = [
            _pick_members(pa.Table.from_batches([batch]), keys)
            for path in (sorted(sig_dir.glob("*.parquet")) if len(keys) else [])
            for batch in pq.ParquetFile(path).iter_batches(batch_size=1 << 16, columns=columns)
        ]
        found = pa.concat_tables(picked) if picked else None
        return minhash_clusters.members_of(found, keys, self.config.num_perm)
