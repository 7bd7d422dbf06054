"""HTML to main text with trafilatura, after charset-aware decoding (stages/decode.py).

Sets `text`, `title`, `published` (trafilatura's metadata; values already set are kept),
`lang` (the page's declared language, `<html lang>` or Content-Language, primary subtag;
`lang_score` stays null: a hint the langid stage replaces) and `license_evidence` (JSON
`{"html:license": ...}` when trafilatura sees a licence link or notice: a hint for the
licence stage). Signals: `html_bytes`, `html_text_chars`, `html_text_ratio`,
`html_link_lines_dropped` (navigation lines removed: runs of `link_run_lines` or more lines
that are each a whole link's text, which trafilatura's fallback keeps on pages without an
article element).

Line breaks in the HTML source between two CJK characters are removed before extraction
(browsers render them as nothing, per CSS Text segment-break rules), so Chinese paragraphs
do not get spurious spaces.

Decoding and extraction run in a child process (pipeline/parser_process.py), as PDF parsing
does: lxml and trafilatura cannot be interrupted in a thread, so a page that takes longer than
`timeout_seconds` is rejected (`timeout`), its child killed and replaced, and the batch goes on.

Drop reasons: `extract_html:` + `undecodable`, `no_main_text`, `too_deep` (elements nested
deeper than lxml's limit of 256: what lies below is lost), `oversize:bytes` (over
`max_bytes`, not parsed), `timeout`, `parser_crashed:<signal or exit code>`, `out_of_memory`,
`parse_error:<error>`.

Garbage text (classifiers/text_sanity.py, as in extract_pdf): every extracted text gets
`sanity_score` and its parts in `signals`; above `garbage_text.max_score` (0.5; null: score
only) it is rejected as `extract_html:garbage_text`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Literal

import pyarrow as pa
import regex
import trafilatura
from lxml import etree
from lxml.etree import LxmlError
from pydantic import Field
from trafilatura.settings import set_date_params

from datamill.classifiers import link_runs, scripts, text_sanity
from datamill.pipeline.parser_process import ParserProcess, ParserSpec
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


def too_deep(html: str) -> bool:
    """Whether lxml stops at its nesting limit (256 levels) on `html`: what lies deeper is lost."""
    parser = etree.HTMLParser()
    try:
        etree.fromstring(html, parser)
    except (LxmlError, ValueError):
        return False
    return any("Excessive depth" in error.message for error in parser.error_log)


class ExtractHtmlConfig(StageConfig):
    favor: Literal["balanced", "precision", "recall"] = "balanced"
    include_tables: bool = True
    min_chars: int = Field(1, ge=1)  # shorter extractions are rejected as no_main_text
    max_bytes: int = Field(20_000_000, ge=1)  # larger pages: oversize:bytes (trafilatura's own cap)
    timeout_seconds: float = Field(30.0, gt=0)  # per page
    max_memory_mb: int = Field(2048, ge=256)  # address-space limit of the parser process
    test_hang_marker: str | None = None  # test hook: pages containing these bytes never finish
    test_crash_marker: str | None = None  # test hook: pages containing these bytes kill the parser
    garbage_text: text_sanity.Params = text_sanity.Params()
    # runs of this many lines or more that are each a whole link's text (menus, link lists left
    # by trafilatura's fallback) are dropped (classifiers/link_runs.py); null: kept
    link_run_lines: int | None = Field(link_runs.MIN_RUN, ge=2)
    # `published` from metadata, URLs and the date formats htmldate parses itself; true: also
    # dateparser over every locale, whose first use costs each parser process 3-8 s (here)
    extensive_date_search: bool = False


class ExtractHtml(Stage):
    name = "extract_html"
    version = "6"
    Config = ExtractHtmlConfig
    requires = ("content_type", "raw", "http_headers", "text")
    produces = ("text", "title", "published", "lang", "license_evidence", "signals")

    parser: ParserProcess | None = None
    sanity: text_sanity.TextSanity | None = None  # lid.176, loaded by setup()

    def setup(self) -> None:
        cfg = self.config
        options = cfg.model_dump(
            exclude={"timeout_seconds", "max_memory_mb", "test_hang_marker", "test_crash_marker"}
        )
        spec = ParserSpec(
            f"{__name__}:handler", options, cfg.max_memory_mb, cfg.test_hang_marker, cfg.test_crash_marker
        )
        self.parser = ParserProcess(spec, cfg.timeout_seconds)
        self.sanity = text_sanity.TextSanity(cfg.garbage_text)

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self.parser is None:
            self.setup()
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        headers = batch.column("http_headers").to_pylist()
        names = ("text", "title", "published", "lang", "license_evidence")
        columns = {name: batch.column(name).to_pylist() for name in names}
        reasons: list[str | None] = [None] * batch.num_rows
        signals: list[dict[str, float]] = [{} for _ in range(batch.num_rows)]
        todo = []
        for i, mime in enumerate(types):
            if mime not in HTML_TYPES or raws[i] is None:
                continue
            signals[i] = {"html_bytes": float(len(raws[i]))}
            if len(raws[i]) > self.config.max_bytes:
                reasons[i] = "extract_html:oversize:bytes"
            else:
                todo.append(i)
        # JSON, one line (a line break in JSON is only ever whitespace), then the page
        requests = [(headers[i] or "{}").replace("\n", " ").encode() + b"\n" + raws[i] for i in todo]
        restarts = self.parser.restarts
        for i, result in zip(todo, self.parser.parse_many(requests), strict=True):
            if "found" not in result:  # the parser process failed on it (timeout, crash, ...)
                detail = result.get("detail")
                reasons[i] = f"extract_html:{result['reason']}" + (f":{detail}" if detail else "")
                continue
            reasons[i], found, signals[i] = result["reason"], result["found"], result["signals"]
            for name, value in found.items():  # extracted text wins; metadata fills gaps
                columns[name][i] = value if name == "text" else columns[name][i] or value
        batch = set_column(batch, "text", columns["text"], pa.large_string())
        for name in names[1:]:
            batch = set_column(batch, name, columns[name], pa.string())
        self.counters["parser_restarts"] += self.parser.restarts - restarts
        self.sanity.apply("extract_html", todo, columns["text"], reasons, signals)
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)

    def _extract(self, raw: bytes, headers: dict[str, str]) -> tuple[str | None, dict, dict[str, float]]:
        cfg = self.config
        signals = {"html_bytes": float(len(raw))}
        try:
            html, _ = decode(raw, declared=header_charset(headers.get("content-type")), html=True)
        except UndecodableError:
            return "extract_html:undecodable", {}, signals
        page = join_cjk_line_breaks(html)  # what trafilatura reads, and link texts are read from
        try:
            doc = trafilatura.bare_extraction(
                page,
                favor_precision=cfg.favor == "precision",
                favor_recall=cfg.favor == "recall",
                include_tables=cfg.include_tables,
                include_comments=False,
                with_metadata=True,
                date_extraction_params=set_date_params(cfg.extensive_date_search),
            )
        except (LxmlError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            return f"extract_html:parse_error:{type(exc).__name__}", {}, signals
        text = (doc.text if doc is not None else None) or ""
        if cfg.link_run_lines is not None:
            text, dropped = link_runs.drop_link_runs(text, page, cfg.link_run_lines)
            signals["html_link_lines_dropped"] = float(dropped)
        signals["html_text_chars"] = float(len(text))
        signals["html_text_ratio"] = len(text) / max(1, len(html))
        if len(text.strip()) < cfg.min_chars:
            return f"extract_html:{'too_deep' if too_deep(html) else 'no_main_text'}", {}, signals
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


def handler(options: dict) -> Callable[[bytes], dict]:
    """The parser process's handler: a request is the page's HTTP headers (JSON) and a line
    break, then its bytes; the result is `_extract`'s reason, found columns and signals."""
    stage = ExtractHtml(ExtractHtmlConfig(**options))

    def parse(request: bytes) -> dict:
        headers, _, raw = request.partition(b"\n")
        reason, found, signals = stage._extract(raw, json.loads(headers))
        return {"reason": reason, "found": found, "signals": signals}

    return parse
