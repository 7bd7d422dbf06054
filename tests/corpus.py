"""Small corpora the tests write themselves: HTML pages, WARC files, text files."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ZH_SENTENCES = [
    "今天我们讨论大语言模型的训练数据如何清洗。",
    "网页正文抽取是第一步，需要去掉导航栏和广告。",
    "去重可以显著减少重复内容对模型的影响。",
    "很多中文网页使用 GBK 编码，需要正确处理字符集。",
    "质量过滤器会根据规则和分类器给文档打分。",
    "最后我们把结果写成 Parquet 文件，供训练使用。",
]
EN_SENTENCES = [
    "Data curation decides much of what a language model learns.",
    "Extraction removes navigation menus, cookie banners and footers.",
    "Deduplication keeps one copy of every repeated document.",
    "Quality filters score each document with rules and a classifier.",
    "The pipeline writes Parquet shards with a manifest for training runs.",
    "Every decision is recorded so that any row can be audited later.",
]


def article(n: int, lang: str = "en", paragraphs: int = 4) -> str:
    """A deterministic article body of a few paragraphs, different for every n."""
    sentences = ZH_SENTENCES if lang == "zh" else EN_SENTENCES
    sep = "" if lang == "zh" else " "
    paras = []
    for p in range(paragraphs):
        picked = [sentences[(n + p + k) % len(sentences)] for k in range(4)]
        tag = f"编号{n}-{p}。" if lang == "zh" else f"Item {n}-{p}."
        paras.append(sep.join(picked) + sep + tag)
    return "\n".join(paras)


def html_page(title: str, body: str, lang: str = "en", charset: str = "utf-8", extra_head: str = "") -> str:
    paras = "".join(f"<p>{line}</p>\n" for line in body.split("\n"))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}">'
        f"<title>{title}</title>{extra_head}"
        f"</head><body><nav><a href='/'>Home</a> | <a href='/about'>About</a></nav>"
        f"<article><h1>{title}</h1>\n{paras}</article>"
        f"<footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, bytes, str]], status: str = "200 OK") -> list[int]:
    """Write (uri, body, content_type) responses to a gzipped WARC; returns record offsets."""
    offsets = []
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for uri, body, content_type in pages:
            offsets.append(handle.tell())
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2025-01-02T03:04:05Z"},
            )
            writer.write_record(record)
    return offsets
