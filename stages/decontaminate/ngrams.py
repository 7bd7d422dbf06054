"""Normalised n-grams of text with their character spans, and the benchmark n-gram index.

Tokens and normalisation are MinHash dedup's (`dedup_minhash/shingles.py`: one table lookup
per code point; a run of letters or digits of a spaced script is a word, each CJK ideograph or
kana a token of its own). An n-gram is `ngram` words or `cjk_ngram` CJK characters: token i
starts one, which grows until its words count 1/`ngram` each and its CJK characters
1/`cjk_ngram` each add up to one, so mixed text gets n-grams of mixed length. A text too short
for one has none. Hashes are 64 bits (mix64 of a polynomial over the token hashes), so a
1M-n-gram index meets a corpus n-gram by chance about once in 2**44 lookups.

The index is every distinct (n-gram hash, item) pair of the benchmarks, sorted by hash: two
NumPy arrays (12 bytes a pair) saved once and memory-mapped by every process that reads them,
with a bitmap of the hashes' top bits (16 bits per n-gram, packed: 2 MB for 1M n-grams) built
at load, so most corpus n-grams cost one gather, not a binary search.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
from numba import njit

from datamill.pipeline.utf8 import utf8_texts
from datamill.stages.dedup_minhash.shingles import (
    _Q,
    CHAR,
    longest,
    lookup_tables,
    mix64,
    token_buffers,
    tokenize,
)

HASHES, ITEMS = "hashes.npy", "items.npy"


@dataclass(frozen=True)
class Normalisation:
    ngram: int  # words per n-gram
    cjk_ngram: int  # CJK characters per n-gram
    lowercase: bool = True
    fold_width: bool = True
    normalize_digits: bool = False
    strip_punctuation: bool = True


@dataclass(frozen=True)
class NGrams:
    """The n-grams of a batch of texts, grouped by text in batch order."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64 character offset of each n-gram's first token in its text
    ends: np.ndarray  # int64 character offset just after its last token
    counts: np.ndarray  # int64 n-grams per text

    @property
    def doc(self) -> np.ndarray:
        """The text (index in the batch) of every n-gram."""
        return np.repeat(np.arange(len(self.counts)), self.counts)


@njit(cache=True, nogil=True)
def _ngram_kernel(data, doc_starts, classes_table, values_table, word_weight, char_weight, target):
    docs = len(doc_starts) - 1
    n = len(data)  # at most one n-gram per token, one token per byte
    hashes = np.empty(n, np.uint64)
    starts = np.empty(n, np.int64)
    ends = np.empty(n, np.int64)
    counts = np.zeros(docs, np.int64)
    buffers = token_buffers(longest(doc_starts), classes_table)
    tok_hash, tok_start, tok_end, tok_kind = buffers
    written = 0
    for doc in range(docs):
        count = tokenize(data, doc_starts[doc], doc_starts[doc + 1], classes_table, values_table, buffers)
        for s in range(count):
            weight = 0
            acc, power = np.uint64(0), np.uint64(1)
            e = s
            while e < count and weight < target:
                acc += tok_hash[e] * power
                power *= _Q
                weight += char_weight if tok_kind[e] == CHAR else word_weight
                e += 1
            if weight < target:  # the rest of the text is too short for an n-gram
                break
            hashes[written] = mix64(acc)
            starts[written] = tok_start[s]
            ends[written] = tok_end[e - 1]
            written += 1
            counts[doc] += 1
    return hashes[:written], starts[:written], ends[:written], counts


def batch_ngrams(texts: pa.Array | pa.ChunkedArray, norm: Normalisation) -> NGrams:
    """The n-grams of every text (null = none)."""
    classes, values = lookup_tables(
        norm.lowercase, norm.fold_width, norm.normalize_digits, norm.strip_punctuation
    )
    data, doc_starts = utf8_texts(texts)
    # a word weighs 1/ngram and a CJK character 1/cjk_ngram of an n-gram, in whole numbers
    hashes, starts, ends, counts = _ngram_kernel(
        data, doc_starts, classes, values, norm.cjk_ngram, norm.ngram, norm.ngram * norm.cjk_ngram
    )
    return NGrams(hashes, starts, ends, counts)


def distinct_pairs(doc: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(doc, hash) pairs without repeats, sorted by doc then hash."""
    order = np.lexsort((hashes, doc))
    doc, hashes = doc[order], hashes[order]
    keep = np.ones(len(doc), dtype=bool)
    keep[1:] = (doc[1:] != doc[:-1]) | (hashes[1:] != hashes[:-1])
    return doc[keep], hashes[keep]


def build_index(texts: pa.Array, norm: Normalisation, folder: Path) -> np.ndarray:
    """Write the index of these items' n-grams to `folder`; return each item's count of
    distinct n-grams."""
    grams = batch_ngrams(texts, norm)
    items, hashes = distinct_pairs(grams.doc, grams.hashes)
    order = np.argsort(hashes, kind="stable")
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / HASHES, hashes[order])
    np.save(folder / ITEMS, items[order].astype(np.int32))
    return np.bincount(items, minlength=len(texts))


@dataclass(frozen=True)
class Index:
    hashes: np.ndarray  # uint64, sorted
    items: np.ndarray  # int32, the item of each hash
    bits: np.ndarray  # packed bitmap of the hashes' top bits: most corpus n-grams stop there
    shift: np.uint64  # 64 - log2(bits in the bitmap)

    @classmethod
    def load(cls, folder: Path | str) -> Index:
        """The index in `folder`, loaded once per process (again if its files were rewritten)."""
        return _load(str(folder), (Path(folder) / HASHES).stat().st_mtime_ns)

    def hits(self, doc: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(doc, item) for every distinct (doc, n-gram) the index holds, once per item that
        holds it."""
        empty = np.zeros(0, np.int64), np.zeros(0, np.int64)
        if not len(self.hashes) or not len(hashes):
            return empty
        top = (hashes >> self.shift).astype(np.int64)
        maybe = np.flatnonzero((self.bits[top >> 3] >> (top & 7).astype(np.uint8)) & 1)
        lo = np.searchsorted(self.hashes, hashes[maybe], side="left")
        found = self.hashes[np.minimum(lo, len(self.hashes) - 1)] == hashes[maybe]
        if not found.any():
            return empty
        doc, hashes = distinct_pairs(doc[maybe[found]], hashes[maybe[found]])
        lo = np.searchsorted(self.hashes, hashes, side="left")
        spans = np.searchsorted(self.hashes, hashes, side="right") - lo
        rows = np.repeat(lo - np.cumsum(spans) + spans, spans) + np.arange(spans.sum())
        return np.repeat(doc, spans), np.asarray(self.items[rows], dtype=np.int64)

    def item_hashes(self, items: np.ndarray) -> np.ndarray:
        """The sorted distinct n-gram hashes of these items."""
        return np.unique(self.hashes[np.isin(self.items, items)])


@cache
def _load(folder: str, written: int) -> Index:
    hashes = np.load(Path(folder) / HASHES, mmap_mode="r")
    size = max(10, int(np.ceil(np.log2(max(len(hashes), 1) * 16))))  # ~16 bits per n-gram: ~6% pass
    shift = np.uint64(64 - size)
    bits = np.zeros(1 << size, dtype=np.bool_)
    bits[(hashes >> shift).astype(np.int64)] = True
    return Index(
        hashes, np.load(Path(folder) / ITEMS, mmap_mode="r"), np.packbits(bits, bitorder="little"), shift
    )
