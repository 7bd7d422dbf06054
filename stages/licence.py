"""Licence stage: `license`, `license_evidence` and `tdm_opt_out`, then the licence policy.

It reads the raw page or PDF bytes (`raw`) and the response headers, which exist only in the
first fused pass: list `licence` in the run config before any global stage (dedup_exact,
boilerplate, ...). A batch with HTML or PDF rows but no raw bytes stops the shard with an
error saying so. Plain-text rows (JSONL, Parquet, .txt) are judged on their text.

Policy (checked in this order; the drop reason names the rule):
`tdm_opt_out` -> `licence:tdm_opt_out`, `proprietary` -> `licence:proprietary`,
`unknown` -> `licence:unknown`, an SPDX id matching no `allow` pattern ->
`licence:not_allowed:<id>`.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Literal

import pyarrow as pa

from datamill.classifiers import licence
from datamill.classifiers.licence_rules import PROPRIETARY, UNKNOWN
from datamill.pipeline.stage import Stage, StageConfig, set_column, with_drop_reason
from datamill.stages.ingest.decode import UndecodableError, decode, header_charset
from datamill.stages.ingest.formats import HTML_TYPES, PDF_TYPES

Action = Literal["keep", "reject"]


class LicenceOrderError(RuntimeError):
    """The licence stage ran where raw bytes are gone (after a global stage)."""


class LicenceConfig(StageConfig):
    # SPDX ids (shell-style patterns) kept; anything else detected is rejected as not_allowed
    allow: list[str] = [
        "CC0-1.0",
        "CC-BY-[0-9]*",
        "CC-BY-SA-*",
        "MIT",
        "Apache-2.0",
        "GFDL-*",
        "ODC-By-1.0",
        "ODbL-1.0",
        "PDDL-1.0",
    ]
    unknown: Action = "keep"
    proprietary: Action = "reject"
    tdm_opt_out: Action = "reject"


class Licence(Stage):
    name = "licence"
    version = "5"
    Config = LicenceConfig
    requires = ("content_type", "raw", "http_headers", "text", "tdm_opt_out")
    produces = ("license", "license_evidence", "tdm_opt_out")

    def __call__(self, batch: pa.Table) -> pa.Table:
        types = batch.column("content_type").to_pylist()
        raws = batch.column("raw").to_pylist()
        headers = batch.column("http_headers").to_pylist()
        texts = batch.column("text").to_pylist()
        opt_outs = batch.column("tdm_opt_out").to_pylist()
        licences, evidence, reasons = [], [], []
        for i, mime in enumerate(types):
            finding = self._detect(mime, raws[i], headers[i], texts[i])
            opt_out = bool(opt_outs[i]) or finding.tdm_opt_out
            licences.append(finding.licence)
            evidence.append(finding.evidence_text() or None)
            opt_outs[i] = opt_out
            reasons.append(self._policy(finding.licence, opt_out))
            self.counters[f"license_{finding.licence}"] += 1
        batch = set_column(batch, "license", licences, pa.string())
        batch = set_column(batch, "license_evidence", evidence, pa.string())
        batch = set_column(batch, "tdm_opt_out", opt_outs, pa.bool_())
        return with_drop_reason(batch, reasons)

    def _detect(self, mime: str | None, raw: bytes | None, headers_json: str | None, text: str | None):
        is_html, is_pdf = mime in HTML_TYPES, mime in PDF_TYPES
        if (is_html or is_pdf) and raw is None:
            raise LicenceOrderError(
                "the licence stage got an HTML/PDF row without raw bytes: list `licence` in the "
                "run config before any global stage (raw bytes exist only in the first pass)"
            )
        headers = json.loads(headers_json) if headers_json else {}
        html = None
        if is_html:
            try:
                html, _ = decode(raw, declared=header_charset(headers.get("content-type")), html=True)
            except UndecodableError:
                self.counters["undecodable_html"] += 1
        return licence.detect(text=text, html=html, pdf=raw if is_pdf else None, headers=headers)

    def _policy(self, spdx: str, opt_out: bool) -> str | None:
        cfg = self.config
        if opt_out and cfg.tdm_opt_out == "reject":
            return "licence:tdm_opt_out"
        if spdx == PROPRIETARY:
            return "licence:proprietary" if cfg.proprietary == "reject" else None
        if spdx == UNKNOWN:
            return "licence:unknown" if cfg.unknown == "reject" else None
        if not any(fnmatchcase(spdx, pattern) for pattern in cfg.allow):
            return f"licence:not_allowed:{spdx}"
        return None
