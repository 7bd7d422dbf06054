"""How good the dedup was on the run's own data: for a sample of the removed documents, the
exact Jaccard similarity of their shingle sets to the document kept in their cluster, and the
share at or above the threshold (`precision_estimate` in run.json). The sample is the removed
documents whose ids hash lowest (their doc keys), so it is the same on every run of the same
data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.stages.dedup_minhash.buckets import DOC, doc_keys

SAMPLE = 200


def decision_tables(decisions: Path) -> Iterator[pa.Table]:
    """The (id, kept) decision rows a stage wrote, a file at a time."""
    for path in sorted(decisions.glob("shards/*/*.parquet")):
        yield pq.read_table(path, columns=["id", "kept"])


def sample_removed(decisions: Iterable[pa.Table], size: int = SAMPLE) -> list[tuple[str, str]]:
    """(removed id, kept id) of up to `size` removed documents, from (id, kept) decision rows
    taken a table at a time (memory: one table and the best `size` so far), ranked by doc key
    (`buckets.doc_keys` of the id, or a table's `doc` column where it has them already)."""
    best = pa.table(
        {
            "hash": pa.array([], pa.uint64()),
            "id": pa.array([], pa.string()),
            "kept": pa.array([], pa.string()),
        }
    )
    for rows in decisions:
        removed = rows.filter(pc.not_equal(rows.column("id"), rows.column("kept")))
        keys = removed.column(DOC) if DOC in removed.column_names else doc_keys(removed.column("id"))
        best = pa.concat_tables([best, removed.select(["id", "kept"]).add_column(0, "hash", keys)])
        best = best.take(np.argsort(np.asarray(best.column("hash")), kind="stable")[:size])
    return sorted(zip(best.column("id").to_pylist(), best.column("kept").to_pylist(), strict=True))


def _shingle_sets(block: pa.Table, ids: pa.Array, config: Any) -> pa.Table:
    """(id, its distinct shingle hashes) of the block's documents among `ids`, made in the task
    that read them (the driver neither gets the texts nor compiles the shingle code)."""
    from datamill.stages.dedup_minhash.shingles import config_shingles  # numba: workers only

    picked = block.filter(pc.is_in(block.column("id"), value_set=ids))
    shingles = config_shingles(picked.column("text"), config)
    bounds = shingles.offsets
    sets = [np.unique(shingles.hashes[bounds[i] : bounds[i + 1]]) for i in range(picked.num_rows)]
    return pa.table({"id": picked.column("id"), "shingles": pa.array(sets, pa.list_(pa.uint64()))})


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b)) / union if union else 1.0


def estimate(view, decisions: Iterable[pa.Table], config: Any) -> dict[str, Any]:
    """The sampled precision of the stage's decisions ((id, kept) rows, `sample_removed`): one
    more pass over the view, for the texts of the sampled removed documents and of the
    documents kept in their place (only those rows)."""
    pairs = sample_removed(decisions)
    if not pairs:
        return {"precision_sample": 0}
    wanted = pa.array(sorted({doc for pair in pairs for doc in pair}), pa.string())
    found = view.with_columns(["text"], ids=wanted).map_shards(_shingle_sets, ids=wanted, config=config)
    if not found:
        return {"precision_sample": 0}
    picked = pa.concat_tables(found)
    sets = {
        doc: np.asarray(hashes.values)
        for doc, hashes in zip(picked.column("id").to_pylist(), picked.column("shingles"), strict=True)
    }
    similar = [jaccard(sets[doc], sets[kept]) for doc, kept in pairs]
    return {
        "precision_sample": len(pairs),
        "precision_estimate": round(float(np.mean([s >= config.threshold for s in similar])), 4),
        "precision_sample_min_jaccard": round(float(min(similar)), 4),
    }
