"""Candidate pairs verified in partition tasks: each pair joined with the signatures of both ends.

Pairs are written split by `a % P` (`buckets.write_pairs`), signatures by `doc % P`, so
partition p of both holds what one task needs. `join_a` gives each distinct pair of its partition
the signature of `a` and sends the pair on to partition `b % P`; `join_b` adds the signature of
`b`, keeps the pairs whose estimated Jaccard reaches the threshold (when verifying) and writes
them as the edges of the graph (`components.py`). Memory per task: one partition's pairs
(with one signature each) and the signatures of the documents in them.
A doc key that names two rows (a 64-bit collision, or an id given twice) is left out, as on the
driver; each such key seen in a pair is counted once, by the task of its own partition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datamill.pipeline.partitions import locate, read_keys, read_partition, write_partitions
from datamill.stages.dedup_minhash.buckets import DOC, PAIR_SCHEMA, distinct_pairs
from datamill.stages.dedup_minhash.clusters import SIGNATURE_COLUMNS
from datamill.stages.dedup_minhash.components import write_edges
from datamill.stages.dedup_minhash.lsh import estimated_jaccard, signature_matrix

SIGNATURES, PAIRS, JOINED, COLLIDED, EDGES = "signatures", "pairs", "joined", "collided", "edges"


def signatures_of(scratch: Path, part: int, keys: np.ndarray) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """(signature rows of the sorted `keys` in partition `part`, sorted by doc key; the row of
    each key; whether the key names exactly one row)."""
    found = read_keys(scratch / SIGNATURES, part, DOC, keys, SIGNATURE_COLUMNS)
    docs = np.asarray(found.column(DOC).combine_chunks(), dtype=np.uint64)
    return found, *locate(docs, keys)


def join_a(part: int, scratch: str, partitions: int) -> dict[str, int]:
    """The partition's distinct pairs with the signature of `a`, written on by `b % P`."""
    scratch = Path(scratch)
    pairs = read_partition(scratch / PAIRS, part, PAIR_SCHEMA)
    a, b = distinct_pairs(np.asarray(pairs.column("a")), np.asarray(pairs.column("b")))
    if not len(a):
        return {"candidate_pairs": 0}
    keys, at = np.unique(a, return_inverse=True)
    found, rows, unique = signatures_of(scratch, part, keys)
    if not unique.all():
        (scratch / COLLIDED).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({DOC: keys[~unique]}), scratch / COLLIDED / f"{part:05d}.parquet")
    joined = pa.table(
        {
            "a": a,
            "b": b,
            "a_unique": unique[at],
            "a_signature": found.column("signature").take(rows[at]),
        }
    )
    write_partitions(joined, "b", partitions, scratch / JOINED, f"{part:05d}")
    return {"candidate_pairs": len(a)}


def join_b(
    part: int, scratch: str, partitions: int, num_perm: int, threshold: float, verify: bool
) -> dict[str, int]:
    """Edges (verified pairs whose ends each name one document) of the pairs sent to this
    partition, written for `components.py`; counts this partition's collided doc keys."""
    scratch = Path(scratch)
    joined = read_partition(scratch / JOINED, part, joined_schema(num_perm))
    collided_file = scratch / COLLIDED / f"{part:05d}.parquet"
    collided_a = np.zeros(0, dtype=np.uint64)
    if collided_file.exists():
        collided_a = pq.read_table(collided_file).column(DOC).to_numpy()
    if not joined.num_rows:
        return {"verified_pairs": 0, "doc_key_collisions": len(collided_a)}
    a, b = np.asarray(joined.column("a")), np.asarray(joined.column("b"))
    keys, at = np.unique(b, return_inverse=True)
    found, rows, unique = signatures_of(scratch, part, keys)
    keep = np.asarray(joined.column("a_unique")) & unique[at]
    if verify:
        left = signature_matrix(joined.column("a_signature"), num_perm)
        right = signature_matrix(found.column("signature"), num_perm)[rows[at]]
        keep &= estimated_jaccard(left, right) >= threshold
    write_edges(a[keep], b[keep], partitions, scratch / EDGES, f"{part:05d}")
    collided = np.union1d(collided_a, keys[~unique])
    return {"verified_pairs": int(keep.sum()), "doc_key_collisions": len(collided)}


def joined_schema(num_perm: int) -> pa.Schema:
    return pa.schema(
        [
            ("a", pa.uint64()),
            ("b", pa.uint64()),
            ("a_unique", pa.bool_()),
            ("a_signature", pa.binary(4 * num_perm)),
        ]
    )
