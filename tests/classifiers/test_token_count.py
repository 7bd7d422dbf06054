"""The compiled token estimate counts what the rule's regexes count, on text of every script."""

import math
import random

import polars as pl

from datamill.classifiers.token_count import CJK_CHAR, OTHER_WORD, TOKENS_PER_WORD, estimate_tokens

# code point ranges to draw from: ASCII, Latin-1 and Latin Extended, Greek, Cyrillic, Arabic,
# Devanagari, Thai, kana, CJK, Hangul, full-width forms, emoji, CJK extension B, punctuation
RANGES = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F),
    (0xE00, 0xE7F), (0x3000, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF),
    (0x1F300, 0x1F6FF), (0x20000, 0x2A6DF), (0x2000, 0x206F),
]  # fmt: skip


def _text(rng: random.Random) -> str:
    runs = []
    for _ in range(rng.randrange(0, 12)):
        lo, hi = rng.choice(RANGES)
        runs.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randrange(1, 8))))
        runs.append(rng.choice([" ", "", "\n", "-", "。"]))
    return "".join(runs)


def test_the_compiled_estimate_equals_the_regex_count_of_its_rule():
    rng = random.Random(7)
    texts = [_text(rng) for _ in range(3000)] + ["", "東京 Tokyo 2024年", "ｶﾀｶﾅー ｰ", "naïve café"]
    frame = pl.DataFrame({"t": texts}).select(
        cjk=pl.col("t").str.count_matches(CJK_CHAR), words=pl.col("t").str.count_matches(OTHER_WORD)
    )
    expected = [math.ceil(c + TOKENS_PER_WORD * w) for c, w in frame.iter_rows()]
    assert estimate_tokens(pl.Series(texts)).tolist() == expected
    assert estimate_tokens(pl.Series([None, "a b"])).tolist() == [0, math.ceil(2 * TOKENS_PER_WORD)]
