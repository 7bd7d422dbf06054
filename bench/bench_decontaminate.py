"""Throughput of decontamination on one core with a benchmark index of ~1M n-grams.

Benchmark items: generated English (40-70 words) and Chinese (60-100 characters) questions
from their own vocabularies until the index holds `--ngrams` (item, n-gram) pairs. Corpus:
2 KB UTF-8 documents (bench_pii.padded: tests/corpus.py articles, en/zh halves), one in 100 with an item
planted. Measured in the same run, each the best of `--repeat`:

- index: building the index from the items (once per run in the stage's decide);
- bare: the naive check, a Python set of the items' 13-word tuples (Chinese: 15-character
  strings) probed with every such window of each document (split on spaces, no normalisation);
- ngrams: the stage's n-gram hashes of the corpus alone (tokens, normalisation, hashing);
- match: the stage's matching per 1,000-document batch (n-grams, index lookups, shares,
  the best item per document), what each view task runs; its planted documents found.

    .venv/bin/python bench/bench_decontaminate.py [--ngrams 1000000] [--docs 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pii import padded  # noqa: E402

from datamill.stages.decontaminate.ngrams import Index, build_index  # noqa: E402
from datamill.stages.decontaminate.stage import match  # noqa: E402

BATCH = 1000


def items(target: int, seed: int = 5) -> list[str]:
    """Generated items until their n-grams number about `target`."""
    rng = random.Random(seed)
    words = [
        f"{rng.choice('bcdfghklmnprst')}{rng.choice('aeiou')}{rng.randint(0, 9999)}" for _ in range(20000)
    ]
    chars = [chr(0x4E00 + rng.randrange(0x5000)) for _ in range(3000)]
    out, total = [], 0
    while total < target:
        if len(out) % 2 == 0:
            n = rng.randint(40, 70)
            out.append(" ".join(rng.choice(words) for _ in range(n)))
            total += n - 12
        else:
            n = rng.randint(60, 100)
            out.append("".join(rng.choice(chars) for _ in range(n)))
            total += n - 14
    return out


def windows(text: str) -> list[str]:
    if text.isascii():
        words = text.split()
        return [" ".join(words[i : i + 13]) for i in range(len(words) - 12)]
    return [text[i : i + 15] for i in range(len(text) - 14)]


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ngrams", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from datamill.stages.decontaminate.stage import DecontaminateConfig

    bench_items = items(args.ngrams)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "b.txt").write_text("\n".join(bench_items), encoding="utf-8")
        cfg = DecontaminateConfig.model_validate(
            {"benchmarks": [{"name": "b", "paths": [str(Path(tmp) / "b.txt")]}]}
        )
        texts = padded(args.docs, bench_items, every=100)
        mb = sum(len(t.encode()) for t in texts) / 1e6
        arrays = [pa.array(texts[i : i + BATCH], pa.large_string()) for i in range(0, len(texts), BATCH)]
        item_array = pa.array(bench_items, pa.large_string())
        folder = Path(tmp) / "index"
        built, item_ngrams = best(lambda: build_index(item_array, cfg.normalisation(), folder), 1)
        index = Index.load(folder)
        print(
            f"index: {len(bench_items)} items, {len(index.hashes)} n-grams, "
            f"{index.hashes.nbytes / 1e6:.0f} MB of hashes"
        )
        print(f"  built in {built:.2f} s")
        naive = {w for item in bench_items for w in windows(item)}
        from datamill.stages.decontaminate.ngrams import batch_ngrams

        runs: dict[str, Callable[[], object]] = {
            "bare": lambda: sum(any(w in naive for w in windows(t)) for t in texts),
            "ngrams": lambda: [batch_ngrams(a, cfg.normalisation()) for a in arrays],
            "match": lambda: sum(
                sum(bool(f) for f in match(a, index, np.asarray(item_ngrams), cfg)["flagged"]) for a in arrays
            ),
        }
        print(f"corpus: {len(texts)} docs, {mb:.1f} MB, {len(texts) // 100} planted")
        base = None
        for name, fn in runs.items():
            seconds, result = best(fn, args.repeat)
            base = base or seconds
            found = f", documents found: {result}" if isinstance(result, int) else ""
            print(
                f"  {name:7s} {mb / seconds:7.2f} MB/s/core {len(texts) / seconds:8.0f} docs/s "
                f"({base / seconds:.2f}x bare){found}"
            )


if __name__ == "__main__":
    main()
