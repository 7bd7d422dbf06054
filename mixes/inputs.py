"""Runs as mix inputs: their run.json and the kept rows of their final segment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datamill.mixes.spec import MixSpecError
from datamill.pipeline.schema import RECORD_SCHEMA

SIGNAL_PREFIX = "signal_"  # `signal_<key>` in a filter reads that key of the `signals` map
# record columns a filter may use (plus `tokens`, `run` and `signal_<key>`)
FILTER_COLUMNS = (
    "id",
    "source",
    "uri",
    "locator",
    "fetched_at",
    "content_type",
    "text",
    "title",
    "published",
    "lang",
    "lang_score",
    "license",
    "tdm_opt_out",
    "quality",
    "dup_cluster",
    "kind",
    "parent_id",
)


@dataclass(frozen=True)
class RunInput:
    name: str
    path: Path
    state: dict[str, Any]

    def describe(self, kept_rows: int) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "run": self.state.get("name"),
            "config_sha": self.state.get("config_sha"),
            "git_commit": self.state.get("git_commit"),
            "datamill_version": self.state.get("datamill_version"),
            "output": self.state.get("output"),
            "kept_rows": kept_rows,
        }


def open_run(name: str, path: Path) -> RunInput:
    """A finished run directory; MixSpecError naming the input otherwise."""
    run_json = path / "run.json"
    try:
        state = json.loads(run_json.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MixSpecError(f"inputs.{name}: no run at {path} ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise MixSpecError(f"inputs.{name}: {run_json} is not valid JSON") from exc
    if state.get("status") != "done" or not state.get("output"):
        raise MixSpecError(f"inputs.{name}: run {path} is not finished (status {state.get('status')!r})")
    return RunInput(name, path, state)


def kept_files(run_dir: Path, state: dict[str, Any]) -> list[str]:
    """The Parquet files of a run's final segment (the kept rows)."""
    output = run_dir / state.get("output", "")
    return [str(p) for p in sorted(output.glob("*.parquet")) if not p.name.startswith((".", "_"))]


def read_kept(run_dir: Path, state: dict[str, Any], columns: list[str]) -> pa.Table:
    import pyarrow.dataset as pads  # here: it imports pandas (0.3 s), which export never needs

    files = kept_files(run_dir, state)
    if not files:
        return RECORD_SCHEMA.empty_table().select(columns)
    return pads.dataset(files, format="parquet", schema=RECORD_SCHEMA).to_table(columns=columns)


def signal_column(signals: pa.ChunkedArray, key: str) -> pa.Array:
    """One key of the `signals` map as a float column (null where a row lacks it)."""
    maps = signals.combine_chunks() if signals.num_chunks else pa.array([], signals.type)
    offsets = maps.offsets.to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(len(maps)), np.diff(offsets))
    first = offsets[0] if len(offsets) else 0
    keys = maps.keys.slice(first, len(rows))
    values = maps.items.slice(first, len(rows)).to_numpy(zero_copy_only=False)
    hit = pc.fill_null(pc.equal(keys, key), False).to_numpy(zero_copy_only=False)
    out = np.zeros(len(maps))
    present = np.zeros(len(maps), dtype=bool)
    out[rows[hit]] = values[hit]
    present[rows[hit]] = True
    return pa.array(out, pa.float64(), mask=~present)
