"""Turn a stage's `drop_reason` column into kept rows and rejected rows, lineage appended."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline import lineage, textref
from datamill.pipeline.schema import REJECTED_SCHEMA, conform
from datamill.pipeline.stage import DROP_REASON, EDIT


def _with_lineage(
    table: pa.Table, decision: str | pa.Array, reasons: pa.Array | None, stage: str, version: str, sha: str
) -> pa.Table:
    column = lineage.append(
        table.column("lineage"),
        stage=stage,
        version=version,
        config_sha=sha,
        decision=decision,
        reasons=reasons,
    )
    return table.set_column(table.column_names.index("lineage"), "lineage", column)


def _kept(table: pa.Table, stage: str, version: str, sha: str) -> pa.Table:
    """Kept rows with their lineage entry: `edited`, with the stage's note as the reason, for
    the rows the stage says it changed (`edit`), else `kept`."""
    if EDIT not in table.column_names:
        return _with_lineage(table, "kept", None, stage, version, sha)
    edits = table.column(EDIT).combine_chunks().cast(pa.string())
    decision = pc.if_else(pc.is_valid(edits), pa.scalar("edited"), pa.scalar("kept"))
    return _with_lineage(table.drop_columns([EDIT]), decision, edits, stage, version, sha)


def split(batch: pa.Table, stage: str, version: str, sha: str) -> tuple[pa.Table, pa.Table | None, pa.Array]:
    """Return (kept rows without `drop_reason` or `edit`, rejected rows in the rejected schema or
    None, the rejected rows' reasons)."""
    reasons = pa.array([], pa.string())
    if DROP_REASON not in batch.column_names:
        return _kept(batch, stage, version, sha), None, reasons
    dropped = pc.is_valid(batch.column(DROP_REASON))
    rejected = None
    if pc.any(dropped).as_py():
        rejected = batch.filter(dropped)
        reasons = rejected.column(DROP_REASON).combine_chunks().cast(pa.string())
        rejected = _with_lineage(rejected, "rejected", reasons, stage, version, sha)
        drop_stage = pa.repeat(pa.scalar(stage, pa.string()), rejected.num_rows)
        rejected = rejected.append_column("drop_stage", drop_stage)
        rejected = conform(textref.stored(rejected), REJECTED_SCHEMA)
        batch = batch.filter(pc.invert(dropped))
    return _kept(batch.drop_columns([DROP_REASON]), stage, version, sha), rejected, reasons
