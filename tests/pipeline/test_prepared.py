"""Global stages decide on columns the rows pass before them prepared (`GlobalStage.prepare`):
the same decisions as when their views prepare those columns from the text as they read it."""

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from datamill.pipeline import outputs, runner
from datamill.pipeline.stage import PREPARED
from tests.conftest import run_pipeline

FILES = 4


def _text(seed: int) -> str:
    """400 random common CJK characters with a few English words: unrelated to every other seed's."""
    pick = random.Random(seed)
    chars = [chr(pick.randrange(0x4E00, 0x6000)) for _ in range(400)]
    return "".join(chars[:200]) + " MinHash LSH " + "".join(chars[200:])


def _config(tmp_path: Path) -> dict:
    docs = tmp_path / "docs"
    docs.mkdir()
    for f in range(FILES):
        lines = [{"text": _text(f * 6 + i), "url": f"u{f}-{i}"} for i in range(6)]
        lines.append({"text": _text(0), "url": f"copy-{f}"})  # an exact copy of u0-0
        near = _text(f * 6 + 1)
        near = near[:100] + "改" + near[101:300] + "动" + near[301:]  # 2 of 413 characters changed
        lines.append({"text": near, "url": f"near-{f}"})
        lines.append({"text": " ", "url": f"blank-{f}"})  # empty after normalize
        (docs / f"{f:02d}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return {
        "name": "prepared",
        "ray": {"num_cpus": 2},
        "sources": [{"name": "docs", "kind": "jsonl", "paths": ["docs"]}],
        "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}, {"stage": "dedup_minhash"}],
    }


def _rows(run_dir: Path) -> tuple[list, list]:
    kept, rejected = outputs.kept(run_dir), outputs.rejected(run_dir)
    columns = ("id", "text", "dup_cluster", "signals", "lineage")
    return (
        sorted(zip(*(kept.column(c).to_pylist() for c in columns), strict=True), key=str),
        sorted(zip(*(rejected.column(c).to_pylist() for c in ("id", "drop_reason")), strict=True)),
    )


def test_prepared_columns_decide_as_the_text_does(ray_session, tmp_path, monkeypatch):
    config = _config(tmp_path)
    run_dir = tmp_path / "run"
    kept_prepared: list[Path] = []
    monkeypatch.setattr(runner, "_drop_prepared", lambda segment, stage: kept_prepared.append(segment))
    state = run_pipeline(config, tmp_path, run_dir)
    first = run_dir / state["segments"][0]["dir"]
    shards = sorted(p for p in first.glob("*.parquet"))
    assert len(shards) == FILES and kept_prepared
    folders = sorted(p.name.split("-")[0] for p in (first / PREPARED).iterdir())
    assert folders == ["dedup_exact", "dedup_minhash"]  # the first pass prepared for both
    for folder in (first / PREPARED).iterdir():
        for shard in shards:
            rows = pq.read_table(folder / shard.name)
            assert rows.num_rows == pq.read_metadata(shard).num_rows
    with_prepared = _rows(run_dir)
    kept, rejected = with_prepared
    assert len(kept) == FILES * 6  # every copy of u0-0 and every near copy go
    reasons = sorted(reason.split(":")[:2] for _, reason in rejected)
    assert reasons.count(["dedup_exact", "duplicate_of"]) == FILES
    assert reasons.count(["dedup_minhash", "near_duplicate_of"]) == FILES
    # the precision sample reads the texts of those rows only: every near copy (2 of 413
    # characters changed: Jaccard >= 0.95 by construction) against its original
    assert _precision(state) == {"precision_sample": FILES, "precision_estimate": 1.0}

    # the same run without the prepared files: the views prepare from the text they read
    shutil.rmtree(first / PREPARED)
    for pattern in ("decisions/*", "stages/04-*", "rejected/dedup_*"):
        for folder in run_dir.glob(pattern):
            shutil.rmtree(folder)
    monkeypatch.undo()
    again = run_pipeline(config, tmp_path, run_dir)
    assert again["segments"][0]["shards_resumed"] == FILES
    assert _rows(run_dir) == with_prepared
    assert _precision(again) == _precision(state)
    assert not (first / PREPARED).exists()


def _precision(state: dict) -> dict:
    decided = next(s for s in state["segments"] if s.get("cluster_path"))
    counters = decided["stats"]["dedup_minhash"]["counters"]
    return {k: counters[k] for k in ("precision_sample", "precision_estimate")}


def test_a_shard_redone_without_preparing_leaves_no_stale_prepared_file(tmp_path):
    """A shard run again by a pass that prepares nothing (a head start) deletes what an
    earlier attempt of it prepared: a view must not read columns of other rows."""
    from datamill.pipeline import config as config_mod

    path = tmp_path / "prepared.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path)), encoding="utf-8")
    plan = runner.Runner(config_mod.load(path, []), tmp_path / "run", progress=False)
    seg = plan.segments[0]
    folder = plan._folder(seg)
    plan.rd.prepare_segment(folder, seg.fingerprint, list(seg.stages))
    task = plan._first_tasks(seg, plan.source.plan_shards(plan.config.base_dir))[0]
    setup = plan._setup(seg, folder, None, {})
    assert setup.prepare == ("dedup_exact", "dedup_minhash")

    setup.build().process(task)
    written = sorted(folder.glob(f"{PREPARED}/*/{task.key}.parquet"))
    assert len(written) == 2
    rows = pq.read_metadata(folder / f"{task.key}.parquet").num_rows
    assert [pq.read_metadata(f).num_rows for f in written] == [rows, rows]

    replace(setup, prepare=()).build().process(task)
    assert list(folder.glob(f"{PREPARED}/*/{task.key}.parquet")) == []
    assert pq.read_metadata(folder / f"{task.key}.parquet").num_rows == rows
