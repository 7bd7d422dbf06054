"""A global stage's view of the rows: shards of Arrow batches, mapped by plain Ray tasks.

Ray tasks start in milliseconds where a Ray Data pipeline costs 0.3-3 s to plan and start (on
these machines); a global stage maps its view two to four times. `View.dataset()` gives the
same rows as a Ray Dataset for stages that stream into actor pools (synthesize).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pyarrow as pa

# one task per shard; a retried task (worker lost) runs the shard again: the functions mapped
# write files named by their content, so a retry overwrites its own files
_IN_FLIGHT_PER_CPU = 4
# a shard's view batches are joined up to about this many bytes before the mapped function
# sees them: fewer, larger calls (and partition files) than one per rows batch
BLOCK_BYTES = 32 << 20


class View:
    """`parts[i]` read by `reader(parts[i])` (a picklable callable yielding tables) is shard i."""

    def __init__(self, reader: Callable[[Any], Iterator[pa.Table]], parts: list[Any], num_cpus: int) -> None:
        self.reader = reader
        self.parts = parts
        self.num_cpus = num_cpus

    def map_shards(self, fn: Callable[..., pa.Table | None], /, **kwargs: Any) -> list[pa.Table]:
        """`fn(table, **kwargs)` on every block of every shard (its batches joined up to
        BLOCK_BYTES), one Ray task (1 CPU) per shard; the non-empty tables it returns, in shard
        order (small: counts or narrow rows)."""
        import ray

        task = ray.remote(num_cpus=1)(_map_part)
        fn_ref = ray.put((self.reader, fn, kwargs))
        window = max(1, _IN_FLIGHT_PER_CPU * self.num_cpus)
        results: dict[int, list[pa.Table]] = {}
        running: dict[Any, int] = {}
        for i, part in enumerate(self.parts):
            running[task.remote(fn_ref, part)] = i
            while len(running) >= window or (i == len(self.parts) - 1 and running):
                ready, _ = ray.wait(list(running), num_returns=1)
                results[running.pop(ready[0])] = ray.get(ready[0])
        return [table for i in range(len(self.parts)) for table in results.get(i, [])]

    def with_columns(self, columns: list[str], ids: pa.Array | None = None) -> View:
        """The same rows as `columns` (plus `id` and `_shard`), read rather than prepared: for
        a stage that decides on prepared columns and then needs, say, some texts; with `ids`,
        only those rows (picked as read, before the appliers, which decide row by row). A
        reader that is not a `functools.partial` taking `columns` and `prepare` (in-memory
        parts, which hold every column and every row) is kept as it is."""
        reader = self.reader
        if isinstance(reader, partial) and "columns" in reader.keywords:
            keywords = {**reader.keywords, "columns": columns, "prepare": None, "ids": ids}
            reader = partial(reader.func, *reader.args, **keywords)
        return View(reader, self.parts, self.num_cpus)

    def dataset(self):
        """The view as a Ray Dataset (one block per shard)."""
        from datamill.pipeline.terminal import import_ray_data

        ray_data = import_ray_data()
        _data_context(ray_data.DataContext.get_current())
        items = [{"i": i} for i in range(len(self.parts))]
        return ray_data.from_items(items, override_num_blocks=max(1, len(items))).map_batches(
            _read_part,
            fn_kwargs={"reader": self.reader, "parts": self.parts},
            batch_size=1,
            batch_format="pyarrow",
        )


def _data_context(ctx) -> None:
    """Ray Data set up here, where it is used: `import ray.data` costs a driver 1.5 s, which
    every run paid when Ray's start-up did it."""
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    # view parts are shard indexes, not data blocks: spread them over every actor of a pool
    # (wait for the whole pool, so the first actor up does not take all the work)
    ctx.wait_for_min_actors_s = 600


def _map_part(packed: tuple, part: Any) -> list[pa.Table]:
    reader, fn, kwargs = packed
    out = (fn(table, **kwargs) for table in blocks(reader(part)))
    return [table for table in out if table is not None and table.num_rows]


def blocks(tables: Iterator[pa.Table], size: int = BLOCK_BYTES) -> Iterator[pa.Table]:
    """`tables` joined, in order, into tables of about `size` bytes (the last one smaller)."""
    pending: list[pa.Table] = []
    held = 0
    for table in tables:
        pending.append(table)
        held += table.nbytes
        if held >= size:
            yield pa.concat_tables(pending, promote_options="default")
            pending, held = [], 0
    if pending:
        yield pa.concat_tables(pending, promote_options="default")


def _read_part(
    batch: pa.Table, reader: Callable[[Any], Iterator[pa.Table]], parts: list[Any]
) -> Iterator[pa.Table]:
    yield from reader(parts[batch.column("i")[0].as_py()])
