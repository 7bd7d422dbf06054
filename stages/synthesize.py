"""Synthetic Q&A rewriting (global stage): selected documents are cut into chunks by tokens of
the model's tokenizer, each chunk is rewritten into question/answer pairs by an LLM (vLLM
offline batching in Ray actors, or an OpenAI-compatible endpoint) under a JSON schema, and the
valid pairs become new rows.

Output: every input row, kept unchanged (parents stay in the data), plus one row per chunk:
`kind=synthetic`, `parent_id`, `gen` (model, revision, prompt id + sha256, sampling, seed), the
parent's lineage, text = the valid pairs formatted in the document's language. A chunk without
a valid pair is rejected (`synthesize:no_valid_pair`, `:invalid_json`, `:truncated`, ...) with
the raw output as its text; every invalid pair is counted by reason (`pairs_invalid:<reason>`).

Flow: chunking (a Ray Data map) streams into the generator actors (`synth_generate`), which
load their engines meanwhile; they write finished rows to the segment's resume folder and
return counts. The output is the input plus a read of that folder.

Resume: a killed run re-started with the same config generates only the chunks whose rows are
not in the resume folder (chunk ids are stable: parent id, chunk number, prompt id).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schema import conform
from pipeline.stage import GlobalStage, RunContext, with_drop_reason
from stages.synth_config import OpenAIBackend, SynthesizeConfig
from stages.synth_generate import OpenAIGenerator, VllmGenerator, counts_of
from stages.synth_rows import INVALID, NAME, build_rows, chunk_documents, empty_generations, pair_counts


def _keep_parents(batch: pa.Table) -> pa.Table:
    return with_drop_reason(conform(batch), [None] * batch.num_rows)


def _read_rows(batch: pa.Table) -> pa.Table:
    """The synthetic rows of one resume file, without the transient column."""
    return pq.read_table(batch.column("path")[0].as_py()).drop_columns([INVALID])


def _resumed(cache: Path) -> tuple[pa.Array, Counter]:
    """Chunk ids of the rows a killed run left in the resume folder, and their pair counts."""
    ids: list[pa.Array] = []
    counts: Counter = Counter()
    for path in sorted(cache.glob("part-*.parquet")):
        rows = pq.read_table(path, columns=["id", "signals", INVALID])
        ids.extend(rows.column("id").chunks)
        counts.update(pair_counts(rows))
    return pa.chunked_array(ids, pa.string()).combine_chunks(), counts


class Synthesize(GlobalStage):
    name = NAME
    version = "2"
    Config = SynthesizeConfig
    requires = ("id", "text", "lang", "kind", "quality", "license", "lineage")
    produces = ("kind", "parent_id", "gen")

    def run(self, ds, ctx: RunContext):
        import ray.data

        config: SynthesizeConfig = self.config
        key = config.backend.api_key() if isinstance(config.backend, OpenAIBackend) else None
        cache = (ctx.resume or ctx.scratch) / "generations"
        cache.mkdir(parents=True, exist_ok=True)
        done, counts = _resumed(cache)
        started = time.perf_counter()
        # chunking streams into the engines, which load while the first chunks are cut
        chunks = ds.map_batches(chunk_documents, fn_args=(config,), batch_format="pyarrow")
        counts.update(self._generate(chunks, cache, done, key))
        generated = time.perf_counter()
        files = sorted(str(p) for p in cache.glob("part-*.parquet"))
        if files:  # one task per file: read_parquet's listing and footer pass cost 2-5 s here
            rows = ray.data.from_items([{"path": f} for f in files]).map_batches(
                _read_rows, batch_size=1, batch_format="pyarrow"
            )
        else:
            rows = ray.data.from_arrow(build_rows(empty_generations(), config).drop_columns([INVALID]))
        if counts["generate_seconds"]:
            counts["output_tokens_per_second"] = counts["output_tokens"] / counts["generate_seconds"]
        ctx.stats.update(
            {
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in sorted(counts.items())},
                "seconds_chunk_and_generate": round(generated - started, 3),
                "model": config.model,
                "model_revision": config.revision,
                "prompts": {lang: {"id": t.id, "sha256": t.sha256} for lang, t in config.templates.items()},
            }
        )
        parents = ds.map_batches(_keep_parents, batch_format="pyarrow")
        return parents.union(rows)

    def _generate(self, chunks, cache: Path, done: pa.Array, key: str | None) -> Counter:
        from ray.data import ActorPoolStrategy

        config: SynthesizeConfig = self.config
        backend = config.backend
        if isinstance(backend, OpenAIBackend):
            udf, args = OpenAIGenerator, (config, str(cache), done, key)
            resources = {"num_cpus": backend.num_cpus}
            concurrent = 1  # a call already sends max_concurrency requests at once
        else:
            udf, args = VllmGenerator, (config, str(cache), done)
            resources = {"num_cpus": backend.num_cpus, "num_gpus": backend.num_gpus}
            concurrent = 2  # the next batch is queued in the engine before the last one drains
        # blocks of one batch each: each is a task of its own, so two can run on one actor
        chunks = chunks.repartition(target_num_rows_per_block=backend.batch_size)
        stats = chunks.map_batches(
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
        stats.context.wait_for_min_actors_s = 0
        counts = Counter()
        for batch in stats.iter_batches(batch_format="pyarrow", batch_size=None):
            counts.update(counts_of(batch))
        counts["generate_actors"] = backend.num_actors
        return counts
