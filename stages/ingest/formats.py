"""Content types the pipeline reads, and how a Content-Type header is reduced to one."""

from __future__ import annotations

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf",)
TEXT_TYPES = ("text/plain", "text/markdown")
SUPPORTED_TYPES = HTML_TYPES + PDF_TYPES + TEXT_TYPES
FILE_SUFFIXES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
}


def mime_type(content_type: str | None) -> str:
    """`text/html; charset=gbk` -> `text/html` (empty when absent)."""
    return (content_type or "").split(";")[0].strip().lower()
