"""`datamill run` as a user runs it: the terminal shows progress and the summary, Ray's own
start-up messages go to the run directory's `ray.log`."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.corpus import article


def test_run_prints_the_summary_and_keeps_ray_messages_in_the_log(tmp_path: Path):
    lines = [{"text": article(i, "en"), "url": f"https://example.org/{i}"} for i in range(3)]
    lines.append({"text": "   ", "url": "https://example.org/blank"})
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    config = {
        "name": "cli",
        "ray": {"num_cpus": 2},
        "sources": [{"name": "docs", "kind": "jsonl", "paths": ["docs.jsonl"]}],
        "stages": [{"stage": "normalize"}],
    }
    (tmp_path / "cli.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "datamill.pipeline.cli",
        "run",
        str(tmp_path / "cli.yaml"),
        "--run-dir",
        str(run_dir),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith(
        f"cli: 4 documents in, 3 kept, 1 rejected -> {run_dir}/stages/01-ingest+normalize ("
    )
    assert out[1] == f"counts per stage: {run_dir}/run.json; Ray's messages: {run_dir}/ray.log"
    assert len(out) == 2
    # Ray's warnings (token auth, IP detection) are in the log, not on the terminal
    assert "01-ingest+normalize" in done.stderr  # the progress bar
    for noise in ("WARNING", "Token authentication", "network_util", "core_worker"):
        assert noise not in done.stderr
    log = (run_dir / "ray.log").read_text(encoding="utf-8")
    assert "Token authentication" in log or "network_util" in log, log  # Ray's own warnings
