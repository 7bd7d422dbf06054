"""Audit: exported rows back to run records and raw WARC/file bytes; export-level licence checks."""

from __future__ import annotations

import json
import random
import shutil

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datamill.mixes import audit
from datamill.mixes.shards import EXPORT_SCHEMA
from datamill.pipeline import cli
from datamill.pipeline.schema import conform
from datamill.stages.dedup_exact import DedupExact
from tests.mix_fixtures import mix_spec, write_spec

STAGES = ["ingest", "extract_html", "normalize", "langid", "licence", "dedup_exact"]


def _rows(out):
    return pl.read_parquet(out / "part-*.parquet")


def test_a_random_exported_row_reaches_its_raw_warc_record(mix_export, capsys):
    rows = _rows(mix_export).filter(pl.col("source") == "web")
    row = rows.row(random.Random(11).randrange(rows.height), named=True)
    result = audit.audit_row(mix_export, id=row["id"])
    assert result.exported["component"] == row["component"]
    assert result.status == "kept"
    rec = result.record
    assert (rec["id"], rec["uri"], rec["license"], rec["lang"]) == (
        row["id"],
        row["uri"],
        row["license"],
        row["lang"],
    )
    assert [step["stage"] for step in rec["lineage"]] == STAGES
    assert {step["decision"] for step in rec["lineage"]} == {"kept"}
    warc, offset = rec["locator"].rsplit("@", 1)
    assert warc == "web.warc.gz" and result.raw.offset == int(offset)
    assert result.raw.path == result.run_dir.parent / "web.warc.gz"
    assert f"WARC-Target-URI: {row['uri']}\r\n" in result.raw.headers
    assert "HTTP/1.1 200 OK" in result.raw.headers
    number = row["uri"].rsplit("/", 1)[1]
    title = f"English page {number}" if "/en/" in row["uri"] else f"中文页面 {number}"
    assert result.raw.payload.startswith(b"<!DOCTYPE html>")
    assert f"<title>{title}</title>".encode() in result.raw.payload
    if row["license"] == "CC-BY-4.0":
        assert "creativecommons.org/licenses/by/4.0" in rec["license_evidence"]
    assert cli.main(["audit", str(mix_export), "--id", row["id"]]) == 0
    out = capsys.readouterr().out
    assert f"WARC-Target-URI: {row['uri']}" in out and f"<title>{title}</title>" in out
    assert f"    dedup_exact v{DedupExact.version} [" in out


def test_a_rejected_duplicate_is_found_by_url_in_the_run(mix_run):
    # the page and its mirror copy have the same text: exact dedup keeps the smaller id
    pair = {
        url: audit.audit_row(mix_run, url=url)
        for url in ("https://site.example/en/0", "https://mirror.example/en/0")
    }
    (kept_url, kept), (url, result) = sorted(pair.items(), key=lambda item: item[1].record["id"])
    assert kept.status == "kept"
    assert result.status == f"rejected by dedup_exact: dedup_exact:duplicate_of:{kept.record['id']}"
    assert result.record["lineage"][-1]["decision"] == "rejected"
    assert f"WARC-Target-URI: {url}\r\n" in result.raw.headers
    assert b"<title>English page 0</title>" in result.raw.payload


def test_a_text_file_row_shows_the_file_head(mix_export):
    row = _rows(mix_export).filter(pl.col("source") == "notes").row(0, named=True)
    result = audit.audit_row(mix_export, id=row["id"], head_bytes=60)
    assert result.raw.offset is None
    assert result.raw.payload == result.raw.path.read_bytes()[:60]
    assert result.raw.path.parent.name == "notes"
    assert result.matches == _rows(mix_export).filter(pl.col("id") == row["id"]).height >= 2  # upsampled


def test_unknown_rows_are_reported(mix_export, capsys):
    with pytest.raises(audit.AuditError, match="no exported row with id 'nope'"):
        audit.audit_row(mix_export, id="nope")
    assert cli.main(["audit", str(mix_export), "--url", "https://nowhere.example/"]) == 1
    assert "no exported row with uri" in capsys.readouterr().err


def test_export_breakdowns_comply_with_the_mix_policy(mix_export, capsys):
    manifest = json.loads((mix_export / "manifest.json").read_text(encoding="utf-8"))
    result = audit.audit_export(mix_export)
    assert result.ok and result.violations == {}
    assert result.rows == manifest["totals"]["docs"]
    assert result.breakdowns["license"] == {k: v["docs"] for k, v in manifest["licenses"].items()}
    assert result.breakdowns["tdm_opt_out"] == {"false": result.rows}
    assert result.breakdowns["lang"] == {k: v["docs"] for k, v in manifest["languages"].items()}
    assert set(result.breakdowns["source"]) == {"web", "notes"}
    assert cli.main(["audit", str(mix_export)]) == 0
    assert "licence policy: every row complies" in capsys.readouterr().out


def test_unknown_licence_rows_under_a_deny_unknown_policy_fail_the_audit(
    mix_run, mix_export, tmp_path, capsys
):
    strict = mix_spec(mix_run, license_policy={"allow": ["CC-BY-*", "CC0-1.0"], "allow_unknown": False})
    path = write_spec(tmp_path / "strict.yaml", strict)
    unknown = _rows(mix_export).filter(pl.col("license").is_null() | (pl.col("license") == "unknown")).height
    assert unknown > 0
    assert cli.main(["audit", str(mix_export), "--mix", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"licence policy VIOLATED: license_unknown {unknown}" in out
    result = audit.audit_export(mix_export, audit.LicensePolicy(allow=["CC0-1.0"]))
    cc_by = _rows(mix_export).filter(pl.col("license") == "CC-BY-4.0").height
    assert result.violations == {"license_not_allowed:CC-BY-4.0": cc_by, "license_unknown": unknown}


def test_a_shard_whose_licence_was_edited_fails_the_audit(mix_export, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(mix_export, copy)
    shard = copy / "part-00000.parquet"
    table = pq.read_table(shard)
    licences = table.column("license").to_pylist()
    i = next(i for i, v in enumerate(licences) if v in (None, "unknown"))
    licences[i] = "CC0-1.0"
    edited = table.set_column(
        EXPORT_SCHEMA.get_field_index("license"), "license", pa.array(licences, pa.string())
    )
    pq.write_table(edited, shard)
    result = audit.audit_export(copy)
    assert result.violations == {"license_differs_from_run": 1}
    assert result.examples[0]["id"] == table.column("id")[i].as_py()


def test_a_synthetic_row_is_walked_back_to_its_parent(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "stages/01-synth").mkdir(parents=True)
    (tmp_path / "src.txt").write_text("原始文档：数据管线。 The source document.", encoding="utf-8")
    rows = [
        {
            "id": "p1",
            "source": "docs",
            "uri": "src.txt",
            "locator": "src.txt",
            "kind": "natural",
            "text": "x",
            "parent_id": None,
        },
        {
            "id": "c1",
            "source": "synth",
            "uri": "synth://c1",
            "kind": "synthetic",
            "parent_id": "p1",
            "text": "Q&A",
        },
    ]
    pq.write_table(conform(pa.Table.from_pylist(rows)), run_dir / "stages/01-synth/part.parquet")
    state = {"name": "s", "status": "done", "output": "stages/01-synth", "config_dir": str(tmp_path)}
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")
    result = audit.audit_row(run_dir, id="c1")
    assert result.raw is None and result.parent is not None
    assert result.parent.record["id"] == "p1"
    assert result.parent.raw.payload == (tmp_path / "src.txt").read_bytes()
    text = audit.format_row(result)
    assert "  parent:" in text and "原始文档" in text
