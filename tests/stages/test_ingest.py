import gzip
import json
import zlib
from pathlib import Path

import pyarrow as pa

from datamill.pipeline.config import parse
from datamill.pipeline.schema import make_id
from datamill.stages.ingest import stage as ingest
from tests.corpus import article, html_page, write_warc


def _config(tmp_path: Path, sources: list[dict]):
    return parse({"name": "t", "sources": sources}, "test", tmp_path)


def _stage(config) -> ingest.Ingest:
    return ingest.Ingest(ingest.IngestConfig(sources=config.sources))


def _rows(config) -> list[dict]:
    rows = []
    stage = _stage(config)
    for shard in stage.plan_shards(config.base_dir):
        for batch in stage.read_shard(shard, config.base_dir, config.batch_rows):
            rows.extend(batch.to_pylist())
    return rows


def test_warc_broken_record_in_the_middle_is_rejected_and_reading_goes_on(tmp_path):
    pages = [
        (f"https://example.com/{i}", html_page(f"T{i}", f"body {i}").encode(), "text/html; charset=utf-8")
        for i in range(3)
    ]
    path = tmp_path / "a.warc.gz"
    offsets = write_warc(path, pages)
    data = bytearray(path.read_bytes())
    middle = offsets[1] + (offsets[2] - offsets[1]) // 2
    data[middle : middle + 40] = b"\x00" * 40  # corrupt the second record's gzip member
    path.write_bytes(bytes(data))

    rows = _rows(_config(tmp_path, [{"name": "web", "kind": "warc", "paths": ["a.warc.gz"]}]))

    good = [r for r in rows if r["drop_reason"] is None]
    bad = [r for r in rows if r["drop_reason"] is not None]
    assert [r["uri"] for r in good] == ["https://example.com/0", "https://example.com/2"]
    assert len(bad) == 1
    assert bad[0]["drop_reason"].startswith("ingest:malformed_warc_record")
    assert bad[0]["locator"] == f"a.warc.gz@{offsets[1]}"
    assert good[1]["locator"] == f"a.warc.gz@{offsets[2]}"
    assert good[0]["raw"] == pages[0][1]
    assert json.loads(good[0]["http_headers"])["content-type"] == "text/html; charset=utf-8"
    assert str(good[0]["fetched_at"]).startswith("2025-01-02 03:04:05")


def test_warc_headers_cut_short_and_empty_files_are_one_row_each(tmp_path):
    page = ("https://example.com/0", html_page("T0", "body 0").encode(), "text/html")
    write_warc(tmp_path / "whole.warc", [page])
    record = gzip.decompress((tmp_path / "whole.warc").read_bytes())
    (tmp_path / "whole.warc").unlink()
    offsets = write_warc(tmp_path / "a.warc.gz", [page])
    end = (tmp_path / "a.warc.gz").stat().st_size
    squeeze = zlib.compressobj(wbits=31)  # a gzip member cut after 40 bytes of its header
    with (tmp_path / "a.warc.gz").open("ab") as handle:
        handle.write(squeeze.compress(record[:40]) + squeeze.flush(zlib.Z_SYNC_FLUSH))
    # cut inside the first record's header, after the URI began (no Content-Length)
    (tmp_path / "b.warc").write_bytes(record[: record.index(b"WARC-Target-URI") + 20])
    (tmp_path / "c.warc.gz").write_bytes(b"")
    (tmp_path / "d.jsonl").write_text("\n\n")
    sources = [
        {"name": "web", "kind": "warc", "paths": ["*.warc*"]},
        {"name": "text", "kind": "jsonl", "paths": ["d.jsonl"]},
    ]
    rows = _rows(_config(tmp_path, sources))
    assert [(r["locator"], r["drop_reason"]) for r in rows] == [
        (f"a.warc.gz@{offsets[0]}", None),
        (f"a.warc.gz@{end}", "ingest:malformed_warc_record:header"),
        ("b.warc@0", "ingest:malformed_warc_record:header"),
        ("c.warc.gz", "ingest:empty_file"),
        ("d.jsonl", "ingest:empty_file"),
    ]


def test_warc_non_200_and_unsupported_types_are_rejected(tmp_path):
    write_warc(tmp_path / "ok.warc.gz", [("https://e.com/img", b"\x89PNG....", "image/png")])
    write_warc(
        tmp_path / "gone.warc.gz", [("https://e.com/gone", b"not found", "text/html")], status="404 Not Found"
    )
    rows = _rows(_config(tmp_path, [{"name": "web", "kind": "warc", "paths": ["*.warc.gz"]}]))
    reasons = sorted(r["drop_reason"] for r in rows)
    assert reasons == ["ingest:http_status_404", "ingest:unsupported_content_type:image/png"]


def test_files_and_jsonl_sources(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("中文文本", encoding="utf-8")
    (docs / "b.md").write_bytes("GBK 编码的文本，需要正确解码才能阅读。".encode("gb18030"))
    (docs / "c.bin").write_bytes(b"\x00\x01")
    (tmp_path / "t.jsonl").write_text(
        '{"text": "hello", "url": "u1", "title": "T"}\n{broken\n[1]\n{"no_text": 1}\n'
    )
    rows = _rows(
        _config(
            tmp_path,
            [
                {"name": "docs", "kind": "files", "paths": ["docs"], "files_per_shard": 2},
                {"name": "tab", "kind": "jsonl", "paths": ["t.jsonl"]},
            ],
        )
    )
    by_uri = {r["uri"]: r for r in rows}
    assert by_uri["docs/a.txt"]["text"] == "中文文本"
    assert by_uri["docs/b.md"]["text"] == "GBK 编码的文本，需要正确解码才能阅读。"
    assert by_uri["docs/c.bin"]["drop_reason"] == "ingest:unsupported_file_type:.bin"
    assert by_uri["u1"]["text"] == "hello" and by_uri["u1"]["title"] == "T"
    assert by_uri["t.jsonl#line=2"]["drop_reason"] == "ingest:malformed_json_line"
    assert by_uri["t.jsonl#line=3"]["drop_reason"] == "ingest:malformed_json_line"
    assert by_uri["t.jsonl#line=4"]["drop_reason"] == "ingest:missing_text_field:text"
    assert len(rows) == 7
    assert len({r["id"] for r in rows}) == 7


def test_shards_are_stable_and_cut_by_files_per_shard(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"{i}.txt").write_text(str(i))
    config = _config(tmp_path, [{"name": "d", "kind": "files", "paths": ["docs"], "files_per_shard": 2}])
    stage = _stage(config)
    shards = stage.plan_shards(config.base_dir)
    assert [s.files for s in shards] == [
        ("docs/0.txt", "docs/1.txt"),
        ("docs/2.txt", "docs/3.txt"),
        ("docs/4.txt",),
    ]
    assert [s.key for s in shards] == [s.key for s in stage.plan_shards(config.base_dir)]
    assert isinstance(next(stage.read_shard(shards[0], config.base_dir, config.batch_rows)), pa.Table)


def test_parquet_source_reads_columns_and_rejects_missing_text(tmp_path):
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"text": ["一", None, "three"], "url": ["u1", None, "u3"], "title": ["T", None, None]}),
        tmp_path / "a.parquet",
    )
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "b.parquet")
    rows = _rows(_config(tmp_path, [{"name": "p", "kind": "parquet", "paths": ["*.parquet"]}]))
    assert [(r["uri"], r["text"], r["title"], r["drop_reason"]) for r in rows] == [
        ("u1", "一", "T", None),
        ("a.parquet#row=1", None, None, "ingest:missing_text_field:text"),
        ("u3", "three", None, None),
        ("b.parquet#row=0", None, None, "ingest:missing_text_field:text"),
    ]
    assert rows[0]["id"] == make_id("p", "u1", "a.parquet#row=0")


def test_jsonl_line_with_a_lone_surrogate_is_rejected_alone(tmp_path):
    lines = [
        json.dumps({"text": "first good line", "url": "https://a.example/1"}),
        '{"text": "broken \\ud800 text", "url": "https://a.example/2"}',  # valid JSON, not UTF-8
        '{"text": "fine text", "url": "https://a.example/\\udfff"}',
        json.dumps({"text": "第二行", "url": "https://a.example/3"}),
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = _rows(_config(tmp_path, [{"name": "j", "kind": "jsonl", "paths": ["docs.jsonl"]}]))
    assert [(r["uri"], r["text"], r["drop_reason"]) for r in rows] == [
        ("https://a.example/1", "first good line", None),
        ("https://a.example/2", None, "ingest:lone_surrogate:text"),
        ("docs.jsonl#line=3", None, "ingest:lone_surrogate:url"),
        ("https://a.example/3", "第二行", None),
    ]


def test_documents_over_the_size_cap_are_rejected_unread(tmp_path):
    """A decompression bomb in a WARC record, a big file and a long JSONL line are each one
    rejected row; the documents beside them are read."""
    bomb = b"<html><body>" + b"a" * 5_000_000 + b"</body></html>"  # 5 MB, a few KB gzipped
    small = html_page("Fine", article(1, "en"), "en").encode()
    write_warc(
        tmp_path / "w.warc.gz",
        [("https://b.example/bomb", bomb, "text/html"), ("https://b.example/ok", small, "text/html")],
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text("x" * 20_000)
    (docs / "ok.txt").write_text("fits")
    lines = [json.dumps({"text": "y" * 20_000, "url": "u1"}), json.dumps({"text": "fits too", "url": "u2"})]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n")
    cap = {"max_doc_bytes": 10_000}
    rows = _rows(
        _config(
            tmp_path,
            [
                {"name": "w", "kind": "warc", "paths": ["w.warc.gz"], **cap},
                {"name": "f", "kind": "files", "paths": ["docs"], **cap},
                {"name": "j", "kind": "jsonl", "paths": ["t.jsonl"], **cap},
            ],
        )
    )
    assert [(r["uri"], r["drop_reason"]) for r in rows] == [
        ("https://b.example/bomb", "ingest:doc_too_large"),
        ("https://b.example/ok", None),
        ("docs/big.txt", "ingest:doc_too_large"),
        ("docs/ok.txt", None),
        ("t.jsonl#line=1", "ingest:doc_too_large"),
        ("u2", None),
    ]
    assert all(r["raw"] is None for r in rows if r["drop_reason"])
