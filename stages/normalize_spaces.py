"""The normalize stage's compiled pass (numba) over a batch's UTF-8: which texts are normal
already, which only need their white space tidied (done here, as `normalize_text` would), and
which need `normalize_text` itself (a carriage return, a control character, U+1680, a character
the Unicode form could change).

Tidying, as `normalize_text` does it to a text with nothing else to change: each run of spaces
(U+0020 and the odd spaces) inside a line becomes one U+0020, spaces at a line's edges go,
three newlines or more become two, and the text loses the newlines at its ends.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from datamill.pipeline.utf8_kernels import decode

# what a code point is to the pass
CONTENT, SPACE, NEWLINE, OTHER = 0, 1, 2, 3
# verdicts on a text
NORMAL, TIDY, REST = 0, 1, 2


def kinds_table(spaces: list[int], other: list[int]) -> np.ndarray:
    """A code point's kind, for every code point: `other` wins over `spaces`."""
    table = np.zeros(0x110000, np.uint8)
    table[spaces] = SPACE
    table[0x0A] = NEWLINE
    table[other] = OTHER
    return table


def _walker(write: bool):
    """`walk(data, first, end, kinds, out)`: tidy `data[first:end]`, writing to `out` if
    `write` (a constant to the compiler), else only measuring. Returns (verdict, bytes out,
    characters out); a REST verdict stops the walk."""

    @njit(cache=True, nogil=True)
    def walk(data, first, end, kinds, out):
        changed = False
        any_content = False
        line_content = False
        run = 0  # spaces since the line's last content character
        plain = True  # and all of them U+0020
        newlines = 0  # since the last content character
        size = 0
        chars = 0
        i = first
        while i < end:
            begin = i
            cp, i = decode(data, i)
            kind = kinds[cp]
            if kind == CONTENT:
                if run | newlines:
                    if newlines:
                        if any_content:
                            keep = min(newlines, 2)
                            changed |= newlines > 2
                            for _ in range(keep):
                                if write:
                                    out[size] = 0x0A
                                size += 1
                            chars += keep
                        else:
                            changed = True  # the text's leading newlines
                        newlines = 0
                    else:
                        changed |= run > 1 or not plain
                        if write:
                            out[size] = 0x20
                        size += 1
                        chars += 1
                        run = 0
                        plain = True
                if write:
                    for j in range(begin, i):
                        out[size + j - begin] = data[j]
                size += i - begin
                chars += 1
                any_content = True
                line_content = True
            elif kind == SPACE:
                if line_content:
                    run += 1
                    plain &= cp == 0x20
                else:
                    changed = True  # a line's leading space
            elif kind == NEWLINE:
                changed |= run > 0  # a line's trailing space
                run = 0
                plain = True
                newlines += 1
                line_content = False
            else:
                return REST, 0, 0
        changed |= run > 0 or newlines > 0  # the text's trailing white space
        return (TIDY if changed else NORMAL), size, chars

    return walk


_measure = _walker(False)
_write = _walker(True)


@njit(cache=True, nogil=True)
def screen(data, offsets, kinds):
    """(verdict, bytes and characters after tidying) of every text."""
    n = len(offsets) - 1
    verdicts = np.empty(n, np.uint8)
    sizes = np.empty(n, np.int64)
    chars = np.empty(n, np.int64)
    for row in range(n):
        verdicts[row], sizes[row], chars[row] = _measure(data, offsets[row], offsets[row + 1], kinds, data)
    return verdicts, sizes, chars


@njit(cache=True, nogil=True)
def tidy(data, offsets, kinds, verdicts, sizes):
    """(UTF-8, offsets) of every text: tidied where `verdicts` says TIDY, as it was otherwise."""
    n = len(offsets) - 1
    out_offsets = np.empty(n + 1, np.int64)
    out_offsets[0] = 0
    for row in range(n):
        size = sizes[row] if verdicts[row] == TIDY else offsets[row + 1] - offsets[row]
        out_offsets[row + 1] = out_offsets[row] + size
    out = np.empty(out_offsets[n], np.uint8)
    for row in range(n):
        at, end = out_offsets[row], out_offsets[row + 1]
        if verdicts[row] == TIDY:
            _write(data, offsets[row], offsets[row + 1], kinds, out[at:end])
        else:
            out[at:end] = data[offsets[row] : offsets[row + 1]]
    return out, out_offsets
