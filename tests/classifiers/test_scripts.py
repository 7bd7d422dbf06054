import re

import numpy as np
import pytest

from datamill.classifiers import scripts

CLASSES = ("HAN", "KANA", "HANGUL", "BOPOMOFO", "LATIN", "CJK", "CJK_TEXT", "UNSPACED")
CJK_CHAR = {"CJK", "CJK_TEXT", "UNSPACED"}


@pytest.mark.parametrize(
    ("char", "classes"),
    [
        ("中", {"HAN"} | CJK_CHAR),
        ("\U00020bb7", {"HAN"} | CJK_CHAR),  # 𠮷, CJK Extension B
        ("\uf900", {"HAN"} | CJK_CHAR),  # 豈, compatibility ideograph
        ("あ", {"KANA"} | CJK_CHAR),
        ("カ", {"KANA"} | CJK_CHAR),
        ("ー", {"KANA"} | CJK_CHAR),  # long-vowel mark (script Common)
        ("ｶ", {"KANA"} | CJK_CHAR),  # half-width katakana
        ("한", {"HANGUL", "CJK"}),  # Korean separates words with spaces
        ("ㅋ", {"HANGUL", "CJK", "UNSPACED"}),  # compatibility jamo
        ("ㄅ", {"BOPOMOFO", "CJK_TEXT", "UNSPACED"}),
        ("，", {"CJK_TEXT"}),  # full-width comma
        ("。", {"CJK_TEXT"}),
        ("Ａ", {"CJK_TEXT"}),  # full-width Latin
        ("ก", {"UNSPACED"}),  # Thai
        ("A", {"LATIN"}),
        ("é", {"LATIN"}),
        ("1", set()),
        ("١", set()),  # Arabic-Indic digit one
        (",", set()),
    ],
)
def test_classes_of_a_character(char, classes):
    by_pattern = {
        name for name in CLASSES if re.fullmatch(f"[{scripts.char_class(getattr(scripts, name))}]", char)
    }
    by_table = {
        name for name in CLASSES if scripts.code_point_mask(getattr(scripts, name), 0x40000)[ord(char)]
    }
    assert by_pattern == classes
    assert by_table == classes


def test_cjk_punctuation_is_the_listed_marks():
    assert re.findall(f"[{scripts.CJK_PUNCTUATION}]", "好，是。A,B.「引」…") == ["，", "。", "「", "」", "…"]


def test_class_strings_and_tables_merge_ranges():
    ranges = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x4DC0, 0x4DC0), (0x20000, 0x2A6DF), (0x41, 0x41))
    assert scripts.merged(ranges) == ((0x41, 0x41), (0x3400, 0x4DC0), (0x4E00, 0x9FFF), (0x20000, 0x2A6DF))
    assert scripts.char_class(ranges) == r"\u0041\u3400-\u4dc0\u4e00-\u9fff\U00020000-\U0002a6df"
    mask = scripts.code_point_mask(ranges, 0x30000)
    assert mask.dtype == np.bool_ and mask.shape == (0x30000,)
    assert np.flatnonzero(mask).tolist() == [
        0x41,
        *range(0x3400, 0x4DC1),
        *range(0x4E00, 0xA000),
        *range(0x20000, 0x2A6E0),
    ]
