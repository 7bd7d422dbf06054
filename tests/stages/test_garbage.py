"""Garbage text: clean prose in five languages (with English terms mixed in) is kept, each kind
of garbage is rejected with its reason, and every row gets its scores. Real lid.176, and PDFs
with broken font encodings made here with PyMuPDF and read by the real extract_pdf stage."""

from __future__ import annotations

import pyarrow as pa
import pymupdf
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.extract_pdf.stage import ExtractPdf, ExtractPdfConfig
from datamill.stages.garbage import Garbage, GarbageConfig

EN = (
    "The pipeline writes Parquet shards together with a manifest for training runs. "
    "Every decision is recorded so that any row can be traced back to its source."
)
ZH = (
    "我们用 GPT-4 和 Claude 3.5 Sonnet 做了对比测试，token 的成本差别很大。"
    "经过 RLHF 之后，模型更愿意按照指令回答问题，但有时也会变得啰嗦。"
)
ZH_TW = (
    "今年春天我們重寫了爬蟲，並測量每個網頁能取出多少正文。"
    "多數網頁的選單與頁尾都能乾淨移除，只有少數留下 cookie 橫幅。"
)
JA = (
    "この春、Python と Ray でクローラーを作り直し、各ページから取り出せる本文の量を測りました。"
    "多くのページではメニューがきれいに消えます。"
)
KO = (
    "올봄 우리는 Python 과 Ray 로 크롤러를 다시 만들고 각 페이지에서 얻는 본문의 양을 측정했습니다. "
    "대부분의 페이지에서 메뉴가 깔끔하게 사라집니다."
)
FR = (
    "L'été dernier, à Paris, nous avons mesuré la qualité des pages : "
    "où les cafés ferment tôt, les menus sont courts."
)
SHORT = "OK ✓"  # scored, not judged: a third of three characters being a symbol says little

CLEAN = [EN, ZH, ZH_TW, JA, KO, FR, SHORT]


def shifted(text: str, by: int = 3) -> str:
    """What a PDF with a shifted font encoding gives back ("Wkh slsholqh ...")."""
    out = []
    for ch in text:
        base = 97 if ch.islower() else 65 if ch.isupper() else None
        out.append(chr((ord(ch) - base + by) % 26 + base) if base and ch.isascii() else ch)
    return "".join(out)


GARBAGE = {
    "garbage:mojibake": [
        ZH.encode("utf-8").decode("gbk", "replace"),  # UTF-8 read as GBK: 鎴戜滑鐢...
        ZH.encode("utf-8").decode("cp1252", "replace"),  # UTF-8 read as cp1252: æˆ‘ä»¬...
        "It’s the café’s best — really, it’s great.".encode().decode("cp1252"),  # Itâ€™s
    ],
    "garbage:private_use_chars": ["".join(chr(0xE000 + (i * 7) % 200) for i in range(120))],
    "garbage:replacement_chars": [EN[:60] + "\ufffd" * 5 + EN[60:]],
    "garbage:control_chars": [EN.replace(" ", "\x01\x02 ")],
    "garbage:symbols": ["┌──┬──┐ │▒▒│▓▓│ ╞══╪══╡ ∑∫∂√∞ ≈≠≤≥ ⊕⊗⊥∠ │░░│▒▒│ └──┴──┘"],
    "garbage:no_language": [
        shifted(EN),
        "QmFzZTY0IGVuY29kZWQgYmxvYiBvZiBhbiBpbWFnZSBlbWJlZGRlZCBpbiB0aGUgcGFnZQ aGVsbG8gd29ybGQgYWdhaW4",
    ],
}


def batch_of(texts: list[str | None]) -> pa.Table:
    return conform(pa.table({"text": pa.array(texts, pa.large_string())}), WORKING_SCHEMA)


@pytest.fixture(scope="module")
def stage() -> Garbage:
    stage = Garbage()
    stage.setup()
    return stage


def test_clean_prose_is_kept_and_garbage_rejected_with_reasons(stage):
    expected = [None] * len(CLEAN) + [reason for reason, texts in GARBAGE.items() for _ in texts]
    texts = CLEAN + [text for texts in GARBAGE.values() for text in texts]
    out = stage(batch_of(texts)).to_pylist()
    got = [row["drop_reason"] for row in out]
    kept = sum(r is None for r in got[: len(CLEAN)])
    rejected = sum(r is not None for r in got[len(CLEAN) :])
    print(f"\ngarbage: clean kept {kept}/{len(CLEAN)}, garbage rejected {rejected}/{len(texts) - len(CLEAN)}")
    assert got == expected
    assert (kept, rejected) == (7, 9)


def test_every_row_gets_its_scores_kept_or_not(stage):
    out = stage(batch_of([ZH, shifted(EN), SHORT, None])).to_pylist()
    signals = [dict(row["signals"] or []) for row in out]
    keys = {"garbage_chars", "garbage_replacement_ratio", "garbage_private_use_ratio"}
    keys |= {"garbage_control_ratio", "garbage_mojibake_ratio", "garbage_symbol_ratio"}
    assert set(signals[0]) == set(signals[1]) == keys | {"garbage_lid_unsure_share"}
    assert set(signals[2]) == keys  # too short to ask lid.176
    assert signals[3] == {} and out[3]["drop_reason"] is None
    assert signals[0]["garbage_lid_unsure_share"] == 0.0
    assert signals[1]["garbage_lid_unsure_share"] == 1.0
    assert signals[2]["garbage_symbol_ratio"] == 1 / 3 and signals[2]["garbage_chars"] == 3.0
    assert [row["drop_reason"] for row in out] == [None, "garbage:no_language", None, None]


def test_thresholds_are_config(stage):
    loose = Garbage(GarbageConfig(rules={"max_lid_unsure_share": None, "max_mojibake_ratio": 0.9}))
    out = loose(batch_of([shifted(EN), GARBAGE["garbage:mojibake"][0]]))
    assert out.column("drop_reason").to_pylist() == [None, "garbage:replacement_chars"]


def broken_font_pdf(glyphs: str) -> bytes:
    """A PDF whose font maps letter codes to other glyphs: `shift` gives letters three on
    ("Wkh ..."), `private` gives private-use code points (a font with no Unicode map)."""
    doc = pymupdf.open()
    page = doc.new_page()
    for n, line in enumerate((EN[:78], EN[79:])):
        page.insert_text((72, 72 + 18 * n), line, fontname="helv", fontsize=11)
    letters = "abcdefghijklmnopqrstuvwxyz"
    if glyphs == "shift":
        upper = " ".join(f"/{letters[(i + 3) % 26].upper()}" for i in range(26))
        lower = " ".join(f"/{letters[(i + 3) % 26]}" for i in range(26))
    else:
        upper = " ".join(f"/uniE{i:03X}" for i in range(26))
        lower = " ".join(f"/uniE{i + 32:03X}" for i in range(26))
    xref = page.get_fonts()[0][0]
    doc.xref_set_key(xref, "Encoding", f"<< /Differences [ 65 {upper} 97 {lower} ] >>")
    return doc.tobytes()


def good_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), EN[:78], fontname="helv", fontsize=11)
    return doc.tobytes()


def test_pdfs_with_broken_font_encodings_are_rejected_after_extraction(stage):
    raws = [broken_font_pdf("shift"), broken_font_pdf("private"), good_pdf()]
    table = conform(
        pa.table({"content_type": ["application/pdf"] * 3, "raw": pa.array(raws, pa.large_binary())}),
        WORKING_SCHEMA,
    )
    # extract_pdf rejects both itself (extract_pdf:garbage_text, tests/stages/test_extract_garbage_text.py);
    # with that check off, the garbage stage catches them on the text
    extract = ExtractPdf(ExtractPdfConfig(garbage_text={"max_score": None}))
    extracted = extract(table)
    extract.parser.close()
    assert extracted.column("drop_reason").to_pylist() == [None, None, None]
    assert extracted.column("text").to_pylist()[0].startswith("Wkh slsholqh zulwhv Sdutxhw")
    out = stage(extracted.drop_columns(["drop_reason"]))
    assert out.column("drop_reason").to_pylist() == ["garbage:no_language", "garbage:private_use_chars", None]


def test_registered_for_run_configs():
    from datamill.pipeline.registry import stage_class

    assert stage_class("garbage") is Garbage
