"""The dedup pipeline end to end from the CLI, against rensa (Rust MinHash) in the same run.

For each corpus size (generated: Chinese, English and mixed documents with planted
near-duplicates and exact copies, cut into JSONL files of 10,000 documents) it runs

    datamill run <config: jsonl -> normalize -> dedup_exact -> dedup_minhash> --quiet

as a user would (Ray start-up included), and then rensa in this process, one core, on the same
JSONL files with word / CJK-character 5-gram shingles of the same normalised text: read, shingle,
MinHash (128 permutations), LSH insert and query, candidate pairs verified by estimated
Jaccard, clusters by union-find. Prints wall time, MB/s per core (datamill: its Ray CPUs; rensa:
one), peak PSS of the whole process tree, bytes left in the run directory against the corpus
as zstd Parquet, precision/recall of both against the corpus's planted pairs, and the ratio
datamill / rensa per core.

    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/bench_pipeline.py'

Options: --sizes 20000,80000,320000 --work DIR (corpora are cached there) --num-cpus N
--skip-rensa. rensa is not a datamill dependency: `pip install rensa` into the bench's venv.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dedup import TreeMonitor, corpora, truth_documents  # noqa: E402

from datamill.pipeline import outputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILE_DOCS = 10_000
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W_]+")
_DIGITS = re.compile(r"\d")


def jsonl_corpus(parquet: Path, folder: Path) -> tuple[list[Path], int, float]:
    """The corpus as JSONL files of FILE_DOCS documents (cached); (files, docs, MB of text)."""
    table = pq.read_table(parquet, columns=["id", "text"])
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, lo in enumerate(range(0, table.num_rows, FILE_DOCS)):
        path = folder / f"part-{n:04d}.jsonl"
        files.append(path)
        if not path.exists():
            part = table.slice(lo, FILE_DOCS)
            with path.open("w", encoding="utf-8") as out:
                for doc_id, text in zip(
                    part.column("id").to_pylist(), part.column("text").to_pylist(), strict=True
                ):
                    out.write(json.dumps({"url": f"https://bench.example/{doc_id}", "text": text}) + "\n")
    mb = (pc.sum(pc.binary_length(table.column("text"))).as_py() or 0) / 1e6
    return files, table.num_rows, mb


def parquet_size(parquet: Path, folder: Path) -> int:
    """Bytes of the corpus (url, text) as one zstd Parquet file: the yardstick for bytes written."""
    target = folder / "corpus.zstd.parquet"
    if not target.exists():
        table = pq.read_table(parquet, columns=["id", "text"])
        pq.write_table(table, target, compression="zstd")
    return target.stat().st_size


def run_datamill(files: list[Path], work: Path, num_cpus: int) -> tuple[float, int, Path]:
    """`datamill run` as a subprocess; (seconds, peak PSS of its process tree, run dir)."""
    config = {
        "name": "bench",
        "ray": {"num_cpus": num_cpus},
        "sources": [{"name": "bench", "kind": "jsonl", "paths": [str(f) for f in files]}],
        "stages": [{"stage": "normalize"}, {"stage": "dedup_exact"}, {"stage": "dedup_minhash"}],
    }
    path = work / "bench.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    run_dir = work / "run"
    subprocess.run(["rm", "-rf", str(run_dir)], check=True)
    cli = [
        sys.executable,
        "-m",
        "datamill.pipeline.cli",
        "run",
        str(path),
        "--run-dir",
        str(run_dir),
        "--quiet",
    ]
    start = time.perf_counter()
    monitor = TreeMonitor()
    with monitor:
        done = subprocess.run(cli, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"datamill run failed:\n{done.stderr[-3000:]}")
    return seconds, monitor.peak, run_dir


def run_bytes(run_dir: Path) -> int:
    return sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file())


def shingles(text: str, n: int = 5) -> list[str]:
    tokens = _TOKEN.findall(_DIGITS.sub("0", text.lower()))
    return [" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]


def run_rensa(files: list[Path], threshold: float = 0.8, num_perm: int = 128) -> tuple[float, int, set[int]]:
    """rensa over the JSONL files, one process; (seconds, peak PSS, indices of documents in a
    cluster of two or more)."""
    from rensa import RMinHash, RMinHashLSH

    monitor = TreeMonitor()
    start = time.perf_counter()
    with monitor:
        hashes = []
        for path in files:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    m = RMinHash(num_perm=num_perm, seed=1)
                    m.update(shingles(json.loads(line)["text"]))
                    hashes.append(m)
        lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=16)
        for i, m in enumerate(hashes):
            lsh.insert(i, m)
        parent = list(range(len(hashes)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for i, m in enumerate(hashes):
            for j in lsh.query(m):
                if j != i and m.jaccard(hashes[j]) >= threshold:
                    parent[find(i)] = find(j)
        roots = [find(i) for i in range(len(hashes))]
    seconds = time.perf_counter() - start
    counts = np.bincount(roots, minlength=len(roots))
    return seconds, monitor.peak, {i for i, r in enumerate(roots) if counts[r] > 1}


def scores(truth: np.ndarray, found: np.ndarray) -> tuple[float, float]:
    hits = int((truth & found).sum())
    return hits / max(1, int(found.sum())), hits / max(1, int(truth.sum()))


def datamill_clustered(run_dir: Path, ids: list[str]) -> np.ndarray:
    """Documents datamill put in a near-duplicate or exact-duplicate cluster of two or more."""
    kept, rejected = outputs.kept(run_dir), outputs.rejected(run_dir)
    members: set[str] = set()
    for table in (kept, rejected):
        clusters = table.column("dup_cluster").to_pylist()
        for doc_id, cluster in zip(table.column("id").to_pylist(), clusters, strict=True):
            if cluster and cluster != doc_id:
                members.update((doc_id, cluster))
    by_uri = {}
    for table in (kept, rejected):
        for doc_id, uri in zip(table.column("id").to_pylist(), table.column("uri").to_pylist(), strict=True):
            by_uri[uri.rsplit("/", 1)[-1]] = doc_id
    return np.array([by_uri.get(i) in members for i in ids])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,80000,320000")
    parser.add_argument("--work", default="/tmp/datamill-bench-pipeline")
    parser.add_argument("--num-cpus", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-rensa", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    paths = corpora(sizes, work, None)
    for size in sizes:
        folder = work / f"jsonl-{size}"
        files, docs, mb = jsonl_corpus(paths[size], folder)
        table = pq.read_table(paths[size])
        truth = truth_documents(table, 0.8)
        ids = table.column("id").to_pylist()
        seconds, peak, run_dir = run_datamill(files, folder, args.num_cpus)
        written = run_bytes(run_dir)
        reference = parquet_size(paths[size], folder)
        ours = mb / seconds / args.num_cpus
        precision, recall = scores(truth, datamill_clustered(run_dir, ids))
        state = json.loads((run_dir / "run.json").read_text())
        phases = ", ".join(
            f"{s['dir'].split('/')[-1]} {sum(v['seconds'] for v in s['stats'].values()):.1f} s"
            for s in state["segments"]
        )
        print(
            f"{docs:>7} docs {mb:6.1f} MB  datamill: {seconds:6.1f} s wall, {ours:5.2f} MB/s/core "
            f"({args.num_cpus} CPUs), peak {peak / 2**30:.2f} GiB, run dir {written / 1e6:.1f} MB = "
            f"{written / reference:.2f}x the corpus as Parquet ({reference / 1e6:.1f} MB), "
            f"P/R {precision:.3f}/{recall:.3f}\n          stage seconds (inside workers): {phases}",
            flush=True,
        )
        if not args.skip_rensa:
            r_seconds, r_peak, r_found = run_rensa(files)
            r_rate = mb / r_seconds
            found = np.zeros(len(ids), dtype=bool)
            found[list(r_found)] = True
            r_precision, r_recall = scores(truth, found)
            print(
                f"          rensa:    {r_seconds:6.1f} s, {r_rate:5.2f} MB/s/core (1 core), peak "
                f"{r_peak / 2**30:.2f} GiB, P/R {r_precision:.3f}/{r_recall:.3f}; datamill/rensa per core "
                f"{ours / r_rate:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
