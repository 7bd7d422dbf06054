"""Garbage stage: rejects text that is not prose in any language (classifiers/garbage.py).

List it after extraction and before `normalize` (which deletes control characters, one of
the signs it reads). Every score goes into `signals` (keys `garbage_*`), kept or not; the
first failed check names the drop reason: `garbage:mojibake`, `garbage:private_use_chars`,
`garbage:replacement_chars`, `garbage:control_chars`, `garbage:symbols`,
`garbage:no_language` (lid.176 recognises no language in most of the text). Texts shorter
than `rules.min_chars` are scored, not judged; a row without text passes untouched.

extract_html and extract_pdf already reject garbage as `<stage>:garbage_text` (one text-sanity
score, classifiers/text_sanity.py, built on this module's ratios): this stage stays for text
that arrives as text (JSONL, Parquet, WET), which no extraction stage sees, and where a reason
per kind of garbage is wanted.
"""

from __future__ import annotations

import pyarrow as pa

from datamill.classifiers import garbage
from datamill.classifiers.langid import LanguageIdentifier
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason


class GarbageConfig(StageConfig):
    rules: garbage.Params = garbage.Params()


class Garbage(Stage):
    name = "garbage"
    version = "1"
    Config = GarbageConfig
    identifier: LanguageIdentifier | None = None  # lid.176, loaded by setup()
    requires = ("text",)
    produces = ("signals",)

    def setup(self) -> None:
        self.identifier = LanguageIdentifier()

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self.identifier is None:
            self.setup()
        params = self.config.rules
        texts = batch.column("text").to_pylist()
        signals = [garbage.scores(text) if text else {} for text in texts]
        asked = [i for i, s in enumerate(signals) if s and s["garbage_chars"] >= params.min_chars_for_lid]
        shares = self.identifier.unsure_shares([texts[i] for i in asked], params.lid_min_prob)
        for i, share in zip(asked, shares, strict=True):
            if share is not None:
                signals[i]["garbage_lid_unsure_share"] = share
        reasons: list[str | None] = []
        for values in signals:
            judged = values and values["garbage_chars"] >= params.min_chars
            failed = garbage.failures(values, garbage.CHECKS, params) if judged else []
            reasons.append(f"garbage:{failed[0][0]}" if failed else None)
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)
