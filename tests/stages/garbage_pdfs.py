"""PDFs for the garbage-text tests, made here with PyMuPDF: clean ones (English, Chinese, mixed,
a table of figures, two columns) and the two kinds of garbage issue 18 saw on real PDFs: a font
whose ToUnicode map is gone (or whose glyph codes are shuffled), and a scan whose invisible OCR
layer is noise. The kind of each file is what it was made as, not what any detector says."""

from __future__ import annotations

import random

import pymupdf

EN = (
    "The harbour authority published its annual report on Monday. Traffic through the port grew"
    " by four per cent, mostly because of the new ferry line to the islands. The report also"
    " describes the repairs to the old sea wall, which were finished in October after two winters"
    " of storms. Volunteers from the town helped to restore the old ferry, which now carries"
    " visitors on weekends during the summer."
)
DE = (
    "Die Hafenbehörde hat am Montag ihren Jahresbericht veröffentlicht. Der Verkehr im Hafen ist"
    " um vier Prozent gewachsen, vor allem wegen der neuen Fährlinie zu den Inseln. Der Bericht"
    " beschreibt auch die Reparaturen an der alten Kaimauer, die nach zwei stürmischen Wintern im"
    " Oktober abgeschlossen wurden."
)
ZH = (
    "港务局周一发布了年度报告。港口的吞吐量增长了百分之四，主要得益于通往海岛的新渡轮航线。"
    "报告还介绍了旧防波堤的修复工程，这项工程在经历了两个冬季的风暴之后，于十月份完工。"
    "镇上的志愿者帮助修复了那艘老渡轮，如今它在夏季的周末载着游客出海。"
)
MIXED = (
    "我们用 Python 和 PyMuPDF 处理了 2,000 份 PDF 文件，其中大约 3% 的文件没有可用的 ToUnicode"
    " 映射。经过 OCR 之后，扫描件的文字层质量差别很大：有的接近原文，有的只剩下噪声。"
    "The pipeline writes every score into signals, so a mix can change the threshold later."
)
TABLE_ROWS = [
    ("Port", "2021", "2022", "2023", "Change"),
    ("North quay", "12,480", "13,020", "13,610", "+4.5%"),
    ("South quay", "9,315", "9,120", "9,470", "+3.8%"),
    ("Ferry terminal", "4,102", "4,385", "4,871", "+11.1%"),
    ("Fishing harbour", "1,207", "1,190", "1,236", "+3.9%"),
    ("Marina", "865", "902", "944", "+4.7%"),
    ("Total", "27,969", "28,617", "30,131", "+5.3%"),
]


def _save(doc: pymupdf.Document) -> bytes:
    data = doc.tobytes()
    doc.close()
    return data


def prose_pdf(text: str, fontname: str = "helv", pages: int = 1) -> bytes:
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page()
        page.insert_textbox(
            pymupdf.Rect(72, 72, 523, 770), f"{text}\n\n{text}", fontname=fontname, fontsize=11
        )
    return _save(doc)


def table_pdf() -> bytes:
    """A caption sentence and a table of figures, one cell per drawn string."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 60, 523, 120), EN[:180], fontname="helv", fontsize=11)
    for r, row in enumerate(TABLE_ROWS):
        for c, cell in enumerate(row):
            page.insert_text((72 + c * 95, 150 + r * 18), cell, fontname="helv", fontsize=10)
    return _save(doc)


def two_column_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(56, 72, 286, 770), f"{EN}\n\n{EN}", fontname="helv", fontsize=10)
    page.insert_textbox(pymupdf.Rect(310, 72, 540, 770), f"{EN}\n\n{EN}", fontname="helv", fontsize=10)
    return _save(doc)


def no_tounicode_pdf(text: str) -> bytes:
    """Text in an embedded CID font (Identity-H) whose ToUnicode map is removed: readers fall
    back to glyph ids ("1FOTJPO GVOET" for "Pension funds")."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("tiro").buffer)
    page.insert_textbox(pymupdf.Rect(72, 72, 523, 770), f"{text}\n\n{text}", fontname="F0", fontsize=11)
    xref = page.get_fonts()[0][0]
    doc.xref_set_key(xref, "ToUnicode", "null")
    return _save(doc)


def shuffled_glyphs_pdf(text: str, seed: int = 7) -> bytes:
    """A simple font whose /Differences encoding draws each letter code as another letter:
    the page shows the text, extraction gives the shuffled letters."""
    letters = list("abcdefghijklmnopqrstuvwxyz")
    shuffled = letters[:]
    random.Random(seed).shuffle(shuffled)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 523, 770), f"{text}\n\n{text}", fontname="helv", fontsize=11)
    upper = " ".join(f"/{g.upper()}" for g in shuffled)
    lower = " ".join(f"/{g}" for g in shuffled)
    xref = page.get_fonts()[0][0]
    doc.xref_set_key(xref, "Encoding", f"<< /Differences [ 65 {upper} 97 {lower} ] >>")
    return _save(doc)


def ocr_noise(seed: int, lines: int = 60) -> list[str]:
    """Lines like those of a failed OCR pass: one or two letters, stray marks, broken short
    tokens ("e.", ":", ". sr N", "• ki LIL")."""
    rng = random.Random(seed)
    marks = [".", ":", ",", "•", "-", "'", "|", "~", ";", "i", "l", "I", "1"]
    pieces = ["e", "sr", "N", "ki", "LIL", "rn", "a", "tl", "ii", "Il", "o", "c", "wm", "fi", "s", "y"]
    out = []
    for _ in range(lines):
        n = rng.randint(1, 3)
        out.append(" ".join(rng.choice(marks + pieces) for _ in range(n)))
    return out


def noisy_ocr_pdf(seed: int = 3) -> bytes:
    """A scanned page (an image of noise) under an invisible text layer of OCR noise."""
    doc = pymupdf.open()
    page = doc.new_page()
    rng = random.Random(seed)
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 120, 160), False)
    pix.set_rect(pix.irect, (255,))
    for _ in range(900):
        pix.set_pixel(rng.randrange(120), rng.randrange(160), (rng.randrange(60),))
    page.insert_image(page.rect, pixmap=pix)
    for n, line in enumerate(ocr_noise(seed)):
        page.insert_text((60 + (n % 3) * 150, 60 + (n // 3) * 34), line, fontsize=9, render_mode=3)
    return _save(doc)


CLEAN = {
    "en": lambda: prose_pdf(EN),
    "de": lambda: prose_pdf(DE),
    "zh": lambda: prose_pdf(ZH, "china-s"),
    "mixed": lambda: prose_pdf(MIXED, "china-s"),
    "table": table_pdf,
    "two_column": two_column_pdf,
}
GARBAGE = {
    "no_tounicode_en": lambda: no_tounicode_pdf(EN),
    "no_tounicode_de": lambda: no_tounicode_pdf(DE),
    "shuffled_glyphs": lambda: shuffled_glyphs_pdf(EN),
    "noisy_ocr_layer": noisy_ocr_pdf,
}
