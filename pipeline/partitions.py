"""Partition files split by a 64-bit key, and Ray tasks over their partitions.

The MinHash stage shuffles through shared storage, the way MapReduce does: a task writes its
rows split by `key % partitions` into `folder/<partition>/<name>.parquet` (`write_partitions`),
and one task per partition of the next step reads that partition's files (`read_partition`).
`run_tasks` runs such a step, one Ray Data task per partition, and hands the driver only each
task's small result row. A file's name comes from the task that writes it, so a retried task
overwrites its own files. Global stages shuffle this way (Ray Data's hash shuffle and join
operators cost 10-30 s each to start, more than the work on small data) and write their
decisions per shard (`write_decisions`) for the rows pass that applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from datamill.pipeline.rundir import naming
from datamill.pipeline.stage import SHARD


def file_name(keys: np.ndarray | pa.Array | pa.ChunkedArray) -> str:
    """The name of the files a task writes for the rows of these doc keys: the same rows give
    the same name, so a retried task overwrites its own files."""
    return xxhash.xxh3_128_hexdigest(np.asarray(keys).tobytes())


def locate(docs: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each key in the sorted `docs`, whether exactly one row holds it: a 64-bit
    doc key collision, or an id given twice, names two)."""
    rows = np.searchsorted(docs, keys)
    return rows, np.searchsorted(docs, keys, side="right") - rows == 1


def partition_folder(folder: Path | str, part: int) -> Path:
    return Path(folder) / f"{part:05d}"


def write_partitions(
    rows: pa.Table,
    by: str,
    partitions: int,
    folder: Path | str,
    name: str,
    compression: str | dict[str, str] = "none",
    mapped: bool = False,
) -> None:
    """Rows split by `column(by) % partitions` into `folder/<partition>/<name>.parquet`, or
    with `mapped` into uncompressed Arrow IPC files `<name>.arrow` that readers memory-map:
    for wide rows a reader picks a few of (signatures), which it then copies once out of the
    page cache instead of decoding whole files into fresh memory."""
    part = np.asarray(rows.column(by).combine_chunks(), dtype=np.uint64) % np.uint64(partitions)
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(partitions + 1))
    for p in range(partitions):
        if bounds[p + 1] > bounds[p]:
            target = partition_folder(folder, p)
            target.mkdir(parents=True, exist_ok=True)
            chunk = rows.take(order[bounds[p] : bounds[p + 1]])
            path = target / f"{name}{_MAPPED if mapped else '.parquet'}"
            with naming(path):
                if mapped:
                    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, chunk.schema) as out:
                        out.write_table(chunk)
                else:
                    pq.write_table(chunk, path, compression=compression)


_MAPPED = ".arrow"


def partition_files(folder: Path | str, part: int) -> list[Path]:
    here = partition_folder(folder, part)
    return sorted([*here.glob("*.parquet"), *here.glob(f"*{_MAPPED}")])


def read_batches(path: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """A partition file's record batches (of `columns`): a Parquet file decoded 64k rows at a
    time, a mapped one's batches zero-copy out of the page cache."""
    if path.suffix != _MAPPED:
        yield from pq.ParquetFile(path).iter_batches(batch_size=1 << 16, columns=columns)
        return
    with pa.memory_map(str(path)) as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            yield batch.select(columns) if columns is not None else batch


def read_partition(folder: Path | str, part: int, schema: pa.Schema) -> pa.Table:
    """Every row of one partition (an empty table when no task wrote to it)."""
    tables = [
        pa.Table.from_batches(list(read_batches(f)), schema=schema)
        if f.suffix == _MAPPED
        else pq.read_table(f, schema=schema)
        for f in partition_files(folder, part)
    ]
    return pa.concat_tables([schema.empty_table(), *tables])


def pick_rows(table: pa.Table, column: str, keys: np.ndarray) -> pa.Table:
    """The rows of `table` whose uint64 `column` is one of the sorted `keys`."""
    if not len(keys):
        return table.slice(0, 0)
    values = np.asarray(table.column(column).combine_chunks(), dtype=np.uint64)
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return table.filter(pa.array(keys[at] == values))


def read_keys(
    folder: Path | str, part: int, column: str, keys: np.ndarray, columns: list[str]
) -> pa.Table | None:
    """The rows of one partition whose `column` is one of the sorted `keys`, a file batch at a
    time (memory: those rows only), sorted by `column`; None when there are none."""
    picked = [
        pick_rows(pa.Table.from_batches([batch]), column, keys)
        for path in (partition_files(folder, part) if len(keys) else [])
        for batch in read_batches(path, columns)
    ]
    found = pa.concat_tables(picked) if picked else None
    if found is None or not found.num_rows:
        return None
    return found.sort_by(column)


def run_tasks(task: Callable[..., dict[str, Any]], count: int, /, **kwargs: Any) -> list[dict[str, Any]]:
    """`task(part, **kwargs)` for every part in range(count), one Ray task (1 CPU) each; the
    dicts they return (small: counts, not data), in part order."""
    import ray

    if not count:
        return []
    remote = ray.remote(num_cpus=1)(_run_one)
    packed = ray.put((task, kwargs))
    return ray.get([remote.remote(packed, part) for part in range(count)])


def _run_one(packed: tuple[Callable[..., dict[str, Any]], dict[str, Any]], part: int) -> dict[str, Any]:
    task, kwargs = packed
    return {"part": part, **task(part, **kwargs)}


def write_decisions(rows: pa.Table, folder: Path | str, shard_keys: list[str], name: str) -> None:
    """Decision rows (with the view's `_shard` column) written per shard, to
    `folder/shards/<shard key>/<name>.parquet`, without `_shard`: a rows pass reads only its
    shard's."""
    if not rows.num_rows:
        return
    shards = np.asarray(rows.column(SHARD).combine_chunks())
    order = np.argsort(shards, kind="stable")
    values, starts = np.unique(shards[order], return_index=True)
    ends = [*starts[1:], len(order)]
    body = rows.drop_columns([SHARD])
    for shard, lo, hi in zip(values.tolist(), starts.tolist(), ends, strict=True):
        target = Path(folder) / "shards" / shard_keys[shard]
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(body.take(order[lo:hi]), target / f"{name}.parquet", compression="zstd")


def read_decisions(folder: Path | str, key: str, schema: pa.Schema) -> pa.Table:
    """The decision rows `write_decisions` wrote for one shard (empty when none)."""
    files = sorted((Path(folder) / "shards" / key).glob("*.parquet"))
    return pa.concat_tables([schema.empty_table(), *(pq.read_table(f, schema=schema) for f in files)])
