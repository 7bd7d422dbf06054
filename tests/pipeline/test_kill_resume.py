"""A run killed with SIGKILL part-way and re-run ends with exactly the rows of an uninterrupted
run; one Ray worker process killed mid-run costs nothing; a run whose disk fills stops naming
the file it could not write and, once space is freed, resumes to the same rows."""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
import yaml

from datamill.pipeline import outputs
from datamill.pipeline.verify import verify
from tests.conftest import run_command
from tests.corpus import article, html_page

SHARDS = 16


def _corpus(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(SHARDS * 30):
        lang = "zh" if i % 3 else "en"
        body = article(i % 97, lang, paragraphs=6)  # i and i+97 are exact duplicates
        (pages / f"{i:04d}.html").write_text(html_page(f"Doc {i}", body, lang), encoding="utf-8")
    (pages / "blank.txt").write_text("   ")
    config = {
        "name": "kill",
        "ray": {"num_cpus": 2},
        "sources": [{"name": "pages", "kind": "files", "paths": ["pages"], "files_per_shard": 30}],
        "stages": [
            {"stage": "extract_html"},
            {"stage": "normalize"},
            {"stage": "dedup_exact"},
            {"stage": "dedup_minhash"},
        ],
    }
    path = tmp_path / "kill.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _start(config: Path, run_dir: Path) -> subprocess.Popen:
    cmd = run_command(config, run_dir)
    return subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finish(config: Path, run_dir: Path) -> None:
    proc = _start(config, run_dir)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out.decode()


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "timed out waiting for the run"
        time.sleep(0.05)


def _rows(run_dir: Path) -> tuple[list, list]:
    kept = outputs.kept(run_dir)
    rejected = outputs.rejected(run_dir)
    kept_rows = sorted(zip(kept.column("id").to_pylist(), kept.column("text").to_pylist(), strict=True))
    rejected_rows = sorted(
        zip(rejected.column("id").to_pylist(), rejected.column("drop_reason").to_pylist(), strict=True)
    )
    return kept_rows, rejected_rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("reference")
    config = _corpus(tmp_path)
    _finish(config, tmp_path / "run")
    return config, _rows(tmp_path / "run")


def _stray(run_dir: Path) -> list[str]:
    """Files or folders a killed attempt could leave behind: hidden names (temporary files,
    scratch and resume folders) anywhere in the run directory."""
    return sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.name.startswith("."))


MOMENTS = {
    # the first rows pass: some shards committed, others not
    "during_fused_pass": lambda run_dir: len(list(run_dir.glob("stages/01-*/_shards/*.json"))) >= 2,
    # dedup_exact deciding: its hash partitions are being written
    "during_global_decisions": lambda run_dir: any(run_dir.glob("decisions/02-*/.scratch/*/*")),
    # dedup_minhash deciding: its signature partitions are being written
    "during_second_global_decisions": lambda run_dir: any(
        run_dir.glob("decisions/03-*/.scratch/dedup_minhash/*/*/*")
    ),
    # the rows pass applying both stages' decisions: some shards written, others not
    "during_decisions_applied": lambda run_dir: any(run_dir.glob("stages/04-*/_shards/*.json")),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_killed_run_resumes_to_the_same_rows(reference, tmp_path, moment):
    config, (kept_ref, rejected_ref) = reference
    run_dir = tmp_path / "run"
    proc = _start(config, run_dir)
    try:
        _wait_for(lambda: MOMENTS[moment](run_dir), proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if moment == "during_fused_pass":
        assert len(list(run_dir.glob("stages/01-*/_shards/*.json"))) < SHARDS + 1, "all shards were done"
    if moment == "during_global_decisions":
        assert not any(run_dir.glob("decisions/02-*/_SUCCESS"))
    if moment == "during_second_global_decisions":
        assert not any(run_dir.glob("decisions/03-*/_SUCCESS"))

    _finish(config, run_dir)
    kept, rejected = _rows(run_dir)
    assert kept == kept_ref
    assert rejected == rejected_ref
    assert len({r[0] for r in kept + rejected}) == len(kept) + len(rejected) == SHARDS * 30 + 1
    assert _stray(run_dir) == []
    assert verify(run_dir)[0] == []


def _worker(root_pid: int, title: str) -> psutil.Process | None:
    """A process under `root_pid` whose title (what Ray shows it runs) starts with `title`."""
    for proc in psutil.Process(root_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if " ".join(proc.cmdline()).startswith(title):
                return proc
    return None


WORKERS = {
    # a Ray task of the first rows pass running a shard, after another was committed
    "fused_pass_task": (
        "ray::run_shard",
        lambda run_dir: any(run_dir.glob("stages/01-*/_shards/*.json")),
    ),
    # a Ray task of dedup_exact deciding: building its view of a shard and hashing it into
    # partition files
    "global_stage_task": ("ray::_map_part", lambda run_dir: True),
}


@pytest.mark.parametrize("worker", list(WORKERS))
def test_killed_ray_worker_costs_nothing(reference, tmp_path, worker):
    """SIGKILL of one Ray worker process mid-run: Ray restarts the actor or retries the task,
    the run finishes, and its rows are those of an uninterrupted run."""
    config, (kept_ref, rejected_ref) = reference
    # every first-pass shard in a Ray task: the driver may run them all while Ray starts
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["ray"]["head_start"] = False
    config = config.with_name("kill-no-head-start.yaml")
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    run_dir = tmp_path / "run"
    title, ready = WORKERS[worker]
    proc = _start(config, run_dir)
    try:
        victim = None
        deadline = time.monotonic() + 300
        while victim is None:
            assert proc.poll() is None, "the run ended before the worker could be killed"
            assert time.monotonic() < deadline, f"no process {title!r} seen"
            victim = _worker(proc.pid, title) if ready(run_dir) else None
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        committed = len(list(run_dir.glob("stages/01-*/_shards/*.json")))
        decided = any(run_dir.glob("decisions/02-*/_SUCCESS"))
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, out.decode()
    if worker == "fused_pass_task":
        assert committed < SHARDS + 1, "every shard was done before the kill"
    assert not decided, "dedup_exact had decided before the kill"
    # Ray saw the worker die (its message depends on whether a call was in flight); the rows
    # below show the work was redone
    assert b"will be retried" in out or b"A worker died or was killed" in out, out.decode()
    kept, rejected = _rows(run_dir)
    assert kept == kept_ref
    assert rejected == rejected_ref
    assert _stray(run_dir) == []
    assert verify(run_dir)[0] == []


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs (the tests run as root), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def _fails_for_space(config: Path, run_dir: Path) -> str:
    """Run to the end; it must fail for a full disk. Returns the file or folder it names."""
    proc = _start(config, run_dir)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 1, out.decode()
    message = out.decode().splitlines()[0]
    head, _, named = message.partition(" writing ")
    assert head == "datamill run: no space left on device", message
    assert message.endswith("free space and re-run the same command to resume"), message
    for marker in run_dir.glob("stages/*/_shards/*.json"):  # what was committed reads back whole
        pq.read_table(marker.parent.parent / f"{marker.stem}.parquet")
    return named.split(";")[0]


def test_full_disk_stops_the_run_and_it_resumes_when_space_is_freed(reference, small_disk):
    """The disk fills in the first rows pass, then (some space freed) while a global stage decides;
    with space the same command resumes to the rows of an uninterrupted run."""
    config, (kept_ref, rejected_ref) = reference
    ballast = small_disk / "ballast"
    run_dir = small_disk / "run"
    ballast.write_bytes(bytes((4 << 20) - (200 << 10)))  # 200 KiB left: part of the first pass
    named = _fails_for_space(config, run_dir)
    first_pass = (f"{run_dir}/stages/01-ingest+extract_html+normalize/pages-", f"{run_dir}/rejected/")
    assert named.startswith(first_pass), named  # a shard's kept or rejected rows
    assert any(run_dir.glob("stages/01-*/_shards/*.json")) and not any(run_dir.glob("stages/01-*/_SUCCESS"))

    os.truncate(ballast, (4 << 20) - (900 << 10))  # 900 KiB for the run: the first pass fits
    named = _fails_for_space(config, run_dir)  # a scratch file of a global stage
    assert named.startswith(f"{run_dir}/decisions/"), named
    assert any(run_dir.glob("stages/01-*/_SUCCESS")) and not any(run_dir.glob("decisions/03-*/_SUCCESS"))

    ballast.unlink()
    _finish(config, run_dir)
    kept, rejected = _rows(run_dir)
    assert kept == kept_ref
    assert rejected == rejected_ref
    assert _stray(run_dir) == []
    assert verify(run_dir)[0] == []
