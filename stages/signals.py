"""Merging new values into the `signals` map column (a row's earlier signals are kept)."""

from __future__ import annotations

import pyarrow as pa

from pipeline.schema import SIGNALS


def merged_signals(batch: pa.Table, new: list[dict[str, float]]) -> pa.Array:
    """The batch's `signals` with `new[i]` added to row i (new keys win)."""
    old = batch.column("signals").to_pylist() if "signals" in batch.column_names else [None] * len(new)
    rows = []
    for previous, values in zip(old, new, strict=True):
        row = dict(previous) if previous else {}
        row.update(values)
        rows.append(list(row.items()))
    return pa.array(rows, type=SIGNALS)
