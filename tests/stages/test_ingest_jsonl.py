"""JSONL ingest reads blocks of whole lines with Arrow's parser and falls back to one line at a
time for a block it cannot vouch for: every line gets the verdict and locator the line-by-line
reader gives it, wherever the block boundaries fall."""

import gzip
import json
import random

import pyarrow as pa
import pytest

from datamill.pipeline.config import parse
from datamill.pipeline.schema import make_id
from datamill.stages.ingest import stage as ingest

LINES = [
    json.dumps({"text": "first line", "url": "https://a.example/1", "title": "T1"}),
    json.dumps({"text": "中文文本，第二行。", "url": "https://a.example/2"}, ensure_ascii=False),
    json.dumps({"text": "escaped 中文 and 😀", "url": ""}),  # \\u escapes, a surrogate pair
    "{broken",  # 4
    "",  # 5: blank lines are skipped, and still counted
    "   \t",
    "[1, 2]",  # 7: JSON, not an object
    '"a string"',
    "null",
    '{"text": "a", "text": "b"}',  # 10: json.loads keeps the last
    '{"text": 42, "url": "https://a.example/11"}',  # 11: no text string
    '{"text": "number url", "url": 5, "title": 7}',  # 12: str() of both
    '{"text": "\\ud800 lone", "url": "https://a.example/13"}',  # 13
    '{"text": "one"} {"text": "two"}',  # 14: two objects on one line
    '  {"text": "padded", "extra": {"text": [1, 2]}, "n": NaN}  ',  # 15
    '{"url": "https://a.example/16", "title": "no text"}',
    json.dumps({"text": "y" * 300, "url": "https://a.example/17"}),  # 17: over the 200-byte cap
    json.dumps({"text": "last line", "url": "https://a.example/18"}),
]
EXPECTED = [  # (locator line, uri, text, title, drop_reason)
    (1, "https://a.example/1", "first line", "T1", None),
    (2, "https://a.example/2", "中文文本，第二行。", None, None),
    (3, "t.jsonl#line=3", "escaped 中文 and 😀", None, None),
    (4, "t.jsonl#line=4", None, None, "ingest:malformed_json_line"),
    (7, "t.jsonl#line=7", None, None, "ingest:malformed_json_line"),
    (8, "t.jsonl#line=8", None, None, "ingest:malformed_json_line"),
    (9, "t.jsonl#line=9", None, None, "ingest:malformed_json_line"),
    (10, "t.jsonl#line=10", "b", None, None),
    (11, "https://a.example/11", None, None, "ingest:missing_text_field:text"),
    (12, "5", "number url", "7", None),
    (13, "https://a.example/13", None, None, "ingest:lone_surrogate:text"),
    (14, "t.jsonl#line=14", None, None, "ingest:malformed_json_line"),
    (15, "t.jsonl#line=15", "padded", None, None),
    (16, "https://a.example/16", None, "no text", "ingest:missing_text_field:text"),
    (17, "t.jsonl#line=17", None, None, "ingest:doc_too_large"),
    (18, "https://a.example/18", "last line", None, None),
]


def _read(tmp_path, name: str, batch_rows: int = 500, **source) -> list[pa.Table]:
    config = parse(
        {
            "name": "t",
            "batch_rows": batch_rows,
            "sources": [{"name": "j", "kind": "jsonl", "paths": [name], **source}],
        },
        "test",
        tmp_path,
    )
    stage = ingest.Ingest(ingest.IngestConfig(sources=config.sources))
    return [
        b
        for s in stage.plan_shards(config.base_dir)
        for b in stage.read_shard(s, config.base_dir, batch_rows)
    ]


def _rows(batches: list[pa.Table]) -> list[tuple]:
    rows = pa.concat_tables(batches).to_pylist()
    return [(r["locator"], r["uri"], r["text"], r["title"], r["drop_reason"]) for r in rows]


def _expected(name: str, expected=EXPECTED) -> list[tuple]:
    return [(f"{name}#line={n}", uri, text, title, reason) for n, uri, text, title, reason in expected]


@pytest.mark.parametrize("block", [16, 100, 300, 1 << 20])
@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_every_line_gets_its_verdict_wherever_blocks_are_cut(tmp_path, monkeypatch, block, eol):
    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", block)
    (tmp_path / "t.jsonl").write_bytes((eol.join(LINES) + eol).encode("utf-8", "surrogatepass"))
    batches = _read(tmp_path, "t.jsonl", max_doc_bytes=200)
    assert _rows(batches) == _expected("t.jsonl")
    table = pa.concat_tables(batches)
    assert table.column("id").to_pylist() == [
        make_id("j", uri, locator) for locator, uri, *_ in _rows(batches)
    ]
    unread = ("ingest:malformed_json_line", "ingest:doc_too_large", "ingest:lone_surrogate:text")
    assert table.column("content_type").to_pylist() == [
        None if reason in unread else "text/plain" for *_, reason in EXPECTED
    ]
    assert set(table.column("kind").to_pylist()) == {"natural"}
    assert table.column("fetched_at").null_count == 0


def test_clean_blocks_are_parsed_at_once_and_a_bad_line_sends_only_its_block_line_by_line(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", 200)
    lines = [json.dumps({"text": f"文档 {i}", "url": f"https://b.example/{i}"}) for i in range(40)]
    lines[21] = '{"text": "cut'
    (tmp_path / "m.jsonl").write_text("\n".join(lines) + "\n")
    parsed = []
    real = ingest._parse_block
    monkeypatch.setattr(ingest, "_parse_block", lambda *a: parsed.append(real(*a) is not None) or real(*a))
    rows = _rows(_read(tmp_path, "m.jsonl"))
    assert rows[21] == ("m.jsonl#line=22", "m.jsonl#line=22", None, None, "ingest:malformed_json_line")
    assert rows[:21] + rows[22:] == [
        (f"m.jsonl#line={i + 1}", f"https://b.example/{i}", f"文档 {i}", None, None)
        for i in range(40)
        if i != 21
    ]
    assert parsed.count(False) == 1 and parsed.count(True) == len(parsed) - 1 > 3


def test_a_line_longer_than_the_cap_and_the_block_is_read_past(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", 64)
    lines = [
        json.dumps({"text": "before"}),
        json.dumps({"text": "z" * 5_000}),  # never held whole: over the cap of 1,000 bytes
        json.dumps({"text": "after"}),
    ]
    (tmp_path / "long.jsonl").write_text("\n".join(lines))  # no newline at the end
    rows = _rows(_read(tmp_path, "long.jsonl", max_doc_bytes=1_000))
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("long.jsonl#line=1", "before", None),
        ("long.jsonl#line=2", None, "ingest:doc_too_large"),
        ("long.jsonl#line=3", "after", None),
    ]


def test_a_line_exactly_at_the_cap_is_read(tmp_path):
    line = json.dumps({"text": "x" * 100})
    (tmp_path / "cap.jsonl").write_text(f"{line}\n{line}x\n")
    rows = _rows(_read(tmp_path, "cap.jsonl", max_doc_bytes=len(line)))
    assert [r[4] for r in rows] == [None, "ingest:doc_too_large"]


def test_bytes_that_are_not_plain_utf8(tmp_path):
    data = [
        b'\xef\xbb\xbf{"text": "after a byte order mark"}',  # json.loads reads it as utf-8-sig
        b'{"text": "latin-1 caf\xe9"}',
        b'{"text": "encoded surrogate \xed\xa0\x80"}',  # json.loads decodes it, surrogatepass
        b'{"text": "fine", "other": "\xed\xa0\x80"}',  # a lone surrogate in an unread field
        b'{"text": "nul \x00"}',
        b'{"text": "\xe4\xb8\xad\xe6\x96\x87"}',
    ]
    (tmp_path / "b.jsonl").write_bytes(b"\n".join(data) + b"\n")
    rows = _rows(_read(tmp_path, "b.jsonl"))
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("b.jsonl#line=1", "after a byte order mark", None),
        ("b.jsonl#line=2", None, "ingest:malformed_json_line"),
        ("b.jsonl#line=3", None, "ingest:lone_surrogate:text"),
        ("b.jsonl#line=4", "fine", None),
        ("b.jsonl#line=5", None, "ingest:malformed_json_line"),
        ("b.jsonl#line=6", "中文", None),
    ]


def test_blank_files_gzip_and_batches_of_batch_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", 100)
    (tmp_path / "blank.jsonl").write_text("\n \r\n\t\n")
    assert _rows(_read(tmp_path, "blank.jsonl")) == [
        ("blank.jsonl", "blank.jsonl", None, None, "ingest:empty_file")
    ]
    lines = [json.dumps({"text": f"doc {i}", "title": "标题"}) for i in range(23)]
    lines.insert(10, "oops")
    (tmp_path / "z.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    batches = _read(tmp_path, "z.jsonl.gz", batch_rows=5)
    assert [b.num_rows for b in batches] == [5, 5, 5, 5, 4]
    rows = _rows(batches)
    assert rows[10] == ("z.jsonl.gz#line=11", "z.jsonl.gz#line=11", None, None, "ingest:malformed_json_line")
    assert [r[2] for r in rows[:10] + rows[11:]] == [f"doc {i}" for i in range(23)]
    assert {r[3] for r in rows[:10] + rows[11:]} == {"标题"}


def test_batches_end_once_their_bytes_reach_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "JSONL_BLOCK_BYTES", 100)  # a table per line
    monkeypatch.setattr(ingest, "BATCH_BYTES", 5000)
    texts = [f"{i:02d}" + "字" * 1000 for i in range(20)]  # 3002 bytes of UTF-8 each
    (tmp_path / "big.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    batches = _read(tmp_path, "big.jsonl", batch_rows=500)
    assert [b.num_rows for b in batches] == [2] * 10  # the second text passes 5000 bytes
    assert [r[2] for r in _rows(batches)] == texts


def test_records_added_one_at_a_time_are_batched_by_bytes_too(monkeypatch):
    monkeypatch.setattr(ingest, "BATCH_BYTES", 5000)
    out = ingest._Batcher("s", 500, 1 << 20)
    sizes = [out.add(f"u{i}", f"u{i}", raw=b"x" * 3000) for i in range(5)]
    assert [None if b is None else b.num_rows for b in sizes] == [None, 2, None, 2, None]
    assert out.flush().column("uri").to_pylist() == ["u4"]


def test_other_field_names(tmp_path):
    lines = ['{"body": "text here", "link": "https://c.example/1", "name": "N"}', '{"text": "wrong field"}']
    (tmp_path / "f.jsonl").write_text("\n".join(lines))
    rows = _rows(_read(tmp_path, "f.jsonl", text_field="body", uri_field="link", title_field="name"))
    assert rows == [
        ("f.jsonl#line=1", "https://c.example/1", "text here", "N", None),
        ("f.jsonl#line=2", "f.jsonl#line=2", None, None, "ingest:missing_text_field:body"),
    ]


def test_values_arrow_takes_and_json_loads_does_not(tmp_path):
    lines = [
        '{"text": "a", "x": -NaN}',
        '{"text": "b", "x": [1, Inf]}',
        '{"text": "c", "x": -Inf }',
        '{"text": "d", "x": NaN, "y": Infinity, "z": -Infinity}',  # json.loads takes these
        '{"text": "Information, Inf and -NaN: words, not values"}',
    ]
    (tmp_path / "n.jsonl").write_text("\n".join(lines))
    rows = _rows(_read(tmp_path, "n.jsonl"))
    assert [(r[2], r[4]) for r in rows] == [
        (None, "ingest:malformed_json_line"),
        (None, "ingest:malformed_json_line"),
        (None, "ingest:malformed_json_line"),
        ("d", None),
        ("Information, Inf and -NaN: words, not values", None),
    ]


def test_value_screen_finds_what_the_regex_finds():
    """The memchr screen for -NaN/Inf/-Inf agrees with `_NOT_PYTHON_JSON` over the whole block,
    on random blocks of the bytes around such values."""
    pieces = [*(bytes([c]) for c in b':,[]} \t\r\n-INx"'), b"Inf", b"NaN"]
    rng = random.Random(7)
    found = 0
    for _ in range(20_000):
        block = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = ingest._NOT_PYTHON_JSON.search(block) is not None
        assert ingest._has_non_python_value(block) == expected, block
        found += expected
    assert found > 200  # the blocks do hold such values (288)
