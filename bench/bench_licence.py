"""Licence detection on the hand-labelled page set: confusion table, accuracy per kind of page
(issue 18's four kinds of miss and their mirrors, ten languages), misses, speed.

The pages and their labels (written by hand, never by the detector) live in
tests/stages/licence_pages.py. Rows of the table are the true labels, columns what the
licence stage said. With --samples DIR, the *.txt files there (read at run time, never
stored) are judged as plain text too and their labels printed: the shared samples state no
licence, so `proprietary` or `unknown` are right and anything open is wrong.

    .venv/bin/python bench/bench_licence.py [--repeats 20] [--samples /work/shared/samples]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datamill.pipeline.schema import WORKING_SCHEMA, conform  # noqa: E402
from datamill.stages.licence import Licence, LicenceConfig  # noqa: E402


def load_pages() -> list:
    spec = importlib.util.spec_from_file_location("licence_pages", ROOT / "tests/stages/licence_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.PAGES


def batch(types: list[str], raws: list[bytes | None], headers: list[dict], texts: list[str]) -> pa.Table:
    table = pa.table(
        {
            "content_type": types,
            "raw": pa.array(raws, pa.large_binary()),
            "http_headers": [json.dumps(h) for h in headers],
            "text": texts,
        }
    )
    return conform(table, WORKING_SCHEMA)


def confusion(labels: list[str], got: list[str]) -> None:
    classes = sorted(set(labels) | set(got))
    counts = Counter(zip(labels, got, strict=True))
    width = max(len(c) for c in classes)
    head = "true / said"
    print(f"\n{head:{width}s} " + " ".join(f"{c[:9]:>9s}" for c in classes) + "   right")
    for truth in sorted(set(labels)):
        row = [counts[(truth, said)] for said in classes]
        n = sum(row)
        print(f"{truth:{width}s} " + " ".join(f"{v:9d}" for v in row) + f"   {counts[(truth, truth)]}/{n}")
    right = sum(counts[(c, c)] for c in classes)
    print(f"overall accuracy: {right}/{len(labels)} = {right / len(labels):.3f}")


def by_kind(pages: list, got: list[str]) -> None:
    """Accuracy per kind of page and per language of the issue-18 pages."""
    for key in ("case", "lang"):
        totals = Counter(getattr(p, key) for p in pages)
        right = Counter(getattr(p, key) for p, g in zip(pages, got, strict=True) if g == p.label)
        print(f"\n{key:18s} pages right accuracy")
        for value in sorted(totals):
            print(f"{value:18s} {totals[value]:5d} {right[value]:5d} {right[value] / totals[value]:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed passes over the set")
    parser.add_argument("--samples", type=Path, help="folder of *.txt documents judged as plain text")
    args = parser.parse_args()
    pages = load_pages()
    table = batch(
        ["text/html"] * len(pages),
        [p.html.encode("utf-8") for p in pages],
        [p.headers for p in pages],
        [""] * len(pages),
    )
    stage = Licence(LicenceConfig(proprietary="keep"))
    out = stage(table)
    got = out.column("license").to_pylist()
    evidence = out.column("license_evidence").to_pylist()
    confusion([p.label for p in pages], got)
    by_kind(pages, got)
    for page, said, why in zip(pages, got, evidence, strict=True):
        if said != page.label:
            print(f"  miss {page.name}: {page.label} -> {said}  ({(why or '')[:160]})")
    start = time.perf_counter()
    for _ in range(args.repeats):
        stage(table)
    seconds = time.perf_counter() - start
    print(f"speed: {args.repeats * len(pages) / seconds:.0f} pages/s (one core, {args.repeats} passes)")
    if args.samples:
        files = sorted(args.samples.glob("*.txt"))
        texts = [f.read_text(encoding="utf-8") for f in files]
        said = stage(batch(["text/plain"] * len(files), [None] * len(files), [{}] * len(files), texts))
        for path, label in zip(files, said.column("license").to_pylist(), strict=True):
            print(f"  sample {path.name}: {label}")


if __name__ == "__main__":
    main()
