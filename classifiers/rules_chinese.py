"""Chinese (and other unspaced CJK) rules: lengths in characters, CJK and punctuation
ratios, short and unpunctuated lines, repeated lines, and repetition over character n-grams.
Nothing assumes spaces between words."""

from __future__ import annotations

from datamill.classifiers import text_units
from datamill.classifiers.repetition import duplicate_items, repetition_signals
from datamill.classifiers.rules_base import Check, RuleParams, ngram_checks

NAME = "chinese"
TOP_NS = (2, 3, 4)
DUP_NS = (5, 6, 7, 8, 9, 10)


class Params(RuleParams):
    min_chars: int | None = 50
    max_chars: int | None = 500_000
    min_cjk_ratio: float | None = 0.3  # CJK characters / non-space characters
    min_punct_ratio: float | None = 0.01  # CJK punctuation / non-space characters
    max_punct_ratio: float | None = 0.3
    min_punct_line_ratio: float | None = 0.12
    short_line_chars: int = 10
    max_short_line_ratio: float | None = 0.67
    max_dup_line_frac: float | None = 0.3
    max_dup_line_char_frac: float | None = 0.2
    max_top_2gram_frac: float | None = 0.2
    max_top_3gram_frac: float | None = 0.18
    max_top_4gram_frac: float | None = 0.16
    max_dup_5gram_frac: float | None = 0.25
    max_dup_6gram_frac: float | None = 0.24
    max_dup_7gram_frac: float | None = 0.23
    max_dup_8gram_frac: float | None = 0.22
    max_dup_9gram_frac: float | None = 0.21
    max_dup_10gram_frac: float | None = 0.2


DEFAULTS = {"*": Params()}

CHECKS = (
    Check("zh_chars", "min", "min_chars", "zh_too_short"),
    Check("zh_chars", "max", "max_chars", "zh_too_long"),
    Check("zh_cjk_ratio", "min", "min_cjk_ratio", "zh_few_cjk_chars"),
    Check("zh_punct_ratio", "min", "min_punct_ratio", "zh_no_punctuation"),
    Check("zh_punct_ratio", "max", "max_punct_ratio", "zh_mostly_punctuation"),
    Check("zh_punct_line_ratio", "min", "min_punct_line_ratio", "zh_few_punctuated_lines"),
    Check("zh_short_line_ratio", "max", "max_short_line_ratio", "zh_short_lines"),
    Check("zh_dup_line_frac", "max", "max_dup_line_frac", "zh_duplicate_lines"),
    Check("zh_dup_line_char_frac", "max", "max_dup_line_char_frac", "zh_duplicate_line_chars"),
    *ngram_checks("zh_", TOP_NS, DUP_NS),
)


def signals(text: str, params: Params) -> dict[str, float]:
    chars = text_units.compact(text)
    n_chars = len(chars)
    lines = text_units.lines(text)
    n_lines = max(1, len(lines))
    out = {
        "zh_chars": float(n_chars),
        "zh_cjk_ratio": len(text_units.CJK.findall(chars)) / max(1, n_chars),
        "zh_punct_ratio": len(text_units.CJK_PUNCT.findall(chars)) / max(1, n_chars),
        "zh_punct_line_ratio": sum(map(text_units.ends_sentence, lines)) / n_lines,
        "zh_short_line_ratio": sum(len(line) < params.short_line_chars for line in lines) / n_lines,
    }
    out["zh_dup_line_frac"], out["zh_dup_line_char_frac"] = duplicate_items(lines)
    out.update(repetition_signals(chars, "zh_", TOP_NS, DUP_NS))
    return out
