"""Export throughput and memory: `datamill export` vs a bare pyarrow read+write of the same rows.

Builds (once, cached under --work) a finished run directory of generated Chinese/English
documents at each size, laid out as the runner writes one: a Parquet file per 25,000 documents,
row groups of 500 rows, zstd, with the `tokens` column the `tokens` stage stores (and its
method in run.json). Text is cut from a pool of random words and characters (100 MB), so it
compresses like text, not like a repeated sentence. The mix takes Chinese and English by
`lang` (weights 0.6/0.4, Chinese upsampled up to 2 epochs) under a licence policy.

For each size, in the same run:
  - ours: `datamill export MIX --out DIR --workers W` as a subprocess (read, policy, filters,
    sampling, global shuffle, shards, sha256, manifest), timed, with the peak RSS (and PSS)
    of its whole process tree sampled every 0.2 s;
  - bare: `pq.read_table` of the run's files (the export's columns) + `pq.write_table(zstd)`
    of the exported rows (read back from our shards beforehand, untimed), one file;
and prints rows/s and MB/s (exported text) of each, the ratio ours/bare (throughput), and the
peak memory against the exported text's size.

    flock /tmp/bench.lock .venv/bin/python bench/bench_export.py --sizes 20000 200000 2000000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

from datamill.classifiers.token_count import estimate_tokens
from datamill.mixes.shards import EXPORT_SCHEMA
from datamill.pipeline.schema import RECORD_SCHEMA, make_id
from datamill.stages.tokens import Tokens

FILE_DOCS = 25_000
GROUP_ROWS = 500
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _pools(rng: np.random.Generator) -> tuple[str, str]:
    """~50 MB of English-like words and ~50 MB of Chinese characters (Zipf-ish frequencies)."""
    lengths = rng.integers(2, 10, 5000)
    vocab = np.array(["".join(rng.choice(list(LETTERS), n)) for n in lengths])
    weights = 1 / np.arange(1, len(vocab) + 1)
    words = vocab[rng.choice(len(vocab), 8_000_000, p=weights / weights.sum())]
    en = " ".join(words.tolist())
    han = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3500)])
    hw = 1 / np.arange(1, len(han) + 1) ** 0.8
    chars = han[rng.choice(len(han), 16_000_000, p=hw / hw.sum())]
    chars[::23] = "。"
    return en, "".join(chars.tolist())


def make_run(root: Path, docs: int, seed: int = 0) -> None:
    """A finished run directory with `docs` kept rows (skipped if already built)."""
    if (root / "run.json").exists():
        return
    rng = np.random.default_rng(seed)
    en, zh = _pools(rng)
    out = root / "stages" / "01-ingest+normalize+tokens"
    out.mkdir(parents=True, exist_ok=True)
    for f, first in enumerate(range(0, docs, FILE_DOCS)):
        n = min(FILE_DOCS, docs - first)
        ids = np.arange(first, first + n)
        is_zh = rng.random(n) < 0.5
        lengths = np.where(is_zh, rng.integers(100, 1000, n), rng.integers(300, 3000, n))
        starts = rng.integers(0, np.where(is_zh, len(zh), len(en)) - 3000)
        texts = [
            f"{i} " + (zh[s : s + ln] if z else en[s : s + ln])
            for i, z, s, ln in zip(
                ids.tolist(), is_zh.tolist(), starts.tolist(), lengths.tolist(), strict=True
            )
        ]
        uris = [f"https://site{i % 50}.example/{i}" for i in ids.tolist()]
        text = pa.array(texts, pa.large_string())
        columns = {
            "id": pa.array(
                [make_id("web", u, f"web.warc.gz@{i}") for u, i in zip(uris, ids.tolist(), strict=True)]
            ),
            "source": pa.array([f"host{i % 50}" for i in ids.tolist()]),
            "uri": pa.array(uris),
            "locator": pa.array([f"web.warc.gz@{i}" for i in ids.tolist()]),
            "text": text,
            "lang": pa.array(np.where(is_zh, "zh", "en")),
            "license": pa.array([None if i % 3 == 0 else "CC-BY-4.0" for i in ids.tolist()], pa.string()),
            "kind": pa.array(["natural"] * n),
            "tdm_opt_out": pa.array(ids % 97 == 0),
            "tokens": pa.array(estimate_tokens(text), pa.int64()),
        }
        table = pa.table(
            [columns.get(f.name, pa.nulls(n, f.type)) for f in RECORD_SCHEMA], schema=RECORD_SCHEMA
        )
        with pq.ParquetWriter(out / f"shard-{f:05d}.parquet", RECORD_SCHEMA, compression="zstd") as writer:
            for start in range(0, n, GROUP_ROWS):  # the runner writes a row group per batch
                writer.write_table(table.slice(start, GROUP_ROWS))
    state = {
        "name": "bench",
        "status": "done",
        "output": str(out.relative_to(root)),
        "config_sha": "bench",
        "config": {"stages": [{"stage": "normalize"}, {"stage": "tokens", "kind": "estimate"}]},
        "versions": {"tokens": Tokens.version},
    }
    (root / "run.json").write_text(json.dumps(state), encoding="utf-8")


def spec_file(folder: Path, run_dir: Path) -> Path:
    spec = {
        "name": "bench",
        "seed": 1,
        "inputs": {"run": str(run_dir)},
        "license_policy": {"allow": ["CC-BY-*"], "allow_unknown": True},
        "shards": {"target_bytes": 64 << 20, "row_group_bytes": 16 << 20},
        "components": [
            {"name": "zh", "filter": "lang = 'zh'", "weight": 0.6, "max_epochs": 2},
            {"name": "en", "filter": "lang = 'en'", "weight": 0.4},
        ],
    }
    path = folder / "mix.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


class TreeMemory:
    """Peak RSS and PSS of a process and its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.rss = self.pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            with contextlib.suppress(psutil.Error):
                for proc in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        info = proc.memory_full_info()
                        rss, pss = rss + info.rss, pss + info.pss
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_export(spec: Path, out: Path, workers: int) -> tuple[float, TreeMemory]:
    cmd = [sys.executable, "-m", "datamill.pipeline.cli", "export", str(spec), "--out", str(out)]
    cmd += ["--overwrite", "--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    memory.stop()
    if proc.returncode:
        raise SystemExit(f"export failed:\n{stderr[-3000:]}")
    print(stderr.rstrip(), file=sys.stderr)
    return seconds, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_export"))
    args = parser.parse_args()
    print(
        f"{'docs in':>8} {'rows out':>9} {'text MB':>8} | {'ours s':>7} {'rows/s':>8} {'MB/s':>6} "
        f"{'RSS MB':>7} {'PSS MB':>7} | {'bare s':>7} {'rows/s':>8} {'MB/s':>6} | ours/bare"
    )
    for size in args.sizes:
        run_dir = args.work / f"run-{size}"
        make_run(run_dir, size)
        spec = spec_file(args.work, run_dir)
        out = args.work / f"out-{size}"
        ours, memory = run_export(spec, out, args.workers)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        shards = sorted(out.glob("part-*.parquet"))
        rows = pq.read_table(shards, schema=EXPORT_SCHEMA)
        mb = pc.sum(pc.binary_length(rows["text"])).as_py() / 1e6

        started = time.perf_counter()
        files = sorted((run_dir / "stages").glob("*/*.parquet"))
        read = pq.read_table(files, columns=EXPORT_SCHEMA.names[:-1])
        pq.write_table(rows, args.work / "bare.parquet", compression="zstd", compression_level=3)
        bare = time.perf_counter() - started
        del read, rows
        (args.work / "bare.parquet").unlink()

        n = manifest["totals"]["docs"]
        print(
            f"{size:>8} {n:>9} {mb:>8.1f} | {ours:>7.2f} {n / ours:>8.0f} {mb / ours:>6.1f} "
            f"{memory.rss / 2**20:>7.0f} {memory.pss / 2**20:>7.0f} | {bare:>7.2f} {n / bare:>8.0f} "
            f"{mb / bare:>6.1f} | {bare / ours:>5.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
