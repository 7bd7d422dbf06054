"""Read a run's outputs back: kept rows of the last segment, rejected rows of every stage,
texts held by reference read in (textref.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datamill.pipeline import textref
from datamill.pipeline.schema import RECORD_SCHEMA, REJECTED_SCHEMA, conform


def read(files: list[Path], run_dir: Path, schema: pa.Schema = RECORD_SCHEMA) -> pa.Table:
    """Rows files of a run as one table in `schema`, every text in place."""
    texts = textref.TextFiles(run_dir)
    tables = [conform(textref.resolve(pq.read_table(f), texts), schema) for f in files]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def kept(run_dir: Path) -> pa.Table:
    """Kept rows of the run's final segment."""
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    output = run_dir / state["output"]
    return read(sorted(p for p in output.glob("*.parquet") if not p.name.startswith(".")), run_dir)


def rejected(run_dir: Path, stage: str | None = None) -> pa.Table:
    """Rejected rows of one stage, or of all stages."""
    root = run_dir / "rejected"
    pattern = f"{stage}/*.parquet" if stage else "*/*.parquet"
    files = sorted(p for p in root.glob(pattern) if not p.name.startswith("."))
    return read(files, run_dir, REJECTED_SCHEMA)
