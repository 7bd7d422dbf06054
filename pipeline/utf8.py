"""Texts as the UTF-8 bytes Arrow already holds, for compiled loops and hashes that read them
in place (MinHash shingles, decontamination n-grams, exact-dedup hashes)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def utf8_texts(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """(the UTF-8 bytes of all texts concatenated, int64 start offset of each text + end), read
    out of the Arrow buffers without a copy; a null text is empty."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], pa.large_string())
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    _, offsets_buf, data_buf = texts.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64, len(texts) + 1, texts.offset * 8)
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buf, np.uint8, last - first, first) if last > first else np.zeros(0, np.uint8)
    return data, offsets - first
