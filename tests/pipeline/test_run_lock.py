"""One run at a time per run directory: a second run stops at start-up naming the holder; a
lock file a killed run left is taken over and the takeover recorded."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from datamill.pipeline import outputs
from datamill.pipeline.rundir import LOCK, RunDir, RunDirLocked


def _config(tmp_path: Path) -> dict:
    (tmp_path / "docs.jsonl").write_text(json.dumps({"text": "one document", "url": "u"}) + "\n")
    return {
        "name": "lock",
        "sources": [{"name": "d", "kind": "jsonl", "paths": ["docs.jsonl"]}],
        "stages": [{"stage": "normalize"}],
    }


def test_a_second_run_on_a_held_run_directory_stops_naming_the_holder(run, tmp_path):
    config = _config(tmp_path)
    with RunDir(tmp_path / "run").locked():
        holder = json.loads((tmp_path / "run" / LOCK).read_text())
        with pytest.raises(RunDirLocked, match=rf"in use by another run \(.*\"pid\": {holder['pid']}"):
            run(config)
        (tmp_path / "lock.yaml").write_text(yaml.safe_dump(config))
        cli = [sys.executable, "-m", "datamill.pipeline.cli", "run", str(tmp_path / "lock.yaml")]
        done = subprocess.run([*cli, "--run-dir", str(tmp_path / "run")], capture_output=True, text=True)
        assert done.returncode == 2
        assert f"run directory {tmp_path / 'run'} is in use by another run" in done.stderr
    assert not (tmp_path / "run" / "run.json").exists()  # nothing was started
    assert run(config)["status"] == "done"
    assert not (tmp_path / "run" / LOCK).exists()


def test_a_lock_left_by_a_killed_run_is_taken_over(run, tmp_path):
    left = {"host": "gone", "pid": 999999, "started_at": "2026-01-01T00:00:00+00:00"}
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / LOCK).write_text(json.dumps(left) + "\n")
    state = run(_config(tmp_path))
    assert state["lock_taken_over"] == left
    assert outputs.kept(tmp_path / "run").column("text").to_pylist() == ["one document"]
    assert not (tmp_path / "run" / LOCK).exists()
