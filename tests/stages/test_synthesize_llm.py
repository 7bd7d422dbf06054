"""Synthesize end to end on vLLM's CPU build with a tiny random-weight model built here: the
real pipeline (normalize, langid, synthesize) through the runner, resumed from the state a
killed run leaves, and the OpenAI-compatible backend against a real vLLM server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from llm_fixtures import build_tiny_model

from datamill.pipeline import outputs
from datamill.pipeline.config import parse
from datamill.pipeline.runner import plan_segments
from datamill.pipeline.verify import verify
from datamill.stages.synthesize.rows import OUTPUT_FIELDS, build_rows, chunk_documents, request_seed

pytest.importorskip("vllm", reason="vLLM is not installed (pip install -e '.[cpu-llm]')")

ENGINE = {
    "kind": "vllm",
    "num_gpus": 0,
    "num_cpus": 1,
    "enforce_eager": True,
    "kv_cache_memory_bytes": 64 << 20,
    "max_model_len": 1024,
    "batch_size": 4,
    "flush_every": 3,  # finished generations saved mid-batch too
}
# permissive checks: a random-weight model's pairs are not grounded; the checks themselves are
# tested exactly in test_synthesize.py
SYNTH = {
    "chunk_tokens": 48,
    "min_chunk_tokens": 8,
    "num_pairs": 2,
    "max_question_chars": 40,
    "max_answer_chars": 60,
    "max_tokens": 400,
    "min_overlap": 0,
    "min_language_share": 0,
}
DOCS = {
    "en.txt": "The Yangtze is the longest river in China. It flows for about 6,300 kilometres.\n\n"
    "The river crosses eleven provinces before it reaches the sea near Shanghai. Many cities stand on "
    "its banks, and bridges cross it in many places.\n\n"
    "Ships carry coal, grain and containers on the river every day. Large language models learn from text.",
    "zh.txt": "长江是中国最长的河流，全长约六千三百公里，流经十一个省级行政区。\n\n"
    "长江在上海附近注入东海。沿岸有许多重要城市，例如重庆、武汉和南京。\n\n"
    "每天都有船只在长江上运输煤炭、粮食和集装箱。机器学习模型需要大量高质量的训练数据。\n\n"
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。数据清洗和去重非常重要。",
    "fr.txt": "Le Yangtsé est le plus long fleuve de Chine. Il traverse onze provinces avant la mer.",
    "short.txt": "长江是中国的河流。",
}
KEY = "sk-datamill-test-7f3a9c"
ALLOWED_REJECTIONS = {"synthesize:no_valid_pair"}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("llm") / "tiny-qwen2")


def _config(tiny_model: Path, inputs: Path, synthesize: dict | None) -> dict:
    stages = [{"stage": "normalize"}, {"stage": "langid"}]
    if synthesize is not None:
        stages.append({"stage": "synthesize", **synthesize})
    return {
        "name": "synth",
        "sources": [{"name": "docs", "kind": "files", "paths": [str(inputs)]}],
        "stages": stages,
    }


def _write_docs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _check_schema(text: str, max_pairs: int, max_q: int, max_a: int) -> None:
    data = json.loads(text)
    assert set(data) == {"pairs"} and 1 <= len(data["pairs"]) <= max_pairs
    for pair in data["pairs"]:
        assert set(pair) == {"question", "answer"}
        assert 1 <= len(pair["question"]) <= max_q and 1 <= len(pair["answer"]) <= max_a


def _seed_resume_cache(run_dir: Path, config, docs: pa.Table) -> tuple[dict[str, str], pa.Table]:
    """Leave what a run killed after generating three chunks leaves: their batch in the segment's
    resume folder under the segment's fingerprint. Returns the expected text per chunk id."""
    synth = config.stages[-1].config
    chunks = chunk_documents(docs, synth)
    chunks = chunks.filter(pc.is_valid(chunks.column("chunk_id")))
    zh = chunks.filter(pc.equal(chunks.column("lang"), "zh")).slice(0, 2)
    en = chunks.filter(pc.equal(chunks.column("lang"), "en")).slice(0, 1)
    done = pa.concat_tables([zh, en])
    first_zh = zh.column("chunk").to_pylist()[0].split("，")[0]
    outputs_ = [
        json.dumps({"pairs": [{"question": "长江有多长？", "answer": first_zh}]}, ensure_ascii=False),
        json.dumps(
            {"pairs": [{"question": "长江?", "answer": "很长。"}]}, ensure_ascii=False
        ),  # question too short
        json.dumps({"pairs": [{"question": "How long is the Yangtze?", "answer": "About 6,300 km."}]}),
    ]
    for (name, type_), values in zip(
        OUTPUT_FIELDS, (outputs_, ["stop"] * 3, [100] * 3, [20] * 3), strict=True
    ):
        done = done.append_column(name, pa.array(values, type_))
    segment = next(s for s in plan_segments(config) if s.is_global)
    folder = run_dir / "decisions" / f"{segment.index:02d}-synthesize"
    (folder / "_shards").mkdir(parents=True)
    (folder / "_fingerprint").write_text(segment.fingerprint + "\n")
    (folder / ".resume" / "generations").mkdir(parents=True)
    rows = build_rows(done, synth)
    pq.write_table(rows, folder / ".resume" / "generations" / "part-killed-run.parquet")
    # a call retried after saving some rows saves them again: read once
    pq.write_table(rows.slice(0, 2), folder / ".resume" / "generations" / "part-retried.parquet")
    ids = done.column("chunk_id").to_pylist()
    expected = {
        ids[0]: f"问：长江有多长？\n答：{first_zh}",
        ids[2]: "Question: How long is the Yangtze?\nAnswer: About 6,300 km.",
    }
    return expected, chunks, ids[1]


def test_vllm_stage_resumes_a_killed_run_and_writes_provenance(run, tmp_path, tiny_model):
    inputs = _write_docs(tmp_path / "in")
    run_dir = tmp_path / "run"
    run(_config(tiny_model, inputs, None))  # the fused part, as a killed run left it
    docs = outputs.kept(run_dir)
    assert sorted(docs.column("lang").to_pylist()) == ["en", "fr", "zh", "zh"]
    synth = {"model": str(tiny_model), "backend": ENGINE, **SYNTH}
    config = parse(_config(tiny_model, inputs, synth), "synth.yaml", tmp_path)
    expected_text, chunks, rejected_id = _seed_resume_cache(run_dir, config, docs)
    total = chunks.num_rows

    state = run(_config(tiny_model, inputs, synth))

    segment = state["segments"][-1]
    stats = segment["stats"]["synthesize"]
    counters = stats["counters"]
    assert counters["docs_selected"] == 2
    assert counters["docs_skipped:lang_not_selected"] == 1 and counters["docs_skipped:too_short"] == 1
    assert (counters["chunks"], counters["chunks_resumed"], counters["chunks_generated"]) == (
        total,
        3,
        total - 3,
    )
    invalid = {k: v for k, v in counters.items() if k.startswith("pairs_invalid:")}
    assert counters["pairs_generated"] == counters["pairs_valid"] + sum(invalid.values())
    assert invalid.get("pairs_invalid:question_too_short", 0) >= 1
    assert counters["output_tokens"] > 0 and counters["load_seconds"] > 0
    assert set(stats["rejected_by_reason"]) <= ALLOWED_REJECTIONS  # never truncated / invalid JSON
    assert segment["prompts"]["zh"]["id"] == "qa_zh_v1" and segment["model"] == str(tiny_model)
    assert not (run_dir / state["segments"][-2]["dir"] / ".resume").exists()

    kept = outputs.kept(run_dir).to_pylist()
    rejected = outputs.rejected(run_dir, "synthesize").to_pylist()
    natural = [r for r in kept if r["kind"] == "natural"]
    assert sorted(r["text"] for r in natural) == sorted(docs.column("text").to_pylist())
    synthetic = [r for r in kept if r["kind"] == "synthetic"]
    every = synthetic + rejected
    assert sorted(r["id"] for r in every) == sorted(chunks.column("chunk_id").to_pylist())  # nothing lost
    parents = {r["id"]: r for r in natural}
    templates = config.stages[-1].config.templates
    synth_config = config.stages[-1].config
    for row in every:
        parent = parents[row["parent_id"]]
        assert row["kind"] == "synthetic" and row["lang"] == parent["lang"] and row["uri"] == parent["uri"]
        assert row["gen"] == {
            "model": str(tiny_model),
            "model_revision": synth_config.revision,
            "prompt_id": templates[row["lang"]].id,
            "prompt_sha256": templates[row["lang"]].sha256,
            "sampling": synth_config.sampling_json(),
            "seed": request_seed(0, row["id"]),
        }
        lineage = [(e["stage"], e["decision"]) for e in row["lineage"]]
        decision = "kept" if row in synthetic else "rejected"
        assert lineage == [
            ("ingest", "kept"),
            ("normalize", "kept"),
            ("langid", "kept"),
            ("synthesize", decision),
        ]
    for row in synthetic:
        label, answer = ("问：", "\n答：") if row["lang"] == "zh" else ("Question: ", "\nAnswer: ")
        assert row["text"].startswith(label)
        assert row["text"].count(answer) == dict(row["signals"])["synth_pairs_valid"] >= 1
        if row["id"] in expected_text:
            assert row["text"] == expected_text[row["id"]]
    assert {r["id"] for r in synthetic} >= set(expected_text)
    assert rejected_id in {r["id"] for r in rejected}
    for row in rejected:
        assert row["drop_reason"] == "synthesize:no_valid_pair" and row["drop_stage"] == "synthesize"
        _check_schema(row["text"], 2, 40, 60)  # the raw output, as structured decoding produced it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(tiny_model, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(tiny_model), "--served-model-name", "tiny",
        "--host", "127.0.0.1", "--port", str(port), "--api-key", KEY,
        "--enforce-eager", "--max-model-len", "1024", "--kv-cache-memory-bytes", str(64 << 20),
        "--structured-outputs-config", json.dumps({"backend": "guidance", "disable_any_whitespace": True}),
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 300
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"vLLM server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
            request = urllib.request.Request(url + "/models", headers={"Authorization": f"Bearer {KEY}"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("vLLM server did not start in 300 s")
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()


def test_openai_backend_against_a_vllm_server(run, tmp_path, tiny_model, vllm_server, monkeypatch, capfd):
    import ray

    monkeypatch.setenv("DATAMILL_TEST_LLM_KEY", KEY)
    inputs = _write_docs(tmp_path / "in")
    backend = {
        "kind": "openai",
        "base_url": vllm_server,
        "api_key_env": "DATAMILL_TEST_LLM_KEY",
        "max_model_len": 1024,
        "max_concurrency": 4,
        "batch_size": 8,
        "timeout_seconds": 120,
    }
    synth = {"model": "tiny", "tokenizer": str(tiny_model), "backend": backend, **SYNTH}
    state = run(_config(tiny_model, inputs, synth))
    counters = state["segments"][-1]["stats"]["synthesize"]["counters"]
    stats = state["segments"][-1]["stats"]["synthesize"]
    assert counters["chunks_generated"] == counters["chunks"] > 0 and counters["output_tokens"] > 0
    assert set(stats["rejected_by_reason"]) <= ALLOWED_REJECTIONS
    kept = outputs.kept(tmp_path / "run")
    synthetic = [r for r in kept.to_pylist() if r["kind"] == "synthetic"]
    rejected = outputs.rejected(tmp_path / "run", "synthesize").to_pylist()
    assert len(synthetic) + len(rejected) == counters["chunks"]
    assert all(
        r["gen"]["model"] == "tiny" and r["gen"]["model_revision"] is None for r in synthetic + rejected
    )
    for row in rejected:
        _check_schema(row["text"], 2, 40, 60)
    # the key is in no output, no run.json, no log
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    session = Path(ray._private.worker._global_node.get_session_dir_path()) / "logs"
    for path in session.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    out, err = capfd.readouterr()
    assert KEY not in out + err


GENERATOR_TITLE = "ray::MapWorker(MapBatches(VllmGenerator))"


def _kill_generator_once_rows_are_saved(run_dir: Path, killed: dict, stop: threading.Event) -> None:
    """SIGKILL the vLLM generator actor (found by its process title among this process's
    descendants) once it has saved some finished generations, recording how many."""
    me = psutil.Process()
    while not stop.is_set():
        parts = list(run_dir.glob("decisions/*-synthesize/.resume/generations/part-*.parquet"))
        if parts:
            for proc in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if " ".join(proc.cmdline()).startswith(GENERATOR_TITLE):
                        killed["saved"] = sum(pq.read_metadata(p).num_rows for p in parts)
                        proc.kill()
                        return
        time.sleep(0.05)


def test_a_killed_generator_actor_costs_nothing(run, tmp_path, tiny_model):
    """A vLLM generator actor SIGKILLed after it saved some generations (issue 20): Ray restarts
    it, the rest is generated, and every chunk leaves once, kept or rejected."""
    inputs = _write_docs(tmp_path / "in")
    run_dir = tmp_path / "run"
    short = {"num_pairs": 1, "max_question_chars": 20, "max_answer_chars": 20}  # shorter generations
    synth = {"model": str(tiny_model), "backend": {**ENGINE, "flush_every": 1}, **SYNTH, **short}
    killed: dict = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_kill_generator_once_rows_are_saved, args=(run_dir, killed, stop))
    watcher.start()
    try:
        state = run(_config(tiny_model, inputs, synth))
    finally:
        stop.set()
        watcher.join()

    counters = state["segments"][-1]["stats"]["synthesize"]["counters"]
    total = counters["chunks"]
    assert "saved" in killed, "the generator finished before it could be killed"
    assert 1 <= killed["saved"] < total  # killed mid-generation: the rest came after a restart
    assert counters["chunks_generated"] == total and "chunks_resumed" not in counters
    synthetic = [r for r in outputs.kept(run_dir).to_pylist() if r["kind"] == "synthetic"]
    rejected = outputs.rejected(run_dir, "synthesize").to_pylist()
    ids = sorted(r["id"] for r in synthetic + rejected)
    assert len(ids) == len(set(ids)) == total  # nothing lost, nothing twice
    assert {r["drop_reason"] for r in rejected} <= ALLOWED_REJECTIONS
    assert verify(run_dir)[0] == []
