"""The licence stage on the hand-labelled set (tests/stages/licence_pages.py): 86 pages in ten
languages grouped by issue 18's four kinds of miss and their mirror images, plus 60 pages of
an earlier set.

Prints accuracy per kind of page and per label (visible with `pytest -rA` or `-s`) and
asserts >= 95% overall, >= 90% for every kind, and the exact pages it gets wrong."""

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

MIN_CLASS_ACCURACY = 0.90
MIN_OVERALL_ACCURACY = 0.95
LANGS = {"en", "zh", "de", "fr", "es", "it", "pt", "ja", "ko", "ru"}


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


def accuracy_by(key: str, got: list[str]) -> dict[str, tuple[int, int]]:
    """Page attribute value (`case` or `label`) -> (pages, correct)."""
    totals, correct = Counter(), Counter()
    for page, said in zip(PAGES, got, strict=True):
        totals[getattr(page, key)] += 1
        correct[getattr(page, key)] += said == page.label
    return {value: (totals[value], correct[value]) for value in sorted(totals)}


def print_table(title: str, table: dict[str, tuple[int, int]]) -> None:
    print(f"  {title:18s} {'pages':>5s} {'right':>5s} {'accuracy':>8s}")
    for value, (n, right) in table.items():
        print(f"  {value:18s} {n:5d} {right:5d} {right / n:8.2f}")


@pytest.fixture(scope="module")
def got() -> list[str]:
    return detect_all()


def test_set_covers_the_languages_and_every_kind_with_its_mirror():
    issue = [p for p in PAGES if p.case != "general"]
    assert len(issue) >= 60 and len({p.name for p in PAGES}) == len(PAGES)
    assert {p.lang for p in issue} == LANGS
    cases = Counter(p.case for p in issue)
    assert set(cases) == {
        *("credit_page", "credit_only", "credit_and_footer"),
        *("reserved", "reserved_licence", "notice", "notice_licence", "rel_copyright"),
    }
    assert min(cases.values()) >= 8
    # each kind holds both outcomes its mirror needs: the page's licence and no licence
    labels = {case: {p.label for p in issue if p.case == case} for case in cases}
    assert labels["credit_only"] == {"unknown"}
    assert labels["reserved"] == {"proprietary"}
    assert labels["notice"] == {"proprietary"}
    assert {"unknown", "CC-BY-4.0"} <= labels["notice_licence"]
    assert {"unknown", "proprietary", "CC-BY-SA-4.0"} <= labels["rel_copyright"]
    assert "proprietary" not in labels["credit_page"] | labels["reserved_licence"]


def test_accuracy_per_kind_and_overall(got):
    by_case, by_label = accuracy_by("case", got), accuracy_by("label", got)
    right = sum(r for _, r in by_case.values())
    print(f"\nlicence set: {len(PAGES)} hand-labelled pages")
    print_table("kind of page", by_case)
    print_table("label", by_label)
    print(f"  {'overall':18s} {len(PAGES):5d} {right:5d} {right / len(PAGES):8.2f}")
    misses = {p.name: f"{p.label} -> {g}" for p, g in zip(PAGES, got, strict=True) if g != p.label}
    assert misses == {}
    assert all(r / n >= MIN_CLASS_ACCURACY for n, r in by_case.values())
    assert right / len(PAGES) >= MIN_OVERALL_ACCURACY
