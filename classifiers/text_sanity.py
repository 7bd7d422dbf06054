"""Text sanity at extraction: one score saying how much of an extracted text is not text.

What a PDF font without a usable ToUnicode map gives back ("1FOTJPO GVOET", "3HQČåQtSURVW"), a
scan whose invisible OCR layer is noise ("e.\\n:\\n. sr N\\n• ki LIL") or a page decoded with the
wrong charset. Each part is a share in 0..1 (0 = clean), recorded in `signals`:

- `sanity_bad_chars`: replacement, private-use and control characters (the ranges
  classifiers/scripts.py defines once for classifiers/garbage.py too);
- `sanity_off_script`: non-space characters outside the text's two main scripts, digits and
  punctuation (a font mapping glyphs into random blocks);
- `sanity_odd_words`: letters in words (between spaces) holding one lower-case letter
  between two capitals, or a capital glued to a letter by a backslash, bracket, tilde, caret
  or bar ("3HQČåQtSURVWĜHGN\\QD~þWHFK": glyph ids, where case is noise; "ChatGPT", "iPhone",
  "getElementById", "a[i]" are fine, "McDonald" is not), of all letters;
- `sanity_rare_cjk`: Han and Hangul characters outside the sets in common use (GB2312,
  Big5 level 1, JIS X 0208 kanji, KS X 1001 Hangul: about 14,000 characters, read from
  Python's codecs, no data file);
- `sanity_short_lines`: lines with no run of three letters, no digit and at most one CJK
  character ("e.", ":", ". sr N"), of the non-empty lines;
- `sanity_lid_unsure`: the share of bytes in segments lid.176 is unsure of (the garbage stage's
  `unsure_shares`, here with its own `lid_min_prob`), asked of the text's wordy lines only:
  letters at least half of the non-space characters and few code marks (a table row of
  figures or a line of code is no sentence in any language lid.176 knows), when those hold
  `min_chars_for_lid` characters or more; at most `MAX_LID_CHARS` of them, every k-th line.

`sanity_score` is the largest part: each part alone is near 0 on prose in any language (mixed
Chinese and English, tables of figures, two-column layouts included) and each kind of garbage
drives at least one of them near 1. Texts shorter than `min_chars` are scored, not judged.
All parts but lid.176's come from one pass of table lookups over the code points (NumPy):
about 0.3 ms for 6,000 characters; lid.176 on 1,000 characters about 0.25 ms.
"""

from __future__ import annotations

import codecs
import unicodedata
from functools import cache

import numpy as np
import regex
from pydantic import Field

from datamill.classifiers import scripts
from datamill.classifiers.langid import LanguageIdentifier
from datamill.classifiers.rules_base import RuleParams

_CC = scripts.char_class
_CJK_LETTER = regex.compile(f"[{_CC(scripts.HAN + scripts.HANGUL)}]")
_GLUE_MARKS = "\\[]~^|"  # glyph-id garbage joins letters with these ("ĜHGN\\QD~þW")
_CODE_MARKS = "{}()[];=<>_\\/|#$@*+~^"
MAX_LID_CHARS = 1000  # lid.176 reads at most this many characters of wordy lines, spread over the text
LID_SEGMENT_BYTES = 120  # lines merged into segments of at least this size: fewer, surer predictions

# character classes of the code-point table (one byte per code point)
OTHER, SPACE, DIGIT, PUNCT, BAD, LETTER = 0, 1, 2, 3, 4, 5  # LETTER: of no script listed below
LATIN, CYRILLIC, GREEK, ARABIC, THAI, KANA = 6, 7, 8, 9, 10, 11
HAN, HAN_RARE, HANGUL, HANGUL_RARE = 12, 13, 14, 15
_SCRIPT_CLASSES = (
    (LATIN, scripts.LATIN),
    (CYRILLIC, scripts.CYRILLIC),
    (GREEK, scripts.GREEK),
    (ARABIC, scripts.ARABIC),
    (THAI, scripts.THAI_LAO),
    (KANA, scripts.KANA),
    (HAN_RARE, scripts.HAN),
    (HANGUL_RARE, scripts.HANGUL),
)
# scripts counted together for the main-script share (common and rare characters of one script)
_SCRIPT_GROUPS = ((LETTER,), (LATIN,), (CYRILLIC,), (GREEK,), (ARABIC,), (THAI,), (KANA,))
_SCRIPT_GROUPS += ((HAN, HAN_RARE), (HANGUL, HANGUL_RARE))
_GROUP_MATRIX = np.array([[cls in group for group in _SCRIPT_GROUPS] for cls in range(16)], np.int64)


class Params(RuleParams):
    # texts scoring above this are garbage (None: score only, never reject)
    max_score: float | None = Field(0.5, ge=0, le=1)
    min_chars: int = Field(50, ge=1)  # shorter texts are scored, not judged
    min_chars_for_lid: int = Field(50, ge=1)  # shorter texts: lid.176 is not asked
    # a segment less likely than this is unsure: prose with code names in it ("parseConfig")
    # comes out near 0.5, letters of no language near 0.2
    lid_min_prob: float = Field(0.3, ge=0, le=1)


@cache
def common_cjk() -> frozenset[str]:
    """Han and Hangul characters in common use: those the national standard charsets hold
    (GB2312 levels 1-2, Big5 level 1, JIS X 0208 kanji, KS X 1001 Hangul syllables)."""
    chars: set[str] = set()
    for codec, rows, cells in (
        ("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF)),
        ("euc_jp", range(0xB0, 0xF5), range(0xA1, 0xFF)),
        ("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF)),  # Hangul syllables
        ("euc_kr", range(0xCA, 0xFE), range(0xA1, 0xFF)),  # hanja
        ("big5", range(0xA4, 0xC7), (*range(0x40, 0x7F), *range(0xA1, 0xFF))),
    ):
        decode = codecs.getdecoder(codec)
        for row in rows:
            for cell in cells:
                try:
                    chars.add(decode(bytes((row, cell)))[0])
                except UnicodeDecodeError:
                    continue
    return frozenset(c for c in chars if len(c) == 1 and _CJK_LETTER.match(c))


@cache
def char_table() -> np.ndarray:
    """The class of every code point (uint8): built once per process from unicodedata (plane 0)
    and the ranges of classifiers/scripts.py (private use, controls, scripts)."""
    table = np.full(0x110000, OTHER, np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] == "L":
            table[cp] = LETTER
        elif cat[0] == "N":
            table[cp] = DIGIT
        elif cat[0] in "PM":  # punctuation, and combining marks, which belong to their letter
            table[cp] = PUNCT
        elif cat[0] == "Z":
            table[cp] = SPACE
    table[[9, 10, 13]] = SPACE
    letters = table == LETTER
    for cls, ranges in _SCRIPT_CLASSES:
        table[scripts.code_point_mask(ranges, 0x110000) & (letters | (np.arange(0x110000) >= 0x10000))] = cls
    for ch in common_cjk():
        table[ord(ch)] = HAN if table[ord(ch)] == HAN_RARE else HANGUL
    table[scripts.code_point_mask(scripts.PRIVATE_USE + scripts.CONTROL, 0x110000)] = BAD
    table[[0xFFFD, *range(0xD800, 0xE000)]] = BAD  # replacement characters, lone surrogates
    return table


UPPER, LOWER, GLUE, CODE = 1, 2, 4, 8  # bits of the mark table


@cache
def mark_table() -> np.ndarray:
    """Case and mark bits of every code point (uint8): upper, lower, glue mark, code mark."""
    table = np.zeros(0x110000, np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        table[cp] = UPPER if cat == "Lu" else LOWER if cat == "Ll" else 0
    for c in _GLUE_MARKS:
        table[ord(c)] |= GLUE
    for c in _CODE_MARKS:
        table[ord(c)] |= CODE
    return table


def _per_line(flags: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sum of `flags` over each line [start, end)."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    return total[ends] - total[starts]


def measure(texts: list[str]) -> list[tuple[dict[str, float], str]]:
    """Every part of the score except lid.176's, and the wordy lines (lid.176's input), of each
    text: one pass of array lookups over the code points of all the texts joined by line
    breaks (a line break is a space that ends a line: no count, line or word spans two texts)."""
    if not texts:
        return []
    joined = "\n".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)
    sizes = np.fromiter(map(len, texts), np.int64, len(texts))  # code points (surrogatepass)
    owner = np.repeat(np.arange(len(texts)), sizes + 1)  # text of each code point and separator
    classes = char_table()[cps]
    counts = np.bincount(owner[:-1] * 16 + classes, minlength=16 * len(texts)).reshape(-1, 16)
    counts[:-1, SPACE] -= 1  # the separators
    chars = sizes - counts[:, SPACE]
    letters = counts[:, LETTER:].sum(axis=1)
    main = np.sort(counts @ _GROUP_MATRIX, axis=1)
    off_script = chars - main[:, -1] - main[:, -2] - counts[:, DIGIT] - counts[:, PUNCT]
    cjk = counts[:, [HAN, HAN_RARE, HANGUL, HANGUL_RARE]].sum(axis=1)
    # lines: non-empty ones, those with no word of three letters, no digit and at most one CJK
    # character ("e.", ". sr N"), and wordy ones (letters >= half, code marks <= 1/20)
    breaks = np.flatnonzero(cps == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(cps)]))
    line_owner = owner[starts]
    is_letter = classes >= LETTER
    run3 = np.zeros(len(cps), np.bool_)
    run3[2:] = is_letter[2:] & is_letter[1:-1] & is_letter[:-2]
    line_chars = _per_line(classes != SPACE, starts, ends)
    line_letters = _per_line(is_letter, starts, ends)
    good = (_per_line(run3, starts, ends) > 0) | (_per_line(classes == DIGIT, starts, ends) > 0)
    good |= _per_line((classes >= HAN) | (classes == KANA), starts, ends) >= 2
    nonempty = line_chars > 0
    wordy = nonempty & (2 * line_letters >= line_chars)
    marks = mark_table()[cps]
    wordy &= 20 * _per_line((marks & CODE) > 0, starts, ends) <= line_chars
    nonempty_lines = np.bincount(line_owner[nonempty], minlength=len(texts))
    short_lines = np.bincount(line_owner[nonempty & ~good], minlength=len(texts))
    odd_chars = np.bincount(owner[:-1][_odd_chars(marks, is_letter, classes == SPACE)], minlength=len(texts))
    lines = joined.split("\n")
    wordy_lines: list[list[str]] = [[] for _ in texts]
    rows = np.flatnonzero(wordy)
    for i, text in zip(rows.tolist(), line_owner[rows].tolist(), strict=True):
        wordy_lines[text].append(lines[i])
    out = []
    for i, kept in enumerate(wordy_lines):
        size = sum(len(line) for line in kept)
        if size > MAX_LID_CHARS:  # every k-th line: the whole text is sampled, not its start
            kept = kept[:: -(-size // MAX_LID_CHARS)]
        n = max(1, int(chars[i]))
        values = {
            "sanity_chars": float(chars[i]),
            "sanity_bad_chars": int(counts[i, BAD]) / n,
            "sanity_off_script": max(0, int(off_script[i])) / n,
            "sanity_odd_words": int(odd_chars[i]) / max(1, int(letters[i])),
            "sanity_rare_cjk": int(counts[i, HAN_RARE] + counts[i, HANGUL_RARE]) / max(1, int(cjk[i])),
            "sanity_short_lines": float(short_lines[i]) / max(1, int(nonempty_lines[i])),
        }
        out.append((values, "\n".join(kept)))
    return out


def _odd_chars(marks: np.ndarray, is_letter: np.ndarray, is_space: np.ndarray) -> np.ndarray:
    """Which characters belong to words (between spaces) holding an odd case pattern: a
    lower-case letter between two capitals, or a capital glued to a letter by a glue mark."""
    hit = np.zeros(len(marks), np.bool_)
    if len(marks) < 3:
        return hit
    upper, lower, glue = (marks & UPPER) > 0, (marks & LOWER) > 0, (marks & GLUE) > 0
    odd = upper[:-2] & lower[1:-1] & upper[2:]
    odd |= glue[1:-1] & ((upper[:-2] & is_letter[2:]) | (is_letter[:-2] & upper[2:]))
    if not odd.any():
        return hit
    words = np.cumsum(is_space)  # word number of every character
    hit = np.isin(words, words[np.flatnonzero(odd) + 1])
    return hit & ~is_space


_PARTS = (
    "sanity_bad_chars",
    "sanity_off_script",
    "sanity_odd_words",
    "sanity_rare_cjk",
    "sanity_short_lines",
    "sanity_lid_unsure",
)


class TextSanity:
    """Scores extracted texts and says which are garbage; loads lid.176 once."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.identifier = LanguageIdentifier(LID_SEGMENT_BYTES, MAX_LID_CHARS)

    def judge(self, texts: list[str]) -> list[tuple[dict[str, float], bool]]:
        """(signals, is garbage) of each text."""
        params = self.params
        measured = measure(texts)
        asked = [i for i, (_, wordy) in enumerate(measured) if len(wordy) >= params.min_chars_for_lid]
        shares = self.identifier.unsure_shares([measured[i][1] for i in asked], params.lid_min_prob)
        for i, share in zip(asked, shares, strict=True):
            measured[i][0]["sanity_lid_unsure"] = share or 0.0
        out = []
        for values, _ in measured:
            values["sanity_score"] = max(values.get(name, 0.0) for name in _PARTS)
            judged = params.max_score is not None and values["sanity_chars"] >= params.min_chars
            out.append((values, judged and values["sanity_score"] > params.max_score))
        return out

    def apply(
        self,
        stage: str,
        rows: list[int],
        texts: list[str | None],
        reasons: list[str | None],
        signals: list[dict[str, float]],
    ) -> None:
        """Score the texts a stage extracted (`rows`, those still without a drop reason): their
        signals gain the score and its parts, garbage gets the reason `<stage>:garbage_text`."""
        rows = [i for i in rows if texts[i] and reasons[i] is None]
        for i, (values, is_garbage) in zip(rows, self.judge([texts[i] for i in rows]), strict=True):
            signals[i] = {**signals[i], **values}
            if is_garbage:
                reasons[i] = f"{stage}:garbage_text"
