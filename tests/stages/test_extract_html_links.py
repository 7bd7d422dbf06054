"""extract_html on a Chinese news page without <article>: the body is one <div> with <br>
between paragraphs, so trafilatura's fallback keeps the menu and the sidebar's link list; the
stage drops those runs of link lines (classifiers/link_runs.py) and keeps every paragraph."""

from __future__ import annotations

import pyarrow as pa

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.extract_html import ExtractHtml, ExtractHtmlConfig

PARAS = [
    "港务局周一发布了年度报告，港口的吞吐量增长了百分之四。",
    "报告还介绍了旧防波堤的修复工程，这项工程于十月份完工。",
    "镇上的志愿者帮助修复了那艘老渡轮，如今它在夏季的周末载着游客出海。",
]
MENU = ["首页", "新闻", "科技", "财经", "体育"]
RELATED = [f"相关阅读：港口新闻第{i}篇报道" for i in range(1, 9)]
PAGE = (
    "<html><head><title>港口</title></head><body><div class='header'><ul>"
    + "".join(f"<li><a href='/{i}'>{w}</a></li>" for i, w in enumerate(MENU))
    + "</ul></div><div class='wrap'><h1>老渡轮重回港口</h1><div id='content'>"
    + "<br><br>".join(PARAS)
    + "</div></div><div class='right'>"
    + "".join(f"<div class='item'><a href='/r/{i}'>{t}</a></div>" for i, t in enumerate(RELATED))
    + "</div></body></html>"
)


def extract(config: ExtractHtmlConfig) -> dict:
    table = conform(pa.table({"content_type": ["text/html"], "raw": [PAGE.encode()]}), WORKING_SCHEMA)
    stage = ExtractHtml(config)
    try:
        return stage(table).to_pylist()[0]
    finally:
        stage.parser.close()


def test_menu_and_link_list_runs_are_dropped_and_paragraphs_kept():
    kept_all = extract(ExtractHtmlConfig(link_run_lines=None))
    lines = kept_all["text"].split("\n")
    assert set(MENU + RELATED) <= set(lines)  # what trafilatura alone gives
    out = extract(ExtractHtmlConfig())
    assert [line for line in out["text"].split("\n") if line in PARAS] == PARAS
    assert not set(MENU + RELATED) & set(out["text"].split("\n"))
    assert dict(out["signals"])["html_link_lines_dropped"] == len(MENU) + len(RELATED)
