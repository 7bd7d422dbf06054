"""Synthesize stage without an engine: chunking, pair validation, templates, start-up checks,
chunk selection, row building, and the OpenAI-compatible client against a local HTTP server."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from llm_fixtures import build_tokenizer

from datamill.pipeline.config import ConfigError, parse
from datamill.pipeline.schema import WORKING_SCHEMA, conform
from datamill.stages.synthesize.chunks import TokenCounter, chunk_text
from datamill.stages.synthesize.config import REPO_ROOT, SynthesizeConfig
from datamill.stages.synthesize.generate import ChatClient, EndpointError, RequestRejected
from datamill.stages.synthesize.prompts import PromptTemplate, TemplateError
from datamill.stages.synthesize.rows import build_rows, chunk_documents, chunk_id, request_seed
from datamill.stages.synthesize.validate import (
    PairRules,
    PairValidator,
    grounding,
    language_share,
    overlap_units,
)

ZH = "长江是中国最长的河流，全长约六千三百公里。长江流经十一个省级行政区，在上海附近注入东海。"
EN = "The Yangtze is the longest river in China. It flows for about 6,300 kilometres to the sea."


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return build_tokenizer(tmp_path_factory.mktemp("tok") / "tiny")


@pytest.fixture(scope="module")
def counter(model_dir) -> TokenCounter:
    return TokenCounter(model_dir / "tokenizer.json")


def make_config(model_dir: Path, **overrides) -> SynthesizeConfig:
    data = {
        "model": str(model_dir),
        "chunk_tokens": 64,
        "min_chunk_tokens": 8,
        "backend": {"kind": "vllm", "num_gpus": 0},
        **overrides,
    }
    return SynthesizeConfig.model_validate(data)


# -- chunking ---------------------------------------------------------------------------------


def test_chunks_pack_whole_paragraphs_within_the_token_budget(counter):
    paragraphs = [
        EN,
        ZH,
        "Ships carry coal, grain and containers on the river.",
        "船只每天在长江上运输煤炭。",
    ]
    sizes = counter.count(paragraphs)
    budget = sizes[0] + 1 + sizes[1]  # the first two fit together, the third does not
    chunks = chunk_text("\n\n".join(paragraphs), counter, budget, 1)
    assert chunks[0] == EN + "\n" + ZH
    assert "\n".join(chunks) == "\n".join(paragraphs)
    assert all(n <= budget for n in counter.count(chunks))


def test_long_paragraph_is_cut_at_sentence_ends_cjk_and_latin(counter):
    sentences = ["长江是中国最长的河流。", "船只每天在长江上运输煤炭。", "北京是中华人民共和国的首都。"]
    budget = max(counter.count(sentences)) + 1
    chunks = chunk_text("".join(sentences), counter, budget, 1)
    assert chunks == sentences
    halves = ["The Yangtze is the longest river in China.", "It flows for about 6,300 kilometres to the sea."]
    english = chunk_text(EN, counter, max(counter.count(halves)) + 1, 1)
    assert english == [
        "The Yangtze is the longest river in China.",
        "It flows for about 6,300 kilometres to the sea.",
    ]


def test_sentence_longer_than_a_chunk_is_cut_by_tokens_and_short_documents_make_no_chunk(counter):
    text = "word " * 50
    chunks = chunk_text(text, counter, 10, 1)
    assert all(n <= 10 for n in counter.count(chunks))
    assert "".join(chunks).split() == text.split()
    assert chunk_text("长江。", counter, 64, 8) == []
    assert chunk_text("", counter, 64, 1) == []


# -- validation -------------------------------------------------------------------------------

RULES = PairRules(
    num_pairs=3,
    min_question_chars=4,
    max_question_chars=80,
    min_answer_chars=4,
    max_answer_chars=120,
    min_overlap=0.5,
    min_language_share=0.5,
)


def test_cjk_aware_units_overlap_and_language_share():
    assert overlap_units("Ray Data 是分布式") == {"ray", "data", "是分", "分布", "布式"}
    assert overlap_units("河") == {"河"}
    assert language_share("Ray Data 是一个分布式数据处理库", "zh") == pytest.approx(11 / 13)
    assert language_share("Ray Data is a library", "zh") == 0.0
    assert language_share("12345", "en") is None
    assert grounding("全长约六千三百公里", overlap_units(ZH)) == 1.0
    assert grounding("长江全长约六千三百公里", overlap_units(ZH)) == pytest.approx(
        9 / 10
    )  # 江全 is not in it


def test_each_invalid_pair_is_counted_by_reason():
    template = PromptTemplate.load(REPO_ROOT / "configs/prompts/qa_zh.yaml")
    validator = PairValidator(RULES, template.instructions(3))
    pairs = [
        {"question": "长江有多长？", "answer": "长江全长约六千三百公里。"},  # valid
        {"question": "长江有多长？", "answer": "长江全长约六千三百公里。"},  # duplicate_question
        {"question": "长江在哪里入海？", "answer": "长江在上海附近注入东海。"},  # valid
        {"question": " ", "answer": "长江在上海附近注入东海。"},  # empty
        {"question": "长江？", "answer": "长江在上海附近注入东海。"},  # question_too_short (3 chars)
        {"question": "长江流经哪些省？", "answer": "长江" * 61},  # answer_too_long
        {"question": "长江流经几个省？", "answer": "长江流经几个省？"},  # answer_repeats_question
        {"question": "这段话说了什么？", "answer": "只用 JSON 回复"},  # copy_of_prompt
        {"question": "How long is the river?", "answer": "About 6,300 kilometres long."},  # wrong_language
        {"question": "黄河有多长？", "answer": "黄河全长约五千四百公里。"},  # not_grounded
        {"question": 3},  # schema_mismatch
    ]
    result = validator.validate(json.dumps({"pairs": pairs}, ensure_ascii=False), False, ZH, "zh")
    assert result.pairs == [
        ("长江有多长？", "长江全长约六千三百公里。"),
        ("长江在哪里入海？", "长江在上海附近注入东海。"),
    ]
    assert dict(result.invalid) == {
        "duplicate_question": 1,
        "empty": 1,
        "question_too_short": 1,
        "answer_too_long": 1,
        "answer_repeats_question": 1,
        "copy_of_prompt": 1,
        "wrong_language": 1,
        "not_grounded": 1,
        "schema_mismatch": 1,
    }
    assert result.total == 11 and result.error is None


def test_whole_output_errors():
    validator = PairValidator(RULES, "instructions")
    assert validator.validate('{"pairs": [', True, EN, "en").error == "truncated"
    assert validator.validate('{"pairs": [', False, EN, "en").error == "invalid_json"
    assert validator.validate('{"items": []}', False, EN, "en").error == "schema_mismatch"


# -- templates and start-up checks --------------------------------------------------------------


def test_bundled_templates_load_with_ids_sha256_and_pair_format():
    for lang, name in (("en", "qa_en.yaml"), ("zh", "qa_zh.yaml")):
        path = REPO_ROOT / "configs/prompts" / name
        template = PromptTemplate.load(path)
        assert template.lang == lang and template.id == f"qa_{lang}_v1"
        assert template.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        user = template.messages("CHUNK-TEXT", 3)[1]["content"]
        assert "CHUNK-TEXT" in user and "3" in user and "{" in user  # literal JSON braces survive
    zh = PromptTemplate.load(REPO_ROOT / "configs/prompts/qa_zh.yaml")
    assert zh.format_pairs([("长江有多长？", "约六千三百公里。"), ("在哪里入海？", "东海。")]) == (
        "问：长江有多长？\n答：约六千三百公里。\n\n问：在哪里入海？\n答：东海。"
    )


def _template(tmp_path: Path, user: str) -> Path:
    path = tmp_path / "t.yaml"
    data = {
        "id": "t1",
        "lang": "en",
        "system": "s",
        "user": user,
        "pair_format": "Q: {question}\nA: {answer}",
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_template_placeholders_are_checked(tmp_path):
    with pytest.raises(TemplateError, match=r"missing placeholder\(s\) \{chunk\}"):
        PromptTemplate.load(_template(tmp_path, "Write {num_pairs} pairs."))
    with pytest.raises(TemplateError, match=r"unknown placeholder\(s\) \{text\}"):
        PromptTemplate.load(_template(tmp_path, "{num_pairs} {chunk} {text}"))


def _parse(tmp_path: Path, **stage) -> None:
    data = {
        "name": "t",
        "sources": [{"name": "s", "kind": "jsonl", "paths": ["."]}],
        "stages": [{"stage": "synthesize", **stage}],
    }
    parse(data, "run.yaml", tmp_path)


CPU = {"kind": "vllm", "num_gpus": 0}


def test_start_up_errors_name_the_key(tmp_path, model_dir):
    with pytest.raises(ConfigError, match=r"\(synthesize\).*model: no model folder at .*missing-model"):
        _parse(tmp_path, model="missing-model", backend=CPU)
    template = _template(tmp_path, "Write {num_pairs} pairs.")
    with pytest.raises(ConfigError, match=r"prompts\.en: .*missing placeholder\(s\) \{chunk\}"):
        _parse(tmp_path, model=str(model_dir), prompts={"en": str(template)}, backend=CPU)
    with pytest.raises(ConfigError, match=r"chunk_tokens: prompt 'en' .* exceeds the model's context of 512"):
        _parse(
            tmp_path,
            model=str(model_dir),
            chunk_tokens=400,
            max_tokens=200,
            backend={**CPU, "max_model_len": 512},
        )
    with pytest.raises(ConfigError, match=r"tokenizer: required with the openai backend"):
        _parse(
            tmp_path,
            model="m",
            backend={"kind": "openai", "base_url": "http://127.0.0.1:1/v1", "max_model_len": 4096},
        )
    with pytest.raises(ConfigError, match=r"langs: no prompt template for \['fr'\]"):
        _parse(tmp_path, model=str(model_dir), langs=["fr"], backend=CPU)


def test_engine_arguments_for_the_cpu_build_and_for_gpus(model_dir):
    from datamill.stages.synthesize.generate import engine_args

    cpu = engine_args(
        make_config(model_dir, max_tokens=256, backend={**CPU, "kv_cache_memory_bytes": 64 << 20})
    )
    assert cpu["enable_chunked_prefill"] is False and cpu["max_num_batched_tokens"] == 4096
    assert cpu["kv_cache_memory_bytes"] == 64 << 20 and cpu["tensor_parallel_size"] == 1
    assert cpu["structured_outputs_config"] == {"backend": "guidance", "disable_any_whitespace": True}
    gpu = engine_args(make_config(model_dir, max_tokens=256, backend={"kind": "vllm", "num_gpus": 4}))
    assert gpu["tensor_parallel_size"] == 4 and gpu["distributed_executor_backend"] == "mp"
    assert "enable_chunked_prefill" not in gpu and gpu["model"] == str(model_dir.resolve())


def test_missing_api_key_variable_stops_the_stage_before_any_request(model_dir, monkeypatch):
    from datamill.stages.synthesize.stage import Synthesize

    monkeypatch.delenv("DATAMILL_NO_SUCH_KEY", raising=False)
    backend = {"kind": "openai", "base_url": "http://127.0.0.1:1/v1", "max_model_len": 4096}
    config = make_config(
        model_dir,
        model="m",
        tokenizer=str(model_dir),
        backend={**backend, "api_key_env": "DATAMILL_NO_SUCH_KEY"},
    )
    with pytest.raises(
        ConfigError, match=r"api_key_env: environment variable DATAMILL_NO_SUCH_KEY is not set"
    ):
        Synthesize(config).decide(None, None)


def test_relative_model_path_resolves_against_the_config_folder(tmp_path, model_dir):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny").symlink_to(model_dir)
    config = parse(
        {
            "name": "t",
            "sources": [{"name": "s", "kind": "jsonl", "paths": ["."]}],
            "stages": [{"stage": "synthesize", "model": "models/tiny", "max_tokens": 256, "backend": CPU}],
        },
        "run.yaml",
        tmp_path,
    )
    synth = config.stages[0].config
    assert synth.model_dir == model_dir.resolve()
    assert synth.templates["zh"].id == "qa_zh_v1"
    assert synth.revision.startswith("sha256:")


# -- selection, chunk rows, synthetic rows -----------------------------------------------------


def _docs() -> pa.Table:
    rows = [
        {
            "id": "d-zh",
            "text": ZH + "\n\n" + ZH,
            "lang": "zh",
            "kind": "natural",
            "quality": 0.9,
            "license": "CC-BY-4.0",
        },
        {"id": "d-en", "text": EN, "lang": "en", "kind": "natural", "quality": 0.9, "license": "CC-BY-4.0"},
        {"id": "d-fr", "text": "Le fleuve est long.", "lang": "fr", "kind": "natural", "quality": 0.9},
        {"id": "d-syn", "text": EN, "lang": "en", "kind": "synthetic", "quality": 0.9},
        {"id": "d-low", "text": EN, "lang": "en", "kind": "natural", "quality": 0.1, "license": "CC-BY-4.0"},
        {
            "id": "d-lic",
            "text": EN,
            "lang": "en",
            "kind": "natural",
            "quality": 0.9,
            "license": "proprietary",
        },
        {
            "id": "d-short",
            "text": "长江。",
            "lang": "zh",
            "kind": "natural",
            "quality": 0.9,
            "license": "CC0-1.0",
        },
    ]
    for row in rows:
        row.update(source="s", uri=f"file:{row['id']}", locator=row["id"], lineage=[])
    return conform(pa.Table.from_pylist(rows), WORKING_SCHEMA)


def test_chunk_rows_and_skip_reasons(model_dir, counter):
    config = make_config(model_dir, min_quality=0.5, licenses=["CC-BY-4.0", "CC0-1.0"])
    out = chunk_documents(_docs(), config).to_pylist()
    skips = {r["parent_id"]: r["skip"] for r in out if r["skip"]}
    assert skips == {
        "d-fr": "lang_not_selected",
        "d-syn": "synthetic_input",
        "d-low": "below_min_quality",
        "d-lic": "license_not_selected",
        "d-short": "too_short",
    }
    chunks = [r for r in out if not r["skip"]]
    expected = chunk_text(ZH + "\n\n" + ZH, counter, 64, 8)
    zh = [r for r in chunks if r["parent_id"] == "d-zh"]
    assert [r["chunk"] for r in zh] == expected
    assert [r["chunk_id"] for r in zh] == [chunk_id("d-zh", i, "qa_zh_v1") for i in range(len(expected))]
    assert all(r["seed"] == request_seed(0, r["chunk_id"]) and r["prompt_lang"] == r["lang"] for r in chunks)
    assert [r["parent_id"] for r in chunks].count("d-en") == 1


def _generations(model_dir: Path, outputs: list[tuple[str, str]]) -> pa.Table:
    config = make_config(model_dir)
    chunks = chunk_documents(_docs().slice(0, 2), config)
    chunks = chunks.filter(pa.compute.is_valid(chunks.column("chunk_id"))).slice(0, len(outputs))
    assert chunks.num_rows == len(outputs)
    chunks = chunks.append_column("output", pa.array([o for o, _ in outputs], pa.large_string()))
    chunks = chunks.append_column("finish", pa.array([f for _, f in outputs], pa.string()))
    chunks = chunks.append_column("prompt_tokens", pa.array([100] * len(outputs), pa.int64()))
    return chunks.append_column("output_tokens", pa.array([40] * len(outputs), pa.int64()))


def test_synthetic_rows_carry_provenance_and_qa_text(model_dir):
    good = json.dumps(
        {"pairs": [{"question": "长江有多长？", "answer": "长江全长约六千三百公里。"}]}, ensure_ascii=False
    )
    bad = json.dumps(
        {"pairs": [{"question": "黄河有多长？", "answer": "黄河全长约五千四百公里。"}]}, ensure_ascii=False
    )
    config = make_config(model_dir)
    gens = _generations(model_dir, [(good, "stop"), (bad, "stop"), ('{"pairs": [{"qu', "length")])
    rows = build_rows(gens, config).to_pylist()
    template = config.templates["zh"]
    first = rows[0]
    assert first["text"] == "问：长江有多长？\n答：长江全长约六千三百公里。"
    assert first["drop_reason"] is None and first["kind"] == "synthetic" and first["parent_id"] == "d-zh"
    assert (
        first["id"] == chunk_id("d-zh", 0, "qa_zh_v1")
        and first["lang"] == "zh"
        and first["license"] == "CC-BY-4.0"
    )
    assert first["gen"] == {
        "model": str(model_dir),
        "model_revision": config.revision,
        "prompt_id": "qa_zh_v1",
        "prompt_sha256": template.sha256,
        "sampling": config.sampling_json(),
        "seed": request_seed(0, first["id"]),
    }
    assert json.loads(first["gen"]["sampling"]) == {
        "max_tokens": 1024,
        "num_pairs": 3,
        "structured_output": "json_schema",
        "temperature": 0.7,
        "top_p": 0.95,
    }
    assert dict(first["signals"]) == {
        "synth_pairs": 1.0,
        "synth_pairs_valid": 1.0,
        "synth_output_tokens": 40.0,
    }
    assert (rows[1]["drop_reason"], rows[1]["text"], json.loads(rows[1]["_invalid"])) == (
        "synthesize:no_valid_pair",
        bad,
        {"not_grounded": 1},
    )
    assert rows[2]["drop_reason"] == "synthesize:truncated"


# -- OpenAI-compatible client -------------------------------------------------------------------


async def _serve(handler, body):
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/v1/chat/completions", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        return await body(f"http://127.0.0.1:{port}/v1")
    finally:
        await runner.cleanup()


def _client(url: str, **kw) -> ChatClient:
    from datamill.stages.synthesize.config import OpenAIBackend

    params = {"kind": "openai", "base_url": url, "max_model_len": 4096, "backoff_seconds": 0.01, **kw}
    backend = OpenAIBackend.model_validate(params)
    return ChatClient(backend, backend.api_key())


def test_client_retries_bounds_concurrency_and_sends_the_key_only_in_the_header(monkeypatch):
    from aiohttp import web

    monkeypatch.setenv("DATAMILL_TEST_KEY", "sk-secret-123")
    seen = {"calls": 0, "in_flight": 0, "peak": 0, "auth": set()}

    async def handler(request):
        seen["calls"] += 1
        seen["auth"].add(request.headers.get("Authorization"))
        body = await request.json()
        if body["messages"][0]["content"] == "flaky" and seen["calls"] <= 2:
            return web.Response(status=503, text="busy")
        if body["messages"][0]["content"] == "bad":
            return web.Response(status=400, text="prompt too long")
        seen["in_flight"] += 1
        seen["peak"] = max(seen["peak"], seen["in_flight"])
        await asyncio.sleep(0.05)
        seen["in_flight"] -= 1
        return web.json_response({"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]})

    async def body(url):
        client = _client(url, api_key_env="DATAMILL_TEST_KEY", max_concurrency=2)
        assert "sk-secret" not in repr(client)
        first = await client.complete_all([{"messages": [{"content": "flaky"}]}])
        rest = await client.complete_all(
            [{"messages": [{"content": str(i)}]} for i in range(6)] + [{"messages": [{"content": "bad"}]}]
        )
        return first, rest

    first, rest = asyncio.run(_serve(handler, body))
    assert first[0]["choices"][0]["message"]["content"] == "ok"
    assert seen["auth"] == {"Bearer sk-secret-123"}
    assert seen["calls"] == 3 + 7  # two 503s retried, the 400 not retried
    assert seen["peak"] == 2
    assert isinstance(rest[-1], RequestRejected) and rest[-1].status == 400


def test_client_gives_up_after_max_retries_without_showing_the_key(monkeypatch):
    from aiohttp import web

    monkeypatch.setenv("DATAMILL_TEST_KEY", "sk-secret-123")
    calls = []

    async def handler(request):
        calls.append(1)
        return web.Response(status=500, text="down")

    async def body(url):
        return await _client(url, api_key_env="DATAMILL_TEST_KEY", max_retries=2).complete_all(
            [{"messages": []}]
        )

    (answer,) = asyncio.run(_serve(handler, body))
    assert isinstance(answer, EndpointError) and len(calls) == 3
    assert "HTTP 500: down" in str(answer) and "sk-secret" not in str(answer)
