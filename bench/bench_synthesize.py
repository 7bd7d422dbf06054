"""Synthesize stage vs bare `vllm.LLM.generate`: generated tokens per second on the same prompts,
model, sampling parameters and seeds, in the same run.

1. Runs the real pipeline (normalize, langid, synthesize) through the runner on a corpus
   written here (mixed Chinese/English documents) or on `--corpus` (a folder of .txt/.html/...).
2. Rebuilds exactly the prompts and per-request sampling parameters the stage used (same
   chunking, chat template, seeds) and times one bare `LLM.generate` call on them, with the
   same engine arguments. Each measurement runs in a fresh process, one at a time.

Prints tokens/s of both and their ratio, with the stage's time with and without the engine's
load time (the bare figure never includes loading; the stage's time includes chunking and
writing all its output, parents too, which overlap the engines' work), and the ratio over the
time the stage's engines had requests. `--repeat N` repeats the measurements N times, each
repetition in a different order, and prints the median ratios too: on a shared or small
machine one measurement can be off by several percent either way. `--ray-baseline` also times
bare generation inside one Ray task: what running inside a Ray worker costs by itself, apart
from the stage. Without `--model` it builds the tiny random-weight test model and runs vLLM's
CPU build; with a real model folder and a GPU:

    python bench/bench_synthesize.py --model /models/Qwen2.5-7B-Instruct --num-gpus 1 --docs 2000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EN = [
    "The Yangtze is the longest river in China and flows for about 6,300 kilometres.",
    "Ships carry coal, grain and containers on the river every day.",
    "Ray Data runs the same pipeline on one machine or on a cluster of many machines.",
    "Large language models learn from questions, answers, books and web pages.",
    "Data cleaning and deduplication matter as much as the size of a training corpus.",
    "Many cities stand on the banks of the river, and bridges cross it in many places.",
]
ZH = [
    "长江是中国最长的河流，全长约六千三百公里，流经十一个省级行政区。",
    "每天都有船只在长江上运输煤炭、粮食和集装箱。",
    "机器学习模型需要大量高质量的训练数据，数据清洗和去重非常重要。",
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。",
    "分布式计算把一个大任务分给多台机器共同完成，Ray Data 就是这样的工具。",
    "长江在上海附近注入东海，沿岸有重庆、武汉和南京等重要城市。",
]


def write_corpus(folder: Path, docs: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(docs):
        pool = ZH if i % 2 else EN
        paragraphs = [
            "".join(rng.choice(pool) + ("" if pool is ZH else " ") for _ in range(3)) for _ in range(4)
        ]
        (folder / f"doc{i:05d}.txt").write_text("\n\n".join(p.strip() for p in paragraphs), encoding="utf-8")
    return folder


def run_stage(args, model: Path, corpus: Path, work: Path) -> tuple[dict, object]:
    import yaml

    from datamill.pipeline import config as config_mod
    from datamill.pipeline.runner import Runner

    backend = {
        "kind": "vllm",
        "num_gpus": args.num_gpus,
        "num_cpus": args.num_cpus,
        "enforce_eager": args.enforce_eager,
        "max_model_len": args.max_model_len,
    }
    if args.tp:
        backend["tensor_parallel_size"] = args.tp
    if args.batch_size:
        backend["batch_size"] = args.batch_size
    if args.num_gpus == 0:
        backend["kv_cache_memory_bytes"] = args.kv_cache_mb << 20
    synth = {
        "stage": "synthesize",
        "model": str(model),
        "backend": backend,
        "chunk_tokens": args.chunk_tokens,
        "min_chunk_tokens": 8,
        "max_tokens": args.max_tokens,
        "num_pairs": 2,
        "max_question_chars": 80,
        "max_answer_chars": 160,
    }
    run_config = {
        "name": "bench-synthesize",
        "sources": [{"name": "bench", "kind": "files", "paths": [str(corpus)]}],
        "stages": [{"stage": "normalize"}, {"stage": "langid"}, synth],
        "ray": {"object_store_fraction": 0.1},
    }
    path = work / "bench.yaml"
    path.write_text(yaml.safe_dump(run_config, allow_unicode=True), encoding="utf-8")
    config = config_mod.load(path)
    state = Runner(config, work / "run", progress=False).run()
    return state, config


def bare_inputs(config, run_dir: Path, state: dict):
    """The stage's chunks (rebuilt from its first segment's output) and its config."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from datamill.stages.synthesize.rows import chunk_documents

    synth = config.stages[-1].config
    first = run_dir / "stages" / state["segments"][0]["dir"]
    docs = pq.read_table(sorted(first.glob("*.parquet")))
    chunks = chunk_documents(docs, synth)
    return synth, chunks.filter(pc.is_valid(chunks.column("chunk_id")))


def bare_generate(synth, chunks) -> dict:
    """One bare `LLM.generate` over the stage's prompts and sampling parameters."""
    from vllm import LLM

    from datamill.stages.synthesize.generate import (
        chat_messages,
        engine_args,
        render_prompts,
        sampling_params,
        shutdown_engine,
        warm_up,
    )

    started = time.perf_counter()
    llm = LLM(**engine_args(synth))
    warm_up(llm, synth)  # as the stage's actors do while loading
    load = time.perf_counter() - started
    prompts = render_prompts(llm.get_tokenizer(), chat_messages(synth, chunks))
    params = sampling_params(synth, chunks)
    started = time.perf_counter()
    results = llm.generate(prompts, params, use_tqdm=False)
    seconds = time.perf_counter() - started
    shutdown_engine(llm)
    tokens = sum(len(r.outputs[0].token_ids) for r in results)
    return {
        "output_tokens": tokens,
        "seconds": round(seconds, 2),
        "engine_load_seconds": round(load, 2),
        "tokens_per_s": round(tokens / seconds, 1),
    }


def measure_stage(args, model: Path, corpus: Path, work: Path) -> tuple[dict, dict]:
    """One pipeline run in a fresh folder: the stage's figures and the run state."""
    import ray

    work.mkdir(parents=True)
    started = time.perf_counter()
    state, _ = run_stage(args, model, corpus, work)  # the runner starts Ray from the config
    wall = time.perf_counter() - started
    ray.shutdown()
    seg = state["segments"][-1]["stats"]["synthesize"]
    c = seg["counters"]
    seconds = seg["seconds"]
    figures = {
        "output_tokens": c["output_tokens"],
        "chunks": c["chunks"],
        "seconds": round(seconds, 2),
        "engine_load_seconds": round(c["load_seconds"], 2),
        "inside_generate_seconds": round(c["generate_seconds"], 2),
        "tokens_per_s": round(c["output_tokens"] / max(1e-9, seconds - c["load_seconds"]), 1),
        "tokens_per_s_with_load": round(c["output_tokens"] / seconds, 1),
        "pipeline_wall_seconds": round(wall, 1),
    }
    return figures, state


def measure_bare(synth, chunks, ray_config=None) -> dict:
    """Bare generation on the stage's prompts; with `ray_config`, inside one Ray task holding an
    engine's resources (a Ray worker process, as the stage's actors are)."""
    if ray_config is None:
        return bare_generate(synth, chunks)
    import ray
    from ray import cloudpickle

    from datamill.pipeline import ray_session

    ray_session.init(ray_config)  # as the stage's run did
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # this script is no module
    task = ray.remote(num_cpus=synth.backend.num_cpus, num_gpus=synth.backend.num_gpus)(bare_in_ray_worker)
    try:
        return ray.get(task.remote(synth, chunks))
    finally:
        ray.shutdown()


def bare_in_ray_worker(synth, chunks) -> dict:
    from datamill.stages.synthesize.generate import uncap_cpu_threads

    uncap_cpu_threads(synth.backend)  # as the stage's actors do
    return bare_generate(synth, chunks)


def in_child(fn, *args):
    """`fn(*args)` in a fresh process, so no measurement inherits what an earlier one left
    (engine threads, a Ray session) and each engine is gone before the next one loads."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def compare(stage: dict, bare: dict, in_ray: dict | None) -> dict:
    bare_rate = bare["tokens_per_s"]
    ratios = {
        "same_tokens": stage["output_tokens"] == bare["output_tokens"],
        # the whole stage (chunking, writing every row) minus the engines' load time
        "ratio_stage_vs_bare": round(stage["tokens_per_s"] / bare_rate, 3),
        "ratio_with_load": round(stage["tokens_per_s_with_load"] / bare_rate, 3),
        # tokens/s while the stage's engines had requests
        "ratio_engine_busy_vs_bare": round(bare["seconds"] / max(1e-9, stage["inside_generate_seconds"]), 3),
    }
    if in_ray is not None:
        # what running inside Ray costs by itself, and the stage against that
        ratios["ratio_ray_worker_vs_bare"] = round(in_ray["tokens_per_s"] / bare_rate, 3)
        ratios["ratio_stage_vs_ray_worker"] = round(stage["tokens_per_s"] / in_ray["tokens_per_s"], 3)
        ratios["ratio_engine_busy_vs_ray_worker"] = round(
            in_ray["seconds"] / max(1e-9, stage["inside_generate_seconds"]), 3
        )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="model folder (default: build the tiny random-weight test model)")
    parser.add_argument("--corpus", help="folder of documents (default: write --docs documents)")
    parser.add_argument("--docs", type=int, default=64)
    parser.add_argument("--num-gpus", type=int, default=0, help="GPUs per engine (0: vLLM's CPU build)")
    parser.add_argument("--num-cpus", type=float, default=1.0, help="CPUs Ray reserves per engine")
    parser.add_argument("--tp", type=int, default=None, help="tensor parallel size")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the stage's")
    parser.add_argument("--chunk-tokens", type=int, default=256)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--max-model-len", type=int, default=1024)
    parser.add_argument("--kv-cache-mb", type=int, default=256, help="KV cache on the CPU build")
    parser.add_argument("--enforce-eager", action="store_true", help="no graph capture/compilation")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repetitions of the measurements, each starting with the next one (stage, bare, "
        "...); the median ratios are printed beside each repetition's",
    )
    parser.add_argument(
        "--ray-baseline",
        action="store_true",
        help="also time bare generation inside one Ray task: what Ray's presence costs by itself",
    )
    args = parser.parse_args()

    from datamill.pipeline import config as config_mod

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        work = Path(tmp)
        if args.model:
            model = Path(args.model)
        else:
            sys.path.insert(0, str(ROOT / "tests"))
            from llm_fixtures import build_tiny_model

            model = build_tiny_model(work / "tiny-model")
            args.enforce_eager = True
        corpus = Path(args.corpus) if args.corpus else write_corpus(work / "corpus", args.docs)
        first = work / "run-0"
        stage, state = in_child(measure_stage, args, model, corpus, first)
        config = config_mod.load(first / "bench.yaml")
        synth, chunks = bare_inputs(config, first / "run", state)  # once, for every bare run
        jobs = {
            "stage": lambda i: in_child(measure_stage, args, model, corpus, work / f"run-{i}")[0],
            "bare": lambda i: in_child(measure_bare, synth, chunks),
        }
        if args.ray_baseline:
            jobs["in_ray"] = lambda i: in_child(measure_bare, synth, chunks, config.ray)
        runs = []
        for i in range(args.repeat):  # each repetition starts with the next measurement
            names = list(jobs)
            names = names[i % len(names) :] + names[: i % len(names)]
            got = {name: stage if (i, name) == (0, "stage") else jobs[name](i) for name in names}
            runs.append(
                {
                    "stage": got["stage"],
                    "bare_generate": got["bare"],
                    **({"bare_in_ray_worker": got["in_ray"]} if "in_ray" in got else {}),
                    **compare(got["stage"], got["bare"], got.get("in_ray")),
                }
            )
    report = {
        "model": str(model) if args.model else "tiny random-weight Qwen2 (CPU build)",
        "documents": state["totals"]["docs_in"],
        "chunks": stage["chunks"],
        "runs": runs,
    }
    if len(runs) > 1:
        report["median"] = {
            key: round(statistics.median(r[key] for r in runs), 3)
            for key in runs[0]
            if key.startswith("ratio_")
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
