"""Repetition measures (Gopher, Rae et al. 2021) over any token sequence, vectorised.

A sequence is a `str` (characters: for Chinese and other unspaced scripts) or a tuple of
words. Tokens become integer codes, n-grams become 64-bit rolling hashes (numpy), and
fractions are of characters, so words and characters give comparable figures.
"""

from __future__ import annotations

import numpy as np

Tokens = str | tuple[str, ...]
_BASE = np.uint64(1_000_003)


def duplicate_items(items: list[str]) -> tuple[float, float]:
    """(fraction of items that repeat an earlier one, fraction of their characters)."""
    if not items:
        return 0.0, 0.0
    seen: set[str] = set()
    dup_items = dup_chars = total_chars = 0
    for item in items:
        total_chars += len(item)
        if item in seen:
            dup_items += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    return dup_items / len(items), (dup_chars / total_chars if total_chars else 0.0)


class Sequence:
    """Token codes and character offsets of one sequence, reused for every n."""

    def __init__(self, tokens: Tokens) -> None:
        if isinstance(tokens, str):
            self.codes = np.frombuffer(tokens.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            self.lengths = np.ones(len(self.codes), dtype=np.int64)
        else:  # Python's string hash: stable within the process, which is all that is compared
            self.codes = np.fromiter(map(hash, tokens), np.int64, len(tokens)).view(np.uint64)
            self.lengths = np.fromiter(map(len, tokens), np.int64, len(tokens))
        self.offsets = np.concatenate(([0], np.cumsum(self.lengths)))
        self.total = int(self.offsets[-1])

    def _hashes(self, n: int) -> np.ndarray | None:
        """Rolling 64-bit hash of the n-gram starting at each position, or None if too short."""
        count = len(self.codes) - n + 1
        if count <= 0 or self.total == 0:
            return None
        hashes = self.codes[:count].copy()
        for j in range(1, n):
            hashes = hashes * _BASE + self.codes[j : j + count]
        return hashes

    def top_ngram_fraction(self, n: int) -> float:
        """Characters of the most frequent n-gram times its count / all characters (of tied
        n-grams, the longest: the result does not depend on hash order)."""
        hashes = self._hashes(n)
        if hashes is None:
            return 0.0
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        runs = np.diff(np.append(starts, len(ordered)))
        top = int(runs.max())
        if top < 2:
            return 0.0
        first = order[starts[runs == top]]  # first position of each most frequent n-gram
        size = int((self.offsets[first + n] - self.offsets[first]).max())
        return min(1.0, size * top / self.total)

    def duplicate_ngram_fraction(self, n: int) -> float:
        """Characters inside n-grams that already occurred earlier / all characters."""
        hashes = self._hashes(n)
        if hashes is None:
            return 0.0
        order = np.argsort(hashes, kind="stable")  # equal hashes keep their text order
        ordered = hashes[order]
        starts = order[1:][ordered[1:] == ordered[:-1]]  # every occurrence but the first
        if len(starts) == 0:
            return 0.0
        size = len(self.codes) + 1
        depth = np.bincount(starts, minlength=size) - np.bincount(starts + n, minlength=size)
        covered = np.cumsum(depth[:-1]) > 0
        return float(self.lengths[covered].sum()) / self.total


def repetition_signals(
    tokens: Tokens, prefix: str, top_ns: tuple[int, ...], dup_ns: tuple[int, ...]
) -> dict[str, float]:
    """`<prefix>top_<n>gram_frac` and `<prefix>dup_<n>gram_frac` for the given sizes."""
    seq = Sequence(tokens)
    out = {f"{prefix}top_{n}gram_frac": seq.top_ngram_fraction(n) for n in top_ns}
    out.update({f"{prefix}dup_{n}gram_frac": seq.duplicate_ngram_fraction(n) for n in dup_ns})
    return out
