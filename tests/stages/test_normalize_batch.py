"""The normalize stage's batch path (RE2 screens, Arrow white-space tidying, `normalize_text`
for the rest) gives exactly `normalize_text` on every row."""

import random
import unicodedata

import pyarrow as pa
import pytest

from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages import normalize
from datamill.stages.normalize import Normalize, NormalizeConfig, normalize_text

# (text, NFC result, NFKC result): one case per path and screen
CASES = [
    ("Café au lait", "Café au lait", "Café au lait"),  # already normal, precomposed é
    ("Cafe\u0301 au lait", "Café au lait", "Café au lait"),  # not NFC: e + combining acute
    ("line one\r\nline two\rthree", "line one\nline two\nthree", "line one\nline two\nthree"),
    ("tab\there\x00 and\u200bzero", "tab here andzero", "tab here andzero"),  # controls, tab
    ("a\u00a0b\u3000c\u2003d", "a b c d", "a b c d"),  # NBSP, ideographic and em spaces
    ("中文\u3000\u3000第二句。", "中文 第二句。", "中文 第二句。"),
    ("two  spaces", "two spaces", "two spaces"),
    (" edge \n  indented\nend ", "edge\nindented\nend", "edge\nindented\nend"),
    ("p1\n\n\n\np2", "p1\n\np2", "p1\n\np2"),
    ("p1\n \n \np2", "p1\n\np2", "p1\n\np2"),  # lines of one space are blank lines
    ("\u1100\u1161\u11a8 jamo", "\uac01 jamo", "\uac01 jamo"),  # Hangul jamo compose
    ("x\u1680y ", "x\u1680y", "x\u1680y"),  # Ogham space: kept inside, stripped at the end
    ("ＡＢＣ，１２３", "ＡＢＣ，１２３", "ABC,123"),  # full-width: folded by NFKC only
    ("\u212b and \ufb01", "\u00c5 and \ufb01", "\u00c5 and fi"),  # angstrom sign, fi ligature
    ("  \n\t\n", "", ""),
    ("", "", ""),
    ("ok", "ok", "ok"),
]


def _batch(texts: list[str | None], chunks: int = 1) -> pa.Table:
    step = max(1, -(-len(texts) // chunks))
    column = pa.chunked_array(
        [texts[i : i + step] for i in range(0, len(texts), step)] or [[]], pa.large_string()
    )
    return conform(pa.table({"id": [str(i) for i in range(len(texts))], "text": column}), WORKING_SCHEMA)


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_stage_gives_the_expected_text_for_every_path(form):
    texts = [text for text, _, _ in CASES] + [None]
    out = Normalize(NormalizeConfig(form=form))(_batch(texts, chunks=3))
    expected = [nfc if form == "NFC" else nfkc for _, nfc, nfkc in CASES] + [""]
    assert out.column("text").to_pylist() == expected
    assert expected == [normalize_text(t or "", form) for t in texts]
    assert out.column("text").type == pa.large_string()
    empty = [None if e else "normalize:empty_text" for e in expected]
    assert out.column("drop_reason").to_pylist() == empty
    assert out.column("id").to_pylist() == [str(i) for i in range(len(texts))]


def test_short_texts_are_rejected_after_normalization():
    out = Normalize(NormalizeConfig(min_chars=3))(_batch(["ab", " a  b ", "abc", "中文字", "", None]))
    assert out.column("text").to_pylist() == ["ab", "a b", "abc", "中文字", "", ""]
    assert out.column("drop_reason").to_pylist() == [
        "normalize:too_short",
        None,
        None,
        None,
        "normalize:empty_text",
        "normalize:empty_text",
    ]


def test_a_batch_of_normal_texts_comes_back_unchanged():
    texts = ["Plain English text.", "中文文本，没有多余的空格。", "Mixed 中文 and English\n\nparagraphs"]
    batch = _batch(texts)
    out = Normalize(NormalizeConfig())(batch)
    assert out.column("text").equals(batch.column("text"))
    assert out.column("drop_reason").null_count == len(texts)


def test_every_white_space_character_is_screened():
    """The screens rely on it: `str.isspace` characters are newlines, U+0020, odd spaces or
    controls (tidied), a carriage return or U+1680 (sent to `normalize_text`)."""
    screened = set(" \n\r\u1680")
    for body in (normalize._CONTROL_CHARS, normalize._ODD_SPACE_CHARS):
        screened |= {c for c in map(chr, range(0x10000)) if normalize.re.fullmatch(f"[{body}]", c)}
    assert {c for c in map(chr, range(0x110000)) if c.isspace()} <= screened


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_unstable_characters_are_those_of_the_quick_check(form):
    """The block-skipping scan finds what a scan of every code point finds."""
    expected = set(normalize._HANGUL_VOWELS_AND_TAILS)
    for point in (*range(0xD800), *range(0xE000, 0x110000)):
        char = chr(point)
        mapping = unicodedata.decomposition(char)
        if mapping and not mapping.startswith("<") and len(mapping.split()) == 2:
            expected.add(int(mapping.split()[1], 16))
        if unicodedata.combining(char) or unicodedata.normalize(form, char) != char:
            expected.add(point)
    assert set(normalize.unstable_chars(form)) == expected
    assert 0x301 in expected and 0x1161 in expected and 0x4E2D not in expected  # 中
    assert (0xFF0C in expected) == (form == "NFKC")  # full-width comma


@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_random_texts_match_normalize_text(form):
    pieces = [*"ab 中文。，\n\r\t", "  ", "\n\n\n", " \n", "\n ", "\u00a0", "\u3000", "\u2009", "\u1680"]
    pieces += ["\x00", "\x0b", "\x85", "\u200b", "\u2028", "\ufeff", "\u0301", "e", "\u00e9", "\uff21"]
    pieces += ["\u1100", "\u1161", "\u11a8", "\uac00", "\u0345", "\u0334", "\u3099", "\u304b", "\uf900"]
    rng = random.Random(16)
    texts = ["".join(rng.choices(pieces, k=rng.randint(0, 14))) for _ in range(20_000)]
    out = Normalize(NormalizeConfig(form=form, min_chars=4))(_batch(texts, chunks=4))
    expected = [normalize_text(t, form) for t in texts]
    assert out.column("text").to_pylist() == expected
    short = {len(e): "normalize:too_short" for e in expected if 0 < len(e) < 4} | {0: "normalize:empty_text"}
    reasons = [short.get(len(e)) for e in expected]  # lengths in characters, as `len`
    assert out.column("drop_reason").to_pylist() == reasons
