"""mixes/order.py: byte-lexicographic string order from integer keys."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datamill.mixes.order import string_order, string_ranks


def test_order_matches_a_byte_sort_with_ties_prefixes_and_padding():
    values = [
        "b",
        "a",
        "",
        None,
        "a\x00",
        "abcdefgh",
        "abcdefghi",
        "abcdefgh",
        "中文",
        "é",
        "abcdefgh\x00z",
        "a",
    ]
    order = string_order(pa.array(values, pa.string())).tolist()
    assert order == [2, 3, 1, 11, 4, 5, 7, 10, 6, 0, 9, 8]  # equal strings keep their order


def test_order_of_random_strings_equals_pythons_sort_of_their_bytes():
    rng = np.random.default_rng(3)
    alphabet = ["a", "b", "\x00", "é", "中", "ab"]
    values = ["".join(rng.choice(alphabet, int(rng.integers(0, 24)))) for _ in range(2000)]
    expected = sorted(range(len(values)), key=lambda i: (values[i].encode(), i))
    assert string_order(pa.chunked_array([values[:700], values[700:]])).tolist() == expected
    assert string_order(pa.array(values).slice(5)).tolist() == [i - 5 for i in expected if i >= 5]
    assert string_order(pa.array([], pa.string())).tolist() == []


def test_ranks_are_dense_and_equal_exactly_for_equal_strings():
    rng = np.random.default_rng(5)
    alphabet = ["a", "b", "\x00", "é", "abcdefgh"]
    values = ["".join(rng.choice(alphabet, int(rng.integers(0, 6)))) for _ in range(3000)] + [None]
    distinct = sorted({(v or "").encode() for v in values})
    expected = [distinct.index((v or "").encode()) for v in values]
    assert string_ranks(pa.chunked_array([values[:1000], values[1000:]])).tolist() == expected
    assert string_ranks(pa.array([], pa.string())).tolist() == []
    assert string_ranks(pa.array(["x"])).tolist() == [0]
