"""Near-duplicate dedup with MinHash LSH, CJK-aware, on Ray Data.

1. Signatures (Ray Data map over the corpus, written to scratch Parquet): shingles from
   `minhash_shingles` (word n-grams, CJK character n-grams), NumPy MinHash signatures compatible
   with datasketch (`minhash_signatures`), LSH band keys with datasketch's optimal bands x rows.
2. Buckets: one (band key, id) row per band, hash-shuffled on the key (Ray Data repartition by
   key, the way `groupby().map_groups` does it) so every bucket is whole in one block; each block
   turns its buckets into candidate pairs (`minhash_buckets`, linear in oversize buckets).
3. Clusters (driver): candidate pairs deduplicated, verified by signature-estimated Jaccard
   (config), connected components, keep rule (highest quality, longest, smallest id)
   (`minhash_clusters`). Needs the pairs and the signatures of the documents in them to fit one
   node; the stage fails with a clear error naming `max_pairs` when they do not.
4. Decisions (Ray Data map over the corpus): `dup_cluster` = the kept document's id on every row
   (its own id outside clusters); the others rejected `dedup_minhash:near_duplicate_of:<id>`;
   signals `minhash_cluster_size` and `minhash_jaccard_to_kept`.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from pipeline.stage import GlobalStage, RunContext, StageConfig, set_column, with_drop_reason
from stages import minhash_buckets, minhash_clusters
from stages.minhash_shingles import batch_shingles
from stages.minhash_signatures import (
    band_keys,
    bands_and_rows,
    permutations,
    signature_column,
    signature_matrix,
    signatures,
)
from stages.signals import merged_signals


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
    num_partitions: int | None = Field(None, ge=1)  # shuffle partitions; default: 2 per CPU
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


def _decide(batch: pa.Table, decisions: pa.Table) -> pa.Table:
    dup_cluster, reasons, new_signals = minhash_clusters.apply_decisions(batch, decisions)
    batch = set_column(batch, "dup_cluster", dup_cluster, pa.string())
    batch = set_column(
        batch, "signals", merged_signals(batch, new_signals), batch.schema.field("signals").type
    )
    return with_drop_reason(batch, reasons)


def _collect(ds) -> pa.Table | None:
    tables = [t for t in ds.iter_batches(batch_format="pyarrow", batch_size=None) if t.num_rows]
    return pa.concat_tables(tables) if tables else None


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
        sig_dir = ctx.scratch / "dedup_minhash_signatures"
        started = time.perf_counter()
        self._write_signatures(ds, sig_dir, bands, rows)
        signed = time.perf_counter()
        pairs = self._candidate_pairs(sig_dir, 2 * ctx.num_cpus)
        bucketed = time.perf_counter()
        keys, a, b = minhash_clusters.pair_indices(pairs)
        del pairs
        if len(a) > cfg.max_pairs:
            raise RuntimeError(
                f"dedup_minhash: {len(a)} candidate pairs exceed max_pairs={cfg.max_pairs} "
                "(raise it if the driver has the memory, or the threshold)"
            )
        members, unique = self._members(sig_dir, keys)
        keep = unique[a] & unique[b]
        if cfg.verify:
            keep &= minhash_clusters.verified(a, b, members.signatures, cfg.threshold)
        result = minhash_clusters.cluster(members, a[keep], b[keep], cfg.top_clusters)
        ctx.stats.update(
            {
                "minhash_bands": bands,
                "minhash_rows": rows,
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

    def _write_signatures(self, ds, sig_dir: Path, bands: int, rows: int) -> None:
        shutil.rmtree(sig_dir, ignore_errors=True)
        ds.select_columns(["id", "text", "quality"]).map_batches(
            signature_batch,
            fn_kwargs={
                "config": self.config.model_dump(),
                "perms": permutations(self.config.num_perm, self.config.seed),
                "bands": bands,
                "rows": rows,
            },
            batch_size=self.config.batch_rows,
            batch_format="pyarrow",
        ).write_parquet(str(sig_dir))

    def _candidate_pairs(self, sig_dir: Path, default_partitions: int) -> pa.Table:
        """Band rows hash-shuffled on the band key, each block's buckets turned into pairs."""
        import ray.data

        pairs = _collect(
            ray.data.read_parquet(
                str(sig_dir), columns=[minhash_buckets.DOC, "shingles", minhash_buckets.BANDS]
            )
            .map_batches(minhash_buckets.band_rows, batch_format="pyarrow")
            .repartition(self.config.num_partitions or default_partitions, keys=[minhash_buckets.KEY])
            .map_batches(
                minhash_buckets.bucket_pairs,
                fn_kwargs={"anchors": self.config.bucket_anchors},
                batch_size=None,
                batch_format="pyarrow",
            )
        )
        return pairs if pairs is not None else minhash_buckets.PAIR_SCHEMA.empty_table()

    def _members(self, sig_dir: Path, keys: np.ndarray) -> tuple[minhash_clusters.Members, np.ndarray]:
        """The documents behind the doc keys of the candidate pairs (quality, length, signature),
        read on the driver from the scratch Parquet (shared storage, like the run directory),
        and a mask of the keys that name exactly one document (a 64-bit collision names two:
        such documents are left out of clustering and counted)."""
        import pyarrow.dataset as pads

        found = pads.dataset(str(sig_dir), format="parquet").to_table(
            columns=[minhash_buckets.DOC, "id", "quality", "length", "signature"],
            filter=pads.field(minhash_buckets.DOC).isin(pa.array(keys, pa.uint64())),
        )
        found = found.take(pc.sort_indices(found, [(minhash_buckets.DOC, "ascending"), ("id", "ascending")]))
        docs = np.asarray(found.column(minhash_buckets.DOC).combine_chunks(), dtype=np.uint64)
        rows = np.searchsorted(docs, keys)
        unique = np.searchsorted(docs, keys, side="right") - rows == 1
        found = found.take(rows)
        return minhash_clusters.Members(
            found.column("id").combine_chunks(),
            found.column("quality").to_numpy().astype(np.float64),
            found.column("length").to_numpy(),
            signature_matrix(found.column("signature"), self.config.num_perm),
        ), unique
