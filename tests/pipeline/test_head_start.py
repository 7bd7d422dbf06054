"""First-pass shards run in the driver while a local Ray starts (`pipeline/head_start.py`)
give the rows, rejections and run summary a run without them gives (the driver prepares
nothing for the global stages: their views prepare its shards from the text)."""

import json
import subprocess
from pathlib import Path

import yaml

from datamill.pipeline import outputs
from datamill.pipeline.verify import verify
from tests.conftest import run_command, run_pipeline
from tests.corpus import article

FILES = 12


def _config(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in range(FILES):
        lines = [{"text": article(f * 5 + i, "zh" if i % 2 else "en"), "url": f"u{f}-{i}"} for i in range(5)]
        lines.append({"text": article(0, "en"), "url": f"copy-{f}"})  # an exact copy of u0-0
        lines.append({"text": "  ", "url": f"blank-{f}"})  # empty after normalize
        (docs / f"{f:02d}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    config = {
        "name": "head",
        "ray": {"num_cpus": 2},
        "sources": [{"name": "docs", "kind": "jsonl", "paths": ["docs"]}],
        "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}, {"stage": "dedup_minhash"}],
    }
    path = tmp_path / "head.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _rows(run_dir: Path) -> tuple[list, list]:
    kept = outputs.kept(run_dir)
    rejected = outputs.rejected(run_dir)
    return (
        sorted(
            zip(*(kept.column(c).to_pylist() for c in ("id", "text", "dup_cluster", "lineage")), strict=True)
        ),
        sorted(
            zip(*(rejected.column(c).to_pylist() for c in ("id", "drop_stage", "drop_reason")), strict=True)
        ),
    )


def test_shards_run_while_ray_starts_give_the_same_run(ray_session, tmp_path):
    config = _config(tmp_path)
    # in-process, on the test session's running Ray: nothing to wait for, no head start
    joined = run_pipeline(yaml.safe_load(config.read_text()), tmp_path, tmp_path / "joined")
    assert joined["segments"][0]["shards_head_start"] == 0
    # a command starts its own Ray and runs shards in the driver meanwhile
    done = subprocess.run(
        run_command(config, tmp_path / "started"), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    started = json.loads((tmp_path / "started" / "run.json").read_text())
    first = started["segments"][0]
    assert first["shards"] == FILES and 1 <= first["shards_head_start"] <= FILES
    assert first["shards_resumed"] == 0
    assert _rows(tmp_path / "started") == _rows(tmp_path / "joined")
    kept, rejected = _rows(tmp_path / "started")
    stages = [stage for _, stage, _ in rejected]
    assert stages.count("normalize") == FILES and stages.count("dedup_exact") == FILES
    assert len(kept) + stages.count("dedup_minhash") == FILES * 5
    for key in ("docs_in", "kept", "rejected"):
        assert started["totals"][key] == joined["totals"][key]
    for seg, other in zip(started["segments"], joined["segments"], strict=True):
        assert {k: v["rejected"] for k, v in seg["stats"].items()} == {
            k: v["rejected"] for k, v in other["stats"].items()
        }
    assert verify(tmp_path / "started")[0] == []
