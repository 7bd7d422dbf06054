"""Compiled (numba) loops' reading of the UTF-8 that `utf8.utf8_texts` hands them. Kept apart
from `utf8.py`, so that a process that only slices buffers never loads numba."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def decode(data, i):
    """(the code point of the UTF-8 character at data[i], the index after it)."""
    lead = np.int64(data[i])
    if lead < 0x80:
        return lead, i + 1
    if lead < 0xE0:
        return ((lead & 0x1F) << 6) | (data[i + 1] & 0x3F), i + 2
    if lead < 0xF0:
        return ((lead & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F), i + 3
    cp = ((lead & 0x07) << 18) | ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6)
    return cp | (data[i + 3] & 0x3F), i + 4
