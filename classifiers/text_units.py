"""Lines, paragraphs, words and character classes shared by the rule sets (CJK-aware)."""

from __future__ import annotations

import re

from datamill.classifiers import scripts

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
CJK = re.compile(f"[{scripts.char_class(scripts.CJK)}]")  # Han, kana, Hangul
CJK_PUNCT = re.compile(f"[{scripts.CJK_PUNCTUATION}]")
WHITESPACE = re.compile(r"\s+")
# a line that ends a sentence: ASCII or full-width terminal punctuation, optionally quoted
TERMINAL = (".", "!", "?", '"', "'", "。", "！", "？", "…", "”", "’", "」", "』", "；", "）", ")")


def lines(text: str) -> list[str]:
    """Non-empty lines, stripped."""
    return [s for s in (line.strip() for line in text.split("\n")) if s]


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs (blocks separated by blank lines), stripped."""
    return [s for s in (p.strip() for p in _PARAGRAPH_BREAK.split(text)) if s]


def ends_sentence(line: str) -> bool:
    return line.endswith(TERMINAL)


def compact(text: str) -> str:
    """The text without whitespace: the character sequence unspaced scripts are measured on."""
    return WHITESPACE.sub("", text)
