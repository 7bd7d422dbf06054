"""Text normalization: Unicode NFC (or NFKC), control characters out, whitespace tidied.

CJK-safe: never inserts or removes spaces between CJK characters, keeps full-width
punctuation (NFKC, which folds it to ASCII, is opt-in).

`normalize_text` is the definition. The stage gets the same strings a batch at a time without
a Python string per row for most texts: RE2 screens in Arrow find the rows whose only work is
white space (runs of spaces, spaces at line edges, blank lines), which Arrow's regex kernels
tidy, and the rows with anything else to do (a carriage return, a control character, a
character the Unicode form could change), which go through `normalize_text`; the rest are
already normal and keep their Arrow strings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason

# C0/C1 controls except tab and newline; zero-width and BOM characters
_CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029\ufeff"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# spaces other than U+0020
_ODD_SPACE_CHARS = "\t\u00a0\u3000\u2000-\u200a\u202f\u205f"
_ODD_SPACE = re.compile(f"[{_ODD_SPACE_CHARS}]")
# each run of spaces becomes one U+0020 (a lone U+0020 is left as it is)
_SPACE_RUNS = f"[ {_ODD_SPACE_CHARS}]{{2,}}|[{_ODD_SPACE_CHARS}]"
_SPACE_RUN = re.compile(_SPACE_RUNS)
_BLANK_LINES = re.compile(r"\n{3,}")
# the jamo a Hangul syllable composes with (the composition is algorithmic, in no mapping)
_HANGUL_VOWELS_AND_TAILS = (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))


class NormalizeConfig(StageConfig):
    form: Literal["NFC", "NFKC"] = "NFC"
    min_chars: int = 1  # shorter texts (after normalization) are rejected as empty


def normalize_text(text: str, form: str = "NFC") -> str:
    text = unicodedata.normalize(form, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if "  " not in text and not _ODD_SPACE.search(text):
        lines = (line.strip() for line in text.split("\n"))
    elif "\u1680" in text:
        lines = (_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
    else:  # `str.split` takes the runs `_SPACE_RUN` takes, and strips; of the other white
        # space it takes, controls are gone and CRs are newlines by now: all but U+1680
        lines = (" ".join(line.split()) for line in text.split("\n"))
    text = "\n".join(lines)
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()


@functools.cache
def unstable_chars(form: str) -> tuple[int, ...]:
    """Code points a text must hold for `form` to change it (UAX #15 quick check): those that
    change alone, have a combining class, or can compose with the character before them. A
    text without any is in `form` already. Blocks that NFKD leaves alone, and that hold no
    combining mark (found by NFD reordering them around marks of class 240 and 1), are
    skipped whole: 0.1 s instead of 0.4 s for every code point."""
    points = np.concatenate([np.arange(0xD800), np.arange(0xE000, 0x110000)]).astype("<u4")
    every = points.tobytes().decode("utf-32-le")
    probes = [(0x345, 240), (0x334, 1)]  # a mark of the highest class goes first, of class 1 after
    usable = all(unicodedata.combining(chr(p)) == ccc for p, ccc in probes)
    mark_first = np.column_stack([np.full_like(points, 0x345), points]).tobytes().decode("utf-32-le")
    mark_after = np.column_stack([points, np.full_like(points, 0x334)]).tobytes().decode("utf-32-le")
    found = set(_HANGUL_VOWELS_AND_TAILS)
    size = 256
    for start in range(0, len(every), size):
        block = every[start : start + size]
        pairs = slice(2 * start, 2 * (start + size))
        if (
            usable
            and unicodedata.is_normalized("NFKD", block)
            and unicodedata.is_normalized("NFD", mark_first[pairs])
            and unicodedata.is_normalized("NFD", mark_after[pairs])
        ):
            continue
        for char in block:
            mapping = unicodedata.decomposition(char)
            if mapping and mapping[0] != "<" and " " in mapping:  # a canonical pair composes
                found.add(int(mapping.split()[1], 16))
            if unicodedata.combining(char) or unicodedata.normalize(form, char) != char:
                found.add(ord(char))
    return tuple(sorted(found))


def _re2_class(chars: str | tuple[int, ...]) -> str:
    """The body of an RE2 character class: of a Python class body's characters and ranges
    (as `_CONTROL_CHARS`), or of code points."""
    if isinstance(chars, str):
        return "".join("-" if c == "-" else f"\\x{{{ord(c):x}}}" for c in chars)
    runs: list[list[int]] = []
    for point in chars:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in runs)


_RE2_ODD_SPACE = _re2_class(_ODD_SPACE_CHARS)
_RE2_SPACE_RUNS = f"[ {_RE2_ODD_SPACE}]{{2,}}|[{_RE2_ODD_SPACE}]"
# a row whose only work is white space, if it needs no other: an odd space, two spaces, a
# space at a line's edge, three newlines, white space at either end
_RE2_SPACE_WORK = f"[{_RE2_ODD_SPACE}]|  | \\n|\\n |\\n\\n\\n|^[ \\n]|[ \\n]$"


@functools.cache
def _re2_other_work(form: str) -> str:
    """RE2: a row `normalize_text` has more to do with than white space: a carriage return, a
    control character, U+1680 (the one `str.isspace` character neither removed nor folded
    into a space), a character `form` could change."""
    return f"[\\r\\x{{1680}}{_re2_class(_CONTROL_CHARS)}{_re2_class(unstable_chars(form))}]"


def _tidy_spaces(texts: pa.Array) -> pa.Array:
    """`normalize_text` of texts that hold white space to tidy and nothing else to change:
    runs of spaces to one, then the one space left at a line's edge, blank lines, the ends."""
    texts = pc.replace_substring_regex(texts, _RE2_SPACE_RUNS, " ")
    texts = pc.replace_substring(pc.replace_substring(texts, " \n", "\n"), "\n ", "\n")
    while True:  # three newlines or more to two (Arrow's literal search beats RE2's here)
        fewer = pc.replace_substring(texts, "\n\n\n", "\n\n")
        if fewer.equals(texts):
            break
        texts = fewer
    return pc.utf8_trim(texts, characters=" \n")


def _matches(texts: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)


def normalize_array(texts: pa.Array | pa.ChunkedArray, form: str) -> pa.Array:
    """`normalize_text` of every text (a null is an empty text), as large strings."""
    texts = pc.fill_null(texts, "").cast(pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    other_work = _re2_other_work(form)
    rows = np.flatnonzero(_matches(texts, f"{other_work}|{_RE2_SPACE_WORK}"))  # one scan of all
    other = np.zeros(len(texts), bool)
    other[rows] = _matches(texts.take(pa.array(rows)), other_work)
    space = np.zeros(len(texts), bool)
    space[rows] = ~other[rows]
    if space.any():
        tidy = _tidy_spaces(texts.take(pa.array(np.flatnonzero(space))))
        texts = pc.replace_with_mask(texts, pa.array(space), tidy)
    if other.any():
        strings = texts.take(pa.array(np.flatnonzero(other))).to_pylist()
        fixed = pa.array([normalize_text(s, form) for s in strings], pa.large_string())
        texts = pc.replace_with_mask(texts, pa.array(other), fixed)
    return texts


class Normalize(Stage):
    name = "normalize"
    version = "1"
    Config = NormalizeConfig
    requires = ("text",)
    produces = ("text",)

    def __call__(self, batch: pa.Table) -> pa.Table:
        out = normalize_array(batch.column("text"), self.config.form)
        length = pc.utf8_length(out)  # code points, as `len`
        reasons = pc.if_else(
            pc.less(length, self.config.min_chars),
            pc.if_else(pc.equal(length, 0), "normalize:empty_text", "normalize:too_short"),
            pa.scalar(None, pa.string()),
        )
        return with_drop_reason(set_column(batch, "text", out, pa.large_string()), reasons)
