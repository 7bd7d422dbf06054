"""HTML to main text with trafilatura, after charset-aware decoding."""

from __future__ import annotations

import json
from typing import Literal

import pyarrow as pa
import trafilatura

from pipeline.stage import Stage, StageConfig, set_column, with_drop_reason
from stages.decode import UndecodableError, decode, header_charset
from stages.ingest import HTML_TYPES


class ExtractHtmlConfig(StageConfig):
    favor: Literal["balanced", "precision", "recall"] = "balanced"
    include_tables: bool = True
    min_chars: int = 1  # shorter extractions are rejected as no_main_text


class ExtractHtml(Stage):
    name = "extract_html"
    version = "1"
    Config = ExtractHtmlConfig
    requires = ("content_type", "raw", "http_headers", "text")
    produces = ("text", "title", "published")

    def __call__(self, batch: pa.Table) -> pa.Table:
        cfg = self.config
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        headers = batch.column("http_headers").to_pylist()
        texts = batch.column("text").to_pylist()
        titles = batch.column("title").to_pylist()
        published = batch.column("published").to_pylist()
        reasons: list[str | None] = [None] * batch.num_rows
        for i, mime in enumerate(types):
            if mime not in HTML_TYPES or raws[i] is None:
                continue
            declared = header_charset(json.loads(headers[i]).get("content-type")) if headers[i] else None
            try:
                html, _ = decode(raws[i], declared=declared, html=True)
            except UndecodableError:
                reasons[i] = "extract_html:undecodable"
                continue
            doc = trafilatura.bare_extraction(
                html,
                favor_precision=cfg.favor == "precision",
                favor_recall=cfg.favor == "recall",
                include_tables=cfg.include_tables,
                include_comments=False,
                with_metadata=True,
            )
            text = (doc.text if doc is not None else None) or ""
            if len(text.strip()) < cfg.min_chars:
                reasons[i] = "extract_html:no_main_text"
                continue
            texts[i] = text
            titles[i] = titles[i] or doc.title
            published[i] = published[i] or doc.date
        batch = set_column(batch, "text", texts, pa.large_string())
        batch = set_column(batch, "title", titles, pa.string())
        batch = set_column(batch, "published", published, pa.string())
        return with_drop_reason(batch, reasons)
