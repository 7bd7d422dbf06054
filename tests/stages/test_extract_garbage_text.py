"""Garbage text caught at extraction (classifiers/text_sanity.py): PDFs made here with PyMuPDF
(tests/stages/garbage_pdfs.py) through the real extract_pdf stage, and HTML pages through the
real extract_html stage. Each fixture's kind is what it was made as."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.extract_html import ExtractHtml
from datamill.stages.extract_pdf.stage import ExtractPdf, ExtractPdfConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
import garbage_pdfs  # noqa: E402

PARTS = ("bad_chars", "off_script", "odd_words", "rare_cjk", "short_lines", "lid_unsure", "score")


def pdf_batch(raws: list[bytes]) -> pa.Table:
    table = pa.table(
        {"content_type": ["application/pdf"] * len(raws), "raw": pa.array(raws, pa.large_binary())}
    )
    return conform(table, WORKING_SCHEMA)


def html_batch(pages: list[str]) -> pa.Table:
    raws = pa.array([p.encode() for p in pages], pa.large_binary())
    return conform(pa.table({"content_type": ["text/html"] * len(pages), "raw": raws}), WORKING_SCHEMA)


def run(stage, batch: pa.Table) -> list[dict]:
    try:
        return stage(batch).to_pylist()
    finally:
        stage.parser.close()


@pytest.fixture(scope="module")
def pdf_rows() -> dict[str, dict]:
    kinds = {**garbage_pdfs.CLEAN, **garbage_pdfs.GARBAGE}
    rows = run(ExtractPdf(), pdf_batch([make() for make in kinds.values()]))
    return dict(zip(kinds, rows, strict=True))


def test_garbage_pdfs_are_rejected_and_clean_ones_kept(pdf_rows):
    print(f"\n{'pdf':16s} {'reason':26s} " + " ".join(f"{p[:9]:>9s}" for p in PARTS))
    for name, row in pdf_rows.items():
        signals = dict(row["signals"])
        values = " ".join(f"{signals[f'sanity_{p}']:9.3f}" for p in PARTS)
        print(f"{name:16s} {row['drop_reason'] or 'kept':26s} {values}")
    reasons = {name: row["drop_reason"] for name, row in pdf_rows.items()}
    assert reasons == {
        **{name: None for name in garbage_pdfs.CLEAN},
        **{name: "extract_pdf:garbage_text" for name in garbage_pdfs.GARBAGE},
    }
    # the clean ones are kept with room to spare; rejected rows keep their text and scores
    assert all(dict(pdf_rows[name]["signals"])["sanity_score"] < 0.25 for name in garbage_pdfs.CLEAN)
    assert pdf_rows["no_tounicode_en"]["text"].startswith(
        "5IF\x01IBSCPVS\x01BVUIPSJUZ"
    )  # "The harbour authority"
    assert dict(pdf_rows["noisy_ocr_layer"]["signals"])["sanity_short_lines"] > 0.6
    assert dict(pdf_rows["zh"]["signals"])["sanity_rare_cjk"] == 0.0


def test_threshold_is_config_and_null_only_scores():
    raws = [garbage_pdfs.GARBAGE["shuffled_glyphs"](), garbage_pdfs.CLEAN["en"]()]
    rows = run(ExtractPdf(ExtractPdfConfig(garbage_text={"max_score": None})), pdf_batch(raws))
    assert [r["drop_reason"] for r in rows] == [None, None]
    assert [dict(r["signals"])["sanity_score"] for r in rows] == [1.0, 0.0]


HTML_EN = (
    "<html lang='en'><head><title>Harbour</title></head><body><nav><a href='/'>Home</a></nav><article>"
    f"<h1>Annual report</h1><p>{garbage_pdfs.EN}</p><p>{garbage_pdfs.EN}</p></article></body></html>"
)
HTML_ZH = (
    "<html lang='zh'><head><title>港口</title></head><body><article><h1>年度报告</h1>"
    f"<p>{garbage_pdfs.ZH}</p><p>{garbage_pdfs.MIXED}</p></article></body></html>"
)
# the two outputs issue 18 quotes: a font without ToUnicode ("3HQČåQtSURVWĜHGN...", Czech text
# read as glyph ids) and a noise OCR layer, published as a page's text
GLYPH_IDS = "3HQČåQtSURVWĜHGN\\QD~þWHFK 2EVDKXMH\\QDNWXiOQt SURVWĜHGN\\ ]SUiY\\ Yê]NXPX"
HTML_GLYPH_IDS = f"<html><body><article><p>{GLYPH_IDS}</p><p>{GLYPH_IDS}</p></article></body></html>"
HTML_OCR_NOISE = "<html><body><article><pre>{}</pre></article></body></html>".format(
    "\n".join(garbage_pdfs.ocr_noise(5))
)


def test_html_garbage_text_is_rejected_and_prose_kept():
    rows = run(ExtractHtml(), html_batch([HTML_EN, HTML_ZH, HTML_GLYPH_IDS, HTML_OCR_NOISE]))
    assert [r["drop_reason"] for r in rows] == [
        None,
        None,
        "extract_html:garbage_text",
        "extract_html:garbage_text",
    ]
    assert [dict(r["signals"])["sanity_score"] < 0.25 for r in rows] == [True, True, False, False]
    assert dict(rows[2]["signals"])["sanity_odd_words"] > 0.5


def test_rows_the_stage_did_not_extract_are_not_scored():
    table = pa.table(
        {
            "content_type": ["text/plain", "application/pdf"],
            "text": [GLYPH_IDS * 3, None],
            "raw": pa.array([None, garbage_pdfs.CLEAN["en"]()], pa.large_binary()),
        }
    )
    rows = run(ExtractPdf(), conform(table, WORKING_SCHEMA))
    assert [r["drop_reason"] for r in rows] == [None, None]
    assert rows[0]["signals"] is None or "sanity_score" not in dict(rows[0]["signals"])
    assert dict(rows[1]["signals"])["sanity_score"] == 0.0
