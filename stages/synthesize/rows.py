"""The rows of the synthesize stage: chunk rows in (`chunk_documents`), synthetic rows out
(`build_rows`), and the counts both carry (`survey`, `pair_counts`).

Chunk ids are stable (parent id, chunk number, prompt id), so a resumed run finds the chunks it
already generated; each chunk's sampling seed derives from its id and the configured seed, so
it is the same whatever batch or engine the chunk lands in.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from datamill.pipeline.schema import GEN, RECORD_SCHEMA, SIGNALS, conform
from datamill.pipeline.stage import with_drop_reason
from datamill.stages.synthesize.chunks import chunk_text, token_counter
from datamill.stages.synthesize.config import SynthesizeConfig
from datamill.stages.synthesize.validate import PairValidator

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
OUTPUT_FIELDS = [
    ("output", pa.large_string()),
    ("finish", pa.string()),  # stop, length, prompt_too_long, http_<status>
    ("prompt_tokens", pa.int64()),
    ("output_tokens", pa.int64()),
]
INVALID = "_invalid"  # transient: JSON of invalid-pair counts of one chunk


def chunk_id(parent_id: str, index: int, prompt_id: str) -> str:
    return hashlib.sha256(f"{parent_id}\x1f{index}\x1f{prompt_id}".encode()).hexdigest()[:32]


def request_seed(seed: int, chunk_id: str) -> int:
    """Per-request seed: the same chunk gets the same seed whatever batch it lands in."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{chunk_id}".encode()).digest()[:7], "big")


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


def survey(chunks: pa.Table, done: pa.Array) -> tuple[Counter, pa.Table]:
    """Counts of a batch of chunk rows (documents skipped by reason, documents selected, chunks,
    chunks already generated) and the rows still to generate."""
    counts: Counter = Counter()
    skips = chunks.column("skip").combine_chunks()
    for item in pc.value_counts(skips.drop_null()).to_pylist():
        counts[f"docs_skipped:{item['values']}"] += item["counts"]
    ids = chunks.column("chunk_id")
    valid = pc.is_valid(ids)
    # every selected document has exactly one chunk 0, wherever its chunks are batched
    counts["docs_selected"] += pc.sum(pc.and_(valid, pc.equal(chunks.column("chunk_index"), 0))).as_py() or 0
    resumed = pc.and_(valid, pc.is_in(ids, value_set=done))
    counts["chunks"] += pc.sum(valid).as_py() or 0
    counts["chunks_resumed"] += pc.sum(resumed).as_py() or 0
    todo = chunks.filter(pc.and_(valid, pc.invert(resumed)))
    counts["chunks_generated"] += todo.num_rows
    return counts, todo


def build_rows(gens: pa.Table, config: SynthesizeConfig) -> pa.Table:
    """Synthetic rows (record schema + `drop_reason` + transient invalid counts) from generations."""
    validators = {
        lang: PairValidator(config.rules(), t.instructions(config.num_pairs))
        for lang, t in config.templates.items()
    }
    data = {
        n: gens.column(n).to_pylist()
        for n in ("chunk", "prompt_lang", "output", "finish", "output_tokens", "seed")
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


def pair_counts(rows: pa.Table) -> Counter:
    """Pairs generated, valid, and invalid by reason, over rows made by `build_rows`."""
    counts: Counter = Counter()
    signals = rows.column("signals")
    for key, name in (("synth_pairs", "pairs_generated"), ("synth_pairs_valid", "pairs_valid")):
        counts[name] += int(pc.sum(pc.map_lookup(signals, key, "first")).as_py() or 0)
    for item in pc.value_counts(rows.column(INVALID).combine_chunks()).to_pylist():
        for reason, n in json.loads(item["values"]).items():
            counts[f"pairs_invalid:{reason}"] += n * item["counts"]
    return counts


def empty_generations() -> pa.Table:
    fields = [RECORD_SCHEMA.field(n) for n in PARENT_COLUMNS] + [
        pa.field(n, t) for n, t in CHUNK_FIELDS + OUTPUT_FIELDS
    ]
    return pa.schema(fields).empty_table()


def empty_rows(config: SynthesizeConfig) -> pa.Table:
    """No synthetic rows, with their columns."""
    return build_rows(empty_generations(), config).drop_columns([INVALID])
