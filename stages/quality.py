"""Quality stage: heuristic rule sets per language, then the fastText quality classifier.

Every rule value goes into `signals` (keys prefixed by rule set: `gopher_`, `c4_`,
`fineweb_`, `zh_`), and the classifier's P(high quality) into `quality` and
`signals["quality_model"]`, whether or not the row is kept. The first failed check names the
drop reason, `quality:<rule>:<value>`. Which rule sets run depends on the document's `lang`
(`rules`, with `*` for any other language); each rule set's thresholds are per language too
(`gopher.en`, `gopher.*`, ...).

Keeping the top fraction of documents by `quality` needs the whole corpus: that is the
global stage `quality_top` (in this module), listed after the fused stages.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, field_validator

from datamill.classifiers import (
    fasttext_model,
    quality_model,
    rules_c4,
    rules_chinese,
    rules_fineweb,
    rules_gopher,
)
from datamill.classifiers.rules_base import failures
from datamill.pipeline.rundir import write_json_atomic
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import (
    Applier,
    GlobalStage,
    RunContext,
    Stage,
    StageConfig,
    set_column,
    with_drop_reason,
)

RULE_SETS: dict[str, ModuleType] = {m.NAME: m for m in (rules_gopher, rules_c4, rules_fineweb, rules_chinese)}
RuleSet = Literal["gopher", "c4", "fineweb", "chinese"]
ANY = "*"


def _needs_default(value: dict) -> dict:
    if ANY not in value:
        raise ValueError(f"needs a '{ANY}' entry (the default for other languages)")
    return value


class QualityConfig(StageConfig):
    # rule sets run for each language (lid.176 codes); '*' for any other language
    rules: dict[str, list[RuleSet]] = {
        "en": ["gopher", "c4", "fineweb"],
        "zh": ["chinese"],
        "wuu": ["chinese"],
        "yue": ["chinese"],
        "ja": ["chinese"],
        ANY: ["gopher", "fineweb"],
    }
    gopher: dict[str, rules_gopher.Params] = rules_gopher.DEFAULTS
    c4: dict[str, rules_c4.Params] = rules_c4.DEFAULTS
    fineweb: dict[str, rules_fineweb.Params] = rules_fineweb.DEFAULTS
    chinese: dict[str, rules_chinese.Params] = rules_chinese.DEFAULTS
    # fastText model from `datamill classifier train`; a path relative to the working directory
    # (resolved when the config is loaded), readable on every node of the cluster
    model: str | None = None
    min_quality: dict[str, float] = {ANY: 0.0}  # per language; lower `quality` is rejected
    model_max_chars: int = Field(20_000, ge=1)  # characters of each document the model reads

    _defaults = field_validator("rules", "gopher", "c4", "fineweb", "chinese", "min_quality")(_needs_default)

    @field_validator("model")
    @classmethod
    def _model_file(cls, value: str | None) -> str | None:
        from pathlib import Path

        if value is None:
            return None
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"no model file {path}")
        return str(path)


def _for_lang(table: dict, lang: str | None):
    return table.get(lang or ANY, table[ANY])


def rule_signals(
    text: str, lang: str | None, cfg: QualityConfig
) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """All signals of the rule sets for `lang`, and the checks they fail."""
    signals: dict[str, float] = {}
    failed: list[tuple[str, float]] = []
    for name in _for_lang(cfg.rules, lang):
        module = RULE_SETS[name]
        params = _for_lang(getattr(cfg, name), lang)
        values = module.signals(text, params)
        signals.update(values)
        failed += failures(values, module.CHECKS, params)
    return signals, failed


class Quality(Stage):
    name = "quality"
    version = "2"
    Config = QualityConfig
    requires = ("text", "lang", "signals")
    produces = ("signals", "quality")

    def setup(self) -> None:
        self.model = fasttext_model.load(self.config.model) if self.config.model else None

    def __call__(self, batch: pa.Table) -> pa.Table:
        cfg = self.config
        texts = batch.column("text").to_pylist()
        langs = batch.column("lang").to_pylist()
        reasons: list[str | None] = []
        signals: list[dict[str, float]] = []
        for text, lang in zip(texts, langs, strict=True):
            if not text or not text.strip():
                signals.append({})
                reasons.append("quality:no_text")
                continue
            values, failed = rule_signals(text, lang, cfg)
            signals.append(values)
            reasons.append(f"quality:{failed[0][0]}:{failed[0][1]:.4g}" if failed else None)
            for rule, _ in failed:
                self.counters[f"failed_{rule}"] += 1
        scores: list[float | None] = [None] * len(texts)
        if self.model is not None:
            rows = [i for i, t in enumerate(texts) if t]
            values = quality_model.scores(self.model, [texts[i][: cfg.model_max_chars] for i in rows])
            for i, score in zip(rows, values.tolist(), strict=True):
                scores[i] = score
                signals[i]["quality_model"] = score
                if reasons[i] is None and score < _for_lang(cfg.min_quality, langs[i]):
                    reasons[i] = f"quality:low_model_score:{score:.4g}"
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        batch = set_column(batch, "quality", scores, pa.float32())
        return with_drop_reason(batch, reasons)


THRESHOLDS = "thresholds.json"  # quality_top's decisions: the score threshold per language


class QualityTopConfig(StageConfig):
    # per language: fraction of documents kept, those with the highest `quality`; '*' for others
    keep_top_fraction: dict[str, float] = {ANY: 1.0}
    bins: int = Field(10_000, ge=10)  # histogram resolution of the score: thresholds are within 1/bins

    _defaults = field_validator("keep_top_fraction")(_needs_default)

    @field_validator("keep_top_fraction")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 < v <= 1}
        if bad:
            raise ValueError(f"fractions must be in (0, 1]: {bad}")
        return value


class QualityTop(GlobalStage):
    """Keeps the top fraction of each language by `quality`. Per-language score histograms are
    summed over all blocks (Ray Data; memory does not grow with the corpus), each language's
    threshold is the lowest bin edge that keeps at least its fraction, and rows below it are
    rejected as `quality_top:below_top_fraction`. Rows without a score are kept."""

    name = "quality_top"
    version = "1"
    Config = QualityTopConfig
    requires = ("lang", "quality")
    needs = ("lang", "quality")

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        bins = self.config.bins
        hist: dict[str, np.ndarray] = {}
        for batch in view.map_shards(_histogram_rows, bins=bins):
            for lang, b, n in zip(*(batch.column(c).to_pylist() for c in ("lang", "bin", "n")), strict=True):
                hist.setdefault(lang, np.zeros(bins, dtype=np.int64))[b] += n
        thresholds = {
            lang: threshold(counts, _for_lang(self.config.keep_top_fraction, lang or None))
            for lang, counts in sorted(hist.items())
        }
        write_json_atomic(thresholds, ctx.decisions / THRESHOLDS)
        return {"quality_top_thresholds": thresholds}

    def applier(self, decisions: Path) -> QualityTopApplier:
        return QualityTopApplier(self, decisions)


class QualityTopApplier(Applier):
    def setup(self) -> None:
        self.thresholds = json.loads((self.decisions / THRESHOLDS).read_text(encoding="utf-8"))

    def __call__(self, batch: pa.Table) -> pa.Table:
        return _below_threshold(batch, self.thresholds)


def threshold(counts: np.ndarray, fraction: float) -> float:
    """Lowest bin edge such that the scores at or above it are at least `fraction` of all."""
    from_top = np.cumsum(counts[::-1])
    need = fraction * from_top[-1]
    first = int(np.searchsorted(from_top, need - 1e-9))  # bins counted from the top
    return (len(counts) - 1 - first) / len(counts)


def _histogram_rows(batch: pa.Table, bins: int) -> pa.Table:
    """(lang, bin, n) for the scored rows of a block; a missing language becomes ''."""
    batch = batch.filter(pc.is_valid(batch.column("quality")))
    scores = batch.column("quality").to_numpy(zero_copy_only=False)
    table = pa.table(
        {
            "lang": pc.fill_null(batch.column("lang"), ""),
            "bin": pa.array(np.clip((scores * bins).astype(np.int64), 0, bins - 1)),
        }
    )
    return table.group_by(["lang", "bin"]).aggregate([("bin", "count")]).rename_columns(["lang", "bin", "n"])


def _below_threshold(batch: pa.Table, thresholds: dict[str, float]) -> pa.Table:
    langs = batch.column("lang").to_pylist()
    scores = batch.column("quality").to_pylist()
    reasons = [
        "quality_top:below_top_fraction"
        if score is not None and score < thresholds.get(lang or "", 0.0)
        else None
        for lang, score in zip(langs, scores, strict=True)
    ]
    return with_drop_reason(batch, reasons)
