"""PDF to text with PyMuPDF (AGPL-3.0: used only inside this stage), page by page."""

from __future__ import annotations

import pyarrow as pa
import pymupdf
from pydantic import Field

from pipeline.stage import Stage, StageConfig, set_column, with_drop_reason
from stages.ingest import PDF_TYPES

PAGE_SEPARATOR = "\n\n"


class ExtractPdfConfig(StageConfig):
    max_pages: int = Field(2000, ge=1)  # longer documents are rejected as oversize


class ExtractPdf(Stage):
    name = "extract_pdf"
    version = "1"
    Config = ExtractPdfConfig
    requires = ("content_type", "raw", "text")
    produces = ("text", "title")

    def __call__(self, batch: pa.Table) -> pa.Table:
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        texts = batch.column("text").to_pylist()
        titles = batch.column("title").to_pylist()
        reasons: list[str | None] = [None] * batch.num_rows
        for i, mime in enumerate(types):
            if mime not in PDF_TYPES or raws[i] is None:
                continue
            text, title, reasons[i] = self._extract(raws[i])
            texts[i] = text
            titles[i] = titles[i] or title
        batch = set_column(batch, "text", texts, pa.large_string())
        batch = set_column(batch, "title", titles, pa.string())
        return with_drop_reason(batch, reasons)

    def _extract(self, raw: bytes) -> tuple[str | None, str | None, str | None]:
        try:
            doc = pymupdf.open(stream=raw, filetype="pdf")
        except pymupdf.EmptyFileError:
            return None, None, "extract_pdf:empty_file"
        except pymupdf.FileDataError:
            return None, None, "extract_pdf:corrupt"
        with doc:
            if doc.needs_pass:
                return None, None, "extract_pdf:encrypted"
            if doc.page_count == 0:
                return None, None, "extract_pdf:no_pages"
            if doc.page_count > self.config.max_pages:
                return None, None, "extract_pdf:too_many_pages"
            pages = [page.get_text("text", sort=True).strip() for page in doc]
            text = PAGE_SEPARATOR.join(p for p in pages if p)
            if not text:
                return None, None, "extract_pdf:no_text_layer"
            return text, (doc.metadata or {}).get("title") or None, None
