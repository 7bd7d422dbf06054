"""MinHash signatures by one-permutation hashing (a compiled numba loop over the shingles) and LSH
band keys.

One permutation, not `num_perm`: each shingle hash is permuted once (MurmurHash3's 32-bit
finalizer over the hash xor a seed salt), its top bits pick one of `num_perm` bins, and a bin
keeps the smallest value it saw (Li, Owen and Zhang, "One Permutation Hashing", 2012). Bins no
shingle fell into borrow the value of a non-empty bin chosen by a fixed hash sequence of the bin
number ("optimal densification", Shrivastava 2017), so the share of equal bins of two signatures
estimates their Jaccard similarity as k independent permutations do, at one hash per shingle
instead of k: character shingles (a few times more than word shingles) cost less than word
shingles under the classic scheme. Bands and rows (`lsh.py`) come from datasketch's
false-positive / false-negative optimum for the Jaccard threshold.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numba import njit

from datamill.stages.dedup_minhash.shingles import Shingles, mix64

EMPTY = np.uint32(0xFFFFFFFF)  # every bin of a document without shingles


_LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, nogil=True)
def _fmix32(x: np.uint64) -> np.uint64:
    """MurmurHash3's 32-bit finalizer: a bijection of 32-bit values."""
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & _LOW32
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & _LOW32
    x ^= x >> np.uint64(16)
    return x


@njit(cache=True, nogil=True)
def _oph_kernel(hashes: np.ndarray, offsets: np.ndarray, salt: np.uint64, out: np.ndarray) -> None:
    """out[doc] = the densified one-permutation signature of each document's shingles."""
    bins = out.shape[1]
    width = np.uint64(bins)
    filled = np.zeros(bins, np.bool_)
    for doc in range(len(offsets) - 1):
        if offsets[doc + 1] == offsets[doc]:
            continue  # no shingles: all EMPTY
        row = out[doc]
        filled[:] = False
        for i in range(offsets[doc], offsets[doc + 1]):
            h = _fmix32(np.uint64(hashes[i]) ^ salt)
            b = (h * width) >> np.uint64(32)
            filled[b] = True
            if np.uint32(h) < row[b]:
                row[b] = np.uint32(h)
        for b in range(bins):
            attempt = np.uint64(0)
            while not filled[b]:  # borrow from the first filled bin of b's fixed sequence
                j = mix64(salt + np.uint64(b) * np.uint64(0x9E3779B97F4A7C15) + attempt) % width
                if filled[j]:
                    row[b] = row[j]
                    break
                attempt += np.uint64(1)


def signatures(shingles: Shingles, num_perm: int, seed: int) -> np.ndarray:
    """(documents x num_perm) uint32 one-permutation MinHash signatures; a document without
    shingles gets the empty signature (all 0xFFFFFFFF)."""
    out = np.full((len(shingles.counts), num_perm), EMPTY, dtype=np.uint32)
    salt = np.uint64(int(mix64(np.uint64(seed) + np.uint64(1))) & 0xFFFFFFFF)
    _oph_kernel(shingles.hashes, shingles.offsets, salt, out)
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents x bands) uint64 keys: a hash of each band's rows and the band's index, so
    equal keys mean (up to 64-bit collisions) an equal band."""
    keys = np.empty((len(sigs), bands), dtype=np.uint64)
    _band_keys_kernel(
        np.ascontiguousarray(sigs, np.uint32), _band_multipliers(rows), _BAND_SALTS, bands, rows, keys
    )
    return keys


@njit(cache=True, nogil=True)
def _band_keys_kernel(sigs, multipliers, salts, bands, rows, out):
    """out[doc, band] = mix64(sum of the band's values times `multipliers` + the band's salt),
    all mod 2**64 (a loop: numpy's version made a uint64 copy of every signature first)."""
    for doc in range(sigs.shape[0]):
        for band in range(bands):
            acc = salts[band]
            for j in range(rows):
                acc += np.uint64(sigs[doc, band * rows + j]) * multipliers[j]
            out[doc, band] = mix64(acc)


_BAND_SALTS = np.random.RandomState(0x5A17).randint(0, 1 << 63, 4096, dtype=np.uint64)


@cache
def _band_multipliers(rows: int) -> np.ndarray:
    return np.random.RandomState(0xBA4D).randint(0, 1 << 62, rows, dtype=np.uint64) * np.uint64(
        2
    ) + np.uint64(1)
