"""LSH buckets: one row per (document, band), grouped by band key into candidate pairs.

Both functions are plain Arrow-batch functions; the stage runs them in Ray Data around a hash
shuffle on `key`, so each call of `bucket_pairs` sees every row of the buckets it holds.
A bucket of m documents yields all pairs among its first `anchors` documents (by id) and, for
every further document, a pair with each of those anchors: at most `anchors * m` pairs, so an
oversize bucket (boilerplate, templates) costs memory linear in its size, not quadratic.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

KEY = "key"
BANDS = "bands"
PAIR_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string())])
BAND_ROW_SCHEMA = pa.schema([(KEY, pa.uint64()), ("id", pa.string())])


def band_rows(batch: pa.Table) -> pa.Table:
    """(key, id) for every band of every document that has shingles."""
    shingled = batch.filter(np.asarray(batch.column("shingles")) > 0)
    keys = shingled.column(BANDS).combine_chunks()
    if not len(keys):
        return BAND_ROW_SCHEMA.empty_table()
    per_doc = keys.type.list_size
    flat = keys.flatten()
    ids = shingled.column("id").combine_chunks().take(np.repeat(np.arange(len(keys)), per_doc))
    return pa.table({KEY: flat, "id": ids}, schema=BAND_ROW_SCHEMA)


def bucket_pairs(batch: pa.Table, anchors: int) -> pa.Table:
    """Candidate pairs (a < b by id) of every bucket wholly contained in the batch."""
    if not batch.num_rows:
        return PAIR_SCHEMA.empty_table()
    batch = batch.sort_by([(KEY, "ascending"), ("id", "ascending")])
    keys = np.asarray(batch.column(KEY))
    new_group = np.concatenate(([True], keys[1:] != keys[:-1]))
    group_first = np.flatnonzero(new_group)
    group = np.cumsum(new_group) - 1
    position = np.arange(len(keys)) - group_first[group]
    per_row = np.minimum(position, anchors)
    total = int(per_row.sum())
    if not total:
        return PAIR_SCHEMA.empty_table()
    member = np.repeat(np.arange(len(keys)), per_row)
    within = np.arange(total) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    anchor = group_first[group[member]] + within
    ids = batch.column("id").combine_chunks()
    pairs = pa.table({"a": ids.take(anchor), "b": ids.take(member)}, schema=PAIR_SCHEMA)
    return pairs.filter(pc.not_equal(pairs.column("a"), pairs.column("b")))
