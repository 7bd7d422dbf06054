"""Gopher quality and repetition rules (Rae et al. 2021) for space-separated languages."""

from __future__ import annotations

import re

from datamill.classifiers import text_units
from datamill.classifiers.repetition import duplicate_items, repetition_signals
from datamill.classifiers.rules_base import Check, RuleParams, ngram_checks

NAME = "gopher"
TOP_NS = (2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)
ENGLISH_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")
_ALPHA_WORD = re.compile(r"(?<!\S)\S*?[^\W\d_]\S*")  # a whitespace-separated word with a letter
_BULLETS = ("•", "●", "○", "▪", "‣", "-", "*", "·", "–")


class Params(RuleParams):
    min_words: int | None = 50
    max_words: int | None = 100_000
    min_mean_word_length: float | None = 3.0
    max_mean_word_length: float | None = 10.0
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_line_ratio: float | None = 0.9
    max_ellipsis_line_ratio: float | None = 0.3
    min_alpha_word_ratio: float | None = 0.8
    stop_words: tuple[str, ...] = ()  # the language's stop words; empty: no stop-word check
    min_stop_words: int | None = 2
    max_dup_line_frac: float | None = 0.3
    max_dup_para_frac: float | None = 0.3
    max_dup_line_char_frac: float | None = 0.2
    max_dup_para_char_frac: float | None = 0.2
    max_top_2gram_frac: float | None = 0.2
    max_top_3gram_frac: float | None = 0.18
    max_top_4gram_frac: float | None = 0.16
    max_dup_5gram_frac: float | None = 0.15
    max_dup_6gram_frac: float | None = 0.14
    max_dup_7gram_frac: float | None = 0.13
    max_dup_8gram_frac: float | None = 0.12
    max_dup_9gram_frac: float | None = 0.11
    max_dup_10gram_frac: float | None = 0.10


DEFAULTS = {"en": Params(stop_words=ENGLISH_STOP_WORDS), "*": Params()}

CHECKS = (
    Check("gopher_words", "min", "min_words", "gopher_too_few_words"),
    Check("gopher_words", "max", "max_words", "gopher_too_many_words"),
    Check("gopher_mean_word_length", "min", "min_mean_word_length", "gopher_short_words"),
    Check("gopher_mean_word_length", "max", "max_mean_word_length", "gopher_long_words"),
    Check("gopher_symbol_word_ratio", "max", "max_symbol_word_ratio", "gopher_many_symbols"),
    Check("gopher_bullet_line_ratio", "max", "max_bullet_line_ratio", "gopher_bullet_lines"),
    Check("gopher_ellipsis_line_ratio", "max", "max_ellipsis_line_ratio", "gopher_ellipsis_lines"),
    Check("gopher_alpha_word_ratio", "min", "min_alpha_word_ratio", "gopher_few_alphabetic_words"),
    Check("gopher_stop_words", "min", "min_stop_words", "gopher_few_stop_words"),
    Check("gopher_dup_line_frac", "max", "max_dup_line_frac", "gopher_duplicate_lines"),
    Check("gopher_dup_para_frac", "max", "max_dup_para_frac", "gopher_duplicate_paragraphs"),
    Check("gopher_dup_line_char_frac", "max", "max_dup_line_char_frac", "gopher_duplicate_line_chars"),
    Check("gopher_dup_para_char_frac", "max", "max_dup_para_char_frac", "gopher_duplicate_paragraph_chars"),
    *ngram_checks("gopher_", TOP_NS, DUP_NS),
)


def signals(text: str, params: Params) -> dict[str, float]:
    words = text.split()
    n_words = len(words)
    lines = text_units.lines(text)
    n_lines = max(1, len(lines))
    out = {
        "gopher_words": float(n_words),
        "gopher_mean_word_length": sum(map(len, words)) / n_words if n_words else 0.0,
        "gopher_symbol_word_ratio": (text.count("#") + text.count("...") + text.count("…")) / max(1, n_words),
        "gopher_bullet_line_ratio": sum(line.startswith(_BULLETS) for line in lines) / n_lines,
        "gopher_ellipsis_line_ratio": sum(line.endswith(("...", "…")) for line in lines) / n_lines,
        "gopher_alpha_word_ratio": len(_ALPHA_WORD.findall(text)) / max(1, n_words),
    }
    if params.stop_words:
        stop = set(params.stop_words)
        out["gopher_stop_words"] = float(sum(w.lower() in stop for w in words))
    out["gopher_dup_line_frac"], out["gopher_dup_line_char_frac"] = duplicate_items(lines)
    out["gopher_dup_para_frac"], out["gopher_dup_para_char_frac"] = duplicate_items(
        text_units.paragraphs(text)
    )
    out.update(repetition_signals(tuple(text.lower().split()), "gopher_", TOP_NS, DUP_NS))
    return out
