"""C4 page rules (Raffel et al. 2020) as document signals: placeholder text, code braces,
too few sentences, and lines about JavaScript or site policies."""

from __future__ import annotations

import re

from datamill.classifiers import text_units
from datamill.classifiers.rules_base import Check, RuleParams

NAME = "c4"
_SENTENCE_END = re.compile(r"[.!?。！？]+(?:\s|$)")
_POLICY = re.compile(
    r"terms of use|privacy policy|cookie policy|uses cookies|use of cookies|隐私政策|使用条款", re.I
)


class Params(RuleParams):
    max_lorem_ipsum: float | None = 0  # any "lorem ipsum" rejects
    max_curly_brackets: float | None = 0  # any "{" rejects (C4 drops code-like pages)
    min_sentences: int | None = 3
    max_javascript_line_ratio: float | None = 0.2
    max_policy_line_ratio: float | None = 0.2


DEFAULTS = {"*": Params()}

CHECKS = (
    Check("c4_lorem_ipsum", "max", "max_lorem_ipsum", "c4_lorem_ipsum"),
    Check("c4_curly_brackets", "max", "max_curly_brackets", "c4_curly_brackets"),
    Check("c4_sentences", "min", "min_sentences", "c4_too_few_sentences"),
    Check("c4_javascript_line_ratio", "max", "max_javascript_line_ratio", "c4_javascript_lines"),
    Check("c4_policy_line_ratio", "max", "max_policy_line_ratio", "c4_policy_lines"),
)


def signals(text: str, params: Params) -> dict[str, float]:
    lines = text_units.lines(text)
    n_lines = max(1, len(lines))
    lower = text.lower()
    return {
        "c4_lorem_ipsum": float(lower.count("lorem ipsum")),
        "c4_curly_brackets": float(text.count("{")),
        "c4_sentences": float(len(_SENTENCE_END.findall(text))),
        "c4_javascript_line_ratio": sum("javascript" in line.lower() for line in lines) / n_lines,
        "c4_policy_line_ratio": sum(bool(_POLICY.search(line)) for line in lines) / n_lines,
        "c4_terminal_punct_line_ratio": sum(map(text_units.ends_sentence, lines)) / n_lines,
    }
