"""Synthetic Q&A rewriting (global stage): selected documents are cut into chunks by tokens of
the model's tokenizer, each chunk is rewritten into question/answer pairs by an LLM (vLLM
offline batching in Ray actors, or an OpenAI-compatible endpoint) under a JSON schema, and the
valid pairs become new rows.

Output: every input row, kept unchanged (parents stay in the data), plus one row per chunk:
`kind=synthetic`, `parent_id`, `gen` (model, revision, prompt id + sha256, sampling, seed), the
parent's lineage, text = the valid pairs formatted in the document's language. A chunk without
a valid pair is rejected (`synthesize:no_valid_pair`, `:invalid_json`, `:truncated`, ...) with
the raw output as its text; every invalid pair is counted by reason (`pairs_invalid:<reason>`).

Flow: chunking (a Ray Data map over the stage's view) streams into the generator actors
(`generate.py`), which load their engines meanwhile; they save finished rows to the segment's
resume folder and leave their counts in scratch files. Once generation is done every saved row,
once, goes to the decisions folder's `rows/`; the next rows pass writes them after the parents
(which pass unchanged), rejecting the chunks without a valid pair.

Resume: a killed run re-started with the same config generates only the chunks whose rows are
not in the resume folder (chunk ids are stable: parent id, chunk number, prompt id).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline.stage import DROP_REASON, Applier, GlobalStage, RunContext, with_drop_reason
from datamill.stages.synthesize.config import OpenAIBackend, SynthesizeConfig
from datamill.stages.synthesize.generate import OpenAIGenerator, VllmGenerator, counts_in
from datamill.stages.synthesize.rows import INVALID, NAME, PARENT_COLUMNS, chunk_documents, pair_counts

ROWS = "rows"  # the synthetic rows, valid and rejected, in the decisions folder


class SynthesizeApplier(Applier):
    """Parents pass unchanged; the added rows carry their own decision (a chunk without a valid
    pair is rejected with its reason)."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        if DROP_REASON in batch.column_names:
            return batch
        return with_drop_reason(batch, [None] * batch.num_rows)


def _count(batch: pa.Table) -> pa.Table:
    return pa.table({"rows": [batch.num_rows]})


def _without(rows: pa.Table, ids: pa.Array) -> pa.Table:
    return rows.filter(pc.invert(pc.is_in(rows.column("id"), value_set=ids))) if len(ids) else rows


def _read_rows(batch: pa.Table) -> pa.Table:
    """The synthetic rows of one resume file, without the transient column and the rows an
    earlier file already holds."""
    rows = pq.read_table(batch.column("path")[0].as_py()).drop_columns([INVALID])
    return _without(rows, batch.column("again")[0].values)


def _resumed(cache: Path) -> tuple[pa.Array, Counter, list[dict]]:
    """Chunk ids of the rows a killed run left in the resume folder, their pair counts, and the
    files with the ids each repeats from an earlier file (a call retried after some of its rows
    were saved saves them again)."""
    seen: set[str] = set()
    counts: Counter = Counter()
    files = []
    for path in sorted(cache.glob("part-*.parquet")):
        rows = pq.read_table(path, columns=["id", "signals", INVALID])
        ids = rows.column("id").to_pylist()
        again = [i for i in ids if i in seen]
        seen.update(ids)
        counts.update(pair_counts(_without(rows, pa.array(again, pa.string()))))
        files.append({"path": str(path), "again": again})
    return pa.array(sorted(seen), pa.string()), counts, files


def _final_stats(config: SynthesizeConfig, resumed: Counter[str], counts_dir: Path) -> dict[str, Any]:
    """The run's generation counts (what a killed attempt had saved plus this attempt's), once
    every row is written."""
    counts = resumed + counts_in(counts_dir)
    counts["generate_actors"] = config.backend.num_actors
    if counts["generate_seconds"]:
        counts["output_tokens_per_second"] = counts["output_tokens"] / counts["generate_seconds"]
    return {
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in sorted(counts.items())},
        "model": config.model,
        "model_revision": config.revision,
        "prompts": {lang: {"id": t.id, "sha256": t.sha256} for lang, t in config.templates.items()},
    }


class Synthesize(GlobalStage):
    name = NAME
    version = "2"
    Config = SynthesizeConfig
    requires = ("id", "text", "lang", "kind", "quality", "license", "lineage")
    needs = ("text", "kind", "quality", *PARENT_COLUMNS)  # what chunking and the new rows read
    applier_requires = ()  # parents pass as they are
    produces = ("kind", "parent_id", "gen")

    def decide(self, view, ctx: RunContext) -> dict[str, Any]:
        """Chunking streams into the generator actors (their engines load meanwhile), which save
        finished rows to the resume folder; then every saved row, once, goes to `rows/`: the
        documents this stage adds, which the next rows pass writes after the parents."""
        config: SynthesizeConfig = self.config
        key = config.backend.api_key() if isinstance(config.backend, OpenAIBackend) else None
        cache = ctx.resume / "generations"
        cache.mkdir(parents=True, exist_ok=True)
        done, resumed_counts, _ = _resumed(cache)
        counts_dir = ctx.scratch / "synthesize-counts"
        chunks = view.dataset().map_batches(chunk_documents, fn_args=(config,), batch_format="pyarrow")
        generated = self._generate(chunks, cache, counts_dir, done, key)
        for _ in generated.map_batches(_count, batch_format="pyarrow").iter_batches(batch_size=None):
            pass
        out = ctx.decisions / ROWS
        out.mkdir(parents=True, exist_ok=True)
        for n, file in enumerate(_resumed(cache)[2]):
            rows = _read_rows(pa.table({"path": [file["path"]], "again": [file["again"]]}))
            pq.write_table(rows, out / f"synthesize-{n:05d}.parquet", compression="zstd")
        return _final_stats(config, resumed_counts, counts_dir)

    def applier(self, decisions: Path) -> SynthesizeApplier:
        return SynthesizeApplier(self, decisions)

    def new_rows(self, decisions: Path) -> list[Path]:
        return sorted((decisions / ROWS).glob("*.parquet"))

    def _generate(self, chunks, cache: Path, counts_dir: Path, done: pa.Array, key: str | None):
        """The synthetic rows of the chunks not in `done`, generated by the actor pool."""
        from ray.data import ActorPoolStrategy

        config: SynthesizeConfig = self.config
        backend = config.backend
        common = (config, str(cache), str(counts_dir), done)
        if isinstance(backend, OpenAIBackend):
            udf, args = OpenAIGenerator, (*common, key)
            resources = {"num_cpus": backend.num_cpus}
            concurrent = 1  # a call already sends max_concurrency requests at once
        else:
            udf, args = VllmGenerator, common
            resources = {"num_cpus": backend.num_cpus, "num_gpus": backend.num_gpus}
            concurrent = 2  # the next batch is queued in the engine before the last one drains
        # blocks of one batch each: each is a task of its own, so two can run on one actor
        chunks = chunks.repartition(target_num_rows_per_block=backend.batch_size)
        rows = chunks.map_batches(
            udf,
            fn_constructor_args=args,
            batch_size=backend.batch_size,
            batch_format="pyarrow",
            compute=ActorPoolStrategy(
                size=backend.num_actors,
                max_concurrent_calls_per_actor=concurrent,
                enable_true_multi_threading=concurrent > 1,
            ),
            **resources,
        )
        # chunk while the engines load (the runner's default waits for a whole pool before
        # any task starts, which balances its shard pool but idles the CPUs here)
        rows.context.wait_for_min_actors_s = 0
        return rows
