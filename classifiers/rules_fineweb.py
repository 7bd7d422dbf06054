"""FineWeb's extra rules (Penedo et al. 2024): lines ending in punctuation, short lines,
characters in duplicated lines, and list-like pages (many newlines per word)."""

from __future__ import annotations

from datamill.classifiers import text_units
from datamill.classifiers.repetition import duplicate_items
from datamill.classifiers.rules_base import Check, RuleParams

NAME = "fineweb"


class Params(RuleParams):
    min_punct_line_ratio: float | None = 0.12
    short_line_chars: int = 30
    max_short_line_ratio: float | None = 0.67
    max_dup_line_char_frac: float | None = 0.1
    max_newline_word_ratio: float | None = 0.3


DEFAULTS = {"*": Params()}

CHECKS = (
    Check("fineweb_punct_line_ratio", "min", "min_punct_line_ratio", "fineweb_few_punctuated_lines"),
    Check("fineweb_short_line_ratio", "max", "max_short_line_ratio", "fineweb_short_lines"),
    Check("fineweb_dup_line_char_frac", "max", "max_dup_line_char_frac", "fineweb_duplicate_line_chars"),
    Check("fineweb_newline_word_ratio", "max", "max_newline_word_ratio", "fineweb_list_like"),
)


def signals(text: str, params: Params) -> dict[str, float]:
    lines = text_units.lines(text)
    n_lines = max(1, len(lines))
    return {
        "fineweb_punct_line_ratio": sum(map(text_units.ends_sentence, lines)) / n_lines,
        "fineweb_short_line_ratio": sum(len(line) <= params.short_line_chars for line in lines) / n_lines,
        "fineweb_dup_line_char_frac": duplicate_items(lines)[1],
        "fineweb_newline_word_ratio": text.count("\n") / max(1, len(text.split())),
    }
