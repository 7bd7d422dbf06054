"""A run config whose source is a crawl: seeds fetched into WARC, then ingested and extracted."""

from __future__ import annotations

import pytest

from datamill.pipeline import outputs
from datamill.pipeline.config import ConfigError, parse
from tests.stages.test_crawl import FAST, Site


def test_crawl_source_runs_then_resumes_without_refetching(run, tmp_path):
    with Site() as site:
        (tmp_path / "seeds.txt").write_text(f"{site.url('/ok')}\n{site.url('/noai')}\n{site.url('/500')}\n")
        config = {
            "name": "crawled",
            "sources": [
                {"kind": "crawl", "name": "web", "seeds": "seeds.txt", "out": "crawl", "settings": FAST}
            ],
            "stages": [{"stage": "extract_html"}],
        }
        first = run(config)
        second = run(config)
        hits = {path: len(times) for path, times in site.hits.items()}
    assert hits == {"/robots.txt": 1, "/.well-known/tdmrep.json": 1, "/ok": 1, "/noai": 1, "/500": 3}
    assert first["segments"][0]["stats"]["ingest"]["docs_in"] == 3
    assert first["segments"][0]["stats"]["ingest"]["rejected_by_reason"] == {"ingest:http_status_500": 1}
    assert second["segments"][0]["shards_resumed"] == 1
    kept = outputs.kept(tmp_path / "run").to_pylist()
    assert sorted((r["uri"], r["title"]) for r in kept) == [
        (site.url("/noai"), "No AI"),
        (site.url("/ok"), "OK"),
    ]
    assert (tmp_path / "crawl" / "crawl.json").exists()


def test_crawl_source_settings_and_seeds_are_checked_at_start(tmp_path):
    source = {
        "kind": "crawl",
        "name": "web",
        "seeds": "missing.txt",
        "out": "crawl",
        "settings": {"delay": 1},
    }
    with pytest.raises(ConfigError) as info:
        parse({"name": "x", "sources": [source]}, "c.yaml", tmp_path)
    assert "c.yaml: sources[0].settings.delay: Extra inputs are not permitted" in str(info.value)
    (tmp_path / "seeds.txt").write_text("http://127.0.0.1/\n")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.seeds: no such file"):
        parse({"name": "x", "sources": [{**source, "settings": {}}]}, "c.yaml", tmp_path)
    assert parse(
        {"name": "x", "sources": [{**source, "seeds": "seeds.txt", "settings": {}}]}, "c.yaml", tmp_path
    )
