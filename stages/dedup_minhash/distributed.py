"""Near-duplicate clusters without the driver holding pairs or signatures: the distributed path.

Every step is one pass of partition tasks over scratch files (`pipeline/partitions.py`); the driver
holds one row of counts per task.
1. Verification (`join.py`): pairs joined with the signatures of both ends, into edges.
2. Components (`components.py`): each node labelled with its component's smallest doc key.
3. Members: each node's id, quality, length and signature sent to partition `label % P`.
4. Keep: per component the driver's keep rule (`clusters.kept_rows`), its size and each
   member's estimated Jaccard to the kept document, stats per partition added up on the
   driver (`clusters.merge_cluster_stats`).
   The decision rows go to their shards' folders (`write_decisions`), for the applier.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from datamill.pipeline.partitions import read_partition, run_tasks, write_decisions, write_partitions
from datamill.pipeline.stage import SHARD
from datamill.stages.dedup_minhash.buckets import DOC
from datamill.stages.dedup_minhash.clusters import (
    cluster_stats,
    kept_rows,
    merge_cluster_stats,
)
from datamill.stages.dedup_minhash.components import components, read_labels
from datamill.stages.dedup_minhash.join import EDGES, JOINED, join_a, join_b, signatures_of
from datamill.stages.dedup_minhash.lsh import pair_jaccard, signature_matrix

LABELS, MEMBERS = "labels", "members"


def distributed_clusters(
    scratch: Path,
    partitions: int,
    num_perm: int,
    threshold: float,
    verify: bool,
    top: int,
    out: Path,
    shard_keys: list[str],
) -> dict[str, Any]:
    """Writes the decision rows to `out` per shard; returns the stats of the clusters."""
    common = {"scratch": str(scratch), "partitions": partitions}
    joined = run_tasks(join_a, partitions, **common)
    verified = run_tasks(join_b, partitions, num_perm=num_perm, threshold=threshold, verify=verify, **common)
    shutil.rmtree(scratch / JOINED, ignore_errors=True)
    edges = sum(row["verified_pairs"] for row in verified)
    rounds = components(scratch / EDGES, scratch / LABELS, partitions) if edges else 0
    parts: list[dict[str, Any]] = []
    if edges:
        run_tasks(send_members, partitions, **common)
        keep_args = {"num_perm": num_perm, "top": top, "out": str(out), "shard_keys": shard_keys}
        kept = run_tasks(keep, partitions, **keep_args, **common)
        parts = [json.loads(row["stats"]) for row in kept]
    return {
        "candidate_pairs": sum(row["candidate_pairs"] for row in joined),
        "verified_pairs": edges,
        "doc_key_collisions": sum(row["doc_key_collisions"] for row in verified),
        **merge_cluster_stats(parts, top),
        "component_iterations": rounds,
    }


def send_members(part: int, scratch: str, partitions: int) -> dict[str, int]:
    """The signature rows of this partition's labelled nodes, with their label, written on by
    `label % P`."""
    scratch = Path(scratch)
    labels = read_labels(scratch / LABELS, part)
    if not labels.num_rows:
        return {}
    found, rows, _ = signatures_of(scratch, part, np.asarray(labels.column("node")))
    members = found.take(rows).append_column("label", labels.column("label"))
    write_partitions(members, "label", partitions, scratch / MEMBERS, f"{part:05d}")
    return {}


def keep(
    part: int, scratch: str, partitions: int, num_perm: int, top: int, out: str, shard_keys: list[str]
) -> dict[str, str]:
    """Decision rows of the components whose label falls in this partition, written to their
    shards' folders under `out`; their stats as JSON."""
    scratch = Path(scratch)
    members = read_partition(scratch / MEMBERS, part, member_schema(num_perm))
    labels = np.asarray(members.column("label"))
    ids = members.column("id").combine_chunks()
    kept = kept_rows(
        labels,
        members.column("quality").to_numpy().astype(np.float64),
        members.column("length").to_numpy(),
        ids,
    )
    _, group, counts = np.unique(labels, return_inverse=True, return_counts=True)
    sizes = counts[group.ravel()]
    signatures = signature_matrix(members.column("signature"), num_perm)
    decisions = pa.table(
        {
            "id": ids,
            "kept": ids.take(kept),
            "size": sizes,
            "jaccard": pair_jaccard(signatures, np.arange(len(kept)), kept),
            SHARD: members.column(SHARD),
        }
    )
    write_decisions(decisions, out, shard_keys, f"{part:05d}")
    representatives = np.unique(kept)
    return {"stats": json.dumps(cluster_stats(sizes[representatives], ids.take(representatives), top))}


def member_schema(num_perm: int) -> pa.Schema:
    return pa.schema(
        [
            (DOC, pa.uint64()),
            ("id", pa.string()),
            ("quality", pa.float32()),
            ("length", pa.int64()),
            ("signature", pa.binary(4 * num_perm)),
            (SHARD, pa.int32()),
            ("label", pa.uint64()),
        ]
    )
