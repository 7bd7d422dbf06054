"""The JSON schema of a generation (a list of {question, answer} pairs) and the checks every
pair must pass: non-empty, length bounds, same language (script) as the source, not a copy of
the prompt's instructions, and grounded in the chunk (CJK-aware token overlap)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from datamill.classifiers import scripts

# Invalid-pair reasons, in the order they are checked.
PAIR_REASONS = (
    "schema_mismatch",
    "empty",
    "question_too_short",
    "question_too_long",
    "answer_too_short",
    "answer_too_long",
    "answer_repeats_question",
    "duplicate_question",
    "copy_of_prompt",
    "wrong_language",
    "not_grounded",
)

_CJK = scripts.char_class(scripts.CJK)
# one unit: a CJK/kana/hangul character, or a word of any other letters
_UNIT = re.compile(f"[{_CJK}]|[^\\W\\d_{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(f"[^\\W_{_CJK}]+")
_SPACE = re.compile(r"\s+")

_SCRIPTS = {
    "han": scripts.HAN,
    "kana": scripts.KANA,
    "hangul": scripts.HANGUL,
    "cyrillic": scripts.CYRILLIC,
    "arabic": scripts.ARABIC,
    "greek": scripts.GREEK,
    "latin": scripts.LATIN,
}
_SCRIPT_RANGES = {name: re.compile(f"[{scripts.char_class(ranges)}]") for name, ranges in _SCRIPTS.items()}
_LANG_SCRIPTS = {
    "zh": {"han"},
    "ja": {"han", "kana"},
    "ko": {"hangul", "han"},
    "ru": {"cyrillic"},
    "uk": {"cyrillic"},
    "bg": {"cyrillic"},
    "ar": {"arabic"},
    "fa": {"arabic"},
    "el": {"greek"},
}


@dataclass(frozen=True)
class PairRules:
    num_pairs: int
    min_question_chars: int
    max_question_chars: int
    min_answer_chars: int
    max_answer_chars: int
    min_overlap: float
    min_language_share: float  # 0 turns the language check off


def qa_schema(rules: PairRules) -> dict[str, Any]:
    """JSON schema enforced by structured decoding."""
    pair = {
        "type": "object",
        "properties": {
            "question": {"type": "string", "minLength": 1, "maxLength": rules.max_question_chars},
            "answer": {"type": "string", "minLength": 1, "maxLength": rules.max_answer_chars},
        },
        "required": ["question", "answer"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"pairs": {"type": "array", "items": pair, "minItems": 1, "maxItems": rules.num_pairs}},
        "required": ["pairs"],
        "additionalProperties": False,
    }


def expected_scripts(lang: str) -> set[str]:
    return _LANG_SCRIPTS.get((lang or "").split("-")[0].lower(), {"latin"})


def language_share(text: str, lang: str) -> float | None:
    """Share of letter units (CJK characters, other words) written in `lang`'s script; None
    when the text has no letters."""
    units = _UNIT.findall(text)
    if not units:
        return None
    patterns = [_SCRIPT_RANGES[s] for s in expected_scripts(lang)]
    return sum(1 for u in units if any(r.match(u) for r in patterns)) / len(units)


def overlap_units(text: str) -> set[str]:
    """CJK-aware units for overlap: character bigrams inside CJK runs (a lone character
    alone), lower-cased words elsewhere."""
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    out.update(w.lower() for w in _WORD.findall(_CJK_RUN.sub(" ", text)))
    return out


def grounding(answer: str, chunk_units: set[str]) -> float:
    """Share of the answer's units that occur in the chunk."""
    units = overlap_units(answer)
    return len(units & chunk_units) / len(units) if units else 0.0


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


@dataclass
class Validation:
    pairs: list[tuple[str, str]] = field(default_factory=list)
    invalid: Counter[str] = field(default_factory=Counter)
    error: str | None = None  # the whole output failed: invalid_json, truncated, schema_mismatch

    @property
    def total(self) -> int:
        return len(self.pairs) + sum(self.invalid.values())


def parse_pairs(text: str, truncated: bool) -> tuple[list[Any] | None, str | None]:
    try:
        data = json.loads(text)
    except ValueError:
        return None, "truncated" if truncated else "invalid_json"
    if not isinstance(data, dict) or not isinstance(data.get("pairs"), list):
        return None, "schema_mismatch"
    return data["pairs"], None


class PairValidator:
    """Checks the pairs generated for one chunk."""

    def __init__(self, rules: PairRules, instructions: str) -> None:
        self.rules = rules
        self.instructions = _norm(instructions)

    def pair_reason(
        self, question: str, answer: str, lang: str, chunk_units: set[str], seen: set[str]
    ) -> str | None:
        r = self.rules
        if not question or not answer:
            return "empty"
        if len(question) < r.min_question_chars:
            return "question_too_short"
        if len(question) > r.max_question_chars:
            return "question_too_long"
        if len(answer) < r.min_answer_chars:
            return "answer_too_short"
        if len(answer) > r.max_answer_chars:
            return "answer_too_long"
        q, a = _norm(question), _norm(answer)
        if q == a:
            return "answer_repeats_question"
        if q in seen:
            return "duplicate_question"
        if any(len(t) >= 8 and t in self.instructions for t in (q, a)):
            return "copy_of_prompt"
        if r.min_language_share > 0:
            share = language_share(question + "\n" + answer, lang)
            if share is not None and share < r.min_language_share:
                return "wrong_language"
        if grounding(answer, chunk_units) < r.min_overlap:
            return "not_grounded"
        return None

    def validate(self, output: str, truncated: bool, chunk: str, lang: str) -> Validation:
        result = Validation()
        items, result.error = parse_pairs(output, truncated)
        if items is None:
            return result
        chunk_units = overlap_units(chunk)
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                result.invalid["schema_mismatch"] += 1
                continue
            question, answer = item["question"].strip(), str(item.get("answer") or "").strip()
            reason = self.pair_reason(question, answer, lang, chunk_units, seen)
            if reason:
                result.invalid[reason] += 1
            else:
                seen.add(_norm(question))
                result.pairs.append((question, answer))
        return result
