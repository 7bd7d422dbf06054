"""Synthetic Q&A rewriting (global stage): selected documents are cut into chunks by tokens of
the model's tokenizer, each chunk is rewritten into question/answer pairs by an LLM (vLLM
offline batching in Ray actors, or an OpenAI-compatible endpoint) under a JSON schema, and the
valid pairs become new rows.

Output: every input row, kept unchanged (parents stay in the data), plus one row per chunk:
`kind=synthetic`, `parent_id`, `gen` (model, revision, prompt id + sha256, sampling, seed), the
parent's lineage, text = the valid pairs formatted in the document's language. A chunk without
a valid pair is rejected (`synthesize:no_valid_pair`, `:invalid_json`, `:truncated`, ...) with
the raw output as its text; every invalid pair is counted by reason (`pairs_invalid:<reason>`).

Resume: each generated batch is written to the segment's resume folder before it is counted
done; a killed run re-started with the same config generates only the chunks not found there
(chunk ids are stable: parent id, chunk number, prompt id).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.schema import GEN, RECORD_SCHEMA, SIGNALS, conform
from pipeline.stage import GlobalStage, RunContext, with_drop_reason
from stages.synth_chunks import chunk_text, token_counter
from stages.synth_config import OpenAIBackend, SynthesizeConfig
from stages.synth_generate import STATS_COLUMNS, OpenAIGenerator, VllmGenerator, request_seed
from stages.synth_validate import PairValidator

NAME = "synthesize"
# parent columns a chunk carries into its synthetic row
PARENT_COLUMNS = (
    "source",
    "uri",
    "locator",
    "fetched_at",
    "title",
    "published",
    "lang",
    "lang_score",
    "license",
    "license_evidence",
    "tdm_opt_out",
    "lineage",
)
CHUNK_FIELDS = [
    ("chunk_id", pa.string()),
    ("parent_id", pa.string()),
    ("chunk_index", pa.int32()),
    ("chunk", pa.large_string()),
    ("prompt_lang", pa.string()),
    ("seed", pa.int64()),
    ("skip", pa.string()),  # why a document made no chunk (then chunk_id is null)
]
INVALID = "_invalid"  # transient: JSON of invalid-pair counts of one chunk


def chunk_id(parent_id: str, index: int, prompt_id: str) -> str:
    return hashlib.sha256(f"{parent_id}\x1f{index}\x1f{prompt_id}".encode()).hexdigest()[:32]


def skip_reason(
    config: SynthesizeConfig, kind: str | None, lang: str | None, quality, license_
) -> str | None:
    if kind == "synthetic":
        return "synthetic_input"
    if lang not in config.selected_langs:
        return "lang_not_selected"
    if config.min_quality is not None and (quality is None or quality < config.min_quality):
        return "below_min_quality"
    if config.licenses is not None and license_ not in config.licenses:
        return "license_not_selected"
    return None


def chunk_documents(batch: pa.Table, config: SynthesizeConfig) -> pa.Table:
    """One row per chunk of each selected document, one row per skipped document (`skip`)."""
    counter = token_counter(str(config.tokenizer_file))
    cols = {n: batch.column(n).to_pylist() for n in ("id", "text", "kind", "lang", "quality", "license")}
    take: list[int] = []
    new: dict[str, list] = {name: [] for name, _ in CHUNK_FIELDS}
    for i, doc_id in enumerate(cols["id"]):
        lang = cols["lang"][i]
        reason = skip_reason(config, cols["kind"][i], lang, cols["quality"][i], cols["license"][i])
        chunks = (
            []
            if reason
            else chunk_text(cols["text"][i], counter, config.chunk_tokens, config.min_chunk_tokens)
        )
        if not reason and not chunks:
            reason = "too_short"
        prompt_id = config.templates[lang].id if not reason else None
        for index, chunk in enumerate(chunks or [None]):
            cid = chunk_id(doc_id, index, prompt_id) if chunk is not None else None
            take.append(i)
            for name, value in zip(
                new,
                (
                    cid,
                    doc_id,
                    index,
                    chunk,
                    lang if chunk else None,
                    request_seed(config.seed, cid) if cid else None,
                    reason,
                ),
                strict=True,
            ):
                new[name].append(value)
    out = batch.select(list(PARENT_COLUMNS)).take(pa.array(take, pa.int64()))
    for name, type_ in CHUNK_FIELDS:
        out = out.append_column(name, pa.array(new[name], type_))
    return out


def _pending(batch: pa.Table, done: pa.Array) -> pa.Table:
    ids = batch.column("chunk_id")
    mask = pc.and_(pc.is_valid(ids), pc.invert(pc.is_in(ids, value_set=done)))
    return batch.filter(mask)


def build_rows(gens: pa.Table, config: SynthesizeConfig) -> pa.Table:
    """Synthetic rows (record schema + `drop_reason` + transient invalid counts) from generations."""
    validators = {
        lang: PairValidator(config.rules(), t.instructions(config.num_pairs))
        for lang, t in config.templates.items()
    }
    data = {
        n: gens.column(n).to_pylist()
        for n in (
            "chunk",
            "prompt_lang",
            "output",
            "finish",
            "output_tokens",
            "seed",
            "chunk_id",
            "parent_id",
        )
    }
    texts, reasons, signals, gen, invalid = [], [], [], [], []
    sampling = config.sampling_json()
    for i, output in enumerate(data["output"]):
        lang, finish = data["prompt_lang"][i], data["finish"][i]
        template = config.templates[lang]
        result = None
        if finish == "prompt_too_long":
            reason = f"{NAME}:prompt_too_long"
        elif finish.startswith("http_"):
            reason = f"{NAME}:request_rejected:{finish}"
        else:
            result = validators[lang].validate(output, finish == "length", data["chunk"][i], lang)
            reason = f"{NAME}:{result.error}" if result.error else None
            if not reason and not result.pairs:
                reason = f"{NAME}:no_valid_pair"
        texts.append(template.format_pairs(result.pairs) if reason is None else output)
        reasons.append(reason)
        total = result.total if result else 0
        valid = len(result.pairs) if result else 0
        signals.append(
            [
                ("synth_pairs", float(total)),
                ("synth_pairs_valid", float(valid)),
                ("synth_output_tokens", float(data["output_tokens"][i])),
            ]
        )
        invalid.append(json.dumps(dict(result.invalid)) if result else "{}")
        gen.append(
            {
                "model": config.model,
                "model_revision": config.revision,
                "prompt_id": template.id,
                "prompt_sha256": template.sha256,
                "sampling": sampling,
                "seed": data["seed"][i],
            }
        )
    n = gens.num_rows
    table = gens.select(list(PARENT_COLUMNS)).append_column("id", gens.column("chunk_id"))
    table = table.append_column("parent_id", gens.column("parent_id"))
    table = table.append_column("text", pa.array(texts, pa.large_string()))
    table = table.append_column("content_type", pa.array(["text/plain"] * n, pa.string()))
    table = table.append_column("kind", pa.array(["synthetic"] * n, pa.string()))
    table = table.append_column("signals", pa.array(signals, SIGNALS))
    table = table.append_column("gen", pa.array(gen, GEN))
    table = with_drop_reason(conform(table), reasons)
    return table.append_column(INVALID, pa.array(invalid, pa.string()))


def _survey(chunks, done: set[str]) -> tuple[Counter[str], set[str], int, int]:
    """(skipped documents by reason, selected parent ids, chunks, chunks still to generate)."""
    skipped: Counter[str] = Counter()
    selected: set[str] = set()
    total = pending = 0
    for batch in chunks.select_columns(["skip", "parent_id", "chunk_id"]).iter_batches(
        batch_format="pyarrow"
    ):
        for reason, parent, cid in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            if reason:
                skipped[reason] += 1
            else:
                selected.add(parent)
                total += 1
                pending += cid not in done
    return skipped, selected, total, pending


def _keep_parents(batch: pa.Table) -> pa.Table:
    return with_drop_reason(conform(batch), [None] * batch.num_rows)


def _drop_invalid_column(batch: pa.Table) -> pa.Table:
    return batch.drop_columns([INVALID])


def _cached_ids(cache: Path) -> pa.Array:
    files = sorted(cache.glob("part-*.parquet"))
    ids = [pq.read_table(f, columns=["chunk_id"]).column("chunk_id") for f in files]
    return (
        pa.chunked_array([c for t in ids for c in t.chunks], pa.string()).combine_chunks()
        if ids
        else pa.array([], pa.string())
    )


class Synthesize(GlobalStage):
    name = NAME
    version = "1"
    Config = SynthesizeConfig
    requires = ("id", "text", "lang", "kind", "quality", "license", "lineage")
    produces = ("kind", "parent_id", "gen")

    def run(self, ds, ctx: RunContext):
        import ray.data

        config: SynthesizeConfig = self.config
        key = config.backend.api_key() if isinstance(config.backend, OpenAIBackend) else None
        cache = (ctx.resume or ctx.scratch) / "generations"
        cache.mkdir(parents=True, exist_ok=True)
        done = _cached_ids(cache)
        started = time.perf_counter()
        chunks = ds.map_batches(chunk_documents, fn_args=(config,), batch_format="pyarrow").materialize()
        skipped, selected, chunks_total, pending = _survey(chunks, set(done.to_pylist()))
        todo = chunks.map_batches(_pending, fn_args=(done,), batch_format="pyarrow")
        figures: Counter = Counter()
        chunked = time.perf_counter()
        if pending:
            figures = self._generate(todo, pending, cache, key)
        generated = time.perf_counter()
        files = sorted(str(p) for p in cache.glob("part-*.parquet"))
        if files:
            rows = ray.data.read_parquet(files).map_batches(
                build_rows, fn_args=(config,), batch_format="pyarrow"
            )
            rows = rows.materialize()
        else:
            rows = ray.data.from_arrow(build_rows(_empty_generations(), config))
        pairs = Counter()
        for batch in rows.select_columns([INVALID, "signals", "drop_reason"]).iter_batches(
            batch_format="pyarrow"
        ):
            for counts in batch.column(INVALID).to_pylist():
                pairs.update({f"pairs_invalid:{k}": v for k, v in json.loads(counts).items()})
            for entry in batch.column("signals").to_pylist():
                values = dict(entry)
                pairs["pairs_generated"] += int(values.get("synth_pairs", 0))
                pairs["pairs_valid"] += int(values.get("synth_pairs_valid", 0))
        ctx.stats.update(
            {
                "docs_selected": len(selected),
                **{f"docs_skipped:{k}": v for k, v in sorted(skipped.items())},
                "chunks": chunks_total,
                "chunks_generated": pending,
                "chunks_resumed": chunks_total - pending,
                **dict(pairs),
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()},
                "seconds_chunks": round(chunked - started, 3),
                "seconds_generate": round(generated - chunked, 3),
                "seconds_rows": round(time.perf_counter() - generated, 3),
                "model": config.model,
                "model_revision": config.revision,
                "prompts": {lang: {"id": t.id, "sha256": t.sha256} for lang, t in config.templates.items()},
            }
        )
        parents = ds.map_batches(_keep_parents, batch_format="pyarrow")
        return parents.union(rows.map_batches(_drop_invalid_column, batch_format="pyarrow"))

    def _generate(self, todo, pending: int, cache: Path, key: str | None) -> Counter:
        from ray.data import ActorPoolStrategy

        config: SynthesizeConfig = self.config
        backend = config.backend
        # every engine gets work: smaller batches when there are fewer than num_actors full ones
        batch_size = max(1, min(backend.batch_size, math.ceil(pending / backend.num_actors)))
        actors = max(1, min(backend.num_actors, math.ceil(pending / batch_size)))
        if isinstance(backend, OpenAIBackend):
            udf, args = OpenAIGenerator, (config, str(cache), key)
            resources = {"num_cpus": backend.num_cpus}
        else:
            udf, args = VllmGenerator, (config, str(cache))
            resources = {"num_cpus": backend.num_cpus, "num_gpus": backend.num_gpus}
        stats = todo.map_batches(
            udf,
            fn_constructor_args=args,
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ActorPoolStrategy(min_size=actors, max_size=actors),
            **resources,
        )
        figures: Counter = Counter()
        for row in stats.iter_rows():
            figures.update({k: row[k] for k in STATS_COLUMNS})
        figures["generate_actors"] = actors
        if figures["generate_seconds"]:
            figures["output_tokens_per_second"] = figures["output_tokens"] / figures["generate_seconds"]
        return figures


def _empty_generations() -> pa.Table:
    from stages.synth_generate import OUTPUT_FIELDS

    fields = [RECORD_SCHEMA.field(n) for n in PARENT_COLUMNS] + [
        pa.field(n, t) for n, t in CHUNK_FIELDS + OUTPUT_FIELDS
    ]
    return pa.schema(fields).empty_table()
