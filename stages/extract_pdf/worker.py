"""PDF parsing with PyMuPDF (AGPL-3.0: imported only here, in the extract_pdf stage's parser
process: `pdf_parser` runs `handler` under pipeline/parser_process.py's time and memory limits;
a PDF that hangs or crashes the parser costs only itself, `timeout` or `parser_crashed`).
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datamill.pipeline.parser_process import ParserProcess, ParserSpec

PAGE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class ParseOptions:
    max_pages: int
    max_memory_mb: int
    layout: str = "columns"  # "columns": reading order from line geometry; "stream": file order
    test_hang_marker: str | None = None  # test hook: a PDF containing it parses forever
    test_crash_marker: str | None = None  # test hook: a PDF containing it kills the parser


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


_HYPHENATED = re.compile(r"[^\W\d_]-$")


def join_lines(lines: list[str]) -> str:
    """Lines of one text block as one paragraph: nothing between two CJK characters, a
    word hyphenated at the line end joined back ('exam-' + 'ple'), one space elsewhere."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and _HYPHENATED.search(out) and line[0].islower():
            out = out[:-1]
        elif out and not (_is_cjk(out[-1]) and _is_cjk(line[0])):
            out += " "
        out += line
    return out


def column_spans(lines: list[tuple], width: float) -> list[tuple[float, float]]:
    """Horizontal extents of the page's text columns: the merged extents of lines narrower
    than half the page (wider lines span columns: titles, single-column prose)."""
    spans: list[list[float]] = []
    for x0, _, x1, *_ in sorted((ln for ln in lines if ln[2] - ln[0] < width / 2), key=lambda ln: ln[0]):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    return [(lo, hi) for lo, hi in spans]


def reading_order(segments: list[tuple]) -> list[tuple]:
    """Segments (x0, y0, x1, y1, column, text) in reading order: top to bottom; between two
    segments that span columns (column None), column by column."""
    out: list[tuple] = []
    group: list[tuple] = []
    for segment in sorted(segments, key=lambda s: (s[1], s[0])):
        if segment[4] is None:
            out += sorted(group, key=lambda s: (s[4], s[1]))
            group = []
            out.append(segment)
        else:
            group.append(segment)
    return out + sorted(group, key=lambda s: (s[4], s[1]))


def _segment(lines: list[tuple], column: int | None) -> tuple:
    x0, y0 = min(ln[0] for ln in lines), min(ln[1] for ln in lines)
    x1, y1 = max(ln[2] for ln in lines), max(ln[3] for ln in lines)
    return (x0, y0, x1, y1, column, join_lines([ln[5] for ln in lines]))


def _column_of(line: tuple, spans: list[tuple[float, float]]) -> int | None:
    """Index of the column span holding `line`, None if it crosses columns."""
    for i, (lo, hi) in enumerate(spans):
        if lo - 1 <= line[0] and line[2] <= hi + 1:
            return i
    return None


def page_paragraphs(page_dict: dict) -> list[str]:
    """Paragraphs of a page (`page.get_text("dict")`): each text block cut at column
    boundaries (unless a line of it spans columns), its lines joined, in reading order."""
    lines = []
    for block in page_dict["blocks"]:
        if block.get("type") != 0:
            continue
        number = block["number"]
        for line in block["lines"]:
            spans = line["spans"]
            text = spans[0]["text"] if len(spans) == 1 else "".join([span["text"] for span in spans])
            if text and not text.isspace():
                lines.append((*line["bbox"], number, text))
    spans = column_spans(lines, page_dict["width"])
    columns = [_column_of(line, spans) for line in lines]
    # a block with a line across the columns is one single-column paragraph: its short first
    # or last line stays in it (else the two short lines form a segment read before the rest)
    spanning = {line[4] for line, column in zip(lines, columns, strict=True) if column is None}
    segments: dict[tuple[int, int | None], list[tuple]] = {}
    for line, column in zip(lines, columns, strict=True):
        segments.setdefault((line[4], None if line[4] in spanning else column), []).append(line)
    boxes = [_segment(seg, column) for (_, column), seg in segments.items()]
    return [box[5] for box in reading_order(boxes) if box[5]]


def page_text(page: Any, layout: str) -> list[str]:
    """Paragraphs of a PyMuPDF page: in column order ("columns", needs each line's position,
    about 1.5x the cost) or in the order the file draws its text blocks ("stream")."""
    import pymupdf

    if layout == "stream":
        blocks = page.get_text("blocks", flags=pymupdf.TEXTFLAGS_BLOCKS)
        return [p for p in (join_lines(b[4].split("\n")) for b in blocks if b[6] == 0) if p]
    return page_paragraphs(
        page.get_text("dict", flags=pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES)
    )


def _pdf_date(value: str | None) -> str | None:
    """PDF date 'D:YYYYMMDDHHmmSS...' as 'YYYY-MM-DD' (None if unreadable)."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", (value or "").strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return None
    return f"{year}-{month}-{day}"


_XMP_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
}


def xmp_rights(xml: str) -> dict[str, str]:
    """dc:rights, xmpRights:WebStatement and xmpRights:Marked from an XMP packet."""
    if not xml.strip():
        return {}
    try:
        root = ET.fromstring(xml.strip().encode("utf-8"))
    except ET.ParseError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter(f"{{{_XMP_NS['dc']}}}rights"):
        texts = [
            li.text.strip() for li in element.iter(f"{{{_XMP_NS['rdf']}}}li") if li.text and li.text.strip()
        ]
        if texts or (element.text or "").strip():
            found["xmp:dc:rights"] = " | ".join(texts) or element.text.strip()
    for name in ("WebStatement", "Marked"):
        tag = f"{{{_XMP_NS['xmpRights']}}}{name}"
        for element in root.iter(tag):
            if (element.text or "").strip():
                found[f"xmp:xmpRights:{name}"] = element.text.strip()
        for description in root.iter(f"{{{_XMP_NS['rdf']}}}Description"):
            if description.get(tag):
                found[f"xmp:xmpRights:{name}"] = description.get(tag)
    return found


def _info_string(doc: Any, key: str) -> str | None:
    kind, ref = doc.xref_get_key(-1, "Info")
    if kind != "xref":
        return None
    kind, value = doc.xref_get_key(int(ref.split()[0]), key)
    return value.strip() or None if kind == "string" else None


def parse_pdf(raw: bytes, max_pages: int, layout: str = "columns") -> dict[str, Any]:
    """Text and metadata of one PDF, or {"reason": ...} saying why there is none."""
    import pymupdf

    if not raw.strip():
        return {"reason": "empty_file"}
    if b"%%EOF" not in raw[-1024:]:
        return {"reason": "truncated"}
    try:
        doc = pymupdf.open(stream=raw, filetype="pdf")
    except pymupdf.EmptyFileError:
        return {"reason": "empty_file"}
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        return {"reason": "corrupt", "detail": type(exc).__name__}
    with doc:
        if doc.needs_pass:
            return {"reason": "encrypted"}
        if doc.page_count == 0:
            return {"reason": "no_pages"}
        if doc.page_count > max_pages:
            return {"reason": "oversize", "detail": "pages"}
        pages, bad_pages = [], 0
        for number in range(doc.page_count):
            try:
                page = doc.load_page(number)
            except pymupdf.mupdf.FzErrorBase:  # the page tree is broken (a cycle, a bad node)
                return {"reason": "corrupt", "detail": "page_tree"}
            try:
                pages.append("\n".join(page_text(page, layout)))
            except (RuntimeError, ValueError):
                bad_pages += 1
                pages.append("")
        if not any(pages):
            return {"reason": "no_text_layer", "pages": doc.page_count}
        meta = doc.metadata or {}
        hints = {
            "pdf:/Rights": _info_string(doc, "Rights"),
            "pdf:/Author": (meta.get("author") or "").strip(),
        }
        hints.update(xmp_rights(doc.get_xml_metadata() or ""))
        return {
            "text": PAGE_SEPARATOR.join(p for p in pages if p),
            "title": (meta.get("title") or "").strip() or None,
            "published": _pdf_date(meta.get("creationDate")),
            "hints": {k: v for k, v in hints.items() if v},
            "pages": doc.page_count,
            "text_pages": sum(1 for p in pages if p),
            "bad_pages": bad_pages,
            "repaired": int(bool(doc.is_repaired)),
        }


def handler(options: dict[str, Any]) -> Callable[[bytes], dict[str, Any]]:
    """The parser process's handler (pipeline/parser_process.py): PyMuPDF loaded once."""
    import pymupdf  # noqa: F401  (loaded before the child says it is ready)

    max_pages, layout = options["max_pages"], options["layout"]
    return lambda raw: parse_pdf(raw, max_pages, layout)


def pdf_parser(options: ParseOptions, timeout: float) -> ParserProcess:
    """A parser process for PDFs (`parse_many` returns `parse_pdf` results)."""
    spec = ParserSpec(
        handler=f"{__name__}:handler",
        options={"max_pages": options.max_pages, "layout": options.layout},
        max_memory_mb=options.max_memory_mb,
        test_hang_marker=options.test_hang_marker,
        test_crash_marker=options.test_crash_marker,
    )
    return ParserProcess(spec, timeout)
