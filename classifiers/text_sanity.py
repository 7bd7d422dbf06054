"""Text sanity at extraction: one score saying how much of an extracted text is not text.

What a PDF font without a usable ToUnicode map gives back ("1FOTJPO GVOET", "3HQČåQtSURVW"), a
scan whose invisible OCR layer is noise ("e.\\n:\\n. sr N\\n• ki LIL") or a page decoded with the
wrong charset. Each part is a share in 0..1 (0 = clean), recorded in `signals`:

- `sanity_bad_chars`: replacement, private-use and control characters (classifiers/garbage.py's
  ratios: one definition of each);
- `sanity_off_script`: non-space characters outside the text's two main scripts, digits and
  punctuation (a font mapping glyphs into random blocks);
- `sanity_odd_words`: letters in words (between spaces) holding one lower-case letter
  between two capitals, or a capital glued to a letter by a backslash, bracket, tilde, caret
  or bar ("3HQČåQtSURVWĜHGN\\QD~þWHFK": glyph ids, where case is noise; "ChatGPT", "iPhone",
  "getElementById", "a[i]" are fine, "McDonald" is not), of all letters;
- `sanity_rare_cjk`: Han and Hangul characters outside the sets in common use (GB2312,
  Big5 level 1, JIS X 0208 kanji, KS X 1001 Hangul: about 14,000 characters, read from
  Python's codecs, no data file);
- `sanity_short_lines`: lines with no word longer than two letters and no digit ("e.", ":",
  ". sr N"), of the non-empty lines;
- `sanity_lid_unsure`: the share of bytes in segments lid.176 is unsure of (the garbage stage's
  `unsure_shares`, here with its own `lid_min_prob`), asked of the text's wordy lines only:
  letters at least half of the non-space characters and few code marks (a table row of
  figures or a line of code is no sentence in any language lid.176 knows), when those hold
  `min_chars_for_lid` characters or more.

`sanity_score` is the largest part: each part alone is near 0 on prose in any language (mixed
Chinese and English, tables of figures, two-column layouts included) and each kind of garbage
drives at least one of them near 1. Texts shorter than `min_chars` are scored, not judged.
"""

from __future__ import annotations

import codecs
from functools import cache

import regex
from pydantic import Field

from datamill.classifiers import garbage, scripts
from datamill.classifiers.langid import LanguageIdentifier
from datamill.classifiers.rules_base import RuleParams

_CC = scripts.char_class
_SCRIPTS = {
    "latin": scripts.LATIN,
    "cyrillic": scripts.CYRILLIC,
    "greek": scripts.GREEK,
    "arabic": scripts.ARABIC,
    "han": scripts.HAN,
    "kana": scripts.KANA,
    "hangul": scripts.HANGUL,
    "thai": scripts.THAI_LAO,
}
_SCRIPT_RES = {name: regex.compile(f"[{_CC(ranges)}]") for name, ranges in _SCRIPTS.items()}
_ALLOWED = regex.compile(r"[\p{N}\p{P}\s]")  # digits and punctuation belong to every script
_NON_SPACE = regex.compile(r"\S")
_ODD_CASE = regex.compile(r"\p{Lu}\p{Ll}(?=\p{Lu})|\p{Lu}[\\\]\[~^|]\p{L}|\p{L}[\\\]\[~^|]\p{Lu}")
_TOKEN = regex.compile(r"\S+")
_CJK_LETTER = regex.compile(f"[{_CC(scripts.HAN + scripts.HANGUL)}]")
_WORD = regex.compile(r"\p{L}+")
_DIGIT = regex.compile(r"\p{N}")
_LETTER = regex.compile(r"\p{L}")
_CODE_MARK = regex.compile(r"[{}()\[\];=<>_\\/|#$@*+~^]")


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


def parts(text: str) -> dict[str, float]:
    """Every part of the score except lid.176's (batched by `TextSanity`), and the character count."""
    chars = max(1, len(_NON_SPACE.findall(text)))
    ratios = garbage.scores(text)
    bad = ratios["garbage_replacement_ratio"] + ratios["garbage_private_use_ratio"]
    bad += ratios["garbage_control_ratio"]
    counts = sorted((len(rx.findall(text)) for rx in _SCRIPT_RES.values()), reverse=True)
    allowed = len(_ALLOWED.findall(text)) - (len(text) - chars)  # \s counted in _ALLOWED
    off_script = max(0, chars - sum(counts[:2]) - allowed)
    odd = sum(len(_LETTER.findall(w)) for w in _TOKEN.findall(text) if _ODD_CASE.search(w))
    cjk = _CJK_LETTER.findall(text)
    common = common_cjk()
    rare = sum(c not in common for c in cjk)
    lines = [line for line in text.split("\n") if line.strip()]
    short = sum(_short_line(line) for line in lines)
    return {
        "sanity_chars": float(chars),
        "sanity_bad_chars": min(1.0, bad),
        "sanity_off_script": off_script / chars,
        "sanity_odd_words": odd / max(1, len(_LETTER.findall(text))),
        "sanity_rare_cjk": rare / max(1, len(cjk)),
        "sanity_short_lines": short / max(1, len(lines)),
    }


def wordy_lines(text: str) -> str:
    """The lines of `text` whose letters are at least half of their non-space characters
    and code marks at most a twentieth."""
    keep = []
    for line in text.split("\n"):
        chars = len(_NON_SPACE.findall(line))
        if chars and 2 * len(_LETTER.findall(line)) >= chars and 20 * len(_CODE_MARK.findall(line)) <= chars:
            keep.append(line)
    return "\n".join(keep)


def _short_line(line: str) -> bool:
    """A line with no word of three letters or more (CJK characters count one each) and no digit."""
    if _DIGIT.search(line):
        return False
    return all(len(w) <= 2 and not _CJK_LETTER.search(w) for w in _WORD.findall(line)) and (
        len(_CJK_LETTER.findall(line)) <= 1
    )


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
        self.identifier = LanguageIdentifier()

    def judge(self, texts: list[str]) -> list[tuple[dict[str, float], bool]]:
        """(signals, is garbage) of each text."""
        params = self.params
        signals = [parts(text) for text in texts]
        wordy = [wordy_lines(text) for text in texts]
        asked = [i for i, lines in enumerate(wordy) if len(lines) >= params.min_chars_for_lid]
        shares = self.identifier.unsure_shares([wordy[i] for i in asked], params.lid_min_prob)
        for i, share in zip(asked, shares, strict=True):
            signals[i]["sanity_lid_unsure"] = share or 0.0
        out = []
        for values in signals:
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
