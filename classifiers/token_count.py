"""Token counts per document: a CJK-aware estimate in one compiled pass, or a real tokenizer.

The estimate is one token per CJK character (Han, kana, Hangul, Bopomofo and the long-vowel
marks) plus 1.3 per other word (a run of letters/digits that are not CJK), rounded up per
document. Its character classes come from the regexes below, run once over every code point
(so the compiled loop counts exactly what `str.count_matches` with them would), and a numba
loop walks the UTF-8 bytes of a whole Arrow column without making Python strings.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from datamill.pipeline.utf8_kernels import decode

CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}\x{30FC}\x{FF70}"  # + long-vowel marks
CJK_CHAR = f"[{CJK}]"
OTHER_WORD = rf"[\p{{L}}\p{{N}}&&[^{CJK}]]+"
TOKENS_PER_WORD = 1.3
#: what a stored count computed with the estimate says it is (bump with any change of the rule)
ESTIMATE_RULE = f"estimate/1: CJK characters + {TOKENS_PER_WORD} x other words, rounded up"
_OTHER, _WORD, _CJK = 0, 1, 2
_BATCH = 4096  # texts per tokenizer call


@functools.cache
def char_classes() -> np.ndarray:
    """uint8 class (other, word, CJK) of every code point, from the regexes themselves."""
    points = np.r_[np.arange(0xD800), np.arange(0xE000, 0x110000)]
    # one string per code point, built from buffers (0.06 s; a Python string each took ~2 s,
    # paid by every worker process that counts tokens)
    data = points.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
    offsets = np.zeros(len(points) + 1, np.int32)
    np.cumsum(1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000), out=offsets[1:])
    chars = pa.StringArray.from_buffers(len(points), pa.py_buffer(offsets), pa.py_buffer(data))
    frame = pl.DataFrame({"c": pl.from_arrow(chars)}).select(
        cjk=pl.col("c").str.contains(CJK_CHAR), word=pl.col("c").str.contains(OTHER_WORD)
    )
    table = np.zeros(0x110000, np.uint8)
    table[points[frame["word"].to_numpy()]] = _WORD
    table[points[frame["cjk"].to_numpy()]] = _CJK
    return table


@njit(cache=True, nogil=True)
def _count(data, offsets, classes, per_word, out):
    for i in range(len(offsets) - 1):
        cjk = 0
        words = 0
        in_word = False
        pos = offsets[i]
        end = offsets[i + 1]
        while pos < end:
            cp, pos = decode(data, pos)
            c = classes[cp]
            if c == 1:
                if not in_word:
                    words += 1
                    in_word = True
            else:
                in_word = False
                if c == 2:
                    cjk += 1
        out[i] = cjk + np.int64(np.ceil(words * per_word))


def _large_strings(texts: pa.Array | pa.ChunkedArray | pl.Series) -> pa.Array:
    if isinstance(texts, pl.Series):
        texts = texts.to_arrow()
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.large_string())
    return pc.fill_null(texts.cast(pa.large_string()), "")


def estimate_tokens(texts: pa.Array | pa.ChunkedArray | pl.Series) -> np.ndarray:
    """The estimate per text (int64; 0 for null or empty text). Reads the Arrow buffers in
    place: no copy of the text."""
    if isinstance(texts, pl.Series):
        texts = texts.to_arrow()
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    parts = [_estimate_chunk(chunk) for chunk in chunks]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _estimate_chunk(array: pa.Array) -> np.ndarray:
    out = np.zeros(len(array), np.int64)
    if not len(array) or array.null_count == len(array):
        return out
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.large_string())  # string views, dictionaries
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    validity, offsets_buf, data_buf = array.buffers()
    offsets = np.frombuffer(offsets_buf, width, len(array) + 1, array.offset * width().itemsize)
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    _count(data, offsets.astype(np.int64), char_classes(), TOKENS_PER_WORD, out)
    if array.null_count:
        out[pc.is_null(array).to_numpy(zero_copy_only=False)] = 0
    return out


def count_with(tokenizer, texts: pa.Array | pa.ChunkedArray | pl.Series) -> np.ndarray:
    """Tokens of each text by a `tokenizers.Tokenizer`, in batches (its own threads encode a
    batch in parallel); no special tokens."""
    values = _large_strings(texts).to_pylist()
    counts = np.empty(len(values), dtype=np.int64)
    for start in range(0, len(values), _BATCH):
        encodings = tokenizer.encode_batch_fast(values[start : start + _BATCH], add_special_tokens=False)
        counts[start : start + len(encodings)] = [len(e.ids) for e in encodings]
    return counts


def load_tokenizer(path: Path):
    """A `tokenizer.json`; ValueError naming the file if it cannot be loaded."""
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception for bad files
        raise ValueError(f"cannot load tokenizer {path}: {exc}") from exc


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
