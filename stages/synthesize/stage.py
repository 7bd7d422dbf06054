"""Synthetic Q&A rewriting (global stage): selected documents are cut into chunks by tokens of
the model's tokenizer, each chunk is rewritten into question/answer pairs by an LLM (vLLM
offline batching in Ray actors, or an OpenAI-compatible endpoint) under a JSON schema, and the
valid pairs become new rows.

Output: every input row, kept unchanged (parents stay in the data), plus one row per chunk:
`kind=synthetic`, `parent_id`, `gen` (model, revision, prompt id + sha256, sampling, seed), the
parent's lineage, text = the valid pairs formatted in the document's language. A chunk without
a valid pair is rejected (`synthesize:no_valid_pair`, `:invalid_json`, `:truncated`, ...) with
the raw output as its text; every invalid pair is counted by reason (`pairs_invalid:<reason>`).

Flow, all in the runner's one writing pass: chunking (a Ray Data map) streams into the
generator actors (`synth_generate`), which load their engines meanwhile; they save finished
rows to the segment's resume folder, hand them on to be written, and leave their counts in
scratch files that its `finish` (called once the rows are written) sums into the stage's stats.

Resume: a killed run re-started with the same config generates only the chunks whose rows are
not in the resume folder (chunk ids are stable: parent id, chunk number, prompt id).
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline.schema import conform
from datamill.pipeline.stage import GlobalOutput, GlobalStage, RunContext, with_drop_reason
from datamill.stages.synthesize.config import OpenAIBackend, SynthesizeConfig
from datamill.stages.synthesize.generate import OpenAIGenerator, VllmGenerator, counts_in
from datamill.stages.synthesize.rows import INVALID, NAME, chunk_documents, pair_counts


def _keep_parents(batch: pa.Table) -> pa.Table:
    return with_drop_reason(conform(batch), [None] * batch.num_rows)


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
    produces = ("kind", "parent_id", "gen")

    def run(self, ds, ctx: RunContext):
        """Lazy: the runner's writer pulls the parents, the rows a killed run left, and the rows
        the engines generate, all in one pass (the engines load while the first chunks are cut
        and the parents are written)."""
        import ray.data

        config: SynthesizeConfig = self.config
        key = config.backend.api_key() if isinstance(config.backend, OpenAIBackend) else None
        cache = (ctx.resume or ctx.scratch) / "generations"
        cache.mkdir(parents=True, exist_ok=True)
        done, resumed_counts, files = _resumed(cache)
        counts_dir = ctx.scratch / "synthesize-counts"
        chunks = ds.map_batches(chunk_documents, fn_args=(config,), batch_format="pyarrow")
        generated = self._generate(chunks, cache, counts_dir, done, key)
        if files:  # one task per file: read_parquet's listing and footer pass cost 2-5 s here
            resumed = ray.data.from_items(files).map_batches(_read_rows, batch_size=1, batch_format="pyarrow")
            generated = resumed.union(generated)
        rows = ds.map_batches(_keep_parents, batch_format="pyarrow").union(generated)
        return GlobalOutput(rows, finish=partial(_final_stats, config, resumed_counts, counts_dir))

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
