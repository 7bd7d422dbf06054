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

from types import ModuleType
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, field_validator

from classifiers import fasttext_model, quality_model, rules_c4, rules_chinese, rules_fineweb, rules_gopher
from classifiers.rules_base import failures
from pipeline.schema import SIGNALS
from pipeline.stage import GlobalStage, RunContext, Stage, StageConfig, set_column, with_drop_reason
from stages.signals import merged_signals

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
    model: str | None = None  # fastText model from `datamill classifier train`
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
    version = "1"
    Config = QualityConfig
    requires = ("text", "lang", "signals")
    produces = ("signals", "quality")
    loads_model = True

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


class QualityTopConfig(StageConfig):
    # per language: fraction of documents kept, those with the highest `quality`; '*' for others
    keep_top_fraction: dict[str, float] = {ANY: 1.0}
    quantile_precision: int = Field(800, ge=10)  # sketch size of the approximate quantiles

    _defaults = field_validator("keep_top_fraction")(_needs_default)

    @field_validator("keep_top_fraction")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 < v <= 1}
        if bad:
            raise ValueError(f"fractions must be in (0, 1]: {bad}")
        return value


class QualityTop(GlobalStage):
    """Keeps the top fraction of each language by `quality` (approximate per-language
    quantiles, Ray Data); rows without a score are kept. Reason: `quality_top:below_top_fraction`."""

    name = "quality_top"
    version = "1"
    Config = QualityTopConfig
    requires = ("lang", "quality")

    def run(self, ds, ctx: RunContext):
        from ray.data.aggregate import ApproximateQuantile

        fractions = self.config.keep_top_fraction
        levels = sorted({round(1 - f, 6) for f in fractions.values()})
        table = (
            ds.select_columns(["lang", "quality"])
            .map_batches(_scored_rows, batch_format="pyarrow")
            .groupby("lang")
            .aggregate(
                ApproximateQuantile(
                    on="quality",
                    quantiles=levels,
                    quantile_precision=self.config.quantile_precision,
                    alias_name="q",
                )
            )
            .take_all()
        )
        thresholds: dict[str, float] = {}
        for row in table:
            level = round(1 - _for_lang(fractions, row["lang"]), 6)
            if level > 0:
                thresholds[row["lang"]] = float(row["q"][levels.index(level)])
        ctx.stats["quality_top_thresholds"] = thresholds
        return ds.map_batches(_below_threshold, fn_args=(thresholds,), batch_format="pyarrow")


def _scored_rows(batch: pa.Table) -> pa.Table:
    """Rows with a score; a missing language becomes ''."""
    batch = batch.filter(pc.is_valid(batch.column("quality")))
    return batch.set_column(batch.column_names.index("lang"), "lang", pc.fill_null(batch.column("lang"), ""))


def _below_threshold(batch: pa.Table, thresholds: dict[str, float]) -> pa.Table:
    langs = batch.column("lang").to_pylist()
    scores = batch.column("quality").to_pylist()
    reasons = [
        "quality_top:below_top_fraction"
        if score is not None and (lang or "") in thresholds and score < thresholds[lang or ""]
        else None
        for lang, score in zip(langs, scores, strict=True)
    ]
    return with_drop_reason(batch, reasons)
