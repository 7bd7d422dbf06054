"""Token counts of a mix: the ones a run stored (`tokens` stage) when they were counted the way
the spec asks, else counted here (classifiers/token_count.py: the compiled estimate, or a
`tokenizer.json` in batches)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from datamill.classifiers.token_count import (
    ESTIMATE_RULE,
    TOKENS_PER_WORD,
    count_with,
    estimate_tokens,
    file_sha256,
    load_tokenizer,
)
from datamill.mixes.spec import MixSpec, MixSpecError
from datamill.stages.tokens import Tokens, method

__all__ = ["ESTIMATE_RULE", "TokenCounter", "estimate_tokens", "stored_method"]


def stored_method(state: dict[str, Any]) -> dict[str, str | None] | None:
    """How a run's stored `tokens` were counted (its `tokens` stage, at this stage version),
    or None if it has none."""
    stages = (state.get("config") or {}).get("stages") or []
    entry = next((s for s in stages if s.get("stage") == Tokens.name), None)
    if entry is None or (state.get("versions") or {}).get(Tokens.name) != Tokens.version:
        return None
    return method(entry.get("kind", "estimate"), entry.get("sha256"))


class TokenCounter:
    """Counts tokens of many texts at once, as the spec's tokenizer says. Picklable: a worker
    loads the tokenizer on first use."""

    def __init__(self, spec: MixSpec) -> None:
        self.path: Path | None = spec.tokenizer_path()
        self.kind = spec.tokenizer.kind
        self.sha256: str | None = None
        self._tokenizer = None
        if self.path is not None:
            try:
                self._tokenizer = load_tokenizer(self.path)
            except ValueError as exc:
                raise MixSpecError(f"tokenizer.path: {exc}") from exc
            self.sha256 = file_sha256(self.path)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_tokenizer": None}

    def method(self) -> dict[str, str | None]:
        return method(self.kind, self.sha256)

    def describe(self) -> dict[str, str | None]:
        if self.path is None:
            return {"kind": "estimate", "rule": f"CJK characters + {TOKENS_PER_WORD} x other words"}
        return {"kind": self.kind, "path": str(self.path), "sha256": self.sha256}

    def count(self, texts: pl.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
        if self.path is None:
            return estimate_tokens(texts)
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.path)
        return count_with(self._tokenizer, texts)
