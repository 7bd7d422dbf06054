"""Near-duplicate clusters from candidate pairs: verify, connect, choose the document to keep.

`cluster` runs on one node (the driver) over the candidate pairs and the signatures of the
documents that appear in them, which is a small share of the corpus when duplicates are a small
share; components come from numpy rounds of hooking and pointer jumping (`components`). The
distributed path (`distributed.py`) shares the keep rule (`kept_rows`: highest `quality`,
null lowest, then longest text, then smallest id), the stats and `apply_decisions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline.partitions import read_batches
from datamill.pipeline.stage import SHARD
from datamill.stages.dedup_minhash.buckets import DOC
from datamill.stages.dedup_minhash.lsh import ScatteredSignatures, pair_jaccard, signature_matrix

SIGNATURE_COLUMNS = [DOC, "id", "quality", "length", "signature", SHARD]

DECISION_SCHEMA = pa.schema(
    [("id", pa.string()), ("kept", pa.string()), ("size", pa.int64()), ("jaccard", pa.float64())]
)


@dataclass(frozen=True)
class Members:
    """The documents that appear in candidate pairs (node i of the pair indices)."""

    ids: pa.Array
    quality: np.ndarray  # float64, NaN where null
    length: np.ndarray  # int64 characters
    signatures: np.ndarray | ScatteredSignatures  # (documents x num_perm) uint32
    shards: np.ndarray  # int32: the view shard of each document


@dataclass
class Clusters:
    decisions: pa.Table  # one row per member of a cluster of two or more (DECISION_SCHEMA)
    rows: np.ndarray  # the member each decision row is about
    stats: dict[str, Any] = field(default_factory=dict)


def gather_members(files: list[Path], keys: np.ndarray, num_perm: int) -> tuple[Members, np.ndarray]:
    """Members for the sorted doc `keys`, from the signature partition `files` (doc, id,
    quality, length, signature, shard; mapped files, whose signatures stay where they are:
    `ScatteredSignatures`), and a mask of the keys that name exactly one document (a 64-bit
    collision names two: such documents are left out of clustering and counted)."""
    count = len(keys)
    quality = np.full(count, np.nan)
    length = np.zeros(count, np.int64)
    shards = np.zeros(count, np.int32)
    matrix = np.zeros(count, np.int64)
    row = np.zeros(count, np.int64)
    matrices: list[np.ndarray] = []
    ids, places = [pa.array([], pa.string())], [np.zeros(0, np.int64)]
    batches = (batch for path in (files if count else []) for batch in read_batches(path, SIGNATURE_COLUMNS))
    for batch in batches:
        docs = batch.column(DOC).to_numpy()
        at = np.minimum(np.searchsorted(keys, docs), count - 1)
        hit = np.flatnonzero(keys[at] == docs)
        if len(hit):
            place = at[hit]
            matrix[place] = len(matrices)
            row[place] = hit
            matrices.append(signature_matrix(batch.column("signature"), num_perm))
            quality[place] = batch.column("quality").to_numpy(zero_copy_only=False)[hit]
            length[place] = batch.column("length").to_numpy()[hit]
            shards[place] = batch.column(SHARD).to_numpy()[hit]
            ids.append(batch.column("id").take(hit))
            places.append(place)
    place = np.concatenate(places)
    first = np.full(count, -1, np.int64)  # each key's first row among those found, in file order
    seen, at_first = np.unique(place, return_index=True)
    first[seen] = at_first
    # a key found in two rows (a collision) may hold either row's columns: it is left out
    signatures = ScatteredSignatures(matrices, matrix, row, num_perm)
    members = Members(
        pa.concat_arrays(ids).take(pa.array(first, mask=first < 0)), quality, length, signatures, shards
    )
    return members, np.bincount(place, minlength=count) == 1


def pair_indices(pairs: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sorted distinct doc keys, a, b): each distinct pair once, as indices into the keys.
    Sorted in place, few temporaries: fresh memory costs the driver 3-14 ms a MB here."""
    a_keys = np.asarray(pairs.column("a").combine_chunks(), dtype=np.uint64)
    b_keys = np.asarray(pairs.column("b").combine_chunks(), dtype=np.uint64)
    keys = _distinct(np.concatenate((a_keys, b_keys)))
    low, high = np.searchsorted(keys, a_keys), np.searchsorted(keys, b_keys)
    top = np.maximum(low, high)
    low = np.minimum(low, high, out=low)
    low *= len(keys)
    low += top
    codes = _distinct(low)  # min * len(keys) + max of each pair
    return keys, codes // max(1, len(keys)), codes % max(1, len(keys))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array it may sort in place, ascending."""
    values.sort()
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def verified(
    a: np.ndarray, b: np.ndarray, signatures: np.ndarray | ScatteredSignatures, threshold: float
) -> np.ndarray:
    """Mask of the pairs whose signature-estimated Jaccard reaches the threshold."""
    return pair_jaccard(signatures, a, b) >= threshold


def components(count: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label of each of `count` nodes joined by the edges (a, b): the smallest node of
    its component. Each round hooks the larger root of every edge that joins two roots under the
    smaller one, then jumps pointers until every node points at its root; a few rounds of numpy
    over the edges (SciPy's connected components cost the driver 0.15-0.25 s of imports)."""
    parent = np.arange(count)
    while True:
        root_a, root_b = parent[a], parent[b]
        apart = root_a != root_b
        if not apart.any():
            return parent
        root_a, root_b = root_a[apart], root_b[apart]
        np.minimum.at(parent, np.maximum(root_a, root_b), np.minimum(root_a, root_b))
        while not np.array_equal(grand := parent[parent], parent):
            parent = grand


def kept_rows(labels: np.ndarray, quality: np.ndarray, length: np.ndarray, ids: pa.Array) -> np.ndarray:
    """Row of the kept document of each row's component (rows with equal labels): highest
    quality (NaN lowest), then longest, then smallest id."""
    if not len(labels):
        return np.zeros(0, dtype=np.int64)
    groups = np.unique(labels, return_inverse=True)[1].ravel()
    quality = np.where(np.isnan(quality), -np.inf, quality)
    id_rank = np.empty(len(labels), dtype=np.int64)
    id_rank[np.asarray(pc.sort_indices(ids), dtype=np.int64)] = np.arange(len(labels))
    order = np.lexsort((id_rank, -length, -quality, groups))
    first = np.concatenate(([True], groups[order][1:] != groups[order][:-1]))
    kept_of_group = np.empty(groups.max() + 1, dtype=np.int64)
    kept_of_group[groups[order][first]] = order[first]
    return kept_of_group[groups]


def cluster(members: Members, a: np.ndarray, b: np.ndarray, top: int) -> Clusters:
    """Clusters over verified pairs and the decision for every member."""
    count = len(members.ids)
    labels = components(count, a, b)
    sizes = np.bincount(labels, minlength=count)
    kept = kept_rows(labels, members.quality, members.length, members.ids)
    clustered = np.flatnonzero(sizes[labels] > 1)
    jaccard = pair_jaccard(members.signatures, clustered, kept[clustered])
    decisions = pa.table(
        {
            "id": members.ids.take(clustered),
            "kept": members.ids.take(kept[clustered]),
            "size": sizes[labels[clustered]],
            "jaccard": jaccard,
        },
        schema=DECISION_SCHEMA,
    )
    representatives = np.unique(kept[clustered])
    stats = cluster_stats(sizes[labels[representatives]], members.ids.take(representatives), top)
    return Clusters(decisions, clustered, stats)


def cluster_stats(sizes: np.ndarray, kept_ids: pa.Array, top: int) -> dict[str, Any]:
    """Counts, size histogram and the `top` largest of clusters given by their sizes and kept ids."""
    histogram: dict[str, int] = {}
    for size, count in zip(*(part.tolist() for part in np.unique(sizes, return_counts=True)), strict=True):
        low = 1 << (size.bit_length() - 1)
        name = str(size) if size < 4 else f"{low}-{2 * low - 1}"
        histogram[name] = histogram.get(name, 0) + count
    ranked = pa.table({"neg": -np.asarray(sizes, np.int64), "kept": kept_ids})
    largest = []
    if top and len(ranked):
        first = pc.select_k_unstable(ranked, top, sort_keys=[("neg", "ascending"), ("kept", "ascending")])
        largest = ranked.take(first).to_pylist()
    return {
        "clusters": int(len(sizes)),
        "docs_in_clusters": int(sizes.sum()),
        "docs_removed": int(sizes.sum() - len(sizes)),
        "cluster_size_histogram": histogram,
        "largest_clusters": [{"kept": row["kept"], "size": -row["neg"]} for row in largest],
    }


def merge_cluster_stats(parts: list[dict[str, Any]], top: int) -> dict[str, Any]:
    """`cluster_stats` of disjoint sets of clusters added up: equal to those of their union."""
    histogram: dict[str, int] = {}
    for part in parts:
        for name, count in part["cluster_size_histogram"].items():
            histogram[name] = histogram.get(name, 0) + count
    largest = sorted(
        ((-c["size"], c["kept"]) for part in parts for c in part["largest_clusters"]),
    )[:top]
    return {
        **{key: sum(part[key] for part in parts) for key in ("clusters", "docs_in_clusters", "docs_removed")},
        "cluster_size_histogram": dict(sorted(histogram.items(), key=lambda kv: int(kv[0].split("-")[0]))),
        "largest_clusters": [{"kept": kept_id, "size": -neg} for neg, kept_id in largest],
    }


def apply_decisions(batch: pa.Table, decisions: pa.Table) -> tuple[pa.Array, pa.Array, dict[str, pa.Array]]:
    """(dup_cluster, drop reason, new signal columns) for every row of a batch."""
    ids = batch.column("id").combine_chunks().cast(pa.string())
    index = pc.index_in(ids, value_set=decisions.column("id").combine_chunks())
    kept = decisions.column("kept").take(index)
    is_dup = pc.fill_null(pc.not_equal(kept, ids), False)
    reasons = pc.if_else(
        is_dup,
        pc.binary_join_element_wise("dedup_minhash:near_duplicate_of", kept, ":"),
        pa.scalar(None, pa.string()),
    )
    signals = {
        "minhash_cluster_size": pc.fill_null(decisions.column("size").take(index), 1),
        "minhash_jaccard_to_kept": decisions.column("jaccard").take(index),
    }
    return pc.coalesce(kept, ids), reasons, {k: v.combine_chunks() for k, v in signals.items()}
