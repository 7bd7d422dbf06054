"""Connected components of a graph larger than one node holds, in rounds of partition tasks.

The alternating large-star / small-star algorithm (Kiveris et al., "Connected Components in
MapReduce and Beyond", 2014) over uint64 node keys. Edges live in partition files split by their
first node; a pass is one Ray Data task per partition (`pipeline/partitions.run_tasks`) that groups
its edges by that node and writes the next pass's edges split by the node that owns them there:
- large star: node u links each neighbour larger than u to m(u), the smallest of u and its
  neighbours;
- small star: node u links itself and its smaller neighbours to the smallest of them.
Both keep every component connected, and alternating them ends in stars centred on each
component's smallest node. A large-star pass also writes every node's m(u) as its label and
counts the nodes not yet settled (settled: no smaller neighbour, or a single neighbour that is
smaller); a pass that counts none read stars, so its labels are the components.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datamill.pipeline.partitions import read_partition, run_tasks, write_partitions
from datamill.stages.dedup_minhash.buckets import distinct_pairs

EDGE_SCHEMA = pa.schema([("u", pa.uint64()), ("v", pa.uint64())])
LABEL_SCHEMA = pa.schema([("node", pa.uint64()), ("label", pa.uint64())])
MAX_ROUNDS = 100  # large-star passes; the alternation needs O(log^2 nodes)


def write_edges(a: np.ndarray, b: np.ndarray, partitions: int, folder: Path | str, name: str) -> None:
    """Undirected edges (a, b), written both ways split by their first node."""
    table = pa.table({"u": np.concatenate((a, b)), "v": np.concatenate((b, a))}, schema=EDGE_SCHEMA)
    write_partitions(table, "u", partitions, folder, name)


def components(edges: Path, labels: Path, partitions: int) -> int:
    """Writes the label of every node of the edges in `edges` (`write_edges`): the smallest node
    of its component, into `labels/<node % partitions>.parquet`. Returns the rounds it took."""
    work = edges.parent / "components"
    current = edges
    for round_ in range(1, MAX_ROUNDS + 1):
        small = work / f"{round_}-small"
        unsettled = run_tasks(
            large_star,
            partitions,
            edges=str(current),
            out=str(small),
            labels=str(labels),
            partitions=partitions,
        )
        shutil.rmtree(current, ignore_errors=True)
        if not sum(row["unsettled"] for row in unsettled):
            shutil.rmtree(work, ignore_errors=True)
            return round_
        current = work / f"{round_}-large"
        run_tasks(small_star, partitions, edges=str(small), out=str(current), partitions=partitions)
        shutil.rmtree(small, ignore_errors=True)
    raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")


def _grouped(edges: str, part: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, start of u's group on every row) of one partition's distinct edges, by (u, v)."""
    table = read_partition(edges, part, EDGE_SCHEMA)
    u, v = distinct_pairs(np.asarray(table.column("u")), np.asarray(table.column("v")))
    first = np.concatenate(([True], u[1:] != u[:-1])) if len(u) else np.zeros(0, dtype=bool)
    return u, v, np.flatnonzero(first)


def large_star(part: int, edges: str, out: str, labels: str, partitions: int) -> dict[str, int]:
    u, v, starts = _grouped(edges, part)
    label_file = Path(labels) / f"{part:05d}.parquet"
    if not len(u):
        label_file.unlink(missing_ok=True)
        return {"unsettled": 0}
    node, smallest = u[starts], v[starts]  # v is sorted within a group
    degree = np.diff(np.append(starts, len(u)))
    smallest_of_group = np.minimum(node, smallest)
    label_file.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"node": node, "label": smallest_of_group}, schema=LABEL_SCHEMA), label_file)
    group = np.repeat(np.arange(len(starts)), degree)
    larger = v > u
    linked = pa.table({"u": v[larger], "v": smallest_of_group[group[larger]]}, schema=EDGE_SCHEMA)
    write_partitions(linked, "u", partitions, out, f"{part:05d}")
    return {"unsettled": int(((smallest < node) & (degree > 1)).sum())}


def small_star(part: int, edges: str, out: str, partitions: int) -> dict[str, int]:
    """Edges (u, v) here all have v < u (a large-star pass writes them so)."""
    u, v, starts = _grouped(edges, part)
    if not len(u):
        return {}
    degree = np.diff(np.append(starts, len(u)))
    smallest = np.repeat(v[starts], degree)
    others = v != smallest
    write_edges(
        np.concatenate((v[others], u[starts])),
        np.concatenate((smallest[others], v[starts])),
        partitions,
        out,
        f"{part:05d}",
    )
    return {}


def read_labels(labels: Path, part: int) -> pa.Table:
    """(node, label) of the nodes in one partition, sorted by node."""
    path = labels / f"{part:05d}.parquet"
    return pq.read_table(path, schema=LABEL_SCHEMA) if path.exists() else LABEL_SCHEMA.empty_table()
