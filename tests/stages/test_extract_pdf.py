"""PDF extraction on PDFs made here with PyMuPDF: text, order, metadata, broken files, hangs."""

from __future__ import annotations

import json

import pyarrow as pa
import pymupdf
import pytest

from datamill.pipeline import outputs
from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.extract_pdf.stage import ExtractPdf, ExtractPdfConfig
from datamill.stages.extract_pdf.worker import column_spans, join_lines, reading_order
from tests.faults import run_with_parser_killed

ZH = "数据清洗是训练大模型的第一步，需要仔细处理每一个网页和文档中的文字内容。"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" xmpRights:Marked="True">'
    '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">Creative Commons Attribution 4.0</rdf:li></rdf:Alt>'
    "</dc:rights><xmpRights:WebStatement>https://creativecommons.org/licenses/by/4.0/</xmpRights:WebStatement>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def bilingual_pdf(keywords: str = "") -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Data curation for language models", fontsize=12)
    page.insert_textbox(pymupdf.Rect(72, 100, 300, 300), ZH, fontname="china-s", fontsize=11)
    doc.new_page().insert_text((72, 72), "Second page in English.", fontsize=12)
    doc.set_metadata(
        {
            "title": "双语文档 Bilingual",
            "author": "张三",
            "creationDate": "D:20240105123000+08'00'",
            "keywords": keywords,
        }
    )
    info = int(doc.xref_get_key(-1, "Info")[1].split()[0])
    doc.xref_set_key(info, "Rights", pymupdf.get_pdf_str("CC BY 4.0"))
    doc.set_xml_metadata(XMP)
    return doc.tobytes()


def two_column_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=600, height=800)
    page.insert_textbox(pymupdf.Rect(50, 40, 550, 70), "Title across both columns", fontsize=14)
    left = ["Left one starts the story.", "Left two goes on."]
    right = ["Right one comes after.", "Right two ends it."]
    for n, (l_text, r_text) in enumerate(zip(left, right, strict=True)):
        top = 100 + n * 120
        page.insert_textbox(pymupdf.Rect(50, top, 280, top + 100), l_text, fontsize=11)
        page.insert_textbox(pymupdf.Rect(320, top, 550, top + 100), r_text, fontsize=11)
    return doc.tobytes()


def image_only_pdf() -> bytes:
    doc = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pix.clear_with(180)
    doc.new_page().insert_image(pymupdf.Rect(72, 72, 300, 300), pixmap=pix)
    return doc.tobytes()


def encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret", fontsize=12)
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")


ZERO_PAGES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def batch_of(raws: list[bytes | None], types: list[str] | None = None) -> pa.Table:
    n = len(raws)
    table = pa.table(
        {"content_type": types or ["application/pdf"] * n, "raw": pa.array(raws, pa.large_binary())}
    )
    return conform(table, WORKING_SCHEMA)


@pytest.fixture(scope="module")
def stage():
    stage = ExtractPdf(
        ExtractPdfConfig(timeout_seconds=3, test_hang_marker="HANG-ME", test_crash_marker="CRASH-ME")
    )
    stage.setup()
    yield stage
    stage.parser.close()


def test_bilingual_text_pages_and_metadata(stage):
    out = stage(batch_of([bilingual_pdf()])).to_pylist()[0]
    assert out["drop_reason"] is None
    assert out["text"] == f"Data curation for language models\n{ZH}\n\nSecond page in English."
    assert (out["title"], out["published"]) == ("双语文档 Bilingual", "2024-01-05")
    assert json.loads(out["license_evidence"]) == {
        "pdf:/Author": "张三",
        "pdf:/Rights": "CC BY 4.0",
        "xmp:dc:rights": "Creative Commons Attribution 4.0",
        "xmp:xmpRights:Marked": "True",
        "xmp:xmpRights:WebStatement": "https://creativecommons.org/licenses/by/4.0/",
    }
    signals = dict(out["signals"])
    assert {k: v for k, v in signals.items() if k.startswith("pdf_")} == {
        "pdf_pages": 2.0,
        "pdf_text_pages": 2.0,
        "pdf_bad_pages": 0.0,
        "pdf_repaired": 0.0,
    }
    assert signals["sanity_score"] == 0.0  # clean text (tests/stages/test_extract_garbage_text.py)


def test_two_columns_read_column_by_column(stage):
    out = stage(batch_of([two_column_pdf()])).to_pylist()[0]
    assert out["text"].split("\n") == [
        "Title across both columns",
        "Left one starts the story.",
        "Left two goes on.",
        "Right one comes after.",
        "Right two ends it.",
    ]


ZH_WRAPPED = (
    "爬虫需要遵守网站的 robots.txt 规则和访问频率限制。"
    "去重可以显著减少重复内容对模型训练的影响。今天我们讨论大语言模型的训练数据如何清洗。"
)


def test_single_column_paragraph_with_short_first_and_last_lines_stays_whole(stage):
    """The box wraps after "robots.txt" (the CJK run after it does not fit) and ends on a
    short line: both are narrower than half the page but belong to the wide paragraph."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(60, 60, 540, 220), ZH_WRAPPED, fontsize=10, fontname="china-s")
    page.insert_textbox(pymupdf.Rect(60, 240, 540, 400), "Next paragraph.", fontsize=10)
    lines = [ln for b in page.get_text("dict")["blocks"] for ln in b["lines"]]
    assert len(lines) == 4 and lines[0]["bbox"][2] < 297 and lines[2]["bbox"][2] < 297
    out = stage(batch_of([doc.tobytes()])).to_pylist()[0]
    assert out["text"].split("\n") == [ZH_WRAPPED, "Next paragraph."]


def test_stream_layout_keeps_the_file_order():
    stage = ExtractPdf(ExtractPdfConfig(layout="stream"))
    out = stage(batch_of([two_column_pdf(), bilingual_pdf()])).column("text").to_pylist()
    stage.parser.close()
    assert out[0].split("\n") == [
        "Title across both columns",
        "Left one starts the story. Right one comes after.",
        "Left two goes on. Right two ends it.",
    ]
    assert out[1] == f"Data curation for language models\n{ZH}\n\nSecond page in English."


def test_broken_pdfs_are_rejected_with_distinct_reasons(stage):
    good = bilingual_pdf()
    raws = [
        good[: len(good) // 2],
        encrypted_pdf(),
        ZERO_PAGES,
        image_only_pdf(),
        b"not a pdf\n%%EOF\n",
        b"",
        good,
    ]
    out = stage(batch_of(raws)).to_pylist()
    assert [r["drop_reason"] for r in out] == [
        "extract_pdf:truncated",
        "extract_pdf:encrypted",
        "extract_pdf:no_pages",
        "extract_pdf:no_text_layer",
        "extract_pdf:corrupt:FileDataError",
        "extract_pdf:empty_file",
        None,
    ]
    assert out[3]["signals"] == [("pdf_pages", 1.0), ("pdf_text_pages", 0.0)]


def test_oversize_by_bytes_and_pages():
    stage = ExtractPdf(ExtractPdfConfig(max_pages=1, max_bytes=50_000))
    out = stage(batch_of([bilingual_pdf(), b"%PDF" + b"0" * 60_000])).to_pylist()
    stage.parser.close()
    assert [r["drop_reason"] for r in out] == ["extract_pdf:oversize:pages", "extract_pdf:oversize:bytes"]


def test_hang_and_crash_cost_only_their_pdf(stage):
    good = two_column_pdf()
    raws = [bilingual_pdf("HANG-ME"), good, bilingual_pdf("CRASH-ME"), good]
    out = stage(batch_of(raws)).to_pylist()
    assert [r["drop_reason"] for r in out] == [
        "extract_pdf:timeout",
        None,
        "extract_pdf:parser_crashed:signal_11",
        None,
    ]
    assert out[1]["text"] == out[3]["text"] != ""


def test_a_parser_killed_from_outside_costs_nothing():
    """SIGKILL of the PDF parser child while it parses: the PDF is parsed again in a new child."""
    doc, page = pymupdf.open(), pymupdf.open(stream=two_column_pdf())
    for _ in range(1500):
        doc.insert_pdf(page)
    slow = doc.tobytes()
    expected = ExtractPdf()(batch_of([slow])).column("text").to_pylist()
    stage = ExtractPdf()
    out = run_with_parser_killed(stage, batch_of([two_column_pdf()]), batch_of([slow]))
    stage.parser.close()
    assert out.column("drop_reason").to_pylist() == [None]
    assert out.column("text").to_pylist() == expected
    assert stage.parser.restarts == 1


def test_non_pdf_rows_pass_through(stage):
    out = stage(batch_of([None, b"<html></html>"], ["text/plain", "text/html"])).to_pylist()
    assert [(r["drop_reason"], r["text"]) for r in out] == [(None, None), (None, None)]


def test_helpers_join_cjk_lines_and_order_columns():
    assert (
        join_lines(["数据清洗是", "第一步。Then", "English  ", "words, exam-", "ple and well-", "Known"])
        == "数据清洗是第一步。Then English words, example and well- Known"
    )
    lines = [(320, 100, 550, 115, 1, "R1"), (50, 100, 280, 115, 1, "L1"), (50, 200, 280, 215, 2, "L2")]
    assert column_spans([*lines, (50, 40, 550, 60, 0, "T")], 600) == [(50, 280), (320, 550)]
    segments = [(320, 100, 550, 150, 1, "R1"), (50, 100, 280, 150, 0, "L1"), (50, 40, 550, 70, None, "T")]
    segments += [(50, 200, 280, 250, 0, "L2"), (50, 300, 550, 320, None, "F")]
    assert [s[5] for s in reading_order(segments)] == ["T", "L1", "L2", "R1", "F"]


def test_hanging_pdf_ends_in_rejected_while_the_run_finishes(run, tmp_path):
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "a_good.pdf").write_bytes(bilingual_pdf())
    (folder / "b_hangs.pdf").write_bytes(bilingual_pdf("HANG-ME"))
    (folder / "c_columns.pdf").write_bytes(two_column_pdf())
    state = run(
        {
            "name": "pdfs",
            "sources": [{"kind": "files", "name": "docs", "paths": ["pdfs"]}],
            "stages": [{"stage": "extract_pdf", "timeout_seconds": 4, "test_hang_marker": "HANG-ME"}],
        }
    )
    assert state["status"] == "done"
    kept = outputs.kept(tmp_path / "run").to_pylist()
    rejected = outputs.rejected(tmp_path / "run", "extract_pdf").to_pylist()
    assert sorted(r["uri"] for r in kept) == ["pdfs/a_good.pdf", "pdfs/c_columns.pdf"]
    assert [(r["uri"], r["drop_reason"]) for r in rejected] == [("pdfs/b_hangs.pdf", "extract_pdf:timeout")]
