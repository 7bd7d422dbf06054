"""LSH buckets: one row per (document, band), grouped by band key into candidate pairs.

Documents travel as `doc`, a 64-bit hash of their id (16 bytes a band row instead of a string),
mapped back to ids on the driver for the few documents that end up in pairs.
The shuffle goes through shared storage (`pipeline/partitions.py`): every signature task writes its
band rows split by `key % partitions`, then one task per partition reads that partition's files
and writes its pairs split by `a % partitions` (`write_pairs`), so each call of `bucket_pairs`
sees every row of the buckets it holds. Memory per task is one block's band rows,
then one partition's; the number of partitions grows with the corpus (`partition_count`).
A bucket of m documents yields all pairs among its first `anchors` documents (by doc key) and,
for every further document, a pair with each of those anchors: at most `anchors * m` pairs, so
an oversize bucket (boilerplate, templates) costs memory linear in its size, not quadratic.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import xxhash

from datamill.pipeline.partitions import read_partition, write_partitions

KEY = "key"
DOC = "doc"
BANDS = "bands"
PAIR_SCHEMA = pa.schema([("a", pa.uint64()), ("b", pa.uint64())])
BAND_ROW_SCHEMA = pa.schema([(KEY, pa.uint64()), (DOC, pa.uint64())])
PARTITION_BYTES = 128 << 20  # band rows a partition task aims to hold


def partition_count(docs: int, bands: int, minimum: int) -> int:
    """Partitions for a corpus: at least `minimum`, more once band rows pass PARTITION_BYTES each."""
    return max(minimum, -(-docs * bands * len(BAND_ROW_SCHEMA) * 8 // PARTITION_BYTES))


def doc_keys(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """64-bit document keys: xxh3 of the id."""
    return pa.array([xxhash.xxh3_64_intdigest(i.encode("utf-8")) for i in ids.to_pylist()], pa.uint64())


def band_rows(batch: pa.Table) -> pa.Table:
    """(key, doc) for every band of every document that has shingles."""
    shingled = batch.filter(np.asarray(batch.column("shingles")) > 0)
    keys = shingled.column(BANDS).combine_chunks()
    if not len(keys):
        return BAND_ROW_SCHEMA.empty_table()
    docs = np.repeat(np.asarray(shingled.column(DOC)), keys.type.list_size)
    return pa.table({KEY: keys.flatten(), DOC: docs}, schema=BAND_ROW_SCHEMA)


def bucket_pairs(batch: pa.Table, anchors: int) -> pa.Table:
    """Candidate pairs (a < b) of every bucket wholly contained in the batch."""
    if not batch.num_rows:
        return PAIR_SCHEMA.empty_table()
    keys, docs = np.asarray(batch.column(KEY)), np.asarray(batch.column(DOC))
    order = np.argsort(keys)  # one 64-bit sort (SIMD), then (key, doc) order only where it counts
    shared = keys[order[1:]] == keys[order[:-1]]
    in_bucket = np.concatenate(([False], shared)) | np.concatenate((shared, [False]))
    rows = order[in_bucket]  # the rows of buckets of two or more (62% of them make no pair)
    order = np.lexsort((docs[rows], keys[rows]))
    keys, docs = keys[rows][order], docs[rows][order]
    if not len(keys):
        return PAIR_SCHEMA.empty_table()
    new_group = np.concatenate(([True], keys[1:] != keys[:-1]))
    group_first = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    per_row = np.minimum(np.arange(len(keys)) - group_first[group], anchors)
    total = int(per_row.sum())
    member = np.repeat(np.arange(len(keys)), per_row)
    within = np.arange(total) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    a, b = docs[group_first[group[member]] + within], docs[member]
    distinct = a != b
    return pa.table({"a": a[distinct], "b": b[distinct]}, schema=PAIR_SCHEMA)


def distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pair once, sorted by (a, b)."""
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    first = np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1]))) if len(a) else np.zeros(0, bool)
    return a[first], b[first]


def write_pairs(part: int, bands: str, out: str, partitions: int, anchors: int) -> dict[str, int]:
    """Distinct candidate pairs of one band partition (written by the signature tasks),
    written split by `a % partitions` into `out/<a partition>/<part>.parquet`."""
    rows = read_partition(bands, part, BAND_ROW_SCHEMA)
    pairs = bucket_pairs(rows, anchors)
    del rows
    a, b = distinct_pairs(np.asarray(pairs.column("a")), np.asarray(pairs.column("b")))
    write_partitions(pa.table({"a": a, "b": b}, schema=PAIR_SCHEMA), "a", partitions, out, f"{part:05d}")
    return {"pairs": len(a)}
