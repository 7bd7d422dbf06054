"""Export throughput: `datamill export` vs a bare pyarrow write of the same rows.

Builds a finished run directory of synthetic mixed Chinese/English documents (run.json + kept
Parquet, as the runner writes them) at several sizes, exports a two-component mix (Chinese
and English by `lang`, weights 0.6/0.4, the Chinese part upsampled up to 2 epochs) and prints:
  - ours: the whole export (read + SQL filters + token estimate + sampling + shuffle + zstd
    shards + sha256 + manifest), rows/s and MB/s of exported text;
  - bare: `pq.write_table(zstd)` of exactly the exported rows (already in memory), one file;
  - bare read+write: `pq.read_table` of the run's Parquet + the same write (no sampling);
and the ratio ours/bare. No Ray is started.
    .venv/bin/python bench/bench_export.py [--sizes 20000 80000 200000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from datamill.mixes import spec as spec_mod
from datamill.mixes.export import export
from datamill.mixes.shards import EXPORT_SCHEMA
from datamill.pipeline.schema import conform, make_id

ZH = [
    "数据清洗是训练大语言模型的关键步骤。",
    "我们需要去掉重复和低质量的网页内容。",
    "正文抽取要处理 GBK 编码的页面。",
]
EN = ["Data curation decides much of what a model learns. ", "Deduplication keeps one copy of a page. "]


def make_run(root: Path, docs: int, seed: int = 0) -> int:
    """A run directory with `docs` kept rows in 8 Parquet files; returns the text bytes."""
    rng = random.Random(seed)
    out = root / "stages" / "01-normalize"
    out.mkdir(parents=True)
    total = 0
    per_file = -(-docs // 8)
    for f in range(8):
        rows = []
        for i in range(f * per_file, min(docs, (f + 1) * per_file)):
            zh = rng.random() < 0.5
            pool = ZH if zh else EN
            text = f"{i} " + "".join(rng.choice(pool) for _ in range(rng.randint(10, 60)))
            total += len(text.encode())
            uri = f"https://site{i % 50}.example/{i}"
            rows.append(
                {
                    "id": make_id("web", uri, f"web.warc.gz@{i}"),
                    "source": f"host{i % 50}",
                    "uri": uri,
                    "locator": f"web.warc.gz@{i}",
                    "text": text,
                    "lang": "zh" if zh else "en",
                    "license": "CC-BY-4.0" if i % 3 else None,
                    "kind": "natural",
                    "tdm_opt_out": False,
                }
            )
        pq.write_table(conform(pa.Table.from_pylist(rows)), out / f"part-{f}.parquet", compression="zstd")
    state = {"name": "bench", "status": "done", "output": "stages/01-normalize", "config_sha": "bench"}
    (root / "run.json").write_text(json.dumps(state), encoding="utf-8")
    return total


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 80_000, 200_000])
    args = parser.parse_args()
    print(
        f"{'docs in':>8} {'rows out':>9} {'text MB':>8} | {'ours s':>7} {'rows/s':>9} {'MB/s':>6} | "
        f"{'bare write s':>12} {'rows/s':>9} {'MB/s':>6} | {'bare r+w s':>10} | ours/bare"
    )
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            make_run(tmp / "run", size)
            spec = spec_mod.load(spec_file(tmp, tmp / "run"))
            started = time.perf_counter()
            manifest = export(spec, tmp / "out")
            ours = time.perf_counter() - started
            rows = pq.read_table(sorted((tmp / "out").glob("part-*.parquet")), schema=EXPORT_SCHEMA)
            mb = sum(len(t.encode()) for t in rows.column("text").to_pylist()) / 1e6

            started = time.perf_counter()
            pq.write_table(rows, tmp / "bare.parquet", compression="zstd")
            bare = time.perf_counter() - started

            started = time.perf_counter()
            table = pq.read_table(sorted((tmp / "run" / "stages" / "01-normalize").glob("*.parquet")))
            pq.write_table(
                table.select(EXPORT_SCHEMA.names[:-1]), tmp / "bare_rw.parquet", compression="zstd"
            )
            bare_rw = time.perf_counter() - started

            n = manifest["totals"]["docs"]
            print(
                f"{size:>8} {n:>9} {mb:>8.1f} | {ours:>7.2f} {n / ours:>9.0f} {mb / ours:>6.1f} | "
                f"{bare:>12.2f} {n / bare:>9.0f} {mb / bare:>6.1f} | {bare_rw:>10.2f} | {ours / bare:>5.1f}x"
            )


if __name__ == "__main__":
    main()
