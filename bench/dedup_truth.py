"""What the dedup benches share: the process-tree monitor, the generated corpora (cached), their
near-duplicate truth by the reader's measure, and precision/recall per language.

Truth: pairs of documents planted in one family or one site (tests/minhash_corpus.py) whose
character 5-gram Jaccard (`reader_shingles`) is >= 0.8. Pairs across families are not looked at:
the dedup test's all-pairs brute force over the same generator finds none.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.minhash_corpus import LANGS, CorpusGenerator, jaccard, pair_scores, reader_shingles  # noqa: E402

THRESHOLD = 0.8


class TreeMonitor:
    """Peak memory of a process (default: this one) and its descendants, sampled every 0.5 s:
    the sum of their private memory (`RssAnon`) plus the largest shared-memory mapping
    (`RssShmem`: Ray's object store, which every Ray process maps). Read from
    /proc/<pid>/status, kept by the kernel as counters: PSS (smaps_rollup) walks every page
    table of every process, and at 320k that perturbed the run it measured by 0.4-1.5 s."""

    def __init__(self, pid: int | None = None) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            private, shared = 0, 0
            for proc in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(OSError, psutil.Error):
                    counters = _status_kib(proc.pid)
                    private += counters.get("RssAnon", 0)
                    shared = max(shared, counters.get("RssShmem", 0))
            self.peak = max(self.peak, (private + shared) << 10)
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


def _status_kib(pid: int) -> dict[str, int]:
    """The kB counters of /proc/<pid>/status (VmRSS, RssAnon, RssShmem, ...)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        fields = [line.partition(":") for line in status]
    return {key: int(value.split()[0]) for key, _, value in fields if value.endswith(" kB\n")}


def corpora(sizes: list[int], work: Path, zh_text: str | None = None) -> dict[int, Path]:
    """Parquet files of the first `size` documents of one generated corpus, for each size."""
    paths = {size: work / f"corpus-v2-{size}.parquet" for size in sizes}
    if not all(p.exists() for p in paths.values()):
        table = CorpusGenerator(seed=42, zh_text=zh_text).corpus(int(max(sizes) / 1.9) + 100)
        for size, path in paths.items():
            pq.write_table(table.slice(0, size), path)
    return paths


class Truth:
    """The planted near-duplicate pairs of a corpus and the reader's similarity of any two of
    its documents (shingle sets built on demand and kept)."""

    def __init__(self, table: pa.Table) -> None:
        self.texts = table.column("text")
        self.langs = np.array(table.column("lang").to_pylist())
        self.family = table.column("family").to_numpy()
        site = table.column("site").to_numpy()
        self.pairs: dict[tuple[int, int], float] = {}
        for groups in (self.family, site):
            order = np.argsort(groups, kind="stable")
            keys = groups[order]
            starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            for lo, hi in zip(starts, np.append(starts[1:], len(keys)), strict=True):
                if keys[lo] < 0 or hi - lo < 2:
                    continue
                members = order[lo:hi].tolist()
                sets = [self._set(i) for i in members]  # one group's sets at a time: memory
                for n, i in enumerate(members):
                    for m, j in enumerate(members[n + 1 :], n + 1):
                        similar = jaccard(sets[n], sets[m])
                        if similar >= THRESHOLD:
                            self.pairs[(min(i, j), max(i, j))] = similar

    def similarity(self, i: int, j: int) -> float:
        return jaccard(self._set(i), self._set(j))

    def _set(self, i: int) -> set[str]:
        return reader_shingles(self.texts[i].as_py())

    def scores(self, cluster_of: list, kept: np.ndarray) -> str:
        """'zh P/R ... en ... mixed ...' for documents grouped by `cluster_of` (any hashable per
        document) with `kept[i]` the document kept in i's place (i itself when kept)."""
        removed = kept != np.arange(len(kept))
        out = []
        for lang in LANGS:
            pairs = {p: j for p, j in self.pairs.items() if self.langs[p[0]] == lang}
            mask = removed & (self.langs == lang)
            score = pair_scores(pairs, self.family, cluster_of, mask, kept, self.similarity, THRESHOLD)
            out.append(f"{lang} {score.precision:.3f}/{score.recall:.3f}")
        return "P/R " + ", ".join(out)


def text_mb(table: pa.Table) -> float:
    return (pc.sum(pc.binary_length(table.column("text"))).as_py() or 0) / 1e6
