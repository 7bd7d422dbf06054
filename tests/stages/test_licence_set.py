"""The licence stage on the hand-labelled 60-page set (tests/stages/licence_pages.py).

Prints a per-class table (visible with `pytest -rA`) and asserts accuracy per class and
overall, and the exact pages it gets wrong (none expected)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.licence import Licence, LicenceConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from licence_pages import PAGES  # noqa: E402

# per-class accuracy floors; any miss also shows in the exact miss list below
MIN_CLASS_ACCURACY = 0.99
MIN_OVERALL_ACCURACY = 0.99


def detect_all() -> list[str]:
    table = pa.table(
        {
            "id": [p.name for p in PAGES],
            "content_type": ["text/html"] * len(PAGES),
            "raw": pa.array([p.html.encode("utf-8") for p in PAGES], pa.large_binary()),
            "http_headers": [json.dumps(p.headers) for p in PAGES],
            "text": [""] * len(PAGES),
        }
    )
    out = Licence(LicenceConfig(proprietary="keep"))(conform(table, WORKING_SCHEMA))
    return out.column("license").to_pylist()


def class_table(got: list[str]) -> dict[str, tuple[int, int]]:
    """label -> (pages, correct)."""
    totals, correct = Counter(), Counter()
    for page, label in zip(PAGES, got, strict=True):
        totals[page.label] += 1
        correct[page.label] += label == page.label
    return {label: (totals[label], correct[label]) for label in sorted(totals)}


@pytest.fixture(scope="module")
def got() -> list[str]:
    return detect_all()


def test_set_is_60_pages_over_the_classes():
    assert len(PAGES) == 60 and len({p.name for p in PAGES}) == 60
    assert Counter(p.label for p in PAGES) == {
        "proprietary": 16,
        "unknown": 11,
        "CC-BY-4.0": 9,
        "CC-BY-SA-4.0": 7,
        "CC-BY-NC-SA-4.0": 6,
        "CC0-1.0": 4,
        "CC-BY-NC-ND-4.0": 3,
        "MIT": 2,
        "Apache-2.0": 2,
    }


def test_accuracy_per_class_and_overall(got):
    table = class_table(got)
    print(f"\nlicence set: {len(PAGES)} hand-labelled pages")
    print(f"  {'class':16s} {'pages':>5s} {'right':>5s} {'accuracy':>8s}")
    for label, (n, right) in table.items():
        print(f"  {label:16s} {n:5d} {right:5d} {right / n:8.2f}")
    right = sum(r for _, r in table.values())
    print(f"  {'overall':16s} {len(PAGES):5d} {right:5d} {right / len(PAGES):8.2f}")
    misses = {p.name: f"{p.label} -> {g}" for p, g in zip(PAGES, got, strict=True) if g != p.label}
    assert misses == {}
    assert all(r / n >= MIN_CLASS_ACCURACY for n, r in table.values())
    assert right / len(PAGES) >= MIN_OVERALL_ACCURACY
