"""Shingle hashes for MinHash, vectorised over a whole Arrow batch (no Python loop per token).

Text becomes NumPy code points, code points become tokens, tokens become n-gram shingles:
- a run of letters/digits of a space-delimited script is one token (a word);
- each character of a script written without spaces (CJK ideographs, kana, bopomofo, Thai, Lao,
  Khmer, Myanmar) is a token of its own;
so n-grams are word n-grams in English, character n-grams in Chinese, and n-grams over the
interleaved sequence in mixed text (`用 GPT-4 训练` -> 用, gpt, 4, 训, 练).
Light normalization (config): NFKC width folding, lower case, digits to 0, punctuation dropped
(kept, each punctuation mark is a token of its own). A document with fewer than n tokens has one
shingle: all its tokens.

Shingle hashes are uint32, the input width of datasketch's "affine32" scheme.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# token classes of a code point
SEPARATOR, WORD, CHAR, PUNCT = 0, 1, 2, 3
DIGIT_FLAG = 4  # bit set on decimal digits
_LAST_ASSIGNED = 0x323AF  # end of CJK Extension H; above it only private use and tags
_TABLE_SIZE = _LAST_ASSIGNED + 2  # the last entry stands for every higher code point
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x31FF),  # Hiragana, Katakana, Bopomofo, Katakana extensions
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x20000, _LAST_ASSIGNED),  # CJK Extensions B-H
)

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)
# Position-dependent sums use powers of an odd P: a run's hash is sum(v[i] * P**(i - start)),
# computed for all runs at once as P**start * (prefix sums of v[i] * P**-i), mod 2**64.
_P = 0x9E3779B97F4A7C15
_P_INVERSE = pow(_P, -1, 1 << 64)
_powers: dict[str, np.ndarray] = {"up": np.ones(1, np.uint64), "down": np.ones(1, np.uint64)}


def _power_tables(count: int) -> tuple[np.ndarray, np.ndarray]:
    """(P**i, P**-i) mod 2**64 for i < count (cached, grown by doubling)."""
    if len(_powers["up"]) < count:
        size = 1 << max(16, (count - 1).bit_length())
        for name, base in (("up", _P), ("down", _P_INVERSE)):
            table = np.full(size, base, dtype=np.uint64)
            table[0] = 1
            _powers[name] = np.multiply.accumulate(table)
    return _powers["up"][:count], _powers["down"][:count]


@cache
def char_classes() -> np.ndarray:
    """uint8 table indexed by code point: token class, plus DIGIT_FLAG on decimal digits."""
    table = np.zeros(_TABLE_SIZE, dtype=np.uint8)
    for cp in range(_LAST_ASSIGNED + 1):
        cat = unicodedata.category(chr(cp))
        if cat[0] in "LMN":
            table[cp] = WORD | (DIGIT_FLAG if cat == "Nd" else 0)
        elif cat[0] in "PS":
            table[cp] = PUNCT
    for lo, hi in _UNSPACED_RANGES:
        block = table[lo : hi + 1]
        block[block == WORD] = CHAR
    return table


@cache
def lookup_tables(
    lowercase: bool, fold_width: bool, normalize_digits: bool, strip_punctuation: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per code point: (token class, uint64 value of the normalized character; 0 = not in a
    token). Normalization is baked in, so a batch needs one gather per table: lower case is
    the one-character lower case, width folding is NFKC where it gives one character (full-width
    Latin, compatibility ideographs), digits become 0."""
    flags = char_classes()
    target = np.arange(_TABLE_SIZE, dtype=np.uint64)
    for cp in range(_LAST_ASSIGNED + 1):
        if not flags[cp]:
            continue
        char = chr(cp)
        if fold_width:
            folded = unicodedata.normalize("NFKC", char)
            char = folded if len(folded) == 1 else char
        if lowercase:
            lower = char.lower()
            char = lower if len(lower) == 1 else char
        target[cp] = ord(char)
    classes = flags[target.astype(np.int64)] & np.uint8(3)
    if normalize_digits:
        target[(flags[target.astype(np.int64)] & np.uint8(DIGIT_FLAG)) != 0] = ord("0")
    classes[classes == PUNCT] = SEPARATOR if strip_punctuation else CHAR
    values = mix64(target + np.uint64(1))
    values[classes == SEPARATOR] = 0
    return classes, values


def mix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (an avalanching bijection), element-wise, in place."""
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    x ^= x >> _S33
    return x


@dataclass(frozen=True)
class Shingles:
    """The shingle hashes of a batch of documents, grouped by document in batch order."""

    hashes: np.ndarray  # uint32, all shingles of document 0, then of document 1, ...
    counts: np.ndarray  # int64 per document (0 for a document without tokens)

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.counts)))


def code_points(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(uint32 code points of all texts concatenated, int64 start offset of each text + end)."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.large_string())
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    _, offsets_buf, data_buf = texts.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64, len(texts) + 1, texts.offset * 8)
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buf, np.uint8, last - first, first) if last > first else np.zeros(0, np.uint8)
    points = np.frombuffer(data.tobytes().decode("utf-8").encode("utf-32-le"), np.uint32)
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
    return points, np.concatenate(([0], np.cumsum(lengths)))


def token_hashes(
    points: np.ndarray, doc_starts: np.ndarray, classes_table: np.ndarray, values_table: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 hash per token, int64 document index per token), tokens in text order."""
    clipped = np.minimum(points, np.uint32(_TABLE_SIZE - 1))
    classes = classes_table[clipped]
    in_token = classes != SEPARATOR
    starts = classes == CHAR
    starts[1:] |= in_token[1:] & (classes[:-1] != WORD)
    starts[0] = in_token[0] if len(starts) else False
    inner = doc_starts[:-1][doc_starts[:-1] < len(points)]
    starts[inner] = in_token[inner]  # tokens never cross documents
    first = np.flatnonzero(starts)
    if not len(first):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # sum(value * P**(offset in token)); separators have value 0
    up, down = _power_tables(len(points))
    values = values_table[clipped] * down
    hashes = mix64(np.add.reduceat(values[first[0] :], first - first[0]) * up[first])
    docs = np.searchsorted(doc_starts, first, side="right") - 1
    return hashes, docs


def shingle_hashes(token_hash: np.ndarray, token_doc: np.ndarray, num_docs: int, ngram: int) -> Shingles:
    """Hashes of the token n-grams of each document (one shingle for a shorter document)."""
    counts = np.bincount(token_doc, minlength=num_docs).astype(np.int64)
    doc_first = np.concatenate(([0], np.cumsum(counts)))[:-1]
    total = len(token_hash)
    index = np.arange(total)
    end = (doc_first + counts)[token_doc]
    valid = (index + ngram <= end) | ((index == doc_first[token_doc]) & (counts[token_doc] < ngram))
    start = index[valid]
    stop = np.minimum(start + ngram, end[valid])
    # sum(token_hash[j + k] * P**k for k < ngram), from prefix sums of token_hash[t] * P**-t
    up, down = _power_tables(total + 1)
    prefix = np.concatenate((np.zeros(1, np.uint64), np.cumsum(token_hash * down[:total], dtype=np.uint64)))
    combined = (prefix[stop] - prefix[start]) * up[start]
    hashes = (mix64(combined) >> _S32).astype(np.uint32)
    return Shingles(hashes, np.bincount(token_doc[valid], minlength=num_docs).astype(np.int64))


def batch_shingles(
    texts: pa.Array | pa.ChunkedArray,
    ngram: int,
    lowercase: bool = True,
    fold_width: bool = True,
    normalize_digits: bool = True,
    strip_punctuation: bool = True,
) -> Shingles:
    """Shingle hashes of every text of a batch (null text = no shingles)."""
    classes, values = lookup_tables(lowercase, fold_width, normalize_digits, strip_punctuation)
    points, doc_starts = code_points(texts)
    token_hash, token_doc = token_hashes(points, doc_starts, classes, values)
    return shingle_hashes(token_hash, token_doc, len(doc_starts) - 1, ngram)
