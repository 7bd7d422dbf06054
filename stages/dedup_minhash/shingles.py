"""Shingle hashes for MinHash over a whole Arrow batch, in one compiled pass (numba) over its UTF-8.

The texts' UTF-8 bytes (Arrow's own buffer) are decoded into code points, code points become
tokens, tokens become n-gram shingles, in one loop. The
unit of a token (config `unit`):
- `char` (the default): every character but whitespace is a token, so shingles are character
  n-grams of the text with its whitespace removed, in every script. One typo changes at most n
  shingles of a few hundred, spaces put between CJK characters change none, and English, Chinese
  and mixed text are measured alike: what a reader calls a copy.
- `word`: a run of letters/digits of a space-delimited script is one token (a word); each
  character of a script written without spaces (CJK ideographs, kana, bopomofo, Thai, Lao,
  Khmer, Myanmar) is a token of its own, so `用 GPT-4 训练` -> 用, gpt, 4, 训, 练.
Light normalization (config): NFKC width folding, lower case, digits to 0, punctuation dropped
(kept, each punctuation mark is a token of its own). A document with fewer than n tokens has one
shingle: all its tokens.

Shingle hashes are uint32.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pyarrow as pa
from numba import njit

from datamill.classifiers import scripts
from datamill.pipeline.utf8 import utf8_texts
from datamill.pipeline.utf8_kernels import decode

# token classes of a code point
SEPARATOR, WORD, CHAR, PUNCT = 0, 1, 2, 3
DIGIT_FLAG = 4  # bit set on decimal digits
_LAST_ASSIGNED = 0x323AF  # end of CJK Extension H; above it only private use and tags
_TABLE_SIZE = _LAST_ASSIGNED + 2  # the last entry stands for every higher code point

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)
# A token's hash is mix64(sum(v[i] * Q**i)) over its characters' values v; a shingle's is
# mix64(sum(t[k] * Q**k)) over its token hashes t, high 32 bits (all mod 2**64); Q is the
# inverse of the golden-ratio constant mod 2**64, so the sum rolls from one shingle to the next
# in O(1).
_Q_INVERSE = np.uint64(0x9E3779B97F4A7C15)
_Q = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))


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
    table[scripts.code_point_mask(scripts.UNSPACED, _TABLE_SIZE) & (table == WORD)] = CHAR
    return table


@cache
def lookup_tables(
    lowercase: bool,
    fold_width: bool,
    normalize_digits: bool,
    strip_punctuation: bool,
    unit: Literal["char", "word"] = "word",
) -> tuple[np.ndarray, np.ndarray]:
    """Per code point: (token class, uint64 value of the normalized character; 0 = not in a
    token). Normalization is baked in, so a batch needs one gather per table: lower case is
    the one-character lower case, width folding is NFKC where it gives one character (full-width
    Latin and punctuation, compatibility ideographs), digits become 0. With unit `char` every
    character kept is a token of its own."""
    flags = char_classes()
    target = np.arange(_TABLE_SIZE, dtype=np.uint64)
    in_tokens = np.flatnonzero(flags).tolist()  # Python ints: a NumPy scalar a code point was 5x slower
    mapped = []
    for cp in in_tokens:
        char = chr(cp)
        if fold_width:
            folded = unicodedata.normalize("NFKC", char)
            char = folded if len(folded) == 1 else char
        if lowercase:
            lower = char.lower()
            char = lower if len(lower) == 1 else char
        mapped.append(ord(char))
    target[in_tokens] = mapped
    classes = flags[target.astype(np.int64)] & np.uint8(3)
    if normalize_digits:
        target[(flags[target.astype(np.int64)] & np.uint8(DIGIT_FLAG)) != 0] = ord("0")
    classes[classes == PUNCT] = SEPARATOR if strip_punctuation else CHAR
    if unit == "char":
        classes[classes == WORD] = CHAR
    values = mix64(target + np.uint64(1))
    values[classes == SEPARATOR] = 0
    return classes, values


@njit(cache=True, nogil=True)
def mix64(x):
    """MurmurHash3's 64-bit finalizer (an avalanching bijection) of a uint64, or of a uint64
    array element-wise and in place."""
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


@njit(cache=True, nogil=True)
def longest(offsets: np.ndarray) -> int:
    """The most bytes of one text: what a text's token buffers must hold."""
    most = 0
    for doc in range(len(offsets) - 1):
        most = max(most, offsets[doc + 1] - offsets[doc])
    return most


@njit(cache=True, nogil=True)
def token_buffers(n, classes_table):
    """(hashes, starts, ends, kinds) arrays for the tokens of a text of up to `n` bytes."""
    return (
        np.empty(n, np.uint64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, classes_table.dtype),
    )


@njit(cache=True, nogil=True)
def tokenize(data, first, end, classes_table, values_table, buffers):
    """The tokens of `data[first:end]` (one text, UTF-8, decoded here): their hashes, character
    spans (from the text's first character) and kinds (WORD or CHAR) written to `buffers`
    (`token_buffers`); returns how many. A run of letters or digits of a spaced script is one
    word; each character of an unspaced script is a token of its own; separators (spaces,
    punctuation when stripped) end a token."""
    tok_hash, tok_start, tok_end, tok_kind = buffers
    last = len(classes_table) - 1
    count = 0
    acc = np.uint64(0)
    power = np.uint64(1)
    previous = SEPARATOR
    i = first
    char = 0  # characters before data[i] in this text
    while i < end:
        cp, i = decode(data, i)
        cp = min(cp, last)
        kind = classes_table[cp]
        if kind != SEPARATOR and (kind == CHAR or previous != WORD):  # a token starts
            if power != 1:
                tok_hash[count] = mix64(acc)
                count += 1
            acc, power = np.uint64(0), np.uint64(1)
            tok_start[count] = char
            tok_kind[count] = kind
        if kind != SEPARATOR:
            acc += values_table[cp] * power
            power *= _Q
            tok_end[count] = char + 1
        previous = kind
        char += 1
    if power != 1:
        tok_hash[count] = mix64(acc)
        count += 1
    return count


@njit(cache=True, nogil=True)
def _roll(tokens, count, ngram, hashes, written):
    """The shingle hashes of `count` token hashes, written to hashes[written:]; returns how
    many (one for fewer than `ngram` tokens, none for no token)."""
    shingles = 0 if count == 0 else max(1, count - ngram + 1)
    if shingles:
        acc, power = np.uint64(0), np.uint64(1)
        for k in range(min(ngram, count)):
            acc += tokens[k] * power
            power *= _Q
        hashes[written] = np.uint32(mix64(acc) >> _S32)
        top = power * _Q_INVERSE  # Q**(ngram - 1)
        for start in range(1, shingles):  # roll: drop the first token, add the next
            acc = (acc - tokens[start - 1]) * _Q_INVERSE + tokens[start + ngram - 1] * top
            hashes[written + start] = np.uint32(mix64(acc) >> _S32)
    return shingles


@njit(cache=True, nogil=True)
def _shingle_kernel(
    data: np.ndarray,
    doc_starts: np.ndarray,
    classes_table: np.ndarray,
    values_table: np.ndarray,
    ngram: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(uint32 shingle hashes of all documents in order, int64 shingle count per document)."""
    docs = len(doc_starts) - 1
    hashes = np.empty(len(data) + docs, np.uint32)  # at most one shingle per token, +1 a doc
    counts = np.zeros(docs, np.int64)
    buffers = token_buffers(longest(doc_starts), classes_table)
    written = 0
    for doc in range(docs):
        count = tokenize(data, doc_starts[doc], doc_starts[doc + 1], classes_table, values_table, buffers)
        counts[doc] = _roll(buffers[0], count, ngram, hashes, written)
        written += counts[doc]
    return hashes[:written], counts


@njit(cache=True, nogil=True)
def _char_shingle_kernel(
    data: np.ndarray, doc_starts: np.ndarray, token_table: np.ndarray, ngram: int
) -> tuple[np.ndarray, np.ndarray]:
    """`_shingle_kernel` where every token is one character (unit `char`): a character's token
    hash is looked up (`token_table`, 0 for a separator) instead of made."""
    docs = len(doc_starts) - 1
    hashes = np.empty(len(data) + docs, np.uint32)
    counts = np.zeros(docs, np.int64)
    tokens = np.empty(longest(doc_starts), np.uint64)
    last = len(token_table) - 1
    written = 0
    for doc in range(docs):
        count = 0
        i, end = doc_starts[doc], doc_starts[doc + 1]
        while i < end:
            cp, i = decode(data, i)
            token = token_table[min(cp, last)]
            if token:
                tokens[count] = token
                count += 1
        counts[doc] = _roll(tokens, count, ngram, hashes, written)
        written += counts[doc]
    return hashes[:written], counts


@cache
def char_token_table(*settings) -> np.ndarray | None:
    """Per code point, the token hash of a one-character token (`tokenize` of that character
    alone), 0 for a separator; None where some token spans several characters (unit `word`)."""
    classes, values = lookup_tables(*settings)
    if (classes == WORD).any():
        return None
    return np.where(classes == CHAR, mix64(values.copy()), np.uint64(0))


def batch_shingles(
    texts: pa.Array | pa.ChunkedArray,
    ngram: int,
    lowercase: bool = True,
    fold_width: bool = True,
    normalize_digits: bool = True,
    strip_punctuation: bool = True,
    unit: Literal["char", "word"] = "word",
) -> Shingles:
    """Shingle hashes of every text of a batch (null text = no shingles)."""
    settings = (lowercase, fold_width, normalize_digits, strip_punctuation, unit)
    data, doc_starts = utf8_texts(texts)
    token_table = char_token_table(*settings)
    if token_table is not None:
        hashes, counts = _char_shingle_kernel(data, doc_starts, token_table, ngram)
    else:
        hashes, counts = _shingle_kernel(data, doc_starts, *lookup_tables(*settings), ngram)
    return Shingles(hashes, counts)


def config_shingles(texts: pa.Array | pa.ChunkedArray, config) -> Shingles:
    """`batch_shingles` with the shingle settings of a `DedupMinhashConfig`."""
    return batch_shingles(
        texts,
        config.ngram,
        lowercase=config.lowercase,
        fold_width=config.fold_width,
        normalize_digits=config.normalize_digits,
        strip_punctuation=config.strip_punctuation,
        unit=config.unit,
    )
