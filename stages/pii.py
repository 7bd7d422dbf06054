"""PII redaction: e-mail addresses, phone numbers, IPs, Chinese identity numbers, payment
cards, IBANs, credentials in URLs and API keys, found and validated by `classifiers/pii.py`.

Per type the config says what happens: `redact` replaces each span with a typed placeholder
(`<EMAIL>`, `<PHONE>`, ...; with `length: keep` the placeholder is cut or padded with `fill` to
the span's length, so offsets after it stay valid), `reject` drops the document as
`pii:<type>` (its spans are replaced too, so `rejected/` holds no secrets) and `count` only
counts. Every row gets `pii_<type>` span counts and `pii_skipped` (allow-listed or on code
lines) in `signals`; a row whose text was changed is marked (`edit`), so its lineage entry
reads `decision: edited`, `reason: pii:redacted:<type>=<spans>,...` and an audit shows what
the stage changed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

import pyarrow as pa
from pydantic import Field, field_validator

from datamill.classifiers.pii import PII_TYPES, PiiFinder, Span
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import EDIT, Stage, StageConfig, set_column, with_drop_reason

Action = Literal["redact", "reject", "count"]


class PiiActions(StageConfig):
    """What happens to each type (in `PII_TYPES` order: the first rejecting type names the
    reason)."""

    secret: Action = "redact"
    url_credentials: Action = "redact"
    email: Action = "redact"
    cn_id: Action = "redact"
    iban: Action = "redact"
    payment_card: Action = "redact"
    ip_address: Action = "redact"
    phone: Action = "redact"


class PiiConfig(StageConfig):
    actions: PiiActions = PiiActions()
    length: Literal["placeholder", "keep"] = "placeholder"  # keep: the placeholder fills the span
    fill: str = Field("*", min_length=1, max_length=1)  # pads a placeholder shorter than its span
    allow: list[str] = []  # regexes: a span matching one in full is left alone (public addresses)
    skip_code: bool = True  # e-mail addresses, IPs and phones on code-like lines are left alone
    phone_regions: list[str] = ["CN", "US"]  # read numbers without a country code as these
    global_ips_only: bool = True  # private, loopback and documentation addresses are not PII

    @field_validator("allow")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"allow: {pattern!r} is not a regex: {exc}") from exc
        return patterns


def placeholder(kind: str, span_text: str, keep_length: bool, fill: str) -> str:
    """`<TYPE>`; with `keep_length`, cut or padded with `fill` to the span's length."""
    tag = f"<{kind.upper()}>"
    if not keep_length:
        return tag
    return (tag + fill * len(span_text))[: len(span_text)]


def redact(text: str, spans: list[Span], keep_length: bool, fill: str) -> str:
    """`text` with every span (sorted, not overlapping) replaced by its placeholder."""
    parts, at = [], 0
    for span in spans:
        parts += [
            text[at : span.start],
            placeholder(span.type, text[span.start : span.end], keep_length, fill),
        ]
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


class Pii(Stage):
    name = "pii"
    version = "2"
    Config = PiiConfig
    requires = ("text", "signals")
    produces = ("text", "signals", EDIT)

    def setup(self) -> None:
        cfg = self.config
        self.finder = PiiFinder(
            allow=cfg.allow,
            skip_code=cfg.skip_code,
            phone_regions=cfg.phone_regions,
            global_ips_only=cfg.global_ips_only,
        )
        self.actions = cfg.actions.model_dump()

    def __call__(self, batch: pa.Table) -> pa.Table:
        keep_length = self.config.length == "keep"
        texts, signals, reasons, edits = [], [], [], []
        for text in batch.column("text").to_pylist():
            spans, skipped = self.finder.find(text) if text else ([], 0)
            counts = Counter(span.type for span in spans)
            self.counters.update({f"pii_{kind}": n for kind, n in counts.items()})
            signals.append(
                {**{f"pii_{kind}": float(counts[kind]) for kind in PII_TYPES}, "pii_skipped": float(skipped)}
            )
            replaced = [span for span in spans if self.actions[span.type] != "count"]
            texts.append(redact(text, replaced, keep_length, self.config.fill) if replaced else text)
            rejecting = [kind for kind in PII_TYPES if counts[kind] and self.actions[kind] == "reject"]
            reasons.append(f"pii:{rejecting[0]}" if rejecting else None)
            done = Counter(span.type for span in replaced)
            edits.append(
                "pii:redacted:" + ",".join(f"{k}={done[k]}" for k in PII_TYPES if done[k])
                if replaced
                else None
            )
        self.counters["redacted_docs"] += sum(e is not None for e in edits)
        batch = set_column(batch, EDIT, edits, pa.string())  # the runner's lineage entry: `edited`
        batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
        batch = set_column(batch, "text", texts, pa.large_string())
        return with_drop_reason(batch, reasons)
