"""Runner overhead: the fused pass with no stage (ingest only) vs a bare pyarrow read + write.

Writes Parquet shards of synthetic mixed Chinese/English documents, then
  - bare:   pq.read_table + pq.write_table(zstd) of every shard, one process (one core);
  - ours:   `datamill run` of a parquet source with no stages (ingest -> lineage -> kept Parquet)
            on a local Ray with --cpus workers;
and prints docs/s, MB/s, docs/s per core, the per-core ratio ours/bare, and peak memory (driver
+ Ray workers, sampled). Run inside a private network namespace:
    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/bench_runner.py'
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq

ZH = "数据清洗是训练大语言模型的关键步骤，我们需要去掉重复和低质量的网页内容。"
EN = "Data curation decides much of what a language model learns from the web. "


def make_shards(folder: Path, shards: int, docs_per_shard: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    total = 0
    for s in range(shards):
        texts = []
        for i in range(docs_per_shard):
            parts = [ZH if rng.random() < 0.6 else EN for _ in range(rng.randint(8, 40))]
            texts.append(f"{s}-{i} " + "".join(parts))
        total += sum(len(t.encode()) for t in texts)
        urls = [f"https://bench.example/{s}/{i}" for i in range(docs_per_shard)]
        pq.write_table(pa.table({"text": texts, "url": urls}), folder / f"shard-{s:03d}.parquet")
    return total


class PeakMemory:
    """Samples the summed RSS of this process and its descendants (Ray's workers included)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def bare(inputs: list[Path], out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds): pyarrow reads and writes with its own thread pool."""
    out.mkdir()
    started, cpu = time.perf_counter(), time.process_time()
    for path in inputs:
        pq.write_table(pq.read_table(path), out / path.name, compression="zstd")
    return time.perf_counter() - started, time.process_time() - cpu


def ours(folder: Path, run_dir: Path, cpus: int) -> tuple[float, float, float]:
    """Returns (seconds of the run as seen by the driver, seconds including Ray start, seconds
    spent inside the shard workers summed over shards)."""
    from datamill.pipeline import config as config_mod
    from datamill.pipeline.runner import Runner

    config_path = folder / "bench.yaml"
    config_path.write_text(
        json.dumps(
            {
                "name": "bench",
                "batch_rows": 2000,
                "ray": {"num_cpus": cpus},
                "sources": [{"name": "bench", "kind": "parquet", "paths": ["in/*.parquet"]}],
                "stages": [],
            }
        )
    )
    config = config_mod.load(config_path)
    started = time.perf_counter()
    state = Runner(config, run_dir, progress=False).run()
    total = time.perf_counter() - started
    assert state["totals"]["kept"] == state["totals"]["docs_in"]
    return state["seconds"], total, state["segments"][0]["shard_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--docs-per-shard", type=int, default=20000)
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    try:
        (tmp / "in").mkdir()
        size = make_shards(tmp / "in", args.shards, args.docs_per_shard)
        docs = args.shards * args.docs_per_shard
        inputs = sorted((tmp / "in").glob("*.parquet"))
        with PeakMemory() as bare_mem:
            bare_s, bare_cpu = bare(inputs, tmp / "bare")
        import ray

        from datamill.pipeline import ray_session
        from datamill.pipeline.config import RayConfig

        ray_session.init(RayConfig(num_cpus=args.cpus))
        with PeakMemory() as ours_mem:
            ours_s, ours_total, shard_s = ours(tmp, tmp / "run", args.cpus)
        ray.shutdown()
        mb = size / 1e6
        print(f"corpus: {docs} docs, {mb:.0f} MB of text in {args.shards} Parquet shards")
        print(
            f"bare pyarrow read+write ({bare_cpu:.2f} CPU-s): {bare_s:6.2f} s  {docs / bare_s:9.0f} docs/s  "
            f"{mb / bare_s:6.1f} MB/s  peak {bare_mem.peak / 2**20:6.0f} MiB"
        )
        print(
            f"datamill fused pass ({args.cpus} cores):  {ours_s:6.2f} s  {docs / ours_s:9.0f} docs/s  "
            f"{mb / ours_s:6.1f} MB/s  peak {ours_mem.peak / 2**20:6.0f} MiB (driver + Ray workers)"
        )
        per_core_bare = docs / bare_cpu
        per_core_ours = docs / ours_s / args.cpus
        print(
            f"per core: bare {per_core_bare:.0f} docs/s, datamill {per_core_ours:.0f} docs/s, "
            f"ratio {per_core_ours / per_core_bare:.2f}"
        )
        print(
            f"inside the shard workers (no Ray scheduling or actor start-up): {shard_s:.2f} CPU-s, "
            f"{docs / shard_s:.0f} docs/s per core, ratio {docs / shard_s / per_core_bare:.2f}"
        )
        print(f"(run incl. Ray start-up: {ours_total:.2f} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
