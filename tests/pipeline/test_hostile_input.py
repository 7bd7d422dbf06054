"""Hostile input through the quickstart's stages in one `datamill run` (issue 20): every hostile
document ends in `rejected/` with its own reason, every good document beside it is kept, the
run exits 0, and the whole process tree (driver, Ray, workers, parser processes) stays under
3 GiB of RSS."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from pathlib import Path

import psutil
import yaml

from datamill.pipeline import outputs
from datamill.pipeline.verify import verify
from tests import hostile_corpus
from tests.conftest import ROOT, run_command

PEAK_LIMIT = 3 << 30


def quickstart_config(name: str, sources: list[dict]) -> dict:
    """configs/quickstart.yaml's stages (benchmark paths made absolute) over `sources`."""
    config = yaml.safe_load((ROOT / "configs" / "quickstart.yaml").read_text(encoding="utf-8"))
    for entry in config["stages"]:
        for benchmark in entry.get("benchmarks", []):
            benchmark["paths"] = [str((ROOT / "configs" / p).resolve()) for p in benchmark["paths"]]
    return {**config, "name": name, "sources": sources, "ray": {"num_cpus": 2}}


class PeakRss:
    """The largest sum of RSS over a process and its descendants, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.done.is_set():
            total = 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):  # it ended after the listing
                        total += proc.memory_info().rss
            except psutil.Error:
                return
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def test_hostile_corpus_through_the_quickstart(tmp_path: Path):
    sources, hostile, good = hostile_corpus.build(tmp_path)
    config = tmp_path / "hostile.yaml"
    config.write_text(yaml.safe_dump(quickstart_config("hostile", sources)), encoding="utf-8")
    run_dir = tmp_path / "run"
    cmd = run_command(config, run_dir)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = PeakRss(proc.pid)
    out, _ = proc.communicate(timeout=600)
    peak = memory.stop()
    assert proc.returncode == 0, out.decode()

    rejected = outputs.rejected(run_dir).select(["uri", "drop_reason"]).to_pylist()
    assert sorted((r["uri"], r["drop_reason"]) for r in rejected) == sorted(hostile.values())
    kept = outputs.kept(run_dir)
    texts = dict(zip(kept.column("uri").to_pylist(), kept.column("text").to_pylist(), strict=True))
    assert sorted(texts) == sorted(good)
    assert "\x00" not in texts["https://jsonl.example.org/7"]  # NULs dropped, the text kept
    assert texts["https://jsonl.example.org/7"] == texts["https://jsonl.example.org/7"].replace("\x00", "")
    lying = texts["https://charset.example.org/"]  # declared UTF-8, encoded GBK: read as GBK
    assert hostile_corpus.good_text(9).split("\n")[0] in lying
    assert verify(run_dir)[0] == []
    assert peak < PEAK_LIMIT, f"peak RSS of the process tree {peak / 2**30:.2f} GiB"
    print(f"peak RSS of the run's process tree: {peak / 2**30:.2f} GiB")
