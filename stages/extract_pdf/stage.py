"""PDF to text, page by page, in reading order (columns), with metadata.

Parsing runs in a child process under a per-PDF time limit (`worker.py`, pipeline/parser_process.py):
a PDF that hangs or crashes the parser (twice: a child killed from outside is replaced and the PDF
retried once) is rejected (`timeout`, `parser_crashed`) and the batch goes on.
PyMuPDF (AGPL-3.0) is imported only in that child.

Sets `text` (pages joined by a blank line; lines of a paragraph joined, CJK without spaces),
`title`, `published` (creation date, YYYY-MM-DD) and `license_evidence`: a JSON object of the
licence hints found, for the licence stage (keys `pdf:/Rights`, `pdf:/Author`,
`xmp:dc:rights`, `xmp:xmpRights:WebStatement`, `xmp:xmpRights:Marked`). Signals:
`pdf_pages`, `pdf_text_pages`, `pdf_bad_pages`, `pdf_repaired`.

Drop reasons: `extract_pdf:` + `encrypted`, `corrupt` (`corrupt:page_tree`: a page cannot be
reached, e.g. the page tree holds itself), `truncated` (no %%EOF at the end),
`empty_file`, `no_pages`, `no_text_layer` (image-only), `oversize:bytes`, `oversize:pages`,
`timeout`, `parser_crashed:<signal or exit code>`, `out_of_memory`, `parse_error:<error>`.

Garbage text (classifiers/text_sanity.py): every extracted text gets `sanity_score` and its
parts in `signals`; above `garbage_text.max_score` (0.5; null: score only) it is rejected as
`extract_pdf:garbage_text` (a font without a usable ToUnicode map, a noise OCR layer).
"""

from __future__ import annotations

import json
from typing import Literal

import pyarrow as pa
from pydantic import Field

from datamill.classifiers import text_sanity
from datamill.pipeline.parser_process import ParserProcess
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason
from datamill.stages.extract_pdf.worker import ParseOptions, pdf_parser
from datamill.stages.ingest.formats import PDF_TYPES


class ExtractPdfConfig(StageConfig):
    max_pages: int = Field(2000, ge=1)  # longer documents: oversize:pages
    max_bytes: int = Field(200 * 1024 * 1024, ge=1)  # larger files: oversize:bytes
    # "columns": reading order from each line's position (multi-column pages read column by
    # column); "stream": text blocks in the order the file draws them (faster, no column logic)
    layout: Literal["columns", "stream"] = "columns"
    timeout_seconds: float = Field(60.0, gt=0)  # per PDF
    max_memory_mb: int = Field(4096, ge=256)  # address-space limit of the parser process
    test_hang_marker: str | None = None  # test hook: PDFs containing these bytes never finish
    test_crash_marker: str | None = None  # test hook: PDFs containing these bytes kill the parser
    garbage_text: text_sanity.Params = text_sanity.Params()


class ExtractPdf(Stage):
    name = "extract_pdf"
    version = "5"
    Config = ExtractPdfConfig
    requires = ("content_type", "raw", "text")
    produces = ("text", "title", "published", "license_evidence", "signals")

    parser: ParserProcess | None = None
    sanity: text_sanity.TextSanity | None = None  # lid.176, loaded by setup()

    def setup(self) -> None:
        cfg = self.config
        options = ParseOptions(
            cfg.max_pages, cfg.max_memory_mb, cfg.layout, cfg.test_hang_marker, cfg.test_crash_marker
        )
        self.parser = pdf_parser(options, cfg.timeout_seconds)
        self.sanity = text_sanity.TextSanity(cfg.garbage_text)

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self.parser is None:
            self.setup()
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        columns = {
            name: batch.column(name).to_pylist()
            for name in ("text", "title", "published", "license_evidence")
        }
        reasons: list[str | None] = [None] * batch.num_rows
        signals: list[dict[str, float]] = [{} for _ in range(batch.num_rows)]
        todo = []
        for i, mime in enumerate(types):
            if mime not in PDF_TYPES or raws[i] is None:
                continue
            if len(raws[i]) > self.config.max_bytes:
                reasons[i] = "extract_pdf:oversize:bytes"
            else:
                todo.append(i)
        restarts = self.parser.restarts
        for i, result in zip(todo, self.parser.parse_many([raws[i] for i in todo]), strict=True):
            if "reason" in result:
                detail = result.get("detail")
                reasons[i] = f"extract_pdf:{result['reason']}" + (f":{detail}" if detail else "")
                if "pages" in result:
                    signals[i] = {"pdf_pages": float(result["pages"]), "pdf_text_pages": 0.0}
                continue
            columns["text"][i] = result["text"]
            columns["title"][i] = columns["title"][i] or result["title"]
            columns["published"][i] = columns["published"][i] or result["published"]
            if result["hints"]:
                columns["license_evidence"][i] = json.dumps(
                    result["hints"], ensure_ascii=False, sort_keys=True
                )
            signals[i] = {
                f"pdf_{key}": float(result[key]) for key in ("pages", "text_pages", "bad_pages", "repaired")
            }
        self.counters["parser_restarts"] += self.parser.restarts - restarts
        self.sanity.apply("extract_pdf", todo, columns["text"], reasons, signals)
        batch = set_column(batch, "text", columns["text"], pa.large_string())
        for name in ("title", "published", "license_evidence"):
            batch = set_column(batch, name, columns[name], pa.string())
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)
