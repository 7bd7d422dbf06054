"""Read a run's outputs back: kept rows of the last segment, rejected rows of every stage."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datamill.pipeline.schema import RECORD_SCHEMA, REJECTED_SCHEMA


def _read(files: list[Path], schema: pa.Schema) -> pa.Table:
    tables = [pq.read_table(f, schema=schema) for f in files]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def kept(run_dir: Path) -> pa.Table:
    """Kept rows of the run's final segment."""
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    output = run_dir / state["output"]
    return _read(sorted(output.glob("*.parquet")), RECORD_SCHEMA)


def rejected(run_dir: Path, stage: str | None = None) -> pa.Table:
    """Rejected rows of one stage, or of all stages."""
    root = run_dir / "rejected"
    pattern = f"{stage}/*.parquet" if stage else "*/*.parquet"
    return _read(sorted(p for p in root.glob(pattern) if not p.name.startswith(".")), REJECTED_SCHEMA)
