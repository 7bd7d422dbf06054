"""Token counts stored with the rows: `tokens` (int64) of each document's final text.

The last stage of a run (config.py checks it): the text no longer changes after it, so a mix
reads these counts instead of tokenising the corpus again. The counting method is the stage's
config, kept in run.json: `estimate` (classifiers/token_count.py, rule versioned by this stage's
version) or `huggingface` with the `tokenizer.json` path and its sha256 (filled in from the
file; given and different, the config is refused: the file changed since).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import ValidationInfo, model_validator

from datamill.classifiers.token_count import (
    ESTIMATE_RULE,
    count_with,
    estimate_tokens,
    file_sha256,
    load_tokenizer,
)
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason


class TokensConfig(StageConfig):
    kind: Literal["estimate", "huggingface"] = "estimate"
    path: str | None = None  # tokenizer.json (huggingface), relative to the config's folder
    sha256: str | None = None  # of that file; filled in when not given

    @model_validator(mode="before")
    @classmethod
    def _resolve(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or data.get("kind") != "huggingface":
            return data
        if not data.get("path"):
            raise ValueError("kind huggingface needs `path` (a tokenizer.json)")
        base = Path((info.context or {}).get("base_dir") or Path.cwd())
        path = (base / data["path"]).resolve()
        try:
            digest = file_sha256(path)
        except OSError as exc:
            raise ValueError(f"path: cannot read {path} ({exc.strerror})") from exc
        if data.get("sha256") not in (None, digest):
            raise ValueError(f"sha256: {path} has sha256 {digest}, not {data['sha256']}")
        return {**data, "path": str(path), "sha256": digest}


class Tokens(Stage):
    name = "tokens"
    version = "1"
    Config = TokensConfig
    requires = ("text",)
    produces = ("tokens",)
    _tokenizer = None

    def setup(self) -> None:
        if self.config.kind == "huggingface":
            self._tokenizer = load_tokenizer(Path(self.config.path))

    def describe(self) -> dict[str, str | None]:
        return method(self.config.kind, self.config.sha256)

    def __call__(self, batch: pa.Table) -> pa.Table:
        texts = batch.column("text")
        tokenizer = self._tokenizer
        counts = count_with(tokenizer, texts) if tokenizer is not None else estimate_tokens(texts)
        out = set_column(batch, "tokens", pa.array(counts, pa.int64()), pa.int64())
        return with_drop_reason(out, pa.nulls(batch.num_rows, pa.string()))


def method(kind: str, sha256: str | None) -> dict[str, str | None]:
    """What a count means: equal for a stored count and one a mix computes, or not."""
    if kind == "estimate":
        return {"kind": "estimate", "rule": ESTIMATE_RULE}
    return {"kind": kind, "sha256": sha256}
