"""Language ID stage: `lang`, `lang_score` and per-language shares (`lang_share_<code>`)."""

from __future__ import annotations

import pyarrow as pa
from pydantic import Field

from datamill.classifiers.langid import LanguageIdentifier
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason


class LangIdConfig(StageConfig):
    keep: list[str] = []  # languages kept (ISO codes as lid.176 gives them); empty: all
    min_score: float = Field(0.0, ge=0, le=1)  # lower lang_score is rejected as low_score
    min_share_signal: float = Field(0.01, ge=0, le=1)  # smaller shares are not written to signals
    min_segment_bytes: int = Field(40, ge=1)  # shorter lines are merged with the next ones
    max_chars: int = Field(20_000, ge=1)  # characters of each document classified


class LangId(Stage):
    name = "langid"
    version = "1"
    Config = LangIdConfig
    requires = ("text",)
    produces = ("lang", "lang_score", "signals")

    def setup(self) -> None:
        self.identifier = LanguageIdentifier(self.config.min_segment_bytes, self.config.max_chars)

    def __call__(self, batch: pa.Table) -> pa.Table:
        cfg = self.config
        keep = set(cfg.keep)
        results = self.identifier.identify(batch.column("text").to_pylist())
        reasons: list[str | None] = []
        signals: list[dict[str, float]] = []
        for res in results:
            signals.append(
                {f"lang_share_{k}": round(v, 4) for k, v in res.shares.items() if v >= cfg.min_share_signal}
            )
            if res.lang is None:
                reasons.append("langid:no_text")
            elif keep and res.lang not in keep:
                reasons.append(f"langid:lang_not_kept:{res.lang}")
            elif res.score < cfg.min_score:
                reasons.append(f"langid:low_score:{res.lang}")
            else:
                reasons.append(None)
        batch = set_column(batch, "lang", [r.lang for r in results], pa.string())
        batch = set_column(batch, "lang_score", [r.score for r in results], pa.float32())
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)
