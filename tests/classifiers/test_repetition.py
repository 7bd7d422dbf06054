import pytest

from datamill.classifiers.repetition import Sequence, duplicate_items, repetition_signals


def test_character_ngrams():
    seq = Sequence("abcabcabcabc")
    assert seq.top_ngram_fraction(2) == pytest.approx(8 / 12)  # "ab" (or "bc") 4 times
    assert seq.top_ngram_fraction(3) == 1.0
    assert seq.duplicate_ngram_fraction(3) == pytest.approx(9 / 12)  # everything after the first "abc"
    assert Sequence("abcdef").duplicate_ngram_fraction(2) == 0.0
    assert Sequence("ab").top_ngram_fraction(3) == 0.0


def test_word_ngrams_count_characters_of_words():
    seq = Sequence(("the", "cat", "the", "cat", "sat"))
    assert seq.top_ngram_fraction(2) == pytest.approx(12 / 15)
    assert seq.duplicate_ngram_fraction(2) == pytest.approx(6 / 15)


def test_ties_take_the_longest_ngram():
    # "a bb" and "bb a" both occur twice; the longer-in-characters one is not ambiguous here,
    # "ccc dd" occurs twice with 5 characters: it wins over the 3-character tied ones
    seq = Sequence(("a", "bb", "a", "bb", "ccc", "dd", "ccc", "dd"))
    assert seq.top_ngram_fraction(2) == pytest.approx(10 / 16)


def test_duplicate_items_and_signal_names():
    assert duplicate_items(["x", "yy", "x"]) == (pytest.approx(1 / 3), pytest.approx(1 / 4))
    assert duplicate_items([]) == (0.0, 0.0)
    assert sorted(repetition_signals("aaaa", "zh_", (2,), (3,))) == ["zh_dup_3gram_frac", "zh_top_2gram_frac"]
