"""Boilerplate removal: lines repeated inside a document, and lines that recur across many
documents of the same host (or source), CCNet-style.

Why a global stage: whether a line is boilerplate depends on how many documents of its host
contain it, which no single shard knows. The count is a shuffle of 64-bit line hashes
(normalized: lower-cased, digits to 0, punctuation and spaces out) through partition files,
one task per partition keeping the hashes of lines in at least `min_docs` documents; those
(8 bytes each) are the stage's decisions, and the applier strips them in the next rows pass.

Run it after the fused row-local stages (it is a barrier, so `licence` must come before it)
and before near-duplicate dedup. Signals: `boilerplate_common_lines`,
`boilerplate_repeated_lines`, `boilerplate_removed_char_frac`. A document with nothing left
is rejected as `boilerplate:all_boilerplate`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash
from pydantic import Field

from datamill.pipeline.partitions import file_name, read_partition, run_tasks, write_partitions
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signals
from datamill.pipeline.stage import (
    Applier,
    GlobalStage,
    RunContext,
    StageConfig,
    set_column,
    with_drop_reason,
)

KEY = "_line_key"
LINE_SCHEMA = pa.schema([(KEY, pa.int64())])
COMMON = "common"  # the decisions: the keys of lines common in their group
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class BoilerplateConfig(StageConfig):
    group_by: Literal["host", "source"] = "host"  # documents whose lines are counted together
    min_docs: int = Field(3, ge=2)  # a line in at least this many documents of a group is removed
    min_repeated_chars: int = Field(20, ge=1)  # shorter lines may repeat inside a document
    num_partitions: int | None = Field(None, ge=1)  # group-by partitions; default: 2 per CPU


def normalize_line(line: str) -> str:
    """CCNet-style: lower case, digits to 0, punctuation and whitespace removed."""
    line = _DIGITS.sub("0", line.lower())
    line = "".join(c for c in line if not unicodedata.category(c).startswith("P"))
    return _SPACES.sub("", line)


def _group(source: str | None, uri: str | None, group_by: str) -> str:
    if group_by == "host" and uri:
        host = urlsplit(uri).hostname
        if host:
            return host
    return source or ""


def line_key(group: str, normalized: str) -> int:
    """Signed 64-bit hash of (group, normalized line)."""
    return xxhash.xxh3_64_intdigest(f"{group}\x1f{normalized}".encode()) - (1 << 63)


def _doc_lines(text: str | None, group: str) -> tuple[list[str], list[str], list[int]]:
    lines = (text or "").split("\n")
    normalized = [normalize_line(line) for line in lines]
    return lines, normalized, [line_key(group, n) if n else 0 for n in normalized]


def _line_keys(batch: pa.Table, group_by: str) -> pa.Table:
    """One row per distinct non-empty line of each document: its key."""
    keys: list[int] = []
    for text, source, uri in zip(
        batch.column("text").to_pylist(),
        batch.column("source").to_pylist(),
        batch.column("uri").to_pylist(),
        strict=True,
    ):
        _, normalized, doc_keys = _doc_lines(text, _group(source, uri, group_by))
        keys.extend({k for n, k in zip(normalized, doc_keys, strict=True) if n})
    return pa.table({KEY: pa.array(keys, pa.int64())})


def strip_document(
    text: str | None, group: str, common: np.ndarray, min_repeated_chars: int
) -> tuple[str, dict[str, float]]:
    """The text without common lines and within-document repeats, and what was removed."""
    lines, normalized, keys = _doc_lines(text, group)
    is_common = np.zeros(len(keys), dtype=bool)
    if len(common):
        key_array = np.array(keys, dtype=np.int64)
        pos = np.minimum(np.searchsorted(common, key_array), len(common) - 1)
        is_common = common[pos] == key_array
    seen: set[str] = set()
    kept: list[str] = []
    n_common = n_repeated = removed = 0
    for line, norm, common_line in zip(lines, normalized, is_common.tolist(), strict=True):
        if norm and common_line:
            n_common += 1
            removed += len(line)
        elif norm and len(line.strip()) >= min_repeated_chars and norm in seen:
            n_repeated += 1
            removed += len(line)
        else:
            seen.add(norm)
            kept.append(line)
    out = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
    total = len(text or "")
    return out, {
        "boilerplate_common_lines": float(n_common),
        "boilerplate_repeated_lines": float(n_repeated),
        "boilerplate_removed_char_frac": removed / total if total else 0.0,
    }


def strip_batch(batch: pa.Table, common: np.ndarray, group_by: str, min_repeated_chars: int) -> pa.Table:
    """`strip_document` over a batch: text and signals set, empty results rejected."""
    texts, signals, reasons = [], [], []
    for text, source, uri in zip(
        batch.column("text").to_pylist(),
        batch.column("source").to_pylist(),
        batch.column("uri").to_pylist(),
        strict=True,
    ):
        out, values = strip_document(text, _group(source, uri, group_by), common, min_repeated_chars)
        texts.append(out)
        signals.append(values)
        reasons.append(None if out else "boilerplate:all_boilerplate")
    batch = set_column(batch, "signals", merged_signals(batch, signals), SIGNALS)
    batch = set_column(batch, "text", texts, pa.large_string())
    return with_drop_reason(batch, reasons)


def line_block(block: pa.Table, group_by: str, folder: str, partitions: int) -> pa.Table:
    """The distinct line keys of a view block's documents, written split by key."""
    keys = _line_keys(block, group_by)
    if keys.num_rows:
        write_partitions(keys, KEY, partitions, folder, file_name(keys.column(KEY)))
    return pa.table({"docs": [block.num_rows]})


def common_partition(part: int, folder: str, out: str, min_docs: int) -> dict[str, int]:
    """The keys of this partition found in at least `min_docs` documents, to `out`."""
    keys = np.asarray(read_partition(folder, part, LINE_SCHEMA).column(KEY), dtype=np.int64)
    values, counts = np.unique(keys, return_counts=True)
    common = values[counts >= min_docs]
    Path(out).mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({KEY: common}), Path(out) / f"{part:05d}.parquet")
    return {"common": len(common)}


class BoilerplateApplier(Applier):
    def setup(self) -> None:
        files = sorted((self.decisions / COMMON).glob("*.parquet"))
        parts = [np.asarray(pq.read_table(f).column(KEY), dtype=np.int64) for f in files]
        self.common = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return strip_batch(batch, self.common, self.config.group_by, self.config.min_repeated_chars)


class Boilerplate(GlobalStage):
    name = "boilerplate"
    version = "1"
    Config = BoilerplateConfig
    requires = ("text", "source", "uri", "signals")
    produces = ("text", "signals")
    needs = ("text", "source", "uri")

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        cfg = self.config
        partitions = cfg.num_partitions or 2 * ctx.num_cpus
        folder = str(ctx.scratch / "lines")
        view.map_shards(line_block, group_by=cfg.group_by, folder=folder, partitions=partitions)
        out = str(ctx.decisions / COMMON)
        rows = run_tasks(common_partition, partitions, folder=folder, out=out, min_docs=cfg.min_docs)
        return {"boilerplate_common_line_hashes": sum(row["common"] for row in rows)}

    def applier(self, decisions: Path) -> BoilerplateApplier:
        return BoilerplateApplier(self, decisions)
