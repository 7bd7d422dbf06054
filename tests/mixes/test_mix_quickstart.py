"""The quickstart end to end: configs/quickstart.yaml run once, exported with
configs/mixes/quickstart.yaml, verified, audited, and explored with the notebook."""

from __future__ import annotations

import json
import random
from pathlib import Path

import nbformat
import polars as pl
import pytest
import yaml
from nbclient import NotebookClient

from datamill.mixes import audit
from datamill.mixes import spec as spec_mod
from datamill.mixes.export import export
from datamill.mixes.shards import sha256_file
from datamill.mixes.verify import verify
from datamill.pipeline import config as config_mod
from datamill.pipeline.runner import Runner

ROOT = Path(__file__).resolve().parents[2]
MIX = ROOT / "configs" / "mixes" / "quickstart.yaml"


@pytest.fixture(scope="module")
def quickstart_run(ray_session, tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("quickstart") / "run"
    Runner(config_mod.load(ROOT / "configs" / "quickstart.yaml"), run_dir, progress=False).run()
    return run_dir


def _spec(run_dir: Path) -> spec_mod.MixSpec:
    data = yaml.safe_load(MIX.read_text(encoding="utf-8"))
    data["inputs"] = {"quickstart": str(run_dir)}
    return spec_mod.parse(data, str(MIX), MIX.parent)


@pytest.fixture(scope="module")
def quickstart_export(quickstart_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("quickstart-export") / "out"
    export(_spec(quickstart_run), out)
    return out


def test_quickstart_export_matches_its_manifest_and_weights(quickstart_export):
    manifest = json.loads((quickstart_export / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["docs"] > 0
    assert manifest["tokenizer"]["stored_counts_from"] == ["quickstart"]  # its `tokens` stage
    for shard in manifest["shards"]:
        assert sha256_file(quickstart_export / shard["path"]) == shard["sha256"]
    assert verify(quickstart_export) == []
    weights = {c.name: c.weight for c in _spec(Path("unused")).components}
    for comp in manifest["components"]:
        share = comp["actual_tokens"] / manifest["totals"]["tokens"]
        assert abs(share - weights[comp["name"]]) <= 0.02 or comp["shortfall_tokens"] > 0, comp


def test_quickstart_export_is_byte_identical_the_second_time(quickstart_run, quickstart_export, tmp_path):
    export(_spec(quickstart_run), tmp_path / "again")
    first = sorted(p.name for p in quickstart_export.glob("part-*.parquet"))
    assert first == sorted(p.name for p in (tmp_path / "again").glob("part-*.parquet"))
    for name in first:
        assert (tmp_path / "again" / name).read_bytes() == (quickstart_export / name).read_bytes()


def test_a_random_quickstart_row_reaches_its_raw_warc_record(quickstart_export):
    rows = pl.read_parquet(quickstart_export / "part-*.parquet").filter(pl.col("source") == "web")
    row = rows.row(random.Random(5).randrange(rows.height), named=True)
    result = audit.audit_row(quickstart_export, id=row["id"])
    assert result.raw.path.name == "web.warc.gz" and result.raw.offset is not None
    assert f"WARC-Target-URI: {row['uri']}\r\n" in result.raw.headers
    assert result.raw.payload.lstrip().lower().startswith((b"<!doctype", b"<html"))
    assert result.record["lineage"][0]["stage"] == "ingest"
    assert audit.audit_export(quickstart_export).ok


def test_the_notebook_runs_on_the_quickstart_run(quickstart_run, monkeypatch):
    monkeypatch.setenv("DATAMILL_RUN_DIR", str(quickstart_run))
    notebook = nbformat.read(ROOT / "notebooks" / "explore_run.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    stdout = "".join(o["text"] for o in code[0].outputs if o.get("name") == "stdout")
    assert stdout.startswith("quickstart done ")  # (stderr may hold matplotlib's first-run note)
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # funnel, drop reasons, lengths
    state = json.loads((quickstart_run / "run.json").read_text(encoding="utf-8"))
    keys = {k for seg in state["segments"] for s in seg["stats"].values() for k in s["rejected_by_reason"]}
    reasons = next(c for c in code if "by_reason" in c.source).outputs[-1]["data"]["text/plain"]
    assert reasons.startswith(f"shape: ({len(keys)}, 2)")  # one row per drop reason counted in run.json


def test_the_quickstart_run_reports_its_sampled_dedup_precision(quickstart_run):
    state = json.loads((quickstart_run / "run.json").read_text(encoding="utf-8"))
    counters = state["segments"][-1]["stats"]["dedup_minhash"]["counters"]
    # the near-duplicates the sample corpus plants are all removed at their true similarity
    assert counters["precision_sample"] == counters["docs_removed"] == 3
    assert counters["precision_estimate"] == 1.0
    assert 0.8 <= counters["precision_sample_min_jaccard"] < 1.0
