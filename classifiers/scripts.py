"""Unicode script and character classes, each defined once as code-point ranges.

The ranges are the single source: `char_class` turns them into the inside of a regex
character class (for `re` and `regex` alike) and `code_point_mask` into a NumPy table indexed
by code point (the compiled shingle loop of MinHash dedup). Ranges, not Unicode script
properties: a table needs them anyway, and the blocks keep characters the script properties
put in `Common`, such as the long-vowel mark ー and the middle dot ・ among kana.
"""

from __future__ import annotations

import numpy as np

Ranges = tuple[tuple[int, int], ...]  # inclusive (first, last) code points

HAN: Ranges = (
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # Extensions B-H, Compatibility Ideographs Supplement
)
KANA: Ranges = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0xFF66, 0xFF9F),  # half-width katakana
)
HANGUL_COMPATIBILITY_JAMO: Ranges = ((0x3130, 0x318F),)
HANGUL: Ranges = (
    (0x1100, 0x11FF),  # Hangul Jamo
    *HANGUL_COMPATIBILITY_JAMO,
    (0xAC00, 0xD7AF),  # Hangul Syllables
)
BOPOMOFO: Ranges = ((0x3100, 0x312F), (0x31A0, 0x31BF))
KANBUN: Ranges = ((0x3190, 0x319F),)
# marks written inside CJK text: radicals, CJK symbols and punctuation (、。「」々〇), kanbun,
# strokes, and the half-width and full-width forms (，！（Ａ１）
CJK_SYMBOLS: Ranges = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x303F),
    *KANBUN,
    (0x31C0, 0x31EF),
    (0xFF00, 0xFFEF),
)
# Southeast Asian scripts written without spaces between words
THAI_LAO: Ranges = ((0x0E00, 0x0EFF),)
MYANMAR: Ranges = ((0x1000, 0x109F),)
KHMER: Ranges = ((0x1780, 0x17FF),)
# scripts checked by the synthesized pairs' language test
CYRILLIC: Ranges = ((0x0400, 0x04FF),)
ARABIC: Ranges = ((0x0600, 0x06FF),)
GREEK: Ranges = ((0x0370, 0x03FF),)
LATIN: Ranges = ((0x41, 0x5A), (0x61, 0x7A), (0x00C0, 0x024F))  # A-Z a-z, Latin-1 to Extended-B

# what garbage text is made of (classifiers/garbage.py): private-use code points (PDF fonts
# without a Unicode map), control characters other than tab, newline and carriage return, and
# the characters UTF-8 bytes turn into when read as Latin-1 or Windows-1252 ("Ã©", "â€™",
# "æ•°"): a lead byte C2-F4, then continuation bytes 80-BF (cp1252 gives 80-9F its own letters)
ASCII: Ranges = ((0x00, 0x7F),)
PRIVATE_USE: Ranges = ((0xE000, 0xF8FF), (0xF0000, 0x10FFFF))
CONTROL: Ranges = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
UTF8_LEAD_AS_LATIN1: Ranges = ((0xC2, 0xF4),)
UTF8_CONTINUATION_AS_LATIN1: Ranges = (
    (0x80, 0xBF),
    *(
        (cp, cp)
        for cp in (0x152, 0x153, 0x160, 0x161, 0x178, 0x17D, 0x17E, 0x192, 0x2C6, 0x2DC, 0x20AC, 0x2122)
    ),
    (0x2013, 0x2014),
    (0x2018, 0x201A),
    (0x201C, 0x201E),
    (0x2020, 0x2022),
    (0x2026, 0x2026),
    (0x2030, 0x2030),
    (0x2039, 0x203A),
)

# one character is one unit (token, word) of text: Han, kana, Hangul syllables and jamo
CJK: Ranges = HAN + KANA + HANGUL
# characters between which a line break in HTML source renders as nothing
CJK_TEXT: Ranges = HAN + KANA + BOPOMOFO + CJK_SYMBOLS
# scripts whose letters MinHash shingles one character at a time (compatibility jamo and
# kanbun numerals too, as they always were)
UNSPACED: Ranges = HAN + KANA + BOPOMOFO + HANGUL_COMPATIBILITY_JAMO + KANBUN + THAI_LAO + MYANMAR + KHMER
# the CJK punctuation marks counted by the Chinese quality rules (characters, not ranges)
CJK_PUNCTUATION = "，。！？；：、“”‘’（）《》〈〉【】「」『』…—·～"


def merged(ranges: Ranges) -> Ranges:
    """The ranges sorted, overlapping and adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return tuple(out)


def _escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def char_class(ranges: Ranges) -> str:
    """The inside of a character class (`\\u4e00-\\u9fff...`), for `re` and `regex` patterns."""
    return "".join(
        _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}"
        for first, last in merged(ranges)
    )


def code_point_mask(ranges: Ranges, size: int) -> np.ndarray:
    """bool array of `size` entries, True at every code point in `ranges`."""
    mask = np.zeros(size, dtype=np.bool_)
    for first, last in merged(ranges):
        mask[first : last + 1] = True
    return mask
