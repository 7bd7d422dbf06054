"""MinHash signatures (a compiled numba loop over the shingles) and LSH band keys, compatible
with datasketch.

A signature row equals the `hashvalues` of `datasketch.MinHash(num_perm, seed, scheme="affine32",
hashfunc=<identity>)` updated with the same uint32 shingle hashes: the permutations are
datasketch's own, and the arithmetic is its affine32 scheme (MurmurHash3 32-bit pre-mix, then
`a * h + b mod 2**32`). So `MinHash(hashvalues=row, seed=seed, scheme="affine32")` can be used
with any datasketch structure (MinHashLSH, LeanMinHash). Bands and rows come from datasketch's
false-positive / false-negative optimum for the Jaccard threshold.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
from numba import njit

from datamill.stages.dedup_minhash.shingles import Shingles, mix64

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for a MinHash that saw nothing


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b), uint32 each."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


@cache
def bands_and_rows(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for the threshold and the error weights."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(
        threshold=threshold, num_perm=num_perm, weights=(false_positive_weight, false_negative_weight)
    )
    return lsh.b, lsh.r


_LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, nogil=True)
def _fmix32(x: np.uint64) -> np.uint64:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before the permutations."""
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & _LOW32
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & _LOW32
    x ^= x >> np.uint64(16)
    return x


@njit(cache=True, nogil=True)
def _minhash_kernel(hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray):
    """out[doc, k] = min over the document's shingles h of (a[k] * fmix32(h) + b[k]) mod 2**32."""
    num_perm = len(a)
    for doc in range(len(offsets) - 1):
        row = out[doc]
        for i in range(offsets[doc], offsets[doc + 1]):
            h = _fmix32(np.uint64(hashes[i]))
            for k in range(num_perm):
                value = np.uint32((a[k] * h + b[k]) & _LOW32)
                if value < row[k]:
                    row[k] = value


def signatures(shingles: Shingles, perms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(documents x num_perm) uint32 MinHash signatures under the `permutations` (a, b); a
    document without shingles gets the empty signature (all 0xFFFFFFFF)."""
    a, b = (p.astype(np.uint64) for p in perms)
    out = np.full((len(shingles.counts), len(a)), EMPTY, dtype=np.uint32)
    _minhash_kernel(shingles.hashes, shingles.offsets, a, b, out)
    return out


def band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents x bands) uint64 keys: a hash of each band's rows and the band's index, so
    equal keys mean (up to 64-bit collisions) an equal band."""
    keys = np.empty((len(sigs), bands), dtype=np.uint64)
    wide = sigs.astype(np.uint64)
    multipliers = _band_multipliers(rows)
    for band in range(bands):
        part = wide[:, band * rows : (band + 1) * rows] * multipliers[None, :]
        acc = part.sum(axis=1, dtype=np.uint64) + _BAND_SALTS[band]
        keys[:, band] = mix64(acc)
    return keys


_BAND_SALTS = np.random.RandomState(0x5A17).randint(0, 1 << 63, 4096, dtype=np.uint64)


@cache
def _band_multipliers(rows: int) -> np.ndarray:
    return np.random.RandomState(0xBA4D).randint(0, 1 << 62, rows, dtype=np.uint64) * np.uint64(
        2
    ) + np.uint64(1)


def estimated_jaccard(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Share of equal signature values per row pair (datasketch's `MinHash.jaccard`)."""
    return np.count_nonzero(left == right, axis=1) / left.shape[1]


def signature_column(sigs: np.ndarray) -> pa.Array:
    """Signatures as a fixed-size binary column (num_perm * 4 bytes a row)."""
    sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 * sigs.shape[1]), len(sigs), [None, pa.py_buffer(sigs.tobytes())]
    )


def signature_matrix(column: pa.Array | pa.ChunkedArray, num_perm: int) -> np.ndarray:
    """The (documents x num_perm) uint32 matrix of a `signature_column`."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.binary(4 * num_perm))
    if not len(column):
        return np.zeros((0, num_perm), np.uint32)
    width = 4 * num_perm
    data = np.frombuffer(column.buffers()[1], np.uint8, len(column) * width, column.offset * width)
    return data.view(np.uint32).reshape(len(column), num_perm)
