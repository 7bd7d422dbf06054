"""The report's table of stage counters and its decontamination table, from a run.json state."""

from __future__ import annotations

from datamill.mixes.report import stage_counts

STATE = {
    "segments": [
        {"stats": {"pii": {"counters": {"pii_email": 2, "redacted_docs": 1}}}},
        {"stats": {"decontaminate": {"counters": {"docs_removed:quiz": 1}}}},
        {
            "stats": {"decontaminate": {"counters": {"docs_removed:quiz": 1, "removed:quiz": 1}}},
            "decontamination": {"quiz": {"items": 3, "items_found": 1, "docs_removed": 1}},
        },
    ]
}


def test_stage_counts_lists_counters_and_benchmarks():
    page = stage_counts(STATE)
    assert page.startswith("<h2>Counts per stage</h2>")
    assert "<tr><td>pii</td><td>pii_email</td><td>2</td></tr>" in page
    # a global stage's counters come from the rows pass that applied it (the last segment)
    assert "<tr><td>decontaminate</td><td>removed:quiz</td><td>1</td></tr>" in page
    assert page.count("<td>decontaminate</td>") == 2
    assert (
        '<table id="decontamination"><tr><th>benchmark</th><th>items</th><th>items found</th>'
        "<th>docs removed</th></tr><tr><td>quiz</td><td>3</td><td>1</td><td>1</td></tr></table>"
    ) in page


def test_stage_counts_is_empty_without_counters():
    assert stage_counts({"segments": [{"stats": {"normalize": {"counters": {}}}}]}) == ""
