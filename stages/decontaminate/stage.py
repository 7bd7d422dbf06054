"""Benchmark decontamination (global): documents that overlap an item of a benchmark the user
gives are rejected as `decontaminate:<benchmark>:<item id>`, or the overlapping spans cut.

decide: the benchmark files are read once in the driver and their normalised n-grams
(`ngrams.py`: 13 words, or `cjk_ngram` CJK characters) written as one sorted hash index into
the decisions folder; one Ray Data task per view block memory-maps it and streams the block's
documents through it: a document meets an item when it holds at least `min_share` of the
item's distinct n-grams and at least `min_ngrams` of them. Every document that meets any
n-gram of any item gets a decision row in its shard's folder (best item, n-grams matched,
share, flagged items), so the scores of near misses are kept too.

The applier, in the next rows pass, sets `decontaminate_ngrams` and `decontaminate_share`
(the best item's) in `signals` on every row and rejects the flagged documents, or with
`action: cut` removes the character spans of the n-grams they share with their flagged items
(`decontaminate_cut_chars`; a document with nothing left is rejected). run.json lists per
benchmark its items, the items indexed (long enough for one n-gram), the items found and the
documents removed (or cut).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from datamill.pipeline.hashing import sha256_hex
from datamill.pipeline.partitions import file_name, read_decisions, write_decisions
from datamill.pipeline.schema import SIGNALS
from datamill.pipeline.signals import merged_signal_columns
from datamill.pipeline.stage import (
    SHARD,
    Applier,
    GlobalStage,
    RunContext,
    StageConfig,
    set_column,
    with_drop_reason,
)
from datamill.stages.decontaminate.benchmarks import BenchmarkFiles, files_digest, files_of, read_items
from datamill.stages.decontaminate.ngrams import (
    Index,
    Normalisation,
    batch_ngrams,
    build_index,
)

INDEX, ITEMS = "index", "items.parquet"
DECISION_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("item_index", pa.int32()),  # the best item: flagged first, then by share
        ("matched", pa.int32()),  # its distinct n-grams found in the document
        ("share", pa.float64()),  # matched / its distinct n-grams
        ("flagged", pa.list_(pa.int32())),  # every item the document meets (empty: a near miss)
    ]
)


class DecontaminateConfig(StageConfig):
    benchmarks: list[BenchmarkFiles] = Field(min_length=1)
    ngram: int = Field(13, ge=1, le=64)  # words per n-gram in space-delimited text
    cjk_ngram: int = Field(15, ge=1, le=256)  # characters per n-gram in Chinese/Japanese text
    min_share: float = Field(0.3, gt=0, le=1)  # of an item's distinct n-grams found in a document
    min_ngrams: int = Field(3, ge=1)  # and at least this many
    action: Literal["reject", "cut"] = "reject"
    # dedup's normalisation; digits are kept by default: numbers tell benchmark items apart
    lowercase: bool = True
    fold_width: bool = True
    normalize_digits: bool = False
    strip_punctuation: bool = True

    _paths: list[list[Path]] = PrivateAttr(default_factory=list)
    _digest: str = PrivateAttr("")

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> DecontaminateConfig:
        names = [b.name for b in self.benchmarks]
        if len(set(names)) != len(names):
            raise ValueError(f"benchmarks: a name is given twice: {sorted(names)}")
        base = Path((info.context or {}).get("base_dir") or Path.cwd())
        self._paths = [files_of(b, base) for b in self.benchmarks]
        self._digest = files_digest([p for paths in self._paths for p in paths])
        return self

    def sha(self) -> str:
        """Of the settings and the benchmark files' bytes."""
        return sha256_hex(self.model_dump_json() + self._digest)

    def normalisation(self) -> Normalisation:
        return Normalisation(
            self.ngram,
            self.cjk_ngram,
            self.lowercase,
            self.fold_width,
            self.normalize_digits,
            self.strip_punctuation,
        )

    def items(self) -> pa.Table:
        """Every benchmark item: (benchmark, item, text)."""
        return pa.concat_tables([read_items(b, p) for b, p in zip(self.benchmarks, self._paths, strict=True)])


def match(
    texts: pa.Array | pa.ChunkedArray, index: Index, item_ngrams: np.ndarray, cfg: DecontaminateConfig
) -> dict[str, np.ndarray | list]:
    """Per document that meets any indexed n-gram: its row in the batch, best item, n-grams
    matched, share, and the items it meets."""
    grams = batch_ngrams(texts, cfg.normalisation())
    doc, item = index.hits(grams.doc, grams.hashes)
    width = max(len(item_ngrams), 1)
    pairs, matched = np.unique(doc * width + item, return_counts=True)
    doc, item = pairs // width, pairs % width
    share = matched / np.maximum(item_ngrams[item], 1)
    flagged = (share >= cfg.min_share) & (matched >= cfg.min_ngrams)
    order = np.lexsort((item, -matched, -share, ~flagged, doc))
    doc, item, matched, share, flagged = doc[order], item[order], matched[order], share[order], flagged[order]
    first = np.ones(len(doc), dtype=bool)
    first[1:] = doc[1:] != doc[:-1]
    bounds = np.append(np.flatnonzero(first), len(doc))
    return {
        "row": doc[first],
        "item_index": item[first],
        "matched": matched[first],
        "share": share[first],
        "flagged": [
            item[lo:hi][flagged[lo:hi]].tolist() for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ],
    }


def match_block(
    block: pa.Table, cfg: DecontaminateConfig, decisions: str, item_ngrams: np.ndarray, shard_keys: list[str]
) -> pa.Table:
    """A view block's decision rows, written to their shards' folders; returns the flagged
    (item, best) pairs for the stats."""
    found = match(block.column("text"), Index.load(Path(decisions) / INDEX), item_ngrams, cfg)
    rows = pa.table(
        {
            "id": block.column("id").take(found["row"]),
            "item_index": pa.array(found["item_index"], pa.int32()),
            "matched": pa.array(found["matched"], pa.int32()),
            "share": pa.array(found["share"], pa.float64()),
            "flagged": pa.array(found["flagged"], pa.list_(pa.int32())),
            SHARD: block.column(SHARD).take(found["row"]),
        }
    )
    write_decisions(
        rows, decisions, shard_keys, file_name(np.array(rows.column("id").to_pylist(), dtype="S"))
    )
    flagged = [
        (i, i == best)
        for best, items in zip(found["item_index"], found["flagged"], strict=True)
        for i in items
    ]
    return pa.table(
        {
            "item": pa.array([i for i, _ in flagged], pa.int32()),
            "best": pa.array([b for _, b in flagged], pa.bool_()),
        }
    )


def cut(text: str, starts: np.ndarray, ends: np.ndarray) -> str:
    """`text` without the union of the character spans [starts, ends)."""
    parts, at = [], 0
    for start, end in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if start > at:
            parts.append(text[at:start])
        at = max(at, end)
    return "".join(parts) + text[at:]


class DecontaminateApplier(Applier):
    def setup(self) -> None:
        items = pq.read_table(self.decisions / ITEMS)
        self.benchmarks = items.column("benchmark").to_pylist()
        self.item_ids = items.column("item").to_pylist()
        self.index = Index.load(self.decisions / INDEX) if self.config.action == "cut" else None

    def begin_shard(self, key: str) -> None:
        self.rows = read_decisions(self.decisions, key, DECISION_SCHEMA).combine_chunks()

    def __call__(self, batch: pa.Table) -> pa.Table:
        ids = batch.column("id").combine_chunks().cast(pa.string())
        at = pc.index_in(ids, value_set=self.rows.column("id").chunk(0))
        column = {name: self.rows.column(name).chunk(0).take(at) for name in DECISION_SCHEMA.names}
        best, flagged = column["item_index"].to_pylist(), column["flagged"].to_pylist()
        signals = {
            "decontaminate_ngrams": pc.fill_null(column["matched"], 0),
            "decontaminate_share": pc.fill_null(column["share"], 0.0),
        }
        reasons = [
            f"decontaminate:{self.benchmarks[b]}:{self.item_ids[b]}" if items else None
            for b, items in zip(best, flagged, strict=True)
        ]
        if self.config.action == "cut":
            batch, reasons, signals["decontaminate_cut_chars"] = self._cut(batch, flagged, reasons)
        for reason in reasons:
            if reason:
                self.counters[
                    f"{'cut' if self.config.action == 'cut' else 'removed'}:{reason.split(':')[1]}"
                ] += 1
        batch = set_column(batch, "signals", merged_signal_columns(batch, signals), SIGNALS)
        return with_drop_reason(batch, reasons)

    def _cut(self, batch: pa.Table, flagged: list, reasons: list) -> tuple[pa.Table, list, list[float]]:
        """The flagged documents without the n-grams they share with their flagged items; a
        document with nothing left keeps its reason, the others are kept."""
        texts = batch.column("text").to_pylist()
        removed = [0.0] * len(texts)
        kept_reasons: list[str | None] = [None] * len(texts)
        for row, items in enumerate(flagged):
            if not items:
                continue
            grams = batch_ngrams(pa.array([texts[row]], pa.large_string()), self.config.normalisation())
            hit = np.isin(grams.hashes, self.index.item_hashes(np.array(items)))
            out = cut(texts[row], grams.starts[hit], grams.ends[hit]).strip()
            removed[row] = float(len(texts[row]) - len(out))
            texts[row] = out
            kept_reasons[row] = reasons[row] if not out else None
        return set_column(batch, "text", texts, pa.large_string()), kept_reasons, removed


class Decontaminate(GlobalStage):
    name = "decontaminate"
    version = "1"
    Config = DecontaminateConfig
    requires = ("id", "text", "signals")
    produces = ("text", "signals")
    needs = ("text",)

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        cfg = self.config
        items = cfg.items()
        item_ngrams = build_index(items.column("text"), cfg.normalisation(), ctx.decisions / INDEX)
        pq.write_table(
            items.drop_columns(["text"]).append_column("ngrams", pa.array(item_ngrams)), ctx.decisions / ITEMS
        )
        out = view.map_shards(
            match_block,
            cfg=cfg,
            decisions=str(ctx.decisions),
            item_ngrams=item_ngrams,
            shard_keys=ctx.shard_keys,
        )
        found = pa.concat_tables(
            [pa.table({"item": pa.array([], pa.int32()), "best": pa.array([], pa.bool_())}), *out]
        )
        return self._stats(items, item_ngrams, found)

    def _stats(self, items: pa.Table, item_ngrams: np.ndarray, found: pa.Table) -> dict[str, Any]:
        """Per benchmark: items, items indexed, items found, documents removed (or cut)."""
        done = "docs_cut" if self.config.action == "cut" else "docs_removed"
        benchmarks = np.asarray(items.column("benchmark").to_pylist(), dtype=object)
        found_items = np.asarray(found.column("item"), dtype=np.int64)
        best = np.asarray(found.column("best"), dtype=bool)
        table: dict[str, dict[str, int]] = {}
        for name in [b.name for b in self.config.benchmarks]:
            mine = benchmarks == name
            table[name] = {
                "items": int(mine.sum()),
                "items_indexed": int((mine & (item_ngrams > 0)).sum()),
                "items_found": len(np.unique(found_items[mine[found_items]])) if len(found_items) else 0,
                done: int((best & mine[found_items]).sum()) if len(found_items) else 0,
            }
        counts = {f"{key}:{name}": value for name, row in table.items() for key, value in row.items()}
        return {"index_ngrams": int(item_ngrams.sum()), **counts, "decontamination": table}

    def applier(self, decisions: Path) -> DecontaminateApplier:
        return DecontaminateApplier(self, decisions)
