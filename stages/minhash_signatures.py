"""MinHash signatures and LSH band keys, vectorised with NumPy and compatible with datasketch.

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

from stages.minhash_shingles import Shingles, mix64

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for a MinHash that saw nothing
_CHUNK = 1 << 16  # shingles per chunk (256 KB of uint32: stays in cache)


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


def fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch applies it before the permutations."""
    x = x.astype(np.uint32, copy=True)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x


def signatures(shingles: Shingles, perms: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """(documents x num_perm) uint32 MinHash signatures under the `permutations` (a, b); a
    document without shingles gets the empty signature (all 0xFFFFFFFF)."""
    a, b = perms
    num_perm = len(a)
    counts = shingles.counts
    out = np.full((len(counts), num_perm), EMPTY, dtype=np.uint32)
    mixed = fmix32(shingles.hashes)
    offsets = shingles.offsets
    doc = 0
    while doc < len(counts):
        # a run of documents whose shingles fit a cache-sized chunk (at least one document);
        # one permutation at a time over the chunk is far faster than a (chunk x perm) block
        stop = int(np.searchsorted(offsets, offsets[doc] + _CHUNK, side="right")) - 1
        stop = min(max(stop, doc + 1), len(counts))
        lo, hi = int(offsets[doc]), int(offsets[stop])
        present = doc + np.flatnonzero(counts[doc:stop])
        if len(present):
            chunk = mixed[lo:hi]
            permuted = np.empty_like(chunk)
            starts = offsets[present] - lo
            block = np.empty((len(present), num_perm), dtype=np.uint32)
            for k in range(num_perm):
                np.multiply(chunk, a[k], out=permuted)
                permuted += b[k]
                block[:, k] = np.minimum.reduceat(permuted, starts)
            out[present] = block
        doc = stop
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
