"""End-to-end runs through the real runner on Ray: accounting, lineage, resume, failures."""

import json

import pyarrow.parquet as pq
import pytest

from datamill.pipeline import outputs
from datamill.pipeline.runner import RunError
from tests.corpus import article, html_page, write_warc


def _corpus(tmp_path):
    pages = []
    for i in range(6):
        lang = "zh" if i % 2 else "en"
        body = html_page(f"Page {i}", article(i, lang), lang)
        pages.append((f"https://site.example/{i}", body.encode(), "text/html; charset=utf-8"))
    pages.append(("https://site.example/copy", pages[0][1], "text/html"))  # exact duplicate of page 0
    pages.append(
        ("https://site.example/nav", b"<html><body><div><img src='a.png'></div></body></html>", "text/html")
    )
    write_warc(tmp_path / "web.warc.gz", pages)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"{i}.txt").write_text(article(10 + i, "zh"), encoding="utf-8")
    (docs / "empty.txt").write_text("")
    (tmp_path / "t.jsonl").write_text(
        json.dumps({"text": article(10, "zh"), "url": "jsonl://dup"}) + "\n{oops\n", encoding="utf-8"
    )
    return {
        "name": "acct",
        "batch_rows": 3,
        "sources": [
            {"name": "web", "kind": "warc", "paths": ["web.warc.gz"]},
            {"name": "docs", "kind": "files", "paths": ["docs"], "files_per_shard": 2},
            {"name": "tab", "kind": "jsonl", "paths": ["t.jsonl"]},
        ],
        "stages": [{"stage": "extract_html"}, {"stage": "normalize"}, {"stage": "dedup_exact"}],
    }


def test_every_document_is_kept_or_rejected_with_a_reason(run, tmp_path):
    state = run(_corpus(tmp_path))
    run_dir = tmp_path / "run"
    assert state["status"] == "done"
    seg1, decided, seg2 = state["segments"]  # rows pass, dedup_exact's decisions, their application
    assert seg1["stages"] == ["ingest", "extract_html", "normalize"]
    assert decided["stages"] == seg2["stages"] == ["dedup_exact"] and decided["global"]
    assert decided["dir"] == "decisions/02-dedup_exact" and seg2["dir"] == "stages/03-dedup_exact"
    assert seg1["shards"] == seg2["shards"] == 5  # 1 WARC + 3 folder shards + 1 JSONL

    chain = [seg1["stats"][n] for n in seg1["stages"]] + [seg2["stats"]["dedup_exact"]]
    for stats in chain:
        assert stats["docs_in"] == stats["kept"] + stats["rejected"]
        assert stats["rejected"] == sum(stats["rejected_by_reason"].values())
    for before, after in zip(chain, chain[1:], strict=False):
        assert after["docs_in"] == before["kept"]
    assert chain[0]["docs_in"] == 16  # 8 WARC responses + 6 files + 2 JSONL lines
    assert seg1["stats"]["ingest"]["rejected_by_reason"] == {"ingest:malformed_json_line": 1}
    assert seg1["stats"]["extract_html"]["rejected_by_reason"] == {"extract_html:no_main_text": 1}
    assert seg1["stats"]["normalize"]["rejected_by_reason"] == {"normalize:empty_text": 1}
    # page 0 and its copy; docs/0.txt and the JSONL row with the same text
    assert seg2["stats"]["dedup_exact"]["rejected_by_reason"] == {"dedup_exact:duplicate_of": 2}
    assert state["totals"] == {"docs_in": 16, "kept": 11, "rejected": 5}

    kept = outputs.kept(run_dir)
    rejected = outputs.rejected(run_dir)
    ids = kept.column("id").to_pylist() + rejected.column("id").to_pylist()
    assert len(ids) == len(set(ids)) == 16
    assert "raw" not in kept.column_names
    by_stage = {r["drop_stage"]: r for r in rejected.to_pylist()}
    assert set(by_stage) == {"ingest", "extract_html", "normalize", "dedup_exact"}
    for row in rejected.to_pylist():
        assert row["drop_reason"].startswith(row["drop_stage"] + ":")
        assert (
            row["lineage"][-1]["decision"] == "rejected" and row["lineage"][-1]["stage"] == row["drop_stage"]
        )
    for row in kept.to_pylist():
        assert [e["stage"] for e in row["lineage"]] == ["ingest", "extract_html", "normalize", "dedup_exact"]
        assert {e["decision"] for e in row["lineage"]} == {"kept"}
        assert row["text"] and row["dup_cluster"]
    rows = {r["uri"]: r for r in kept.to_pylist() + rejected.to_pylist()}
    pair = sorted([rows["https://site.example/0"], rows["https://site.example/copy"]], key=lambda r: r["id"])
    assert pair[0].get("drop_reason") is None
    assert pair[1]["drop_reason"] == f"dedup_exact:duplicate_of:{pair[0]['id']}"
    assert pair[0]["dup_cluster"] == pair[1]["dup_cluster"] == pair[0]["id"]


def test_rerun_resumes_and_a_changed_stage_config_reruns_what_it_affects(run, tmp_path):
    config = _corpus(tmp_path)
    first = run(config)
    kept_before = sorted(outputs.kept(tmp_path / "run").column("id").to_pylist())

    again = run(config)
    assert again["segments"][0]["shards_resumed"] == 5
    assert again["segments"][1].get("resumed") is True
    assert again["attempt"] == first["attempt"] + 1
    assert sorted(outputs.kept(tmp_path / "run").column("id").to_pylist()) == kept_before

    changed = run(config, overrides=["stages.normalize.min_chars=400"])
    assert changed["segments"][0]["shards_resumed"] == 0
    assert changed["segments"][0]["fingerprint"] != first["segments"][0]["fingerprint"]
    assert changed["segments"][0]["stats"]["normalize"]["rejected_by_reason"]["normalize:too_short"] > 0
    assert changed["segments"][1].get("resumed") is None
    total = outputs.kept(tmp_path / "run").num_rows + outputs.rejected(tmp_path / "run").num_rows
    assert total == 16  # old rejected files of the re-run stages were replaced, not added to


def test_a_failing_shard_is_named_and_the_others_are_committed(run, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"text": "fine", "url": "u"}) + "\n")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    pq.write_table(__import__("pyarrow").table({"text": ["ok"]}), tmp_path / "ok.parquet")
    config = {
        "name": "fail",
        "sources": [
            {"name": "j", "kind": "jsonl", "paths": ["good.jsonl"]},
            {"name": "p", "kind": "parquet", "paths": ["*.parquet"]},
        ],
        "stages": [{"stage": "normalize"}],
    }
    with pytest.raises(RunError, match=r"(?s)1 shard\(s\).*bad\.parquet"):
        run(config)
    state = json.loads((tmp_path / "run" / "run.json").read_text())
    assert state["status"] == "failed" and "bad.parquet" in state["error"]
    markers = list((tmp_path / "run" / "stages").glob("01-*/_shards/*.json"))
    assert len(markers) == 2
