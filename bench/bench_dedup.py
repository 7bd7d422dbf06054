"""MinHash dedup benchmark: signature throughput vs plain datasketch, end-to-end time, MB/s per
core, peak memory and precision/recall on planted near-duplicates at corpus sizes 4x apart.

Run inside a private network namespace (Ray):
    unshare -n sh -c 'ip link set lo up && exec .venv/bin/python bench/bench_dedup.py'
Options: --sizes 20000,80000,320000  --zh-samples '/work/shared/samples/*.txt' (optional: CJK
character frequencies from real text; never committed)  --work DIR (generated corpora are cached)
--clusters auto|driver|distributed (where the stage finds clusters; default: the stage's own).
Memory is the peak PSS of this process and every process it started (Ray's included), sampled
every 0.5 s; per-core rates divide by the Ray CPUs, and "per CPU-second" by the CPU time those
processes used, which stays meaningful when other work shares the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test corpus generator

from datamill.pipeline import ray_session  # noqa: E402
from datamill.pipeline.config import RayConfig  # noqa: E402
from datamill.pipeline.schema import conform  # noqa: E402
from datamill.pipeline.stage import RunContext  # noqa: E402
from datamill.stages.dedup_minhash import buckets as minhash_buckets  # noqa: E402
from datamill.stages.dedup_minhash import clusters as minhash_clusters  # noqa: E402
from datamill.stages.dedup_minhash.shingles import batch_shingles  # noqa: E402
from datamill.stages.dedup_minhash.signatures import bands_and_rows, permutations, signatures  # noqa: E402
from datamill.stages.dedup_minhash.stage import DedupMinhash, DedupMinhashConfig, _decide, signature_batch  # noqa: E402
from tests.minhash_corpus import CorpusGenerator, shingle_sets  # noqa: E402

_TOKEN = re.compile(r"[\u4e00-\u9fff]|[^\W_]+")


class TreeMonitor:
    """Peak PSS and CPU seconds of this process and its descendants."""

    def __init__(self) -> None:
        self.root = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._cpu: dict[int, float] = {}

    def _tree(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def cpu_seconds(self) -> float:
        for proc in self._tree():
            try:
                times = proc.cpu_times()
                self._cpu[proc.pid] = times.user + times.system + times.children_user + times.children_system
            except psutil.Error:
                pass
        return sum(self._cpu.values())

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for proc in self._tree():
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_full_info().pss
            self.peak = max(self.peak, total)
            self.cpu_seconds()
            self._stop.wait(0.5)

    def __enter__(self) -> TreeMonitor:
        self.peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def corpora(sizes: list[int], work: Path, zh_text: str | None) -> dict[int, Path]:
    """Parquet files of the first `size` documents of one generated corpus, for each size."""
    paths = {size: work / f"corpus-{size}.parquet" for size in sizes}
    if not all(p.exists() for p in paths.values()):
        families = int(max(sizes) / 1.55) + 100
        table = CorpusGenerator(seed=42, zh_text=zh_text).corpus(families, sentences=(8, 36))
        for size, path in paths.items():
            pq.write_table(table.slice(0, size), path)
    return paths


def plain_datasketch(texts: list[str], num_perm: int, ngram: int) -> None:
    """The per-document loop most pipelines run: Python tokens and shingles, `update_batch`."""
    from datasketch import MinHash

    for text in texts:
        tokens = _TOKEN.findall(re.sub(r"\d", "0", text.lower()))
        grams = {" ".join(tokens[i : i + ngram]) for i in range(max(1, len(tokens) - ngram + 1))}
        sketch = MinHash(num_perm=num_perm, seed=1)
        sketch.update_batch([g.encode("utf-8") for g in grams])


def signature_throughput(table: pa.Table, config: DedupMinhashConfig) -> None:
    docs = table.slice(0, 3000)
    texts = docs.column("text").to_pylist()
    batch_shingles(docs.column("text").slice(0, 10), config.ngram)  # lookup tables, imports
    perms = permutations(config.num_perm, config.seed)
    signatures(batch_shingles(docs.column("text").slice(0, 10), config.ngram), perms)
    start = time.process_time()
    for lo in range(0, docs.num_rows, 1000):
        shingles = batch_shingles(docs.column("text").slice(lo, 1000), config.ngram)
        signatures(shingles, perms)
    ours = docs.num_rows / (time.process_time() - start)
    plain_docs = texts[:600]
    start = time.process_time()
    plain_datasketch(plain_docs, config.num_perm, config.ngram)
    plain = len(plain_docs) / (time.process_time() - start)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(
        f"signatures, one core ({docs.num_rows} docs, {mb / docs.num_rows * 1e6:.0f} B/doc): "
        f"datamill {ours:,.0f} docs/s ({ours * mb / docs.num_rows:.1f} MB/s), plain datasketch loop "
        f"{plain:,.0f} docs/s; ratio {ours / plain:.1f}x"
    )


def in_process(table: pa.Table, config: DedupMinhashConfig) -> None:
    """The stage's own work without Ray, on one core: what Ray adds is the rest."""
    records = conform(table)
    bands, rows = bands_and_rows(
        config.threshold, config.num_perm, config.false_positive_weight, config.false_negative_weight
    )
    perms = permutations(config.num_perm, config.seed)
    start = time.process_time()
    sigs = pa.concat_tables(
        [
            signature_batch(records.slice(lo, config.batch_rows), config, perms, bands, rows)
            for lo in range(0, records.num_rows, config.batch_rows)
        ]
    )
    signed = time.process_time()
    keys, a, b = minhash_clusters.pair_indices(
        minhash_buckets.bucket_pairs(minhash_buckets.band_rows(sigs), config.bucket_anchors)
    )
    members, unique = minhash_clusters.members_of(sigs, keys, config.num_perm)
    keep = unique[a] & unique[b] & minhash_clusters.verified(a, b, members.signatures, config.threshold)
    result = minhash_clusters.cluster(members, a[keep], b[keep], config.top_clusters)
    clustered = time.process_time()
    for lo in range(0, records.num_rows, 20000):
        _decide(records.slice(lo, 20000), result.decisions)
    seconds = time.process_time() - start
    mb = sum(len(t.encode()) for t in table.column("text").to_pylist()) / 1e6
    print(
        f"in-process, one core, no Ray ({table.num_rows} docs, {mb:.1f} MB): {mb / seconds:.1f} MB/s "
        f"(signatures {signed - start:.1f} s, buckets+clusters {clustered - signed:.1f} s, "
        f"decisions {seconds - (clustered - start):.1f} s)"
    )


def truth_documents(table: pa.Table, threshold: float) -> np.ndarray:
    """Documents with a family member at exact Jaccard >= threshold (variants are planted only
    inside families; the tests check with an all-pairs brute force that none cross families)."""
    family = table.column("family").to_numpy()
    truth = np.zeros(table.num_rows, dtype=bool)
    sets: list[np.ndarray] = []
    for lo in range(0, table.num_rows, 5000):
        sets += shingle_sets(table.column("text").slice(lo, 5000))
    starts = np.flatnonzero(np.concatenate(([True], family[1:] != family[:-1])))
    ends = np.concatenate((starts[1:], [len(family)]))
    for lo, hi in zip(starts, ends, strict=True):
        for i in range(lo, hi):
            for j in range(i + 1, hi):
                inter = len(np.intersect1d(sets[i], sets[j], assume_unique=True))
                if inter / (len(sets[i]) + len(sets[j]) - inter) >= threshold:
                    truth[i] = truth[j] = True
    return truth


def text_size(path: Path) -> tuple[int, float]:
    """(documents, MB of UTF-8 text) of a corpus file, read a batch at a time."""
    docs, size = 0, 0
    for batch in pq.ParquetFile(path).iter_batches(columns=["text"], batch_size=10000):
        docs += batch.num_rows
        size += pc.sum(pc.binary_length(batch.column(0))).as_py() or 0
    return docs, size / 1e6


def end_to_end(path: Path, config: DedupMinhashConfig, work: Path, num_cpus: int, monitor: TreeMonitor):
    """One run of the stage over the corpus at `path`; the corpus is not held in this process
    while the stage runs, so the peak memory is the pipeline's."""
    import ray.data

    docs, mb = text_size(path)
    data_dir = work / f"input-{docs}"
    if not data_dir.exists():
        data_dir.mkdir()
        records = conform(pq.read_table(path))
        for n, lo in enumerate(range(0, records.num_rows, 20000)):
            pq.write_table(records.slice(lo, 20000), data_dir / f"part-{n:04d}.parquet")
        del records
    pa.default_memory_pool().release_unused()
    files = sorted(str(p) for p in data_dir.glob("*.parquet"))
    scratch = Path(tempfile.mkdtemp(dir=work))
    ctx = RunContext(run_dir=work, scratch=scratch, num_cpus=num_cpus)
    cpu_before = monitor.cpu_seconds()
    start = time.perf_counter()
    members: set[str] = set()  # cluster members: the rejected rows and the rows they name
    with monitor:
        out = DedupMinhash(config).run(ray.data.read_parquet(files), ctx)
        for batch in out.rows.select_columns(["id", "dup_cluster", "drop_reason"]).iter_batches(
            batch_format="pyarrow", batch_size=None
        ):
            rejected = batch.filter(pc.is_valid(batch.column("drop_reason")))
            members.update(rejected.column("id").to_pylist(), rejected.column("dup_cluster").to_pylist())
    seconds = time.perf_counter() - start
    cpu = monitor.cpu_seconds() - cpu_before
    shutil.rmtree(scratch, ignore_errors=True)
    table = pq.read_table(path)
    clustered = np.array([i in members for i in table.column("id").to_pylist()])
    truth = truth_documents(table, config.threshold)
    phases = sum(out.stats[f"seconds_{name}"] for name in ("signatures", "buckets", "clusters"))
    hits = int((truth & clustered).sum())
    precision = hits / max(1, int(clustered.sum()))
    recall = hits / max(1, int(truth.sum()))
    print(
        f"{docs:>7} docs {mb:7.1f} MB  {seconds:6.1f} s  {mb / seconds / num_cpus:5.2f} MB/s/core "
        f"(wall, {num_cpus} CPUs)  {mb / cpu:5.2f} MB per CPU-s  peak PSS {monitor.peak / 2**20:6.0f} MiB  "
        f"clusters {out.stats['clusters']:>6}  removed {out.stats['docs_removed']:>6}  "
        f"pairs {out.stats['candidate_pairs']}/{out.stats['verified_pairs']} verified  "
        f"precision {precision:.3f} recall {recall:.3f}\n"
        f"          phases: signatures {out.stats['seconds_signatures']:.1f} s, buckets "
        f"{out.stats['seconds_buckets']:.1f} s, clusters {out.stats['seconds_clusters']:.1f} s "
        f"({out.stats['cluster_path']}, {out.stats.get('component_iterations', 0)} component rounds), "
        f"decisions+output {seconds - phases:.1f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,80000,320000")
    parser.add_argument("--zh-samples", default="/work/shared/samples/*.txt")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "datamill-bench-dedup"))
    parser.add_argument("--num-cpus", type=int, default=2)
    parser.add_argument("--clusters", choices=["auto", "driver", "distributed"], default="auto")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    zh_files = sorted(glob.glob(args.zh_samples))
    zh_text = "".join(Path(f).read_text(encoding="utf-8") for f in zh_files) or None
    sizes = [int(s) for s in args.sizes.split(",")]
    config = DedupMinhashConfig(clusters=args.clusters)
    print(f"load average {os.getloadavg()}; config {config.model_dump()}")
    print(
        f"Chinese character frequencies from {len(zh_files)} sample files" if zh_text else "built-in CJK pool"
    )
    paths = corpora(sizes, work, zh_text)
    smallest = pq.read_table(paths[sizes[0]])
    signature_throughput(smallest, config)
    in_process(smallest, config)
    del smallest
    monitor = TreeMonitor()
    num_cpus = ray_session.init(RayConfig(num_cpus=args.num_cpus, object_store_fraction=0.1))
    for size in sizes:
        end_to_end(paths[size], config, work, num_cpus, monitor)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
