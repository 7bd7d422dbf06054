"""The numpy side of MinHash LSH: bands and rows for a threshold, signature columns and
matrices, and the Jaccard similarity two signatures estimate. The driver needs only these, so it
never loads numba (0.15-0.25 s with the SciPy it imports); the compiled side (shingles,
one-permutation signatures, band keys) lives in `shingles.py` and `signatures.py`, which the
workers load.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa


@cache
def bands_and_rows(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    """The (bands, rows), bands x rows <= num_perm, that minimise the weighted areas of false
    positives (1 - (1 - s^r)^b over s in [0, threshold]) and false negatives ((1 - s^r)^b over
    [threshold, 1]): datasketch's `MinHashLSH` optimum, first minimum in its (b, r) order.
    Integrated by Gauss-Legendre quadrature, exact for these polynomials (degree b*r), so a run
    does not import datasketch and SciPy (0.5 s) for two numbers."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    below = threshold * (nodes + 1) / 2  # the nodes mapped onto [0, threshold]
    above = threshold + (1 - threshold) * (nodes + 1) / 2  # ... and onto [threshold, 1]
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b, r = (np.array(column, dtype=np.float64)[:, None] for column in zip(*pairs, strict=True))
    false_positive = (1 - (1 - below[None, :] ** r) ** b) @ weights * threshold / 2
    false_negative = (1 - above[None, :] ** r) ** b @ weights * (1 - threshold) / 2
    error = false_positive * false_positive_weight + false_negative * false_negative_weight
    return pairs[int(np.argmin(error))]


def estimated_jaccard(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Share of equal signature values per row pair (datasketch's `MinHash.jaccard`)."""
    return np.count_nonzero(left == right, axis=1) / left.shape[1]


@dataclass(frozen=True)
class ScatteredSignatures:
    """Documents' signatures left where they are, `signatures[docs]` gathering the rows asked
    for: `matrices` (batches of mapped files: page-cache memory, which costs these VMs little
    to read, where a fresh matrix of all 172k clustered documents at 320k cost 0.3-1.3 s to
    touch), and each document's matrix and row in it."""

    matrices: list[np.ndarray]  # (rows x num_perm) uint32 each
    matrix: np.ndarray  # int64: each document's matrix
    row: np.ndarray  # int64: its row there
    num_perm: int

    def __getitem__(self, docs: np.ndarray) -> np.ndarray:
        which = self.matrix[docs]
        order = np.argsort(which, kind="stable")
        counts = np.bincount(which, minlength=len(self.matrices))
        ends = np.cumsum(counts)
        out = np.empty((len(docs), self.num_perm), np.uint32)
        for m in np.flatnonzero(counts).tolist():
            pick = order[ends[m] - counts[m] : ends[m]]
            out[pick] = self.matrices[m][self.row[docs[pick]]]
        return out


_PAIR_CHUNK = 1 << 13  # 4 MB of rows each side: cache-sized gathers ran 2x faster than 16 MB


def pair_jaccard(signatures: np.ndarray | ScatteredSignatures, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`estimated_jaccard(signatures[a], signatures[b])`, a chunk of pairs at a time in two
    threads (numpy's gathers and compares let go of the GIL): memory is a few chunks of rows,
    not two copies of 88 MB for the 172k documents in clusters at 320k."""
    out = np.empty(len(a), np.float64)

    def chunk(lo: int) -> None:
        hi = lo + _PAIR_CHUNK
        out[lo:hi] = estimated_jaccard(signatures[a[lo:hi]], signatures[b[lo:hi]])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(chunk, range(0, len(a), _PAIR_CHUNK)))
    return out


def signature_column(sigs: np.ndarray) -> pa.Array:
    """Signatures as a fixed-size binary column (num_perm * 4 bytes a row), sharing their memory."""
    sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 * sigs.shape[1]), len(sigs), [None, pa.py_buffer(sigs)]
    )


def signature_matrix(column: pa.Array | pa.ChunkedArray, num_perm: int) -> np.ndarray:
    """The (documents x num_perm) uint32 matrix of a `signature_column`: a view of one array's
    memory, one copy of a chunked column's."""
    if isinstance(column, pa.ChunkedArray):
        parts = [signature_matrix(chunk, num_perm) for chunk in column.chunks]
        return np.concatenate(parts) if len(parts) > 1 else (parts[0] if parts else _no_rows(num_perm))
    if not len(column):
        return _no_rows(num_perm)
    width = 4 * num_perm
    data = np.frombuffer(column.buffers()[1], np.uint8, len(column) * width, column.offset * width)
    return data.view(np.uint32).reshape(len(column), num_perm)


def _no_rows(num_perm: int) -> np.ndarray:
    return np.zeros((0, num_perm), np.uint32)
