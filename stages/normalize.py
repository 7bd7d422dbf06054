"""Text normalization: Unicode NFC (or NFKC), control characters out, whitespace tidied.

CJK-safe: never inserts or removes spaces between CJK characters, keeps full-width
punctuation (NFKC, which folds it to ASCII, is opt-in).

`normalize_text` is the definition. The stage gets the same strings a batch at a time without
a Python string per row for most texts: one compiled pass over the batch's UTF-8
(`normalize_spaces`) finds the texts that are normal already, tidies those whose only work is
white space (runs of spaces, spaces at line edges, blank lines), and leaves those with anything
else to do (a carriage return, a control character, a character the Unicode form could change)
to `normalize_text`.
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
from datamill.pipeline.utf8 import utf8_texts

# C0/C1 controls except tab and newline; zero-width and BOM characters
_CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029\ufeff"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# spaces other than U+0020
_ODD_SPACE_CHARS = "\t\u00a0\u3000\u2000-\u200a\u202f\u205f"
_ODD_SPACE = re.compile(f"[{_ODD_SPACE_CHARS}]")
# each run of spaces becomes one U+0020 (a lone U+0020 is left as it is)
_SPACE_RUN = re.compile(f"[ {_ODD_SPACE_CHARS}]{{2,}}|[{_ODD_SPACE_CHARS}]")
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


def _points(body: str) -> list[int]:
    """The code points of a regex class body of characters and ranges (as `_CONTROL_CHARS`)."""
    points, i = [], 0
    while i < len(body):
        if body[i + 1 : i + 2] == "-" and i + 2 < len(body):
            points += range(ord(body[i]), ord(body[i + 2]) + 1)
            i += 3
        else:
            points.append(ord(body[i]))
            i += 1
    return points


@functools.cache
def kinds(form: str) -> np.ndarray:
    """Every code point's kind to the compiled pass (`normalize_spaces`): a space (U+0020, the
    odd spaces), the newline, or one only `normalize_text` handles: a carriage return, U+1680
    (the one `str.isspace` character neither removed nor folded into a space), a control
    character, a character `form` could change."""
    from datamill.stages.normalize_spaces import kinds_table

    other = [0x0D, 0x1680, *_points(_CONTROL_CHARS), *unstable_chars(form)]
    return kinds_table([0x20, *_points(_ODD_SPACE_CHARS)], other)


def normalize_array(texts: pa.Array | pa.ChunkedArray, form: str) -> tuple[pa.Array, np.ndarray]:
    """(`normalize_text` of every text as large strings, a null as an empty text; their lengths
    in characters)."""
    from datamill.stages import normalize_spaces as spaces  # numba: workers only

    texts = pc.fill_null(texts, "").cast(pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    table = kinds(form)
    data, offsets = utf8_texts(texts)
    verdicts, sizes, lengths = spaces.screen(data, offsets, table)
    if (verdicts == spaces.TIDY).any():
        out, out_offsets = spaces.tidy(data, offsets, table, verdicts, sizes)
        texts = pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(out_offsets), pa.py_buffer(out))
    rest = np.flatnonzero(verdicts == spaces.REST)
    if len(rest):
        fixed = [normalize_text(s, form) for s in texts.take(pa.array(rest)).to_pylist()]
        lengths[rest] = [len(s) for s in fixed]
        mask = np.zeros(len(texts), bool)
        mask[rest] = True
        texts = pc.replace_with_mask(texts, pa.array(mask), pa.array(fixed, pa.large_string()))
    return texts, lengths


class Normalize(Stage):
    name = "normalize"
    version = "1"
    Config = NormalizeConfig
    requires = ("text",)
    produces = ("text",)

    def __call__(self, batch: pa.Table) -> pa.Table:
        out, length = normalize_array(batch.column("text"), self.config.form)
        reasons = pc.if_else(
            pa.array(length < self.config.min_chars),
            pc.if_else(pa.array(length == 0), "normalize:empty_text", "normalize:too_short"),
            pa.scalar(None, pa.string()),
        )
        return with_drop_reason(set_column(batch, "text", out, pa.large_string()), reasons)
