"""HTML extraction: charsets, Chinese kept intact, metadata hints, rejects with reasons."""

from __future__ import annotations

import json

import pyarrow as pa

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.extract_html import (
    ExtractHtml,
    ExtractHtmlConfig,
    declared_language,
    join_cjk_line_breaks,
)
from tests.faults import run_with_parser_killed

P1 = "今天我们讨论大语言模型的训练数据如何清洗。网页正文抽取是第一步，需要去掉导航栏和广告。"
P2 = "很多中文网页使用 GBK 编码，需要正确处理字符集。质量过滤器会根据规则和分类器给文档打分。"
P3 = "最后我们把结果写成 Parquet 文件，供训练使用。每一个决定都被记录下来，便于以后审计。"


def zh_page(charset: str = "utf-8", lang: str = "zh-CN") -> str:
    wrapped = P1.replace("，需要", "，\n      需要")  # a source line break inside a sentence
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>数据清洗</title>'
        '<meta property="article:published_time" content="2024-03-05"></head><body>'
        "<nav><a href='/'>首页</a> | <a href='/about'>关于我们</a></nav>"
        f"<article><h1>数据清洗</h1><p>{wrapped}</p><p>{P2}</p><p>{P3}"
        '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p></article>'
        "<footer>联系我们 | 隐私政策</footer></body></html>"
    )


def batch_of(
    raws: list[bytes | None], headers: list[dict | None], types: list[str] | None = None
) -> pa.Table:
    table = pa.table(
        {
            "content_type": types or ["text/html"] * len(raws),
            "raw": pa.array(raws, pa.large_binary()),
            "http_headers": [json.dumps(h) if h is not None else None for h in headers],
            "signals": pa.array([[("earlier", 1.0)]] * len(raws), pa.map_(pa.string(), pa.float64())),
        }
    )
    return conform(table, WORKING_SCHEMA)


def test_chinese_page_text_metadata_and_hints():
    out = ExtractHtml()(batch_of([zh_page().encode()], [{"content-type": "text/html"}])).to_pylist()[0]
    assert out["drop_reason"] is None
    assert out["text"].split("\n") == ["数据清洗", P1, P2, P3 + "CC BY 4.0"]
    assert (out["title"], out["published"], out["lang"], out["lang_score"]) == (
        "数据清洗",
        "2024-03-05",
        "zh",
        None,
    )
    assert json.loads(out["license_evidence"]) == {"html:license": "CC BY 4.0"}
    signals = dict(out["signals"])
    assert signals["earlier"] == 1.0 and signals["html_text_chars"] == len(out["text"])
    assert signals["html_bytes"] == len(zh_page().encode())


def test_header_charset_wins_over_a_wrong_meta():
    raw = zh_page(charset="utf-8").encode("gbk")
    out = ExtractHtml()(batch_of([raw], [{"content-type": "text/html; charset=GBK"}])).to_pylist()[0]
    assert out["text"].split("\n")[1:3] == [P1, P2]


def test_gb2312_meta_without_header_and_mislabelled_latin1():
    gbk = zh_page(charset="gb2312").encode("gb18030")
    utf8_labelled_latin1 = zh_page(charset="iso-8859-1").encode()
    out = ExtractHtml()(
        batch_of([gbk, utf8_labelled_latin1], [None, {"content-type": "text/html"}])
    ).to_pylist()
    assert [r["text"].split("\n")[1] for r in out] == [P1, P1]


def test_pages_without_main_text_or_charset_are_rejected():
    no_text = b"<html><head><script>var x = 1;</script></head><body><img src='a.png'></body></html>"
    garbage = bytes(range(256)) * 50
    out = ExtractHtml()(batch_of([no_text, garbage], [{}, {"content-type": "text/html; charset=utf-8"}]))
    assert out.column("drop_reason").to_pylist() == ["extract_html:no_main_text", "extract_html:undecodable"]
    assert out.column("text").to_pylist() == [None, None]


def test_min_chars_and_non_html_rows():
    short = b"<html><body><article><p>Short.</p></article></body></html>"
    stage = ExtractHtml(ExtractHtmlConfig(min_chars=50, favor="precision"))
    out = stage(
        batch_of([short, b"%PDF-", None], [{}, {}, {}], ["text/html", "application/pdf", "text/plain"])
    )
    assert out.column("drop_reason").to_pylist() == ["extract_html:no_main_text", None, None]


def test_helpers():
    assert (
        join_cjk_line_breaks("<p>中文，\n   继续</p>\n<p>English\nwords 中文\n")
        == "<p>中文，继续</p>\n<p>English\nwords 中文\n"
    )
    assert declared_language('<html class="x" lang="en-GB">', None) == "en"
    assert declared_language("<html>", "zh-TW, en") == "zh"
    assert declared_language("<html>", None) is None


def test_hang_crash_depth_and_size_cost_only_their_page():
    stage = ExtractHtml(
        ExtractHtmlConfig(
            timeout_seconds=3, max_bytes=20_000, test_hang_marker="HANG-ME", test_crash_marker="CRASH-ME"
        )
    )
    good = zh_page().encode()
    deep = b"<html><body>" + b"<div>" * 1000 + f"<p>{P1}</p>".encode() + b"</div>" * 1000 + b"</body></html>"
    shallow = deep.replace(b"<div>" * 1000, b"<div>" * 200).replace(b"</div>" * 1000, b"</div>" * 200)
    big = good.replace(b"<footer>", b"<footer>" + b" " * 20_000)
    raws = [
        good.replace(b"<nav>", b"<nav>HANG-ME"),
        good,
        good + b"<!--CRASH-ME-->",
        good,
        deep,
        shallow,
        big,
    ]
    out = stage(batch_of(raws, [{}] * len(raws))).to_pylist()
    stage.parser.close()
    assert [r["drop_reason"] for r in out] == [
        "extract_html:timeout",
        None,
        "extract_html:parser_crashed:signal_11",  # crashed its first child and the next
        None,
        "extract_html:too_deep",
        None,
        "extract_html:oversize:bytes",
    ]
    assert out[1]["text"] == out[3]["text"] == "\n".join(["数据清洗", P1, P2, P3 + "CC BY 4.0"])
    assert out[5]["text"] == P1
    assert dict(out[6]["signals"])["html_bytes"] == len(big)
    assert stage.parser.restarts == 3 and stage.counters["parser_restarts"] == 3


def test_a_parser_killed_from_outside_costs_nothing():
    """SIGKILL of the parser child while it parses: the page is parsed again in a new child."""
    slow = ("<html><body><article>" + f"<p>{P1} {P2}</p>\n" * 8_000 + "</article></body></html>").encode()
    expected = ExtractHtml()(batch_of([slow], [{}])).column("text").to_pylist()
    stage = ExtractHtml()
    out = run_with_parser_killed(stage, batch_of([zh_page().encode()], [{}]), batch_of([slow], [{}]))
    stage.parser.close()
    assert out.column("drop_reason").to_pylist() == [None]
    assert out.column("text").to_pylist() == expected
    assert stage.parser.restarts == 1
