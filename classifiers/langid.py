"""Document language from fastText lid.176, segment by segment.

A document is cut into line segments (short lines merged with the next ones); each segment
gets its top language, weighted by its UTF-8 size, so a CJK character (3 bytes) counts about
as much as a short Latin word. A Chinese article full of English terms is mostly Chinese
bytes and comes out `zh`, while an English quote inside it still shows up in the shares.
lid.176 sometimes calls Chinese mixed with English `ja` or `ko`: a segment with Han
characters but no kana (no Hangul) is Chinese.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from datamill.classifiers import fasttext_model, scripts

_HAN = re.compile(f"[{scripts.char_class(scripts.HAN)}]")
_KANA = re.compile(f"[{scripts.char_class(scripts.KANA)}]")
_HANGUL = re.compile(f"[{scripts.char_class(scripts.HANGUL)}]")


def script_checked(label: str, segment: str) -> str:
    """Correct `ja`/`ko` to `zh` for a segment written in Han characters only."""
    if label == "ja" and not _KANA.search(segment) and _HAN.search(segment):
        return "zh"
    if label == "ko" and not _HANGUL.search(segment) and _HAN.search(segment):
        return "zh"
    return label


@dataclass(frozen=True)
class LangResult:
    lang: str | None  # None: no text to classify
    score: float  # share-weighted confidence of `lang`, 0..1
    shares: dict[str, float]  # language -> share of the classified bytes


def segments(text: str, min_bytes: int = 40, max_chars: int = 20_000) -> list[tuple[str, int]]:
    """(segment, UTF-8 size) of `text` (first `max_chars` characters), short lines merged forward."""
    out: list[tuple[str, int]] = []
    pending: list[str] = []
    size = 0
    for line in text[:max_chars].split("\n"):
        line = line.strip()
        if not line:
            continue
        pending.append(line)
        size += len(line.encode("utf-8"))
        if size >= min_bytes:
            out.append((" ".join(pending), size))
            pending, size = [], 0
    if pending:
        out.append((" ".join(pending), size))
    return out


class LanguageIdentifier:
    """lid.176 over document segments; one model per process."""

    def __init__(self, min_segment_bytes: int = 40, max_chars: int = 20_000) -> None:
        self.model = fasttext_model.load(fasttext_model.bundled_lid_path())
        self.min_segment_bytes = min_segment_bytes
        self.max_chars = max_chars

    def identify(self, texts: list[str | None]) -> list[LangResult]:
        """Language of each text, with one batched fastText call for all segments."""
        weight: list[dict[str, float]] = [defaultdict(float) for _ in texts]
        conf: list[dict[str, float]] = [defaultdict(float) for _ in texts]
        for owner, seg, w, label, prob in self._segments(texts):
            label = script_checked(label, seg)
            weight[owner][label] += w
            conf[owner][label] += w * prob
        return [_combine(w, c) for w, c in zip(weight, conf, strict=True)]

    def unsure_shares(self, texts: list[str | None], min_prob: float) -> list[float | None]:
        """Share of each text's bytes in segments whose top language has probability below
        `min_prob`: near 0 for prose in any language lid.176 knows (mixed Chinese and English
        included), near 1 for garbage (mojibake, shifted font encodings, symbol soup); None
        for a text with nothing to classify."""
        unsure = [0.0] * len(texts)
        total = [0.0] * len(texts)
        for owner, _, w, _, prob in self._segments(texts):
            total[owner] += w
            unsure[owner] += w if prob < min_prob else 0.0
        return [u / t if t else None for u, t in zip(unsure, total, strict=True)]

    def _segments(self, texts: list[str | None]) -> Iterator[tuple[int, str, int, str, float]]:
        """(text index, segment, UTF-8 size, top label, probability) of every segment."""
        owners: list[int] = []
        segs: list[str] = []
        sizes: list[int] = []
        for i, text in enumerate(texts):
            for seg, size in segments(text or "", self.min_segment_bytes, self.max_chars):
                owners.append(i)
                segs.append(seg)
                sizes.append(size)
        labels, probs = fasttext_model.predict_top(self.model, segs)
        return zip(owners, segs, sizes, labels, probs, strict=True)


def _combine(weight: dict[str, float], conf: dict[str, float]) -> LangResult:
    total = sum(weight.values())
    if total == 0:
        return LangResult(None, 0.0, {})
    lang = max(weight, key=weight.__getitem__)
    shares = {k: v / total for k, v in sorted(weight.items(), key=lambda kv: -kv[1])}
    return LangResult(lang, conf[lang] / total, shares)
