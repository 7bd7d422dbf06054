"""Merging new values into the `signals` map column (a row's earlier signals are kept)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline.schema import SIGNALS


def merged_signals(batch: pa.Table, new: list[dict[str, float]]) -> pa.Array:
    """The batch's `signals` with `new[i]` added to row i (new keys win)."""
    names = list(dict.fromkeys(key for values in new for key in values))
    return merged_signal_columns(batch, {name: [values.get(name) for values in new] for name in names})


def merged_signal_columns(batch: pa.Table, new: dict[str, pa.Array | list[float | None]]) -> pa.Array:
    """The batch's `signals` with column `new[name]` added under `name` (a null adds nothing;
    new keys win over earlier values), without a Python loop over rows."""
    rows = batch.num_rows
    if "signals" in batch.column_names:
        old = batch.column("signals").combine_chunks().cast(SIGNALS)
    else:
        old = pa.array([None] * rows, SIGNALS)
    offsets = np.asarray(old.offsets, dtype=np.int64)  # of this (possibly sliced) array
    first, last = int(offsets[0]), int(offsets[-1])
    owner = np.repeat(np.arange(rows), np.diff(offsets))
    old_keys = old.keys.slice(first, last - first)
    keep = old.is_valid().to_numpy(zero_copy_only=False)[owner]
    columns = {
        name: column.cast(pa.float64()) if isinstance(column, pa.Array) else pa.array(column, pa.float64())
        for name, column in new.items()
    }
    keys, values, owners = [], [], []
    for name, column in columns.items():
        present = column.is_valid().to_numpy(zero_copy_only=False)
        keep &= ~(pc.equal(old_keys, name).to_numpy(zero_copy_only=False) & present[owner])
        owners.append(np.flatnonzero(present))
        keys.append(pa.array([name] * len(owners[-1]), pa.string()))
        values.append(column.filter(column.is_valid()))
    mask = pa.array(keep)
    keys.insert(0, old_keys.filter(mask))
    values.insert(0, old.items.slice(first, last - first).filter(mask))
    owners.insert(0, owner[keep])
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=rows)))).astype(np.int32)
    entries_keys = pa.concat_arrays(keys).take(order)
    entries_values = pa.concat_arrays(values).take(order)
    return pa.MapArray.from_arrays(pa.array(offsets), entries_keys, entries_values, type=SIGNALS)
