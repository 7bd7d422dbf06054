"""Append one decision per row to the `lineage` list column, vectorised."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline.schema import LINEAGE_ENTRY


def append(
    lineage: pa.ChunkedArray | pa.Array,
    *,
    stage: str,
    version: str,
    config_sha: str,
    decision: str | pa.Array,
    reasons: pa.Array | None = None,
) -> pa.Array:
    """Return `lineage` with one entry added to every row. `decision` is one for all rows or
    one per row; `reasons` (one per row, may be null) goes into the entry's `reason` field."""
    if isinstance(lineage, pa.ChunkedArray):
        lineage = lineage.combine_chunks() if lineage.num_chunks else pa.array([], lineage.type)
    n = len(lineage)
    lineage = lineage.cast(pa.list_(LINEAGE_ENTRY))
    lineage = pc.if_else(pc.is_null(lineage), pa.scalar([], pa.list_(LINEAGE_ENTRY)), lineage)
    if reasons is None:
        reasons = pa.nulls(n, pa.string())
    new = pa.StructArray.from_arrays(
        [
            pa.repeat(pa.scalar(stage, pa.string()), n),
            pa.repeat(pa.scalar(version, pa.string()), n),
            pa.repeat(pa.scalar(config_sha, pa.string()), n),
            pa.repeat(pa.scalar(decision, pa.string()), n)
            if isinstance(decision, str)
            else decision.cast(pa.string()),
            reasons.cast(pa.string()),
        ],
        fields=list(LINEAGE_ENTRY),
    )
    offsets = np.asarray(lineage.offsets, dtype=np.int64)
    old_values = lineage.values.slice(offsets[0], offsets[-1] - offsets[0])
    offsets = offsets - offsets[0]
    lengths = np.diff(offsets)
    # old entries keep their order; the new entry of row i goes right after them
    take = np.empty(offsets[-1] + n, dtype=np.int64)
    new_offsets = offsets + np.arange(n + 1)
    row_of_old = np.repeat(np.arange(n), lengths)
    take_pos_old = np.arange(offsets[-1]) + row_of_old
    take[take_pos_old] = np.arange(offsets[-1])
    take[new_offsets[1:] - 1] = offsets[-1] + np.arange(n)
    values = pa.concat_arrays([old_values, new]).take(pa.array(take))
    return pa.ListArray.from_arrays(pa.array(new_offsets, pa.int32()), values)
