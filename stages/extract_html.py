"""HTML to main text with trafilatura, after charset-aware decoding (stages/decode.py).

Sets `text`, `title`, `published` (trafilatura's metadata; values already set are kept),
`lang` (the page's declared language, `<html lang>` or Content-Language, primary subtag;
`lang_score` stays null: a hint the langid stage replaces) and `license_evidence` (JSON
`{"html:license": ...}` when trafilatura sees a licence link or notice: a hint for the
licence stage). Signals: `html_bytes`, `html_text_chars`, `html_text_ratio`.

Line breaks in the HTML source between two CJK characters are removed before extraction
(browsers render them as nothing, per CSS Text segment-break rules), so Chinese paragraphs
do not get spurious spaces. Drop reasons: `extract_html:undecodable`,
`extract_html:no_main_text`, `extract_html:parse_error:<error>`.
"""

from __future__ import annotations

import json
import re
from typing import Literal

import pyarrow as pa
import regex
import trafilatura
from lxml.etree import LxmlError
from pydantic import Field

from datamill.classifiers import scripts
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason
from datamill.stages.ingest.decode import UndecodableError, decode, header_charset
from datamill.stages.ingest.formats import HTML_TYPES

# ideographs, kana, bopomofo, CJK punctuation and full-width forms; `regex`, not `re`: 3x as
# fast on HTML pages with Chinese text
_CJK = scripts.char_class(scripts.CJK_TEXT)
_CJK_BREAK = regex.compile(f"(?<=[{_CJK}])[ \\t]*\\r?\\n[ \\t\\r\\n]*(?=[{_CJK}])")
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.I)
_META_LANG = re.compile(
    r"""<meta\s+http-equiv\s*=\s*["']?content-language["']?\s+content\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.I
)


def join_cjk_line_breaks(html: str) -> str:
    return _CJK_BREAK.sub("", html)


def declared_language(html: str, content_language: str | None) -> str | None:
    """Primary language subtag a page declares, lower-cased (None if it declares none)."""
    head = html[:8192]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    if match:
        return match.group(1).lower()
    if content_language:
        code = content_language.split(",")[0].split("-")[0].strip().lower()
        return code if 2 <= len(code) <= 3 and code.isalpha() else None
    return None


class ExtractHtmlConfig(StageConfig):
    favor: Literal["balanced", "precision", "recall"] = "balanced"
    include_tables: bool = True
    min_chars: int = Field(1, ge=1)  # shorter extractions are rejected as no_main_text


class ExtractHtml(Stage):
    name = "extract_html"
    version = "2"
    Config = ExtractHtmlConfig
    requires = ("content_type", "raw", "http_headers", "text")
    produces = ("text", "title", "published", "lang", "license_evidence", "signals")

    def __call__(self, batch: pa.Table) -> pa.Table:
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        headers = batch.column("http_headers").to_pylist()
        names = ("text", "title", "published", "lang", "license_evidence")
        columns = {name: batch.column(name).to_pylist() for name in names}
        reasons: list[str | None] = [None] * batch.num_rows
        signals: list[dict[str, float]] = [{} for _ in range(batch.num_rows)]
        for i, mime in enumerate(types):
            if mime not in HTML_TYPES or raws[i] is None:
                continue
            reasons[i], found, signals[i] = self._extract(
                raws[i], json.loads(headers[i]) if headers[i] else {}
            )
            for name, value in found.items():  # extracted text wins; metadata fills gaps
                columns[name][i] = value if name == "text" else columns[name][i] or value
        batch = set_column(batch, "text", columns["text"], pa.large_string())
        for name in names[1:]:
            batch = set_column(batch, name, columns[name], pa.string())
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)

    def _extract(self, raw: bytes, headers: dict[str, str]) -> tuple[str | None, dict, dict[str, float]]:
        cfg = self.config
        signals = {"html_bytes": float(len(raw))}
        try:
            html, _ = decode(raw, declared=header_charset(headers.get("content-type")), html=True)
        except UndecodableError:
            return "extract_html:undecodable", {}, signals
        try:
            doc = trafilatura.bare_extraction(
                join_cjk_line_breaks(html),
                favor_precision=cfg.favor == "precision",
                favor_recall=cfg.favor == "recall",
                include_tables=cfg.include_tables,
                include_comments=False,
                with_metadata=True,
            )
        except (LxmlError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            return f"extract_html:parse_error:{type(exc).__name__}", {}, signals
        text = (doc.text if doc is not None else None) or ""
        signals["html_text_chars"] = float(len(text))
        signals["html_text_ratio"] = len(text) / max(1, len(html))
        if len(text.strip()) < cfg.min_chars:
            return "extract_html:no_main_text", {}, signals
        found = {
            "text": text,
            "title": doc.title,
            "published": doc.date,
            "lang": declared_language(html, headers.get("content-language")),
            "license_evidence": json.dumps({"html:license": doc.license}, ensure_ascii=False)
            if doc.license
            else None,
        }
        return None, found, signals
