"""Throughput of the `pii` stage on one core against a bare single regex pass over the same text.

Documents of 2 KB of UTF-8 (English and Chinese halves): generated prose (tests/corpus.py articles)
with, in a `--pii-share` of the documents, one document of the generated PII set
(tests/stages/pii_corpus.py: 2-5 planted values and 1-3 hard negatives, ~430 characters).
Measured in the same run, in order, each the best of `--repeat`:

- bare: one regex, the union of the stage's candidate patterns, `finditer` over each text and
  nothing else (no validation, no placeholders, no Arrow);
- digits: `[0-9]+`, the cheapest regex that visits every number (a floor, not a detector);
- finder: `PiiFinder.find` on Python strings (candidates, validation, overlaps);
- stage: the `Pii` stage on Arrow batches of 500 rows (text in, text, signals and lineage out).

    .venv/bin/python bench/bench_pii.py [--docs 20000] [--pii-share 0.1 1.0]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datamill.classifiers.pii import CANDIDATES, PiiFinder  # noqa: E402
from datamill.pipeline.schema import WORKING_SCHEMA, conform  # noqa: E402
from datamill.stages.pii import Pii, PiiConfig  # noqa: E402
from tests.corpus import article  # noqa: E402
from tests.stages.pii_corpus import ALLOW, make_docs  # noqa: E402

BATCH = 500


def padded(count: int, planted: list[str], every: int, size: int = 2048) -> list[str]:
    """`count` texts of `size` bytes of UTF-8 (generated en/zh prose); every `every`-th (none
    when 0) starts with the next of `planted`."""
    out = []
    for i in range(count):
        lang = "en" if i % 2 == 0 else "zh"
        parts = [planted[(i // every) % len(planted)]] if every and i % every == 0 else []
        n = i
        while sum(len(p.encode()) for p in parts) < size:
            parts.append(article(n, lang, paragraphs=2))
            n += 7919
        out.append("\n".join(parts).encode()[:size].decode("utf-8", "ignore"))
    return out


def documents(count: int, pii_share: float) -> list[str]:
    """2 KB texts; a `pii_share` of them hold a document of the generated PII set."""
    planted = [d.text for d in make_docs(max(2, int(count * pii_share) + 2))]
    return padded(count, planted, round(1 / pii_share) if pii_share else 0)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--pii-share", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bare = re.compile("|".join(f"(?:{p.pattern})" for _, p, _ in CANDIDATES))
    digits = re.compile("[0-9]+")
    finder = PiiFinder(allow=ALLOW)
    stage = Pii(PiiConfig(allow=ALLOW))
    stage.setup()
    for share in args.pii_share:
        texts = documents(args.docs, share)
        mb = sum(len(t.encode()) for t in texts) / 1e6
        batches = [
            conform(pa.table({"text": pa.array(texts[i : i + BATCH], pa.large_string())}), WORKING_SCHEMA)
            for i in range(0, len(texts), BATCH)
        ]
        runs: dict[str, Callable[[], object]] = {
            "bare": lambda texts=texts: [sum(1 for _ in bare.finditer(t)) for t in texts],
            "digits": lambda texts=texts: [sum(1 for _ in digits.finditer(t)) for t in texts],
            "finder": lambda texts=texts: [finder.find(t) for t in texts],
            "stage": lambda batches=batches: [stage(b) for b in batches],
        }
        seconds = {name: best(fn, args.repeat) for name, fn in runs.items()}
        print(f"pii share {share}: {len(texts)} docs, {mb:.1f} MB, {mb * 1e6 / len(texts):.0f} bytes/doc")
        for name, s in seconds.items():
            ratio = seconds["bare"] / s
            print(f"  {name:7s} {len(texts) / s:9.0f} docs/s/core {mb / s:6.2f} MB/s  ({ratio:.2f}x bare)")


if __name__ == "__main__":
    main()
