"""The quickstart and an export on a two-node Ray cluster started on this machine (once for the
module: starting it is slow), joined with --address."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _node(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [RAY, "start", "--block", *args],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _alive_nodes(address: str, env: dict) -> int:
    code = (
        "import ray; ray.init(address=%r, log_to_driver=False); print(sum(n['Alive'] for n in ray.nodes()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code % address], env=env, capture_output=True, text=True, timeout=120
    )
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 and out.stdout.strip() else 0


@pytest.fixture(scope="module")
def two_node_cluster():
    temp = Path(tempfile.mkdtemp(prefix="rc", dir="/tmp"))
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_USAGE_STATS_ENABLED": "0"}
    port = _free_port()
    address = f"127.0.0.1:{port}"
    head = _node(
        [
            "--head",
            f"--port={port}",
            "--node-ip-address=127.0.0.1",
            "--num-cpus=2",
            '--resources={"head_res": 1}',
            "--include-dashboard=false",
            f"--temp-dir={temp}",
        ],
        env,
    )
    procs = [head]
    try:
        deadline = time.monotonic() + 120
        while _alive_nodes(address, env) < 1:
            assert head.poll() is None and time.monotonic() < deadline, "head node did not start"
            time.sleep(1)
        procs.append(
            _node(
                [
                    f"--address={address}",
                    "--node-ip-address=127.0.0.1",
                    "--num-cpus=2",
                    '--resources={"worker_res": 1}',
                ],
                env,
            )
        )
        while _alive_nodes(address, env) < 2:
            assert procs[1].poll() is None and time.monotonic() < deadline, "worker node did not join"
            time.sleep(1)
        yield address, env
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def test_quickstart_runs_on_both_nodes_of_a_cluster(two_node_cluster, tmp_path):
    address, env = two_node_cluster
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "datamill.pipeline.cli",
        "run",
        str(ROOT / "configs" / "quickstart.yaml"),
        "--address",
        address,
        "--run-dir",
        str(run_dir),
        "--quiet",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    state = json.loads((run_dir / "run.json").read_text())
    assert state["status"] == "done"
    fused = state["segments"][0]
    assert len(fused["nodes"]) == 2, fused
    for segment in state["segments"]:
        for stats in segment["stats"].values():
            assert stats["docs_in"] == stats["kept"] + stats["rejected"]


def test_export_runs_its_tasks_on_both_nodes_and_writes_the_same_bytes(two_node_cluster, tmp_path):
    from datamill.mixes import spec as spec_mod
    from datamill.mixes.export import export
    from tests.mix_fixtures import generated_run, write_spec

    address, env = two_node_cluster
    generated_run(tmp_path / "run", files=6, rows=400, chars=800)
    spec = {
        "name": "cluster",
        "seed": 3,
        "inputs": {"run": str(tmp_path / "run")},
        "license_policy": {"allow_unknown": True},
        "shards": {"target_bytes": 64 << 10, "row_group_bytes": 16 << 10},
        "components": [{"name": "all", "filter": "true", "weight": 1.0, "max_epochs": 2}],
    }
    path = write_spec(tmp_path / "mix.yaml", spec)
    cli = [sys.executable, "-m", "datamill.pipeline.cli", "export", str(path), "--out", str(tmp_path / "out")]
    out = subprocess.run([*cli, "--address", address], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    stats = json.loads((tmp_path / "out" / "export.json").read_text())
    assert stats["executor"] == {"kind": "ray", "workers": 4} and len(stats["nodes"]) == 2, stats
    alone = export(spec_mod.load(path), tmp_path / "alone", spec_path=path, executor="serial")
    assert alone["totals"]["shards"] >= 6
    for name in ["manifest.json", *(s["path"] for s in alone["shards"])]:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "alone" / name).read_bytes(), name
