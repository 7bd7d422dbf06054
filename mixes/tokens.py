"""Token counts per document: a real tokenizer (`tokenizer.json`) or a CJK-aware estimate."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import polars as pl

from datamill.mixes.spec import MixSpec, MixSpecError

CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}\x{30FC}\x{FF70}"  # + long-vowel marks
CJK_CHAR = f"[{CJK}]"
OTHER_WORD = rf"[\p{{L}}\p{{N}}&&[^{CJK}]]+"
TOKENS_PER_WORD = 1.3


def estimate_tokens(texts: pl.Series) -> np.ndarray:
    """One token per CJK character plus 1.3 per other word, rounded up; 0 for null text."""
    frame = pl.DataFrame({"t": texts}).select(
        cjk=pl.col("t").str.count_matches(CJK_CHAR).fill_null(0),
        words=pl.col("t").str.count_matches(OTHER_WORD).fill_null(0),
    )
    cjk = frame["cjk"].to_numpy().astype(np.int64)
    words = frame["words"].to_numpy().astype(np.float64)
    return cjk + np.ceil(words * TOKENS_PER_WORD).astype(np.int64)


class TokenCounter:
    """Counts tokens of many texts at once, as the spec's tokenizer says."""

    def __init__(self, spec: MixSpec) -> None:
        self.path: Path | None = spec.tokenizer_path()
        self.kind = spec.tokenizer.kind
        self._tokenizer = None
        if self.path is not None:
            from tokenizers import Tokenizer

            try:
                self._tokenizer = Tokenizer.from_file(str(self.path))
            except Exception as exc:  # tokenizers raises a bare Exception for bad files
                raise MixSpecError(f"tokenizer.path: cannot load {self.path}: {exc}") from exc

    def describe(self) -> dict[str, str | None]:
        if self._tokenizer is None:
            return {"kind": "estimate", "rule": f"CJK characters + {TOKENS_PER_WORD} x other words"}
        return {
            "kind": self.kind,
            "path": str(self.path),
            "sha256": hashlib.sha256(self.path.read_bytes()).hexdigest(),
        }

    def count(self, texts: pl.Series) -> np.ndarray:
        if self._tokenizer is None:
            return estimate_tokens(texts)
        values = texts.fill_null("").to_list()
        counts = np.empty(len(values), dtype=np.int64)
        step = 4096
        for start in range(0, len(values), step):
            encodings = self._tokenizer.encode_batch_fast(
                values[start : start + step], add_special_tokens=False
            )
            counts[start : start + len(encodings)] = [len(e.ids) for e in encodings]
        return counts
